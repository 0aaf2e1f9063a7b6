"""The store as it was known at an instant T: each fact counts from its own instant.

A booking is known from `booked_at`, an outcome from `held_at` / `cancelled_at`,
a record from `record_shared_at` / `record_signed_at` / `record_deemed_agreed_at`,
an absence from the start of its first day (or from when it was recorded, if
earlier), a supervisor change from its effective day, an agreement from the day
it was signed, an action from `created_at` until `done_at`.

The live loop reads the timeline at T = now and the simulation at the virtual
clock's instant: the same queries. Every loader takes a set of people and runs a
constant number of statements per chunk of ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.clock import local_date, require_aware, start_of_day
from storage.models import (
    Absence,
    ActionItem,
    Agreement,
    Person,
    SupervisionSession,
    SupervisorChange,
)
from storage.status_queries import chunks, people_by_id, supervisors_on


@dataclass(frozen=True)
class KnownSession:
    """A session with only the state changes known at the timeline's instant."""

    id: int
    supervisee_id: str
    supervisor_id: str | None
    kind: str
    scheduled_at: datetime
    duration_minutes: int
    booked_at: datetime
    held_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    rearranged_from_id: int | None
    record_shared_at: datetime | None
    record_signed_at: datetime | None
    record_deemed_agreed_at: datetime | None

    @property
    def ends_at(self) -> datetime:
        return self.scheduled_at + timedelta(minutes=self.duration_minutes)

    @property
    def pending(self) -> bool:
        """Booked, and neither held nor cancelled (as known)."""
        return self.held_at is None and self.cancelled_at is None


@dataclass(frozen=True)
class KnownAbsence:
    id: int
    person_id: str
    first_day: date
    last_day: date
    reason: str


@dataclass(frozen=True)
class KnownAgreement:
    supervisee_id: str
    supervisor_id: str
    signed_on: date


@dataclass(frozen=True)
class KnownAction:
    id: int
    session_id: int | None
    supervisee_id: str
    owner_id: str
    text: str
    due_on: date
    created_at: datetime


def _known(at: datetime | None, as_of: datetime) -> datetime | None:
    return at if at is not None and at <= as_of else None


