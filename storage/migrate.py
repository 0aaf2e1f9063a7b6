"""Create or upgrade the schema with Alembic, without an alembic.ini.

`upgrade(engine)` runs `alembic upgrade head` on the engine's database.
Developers add a migration after changing storage/models.py with

    .venv/bin/python -m storage.migrate revision "what changed"

which autogenerates storage/migrations/versions/NNNN_<slug>.py against a
scratch SQLite database at head; review it, then commit it with the model change.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config pointing at the packaged migrations (and a connection to use)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("version_path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database at `engine` to `revision` (the latest schema by default)."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def head_revision() -> str | None:
    """The newest migration shipped with this version of the package."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database at `engine` is at (None when never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def schema_diff(engine: Engine) -> list[Any]:
    """Differences between the database's schema and storage/models.py (empty when in step)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, SQLModel.metadata))


def make_revision(message: str) -> None:
    """Autogenerate the next migration from the models (developer tool)."""
    from storage.db import make_engine

    scripts = ScriptDirectory.from_config(alembic_config())
    number = len(list(scripts.walk_revisions())) + 1
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        upgrade(engine)
        with engine.begin() as conn:
            command.revision(
                alembic_config(conn),
                message=message,
                autogenerate=True,
                rev_id=f"{number:04d}",
            )
        engine.dispose()
    for path in (MIGRATIONS / "versions").glob(f"{number:04d}_*.py"):
        final = path.rename(path.with_name(f"{number:04d}_{slug}.py"))
        # Keep generated code as tidy as hand-written code (ruff ships with [test]).
        ruff = Path(sys.executable).with_name("ruff")
        if ruff.exists():
            subprocess.run([str(ruff), "format", "-q", str(final)], check=False)
            subprocess.run([str(ruff), "check", "-q", "--fix", str(final)], check=False)


class SchemaNotReady(Exception):
    """The database has no schema yet, or an older one; str() says what to run."""


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that `supervision-bot init` has not brought up to date."""
    from storage.db import safe_url

    at, head = current_revision(engine), head_revision()
    where = safe_url(engine.url.render_as_string(hide_password=False))
    if at is None:
        raise SchemaNotReady(
            f"The database at {where} has no supervision-bot tables yet. "
            "Run `supervision-bot init` first."
        )
    if at != head:
        raise SchemaNotReady(
            f"The database at {where} is at schema {at} but this version needs {head}. "
            "Run `supervision-bot init` to upgrade it."
        )


if __name__ == "__main__":  # pragma: no cover - developer tool
    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        sys.exit('usage: python -m storage.migrate revision "what changed"')
    make_revision(sys.argv[2])
