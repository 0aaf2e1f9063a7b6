"""The engine's own agenda: outbox rows of kind `_replan`, "plan this person again then".

Each planning books the person's next one (`schedule_replans`, retiring the previous
row); every writer of facts calls `request_replan` for the people it touched; a pass
plans people who never had an agenda row (`unplanned_people`) and purges finished rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col

from handlers.reminders.candidate import make_key, stamp
from storage.models import Outbox, Person
from storage.outbox import DONE, PENDING, REPLAN, insert_rows
from storage.status_queries import chunks

_OUTBOX: Any = SQLModel.metadata.tables["outbox"]

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
    insert_rows(session, rows, update_pending=False)


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


def purge_agenda(session: Session, before: datetime) -> int:
    """Delete the engine's own finished agenda rows due before `before` (messages are kept)."""
    result: Any = session.execute(
        delete(Outbox).where(
            col(Outbox.status) == DONE, col(Outbox.due_at) < before, col(Outbox.kind) == REPLAN
        )
    )
    return int(result.rowcount or 0)


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
