"""docs/warehouse.md documents exactly the contract and the default taxonomy."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.contract import docs as contract_docs
from loaders.contract.docs import (
    GENERATED_BLOCKS,
    WAREHOUSE_DOC,
    generated_blocks,
    regenerate,
    render_contract_markdown,
    render_taxonomy_markdown,
)
from loaders.contract.tables import CONTRACT
from metrics.taxonomy import DEFAULT_CLOSE_REASONS

REGENERATE = "python -m loaders.contract.docs --write"


@pytest.fixture(scope="module")
def doc() -> str:
    return WAREHOUSE_DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("block", sorted(GENERATED_BLOCKS))
def test_generated_block_matches_the_code(doc: str, block: str) -> None:
    assert block in generated_blocks(doc), f"docs/warehouse.md lacks the generated block {block!r}"
    assert generated_blocks(doc)[block] == GENERATED_BLOCKS[block](), (
        f"docs/warehouse.md is out of date: run `{REGENERATE}`"
    )


def test_regenerating_the_doc_changes_nothing(doc: str) -> None:
    assert regenerate(doc) == doc


@pytest.mark.parametrize(
    ("table", "column"), [(table, spec.name) for table, specs in CONTRACT.items() for spec in specs]
)
def test_every_contract_column_has_a_row(table: str, column: str) -> None:
    section = render_contract_markdown().split(f"### `{table}`\n", 1)[1].split("\n### ", 1)[0]
    assert [line for line in section.splitlines() if line.startswith(f"| `{column}`")], (table, column)


def test_allowed_values_and_keys_are_rendered() -> None:
    rendered = render_contract_markdown()
    assert "| `lead_id` (key) | text | no | Key of the lead. |  |" in rendered
    assert "`outbound`, `inbound` |" in rendered
    assert "| `region` | text | yes |" in rendered


def test_taxonomy_table_has_every_default_reason() -> None:
    rows = render_taxonomy_markdown().splitlines()[2:]
    assert [row.split(" | ")[0] for row in rows] == [f"| `{r.code}`" for r in DEFAULT_CLOSE_REASONS]
    assert "| `no_interest` | no_interest | No interest (vague) | yes |" in render_taxonomy_markdown()


@pytest.mark.parametrize(
    "prose",
    [
        "LEADLINE_WAREHOUSE_URL",
        "leadline check",
        REGENERATE,
        "UTC",
        "consent",
        "close_reason_text",
        "actor_key",
        "no names, phone numbers or e-mail addresses",
    ],
)
def test_doc_explains(doc: str, prose: str) -> None:
    assert prose in doc


def test_regenerate_rewrites_a_stale_block_and_keeps_the_prose() -> None:
    stale = (
        "Intro.\n\n<!-- BEGIN GENERATED: taxonomy -->\n| old |\n<!-- END GENERATED: taxonomy -->\n\nOutro.\n"
    )
    fresh = regenerate(stale)
    assert fresh.startswith("Intro.\n\n<!-- BEGIN GENERATED: taxonomy -->\n| Code |")
    assert fresh.endswith(f"{render_taxonomy_markdown()}\n<!-- END GENERATED: taxonomy -->\n\nOutro.\n")
    assert generated_blocks(fresh) == {"taxonomy": render_taxonomy_markdown()}


def test_cells_with_a_pipe_are_escaped() -> None:
    assert contract_docs._markdown_row(["a|b", "c"]) == "| a\\|b | c |"


def test_write_flag_rewrites_the_doc(tmp_path: Path, doc: str) -> None:
    copy = tmp_path / "warehouse.md"
    copy.write_text(doc.replace("| `dealer_name` |", "| `dealer_nom` |"), encoding="utf-8")
    assert contract_docs.main(["--write", "--doc", str(copy)]) == 0
    assert copy.read_text(encoding="utf-8") == doc


def test_write_flag_refuses_a_doc_without_blocks(tmp_path: Path) -> None:
    copy = tmp_path / "warehouse.md"
    copy.write_text("no blocks here\n", encoding="utf-8")
    assert contract_docs.main(["--write", "--doc", str(copy)]) == 1
    assert copy.read_text(encoding="utf-8") == "no blocks here\n"
