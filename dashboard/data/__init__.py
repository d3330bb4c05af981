"""What pages read: cached warehouse access, the facade tables, detail tables, the last good result.

May import dashboard.filters, dashboard.access, loaders and below; never dashboard.ui."""
