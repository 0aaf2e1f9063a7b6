"""Compliance status of each person as of an instant: last held, next due, next booked.

Who gets a status: every active person whose role the pack supervises (a role
with a cadence), whether or not they have a supervisor right now (a supervised
role with no supervisor is a gap worth seeing). Roles that only supervise
others (e.g. a head of service the pack gives no cadence) and roles the pack
does not know are left out; `unknown_roles` lists the latter so the CLI can say so.

Everything is as of `as_of`: sessions held, booked or cancelled later, and
supervisor changes effective after the person's local date of `as_of`, do not count.
A constant number of queries is run however many people are asked about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.clock import local_date, require_aware, start_of_day, zone
from policy.duties import MinimumProgress, minimum_progress, minimums_window
from policy.engine import is_overdue, next_due, override_on
from storage import status_queries as q
from storage.known import KnownPerson
from storage.roles import History, facts_as_of, histories, with_history

if TYPE_CHECKING:
    from policy.engine import Due, PolicyPack


@dataclass(frozen=True)
class PersonStatus:
    """One person's supervision status as of an instant."""

    id: str
    name: str
    role: str
    team: str | None
    supervisor_id: str | None
    line_manager_id: str | None  # the supervisor's own supervisor
    last_held: date | None  # local date (person's timezone) of the last 1:1 held
    next_due: date
    next_session: datetime | None  # next booked, not cancelled, not held, after as_of
    overdue: bool
    due: Due
    timezone: str = "Europe/London"  # the person's, for showing local times
    minimums: tuple[MinimumProgress, ...] = ()  # the pack's yearly minimums for the role

    def as_json(self) -> dict[str, object]:
        """The `status --json` object: dates ISO, next_session local ISO with its offset."""
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "team": self.team,
            "supervisor_id": self.supervisor_id,
            "line_manager_id": self.line_manager_id,
            "last_held": self.last_held.isoformat() if self.last_held else None,
            "next_due": self.next_due.isoformat(),
            "next_session": (
                self.next_session.astimezone(zone(self.timezone)).isoformat()
                if self.next_session
                else None
            ),
            "overdue": self.overdue,
            "cadence": self.due.cadence.label,
            "rule": self.due.rule_id,
            # A cadence the document leaves to local agreement: a default, not policy.
            "assumed": self.due.assumed,
            "citation": f"{self.due.citation.document}, section {self.due.citation.section}",
            "minimums": [
                {"rule": m.rule_id, "what": m.what, "held": m.held, "required": m.required,
                 "since": m.window_start.isoformat(), "met": m.met}
                for m in self.minimums
            ],
        }


def is_supervised(pack: PolicyPack, role: str) -> bool:
    """Whether the pack supervises `role` (gives it a cadence): who gets a status."""
    return role in pack.roles and pack.roles[role].supervised


def statuses(
    session: Session,
    pack: PolicyPack,
    as_of: datetime,
    person_ids: Sequence[str] | None = None,
) -> list[PersonStatus]:
    """The status of every supervised active person (or of those among `person_ids`), by id."""
    require_aware(as_of)
    facts = q.active_people_facts(session, person_ids)
    roles = histories(session, [p.id for p in facts])
    held = facts_as_of(session, facts, as_of, roles)
    people = [p for p in held if is_supervised(pack, p.role)]
    if not people:
        return []
    local_days = {tz: local_date(as_of, tz) for tz in {p.timezone for p in people}}
    supervisors = q.supervisors_on(session, {p.id: local_days[p.timezone] for p in people})
    sup_ids = {s for s in supervisors.values() if s is not None}
    zones = {p.id: p.timezone for p in people}
    others = q.people_by_id(session, sup_ids - zones.keys())
    zones.update({pid: p.timezone for pid, p in others.items()})
    sup_days = {sid: local_date(as_of, zones[sid]) for sid in sup_ids if sid in zones}
    line_managers = q.supervisors_on(session, sup_days)
    return statuses_of(
        session, pack, as_of, people, supervisors, line_managers,
        everyone=person_ids is None, roles=roles,
    )  # fmt: skip


