"""Building blocks pages draw with: number formats, KPI tiles, charts, exports, page frame.

May import dashboard.data, dashboard.filters, dashboard.access, loaders and below; never pages."""
