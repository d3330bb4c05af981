"""Plain language first: a dealer reads words, the exact definition (column names) is one click below."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from loaders.contract.data_quality_checks import DESCRIPTIONS, TABLE_NOUNS, plain_finding
from metrics.registry import DERIVED_METRICS, METRICS, Metric
from tests.test_app_pages import ROOT, open_page
from tests.test_data_quality_page import messy  # noqa: F401  (the warehouse with broken rows)

# What a dealer should not meet first: column names, SQL, code words.
DATABASE_WORDS = re.compile(
    r"_|\bIS NULL\b|\bnull\b|\bNULL\b|actor_key|in_the_future|\bsold / |/ leads", re.I
)


@pytest.mark.parametrize("m", [*METRICS, *DERIVED_METRICS], ids=lambda m: m.name)
def test_every_metric_has_a_plain_sentence_without_database_words(m: Metric) -> None:
    assert m.plain, f"{m.name} has no plain-language sentence in metrics/registry.py"
    assert m.plain.endswith("."), m.plain
    assert not DATABASE_WORDS.search(m.plain), m.plain


def test_help_leads_with_the_plain_sentence_and_keeps_the_exact_definition() -> None:
    for m in (*METRICS, *DERIVED_METRICS):
        assert m.help.startswith(m.plain)
        assert m.definition in m.help  # nothing of the exact definition is lost


def test_the_undelivered_example_of_the_issue() -> None:
    from metrics.registry import metric

    assert metric("undelivered").plain == "Leads the dealer's system never confirmed receiving."
    assert "delivered_at IS NULL" in metric("undelivered").definition


@pytest.mark.parametrize("check", sorted(DESCRIPTIONS))
@pytest.mark.parametrize("table", sorted(TABLE_NOUNS))
def test_every_data_quality_finding_reads_in_words(check: str, table: str) -> None:
    text = plain_finding(check, table, "created_at" if check != "duplicate_key" else "lead_id")
    assert not DATABASE_WORDS.search(text), text
    assert text[0].isupper()


def test_definitions_page_shows_plain_words_first_and_the_definition_in_an_expander(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("definitions", demo_url, monkeypatch)
    assert not at.exception
    bodies = [m.value for m in at.markdown]
    undelivered = next(i for i, b in enumerate(bodies) if "Undelivered leads" in b)
    assert bodies[undelivered + 1] == "Leads the dealer's system never confirmed receiving."
    exact = [e for e in at.expander if e.label == "Exact definition"]
    assert len(exact) == len(METRICS) + len(DERIVED_METRICS)
    assert any("delivered\\_at IS NULL" in m.value for e in exact for m in e.markdown)


def test_data_quality_page_leads_with_words(messy: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", messy)
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=90).run()
    at.switch_page(str(ROOT / "pages" / "data_quality.py"))
    at.run()
    assert not at.exception
    first = at.table[0].value
    assert list(first.columns)[:3] == ["What the rows are", "Rows", "How the numbers treat them"]
    assert all(not DATABASE_WORDS.search(text) for text in first["What the rows are"])
    exact = next(e for e in at.expander if e.label.startswith("Exact checks"))
    assert {"check", "where"} <= set(exact.dataframe[0].value.columns)


def test_settings_lead_with_what_each_setting_does(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page("overview", demo_url, monkeypatch)
    at.switch_page(str(ROOT / "pages" / "settings.py"))
    at.run()
    assert not at.exception
    plain = at.table[0]  # the first table on the page: what each setting sets, then its value
    assert list(plain.value.columns) == ["What it sets", "In effect"]
    exact = next(e for e in at.expander if e.label.startswith("Exact names"))
    assert "setting" in exact.dataframe[0].value.columns


def test_every_data_quality_check_has_its_own_plain_sentence() -> None:
    from loaders.contract.data_quality_checks import _PLAIN

    assert set(_PLAIN) == set(DESCRIPTIONS), "a new check needs its sentence in _PLAIN"
