"""The store as it was known at an instant T: each fact counts from its own instant.

A booking is known from `booked_at`, an outcome from `held_at` / `cancelled_at`,
a record from `record_shared_at` / `record_signed_at` / `record_deemed_agreed_at`,
an absence from the start of its first day (or from when it was recorded, if
earlier), a supervisor change from its effective day, an agreement from the day
it was signed, an action from `created_at` until `done_at`.

The live loop reads the timeline at T = now and the simulation at the virtual
clock's instant: the same queries. Every loader takes a set of people and runs a
constant number of statements per chunk of ids. The statements are built once with
bound parameters (building one costs more than running it for a batch of people),
and a `Timeline` remembers the people and supervisors it has looked up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from bot.clock import local_date, require_aware, start_of_day
from storage.known import (
    KnownAbsence,
    KnownAction,
    KnownAgreement,
    KnownPerson,
    KnownSession,
)
from storage.models import Absence, Person
from storage.roles import History, histories, role_on
from storage.status_queries import chunks, for_ids, ids_in, run, supervisors_on

_PEOPLE = SQLModel.metadata.tables["person"]
_SESSIONS = SQLModel.metadata.tables["supervision_session"]
_CHANGES = SQLModel.metadata.tables["supervisor_change"]
_ABSENCES = SQLModel.metadata.tables["absence"]
_AGREEMENTS = SQLModel.metadata.tables["agreement"]
_ACTIONS = SQLModel.metadata.tables["action_item"]
_ROLES = SQLModel.metadata.tables["role_change"]


def _known(at: datetime | None, as_of: datetime) -> datetime | None:
    return at if at is not None and at <= as_of else None


# --- the statements a timeline runs (`:ids` expands to a chunk of ids) -------------------

_S = _SESSIONS.c
_AS_OF: Any = bindparam("as_of")
_PERSON_COLUMNS = [_PEOPLE.c[name] for name in KnownPerson.__dataclass_fields__]
_PERSON_ROWS = for_ids(lambda where: sa_select(*_PERSON_COLUMNS).where(where), _PEOPLE.c.id)
_CHANGES_OF = sa_select(_CHANGES.c.person_id, _CHANGES.c.effective, _CHANGES.c.supervisor_id).where(
    ids_in(_CHANGES.c.person_id)
)
_SESSION_COLUMNS = (
    _S.id, _S.supervisee_id, _S.supervisor_id, _S.kind, _S.scheduled_at, _S.duration_minutes,
    _S.booked_at, _S.held_at, _S.cancelled_at, _S.cancel_reason, _S.rearranged_from_id,
    _S.record_shared_at, _S.record_signed_at, _S.record_deemed_agreed_at,
)  # fmt: skip
_SESSIONS_SINCE = sa_select(*_SESSION_COLUMNS).where(
    ids_in(_S.supervisee_id), _S.booked_at <= _AS_OF, _S.scheduled_at >= bindparam("since")
)
_SESSIONS_BETWEEN = _SESSIONS_SINCE.where(_S.scheduled_at <= bindparam("until"))
_ABSENCES_SINCE = sa_select(_ABSENCES).where(
    ids_in(_ABSENCES.c.person_id), _ABSENCES.c.last_day >= bindparam("since_day")
)
_AGREEMENTS_OF = sa_select(_AGREEMENTS).where(ids_in(_AGREEMENTS.c.supervisee_id))
_OPEN_ACTIONS = sa_select(_ACTIONS).where(
    ids_in(_ACTIONS.c.supervisee_id),
    _ACTIONS.c.created_at <= _AS_OF,
    or_(_ACTIONS.c.done_at.is_(None), _ACTIONS.c.done_at > _AS_OF),
)
# `active` is tested on the rows found: as a filter, SQLite would rather scan every
# active person than seek the supervisor index.
_SUPERVISED_NOW = sa_select(_PEOPLE.c.id, _PEOPLE.c.active, _PEOPLE.c.supervisor_id).where(
    ids_in(_PEOPLE.c.supervisor_id)
)
_SUPERVISED_EVER = sa_select(_CHANGES.c.person_id, _CHANGES.c.supervisor_id).where(
    ids_in(_CHANGES.c.supervisor_id)
)


def chunked_rows(session: Session, stmt: Any, ids: Iterable[str], **params: Any) -> Iterator[Any]:
    """The rows of `stmt` for each chunk of `ids` (Core rows, no ORM bookkeeping)."""
    conn = session.connection()
    for part in chunks(sorted(set(ids))):
        yield from conn.execute(stmt, {**params, "ids": list(part)}).all()


@dataclass
class SteadyFacts:
    """What timelines looked up that no engine pass changes: people, their supervisors on
    a day, when the supervision began, agreements in force on a day, who a supervisor ever
    supervised. A replay shares one across its timelines (its copy of the store changes
    only sessions and the outbox while it runs); the live loop, whose store anyone may
    write at any moment, never does."""

    people: dict[str, KnownPerson | None] = field(default_factory=dict)
    supervisor: dict[tuple[str, date], str | None] = field(default_factory=dict)
    since: dict[tuple[str, date], date] = field(default_factory=dict)
    agreement: dict[tuple[str, date], KnownAgreement | None] = field(default_factory=dict)
    ever_supervised: dict[str, frozenset[str]] = field(default_factory=dict)
    roles: dict[str, History] = field(default_factory=dict)  # role histories, where kept
    # Per table, the people with rows in it (`ROW_OWNERS`), where known: nobody else's
    # rows need looking up (no pass adds a row to these tables).
    owners: dict[str, frozenset[str]] = field(default_factory=dict)

    def may_have_rows(self, table: str, ids: Iterable[str]) -> set[str]:
        """Those of `ids` that may have rows in `table`."""
        known = self.owners.get(table)
        return set(ids) if known is None else set(known.intersection(ids))


# The fact tables whose rows concern one person, and the column naming them (whose rows
# `SteadyFacts.owners` holds; whose new rows a sweep looks for).
ROW_OWNERS = {
    "supervision_session": "supervisee_id",
    "absence": "person_id",
    "agreement": "supervisee_id",
    "supervisor_change": "person_id",
    "action_item": "supervisee_id",
    "role_change": "person_id",
}


class Timeline:
    """Read the store as known at `as_of`.

    People and supervisors looked up once are remembered (for the timeline, or with
    `steady` for every timeline sharing it): a planning batch asks about the same
    supervisors and line managers from several loaders.
    """

    def __init__(
        self, session: Session, as_of: datetime, steady: SteadyFacts | None = None
    ) -> None:
        require_aware(as_of)
        self.session = session
        self.as_of = as_of
        self.steady = steady or SteadyFacts()

    def _day(self, person: KnownPerson) -> date:
        return local_date(self.as_of, person.timezone)

    def people(self, ids: Iterable[str]) -> dict[str, KnownPerson]:
        """Everyone (active or not) among `ids`."""
        known = self.steady.people
        wanted = set(ids)
        missing = wanted - known.keys()
        if missing:
            known.update(dict.fromkeys(missing))
            for row in run(self.session, _PERSON_ROWS, sorted(missing)):
                if row[0] in missing:
                    known[row[0]] = KnownPerson(*row)
            self.steady.roles.update(histories(self.session, missing))
        return {pid: self._in_role(p) for pid in wanted if (p := known[pid]) is not None}

    def _first_start(self, person: KnownPerson) -> date:
        """When `person`'s first recorded role began: with no change of supervisor on record,
        their supervision began then (a later change of role is not a new supervisor)."""
        history = self.steady.roles.get(person.id)
        return history[0][0] if history else person.role_start

    def _in_role(self, person: KnownPerson) -> KnownPerson:
        """`person` in the role they held on their local date of `as_of`."""
        history = self.steady.roles.get(person.id)
        held = role_on(history, self._day(person)) if history else None
        if held is None or held == (person.role, person.role_start):
            return person
        return replace(person, role=held[0], role_start=held[1])

    def supervisors(self, people: Iterable[KnownPerson]) -> dict[str, str | None]:
        """Each person's supervisor on their local date of `as_of`."""
        known = self.steady.supervisor
        plist = list(people)
        keyed = {p.id: (p.id, self._day(p)) for p in plist}
        todo = {p.id: p for p in plist if keyed[p.id] not in known}
        if todo:
            # With no change history, the supervisor is the one on the person's row.
            found = {pid: p.supervisor_id for pid, p in todo.items()}
            history = self.steady.may_have_rows("supervisor_change", todo)
            if history:
                found.update(
                    supervisors_on(
                        self.session,
                        {pid: keyed[pid][1] for pid in history},
                        fallback={pid: todo[pid].supervisor_id for pid in history},
                    )
                )
            known.update({keyed[pid]: sup for pid, sup in found.items()})
        return {pid: known[key] for pid, key in keyed.items()}

    def supervisor_since(self, people: Iterable[KnownPerson]) -> dict[str, date]:
        """The day each person's current supervision relationship began (latest change in force).

        People with no change history are taken to have had their supervisor since the start
        of their first recorded role.
        """
        known = self.steady.since
        plist = {p.id: p for p in people}
        keyed = {pid: (pid, self._day(p)) for pid, p in plist.items()}
        todo = {pid: self._first_start(p) for pid, p in plist.items() if keyed[pid] not in known}
        latest: dict[str, date] = {}
        if todo:
            history = self.steady.may_have_rows("supervisor_change", todo)
            for pid, effective, _sup in chunked_rows(self.session, _CHANGES_OF, history):
                if effective <= keyed[pid][1] and (pid not in latest or effective > latest[pid]):
                    latest[pid] = effective
            todo.update(latest)
            known.update({keyed[pid]: day for pid, day in todo.items()})
        return {pid: known[key] for pid, key in keyed.items()}

    def sessions(
        self, supervisee_ids: Iterable[str], since: datetime, until: datetime | None = None
    ) -> dict[str, list[KnownSession]]:
        """Sessions booked by `as_of`, scheduled in [since, until], oldest first."""
        t = self.as_of
        stmt = _SESSIONS_SINCE if until is None else _SESSIONS_BETWEEN
        found: dict[str, list[KnownSession]] = {}
        rows = chunked_rows(self.session, stmt, supervisee_ids, as_of=t, since=since, until=until)
        for r in rows:
            cancelled = _known(r[8], t)
            found.setdefault(r[1], []).append(
                KnownSession(
                    id=r[0], supervisee_id=r[1], supervisor_id=r[2], kind=r[3],
                    scheduled_at=r[4], duration_minutes=r[5], booked_at=r[6],
                    held_at=_known(r[7], t), cancelled_at=cancelled,
                    cancel_reason=r[9] if cancelled else None, rearranged_from_id=r[10],
                    record_shared_at=_known(r[11], t), record_signed_at=_known(r[12], t),
                    record_deemed_agreed_at=_known(r[13], t),
                )
            )  # fmt: skip
        for items in found.values():
            items.sort(key=lambda k: (k.scheduled_at, k.id))
        return found

    def absences(
        self, people: Iterable[KnownPerson], since_day: date
    ) -> dict[str, list[KnownAbsence]]:
        """Absences known at `as_of` (from their first day) ending on or after `since_day`."""
        plist = {p.id: p for p in people}
        found: dict[str, list[KnownAbsence]] = {}
        ids = self.steady.may_have_rows("absence", plist)
        for a in chunked_rows(self.session, _ABSENCES_SINCE, ids, since_day=since_day):
            known = absence_known(a.first_day, a.recorded_at, plist[a.person_id].timezone)
            if known <= self.as_of:
                found.setdefault(a.person_id, []).append(
                    KnownAbsence(a.id or 0, a.person_id, a.first_day, a.last_day, a.reason)
                )
        for items in found.values():
            items.sort(key=lambda a: (a.first_day, a.id))
        return found

    def agreements(self, people: Iterable[KnownPerson]) -> dict[str, KnownAgreement]:
        """Each supervisee's latest agreement signed on or before their local date of `as_of`."""
        known = self.steady.agreement
        plist = {p.id: p for p in people}
        keyed = {pid: (pid, self._day(p)) for pid, p in plist.items()}
        todo = {pid for pid, key in keyed.items() if key not in known}
        if todo:
            found: dict[str, KnownAgreement | None] = dict.fromkeys(todo)
            for a in chunked_rows(self.session, _AGREEMENTS_OF, todo):
                if a.signed_on > keyed[a.supervisee_id][1]:
                    continue
                best = found[a.supervisee_id]
                if best is None or a.signed_on > best.signed_on:
                    found[a.supervisee_id] = KnownAgreement(
                        a.supervisee_id, a.supervisor_id, a.signed_on
                    )
            known.update({keyed[pid]: agreement for pid, agreement in found.items()})
        return {pid: a for pid, key in keyed.items() if (a := known[key]) is not None}

    def open_actions(self, supervisee_ids: Iterable[str]) -> dict[str, list[KnownAction]]:
        """Actions created by `as_of` and not done by then, per supervisee."""
        found: dict[str, list[KnownAction]] = {}
        ids = self.steady.may_have_rows("action_item", supervisee_ids)
        for a in chunked_rows(self.session, _OPEN_ACTIONS, ids, as_of=self.as_of):
            found.setdefault(a.supervisee_id, []).append(
                KnownAction(
                    a.id or 0,
                    a.session_id,
                    a.supervisee_id,
                    a.owner_id,
                    a.text,
                    a.due_on,
                    a.created_at,
                )
            )
        return found

    def supervisees(self, supervisor_ids: Iterable[str]) -> dict[str, list[KnownPerson]]:
        """Active people supervised by each of `supervisor_ids` on the local date of `as_of`.

        Candidates are current supervisees plus anyone with a change history naming
        the supervisor; each is then checked against the history as of `as_of`.
        """
        sup_ids = sorted(set(supervisor_ids))
        candidates = self.ever_supervised_by(sup_ids)
        people = {pid: p for pid, p in self.people(candidates).items() if p.active}
        on = self.supervisors(people.values())
        wanted = set(sup_ids)
        found: dict[str, list[KnownPerson]] = {}
        for pid, sup in on.items():
            if sup in wanted and pid in people:
                found.setdefault(sup, []).append(people[pid])
        return found

    def ever_supervised_by(self, supervisor_ids: Iterable[str]) -> set[str]:
        """Current supervisees of `supervisor_ids` plus anyone a change history names them for."""
        known = self.steady.ever_supervised
        ids = set(supervisor_ids)
        todo = ids - known.keys()
        if todo:
            found: dict[str, set[str]] = {s: set() for s in todo}
            for pid, active, sup in chunked_rows(self.session, _SUPERVISED_NOW, todo):
                if active:
                    found[sup].add(pid)
            for pid, sup in chunked_rows(self.session, _SUPERVISED_EVER, todo):
                found[sup].add(pid)
            known.update({s: frozenset(people) for s, people in found.items()})
        return set().union(*(known[s] for s in ids))

    def supervision_spells(
        self, supervisor_ids: Iterable[str], people: Iterable[KnownPerson]
    ) -> dict[str, list[tuple[date, date | None]]]:
        """For each supervisor, the spells [start, end) in which each of `people` (anyone
        who was ever their supervisee) was supervised by them, from the change history
        known on the local date of `as_of` (the rules of `supervisors_on`: before a
        person's first change nobody; no history at all: `Person.supervisor_id` since
        role start)."""
        wanted = set(supervisor_ids)
        plist = {p.id: p for p in people}
        history: dict[str, list[tuple[date, str | None]]] = {}
        changed = self.steady.may_have_rows("supervisor_change", plist)
        for pid, effective, sup in chunked_rows(self.session, _CHANGES_OF, changed):
            known = history.setdefault(pid, [])  # before the first change: nobody
            if effective <= local_date(self.as_of, plist[pid].timezone):
                known.append((effective, sup))
        spells: dict[str, list[tuple[date, date | None]]] = {}
        for pid, p in plist.items():
            first = [(self._first_start(p), p.supervisor_id)]
            changes = sorted(history[pid]) if pid in history else first
            for i, (start, sup) in enumerate(changes):
                if sup in wanted:
                    end = changes[i + 1][0] if i + 1 < len(changes) else None
                    spells.setdefault(sup or "", []).append((start, end))
        return spells


def absence_known_at(a: Absence, tz: str | None) -> datetime:
    """An absence becomes known on its first day, or when recorded if that was earlier."""
    return absence_known(a.first_day, a.recorded_at, tz)


def absence_known(first_day: date, recorded_at: datetime | None, tz: str | None) -> datetime:
    first = start_of_day(first_day, tz)
    return min(first, recorded_at) if recorded_at is not None else first


def aware(value: datetime) -> datetime:
    """A datetime read back from the store, aware (SQLite keeps none)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def local_day(at: datetime, person: Person) -> date:
    return local_date(at, person.timezone)