def statuses_of(
    session: Session,
    pack: PolicyPack,
    as_of: datetime,
    people: Sequence[q.PersonFacts],
    supervisors: Mapping[str, str | None],
    line_managers: Mapping[str, str | None],
    *,
    everyone: bool = False,
    marks: Mapping[str, q.SessionMarks] | None = None,
    roles: Mapping[str, History] | None = None,
    held: Mapping[str, Held] | None = None,
) -> list[PersonStatus]:
    """The status of `people` (active, in roles the pack supervises, by id), given each
    one's supervisor and each supervisor's line manager as of `as_of` (for callers that
    have looked them up already, as they may the session marks, the role histories of
    those with one, and when their sessions were held in the last year and more: `held`,
    from `storage.status_queries.held_instants`). `everyone`: they are the whole
    organisation."""
    require_aware(as_of)
    if not people:
        return []
    ids = [p.id for p in people]
    scope = None if everyone else ids
    local_days = {tz: local_date(as_of, tz) for tz in {p.timezone for p in people}}
    today = {p.id: local_days[p.timezone] for p in people}
    if marks is None:
        marks = q.session_marks(session, scope, as_of)
    # Yearly minimums count the twelve months to each person's day, opening at the start
    # of that day in their own zone.
    tracked = tracks_minimums(pack)
    counts: dict[str, dict[str, int]] = {}
    if tracked:
        if roles is None:
            roles = histories(session, ids)
        since = {p.id: minimums_since(today[p.id], p.timezone) for p in people}
        if held is not None:
            counts = {p.id: count_held(held.get(p.id, {}), since[p.id]) for p in people}
        else:
            counts = _held_counts(session, scope, since, as_of)

    result: list[PersonStatus] = []
    dues: dict[tuple[Any, ...], Due] = {}  # many people share one
    for p in people:
        mark = marks.get(p.id, q.NO_MARKS)
        last = mark.last_held
        last_day = local_date(last, p.timezone) if last is not None else None
        # A personal cadence counts from the day it was set (none before it, as of then).
        set_on = p.cadence_override_since
        override = override_on(p.cadence_override, set_on, today[p.id])
        key = (p.role, p.role_start, last_day, override, set_on)
        due = dues.get(key) or dues.setdefault(
            key, next_due(pack, p.role, p.role_start, last_day, override, set_on)
        )
        sup = supervisors.get(p.id)
        result.append(
            PersonStatus(
                id=p.id,
                name=p.name,
                role=p.role,
                team=p.team,
                supervisor_id=sup,
                line_manager_id=line_managers.get(sup) if sup is not None else None,
                last_held=last_day,
                next_due=due.date,
                next_session=mark.next_booked,
                overdue=is_overdue(due.date, today[p.id]),
                due=due,
                timezone=p.timezone,
                minimums=tuple(
                    minimum_progress(pack, p.role, p.role_start, counts.get(p.id, {}),
                                     today[p.id], roles.get(p.id, ()) if roles else ())
                ) if tracked else (),
            )
        )
    return result


def tracks_minimums(pack: PolicyPack) -> bool:
    """Whether any of the pack's yearly minimums is counted from recorded sessions."""
    return any(m.session_kind for m in pack.minimums)


def minimums_since(day: date, tz: str | None) -> datetime:
    """The instant after which sessions held count towards the yearly minimums on `day`
    of a person in `tz`: just before the twelve months to `day` open there."""
    return start_of_day(minimums_window(day), tz) - timedelta(microseconds=1)


Held = Mapping[str, Sequence[datetime]]  # when a person's sessions were held, by kind


def count_held(held: Held, since: datetime) -> dict[str, int]:
    """Sessions held after `since`, by kind."""
    return {kind: sum(1 for t in times if t > since) for kind, times in held.items()}


def _held_counts(
    session: Session, scope: Sequence[str] | None, since: Mapping[str, datetime], as_of: datetime
) -> dict[str, dict[str, int]]:
    """Each person's sessions held after their own `since` and by `as_of`, by kind: one
    grouped count from the latest `since` (zones differ by hours), plus the sessions held
    between the earliest and the latest, counted person by person."""
    latest, earliest = max(since.values()), min(since.values())
    counts = q.held_counts(session, scope, latest, as_of)
    if earliest < latest:
        for pid, kinds in q.held_instants(session, scope, earliest, latest).items():
            if pid in since:
                mine = counts.setdefault(pid, {})
                for kind, n in count_held(kinds, since[pid]).items():
                    mine[kind] = mine.get(kind, 0) + n
    return counts


def minimums_on(
    pack: PolicyPack,
    person: KnownPerson,
    history: History,
    held: Held,
    at: datetime,
) -> list[MinimumProgress]:
    """`person`'s progress towards each yearly minimum of their role on their local day of
    instant `at`, from when the sessions known were held (by kind): as `statuses_of`
    counts them that day. A plan for an instant already past (a row claimed late, after
    downtime) judges what is still true when it is made: it counts what has been held
    since, in the role held now."""
    day = local_date(at, person.timezone)
    counts = count_held(held, minimums_since(day, person.timezone))
    return minimum_progress(pack, person.role, person.role_start, counts, day, history)


