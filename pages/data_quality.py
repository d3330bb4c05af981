"""Data quality: which rows of the warehouse break the contract, how many, one example each, and
how the numbers treat them (the same report as `leadline check`; docs/data-quality.md)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.data import cached as data
from dashboard.data.choices import readable_source
from dashboard.filters.view import current_view
from dashboard.ui.page import guarded
from loaders.contract.check_schema import Severity
from loaders.contract.data_quality import quality_problems
from loaders.contract.data_quality_checks import plain_finding

view = current_view()
st.title("Data quality")
st.caption(
    "Rows in your data that Leadline cannot read as they are, counted over the whole warehouse (not only "
    "the period and filters of the other pages): what they are, how many, and how the numbers treat them. "
    "The exact checks (table and column names, docs/warehouse.md) are one click below the list. "
    "Each kind is treated in one documented way by every number (docs/data-quality.md), so the dashboard "
    "keeps working; fix them where the data is loaded to make the numbers right."
)

with guarded():
    report = data.quality(view.as_of)
    problems = quality_problems(report)
    # Example keys name rows anywhere in the network: only for viewers who may see all of it.
    show_keys = view.viewer.scope.is_everything
    st.markdown(
        f"**{problems.height} of {report.height} checks found rows** "
        f"(as of {view.as_of:%Y-%m-%d %H:00} UTC; times after it count as in the future)."
    )
    if problems.is_empty():
        st.success("Every check passed: no row breaks the contract.", icon=":material/verified:")
    else:
        shown = problems.with_columns(
            pl.concat_str("table", pl.lit("."), "column").alias("where"),
            pl.Series(
                "finding", [plain_finding(*r) for r in problems.select("check", "table", "column").rows()]
            ),
        )
        # In words first (what the rows are, how many, how they are treated); the check's name and
        # the exact table and column one click below.
        # A static table: the sentences wrap instead of being cut off.
        st.table(
            shown.select(
                pl.col("finding").alias("What the rows are"),
                pl.col("count").map_elements(lambda n: f"{n:,}", return_dtype=pl.String).alias("Rows"),
                pl.col("how_treated").alias("How the numbers treat them"),
                *([pl.col("example_key").alias("Example key (the smallest)")] if show_keys else []),
            )
        )
        with st.expander("Exact checks (table and column names)"):
            st.dataframe(
                shown.select(
                    "check", "where", "count", *(["example_key"] if show_keys else []), "how_treated"
                ),
                hide_index=True,
                width="stretch",
                key="quality-problems-exact",
                column_config={
                    "check": st.column_config.TextColumn("Check", pinned=True),
                    "where": st.column_config.TextColumn("Table.column"),
                    "count": st.column_config.NumberColumn("Rows", format="localized"),
                    "how_treated": st.column_config.TextColumn("How the numbers treat them"),
                },
            )
        if not show_keys:
            st.caption("Example keys are shown to administrators of the whole network.")

    unknown_codes = data.unknown_result_codes()
    if not unknown_codes.is_empty():
        st.subheader("Result codes in no taxonomy, per lead source")
        st.caption(
            "Calls whose result code Leadline cannot read: their leads count as neither reached nor invalid. "
            "Map the CRM's codes onto the taxonomy in the import mapping (value maps, docs/import.md), or "
            "add them to the warehouse's result_codes table. Definitions lists the taxonomy in force."
        )
        st.dataframe(
            unknown_codes.with_columns(  # labels, not codes: "Leasing partner (third party)"
                pl.col("source").map_elements(readable_source, return_dtype=pl.String)
            ).select("source", "unknown_codes", "activities", *(["example_code"] if show_keys else [])),
            hide_index=True,
            width="stretch",
            key="quality-result-codes",
            column_config={
                "source": st.column_config.TextColumn("Lead source", pinned=True),
                "unknown_codes": st.column_config.NumberColumn("Unknown codes", format="localized"),
                "activities": st.column_config.NumberColumn(
                    "Coded activities",
                    help="Activities of the source with a non-blank result code.",
                    format="localized",
                ),
                "example_code": st.column_config.TextColumn(
                    "Example code", help="The smallest unknown code."
                ),
            },
        )

    warnings = [p for p in data.contract_problems() if p.severity is not Severity.ERROR]
    if warnings:
        st.subheader("Schema notes")
        for problem in warnings:
            st.markdown(f"- {problem.describe()}")

    with st.expander(f"All {report.height} checks"):
        st.dataframe(
            report.select("check", "table", "column", "count", "how_treated"),
            hide_index=True,
            width="stretch",
            key="quality-all",
        )
