"""Leadline's own application database: subscriptions, their send log, alert rules and alert state.

Never the warehouse (which stays read-only): a separate SQLAlchemy URL, the setting ``app_db_url``
(a SQLite file by default, PostgreSQL supported). Created and migrated on start (``open_app_db``).
May import common only; nothing in loaders below it needs it."""