NO_CADENCE_NOTE = "role has no supervision cadence in the pack"


@dataclass(frozen=True)
class NoCadence:
    """An active person whose role the pack gives no supervision cadence (e.g. a director).

    Kept apart from `PersonStatus` (whose next_due is always a date): the CLI lists
    them so that `status --json` has one object per person.
    """

    id: str
    name: str
    role: str
    team: str | None
    supervisor_id: str | None
    line_manager_id: str | None
    last_held: date | None
    next_session: datetime | None
    timezone: str = "Europe/London"

    def as_json(self) -> dict[str, object]:
        """The same keys as `PersonStatus.as_json`, with next_due null and a note."""
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "team": self.team,
            "supervisor_id": self.supervisor_id,
            "line_manager_id": self.line_manager_id,
            "last_held": self.last_held.isoformat() if self.last_held else None,
            "next_due": None,
            "next_session": (
                self.next_session.astimezone(zone(self.timezone)).isoformat()
                if self.next_session
                else None
            ),
            "overdue": False,
            "cadence": None,
            "rule": None,
            "assumed": False,
            "citation": None,
            "note": NO_CADENCE_NOTE,
        }


def without_cadence(session: Session, pack: PolicyPack, as_of: datetime) -> list[NoCadence]:
    """Active people whose role is in `pack` but not supervised by it, by id."""
    require_aware(as_of)
    roles = [rid for rid, role in pack.roles.items() if not role.supervised]
    # The roles held on the day: anyone whose role ever changed may have held one then.
    found = q.active_people_in_roles(session, roles)
    seen = {p.id for p in found}
    found += q.active_people_facts(session, sorted(with_history(session) - seen))
    people = sorted(
        (p for p in facts_as_of(session, found, as_of) if p.role in roles), key=lambda p: p.id
    )
    if not people:
        return []
    ids = [p.id for p in people]
    supervisors = q.supervisors_on(session, {p.id: local_date(as_of, p.timezone) for p in people})
    sup_ids = {s for s in supervisors.values() if s is not None}
    zones = {p.id: p.timezone for p in people}
    zones.update(
        {pid: p.timezone for pid, p in q.people_by_id(session, sup_ids - zones.keys()).items()}
    )
    line_managers = q.supervisors_on(
        session, {sid: local_date(as_of, zones[sid]) for sid in sup_ids if sid in zones}
    )
    marks = q.session_marks(session, ids, as_of)
    result: list[NoCadence] = []
    for p in people:
        sup = supervisors.get(p.id)
        mark = marks.get(p.id, q.NO_MARKS)
        last = mark.last_held
        result.append(
            NoCadence(
                id=p.id,
                name=p.name,
                role=p.role,
                team=p.team,
                supervisor_id=sup,
                line_manager_id=line_managers.get(sup) if sup is not None else None,
                last_held=local_date(last, p.timezone) if last is not None else None,
                next_session=mark.next_booked,
                timezone=p.timezone,
            )
        )
    return result


def no_cadence_footnote(pack: PolicyPack, people: Sequence[NoCadence]) -> str | None:
    """The human table's footnote naming the people it leaves out (None when nobody)."""
    if not people:
        return None
    names = ", ".join(f"{p.name} ({p.role.replace('_', ' ')})" for p in people)
    return (
        f"Not in the table, their role has no supervision cadence in the {pack.name} pack: {names}."
    )


def status_of(
    session: Session, pack: PolicyPack, person_id: str, as_of: datetime
) -> PersonStatus | None:
    """One person's status, or None when they are unknown, inactive or not supervised."""
    found = statuses(session, pack, as_of, [person_id])
    return found[0] if found else None


def unknown_roles(session: Session, pack: PolicyPack) -> dict[str, list[str]]:
    """Roles held by active people that `pack` does not define: role -> person ids."""
    unknown: dict[str, list[str]] = {}
    for p in q.active_people_facts(session):
        if p.role not in pack.roles:
            unknown.setdefault(p.role, []).append(p.id)
    return unknown


STATES = ("overdue", "to book", "booked late", "booked")


def state_of(st: PersonStatus) -> str:
    """'overdue'; 'booked' (a session is booked by the due date); 'booked late' (the next
    session booked is after the due date, so it will be missed unless one is brought
    forward); or 'to book' (nothing booked)."""
    if st.overdue:
        return "overdue"
    if st.next_session is None:
        return "to book"
    if local_date(st.next_session, st.timezone) <= st.next_due:
        return "booked"
    return "booked late"
