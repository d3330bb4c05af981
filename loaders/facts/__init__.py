"""Per-lead facts: the on-the-fly SQL, and the materialised table with its build, refresh and reader.

May import loaders.contract and below, and metrics; never loaders.queries."""
