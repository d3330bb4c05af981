"""Reaching a warehouse: engines per URL, time limits, error translation, SQL dialect functions, frames.

May import loaders.request and common; knows nothing of the contract tables or pages.
spark_server.py starts a local Spark SQL Thrift server; spark_sql.py holds what Spark needs."""
