"""Storage: SQLModel tables, Alembic migrations and the queries the rest of the app uses."""
