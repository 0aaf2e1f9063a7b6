"""Set-based queries behind the compliance status, all "as of" an instant.

Each function runs a constant number of statements however many people are
asked about: grouped or windowed SQL, with id lists chunked for IN clauses.
Only facts whose instants are at or before `as_of` count; supervisor changes
count from their effective date.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, and_, case, func, or_, true
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import Person, SupervisionSession, SupervisorChange

CHUNK = 900  # below SQLite's default limit of bound parameters per statement
WHOLE_TABLE_ABOVE = 5 * CHUNK
COUNTED_KIND = "individual"  # group supervision complements 1:1, never replaces it

T = TypeVar("T")


def chunks(ids: Sequence[T], size: int | None = None) -> Iterator[Sequence[T]]:
    """`ids` in slices small enough for one IN list."""
    size = size or CHUNK
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _in(column: Any, ids: Sequence[str] | None) -> Iterator[ColumnElement[bool]]:
    """Filters restricting `column` to `ids`, chunk by chunk.

    For all rows (`ids` None) or very many ids, one always-true filter: scanning
    the table once beats hundreds of IN lists, and callers keep only what they asked for.
    """
    if ids is None or len(ids) > WHOLE_TABLE_ABOVE:
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
    if ids is not None:
        wanted = set(ids)
        found = [p for p in found if p.id in wanted]
    return sorted(found, key=lambda p: p.id)


class PersonFacts(NamedTuple):
    """The columns the status needs, without the cost of full ORM objects."""

    id: str
    name: str
    role: str
    team: str | None
    role_start: date
    timezone: str
    cadence_override: str | None


def active_people_facts(session: Session, ids: Sequence[str] | None = None) -> list[PersonFacts]:
    """Like `active_people`, as light rows (fast for the whole organisation)."""
    found: list[PersonFacts] = []
    wanted = set(ids) if ids is not None else None
    for where in _in(Person.id, ids):
        stmt = sa_select(
            col(Person.id), col(Person.name), col(Person.role), col(Person.team),
            col(Person.role_start), col(Person.timezone), col(Person.cadence_override),
        ).where(col(Person.active).is_(True), where)  # fmt: skip
        rows = session.connection().execute(stmt)
        found.extend(PersonFacts(*r) for r in rows if wanted is None or r[0] in wanted)
    return sorted(found, key=lambda p: p.id)


def active_people_in_roles(session: Session, roles: Iterable[str]) -> list[PersonFacts]:
    """Active people holding one of `roles` (indexed on role), ordered by id."""
    wanted = sorted(set(roles))
    if not wanted:
        return []
    stmt = sa_select(
        col(Person.id), col(Person.name), col(Person.role), col(Person.team),
        col(Person.role_start), col(Person.timezone), col(Person.cadence_override),
    ).where(col(Person.active).is_(True), col(Person.role).in_(wanted))  # fmt: skip
    return sorted((PersonFacts(*r) for r in session.connection().execute(stmt)),
                  key=lambda p: p.id)  # fmt: skip


def people_by_id(session: Session, ids: Iterable[str]) -> dict[str, Person]:
    """Everyone (active or not) among `ids`."""
    wanted = set(ids)
    found: dict[str, Person] = {}
    if not wanted:
        return found
    for where in _in(Person.id, list(wanted)):
        for person in session.exec(select(Person).where(where)).all():
            if person.id in wanted:
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
                if people.get(pid) == day:
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


def held_counts(
    session: Session, ids: Sequence[str] | None, since: datetime, as_of: datetime
) -> dict[str, dict[str, int]]:
    """Sessions held in (since, as_of], by person and kind (individual, appraisal, ...)."""
    result: dict[str, dict[str, int]] = {}
    s = SupervisionSession
    held = col(s.held_at)
    for where in _in(s.supervisee_id, ids):
        stmt = (
            select(s.supervisee_id, s.kind, func.count())
            .where(held.is_not(None), held > since, held <= as_of, where)
            .group_by(col(s.supervisee_id), col(s.kind))
        )
        for pid, kind, n in session.exec(stmt):
            result.setdefault(pid, {})[kind] = int(n)
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
