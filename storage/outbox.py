"""The outbox: every message the engine decided to send, keyed so it goes out at most once.

- `enqueue` inserts candidates idempotently (INSERT ... ON CONFLICT on the unique key,
  on SQLite and PostgreSQL alike); a pending row whose deadline moved is updated.
- `claim_due` locks due rows with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so
  replicas never take the same row; SQLite runs one process.
- A message goes pending -> claimed (committed, `claimed_by`/`claimed_at`) -> sending
  (committed just before the transport is called) -> sent. A row found `sending` after
  a crash may or may not have gone out: it is never sent again (`interrupted_sends`).
  A row still `claimed` long after its claim was never handed to a transport, so it is
  safely pending again (`release_stale_claims`).
- Rows of kind `_replan` are the engine's own agenda: "plan this person again then".
  Every writer of facts calls `request_replan` for the people it touched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel, col, select

from handlers.reminders.candidate import Candidate, make_key, stamp
from handlers.replies import Reply
from storage.models import OrgSetting, Outbox, Person
from storage.status_queries import chunks

PENDING, SENT, DROPPED, FAILED, DONE = "pending", "sent", "dropped", "failed", "done"
CLAIMED, SENDING = "claimed", "sending"
REPLAN = "_replan"
WATERMARK = "engine.watermark"
EPOCH = "engine.epoch"
_INSERT_CHUNK = 300


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


def _insert(session: Session, rows: list[dict[str, Any]], *, update_pending: bool) -> None:
    """INSERT ... ON CONFLICT (key) as one executemany (one compiled statement, cached).

    `update_pending`: a message already there is refreshed while still pending. Otherwise
    (the engine's agenda rows) an existing row is re-armed: pending again, at the new time.
    """
    dialect = session.get_bind().dialect.name
    table: Any = SQLModel.metadata.tables["outbox"]
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
    columns = sorted({c for r in rows for c in r})
    full = [{c: r.get(c) for c in columns} for r in rows]
    for start in range(0, len(full), _INSERT_CHUNK):
        session.execute(stmt, full[start : start + _INSERT_CHUNK])


def enqueue(session: Session, candidates: Iterable[Candidate], now: datetime) -> int:
    """Add candidates not yet in the outbox; refresh pending rows whose timing moved.

    Rows already there unchanged (the usual case when a person is planned again) are
    left alone, so a re-plan costs one indexed lookup rather than a rewrite.
    """
    wanted = {c.key: c for c in candidates}
    known: dict[str, tuple[str, datetime, datetime | None, int]] = {}
    for part in chunks(sorted(wanted)):
        for key, status, due, until, tries in session.execute(
            sa_select(
                col(Outbox.key),
                col(Outbox.status),
                col(Outbox.due_at),
                col(Outbox.useful_until),
                col(Outbox.attempts),
            ).where(col(Outbox.key).in_(part))
        ):
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
        _insert(session, rows, update_pending=True)
    return len(rows)


def schedule_replans(session: Session, when: dict[str, datetime], now: datetime) -> None:
    """Plan each person again at the given instant (their previous agenda rows are retired)."""
    if not when:
        return
    keys = {pid: make_key(REPLAN, pid, stamp(at)) for pid, at in when.items()}
    for part in chunks(sorted(when)):
        session.execute(
            update(Outbox)
            .where(
                col(Outbox.kind) == REPLAN,
                col(Outbox.status) == PENDING,
                col(Outbox.recipient_id).in_(part),
                col(Outbox.key).not_in([keys[p] for p in part]),
            )
            .values(status=DONE)
        )
    rows = [
        {
            "key": keys[pid],
            "kind": REPLAN,
            "recipient_id": pid,
            "about_id": pid,
            "due_at": at,
            "text": "",
            "payload": "{}",
            "status": PENDING,
            "attempts": 0,
            "created_at": now,
        }
        for pid, at in when.items()
    ]
    _insert(session, rows, update_pending=False)


def request_replan(session: Session, person_ids: Iterable[str], at: datetime) -> None:
    """Ask the engine to plan these people again at `at` (the writer's clock instant).

    Every writer of facts calls this in the transaction that writes them: an import,
    a chat command, a CLI `people set-*`. The engine picks the request up on its next
    pass (an indexed read of due agenda rows), however the facts are dated, so a
    session imported with an earlier `booked_at`, a backdated agreement or an edited
    person is planned at once rather than at their next agenda row. The people's
    supervisees (an absent supervisor) and current supervisors (the ratio) come too.
    """
    ids = {p for p in person_ids if p}
    if not ids:
        return
    related: set[str] = set()
    for part in chunks(sorted(ids)):
        related.update(
            session.execute(
                sa_select(col(Person.id)).where(col(Person.supervisor_id).in_(part))
            ).scalars()
        )
        related.update(
            s
            for s in session.execute(
                sa_select(col(Person.supervisor_id)).where(col(Person.id).in_(part))
            ).scalars()
            if s
        )
    schedule_replans(session, dict.fromkeys(ids | related, at), at)


def claim_due(session: Session, now: datetime, limit: int) -> list[Outbox]:
    """Lock up to `limit` pending rows due by `now`, oldest first, for this transaction.

    On PostgreSQL rows locked by another replica are skipped (FOR UPDATE SKIP LOCKED);
    the lock holds until the caller's transaction ends.
    """
    stmt = (
        select(Outbox)
        .where(col(Outbox.status) == PENDING, col(Outbox.due_at) <= now)
        .order_by(col(Outbox.due_at), col(Outbox.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.exec(stmt).all())


def claim(session: Session, row_ids: Sequence[int], worker_id: str, now: datetime) -> None:
    """Mark rows claimed by `worker_id` (committed by the caller before anything is sent)."""
    for part in chunks(sorted(row_ids)):
        session.execute(
            update(Outbox)
            .where(col(Outbox.id).in_(part))
            .values(status=CLAIMED, claimed_by=worker_id, claimed_at=now)
        )


def start_sending(
    session: Session | Connection, row_id: int, worker_id: str, now: datetime
) -> bool:
    """Claimed -> sending, if the claim is still ours (False: it was released meanwhile)."""
    result: Any = session.execute(
        update(Outbox)
        .where(
            col(Outbox.id) == row_id,
            col(Outbox.status) == CLAIMED,
            col(Outbox.claimed_by) == worker_id,
        )
        .values(status=SENDING, claimed_at=now)
    )
    return int(result.rowcount or 0) == 1


def release_stale_claims(session: Session, older_than: datetime) -> int:
    """Claimed rows whose claim is older than `older_than` were never handed to a transport
    (a replica stopped between claiming and sending): pending again."""
    result: Any = session.execute(
        update(Outbox)
        .where(col(Outbox.status) == CLAIMED, col(Outbox.claimed_at) < older_than)
        .values(status=PENDING, claimed_by=None, claimed_at=None)
    )
    return int(result.rowcount or 0)


def interrupted_sends(session: Session, older_than: datetime) -> list[Outbox]:
    """Rows left `sending` since before `older_than`: the process stopped while the
    transport had them, so nobody knows whether they arrived."""
    return list(
        session.exec(
            select(Outbox)
            .where(col(Outbox.status) == SENDING, col(Outbox.claimed_at) < older_than)
            .order_by(col(Outbox.id))
        ).all()
    )


def mark(row: Outbox, status: str, now: datetime, error: str | None = None) -> None:
    row.status = status
    row.attempts = (row.attempts or 0) + (0 if status in (DONE,) else 1)
    if status == SENT:
        row.sent_at = now
    row.error = error[:2000] if error else None


def purge_agenda(session: Session, before: datetime) -> int:
    """Delete the engine's own finished agenda rows due before `before` (messages are kept)."""
    result: Any = session.execute(
        delete(Outbox).where(
            col(Outbox.status) == DONE, col(Outbox.due_at) < before, col(Outbox.kind) == REPLAN
        )
    )
    return int(result.rowcount or 0)


def next_due_instant(session: Session) -> datetime | None:
    """When the earliest pending row falls due (the scheduler's next wake-up)."""
    value = session.execute(
        sa_select(func.min(col(Outbox.due_at))).where(col(Outbox.status) == PENDING)
    ).scalar()
    if value is None:
        return None
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def unplanned_people(session: Session, limit: int) -> list[str]:
    """Active people the engine has never planned (no agenda row at all), by id."""
    agenda = exists().where(and_(col(Outbox.recipient_id) == Person.id, col(Outbox.kind) == REPLAN))
    rows = session.execute(
        sa_select(col(Person.id))
        .where(col(Person.active).is_(True), ~agenda)
        .order_by(col(Person.id))
        .limit(limit)
    ).scalars()
    return list(rows)


def get_instant(session: Session, key: str) -> datetime | None:
    row = session.get(OrgSetting, key)
    return datetime.fromisoformat(row.value) if row is not None else None


def set_instant(session: Session, key: str, at: datetime) -> None:
    """Store an instant under `key` (an upsert: replicas may race to set it)."""
    dialect = session.get_bind().dialect.name
    table: Any = SQLModel.metadata.tables["org_setting"]
    stmt: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(
        key=key, value=at.isoformat()
    )
    session.execute(
        stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value})
    )
    session.expire_all()


def rows_by_status(session: Session, statuses: Sequence[str]) -> list[Outbox]:
    """Rows in the given states, in due order (reports and tests)."""
    return list(
        session.exec(
            select(Outbox)
            .where(col(Outbox.status).in_(list(statuses)), col(Outbox.kind) != REPLAN)
            .order_by(col(Outbox.due_at), col(Outbox.id))
        ).all()
    )
