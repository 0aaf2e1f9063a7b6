"""Migration scripts, one per schema change, oldest first (Alembic ignores this file)."""
