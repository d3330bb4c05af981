"""The Markdown tables of ``docs/warehouse.md``, generated from the contract and the taxonomy.

The doc keeps hand-written prose around blocks marked ``<!-- BEGIN GENERATED: name -->`` and
``<!-- END GENERATED: name -->``; ``tests/test_contract_docs.py`` fails when a block differs
from what this module renders. Regenerate the blocks in place with::

    python -m loaders.contract.docs --write
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from loaders.contract.tables import CONTRACT, OPTIONAL_CONTRACT, ColumnSpec
from metrics.result_codes import DEFAULT_RESULT_CODES
from metrics.taxonomy import DEFAULT_CLOSE_REASONS

WAREHOUSE_DOC = Path(__file__).resolve().parents[2] / "docs" / "warehouse.md"

# What one row of each table stands for; shown above its columns.
TABLE_PURPOSES = {
    "dealers": "One row per dealership.",
    "campaigns": "One row per marketing campaign.",
    "campaign_spend": "One row per campaign and day: what was spent on it.",
    "leads": "One row per lead: a buyer's request sent to a dealership.",
    "lead_activities": "One row per contact attempt or contact on a lead (call, e-mail, visit ...).",
    "lead_outcomes": "At most one row per lead: the milestones it reached and how it was closed.",
    "close_reasons": "One row per close-reason code. Leave it empty to use the default taxonomy below.",
    "result_codes": "Optional. One row per call result code. Leave it out or empty to use the default "
    "result-code taxonomy below.",
    "dealer_opening_hours": "One row per dealership, weekday and opening interval, in local wall-clock minutes.",
    "dealer_closed_days": "One row per day a dealership, or every dealership of a market, is closed.",
}


def render_contract_markdown() -> str:
    """Every contract table as a Markdown heading, purpose and column table."""
    sections = []
    for table, specs in CONTRACT.items():
        header = ["Column", "Type", "Nullable", "Meaning", "Allowed values"]
        rows = [_column_row(spec) for spec in specs]
        sections.append(f"### `{table}`\n\n{TABLE_PURPOSES[table]}\n\n{_markdown_table(header, rows)}")
    return "\n\n".join(sections)


def render_optional_markdown() -> str:
    """The optional tables (opening hours, closed days) as Markdown headings, purposes and column tables."""
    sections = []
    for table, specs in OPTIONAL_CONTRACT.items():
        header = ["Column", "Type", "Nullable", "Meaning", "Allowed values"]
        rows = [_column_row(spec) for spec in specs]
        sections.append(f"### `{table}`\n\n{TABLE_PURPOSES[table]}\n\n{_markdown_table(header, rows)}")
    return "\n\n".join(sections)


def render_taxonomy_markdown() -> str:
    """The default close-reason taxonomy (metrics/taxonomy.py) as a Markdown table."""
    header = ["Code", "Category", "Label", "Vague", "Next action"]
    rows = [
        [f"`{r.code}`", r.category, r.label, "yes" if r.is_vague else "no", r.next_action or ""]
        for r in DEFAULT_CLOSE_REASONS
    ]
    return _markdown_table(header, rows)


def render_result_codes_markdown() -> str:
    """The default result-code taxonomy (metrics/result_codes.py) as a Markdown table."""
    header = ["Code", "Category", "Label"]
    return _markdown_table(header, [[f"`{r.code}`", r.category, r.label] for r in DEFAULT_RESULT_CODES])


# Name of each generated block in docs/warehouse.md, and what renders it.
GENERATED_BLOCKS: dict[str, Callable[[], str]] = {
    "contract": render_contract_markdown,
    "taxonomy": render_taxonomy_markdown,
    "result_codes": render_result_codes_markdown,
    "optional": render_optional_markdown,
}

_BLOCK = re.compile(
    r"(<!-- BEGIN GENERATED: (?P<name>[a-z_]+)[^>]*-->\n)(?P<body>.*?)(^<!-- END GENERATED: (?P=name) -->)",
    re.DOTALL | re.MULTILINE,
)


def generated_blocks(document: str) -> dict[str, str]:
    """The body of every generated block in ``document``, by block name."""
    return {m["name"]: m["body"].removesuffix("\n") for m in _BLOCK.finditer(document)}


def regenerate(document: str) -> str:
    """``document`` with every generated block's body rendered afresh; prose is left as it is."""

    def replace(match: re.Match[str]) -> str:
        render = GENERATED_BLOCKS.get(match["name"])
        body = render() + "\n" if render else match["body"]
        return f"{match.group(1)}{body}{match.group(4)}"

    return _BLOCK.sub(replace, document)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the generated blocks, or with ``--write`` rewrite them inside the doc."""
    parser = argparse.ArgumentParser(prog="python -m loaders.contract.docs", description=__doc__)
    parser.add_argument(
        "--write", action="store_true", help=f"rewrite the generated blocks in {WAREHOUSE_DOC}"
    )
    parser.add_argument("--doc", type=Path, default=WAREHOUSE_DOC, help="the Markdown file to rewrite")
    args = parser.parse_args(argv)
    if not args.write:
        for name, render in GENERATED_BLOCKS.items():
            print(f"<!-- BEGIN GENERATED: {name} -->\n{render()}\n<!-- END GENERATED: {name} -->\n")
        return 0
    document = args.doc.read_text(encoding="utf-8")
    missing = set(GENERATED_BLOCKS) - set(generated_blocks(document))
    if missing:
        print(
            f"{args.doc} has no block marked BEGIN/END GENERATED: {', '.join(sorted(missing))}",
            file=sys.stderr,
        )
        return 1
    args.doc.write_text(regenerate(document), encoding="utf-8")
    return 0


def _column_row(spec: ColumnSpec) -> list[str]:
    name = f"`{spec.name}` (key)" if spec.primary_key else f"`{spec.name}`"
    allowed = ", ".join(f"`{value}`" for value in spec.allowed)
    return [name, spec.kind.value, "yes" if spec.nullable else "no", spec.meaning, allowed]


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = [_markdown_row(header), _markdown_row(["---"] * len(header))]
    lines += [_markdown_row(row) for row in rows]
    return "\n".join(lines)


def _markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


if __name__ == "__main__":
    sys.exit(main())
