"""The warehouse contract: the tables Leadline reads, their docs, `leadline check` and data quality.

May import loaders.warehouse, loaders.request, metrics and common."""
