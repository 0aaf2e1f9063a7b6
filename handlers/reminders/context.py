"""Everything the planners need to know about one person, as known at an instant.

`load_contexts` reads the timeline for a batch of people with a constant number
of queries per chunk; the planners are pure functions of the contexts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.clock import local_date
from handlers.status import (
    PersonStatus,
    is_supervised,
    minimums_since,
    statuses_of,
    tracks_minimums,
)
from policy.engine import PolicyPack
from storage.known import KnownAbsence, KnownAction, KnownAgreement, KnownPerson, KnownSession
from storage.roles import History
from storage.status_queries import held_instants, session_marks
from storage.timeline import SteadyFacts, Timeline

HISTORY_DAYS = 120  # how far back sessions and absences matter to open lapses
# How far beyond the last candidate a pass needs, sessions still matter: the longest
# reminder lead a pack allows (30 working days), with room to spare.
LEAD_DAYS = 45
FUTURE_DAYS = 120  # when a pass does not bound what it needs


@dataclass(frozen=True)
class PlanParams:
    """The instant of planning and the engine's epoch.

    Lapses that began before the epoch (the first instant the engine ran, or the
    start of a simulation) are raised at the epoch instead of being lost.
    """

    as_of: datetime
    epoch: datetime
    fallback_id: str | None = None
    admin_ids: tuple[str, ...] = ()
    earliest: datetime | None = None  # candidates due outside [earliest, latest] are not
    latest: datetime | None = None  # needed by this pass, so they are not even built
    # Facts looked up once and shared by the plans of a whole replay (see `SteadyFacts`).
    steady: SteadyFacts | None = field(default=None, compare=False, repr=False)

    def wants(self, due: datetime) -> bool:
        return (self.earliest is None or due >= self.earliest) and (
            self.latest is None or due <= self.latest
        )

    def wants_escalation(self, due: datetime) -> bool:
        """Escalations are built however early they fell due (their key sends each lapse
        once), so a fact learnt late still escalates; only the far future is skipped."""
        return self.latest is None or due <= self.latest


@dataclass
class PersonContext:
    """One person (the subject of every candidate planned for them) and their surroundings."""

    person: KnownPerson
    today: date
    status: PersonStatus | None
    supervisor: KnownPerson | None
    line_manager: KnownPerson | None
    sessions: list[KnownSession]
    booked_until: datetime | None  # the latest pending 1:1 booked (how far ahead it is planned)
    absences: list[KnownAbsence]
    supervisor_absences: list[KnownAbsence]
    agreement: KnownAgreement | None
    supervisor_since: date
    actions: list[KnownAction]
    supervisees: list[KnownPerson]
    supervision_spells: list[tuple[date, date | None]]  # this person's, as a supervisor
    people: dict[str, KnownPerson] = field(repr=False)
    fallback: KnownPerson | None = None
    admins: list[KnownPerson] = field(default_factory=list)
    managers: dict[str, str | None] = field(default_factory=dict, repr=False)
    # When sessions of each kind were held in the last year (where the pack counts yearly
    # minimums): enough to count them on any day a pass plans for.
    held: dict[str, list[datetime]] = field(default_factory=dict, repr=False)
    roles: History = ()  # the person's role history, where they have one

    def who(self, person_id: str | None) -> KnownPerson | None:
        return self.people.get(person_id) if person_id else None

    def line_manager_of(self, supervisor: KnownPerson | None) -> KnownPerson | None:
        """The line manager (own supervisor, as of the plan's instant) of `supervisor`."""
        if supervisor is None:
            return None
        if self.supervisor is not None and supervisor.id == self.supervisor.id:
            return self.line_manager
        return self.who(self.managers.get(supervisor.id))

    def absences_of(self, person_id: str | None) -> list[KnownAbsence]:
        if person_id == self.person.id:
            return self.absences
        if self.supervisor is not None and person_id == self.supervisor.id:
            return self.supervisor_absences
        return []


def load_contexts(
    session: Session, pack: PolicyPack, params: PlanParams, person_ids: Sequence[str]
) -> list[PersonContext]:
    """Contexts for the active people among `person_ids`, as known at `params.as_of`."""
    as_of = params.as_of
    tl = Timeline(session, as_of, params.steady)
    people = {pid: p for pid, p in tl.people(person_ids).items() if p.active}
    if not people:
        return []
    ids = sorted(people)
    # Supervisor and line manager as of `as_of` (looked up once, shared with the status).
    supervisor_of = tl.supervisors(people.values())
    lookup = dict(people)
    lookup.update(tl.people({s for s in supervisor_of.values() if s} - lookup.keys()))
    sups = [lookup[s] for s in {s for s in supervisor_of.values() if s} if s in lookup]
    manager_of = tl.supervisors(sups)
    supervised = [people[pid].facts() for pid in ids if is_supervised(pack, people[pid].role)]
    marks = session_marks(session, ids, as_of)
    tracked = tracks_minimums(pack)
    held: dict[str, dict[str, list[datetime]]] = {}
    if tracked and supervised:
        # Back to the window of the earliest day the pass plans for (a row claimed late),
        # which covers today's, so the status counts from these too.
        lo = min(params.earliest, as_of) if params.earliest is not None else as_of
        first = min(minimums_since(local_date(lo, p.timezone), p.timezone) for p in supervised)
        held = held_instants(session, [p.id for p in supervised], first, as_of)
    status = {
        s.id: s
        for s in statuses_of(
            session,
            pack,
            as_of,
            supervised,
            supervisor_of,
            manager_of,
            marks=marks,
            roles=tl.steady.roles,
            held=held if tracked else None,
        )
    }

    since = tl.supervisor_since(people.values())
    until = (
        params.latest + timedelta(days=LEAD_DAYS)
        if params.latest is not None
        else as_of + timedelta(days=FUTURE_DAYS)
    )
    sessions = tl.sessions(ids, as_of - timedelta(days=HISTORY_DAYS), until)
    booked_until = {pid: m.booked_until for pid, m in marks.items() if m.booked_until}
    # A session's supervisor may not be the current one: their line manager hears of
    # a session they missed.
    session_sups = {k.supervisor_id for ks in sessions.values() for k in ks if k.supervisor_id}
    lookup.update(tl.people(session_sups - lookup.keys()))
    others = [lookup[s] for s in session_sups - manager_of.keys() if s in lookup]
    if others:
        manager_of.update(tl.supervisors(others))
    extra: set[str] = {m for m in manager_of.values() if m}
    actions = tl.open_actions(ids)
    extra.update(a.owner_id for acts in actions.values() for a in acts)
    if params.fallback_id:
        extra.add(params.fallback_id)
    extra.update(params.admin_ids)
    lookup.update(tl.people(extra - lookup.keys()))

    earliest = local_date(as_of, None) - timedelta(days=HISTORY_DAYS)
    absences = tl.absences([*people.values(), *sups], earliest)
    agreements = tl.agreements(people.values())
    supervisees: dict[str, list[KnownPerson]] = {}
    spells: dict[str, list[tuple[date, date | None]]] = {}
    if pack.ratio.max_supervisees is not None:
        supervisees = tl.supervisees(ids)
        over = [
            pid for pid, group in supervisees.items() if len(group) > pack.ratio.max_supervisees
        ]
        if over:
            ever = tl.people(tl.ever_supervised_by(over))
            spells = tl.supervision_spells(over, [p for p in ever.values() if p.active])

    result: list[PersonContext] = []
    for pid in ids:
        p = people[pid]
        sup = lookup.get(supervisor_of.get(pid) or "")
        lm = lookup.get(manager_of.get(sup.id) or "") if sup is not None else None
        result.append(
            PersonContext(
                person=p,
                today=local_date(as_of, p.timezone),
                status=status.get(pid),
                supervisor=sup,
                line_manager=lm,
                sessions=sessions.get(pid, []),
                booked_until=booked_until.get(pid),
                absences=absences.get(pid, []),
                supervisor_absences=absences.get(sup.id, []) if sup is not None else [],
                agreement=agreements.get(pid),
                supervisor_since=since[pid],
                actions=actions.get(pid, []),
                supervisees=supervisees.get(pid, []),
                supervision_spells=spells.get(pid, []),
                people=lookup,
                fallback=lookup.get(params.fallback_id or ""),
                admins=[lookup[a] for a in params.admin_ids if a in lookup],
                managers=manager_of,
                held=held.get(pid, {}),
                roles=tl.steady.roles.get(pid, ()),
            )
        )
    return result
