"""Arbitrary query strings against every page (hypothesis + AppTest).

Garbage and impossible dates, periods that end before they start or span fifty years, unknown
and misspelt keys and values, SQL fragments, quotes, control characters, unicode, repeated
keys and enormous lists. For each link: no exception and no error on the page; every value the
view does not use is named in the notice; the view never holds a value outside the viewer's
choices (which are limited to their scope); and no statement sent to the warehouse contains a
value from the link: values travel only as bound parameters.

Examples per page: LEADLINE_FUZZ_EXAMPLES (default 8; the issue's run used 25).
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

from common.markdown import shorten
from dashboard.filters.url_state import (
    COMPARE_KEY,
    DIMENSION_OF_KEY,
    END_KEY,
    FILTER_KEYS,
    MAX_ECHOED_KEY,
    START_KEY,
    Dropped,
)
from dashboard.filters.view import View
from dashboard.navigation import PAGE_KEYS, PAGE_SPECS, PAGES_DIR
from tests.conftest import write_demo_url
from tests.test_app_pages import APP
from tests.test_app_roles import ACCESS, AUTH, USERS

EXAMPLES = int(os.environ.get("LEADLINE_FUZZ_EXAMPLES", "8"))
PAGES = [spec for spec in PAGE_SPECS if (PAGES_DIR / spec.file).exists()]
NASTY = [
    "' OR 1=1 --",
    "'; DROP TABLE leads; --",
    '" OR ""="',
    "Robert'); DROP TABLE students;--",
    "%27%20OR%201%3D1",
    "\x00\x01\x1b[31m",
    "\r\nSet-Cookie: x=1",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "𝔏𝔢𝔞𝔡 ☃ 北京 مرحبا",
    "ＤＥ",
    "IT ",
    "aurelia",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "a" * 500,
]
# Issue 12 item 6: Markdown that must show as text, never as a link, an image, markup or a directive.
MARKDOWN_INJECTION = [
    "![x](http://127.0.0.1:8623/k.png)",
    "[Re-authenticate](http://127.0.0.1:8623/login)",
    "<img src=http://127.0.0.1:8623/i.png>",
    "<a href='http://127.0.0.1:8623/a'>x</a>",
    "http://127.0.0.1:8623/autolink",
    "www.evil.example",
    "mallory@evil.example",
    "[x]: http://127.0.0.1:8623/ref\n[x]",
    ":red[Alarm] :material/lock: :smile:",
    "$\\href{http://127.0.0.1:8623}{y}$",
    "**bold** _it_ `code` # head",
]
NASTY += MARKDOWN_INJECTION
DATE_TEXTS = [
    "2025-02-30",
    "2025-13-01",
    "0000-00-00",
    "1970-01-01",
    "1999-12-31",
    "2000-01-01",
    "2050-12-31",
    "2100-12-31",
    "2101-01-01",
    "20250101",
    "2025-1-1",
    "yesterday",
    "",
]
MISSPELT_KEYS = [
    "brnad",
    "Brand",
    "dealers",
    "form",
    "too",
    "from ",
    "to[]",
    "group_id",
    "compare2",
    "trend",
    "by",
]

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=40)
values_of = st.one_of(text, st.sampled_from(NASTY))


def links(valid: dict[str, list[str]]) -> st.SearchStrategy[dict[str, list[str]]]:
    """Query strings: known, misspelt and random keys, each with one or many hostile values."""
    filter_values = {
        key: st.lists(st.one_of(values_of, st.sampled_from(valid.get(key) or ["x"])), min_size=1, max_size=4)
        for key in FILTER_KEYS.values()
    }
    huge = st.lists(
        st.one_of(values_of, st.sampled_from(valid.get("dealer") or ["x"])), min_size=101, max_size=250
    )
    dates = st.lists(
        st.one_of(st.sampled_from(DATE_TEXTS), st.dates(date(1, 1, 1), date(9999, 12, 31)).map(str), text),
        min_size=1,
        max_size=2,
    )
    pairs = st.one_of(
        st.tuples(st.sampled_from([START_KEY, END_KEY]), dates),
        st.tuples(
            st.just(COMPARE_KEY),
            st.lists(
                st.one_of(st.sampled_from(["previous", "year", "none"]), values_of), min_size=1, max_size=2
            ),
        ),
        st.one_of(*(st.tuples(st.just(key), strategy) for key, strategy in filter_values.items())),
        st.tuples(st.just("dealer"), huge),
        st.tuples(
            st.sampled_from(MISSPELT_KEYS + sorted(PAGE_KEYS)), st.lists(values_of, min_size=1, max_size=2)
        ),
        st.tuples(
            st.one_of(
                text.filter(lambda k: k.strip() != "" and k not in ("embed", "embed_options")),
                st.sampled_from(MARKDOWN_INJECTION),
            ),
            st.lists(values_of, min_size=1, max_size=2),
        ),
    )
    return st.lists(pairs, max_size=7).map(dict)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_demo_url(tmp_path_factory, "fuzz", leads=1500, seed=9)


@pytest.fixture(scope="module")
def valid_values(demo_url: str) -> dict[str, list[str]]:
    """A few real values per URL key, so that links also hold values the view accepts."""
    from datetime import datetime

    from dashboard.data.detail_tables import dimension_choices
    from loaders.request.query import LeadQuery
    from loaders.warehouse.engine import make_engine

    engine = make_engine(demo_url)
    frame = dimension_choices(engine, LeadQuery(date(2000, 1, 1), date(2100, 1, 1), datetime(2100, 1, 1)), 1)
    engine.dispose()
    return {key: frame.filter(dimension=dim)["value"].head(5).to_list() for dim, key in FILTER_KEYS.items()}


class Statements:
    """Every SQL statement sent to any warehouse while a test runs."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.texts.append(statement)


