"""The outbox: every message the engine decided to send, keyed so it goes out at most once.

- `enqueue` inserts candidates idempotently (INSERT ... ON CONFLICT on the unique key,
  on SQLite and PostgreSQL alike); a pending row whose deadline moved is updated.
- A message goes pending -> claimed -> sending -> sent (`storage.outbox_claims`, which
  claims due rows and settles them).
- Rows of kind `_replan` are the engine's own agenda (`storage.agenda_rows`): "plan this
  person again then".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from handlers.reminders.candidate import Candidate
from handlers.replies import Reply
from storage.models import Outbox
from storage.status_queries import chunks, ids_in

PENDING, SENT, DROPPED, FAILED, DONE = "pending", "sent", "dropped", "failed", "done"
CLAIMED, SENDING = "claimed", "sending"
REPLAN = "_replan"
_INSERT_CHUNK = 300
_OUTBOX: Any = SQLModel.metadata.tables["outbox"]


def _reply_json(reply: Reply) -> dict[str, Any]:
    """`Reply.to_json()` without dataclasses.asdict's deep copies (the hot path of planning)."""
    if reply.tables or reply.form is not None:
        return reply.to_json()
    return {
        "text": reply.text,
        "facts": [{"label": f.label, "value": f.value} for f in reply.facts],
        "tables": [],
        "buttons": [
            {"label": b.label, "action": b.action, "value": b.value, "style": b.style}
            for b in reply.buttons
        ],
        "form": None,
        "citations": [
            {"document": c.document, "section": c.section, "quote": c.quote}
            for c in reply.citations
        ],
        "ephemeral": reply.ephemeral,
    }


def _payload(c: Candidate) -> str:
    return json.dumps(
        {
            "reply": _reply_json(c.reply),
            "session_at": c.session_at.isoformat() if c.session_at else None,
            "effect": c.effect,
        }
    )


def reply_of(row: Outbox) -> Reply:
    return Reply.from_json(json.loads(row.payload)["reply"])


@lru_cache(maxsize=8)
def _upsert(dialect: str, update_pending: bool) -> Any:
    """INSERT ... ON CONFLICT (key) for `dialect`, built once.

    `update_pending`: a message already there is refreshed while still pending. Otherwise
    (the engine's agenda rows) an existing row is re-armed: pending again, at the new time.
    """
    table = _OUTBOX
    stmt: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    if update_pending:
        ex = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "due_at": ex.due_at,
                "useful_until": ex.useful_until,
                "text": ex.text,
                "payload": ex.payload,
            },
            # A row waiting to retry keeps its back-off (`attempts` > 0).
            where=(table.c.status == PENDING) & (table.c.attempts == 0),
        )
    else:
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={"status": stmt.excluded.status, "due_at": stmt.excluded.due_at},
        )
    return stmt


def insert_rows(session: Session, rows: list[dict[str, Any]], *, update_pending: bool) -> None:
    """INSERT ... ON CONFLICT (key) as one executemany (one compiled statement, cached)."""
    stmt = _upsert(session.get_bind().dialect.name, update_pending)
    full = rows
    if any(r.keys() != rows[0].keys() for r in rows):  # one executemany needs one shape
        columns = sorted({c for r in rows for c in r})
        full = [{c: r.get(c) for c in columns} for r in rows]
    for start in range(0, len(full), _INSERT_CHUNK):
        session.execute(stmt, full[start : start + _INSERT_CHUNK])


_KNOWN = sa_select(
    _OUTBOX.c.key, _OUTBOX.c.status, _OUTBOX.c.due_at, _OUTBOX.c.useful_until, _OUTBOX.c.attempts
).where(ids_in(_OUTBOX.c.key))


def enqueue(session: Session, candidates: Iterable[Candidate], now: datetime) -> list[Candidate]:
    """Add candidates not yet in the outbox; refresh pending rows whose timing moved; the
    candidates written.

    Rows already there unchanged (the usual case when a person is planned again) are
    left alone, so a re-plan costs one indexed lookup rather than a rewrite.
    """
    wanted = {c.key: c for c in candidates}
    known: dict[str, tuple[str, datetime, datetime | None, int]] = {}
    for part in chunks(sorted(wanted)):
        for key, status, due, until, tries in session.execute(_KNOWN, {"ids": list(part)}).all():
            known[key] = (status, due, until, tries or 0)
    fresh = [
        c
        for key, c in wanted.items()
        if key not in known
        or (
            known[key][0] == PENDING
            and known[key][3] == 0
            and (known[key][1], known[key][2]) != (c.due_at, c.useful_until)
        )
    ]
    rows = [
        {
            "key": c.key,
            "kind": c.kind,
            "recipient_id": c.recipient_id,
            "about_id": c.about_id,
            "session_id": c.session_id,
            "reason": c.reason,
            "due_at": c.due_at,
            "useful_until": c.useful_until,
            "text": c.reply.text[:8000],
            "payload": _payload(c),
            "status": PENDING,
            "attempts": 0,
            "created_at": now,
        }
        for c in fresh
    ]
    if rows:
        insert_rows(session, rows, update_pending=True)
    return fresh


_NEXT_DUE = sa_select(func.min(_OUTBOX.c.due_at)).where(_OUTBOX.c.status == PENDING)


def next_due_instant(session: Session) -> datetime | None:
    """When the earliest pending row falls due (the scheduler's next wake-up)."""
    value = session.execute(_NEXT_DUE).scalar()
    return _aware(value) if value is not None else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def rows_by_status(session: Session, statuses: Sequence[str]) -> list[Outbox]:
    """Rows in the given states, in due order (reports and tests)."""
    return list(
        session.exec(
            select(Outbox)
            .where(col(Outbox.status).in_(list(statuses)), col(Outbox.kind) != REPLAN)
            .order_by(col(Outbox.due_at), col(Outbox.id))
        ).all()
    )
