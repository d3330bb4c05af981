"""Metrics derived from the columns of a metrics table: pure Polars, no I/O.

Each is declared in ``metrics.registry.DERIVED_METRICS`` with its exact definition; this module
is the one place that computes it. A suppressed group stays suppressed: its inputs are NULL,
so its derived values are NULL too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from metrics.registry import DERIVED_METRICS


def _ratio(numerator: str, denominator: str) -> pl.Expr:
    """``numerator / denominator``, NULL when the denominator is 0 or NULL (never a division by 0)."""
    return pl.when(pl.col(denominator) > 0).then(pl.col(numerator) / pl.col(denominator)).otherwise(None)


def _cost_per_sale_in_window() -> pl.Expr:
    """spend / (leads * conversion_in_window_rate), NULL without leads or a sale within the window."""
    sold, mature, leads = pl.col("sold_in_window"), pl.col("mature_leads"), pl.col("leads")
    judged = (sold > 0) & (mature > 0) & (leads > 0)
    return pl.when(judged).then(pl.col("spend") * mature / (leads * sold)).otherwise(None)


_EXPRESSIONS: dict[str, pl.Expr] = {
    "appointment_rate": _ratio("appointments", "leads"),
    "cost_per_reached_lead": _ratio("spend", "reached"),
    "reached_of_contacted_rate": _ratio("reached", "contacted"),
    "cost_per_sale_in_window": _cost_per_sale_in_window(),
}
assert set(_EXPRESSIONS) == {m.name for m in DERIVED_METRICS}, "every derived metric needs its expression"


def with_derived_row(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """One metrics-table row (a KPI tile's ``total`` or ``previous``) with its derived metrics added."""
    if row is None:
        return None
    return with_derived_metrics(pl.DataFrame([dict(row)])).row(0, named=True)


def with_derived_metrics(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (a metrics table) with every derived metric whose inputs it has appended as a Float64 column.

    >>> with_derived_metrics(pl.DataFrame({"leads": [4, 0], "appointments": [1, 0]}))["appointment_rate"].to_list()
    [0.25, None]
    """
    return frame.with_columns(
        expression.cast(pl.Float64).alias(name)
        for name, expression in _EXPRESSIONS.items()
        # A frame without a metric's inputs (a page that loaded fewer columns) gets no such column.
        if set(expression.meta.root_names()) <= set(frame.columns)
    )
