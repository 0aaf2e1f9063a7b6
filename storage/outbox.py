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
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel, col, select

from handlers.reminders.candidate import Candidate, make_key, stamp
from handlers.replies import Reply
from storage.models import Outbox, Person
from storage.status_queries import chunks, ids_in

PENDING, SENT, DROPPED, FAILED, DONE = "pending", "sent", "dropped", "failed", "done"
CLAIMED, SENDING = "claimed", "sending"
REPLAN = "_replan"
WATERMARK = "engine.watermark"
EPOCH = "engine.epoch"
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


def _insert(session: Session, rows: list[dict[str, Any]], *, update_pending: bool) -> None:
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
        _insert(session, rows, update_pending=True)
    return fresh


# One person per execution (run as an executemany): with `recipient_id = ?` SQLite seeks
# the recipient's rows, where an IN list made it walk every pending row instead.
_RETIRE_AGENDA = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.kind == REPLAN,
        _OUTBOX.c.status == PENDING,
        _OUTBOX.c.recipient_id == bindparam("person"),
        _OUTBOX.c.key != bindparam("keep"),
    )
    .values(status=DONE)
)


def schedule_replans(session: Session, when: dict[str, datetime], now: datetime) -> None:
    """Plan each person again at the given instant (their previous agenda rows are retired)."""
    if not when:
        return
    keys = {pid: make_key(REPLAN, pid, stamp(at)) for pid, at in when.items()}
    session.execute(_RETIRE_AGENDA, [{"person": p, "keep": keys[p]} for p in sorted(when)])
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


def purge_agenda(session: Session, before: datetime) -> int:
    """Delete the engine's own finished agenda rows due before `before` (messages are kept)."""
    result: Any = session.execute(
        delete(Outbox).where(
            col(Outbox.status) == DONE, col(Outbox.due_at) < before, col(Outbox.kind) == REPLAN
        )
    )
    return int(result.rowcount or 0)


_NEXT_DUE = sa_select(func.min(_OUTBOX.c.due_at)).where(_OUTBOX.c.status == PENDING)


def next_due_instant(session: Session) -> datetime | None:
    """When the earliest pending row falls due (the scheduler's next wake-up)."""
    value = session.execute(_NEXT_DUE).scalar()
    return _aware(value) if value is not None else None


def _aware(value: datetime) -> datetime:
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


def rows_by_status(session: Session, statuses: Sequence[str]) -> list[Outbox]:
    """Rows in the given states, in due order (reports and tests)."""
    return list(
        session.exec(
            select(Outbox)
            .where(col(Outbox.status).in_(list(statuses)), col(Outbox.kind) != REPLAN)
            .order_by(col(Outbox.due_at), col(Outbox.id))
        ).all()
    )