class Timeline:
    """Read the store as known at `as_of`."""

    def __init__(self, session: Session, as_of: datetime) -> None:
        require_aware(as_of)
        self.session = session
        self.as_of = as_of

    def people(self, ids: Iterable[str]) -> dict[str, Person]:
        return people_by_id(self.session, ids)

    def supervisors(self, people: Iterable[Person]) -> dict[str, str | None]:
        """Each person's supervisor on their local date of `as_of`."""
        return supervisors_on(
            self.session, {p.id: local_date(self.as_of, p.timezone) for p in people}
        )

    def supervisor_since(self, people: Iterable[Person]) -> dict[str, date]:
        """The day each person's current supervision relationship began (latest change in force).

        People with no change history are taken to have had their supervisor since role start.
        """
        plist = list(people)
        since = {p.id: p.role_start for p in plist}
        day = {p.id: local_date(self.as_of, p.timezone) for p in plist}
        latest: dict[str, date] = {}
        for part in chunks(sorted(since)):
            rows = _rows(
                self.session,
                sa_select(col(SupervisorChange.person_id), col(SupervisorChange.effective)).where(
                    col(SupervisorChange.person_id).in_(part)
                ),
            )
            for pid, effective in rows:
                if effective <= day[pid] and (pid not in latest or effective > latest[pid]):
                    latest[pid] = effective
        since.update(latest)
        return since

    def sessions(
        self, supervisee_ids: Iterable[str], since: datetime, until: datetime | None = None
    ) -> dict[str, list[KnownSession]]:
        """Sessions booked by `as_of`, scheduled in [since, until], oldest first."""
        t = self.as_of
        s = SupervisionSession
        cols = [
            col(c)
            for c in (
                s.id, s.supervisee_id, s.supervisor_id, s.kind, s.scheduled_at,
                s.duration_minutes, s.booked_at, s.held_at, s.cancelled_at, s.cancel_reason,
                s.rearranged_from_id, s.record_shared_at, s.record_signed_at,
                s.record_deemed_agreed_at,
            )
        ]  # fmt: skip
        found: dict[str, list[KnownSession]] = {}
        for part in chunks(sorted(set(supervisee_ids))):
            stmt = sa_select(*cols).where(
                col(s.supervisee_id).in_(part),
                col(s.booked_at) <= t,
                col(s.scheduled_at) >= since,
            )
            if until is not None:
                stmt = stmt.where(col(s.scheduled_at) <= until)
            for r in _rows(self.session, stmt):
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

    def last_booked(self, supervisee_ids: Iterable[str], kind: str) -> dict[str, datetime]:
        """Each person's latest session of `kind` booked by `as_of` and neither cancelled nor
        held by then (how far ahead their sessions are planned; facts only, not the clock)."""
        t = self.as_of
        s = SupervisionSession
        found: dict[str, datetime] = {}
        for part in chunks(sorted(set(supervisee_ids))):
            stmt = (
                sa_select(col(s.supervisee_id), func.max(col(s.scheduled_at)))
                .where(
                    col(s.supervisee_id).in_(part),
                    col(s.kind) == kind,
                    col(s.booked_at) <= t,
                    or_(col(s.cancelled_at).is_(None), col(s.cancelled_at) > t),
                    or_(col(s.held_at).is_(None), col(s.held_at) > t),
                )
                .group_by(col(s.supervisee_id))
            )
            for pid, at in _rows(self.session, stmt):
                found[pid] = _aware(at)
        return found

    def absences(self, people: Iterable[Person], since_day: date) -> dict[str, list[KnownAbsence]]:
        """Absences known at `as_of` (from their first day) ending on or after `since_day`."""
        plist = {p.id: p for p in people}
        found: dict[str, list[KnownAbsence]] = {}
        for part in chunks(sorted(plist)):
            rows = self.session.exec(
                select(Absence).where(
                    col(Absence.person_id).in_(part), col(Absence.last_day) >= since_day
                )
            ).all()
            for a in rows:
                if absence_known_at(a, plist[a.person_id].timezone) <= self.as_of:
                    found.setdefault(a.person_id, []).append(
                        KnownAbsence(a.id or 0, a.person_id, a.first_day, a.last_day, a.reason)
                    )
        for items in found.values():
            items.sort(key=lambda a: (a.first_day, a.id))
        return found

    def agreements(self, people: Iterable[Person]) -> dict[str, KnownAgreement]:
        """Each supervisee's latest agreement signed on or before their local date of `as_of`."""
        plist = {p.id: p for p in people}
        found: dict[str, KnownAgreement] = {}
        for part in chunks(sorted(plist)):
            rows = self.session.exec(
                select(Agreement).where(col(Agreement.supervisee_id).in_(part))
            ).all()
            for a in rows:
                if a.signed_on > local_date(self.as_of, plist[a.supervisee_id].timezone):
                    continue
                best = found.get(a.supervisee_id)
                if best is None or a.signed_on > best.signed_on:
                    found[a.supervisee_id] = KnownAgreement(
                        a.supervisee_id, a.supervisor_id, a.signed_on
                    )
        return found

    def open_actions(self, supervisee_ids: Iterable[str]) -> dict[str, list[KnownAction]]:
        """Actions created by `as_of` and not done by then, per supervisee."""
        t = self.as_of
        found: dict[str, list[KnownAction]] = {}
        for part in chunks(sorted(set(supervisee_ids))):
            rows = self.session.exec(
                select(ActionItem).where(
                    col(ActionItem.supervisee_id).in_(part),
                    col(ActionItem.created_at) <= t,
                    or_(col(ActionItem.done_at).is_(None), col(ActionItem.done_at) > t),
                )
            ).all()
            for a in rows:
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

    def supervisees(self, supervisor_ids: Iterable[str]) -> dict[str, list[Person]]:
        """Active people supervised by each of `supervisor_ids` on the local date of `as_of`.

        Candidates are current supervisees plus anyone with a change history naming
        the supervisor; each is then checked against the history as of `as_of`.
        """
        sup_ids = sorted(set(supervisor_ids))
        candidates = self.ever_supervised_by(sup_ids)
        people = {pid: p for pid, p in self.people(candidates).items() if p.active}
        on = self.supervisors(people.values())
        wanted = set(sup_ids)
        found: dict[str, list[Person]] = {}
        for pid, sup in on.items():
            if sup in wanted and pid in people:
                found.setdefault(sup, []).append(people[pid])
        return found

    def ever_supervised_by(self, supervisor_ids: Iterable[str]) -> set[str]:
        """Current supervisees of `supervisor_ids` plus anyone a change history names them for."""
        candidates: set[str] = set()
        for part in chunks(sorted(set(supervisor_ids))):
            candidates.update(
                _scalars(
                    self.session,
                    sa_select(col(Person.id)).where(
                        col(Person.supervisor_id).in_(part), col(Person.active).is_(True)
                    ),
                )
            )
            candidates.update(
                _scalars(
                    self.session,
                    sa_select(col(SupervisorChange.person_id)).where(
                        col(SupervisorChange.supervisor_id).in_(part)
                    ),
                )
            )
        return candidates

    def supervision_spells(
        self, supervisor_ids: Iterable[str], people: Iterable[Person]
    ) -> dict[str, list[tuple[date, date | None]]]:
        """For each supervisor, the spells [start, end) in which each of `people` (anyone
        who was ever their supervisee) was supervised by them, from the change history
        known on the local date of `as_of` (the rules of `supervisors_on`: before a
        person's first change nobody; no history at all: `Person.supervisor_id` since
        role start)."""
        wanted = set(supervisor_ids)
        plist = {p.id: p for p in people}
        history: dict[str, list[tuple[date, str | None]]] = {}
        for part in chunks(sorted(plist)):
            rows = _rows(
                self.session,
                sa_select(
                    col(SupervisorChange.person_id),
                    col(SupervisorChange.effective),
                    col(SupervisorChange.supervisor_id),
                ).where(col(SupervisorChange.person_id).in_(part)),
            )
            for pid, effective, sup in rows:
                known = history.setdefault(pid, [])  # before the first change: nobody
                if effective <= local_date(self.as_of, plist[pid].timezone):
                    known.append((effective, sup))
        spells: dict[str, list[tuple[date, date | None]]] = {}
        for pid, p in plist.items():
            changes = sorted(history[pid]) if pid in history else [(p.role_start, p.supervisor_id)]
            for i, (start, sup) in enumerate(changes):
                if sup in wanted:
                    end = changes[i + 1][0] if i + 1 < len(changes) else None
                    spells.setdefault(sup or "", []).append((start, end))
        return spells