@pytest.fixture
def statements() -> Iterator[Statements]:
    captured = Statements()
    event.listen(Engine, "before_cursor_execute", captured)
    try:
        yield captured
    finally:
        event.remove(Engine, "before_cursor_execute", captured)


def open_with(params: dict[str, list[str]], page_file: str, at: AppTest) -> AppTest:
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page_file != "overview.py":
        at.switch_page(str(PAGES_DIR / page_file))
        at.run()
    return at


def check_link(at: AppTest, params: dict[str, list[str]], statements: list[str], baseline: str) -> None:
    """The properties every link must keep (see the module's docstring)."""
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    view = at.session_state["leadline_view"]
    assert isinstance(view, View)
    notices: list[Dropped] = (
        list(at.session_state["leadline_url_notices"]) if "leadline_url_notices" in at.session_state else []
    )
    shown = "\n".join(w.value for w in at.warning)
    for notice in notices:  # each dropped value is named on the page
        assert notice.describe() in shown
    dropped = {(d.key, d.value) for d in notices}
    for key, values in params.items():
        dim = DIMENSION_OF_KEY.get(key)
        if dim is not None:
            kept = view.state.values(dim)
            allowed = view.choices.labels.get(dim, {})
            assert set(kept) <= set(allowed)  # never a value outside the viewer's choices
            for value in values[:100]:
                assert value in kept or value == "" or (key, value) in dropped or (key, "") in dropped
        elif key not in (START_KEY, END_KEY, COMPARE_KEY) and key not in PAGE_KEYS:
            assert (shorten(key, MAX_ECHOED_KEY), "") in dropped
    assert_inert(at)
    # Values from the link reach the warehouse only as bound parameters: none appears as a
    # string literal in a statement (a value formatted into SQL would, quoted and escaped).
    sql = "\n".join(statements)
    for values in params.values():
        for value in values:
            for literal in {f"'{value}'", "'{}'".format(value.replace("'", "''"))}:
                if value.strip() and literal not in baseline:
                    assert literal not in sql, f"{value!r} was formatted into SQL"
    assert "DROP TABLE" not in sql and "OR 1=1" not in sql


# Markdown that would render as a link or an image, an HTML tag, a bare URL, a reference link
# definition, a Streamlit directive or a formula: any of these unescaped in what the page renders.
ACTIVE_MARKDOWN = re.compile(r"(?<!\\)(\]\(|!\[|<[a-zA-Z/]|https?:|www\.|\]:|:[a-z]+\[|:material/|\$)")


CODE_SPAN = re.compile(r"(`+) .*? \1")


