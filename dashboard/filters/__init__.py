"""The view as URL state: query-string decoding, the sidebar filters, and the View pages draw.

May import dashboard.access, loaders and below."""
