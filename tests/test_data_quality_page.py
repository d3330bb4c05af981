"""The Data quality page: each broken rule with its count, an example key and its treatment.

Drawn through the entrypoint (AppTest) on a warehouse with one violation of each kind, on a
clean demo warehouse, and for an analyst of some brands, who sees counts but no example keys
(they name rows outside the analyst's scope).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from loaders.contract.data_quality_checks import how_treated
from tests.conftest import Warehouse
from tests.test_app_pages import APP, ROOT, texts
from tests.test_app_roles import ACCESS as ACCESS_FILE
from tests.test_app_roles import AUTH, USERS
from tests.test_data_quality import VALID_ROWS, add_rows, create_loose_tables

PAGE = str(ROOT / "pages" / "data_quality.py")
# One violation of each kind the issue names (null, duplicate key, dangling references, times,
# negative spend, unknown values); "example" is the key the page must show for it.
BROKEN = [
    ("leads", {"lead_id": "l2", "created_at": None}),
    ("leads", {}),  # l1 twice
    ("lead_activities", {"activity_id": "a9", "lead_id": "ghost"}),
    ("lead_outcomes", {"lead_id": "ghost"}),
    ("leads", {"lead_id": "l3", "dealer_id": "d-unknown"}),
    ("leads", {"lead_id": "l4", "campaign_id": "c-unknown"}),
    ("leads", {"lead_id": "l5", "created_at": datetime(2099, 1, 1)}),
    ("leads", {"lead_id": "l6", "created_at": datetime(1970, 1, 1)}),
    ("campaign_spend", {"spend_date": date(2024, 3, 2), "amount": -5.0}),
    ("leads", {"lead_id": "l7", "lead_type": "New Car"}),
]
EXPECTED = [
    ("null_required", "leads.created_at", 1, "l2"),
    ("duplicate_key", "leads.lead_id", 1, "l1"),
    ("unknown_lead", "lead_activities.lead_id", 1, "a9"),
    ("unknown_lead", "lead_outcomes.lead_id", 1, "ghost"),
    ("unknown_dealer", "leads.dealer_id", 1, "l3"),
    ("unknown_campaign", "leads.campaign_id", 1, "l4"),
    ("in_the_future", "leads.created_at", 1, "l5"),
    ("before_2000", "leads.created_at", 1, "l6"),
    ("negative_spend", "campaign_spend.amount", 1, "c1 / 2024-03-02"),
    ("unknown_value", "leads.lead_type", 1, "l7"),
]


@pytest.fixture
def messy(duckdb_warehouse: Warehouse) -> str:
    create_loose_tables(duckdb_warehouse.engine)
    add_rows(duckdb_warehouse.engine, [(name, {}) for name in VALID_ROWS] + BROKEN)
    duckdb_warehouse.engine.dispose()
    return duckdb_warehouse.url


def open_quality_page(at: AppTest) -> AppTest:
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def problem_rows(at: AppTest) -> list[tuple[str, str, int, str | None]]:
    frame = next(df.value for df in at.dataframe if "how_treated" in df.value.columns and "where" in df.value)
    keys = frame["example_key"] if "example_key" in frame.columns else [None] * len(frame)
    return list(zip(frame["check"], frame["where"], frame["count"].astype(int), keys, strict=True))


def test_each_violation_is_listed_with_count_example_and_treatment(
    messy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", messy)
    at = open_quality_page(AppTest.from_file(APP, default_timeout=90))
    assert not at.error
    rows = problem_rows(at)
    for expected in EXPECTED:
        assert expected in rows
    frame = next(df.value for df in at.dataframe if "where" in df.value)
    treated = dict(zip(zip(frame["check"], frame["where"], strict=True), frame["how_treated"], strict=True))
    assert treated[("unknown_dealer", "leads.dealer_id")] == how_treated(
        "unknown_dealer", "leads", "dealer_id"
    )
    assert f"{len(set(rows))} of" in texts(at)


def test_clean_demo_warehouse_shows_no_finding_and_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loaders.demo.generate import generate_demo

    path = tmp_path / "demo.duckdb"
    generate_demo(path, leads=2000, seed=3)
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", f"duckdb:///{path}")
    at = open_quality_page(AppTest.from_file(APP, default_timeout=90))
    assert not at.error
    assert "checks found rows" in texts(at)


def test_an_analyst_sees_counts_but_no_example_keys(
    messy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    access = tmp_path / "access.toml"
    access.write_text(ACCESS_FILE, encoding="utf-8")
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", messy)
    monkeypatch.setenv("LEADLINE_ACCESS_FILE", str(access))
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, **USERS["analyst"]}
    open_quality_page(at)
    rows = problem_rows(at)
    assert ("duplicate_key", "leads.lead_id", 1, None) in rows
    assert "Example keys are shown to administrators" in texts(at)
    assert "l1" not in [str(v) for df in at.dataframe for v in df.value.to_numpy().ravel()]


@pytest.mark.parametrize("role", ["brand", "dealer_group"])
def test_brand_and_dealer_roles_do_not_get_the_page(
    role: str, messy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.access.access_file import parse_access_file
    from dashboard.access.viewer import viewer_of

    parsed = parse_access_file(ACCESS_FILE)
    who = parsed.identity(USERS[role])
    assert not viewer_of(parsed.access_for(who), who).may_open("data-quality")


def test_unknown_result_codes_name_their_sources_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Labels, not codes: ``third_party:leasing_partner`` reads "Leasing partner (third party)"."""
    from sqlalchemy import create_engine, text

    from loaders.demo.generate import generate_demo

    path = tmp_path / "demo.duckdb"
    generate_demo(path, leads=2000, seed=3)
    engine = create_engine(f"duckdb:///{path}")
    with engine.begin() as conn:
        changed = conn.execute(
            text(
                "UPDATE lead_activities SET result_code = 'zz_crm_own_code' WHERE lead_id IN "
                "(SELECT lead_id FROM leads WHERE source = 'third_party:leasing_partner')"
            )
        ).rowcount
    engine.dispose()
    assert changed
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", f"duckdb:///{path}")
    at = open_quality_page(AppTest.from_file(APP, default_timeout=90))
    frame = next(df.value for df in at.dataframe if "unknown_codes" in df.value.columns)
    assert "Leasing partner (third party)" in list(frame["source"])
    assert not any(":" in source for source in frame["source"])
