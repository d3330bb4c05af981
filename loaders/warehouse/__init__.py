"""Reaching a warehouse: engines per URL, time limits, error translation, SQL dialect functions, frames.

May import loaders.request and common; knows nothing of the contract tables or pages."""
