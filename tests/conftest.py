"""Shared fixtures: a real database per test, on SQLite and (when configured) PostgreSQL.

Every test that takes `engine` runs once on a fresh SQLite file (a copy of one
migrated once per process) and, when TEST_DATABASE_URL points at PostgreSQL,
once more in a private schema there, migrated with Alembic.
Under CI=true an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.db import make_engine
from storage.migrate import upgrade

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL.startswith("postgresql") else [])
if IN_CI and "postgresql" not in BACKENDS:
    raise pytest.UsageError("CI=true but TEST_DATABASE_URL does not point at PostgreSQL")


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of each backend under test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        admin.dispose()
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL unreachable at TEST_DATABASE_URL: {exc}")
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per test process; each test gets a copy (fast)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture
def engine(db_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine on a fresh database with the schema migrated to the latest version."""
    if db_url.startswith("sqlite:///"):
        template: Path = request.getfixturevalue("_sqlite_template")
        shutil.copyfile(template, db_url.removeprefix("sqlite:///"))
        eng = make_engine(db_url)
    else:
        eng = make_engine(db_url)
        upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture(scope="session")
def leeds():  # type: ignore[no-untyped-def]
    """The built-in Leeds policy pack."""
    from policy.engine import load_pack

    return load_pack("leeds")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run in which no test passed is a failure, never a silent success (e.g. all skipped)."""
    if hasattr(session.config, "workerinput"):  # xdist worker: the controller decides
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or exitstatus != 0:
        return
    if not reporter.stats.get("passed"):
        reporter.write_line("FAIL: no test passed (all skipped or deselected?)", red=True)
        session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED
