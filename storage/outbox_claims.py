"""Claiming and settling due outbox rows: how a message goes out at most once.

- `claim_due` locks due rows with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so
  replicas never take the same row; SQLite runs one process.
- A message goes pending -> claimed (committed, `claimed_by`/`claimed_at`) -> sending
  (committed just before the transport is called) -> sent. A row found `sending` after
  a crash may or may not have gone out: it is never sent again (`interrupted_sends`).
  A row still `claimed` long after its claim was never handed to a transport, so it is
  safely pending again (`release_stale_claims`).
- What a pass decides for rows it will not send (done, dropped, failed, postponed) is
  written by a `Settlement`, in the claim's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel, col, select

from storage.models import Outbox
from storage.outbox import CLAIMED, DONE, PENDING, SENDING, SENT
from storage.status_queries import chunks, ids_in

_OUTBOX: Any = SQLModel.metadata.tables["outbox"]


@dataclass(frozen=True, slots=True)
class DueRow:
    """A due row as a pass claims it: what deciding and sending it needs (a plain value)."""

    id: int
    key: str
    kind: str
    recipient_id: str
    about_id: str | None
    due_at: datetime
    attempts: int


@lru_cache(maxsize=8)
def _due(limit: int, skip_locked: bool) -> Any:
    c = _OUTBOX.c
    stmt = (
        sa_select(c.id, c.key, c.kind, c.recipient_id, c.about_id, c.due_at, c.attempts)
        .where(c.status == PENDING, c.due_at <= bindparam("now"))
        .order_by(c.due_at, c.id)
        .limit(limit)
    )
    return stmt.with_for_update(skip_locked=True) if skip_locked else stmt


def claim_due(session: Session, now: datetime, limit: int) -> list[DueRow]:
    """Lock up to `limit` pending rows due by `now`, oldest first, for this transaction.

    On PostgreSQL rows locked by another replica are skipped (FOR UPDATE SKIP LOCKED);
    the lock holds until the caller's transaction ends.
    """
    stmt = _due(limit, session.get_bind().dialect.name == "postgresql")
    return [
        DueRow(i, k, kind, to, about, due, tries or 0)
        for i, k, kind, to, about, due, tries in session.execute(stmt, {"now": now}).all()
    ]


_SETTLE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(status=bindparam("new_status"), attempts=bindparam("tries"), error=bindparam("why"))
)
_POSTPONE = (
    update(_OUTBOX).where(_OUTBOX.c.id == bindparam("row_id")).values(due_at=bindparam("due"))
)


class Settlement:
    """What a pass decided for claimed rows it will not send: finished (done, dropped,
    failed) or postponed, and the state changes the messages announce (`effect`); written
    by `apply` as one statement each, in the claim's transaction."""

    def __init__(self) -> None:
        self.settled: list[dict[str, Any]] = []
        self.postponed: list[dict[str, Any]] = []
        self.effects: dict[Any, list[dict[str, Any]]] = {}

    def effect(self, statement: Any, params: dict[str, Any]) -> None:
        """Run `statement` with `params` in the claim's transaction (each one once)."""
        todo = self.effects.setdefault(statement, [])
        if params not in todo:
            todo.append(params)

    def settle(self, row: DueRow, status: str, why: str | None = None) -> None:
        tries, why = _attempted(row.attempts, status), _error(why)
        self.settled.append({"row_id": row.id, "new_status": status, "tries": tries, "why": why})

    def postpone(self, row: DueRow, due: datetime) -> None:
        self.postponed.append({"row_id": row.id, "due": due})

    def apply(self, session: Session) -> None:
        for statement, params in self.effects.items():
            session.execute(statement, params)
        if self.settled:
            session.execute(_SETTLE, self.settled)
        if self.postponed:
            session.execute(_POSTPONE, self.postponed)


_CLAIM = (
    update(_OUTBOX)
    .where(ids_in(_OUTBOX.c.id))
    .values(status=CLAIMED, claimed_by=bindparam("worker"), claimed_at=bindparam("at"))
)


def claim(session: Session, row_ids: Sequence[int], worker_id: str, now: datetime) -> None:
    """Mark rows claimed by `worker_id` (committed by the caller before anything is sent)."""
    for part in chunks(sorted(row_ids)):
        session.execute(_CLAIM, {"ids": list(part), "worker": worker_id, "at": now})


# The two updates of every message sent, built once: building a statement costs more
# than running it (SQLAlchemy then reuses the compiled form and its cache key).
_START_SENDING = (
    update(_OUTBOX)
    .where(
        ids_in(_OUTBOX.c.id),
        _OUTBOX.c.status == CLAIMED,
        _OUTBOX.c.claimed_by == bindparam("worker"),
    )
    .values(status=SENDING, claimed_at=bindparam("at"))
    .returning(_OUTBOX.c.id)
)
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.status == SENDING)
    .values(status=SENT, sent_at=bindparam("at"), attempts=bindparam("tries"), error=None)
)


def start_sending(
    conn: Session | Connection, row_ids: Sequence[int], worker_id: str, now: datetime
) -> set[int]:
    """Claimed -> sending, for the rows whose claim is still ours (the others were
    released meanwhile): the ids started."""
    started: set[int] = set()
    for part in chunks(sorted(row_ids)):
        params = {"ids": list(part), "worker": worker_id, "at": now}
        started.update(conn.execute(_START_SENDING, params).scalars())
    return started


def mark_sent(conn: Session | Connection, sent: Sequence[tuple[int, int]], now: datetime) -> None:
    """Sending -> sent, after the transport has taken the messages: (row id, attempts)."""
    if sent:
        rows = [{"row_id": row_id, "at": now, "tries": tries} for row_id, tries in sent]
        conn.execute(_MARK_SENT, rows)


_RELEASE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.status == CLAIMED, _OUTBOX.c.claimed_at < bindparam("older"))
    .values(status=PENDING, claimed_by=None, claimed_at=None)
)


_STALE = (
    sa_select(_OUTBOX.c.id)
    .where(_OUTBOX.c.status.in_([CLAIMED, SENDING]), _OUTBOX.c.claimed_at < bindparam("older"))
    .limit(1)
)


def any_stale(session: Session, older_than: datetime) -> bool:
    """Whether any row has been claimed or sending since before `older_than` (one cheap
    read: the usual answer, every pass, is no)."""
    return session.execute(_STALE, {"older": older_than}).first() is not None


def release_stale_claims(session: Session, older_than: datetime) -> int:
    """Claimed rows whose claim is older than `older_than` were never handed to a transport
    (a replica stopped between claiming and sending): pending again."""
    result: Any = session.execute(_RELEASE, {"older": older_than})
    return int(result.rowcount or 0)


_INTERRUPTED = (
    select(Outbox)
    .where(col(Outbox.status) == SENDING, col(Outbox.claimed_at) < bindparam("older"))
    .order_by(col(Outbox.id))
)


def interrupted_sends(session: Session, older_than: datetime) -> list[Outbox]:
    """Rows left `sending` since before `older_than`: the process stopped while the
    transport had them, so nobody knows whether they arrived."""
    return list(session.execute(_INTERRUPTED, {"older": older_than}).scalars().all())


def mark(row: Outbox, status: str, now: datetime, error: str | None = None) -> None:
    row.status = status
    row.attempts = _attempted(row.attempts or 0, status)
    if status == SENT:
        row.sent_at = now
    row.error = _error(error)


def _attempted(attempts: int, status: str) -> int:
    """Attempts after a row ends in `status`: a done agenda row used none."""
    return attempts + (0 if status == DONE else 1)


def _error(why: str | None) -> str | None:
    return why[:2000] if why else None
