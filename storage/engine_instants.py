"""The engine's instants, kept in `org_setting`: its epoch, its watermark, and the like."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel

from storage.status_queries import ids_in

WATERMARK = "engine.watermark"
EPOCH = "engine.epoch"
_SETTINGS = SQLModel.metadata.tables["org_setting"]
_SETTING = sa_select(_SETTINGS.c.value).where(_SETTINGS.c.key == bindparam("key"))


def get_instant(session: Session, key: str) -> datetime | None:
    value = session.execute(_SETTING, {"key": key}).scalar()
    return datetime.fromisoformat(value) if value is not None else None


_SETTINGS_IN = sa_select(_SETTINGS.c.key, _SETTINGS.c.value).where(ids_in(_SETTINGS.c.key))


def get_instants(session: Session, *keys: str) -> list[datetime | None]:
    """The instants stored under `keys` (None where unset), in one read."""
    found = {k: v for k, v in session.execute(_SETTINGS_IN, {"ids": list(keys)}).all()}
    return [datetime.fromisoformat(found[k]) if k in found else None for k in keys]


@lru_cache(maxsize=4)
def _put_setting(dialect: str) -> Any:
    stmt: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(_SETTINGS).values(
        key=bindparam("key"), value=bindparam("value")
    )
    return stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value})


def set_instant(session: Session, key: str, at: datetime) -> None:
    """Store an instant under `key` (an upsert: replicas may race to set it)."""
    stmt = _put_setting(session.get_bind().dialect.name)
    session.execute(stmt, {"key": key, "value": at.isoformat()})
    session.expire_all()
