"""Pure functions from Polars frames of counts to metrics, the metric registry and suppression.

The bottom data layer: imports Polars and common only (no Streamlit, SQLAlchemy or DuckDB)."""