def absence_known_at(a: Absence, tz: str | None) -> datetime:
    """An absence becomes known on its first day, or when recorded if that was earlier."""
    first = start_of_day(a.first_day, tz)
    return min(first, a.recorded_at) if a.recorded_at is not None else first


# --- what changed, and when the next fact becomes known ---------------------------------

_SESSION_FACTS = (
    SupervisionSession.booked_at,
    SupervisionSession.held_at,
    SupervisionSession.cancelled_at,
    SupervisionSession.record_shared_at,
    SupervisionSession.record_signed_at,
    SupervisionSession.record_deemed_agreed_at,
)


def changed_people(session: Session, after: datetime, until: datetime) -> set[str]:
    """People whose facts became known in (after, until], plus those whose plans depend on them.

    A supervisor's absence or a change of supervisor also touches the supervisees
    and the supervisors concerned (absent-supervisor and ratio escalations).
    """
    s = SupervisionSession
    touched: set[str] = set()
    in_window = or_(*[(col(c) > after) & (col(c) <= until) for c in _SESSION_FACTS])
    # Every candidate a session leads to is about its supervisee (the subject).
    touched.update(_scalars(session, sa_select(col(s.supervisee_id)).where(in_window)))
    fanout: set[str] = set()
    # Day-granular facts: widen by a day each side, then test their exact instants.
    lo, hi = after.date() - timedelta(days=2), until.date() + timedelta(days=2)
    rows_a = _entity_rows(
        session,
        sa_select(Absence, col(Person.timezone))
        .join(Person, col(Person.id) == col(Absence.person_id))
        .where(
            or_(
                (col(Absence.first_day) >= lo) & (col(Absence.first_day) <= hi),
                (col(Absence.recorded_at) > after) & (col(Absence.recorded_at) <= until),
            )
        ),
    )
    for a, tz in rows_a:
        if after < absence_known_at(a, tz) <= until:
            touched.add(a.person_id)
            fanout.add(a.person_id)
    # A change or an agreement counts from its day, or from when it was recorded if that
    # was later (recorded after the day's first pass, or backdated).
    rows_c = _entity_rows(
        session,
        sa_select(SupervisorChange, col(Person.timezone))
        .join(Person, col(Person.id) == col(SupervisorChange.person_id))
        .where(
            or_(
                (col(SupervisorChange.effective) >= lo) & (col(SupervisorChange.effective) <= hi),
                (col(SupervisorChange.recorded_at) > after)
                & (col(SupervisorChange.recorded_at) <= until),
            )
        ),
    )
    for ch, tz in rows_c:
        if after < start_of_day(ch.effective, tz) <= until or after < ch.recorded_at <= until:
            touched.add(ch.person_id)
            if ch.supervisor_id:
                touched.add(ch.supervisor_id)
            for previous in _scalars(
                session, sa_select(col(Person.supervisor_id)).where(col(Person.id) == ch.person_id)
            ):
                if previous:
                    touched.add(previous)
    rows_g = _rows(
        session,
        sa_select(
            col(Agreement.supervisee_id),
            col(Agreement.signed_on),
            col(Agreement.recorded_at),
            col(Person.timezone),
        )
        .join(Person, col(Person.id) == col(Agreement.supervisee_id))
        .where(
            or_(
                (col(Agreement.signed_on) >= lo) & (col(Agreement.signed_on) <= hi),
                (col(Agreement.recorded_at) > after) & (col(Agreement.recorded_at) <= until),
            )
        ),
    )
    for pid, signed_on, recorded, tz in rows_g:
        if after < start_of_day(signed_on, tz) <= until or after < _aware(recorded) <= until:
            touched.add(pid)
    for column in (ActionItem.created_at, ActionItem.done_at):
        c = col(column)
        touched.update(
            _scalars(session, sa_select(col(ActionItem.supervisee_id)).where(c > after, c <= until))
        )
    if fanout:
        for part in chunks(sorted(fanout)):
            touched.update(
                _scalars(
                    session, sa_select(col(Person.id)).where(col(Person.supervisor_id).in_(part))
                )
            )
    return touched


