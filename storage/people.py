"""People and the supervision chain: roles, supervisors and their history.

`set_supervisor` is the one way to change who supervises whom: it refuses
cycles and records a `SupervisorChange` (a new supervisor makes a new
agreement due). Messages in `OrgError` are written for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from policy.engine import PolicyError, check_override
from storage.models import Person, SupervisorChange
from storage.roles import record_role

if TYPE_CHECKING:
    from policy.engine import PolicyPack


class OrgError(Exception):
    """A request about the organisation that cannot be done; str() is for people."""


def find_cycle(supervisor_of: Mapping[str, str | None], start: str) -> list[str] | None:
    """The people in the supervision loop reached from `start`, or None when the chain ends."""
    seen: list[str] = []
    at: str | None = start
    while at is not None:
        if at in seen:
            return seen[seen.index(at) :]
        seen.append(at)
        at = supervisor_of.get(at)
    return None


def describe_cycle(cycle: list[str], names: Mapping[str, str] | None = None) -> str:
    """'a -> b -> c -> a' (with names when given: 'a (Ann Lee) -> ...'): who is supervised
    by whom around the loop."""
    named = [f"{pid} ({names[pid]})" if names and pid in names else pid for pid in cycle]
    return " -> ".join([*named, named[0]])


def get_person(session: Session, person_id: str) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise OrgError(f"No person with id '{person_id}'. See `supervision-bot people list`.")
    return person


def valid_roles(pack: PolicyPack) -> str:
    return ", ".join(sorted(pack.roles))


def set_role(
    session: Session,
    pack: PolicyPack,
    person_id: str,
    role: str,
    since: date,
    recorded_at: datetime,
) -> Person:
    """Give a person a new role from `since` (the cadence restarts from the role start);
    the role held before stays on record for the days before `since`."""
    if role not in pack.roles:
        raise OrgError(
            f"Unknown role '{role}' for policy '{pack.name}'. Valid roles: {valid_roles(pack)}."
        )
    person = get_person(session, person_id)
    record_role(session, person, role, since, recorded_at)
    return person


def set_cadence(
    session: Session,
    pack: PolicyPack,
    person_id: str,
    cadence: str | None,
    reason: str | None,
    since: date | None = None,
) -> Person:
    """Give a person a personal cadence (e.g. 'weekly' under a performance plan) from
    `since` (the day it was agreed), or clear it.

    The engine only ever lets a personal cadence make supervision more frequent than the
    role's, so one that never would be is refused; a reason is required so that "why
    weekly?" can be answered.
    """
    person = get_person(session, person_id)
    if cadence is None:
        person.cadence_override = None
        person.cadence_override_reason = None
        person.cadence_override_since = None
    else:
        try:
            check_override(pack, person.role, cadence)
        except PolicyError as exc:
            raise OrgError(str(exc)) from None
        if not (reason or "").strip():
            raise OrgError(
                "Give the reason for the personal cadence (--reason), e.g. 'performance plan "
                "agreed 2026-11-30'; people are told it when they ask why."
            )
        person.cadence_override = cadence.strip().lower()
        person.cadence_override_reason = (reason or "").strip()[:500]
        person.cadence_override_since = since
    session.add(person)
    session.flush()
    return person


def chain_above(session: Session, person_id: str, limit: int = 10_000) -> dict[str, str | None]:
    """Current supervisors walking up from `person_id` (one lookup per level)."""
    chain: dict[str, str | None] = {}
    at: str | None = person_id
    while at is not None and at not in chain and len(chain) < limit:
        person = session.get(Person, at)
        chain[at] = person.supervisor_id if person is not None else None
        at = chain[at]
    return chain


def set_supervisor(
    session: Session,
    person_id: str,
    supervisor_id: str | None,
    effective: date,
    recorded_at: datetime,
) -> Person:
    """Make `supervisor_id` (or nobody) supervise `person_id` from `effective`.

    Refuses unknown people, self-supervision and loops in the chain. Does
    nothing when the supervisor is unchanged.
    """
    person = get_person(session, person_id)
    if supervisor_id is not None:
        get_person(session, supervisor_id)
        if supervisor_id == person_id:
            raise OrgError(f"{person_id} cannot supervise themselves.")
        above = chain_above(session, supervisor_id)
        above[person_id] = supervisor_id
        cycle = find_cycle(above, person_id)
        if cycle:
            raise OrgError(
                f"{supervisor_id} cannot supervise {person_id}: the supervision chain would "
                f"loop ({describe_cycle(cycle)})."
            )
    if person.supervisor_id == supervisor_id and has_history(session, person_id):
        return person
    latest = latest_change(session, person_id)
    if latest is not None and effective < latest:
        raise OrgError(
            f"{person_id}'s supervisor was last changed from {latest.isoformat()}; a change "
            f"from an earlier date ({effective.isoformat()}) would rewrite that history. Give "
            f"--since {latest.isoformat()} or later."
        )
    person.supervisor_id = supervisor_id
    session.add(person)
    session.add(
        SupervisorChange(
            person_id=person_id,
            supervisor_id=supervisor_id,
            effective=effective,
            recorded_at=recorded_at,
        )
    )
    session.flush()
    return person


def latest_change(session: Session, person_id: str) -> date | None:
    """The effective date of the person's most recent supervisor change, if any."""
    stmt = (
        select(col(SupervisorChange.effective))
        .where(SupervisorChange.person_id == person_id)
        .order_by(col(SupervisorChange.effective).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def has_history(session: Session, person_id: str) -> bool:
    stmt = select(SupervisorChange.id).where(SupervisorChange.person_id == person_id).limit(1)
    return session.exec(stmt).first() is not None


def teams_named(session: Session, name: str) -> set[str]:
    """The teams recorded as `name` in any letter case ("North" and "north" alike); OrgError
    listing the teams if there is none."""
    teams = sorted(t for t in session.exec(select(Person.team).distinct()).all() if t)
    found = {t for t in teams if t.casefold() == name.strip().casefold()}
    if found:
        return found
    known = ", ".join(teams) if teams else "none recorded (the people.csv team column)"
    raise OrgError(f"No team '{name}'. Teams: {known}.")


def list_people(
    session: Session,
    *,
    teams: set[str] | None = None,
    supervisor_id: str | None = None,
    include_inactive: bool = False,
) -> list[Person]:
    """People ordered by team then name, optionally those of some teams or one supervisor."""
    stmt = select(Person)
    if not include_inactive:
        stmt = stmt.where(col(Person.active).is_(True))
    if teams is not None:
        stmt = stmt.where(col(Person.team).in_(sorted(teams)))
    if supervisor_id is not None:
        stmt = stmt.where(Person.supervisor_id == supervisor_id)
    stmt = stmt.order_by(col(Person.team), col(Person.name), col(Person.id))
    return list(session.exec(stmt).all())