def markdown_sources(at: AppTest) -> list[str]:
    """Every text the page renders as Markdown (AppTest gives their source)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    return [str(p) for p in parts]


def assert_inert(at: AppTest) -> None:
    """No text from a link is rendered as active Markdown (issue 12 item 6): no payload appears
    outside a code span anywhere, and the texts that echo the link (the notice, a page option's
    caption) hold no active Markdown of their own outside code spans."""
    for raw in markdown_sources(at):
        source = CODE_SPAN.sub("", raw)  # code spans render literally: nothing in them is active
        for payload in MARKDOWN_INJECTION:
            assert payload not in source, f"{payload!r} reached Markdown unescaped: {raw!r}"
    echoes = [w.value for w in at.warning] + [c.value for c in at.caption if "The link's" in c.value]
    for raw in echoes:
        source = CODE_SPAN.sub("", str(raw)).removeprefix(":orange[")
        found = ACTIVE_MARKDOWN.search(source)
        assert found is None, f"active Markdown {found[0]!r} in {raw!r}"


@pytest.mark.parametrize("payload", MARKDOWN_INJECTION)
@pytest.mark.parametrize("where", ["unknown key", "filter value", "page option", "period"])
def test_markdown_in_a_link_is_shown_as_text(
    payload: str, where: str, demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)
    params = {
        "unknown key": {payload: ["1"]},
        "filter value": {"dealer": [payload], "brand": [payload]},
        "page option": {"by": [payload]},
        "period": {"from": [payload]},
    }[where]
    at = open_with(params, "delivery.py", AppTest.from_file(APP, default_timeout=120))
    assert not at.exception
    assert_inert(at)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[spec.url_path for spec in PAGES])
def test_any_link_opens_every_page_safely(
    page: Any,
    demo_url: str,
    valid_values: dict[str, list[str]],
    statements: Statements,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)
    open_with({}, page.file, AppTest.from_file(APP, default_timeout=120))
    baseline = "\n".join(statements.texts)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
        ],
    )
    @given(params=links(valid_values))
    def open_link(params: dict[str, list[str]]) -> None:
        statements.texts.clear()
        at = open_with(params, page.file, AppTest.from_file(APP, default_timeout=120))
        check_link(at, params, statements.texts, baseline)

    open_link()


@pytest.mark.slow
def test_any_link_keeps_a_brand_user_inside_their_scope(
    demo_url: str,
    valid_values: dict[str, list[str]],
    statements: Statements,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A brand user (Aurelia in IT) cannot widen their view by a link naming other brands or markets."""
    access = tmp_path / "access.toml"
    access.write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)
    monkeypatch.setenv("LEADLINE_ACCESS_FILE", str(access))

    def signed_in() -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        at.secrets["auth"] = dict(AUTH)
        at.user = {"is_logged_in": True, **USERS["brand"]}
        return at

    open_with({}, "overview.py", signed_in())
    baseline = "\n".join(statements.texts)
    others = {"brand": valid_values["brand"], "market": valid_values["market"]}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(params=links(others))
    def open_link(params: dict[str, list[str]]) -> None:
        statements.texts.clear()
        at = open_with(params, "overview.py", signed_in())
        check_link(at, params, statements.texts, baseline)
        view = at.session_state["leadline_view"]
        assert set(view.choices.labels.get("brand", {})) <= {"Aurelia"}
        assert set(view.choices.labels.get("market", {})) <= {"IT"}
        assert view.viewer.scope == view.viewer.access.scope_for_page("overview")

    open_link()


def test_the_strategy_reaches_the_hostile_cases() -> None:
    """The generator really produces what the issue lists (else the fuzzing proves little)."""
    seen = {
        "sql": False,
        "control": False,
        "unicode": False,
        "huge": False,
        "repeated": False,
        "dates": False,
        "markdown": False,
    }

    @settings(max_examples=300, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(params=links({"dealer": ["D1"], "brand": ["Aurelia"]}))
    def look(params: dict[str, list[str]]) -> None:
        values = [v for vs in params.values() for v in vs]
        seen["sql"] |= any("DROP" in v or "OR 1=1" in v for v in values)
        seen["control"] |= any(any(c in v for c in "\x00\x01\r\n") for v in values)
        seen["unicode"] |= any(any(c not in string.printable for c in v) for v in values)
        seen["huge"] |= any(len(vs) > 100 for vs in params.values())
        seen["repeated"] |= any(len(vs) > 1 for k, vs in params.items() if k in (START_KEY, END_KEY))
        seen["dates"] |= any(v in ("2025-02-30", "2050-12-31", "2101-01-01") for v in values)
        seen["markdown"] |= any(v in MARKDOWN_INJECTION for v in [*values, *params])

    look()
    assert all(seen.values()), seen


def test_a_link_with_a_dealer_outside_its_group_says_so() -> None:
    """Found by the fuzzing: the sidebar's narrowed lists dropped such a dealer without a word."""
    from dashboard.filters.url_state import Choices, decode

    choices = Choices(
        labels={"dealer_group_id": {"G1": "One", "G2": "Two"}, "dealer_id": {"D1": "A", "D2": "B"}},
        dealer_group={"D1": "G1", "D2": "G2"},
    )
    state, dropped = decode({"group": ["G1"], "dealer": ["D1", "D2"]}, choices, date(2026, 11, 22))
    assert state.values("dealer_id") == ("D1",)
    assert [(d.key, d.value) for d in dropped] == [("dealer", "D2")]
    assert "not in the chosen market or dealer group" in dropped[0].describe()
