"""Set-based queries behind the compliance status, all "as of" an instant.

Each function runs a constant number of statements however many people are
asked about: grouped or windowed SQL, with id lists chunked for IN clauses.
Only facts whose instants are at or before `as_of` count; supervisor changes
count from their effective date.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, case, func, or_, true
from sqlmodel import Session, col, select

from storage.models import Person, SupervisionSession, SupervisorChange

CHUNK = 900  # below SQLite's default limit of bound parameters per statement
COUNTED_KIND = "individual"  # group supervision complements 1:1, never replaces it

T = TypeVar("T")


def chunks(ids: Sequence[T], size: int | None = None) -> Iterator[Sequence[T]]:
    """`ids` in slices small enough for one IN list."""
    size = size or CHUNK
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _in(column: Any, ids: Sequence[str] | None) -> Iterator[ColumnElement[bool]]:
    """Filters restricting `column` to `ids` chunk by chunk (one always-true filter for all)."""
    if ids is None:
        yield true()
        return
    for part in chunks(sorted(set(ids))):
        yield column.in_(part)


def active_people(session: Session, ids: Sequence[str] | None = None) -> list[Person]:
    """Active people, all of them or those among `ids`, ordered by id."""
    found: list[Person] = []
    for where in _in(Person.id, ids):
        stmt = select(Person).where(col(Person.active).is_(True), where)
        found.extend(session.exec(stmt).all())
    return sorted(found, key=lambda p: p.id)


def people_by_id(session: Session, ids: Iterable[str]) -> dict[str, Person]:
    """Everyone (active or not) among `ids`."""
    found: dict[str, Person] = {}
    for where in _in(Person.id, list(ids)):
        for person in session.exec(select(Person).where(where)).all():
            found[person.id] = person
    return found


def supervisors_on(session: Session, people: dict[str, date]) -> dict[str, str | None]:
    """Each person's supervisor on the given local day, from the change history.

    `people` maps person id to the day to look at (their local date of the
    instant). The latest change effective on or before that day wins; before a
    person's first recorded change they had no known supervisor. People with no
    history at all fall back to `Person.supervisor_id`.
    """
    result: dict[str, str | None] = {}
    by_day: dict[date, list[str]] = {}
    for pid, day in people.items():
        by_day.setdefault(day, []).append(pid)
    for day, ids in by_day.items():
        for where in _in(SupervisorChange.person_id, ids):
            in_force = case((col(SupervisorChange.effective) <= day, 1), else_=0)
            rank = (
                func.row_number()
                .over(
                    partition_by=SupervisorChange.person_id,
                    order_by=(
                        in_force.desc(),
                        col(SupervisorChange.effective).desc(),
                        col(SupervisorChange.id).desc(),
                    ),
                )
                .label("rank")
            )
            inner = select(
                SupervisorChange.person_id,
                SupervisorChange.supervisor_id,
                in_force.label("in_force"),
                rank,
            ).where(where)
            sub = inner.subquery()
            rows = session.exec(
                select(sub.c.person_id, sub.c.supervisor_id, sub.c.in_force).where(sub.c.rank == 1)
            )
            for pid, sup, in_force_flag in rows:
                result[pid] = sup if in_force_flag else None
    missing = [pid for pid in people if pid not in result]
    for pid, person in people_by_id(session, missing).items():
        result[pid] = person.supervisor_id
    return result


def last_held(session: Session, ids: Sequence[str] | None, as_of: datetime) -> dict[str, datetime]:
    """The instant each person's latest 1:1 session was held, at or before `as_of`."""
    result: dict[str, datetime] = {}
    held = col(SupervisionSession.held_at)
    for where in _in(SupervisionSession.supervisee_id, ids):
        stmt = (
            select(SupervisionSession.supervisee_id, func.max(held))
            .where(held.is_not(None), held <= as_of,
                   col(SupervisionSession.kind) == COUNTED_KIND, where)
            .group_by(col(SupervisionSession.supervisee_id))
        )
        for pid, at in session.exec(stmt):
            if at is not None:
                result[pid] = at
    return result


def next_booked(
    session: Session, ids: Sequence[str] | None, as_of: datetime
) -> dict[str, datetime]:
    """Each person's next 1:1 session after `as_of` that was booked, and neither
    cancelled nor held, as of `as_of`."""
    result: dict[str, datetime] = {}
    s = SupervisionSession
    pending = and_(
        col(s.scheduled_at) > as_of,
        col(s.booked_at) <= as_of,
        or_(col(s.cancelled_at).is_(None), col(s.cancelled_at) > as_of),
        or_(col(s.held_at).is_(None), col(s.held_at) > as_of),
        col(s.kind) == COUNTED_KIND,
    )
    for where in _in(s.supervisee_id, ids):
        stmt = (
            select(s.supervisee_id, func.min(col(s.scheduled_at)))
            .where(pending, where)
            .group_by(col(s.supervisee_id))
        )
        for pid, at in session.exec(stmt):
            if at is not None:
                result[pid] = at
    return result
