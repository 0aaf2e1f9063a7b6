"""Set-based queries behind the compliance status, all "as of" an instant.

Each function runs a constant number of statements however many people are
asked about: grouped or windowed SQL, with id lists chunked for IN clauses.
Only facts whose instants are at or before `as_of` count; supervisor changes
count from their effective date.

The statements are built once, with bound parameters (the id lists expand at
execution): building a statement costs more than running it on a small batch of
people, and the engine runs these for every batch it plans.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import and_, bindparam, case, func, or_, true
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from storage.models import Person

CHUNK = 900  # below SQLite's default limit of bound parameters per statement
WHOLE_TABLE_ABOVE = 5 * CHUNK
COUNTED_KIND = "individual"  # group supervision complements 1:1, never replaces it

T = TypeVar("T")
# Statements on the tables' own columns (not the models' attributes) stay Core
# statements when the session runs them: no ORM compilation step per execution.
_PEOPLE_T = SQLModel.metadata.tables["person"]
_SESSIONS_T = SQLModel.metadata.tables["supervision_session"]
_CHANGES_T = SQLModel.metadata.tables["supervisor_change"]


def chunks(ids: Sequence[T], size: int | None = None) -> Iterator[Sequence[T]]:
    """`ids` in slices small enough for one IN list."""
    size = size or CHUNK
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def ids_in(column: Any) -> Any:
    """`column IN (:ids)`, the list bound at execution (one statement for any length)."""
    return column.in_(bindparam("ids", expanding=True))


class ForIds(NamedTuple):
    """One query built twice: restricted to a chunk of ids (`:ids`), and over the whole
    table, for all rows or very many ids (scanning the table once beats hundreds of IN
    lists; callers keep only what they asked for)."""

    chunk: Any
    whole: Any


def for_ids(build: Any, column: Any) -> ForIds:
    return ForIds(build(ids_in(column)), build(true()))


def run(session: Session, query: ForIds, ids: Sequence[str] | None, **params: Any) -> Iterator[Any]:
    """The rows of `query` for `ids` (None: all), chunk by chunk."""
    if ids is None or len(ids) > WHOLE_TABLE_ABOVE:
        yield from session.execute(query.whole, params).all()
        return
    for part in chunks(sorted(set(ids))):
        yield from session.execute(query.chunk, {**params, "ids": list(part)}).all()


def active_people(session: Session, ids: Sequence[str] | None = None) -> list[Person]:
    """Active people, all of them or those among `ids`, ordered by id."""
    found: list[Person] = []
    if ids is None or len(ids) > WHOLE_TABLE_ABOVE:
        found.extend(session.exec(select(Person).where(col(Person.active).is_(True))).all())
    else:
        for part in chunks(sorted(set(ids))):
            stmt = select(Person).where(col(Person.active).is_(True), col(Person.id).in_(part))
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
    cadence_override_since: date | None = None


_FACT_COLUMNS = [_PEOPLE_T.c[name] for name in PersonFacts._fields]
_ACTIVE_FACTS = for_ids(
    lambda where: sa_select(*_FACT_COLUMNS).where(_PEOPLE_T.c.active.is_(True), where),
    _PEOPLE_T.c.id,
)


def active_people_facts(session: Session, ids: Sequence[str] | None = None) -> list[PersonFacts]:
    """Like `active_people`, as light rows (fast for the whole organisation)."""
    wanted = set(ids) if ids is not None else None
    found = [
        PersonFacts(*r)
        for r in run(session, _ACTIVE_FACTS, ids)
        if wanted is None or r[0] in wanted
    ]
    return sorted(found, key=lambda p: p.id)


def active_people_in_roles(session: Session, roles: Iterable[str]) -> list[PersonFacts]:
    """Active people holding one of `roles` (indexed on role), ordered by id."""
    wanted = sorted(set(roles))
    if not wanted:
        return []
    stmt = sa_select(*_FACT_COLUMNS).where(
        col(Person.active).is_(True), col(Person.role).in_(wanted)
    )
    return sorted((PersonFacts(*r) for r in session.connection().execute(stmt)),
                  key=lambda p: p.id)  # fmt: skip


_PEOPLE = for_ids(lambda where: select(Person).where(where), col(Person.id))


def people_by_id(session: Session, ids: Iterable[str]) -> dict[str, Person]:
    """Everyone (active or not) among `ids`."""
    wanted = set(ids)
    found: dict[str, Person] = {}
    if not wanted:
        return found
    if len(wanted) > WHOLE_TABLE_ABOVE:
        batches: Iterable[dict[str, Any]] = [{}]
        stmt = _PEOPLE.whole
    else:
        batches = ({"ids": list(part)} for part in chunks(sorted(wanted)))
        stmt = _PEOPLE.chunk
    for params in batches:
        for person in session.execute(stmt, params).scalars():
            if person.id in wanted:
                found[person.id] = person
    return found


def _supervisor_on(where: Any) -> Any:
    """Each person's latest supervisor change effective on `:day` (rank 1, in force), or
    their first change when none is in force yet (in_force 0)."""
    sc = _CHANGES_T.c
    in_force = case((sc.effective <= bindparam("day"), 1), else_=0)
    rank = (
        func.row_number()
        .over(
            partition_by=sc.person_id,
            order_by=(in_force.desc(), sc.effective.desc(), sc.id.desc()),
        )
        .label("rank")
    )
    inner = sa_select(sc.person_id, sc.supervisor_id, in_force.label("in_force"), rank).where(where)
    sub = inner.subquery()
    return sa_select(sub.c.person_id, sub.c.supervisor_id, sub.c.in_force).where(sub.c.rank == 1)


_SUPERVISOR_ON = for_ids(_supervisor_on, _CHANGES_T.c.person_id)


def supervisors_on(
    session: Session,
    people: dict[str, date],
    fallback: Mapping[str, str | None] | None = None,
) -> dict[str, str | None]:
    """Each person's supervisor on the given local day, from the change history.

    `people` maps person id to the day to look at (their local date of the
    instant). The latest change effective on or before that day wins; before a
    person's first recorded change they had no known supervisor. People with no
    history at all fall back to `Person.supervisor_id` (taken from `fallback` when
    the caller has the people loaded already).
    """
    result: dict[str, str | None] = {}
    by_day: dict[date, list[str]] = {}
    for pid, day in people.items():
        by_day.setdefault(day, []).append(pid)
    for day, ids in by_day.items():
        for pid, sup, in_force_flag in run(session, _SUPERVISOR_ON, ids, day=day):
            if people.get(pid) == day:
                result[pid] = sup if in_force_flag else None
    missing = [pid for pid in people if pid not in result]
    if fallback is not None:
        for pid in [p for p in missing if p in fallback]:
            result[pid] = fallback[pid]
        missing = [pid for pid in missing if pid not in fallback]
    for pid, person in people_by_id(session, missing).items():
        result[pid] = person.supervisor_id
    return result


class SessionMarks(NamedTuple):
    """Where a person's 1:1 sessions stand at an instant (each None when there is none)."""

    last_held: datetime | None  # the latest held at or before it
    next_booked: datetime | None  # the next after it, booked and neither cancelled nor held
    booked_until: datetime | None  # the latest booked by it and neither cancelled nor held


