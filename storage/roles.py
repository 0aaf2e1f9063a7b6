"""The history of people's roles: which role a person held on a given day.

`record_role` is the one way a role changes (`people set-role`, an HR import). The first
change also records the role held before it, so the history covers the past; a change
from a day on or before recorded ones replaces them, and the latest role given again
with another start moves its start (corrections, not new roles). `role_on` reads the
history: the latest role started by the day, or the first one for a day before it began;
people with no history have always held `Person.role`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from bot.clock import local_date
from storage.models import Person, RoleChange
from storage.status_queries import PersonFacts, for_ids, run

_ROLES: Any = SQLModel.metadata.tables["role_change"]
_HISTORY = for_ids(
    lambda where: sa_select(
        _ROLES.c.person_id, _ROLES.c.role_start, _ROLES.c.role, _ROLES.c.id
    ).where(where),
    _ROLES.c.person_id,
)
_SUPERSEDED = delete(_ROLES).where(
    _ROLES.c.person_id == bindparam("person"), _ROLES.c.role_start >= bindparam("start")
)

History = tuple[tuple[date, str], ...]  # (role_start, role), oldest first


def histories(session: Session, person_ids: Iterable[str]) -> dict[str, History]:
    """The role history of each of `person_ids` that has one."""
    wanted = set(person_ids)
    found: dict[str, list[tuple[date, int, str]]] = {}
    if not wanted:
        return {}
    for pid, start, role, row_id in run(session, _HISTORY, sorted(wanted)):
        if pid in wanted:
            found.setdefault(pid, []).append((start, row_id, role))
    return {pid: tuple((s, r) for s, _, r in sorted(rows)) for pid, rows in found.items()}


def with_history(session: Session) -> set[str]:
    """Everyone whose role has changed at some time (the rest always held `Person.role`)."""
    return set(session.connection().execute(sa_select(_ROLES.c.person_id).distinct()).scalars())


def role_on(history: Sequence[tuple[date, str]], day: date) -> tuple[str, date] | None:
    """(role, role_start) held on `day`; None without history."""
    if not history:
        return None
    held = history[0]
    for start, role in history:
        if start > day:
            break
        held = (start, role)
    return held[1], held[0]


def role_held(session: Session, person: Person, day: date) -> tuple[str, date]:
    """(role, role_start) `person` holds on `day` (a recorded change may start later)."""
    held = role_on(histories(session, [person.id]).get(person.id, ()), day)
    return held if held is not None else (person.role, person.role_start)


@dataclass(frozen=True)
class RoleOnDay:
    """The role a person holds on a day, and the next change recorded after it, if any."""

    role: str
    start: date
    next_role: str | None = None
    next_start: date | None = None


def roles_on_their_day(
    session: Session, people: Sequence[Person], at: datetime
) -> dict[str, RoleOnDay]:
    """Each person's role on their local date of `at` (a recorded change may start later:
    `Person.role` is the latest recorded), with the change that follows it."""
    found = histories(session, [p.id for p in people])
    out: dict[str, RoleOnDay] = {}
    for p in people:
        history = found.get(p.id, ())
        held = role_on(history, local_date(at, p.timezone))
        if held is None:
            out[p.id] = RoleOnDay(p.role, p.role_start)
            continue
        role, start = held
        later = next(((s, r) for s, r in history if s > start), None)
        out[p.id] = RoleOnDay(role, start, *((later[1], later[0]) if later else (None, None)))
    return out


def facts_as_of(
    session: Session,
    people: Sequence[PersonFacts],
    as_of: datetime,
    found: Mapping[str, History] | None = None,
) -> list[PersonFacts]:
    """`people` with the role each held on their local date of `as_of` (from their role
    histories: `found`, where the caller has looked them up)."""
    if found is None:
        found = histories(session, [p.id for p in people])
    if not found:
        return list(people)
    out: list[PersonFacts] = []
    for p in people:
        held = role_on(found.get(p.id, ()), local_date(as_of, p.timezone))
        if held is not None and held != (p.role, p.role_start):
            p = p._replace(role=held[0], role_start=held[1])
        out.append(p)
    return out


def record_role(
    session: Session, person: Person, role: str, start: date, recorded_at: datetime
) -> bool:
    """Give `person` `role` from `start`, keeping the history; False when nothing changed.

    A role already held before `start` (a later change given up) carries on from its own
    start; the latest role given again with another start has that start moved."""
    if (person.role, person.role_start) == (role, start):
        return False
    before = histories(session, [person.id]).get(person.id, ())
    if not before:
        before = ((person.role_start, person.role),)
        session.add(RoleChange(person_id=person.id, role=person.role,
                               role_start=person.role_start, recorded_at=recorded_at))  # fmt: skip
        session.flush()
    session.execute(_SUPERSEDED, {"person": person.id, "start": start})
    kept = tuple(row for row in before if row[0] < start)
    if kept and kept[-1][1] == role and kept[-1] != before[-1]:
        start = kept[-1][0]  # held already: the changes after it are given up
    else:
        if kept and kept[-1][1] == role:  # the latest role again: its start moves
            session.execute(_SUPERSEDED, {"person": person.id, "start": kept[-1][0]})
        session.add(
            RoleChange(person_id=person.id, role=role, role_start=start, recorded_at=recorded_at)
        )
    person.role, person.role_start = role, start
    session.add(person)
    session.flush()
    return True
