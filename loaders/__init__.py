"""The only code that talks to the warehouse: SQL built with SQLAlchemy Core, aggregated there.

May import metrics and common, never dashboard or pages. Sub-packages, top to bottom: imports and
demo (writers) and appdb (Leadline's own application database, not the warehouse), queries (page tables), facts (per-lead facts), contract (tables and checks),
warehouse (engines, dialects, fetching), request (what a caller asks for)."""