NO_MARKS = SessionMarks(None, None, None)  # no 1:1 session at all


def _marks(where: Any) -> Any:
    s = _SESSIONS_T.c
    at: Any = bindparam("as_of")
    held = s.held_at
    pending = and_(
        s.booked_at <= at,
        or_(s.cancelled_at.is_(None), s.cancelled_at > at),
        or_(held.is_(None), held > at),
    )
    return (
        sa_select(
            s.supervisee_id,
            func.max(case((held <= at, held))),
            func.min(case((and_(pending, s.scheduled_at > at), s.scheduled_at))),
            func.max(case((pending, s.scheduled_at))),
        )
        .where(s.kind == COUNTED_KIND, where)
        .group_by(s.supervisee_id)
    )


_MARKS = for_ids(_marks, _SESSIONS_T.c.supervisee_id)


def session_marks(
    session: Session, ids: Sequence[str] | None, as_of: datetime
) -> dict[str, SessionMarks]:
    """Each person's `SessionMarks` as of `as_of` (one grouped statement per chunk)."""
    return {pid: SessionMarks(*marks) for pid, *marks in run(session, _MARKS, ids, as_of=as_of)}


def _held_counts(where: Any) -> Any:
    s = _SESSIONS_T.c
    held = s.held_at
    return (
        sa_select(s.supervisee_id, s.kind, func.count())
        .where(held.is_not(None), held > bindparam("since"), held <= bindparam("as_of"), where)
        .group_by(s.supervisee_id, s.kind)
    )


_HELD_COUNTS = for_ids(_held_counts, _SESSIONS_T.c.supervisee_id)
_HELD_INSTANTS = for_ids(
    lambda where: sa_select(
        _SESSIONS_T.c.supervisee_id, _SESSIONS_T.c.kind, _SESSIONS_T.c.held_at
    ).where(
        _SESSIONS_T.c.held_at.is_not(None),
        _SESSIONS_T.c.held_at > bindparam("since"),
        _SESSIONS_T.c.held_at <= bindparam("as_of"),
        where,
    ),
    _SESSIONS_T.c.supervisee_id,
)


def held_counts(
    session: Session, ids: Sequence[str] | None, since: datetime, as_of: datetime
) -> dict[str, dict[str, int]]:
    """Sessions held in (since, as_of], by person and kind (individual, appraisal, ...)."""
    result: dict[str, dict[str, int]] = {}
    for pid, kind, n in run(session, _HELD_COUNTS, ids, since=since, as_of=as_of):
        result.setdefault(pid, {})[kind] = int(n)
    return result


def held_instants(
    session: Session, ids: Sequence[str] | None, since: datetime, as_of: datetime
) -> dict[str, dict[str, list[datetime]]]:
    """When each session held in (since, as_of] was held, by person and kind (what the
    engine counts towards yearly minimums on days ahead, as the window moves)."""
    result: dict[str, dict[str, list[datetime]]] = {}
    for pid, kind, held in run(session, _HELD_INSTANTS, ids, since=since, as_of=as_of):
        result.setdefault(pid, {}).setdefault(kind, []).append(held)
    return result
