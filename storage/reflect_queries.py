"""Queries for reflective supervision: prompts asked, private preparation notes, agreed actions.

Only queries live here; who may see what is decided in handlers/reflect/access.py.
Every query is bounded by an indexed column (person, session, owner or due date).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, select

from storage.models import (
    ActionItem,
    Person,
    PrepNote,
    ReflectionPrompt,
    SupervisionSession,
)

# ---------------------------------------------------------------- prompts asked


def prompts_for_session(s: Session, person_id: str, session_id: int) -> list[ReflectionPrompt]:
    """The questions already put to `person_id` for one session (empty when none yet)."""
    rows = s.exec(
        select(ReflectionPrompt).where(
            ReflectionPrompt.person_id == person_id, ReflectionPrompt.session_id == session_id
        )
    ).all()
    return list(rows)


def latest_rotation(s: Session, person_id: str) -> int | None:
    """The highest rotation number used for `person_id` (None before their first prompt)."""
    value = s.exec(
        select(func.max(ReflectionPrompt.rotation)).where(ReflectionPrompt.person_id == person_id)
    ).one()
    return cast("int | None", value)


def last_asked(s: Session, person_id: str, since_rotation: int) -> dict[str, int]:
    """question id -> latest rotation it was asked in, for rotations >= `since_rotation`."""
    rows = s.exec(
        select(ReflectionPrompt.question_id, func.max(ReflectionPrompt.rotation))
        .where(
            ReflectionPrompt.person_id == person_id,
            ReflectionPrompt.rotation >= since_rotation,
        )
        .group_by(ReflectionPrompt.question_id)
    ).all()
    return {qid: int(rot) for qid, rot in rows}


# ---------------------------------------------------------------- preparation notes


def notes_for_session(s: Session, person_id: str, session_id: int) -> list[PrepNote]:
    rows = s.exec(
        select(PrepNote)
        .where(PrepNote.person_id == person_id, PrepNote.session_id == session_id)
        .order_by(col(PrepNote.id))
    ).all()
    return list(rows)


def notes_of(s: Session, person_id: str, limit: int = 50) -> list[PrepNote]:
    """A person's own notes, newest first."""
    rows = s.exec(
        select(PrepNote)
        .where(PrepNote.person_id == person_id)
        .order_by(col(PrepNote.created_at).desc(), col(PrepNote.id).desc())
        .limit(limit)
    ).all()
    return list(rows)


def delete_notes(s: Session, person_id: str, note_ids: list[int]) -> int:
    """Delete the listed notes that belong to `person_id`; the number deleted."""
    if not note_ids:
        return 0
    result = s.exec(
        delete(PrepNote).where(col(PrepNote.id).in_(note_ids), col(PrepNote.person_id) == person_id)
    )
    return int(cast(Any, result).rowcount or 0)


def purge_notes_before(s: Session, cutoff: datetime) -> int:
    """Delete every note last written (created or edited) before `cutoff` (retention); the
    number deleted."""
    # created_at <= updated_at, so the created_at bound is implied; it lets the purge use
    # the created_at index.
    result = s.exec(
        delete(PrepNote).where(
            col(PrepNote.created_at) < cutoff, col(PrepNote.updated_at) < cutoff
        )
    )
    return int(cast(Any, result).rowcount or 0)


KEEP_ROTATIONS = 4  # a person's latest sessions whose questions the rotation still needs


def purge_prompts_before(s: Session, cutoff: datetime) -> int:
    """Delete the record of questions asked before `cutoff`, except each person's latest
    KEEP_ROTATIONS sessions: the rotation continues from them and no question may repeat
    within three sessions, however short the retention. The number deleted."""
    newer = aliased(ReflectionPrompt)
    latest = (
        select(func.max(newer.rotation))
        .where(newer.person_id == ReflectionPrompt.person_id)
        .scalar_subquery()
    )
    result = s.exec(
        delete(ReflectionPrompt).where(
            col(ReflectionPrompt.asked_at) < cutoff,
            col(ReflectionPrompt.rotation) <= latest - KEEP_ROTATIONS,
        )
    )
    return int(cast(Any, result).rowcount or 0)


# ---------------------------------------------------------------- sessions


def latest_session_started(
    s: Session, supervisee_id: str, at: datetime
) -> SupervisionSession | None:
    """The supervisee's most recent session that was not cancelled and began by `at`."""
    return s.exec(
        select(SupervisionSession)
        .where(
            SupervisionSession.supervisee_id == supervisee_id,
            col(SupervisionSession.cancelled_at).is_(None),
            col(SupervisionSession.scheduled_at) <= at,
        )
        .order_by(col(SupervisionSession.scheduled_at).desc())
        .limit(1)
    ).first()


# ---------------------------------------------------------------- actions


def open_actions_of_supervisee(s: Session, supervisee_id: str) -> list[ActionItem]:
    """Open actions agreed in a supervisee's supervision, soonest due first."""
    rows = s.exec(
        select(ActionItem)
        .where(ActionItem.supervisee_id == supervisee_id, col(ActionItem.done_at).is_(None))
        .order_by(col(ActionItem.due_on), col(ActionItem.id))
    ).all()
    return list(rows)


def actions_involving(
    s: Session, person_id: str, *, include_done: bool = False, limit: int = 100
) -> list[ActionItem]:
    """Actions a person owns or that were agreed in their supervision, soonest due first."""
    query = select(ActionItem).where(
        or_(col(ActionItem.owner_id) == person_id, col(ActionItem.supervisee_id) == person_id)
    )
    if not include_done:
        query = query.where(col(ActionItem.done_at).is_(None))
    rows = s.exec(query.order_by(col(ActionItem.due_on), col(ActionItem.id)).limit(limit)).all()
    return list(rows)


def overdue_actions_for_supervisor(
    s: Session, supervisor_id: str, today: date, limit: int = 200
) -> list[tuple[ActionItem, Person]]:
    """Open actions due before `today` in the supervision of `supervisor_id`'s supervisees."""
    rows = s.exec(
        select(ActionItem, Person)
        .join(Person, col(Person.id) == col(ActionItem.supervisee_id))
        .where(
            Person.supervisor_id == supervisor_id,
            col(ActionItem.done_at).is_(None),
            col(ActionItem.due_on) < today,
        )
        .order_by(col(ActionItem.due_on), col(ActionItem.id))
        .limit(limit)
    ).all()
    return [(a, p) for a, p in rows]