# Tables whose new rows concern a person: (table, the person column).
_ROW_OWNERS: tuple[tuple[Any, Any], ...] = (
    (SupervisionSession, SupervisionSession.supervisee_id),
    (Absence, Absence.person_id),
    (Agreement, Agreement.supervisee_id),
    (SupervisorChange, SupervisorChange.person_id),
    (ActionItem, ActionItem.supervisee_id),
)


def new_rows_since(
    session: Session, marks: dict[str, int] | None
) -> tuple[set[str], dict[str, int]]:
    """People concerned by rows with an id above each table's mark, and the new marks.

    The safety net for facts written with an earlier instant than the moment they were
    written (an imported session booked "28 days ago", an imported outcome): each is a
    primary-key range read. With no marks, only the marks are returned.
    """
    people: set[str] = set()
    latest: dict[str, int] = {}
    for table, owner in _ROW_OWNERS:
        name = table.__tablename__
        top = session.connection().execute(sa_select(func.max(col(table.id)))).scalar()
        latest[name] = int(top or 0)
        if marks is None or latest[name] <= marks.get(name, 0):
            continue
        people.update(
            _scalars(session, sa_select(col(owner)).where(col(table.id) > marks.get(name, 0)))
        )
    if people:
        # A supervisor's absence or change concerns their supervisees too.
        for part in chunks(sorted(people)):
            people.update(
                _scalars(
                    session, sa_select(col(Person.id)).where(col(Person.supervisor_id).in_(part))
                )
            )
    return people, latest


def next_fact_instant(session: Session, after: datetime) -> datetime | None:
    """The earliest instant after `after` at which some fact becomes known, if any."""
    columns = (*_SESSION_FACTS, ActionItem.created_at, ActionItem.done_at, Absence.recorded_at)
    # One statement; each scalar subquery is an index seek where the column is indexed.
    firsts = session.execute(
        sa_select(
            *[sa_select(func.min(col(c))).where(col(c) > after).scalar_subquery() for c in columns]
        )
    ).one()
    candidates = [_aware(v) for v in firsts if v is not None]
    # Day-granular facts start at local midnight; look from the day before (timezones).
    day = after.date() - timedelta(days=1)
    day_facts: tuple[tuple[Any, Any], ...] = (
        (Absence.first_day, Absence.person_id),
        (SupervisorChange.effective, SupervisorChange.person_id),
        (Agreement.signed_on, Agreement.supervisee_id),
    )
    for field_, who in day_facts:
        rows = _rows(
            session,
            sa_select(col(field_), col(Person.timezone))
            .join(Person, col(Person.id) == col(who))
            .where(col(field_) >= day)
            .order_by(col(field_))
            .limit(50),
        )
        for d, tz in rows:
            at = start_of_day(d, tz)
            if at > after:
                candidates.append(at)
                break
    return min(candidates) if candidates else None


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def local_day(at: datetime, person: Person) -> date:
    return local_date(at, person.timezone)


def _rows(session: Session, stmt: Any) -> list[Any]:
    # Core statements go straight to the connection (no ORM bookkeeping per row).
    return list(session.connection().execute(stmt).all())


def _scalars(session: Session, stmt: Any) -> list[Any]:
    return list(session.connection().execute(stmt).scalars().all())


def _entity_rows(session: Session, stmt: Any) -> list[Any]:
    return list(session.execute(stmt).all())
