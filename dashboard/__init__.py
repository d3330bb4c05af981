"""The Streamlit app around the loaders: entrypoint and router, CLI, access, filters, data, UI.

May import loaders, metrics and common; never pages."""
