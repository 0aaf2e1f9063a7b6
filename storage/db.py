"""Engines and sessions for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


class DatabaseUrlError(ValueError):
    """DATABASE_URL names a database supervision-bot does not run on; str() is for people."""


SUPPORTED = "sqlite:///path/to/file.db or postgresql+psycopg://user@host/dbname"


def check_url(url: str) -> None:
    """Refuse URLs that are not SQLite or PostgreSQL (through psycopg 3), saying what works."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(
            f"DATABASE_URL '{safe_url(url)}' is not a database URL; expected {SUPPORTED}"
        ) from None
    # From the URL's text: asking SQLAlchemy would load the dialect, and fail on a name it
    # does not know ("postgres://", as Heroku and others write it).
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "sqlite" or (backend == "postgresql" and driver == "psycopg"):
        return
    if backend == "postgres":
        raise DatabaseUrlError(
            "DATABASE_URL starts with postgres://; write postgresql+psycopg://... "
            f"(e.g. {SUPPORTED.split(' or ')[1]})"
        )
    if backend == "postgresql":
        raise DatabaseUrlError(
            f"DATABASE_URL uses the {driver or 'psycopg2'} driver; supervision-bot uses "
            "psycopg 3: write "
            f"postgresql+psycopg://... (e.g. {SUPPORTED.split(' or ')[1]})"
        )
    raise DatabaseUrlError(
        f"DATABASE_URL names a {backend} database; supervision-bot runs on SQLite or "
        f"PostgreSQL: {SUPPORTED}"
    )


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets foreign keys enforced and WAL journaling."""
    check_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for other databases and in-memory SQLite)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):  # a URI filename: left to SQLite
        return None
    return Path(parsed.database)


def is_memory_sqlite(url: str) -> bool:
    """Whether `url` is an in-memory SQLite database (gone when its last connection closes)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return False
    return parsed.drivername.startswith("sqlite") and parsed.database in (None, "", ":memory:")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_setting(session: Session, key: str) -> str | None:
    """An organisation-wide setting (OrgSetting), or None when unset."""
    from storage.models import OrgSetting

    row = session.get(OrgSetting, key)
    return row.value if row is not None else None


def put_setting(session: Session, key: str, value: str) -> None:
    """Set an organisation-wide setting (OrgSetting)."""
    from storage.models import OrgSetting

    row = session.get(OrgSetting, key) or OrgSetting(key=key, value=value)
    row.value = value
    session.add(row)
    session.flush()


def safe_url(url: str) -> str:
    """`url` with any password hidden, for messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
