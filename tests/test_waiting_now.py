"""Leads waiting now (docs/metrics.md): which leads count, their business minutes waited, suppression.

Dealer d1 is in DE (Europe/Berlin is not set: NULL zone, so UTC) with the default hours
(Mon-Fri 08:00-18:00, Sat 09:00-13:00). as_of is Wednesday 2024-03-06 12:00 UTC.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta

import polars as pl
import pytest
from sqlalchemy import TIMESTAMP, String, literal, select, union_all

from dashboard.data.detail_tables import waiting_now
from loaders.contract.tables import leads
from loaders.contract.write import write_tables
from loaders.facts.opening import business_minutes_between, business_minutes_until, probe_opening
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import forget_probes
from loaders.queries.detail_arrival import known_dealer_timezones
from loaders.request.query import LeadQuery
from metrics.waiting_now import waiting_sentence
from tests.conftest import Warehouse
from tests.metric_fixtures import Fixture, contact, lead, outcome
from tests.test_lead_facts_materialised import demo_frames, filled  # noqa: F401  (fixtures)

AS_OF = datetime(2024, 3, 6, 12, 0)

LEADS = [
    lead("under", datetime(2024, 3, 6, 11, 30)),  # 30 business minutes
    lead("exactly_60", datetime(2024, 3, 6, 11, 0)),  # 60: the 60-240 bucket
    lead("overnight", datetime(2024, 3, 5, 17, 0)),  # 60 (17-18) + 240 (08-12) = 300
    lead("long", datetime(2024, 3, 1, 9, 0)),  # Friday 09:00: a business day or more
    lead("contacted_later", datetime(2024, 3, 6, 10, 0)),  # contact after as_of: still waiting, 120
    lead("contacted", datetime(2024, 3, 6, 10, 0)),
    lead("closed", datetime(2024, 3, 6, 10, 0)),
    lead("refused", datetime(2024, 3, 6, 10, 0), consent=False),
    lead("too_old", datetime(2024, 2, 28, 11, 59)),  # 7 days and 1 minute before as_of
    lead("future", datetime(2024, 3, 6, 12, 30)),  # after as_of: not yet arrived
    *(lead(f"small{i}", datetime(2024, 3, 6, 9, 0), dealer_id="d2") for i in range(2)),
]
ACTIVITIES = [
    contact("contacted", datetime(2024, 3, 6, 10, 5)),
    contact("contacted_later", datetime(2024, 3, 6, 13, 0)),
]
OUTCOMES = [outcome("closed", closed_at=datetime(2024, 3, 6, 11, 0))]


def _table(warehouse: Warehouse, k: int = 3) -> pl.DataFrame:
    forget_probes()
    query = LeadQuery(date(2024, 1, 1), date(2024, 1, 31), AS_OF, group_by=("brand",))  # period ignored
    return waiting_now(warehouse.engine, query, k)


@pytest.mark.parametrize("materialised", [False, True], ids=["on-the-fly", "materialised"])
def test_waiting_leads_and_their_business_minutes(warehouse: Warehouse, materialised: bool) -> None:
    Fixture(leads=LEADS, activities=ACTIVITIES, outcomes=OUTCOMES).write(warehouse.engine)
    if materialised:
        refresh_lead_facts(warehouse.engine, full=True, now=AS_OF)
    table = _table(warehouse)
    d1 = table.filter(pl.col("dealer_id") == "d1").row(0, named=True)
    # Recent leads of d1: all but too_old, future and refused (never counted).
    assert d1["leads"] == 7
    assert d1["waiting"] == 5
    assert (d1["under_60"], d1["from_60_to_240"], d1["from_240_to_480"], d1["from_480"]) == (1, 2, 1, 1)
    d2 = table.filter(pl.col("dealer_id") == "d2").row(0, named=True)
    assert d2["suppressed"] and d2["waiting"] is None  # 2 leads < K = 3
    assert waiting_sentence(table) == "5 leads are waiting; 1 for a business day or more."


def test_cli_exports_waiting_now(duckdb_warehouse: Warehouse) -> None:
    Fixture(leads=LEADS, activities=ACTIVITIES, outcomes=OUTCOMES).write(duckdb_warehouse.engine)
    duckdb_warehouse.engine.dispose()
    command = [
        sys.executable, "-m", "dashboard.cli", "metrics", "waiting-now", "--warehouse", duckdb_warehouse.url,
        "--start", "2024-03-01", "--end", "2024-03-06", "--as-of", "2024-03-06T12:00:00", "--min-group-size", "3",
        "--format", "csv",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "dealer_id,leads,waiting,under_60,from_60_to_240,from_240_to_480,from_480,suppressed",
        "d1,7,5,1,2,1,1,false",
    ]


def test_business_minutes_until_now_are_those_between_for_every_lead(
    filled: Warehouse,  # noqa: F811
    demo_frames: dict[str, pl.DataFrame],  # noqa: F811
) -> None:
    """Waiting now looks F(now) up once per dealer (``business_minutes_until``): per lead, exactly the
    minutes of ``business_minutes_between`` with end = now, on the demo's dealers (own hours, closed
    days and holidays, time zones, an unknown zone), a lead without a dealer, one whose dealer is not
    in ``dealers``, and leads created after now (0)."""
    engine = filled.engine
    moment = datetime(2025, 6, 20, 15, 17, 30)
    first, second = demo_frames["dealers"].sort("dealer_id").head(2).iter_rows(named=True)
    own_hours = [
        (1, 480, 720),
        (1, 600, 780),
        (1, 840, 1080),
        (7, 600, 720),
        (5, 0, 1440),
    ]  # overlap, split, Sunday
    write_tables(
        engine,
        {
            "dealer_opening_hours": pl.DataFrame(
                [(first["dealer_id"], *row) for row in own_hours],
                schema=["dealer_id", "weekday", "opens_min", "closes_min"],
                orient="row",
            ),
            "dealer_closed_days": pl.DataFrame(
                {
                    "dealer_id": [first["dealer_id"], None],
                    "market": [None, second["market"]],
                    "closed_on": [date(2025, 6, 16), date(2025, 6, 19)],
                }
            ),
        },
    )
    forget_probes()
    earlier = moment - timedelta(days=3, minutes=7)
    extra = [
        ("X-NO-DEALER", None, earlier),
        ("X-UNLISTED", "D-NOWHERE", earlier),
        ("X-LATER", None, moment + timedelta(hours=1)),
    ]
    points = union_all(
        select(leads.c.lead_id, leads.c.dealer_id, leads.c.created_at.label("start_at")).where(
            leads.c.created_at >= moment - timedelta(days=40), leads.c.created_at < moment + timedelta(days=2)
        ),
        *(
            select(
                literal(lead_id).label("lead_id"),
                literal(dealer, String).label("dealer_id"),
                literal(start, TIMESTAMP).label("start_at"),
            )
            for lead_id, dealer, start in extra
        ),
    ).subquery("points")
    with_end = select(points, literal(moment, TIMESTAMP).label("end_at")).subquery("points_with_end")
    with engine.connect() as conn:
        setup = probe_opening(conn, known_dealer_timezones(engine))
        assert setup.has_hours and setup.has_closed_days and setup.zones
        until = business_minutes_until(points, moment, setup)
        between = business_minutes_between(with_end, setup)
        got = conn.execute(select(until.c.lead_id, until.c.business_minutes).order_by(until.c.lead_id)).all()
        wanted = conn.execute(
            select(between.c.lead_id, between.c.business_minutes).order_by(between.c.lead_id)
        ).all()
    assert [tuple(r) for r in got] == [tuple(r) for r in wanted]
    minutes = dict(got)
    assert len(minutes) > 50 and minutes["X-NO-DEALER"] == minutes["X-UNLISTED"] > 0
    assert minutes["X-LATER"] == 0 and len(set(minutes.values())) > 20
