"""A CRM's own call codes mapped onto the result-code taxonomy at import (value maps), on real data.

The Maven CRM export has no call results; its ``deal_stage`` stands in for a CRM disposition
code. The mapping translates two stages onto taxonomy codes and keeps the others unmapped, so
the best-outcome distribution must equal counts read straight from the file, and the unmapped
codes must show up as unknown in `leadline check`'s per-source list.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import create_engine

from dashboard.data import detail_tables
from loaders.contract.result_codes import unknown_result_codes_by_source
from loaders.facts.source import forget_probes
from loaders.imports import apply_import, parse_mapping, plan_import
from loaders.request.query import LeadQuery
from metrics.result_codes import DEFAULT_TAXONOMY
from tests.import_helpers import MAPPINGS, MAVEN_PIPELINE, SECRET, raw_csv, require_realdata

MAPPED = '"Won" = "appointment_set", "Lost" = " wrong_number"'


def test_value_map_puts_crm_codes_onto_the_taxonomy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_realdata()
    monkeypatch.setenv("LEADLINE_PSEUDONYM_SECRET", SECRET)
    text = (MAPPINGS / "maven_crm.toml").read_text(encoding="utf-8")
    text = text.replace(
        'result_code = { value = "reached" }',
        f'result_code = {{ column = "deal_stage", map = {{ {MAPPED} }}, keep_unmapped = true }}',
    )
    assert "deal_stage\", map" in text
    mapping = parse_mapping(text, base_dir=MAPPINGS)
    engine = create_engine(f"duckdb:///{tmp_path / 'maven.duckdb'}")
    plan = plan_import(mapping, engine=engine)
    assert plan.ok, plan.report
    apply_import(plan, engine)
    forget_probes()

    query = LeadQuery(date(2000, 1, 1), date(2030, 12, 31), datetime(2031, 1, 1))
    table = detail_tables.result_codes(engine, query, 0)
    counts = dict(zip(table["outcome"], table["count"], strict=True))
    raw = raw_csv(MAVEN_PIPELINE).filter(pl.col("engage_date").is_not_null())  # rows with an activity
    stages = raw["deal_stage"].value_counts()
    per_stage = dict(zip(stages["deal_stage"], stages["count"], strict=True))
    assert counts["appointment"] == per_stage["Won"]
    assert counts["invalid_contact"] == per_stage["Lost"]  # " wrong_number": compared trimmed
    assert counts["unknown"] == sum(n for s, n in per_stage.items() if s not in ("Won", "Lost"))
    assert counts["unknown"] > 0

    unknown = unknown_result_codes_by_source(engine)
    assert unknown["source"].to_list() == ["crm"]
    assert unknown["unknown_codes"][0] == counts["unknown"]
    assert unknown["example_code"][0] in per_stage
    engine.dispose()


@pytest.mark.parametrize("path", sorted(MAPPINGS.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_mappings_write_only_codes_of_the_default_taxonomy(path: Path) -> None:
    """Every result code an example mapping can write is one the default taxonomy knows."""
    rule = tomllib.loads(path.read_text(encoding="utf-8"))["tables"]["lead_activities"]["columns"]["result_code"]
    written = [rule[k] for k in ("value", "otherwise", "default") if k in rule] + list(rule.get("map", {}).values())
    known = {code for code, _ in DEFAULT_TAXONOMY}
    assert written and set(written) <= known, set(written) - known
