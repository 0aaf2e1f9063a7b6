"""Create or upgrade the schema (Alembic migrations)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)


def upgrade(engine: Engine) -> None:
    """Bring the database at `engine` to the latest schema.

    TODO(foundation): replace with Alembic `upgrade head` once migrations exist.
    """
    SQLModel.metadata.create_all(engine)
