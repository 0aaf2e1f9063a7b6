"""Alembic migrations for the organisation's store (run by storage.migrate.upgrade)."""
