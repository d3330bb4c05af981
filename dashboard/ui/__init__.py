"""Building blocks pages draw with: number formats, KPI tiles, charts, exports, page frame."""
