"""What changed in the store, and when the next fact becomes known (the engine's agenda).

`fact_events` finds when facts became known in a window of instants, and whose plans
they concern (each fact counts from its own instant, as in `storage.timeline`);
`changed_people` is who, in the window; `FactAgenda` keeps a span's events for a replay
(its passes and its wake-ups). `new_rows_since` is the safety net for facts written with
an earlier instant than the moment they were written.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from bot.clock import start_of_day
from storage.status_queries import ids_in
from storage.timeline import ROW_OWNERS, absence_known, aware, chunked_rows

_TABLES = SQLModel.metadata.tables
_PEOPLE = _TABLES["person"]
_SESSIONS = _TABLES["supervision_session"]
_CHANGES = _TABLES["supervisor_change"]
_ABSENCES = _TABLES["absence"]
_AGREEMENTS = _TABLES["agreement"]
_ACTIONS = _TABLES["action_item"]
_ROLES = _TABLES["role_change"]
_S = _SESSIONS.c

_SESSION_FACTS = (
    _S.booked_at,
    _S.held_at,
    _S.cancelled_at,
    _S.record_shared_at,
    _S.record_signed_at,
    _S.record_deemed_agreed_at,
)
_AFTER: Any = bindparam("after")
_UNTIL: Any = bindparam("until")
_LO: Any = bindparam("lo")
_HI: Any = bindparam("hi")


def _between(column: Any) -> Any:
    return (column > _AFTER) & (column <= _UNTIL)


# The supervisee and every instant of the sessions with a fact in the window.
_TOUCHED_SESSIONS = sa_select(_S.supervisee_id, *_SESSION_FACTS).where(
    or_(*[_between(c) for c in _SESSION_FACTS])
)


# Day-granular facts: widened by a day each side (`:lo`, `:hi`), then their exact instants
# are tested in Python.
def _touched_on_days(who: Any, day: Any, *more: Any) -> Any:
    """(who, *more, day, recorded_at, zone) of the rows dated in [:lo, :hi] or recorded in
    the window."""
    recorded = day.table.c.recorded_at
    return (
        sa_select(who, *more, day, recorded, _PEOPLE.c.timezone)
        .join(_PEOPLE, _PEOPLE.c.id == who)
        .where(or_((day >= _LO) & (day <= _HI), _between(recorded)))
    )


_TOUCHED_ABSENCES = _touched_on_days(_ABSENCES.c.person_id, _ABSENCES.c.first_day)
_TOUCHED_CHANGES = _touched_on_days(
    _CHANGES.c.person_id, _CHANGES.c.effective, _CHANGES.c.supervisor_id
)
_TOUCHED_AGREEMENTS = _touched_on_days(_AGREEMENTS.c.supervisee_id, _AGREEMENTS.c.signed_on)
_TOUCHED_ROLES = _touched_on_days(_ROLES.c.person_id, _ROLES.c.role_start)
_SUPERVISOR_OF = sa_select(_PEOPLE.c.supervisor_id).where(_PEOPLE.c.id == bindparam("person"))
_TOUCHED_ACTIONS = sa_select(
    _ACTIONS.c.supervisee_id, _ACTIONS.c.created_at, _ACTIONS.c.done_at
).where(or_(_between(_ACTIONS.c.created_at), _between(_ACTIONS.c.done_at)))
_SUPERVISEES_OF = sa_select(_PEOPLE.c.id, _PEOPLE.c.supervisor_id).where(
    ids_in(_PEOPLE.c.supervisor_id)
)
FactEvent = tuple[datetime, frozenset[str]]


def fact_events(session: Session, after: datetime, until: datetime) -> list[FactEvent]:
    """Each instant in (after, until] at which recorded facts become known, with the people
    whose plans they concern, in time order.

    A session's facts concern its supervisee (the subject of every candidate it leads
    to). A supervisor's absence or a change of supervisor also concerns the supervisees
    and the supervisors involved (absent-supervisor and ratio escalations). A change, an
    agreement or a role counts from its day, and again from when it was recorded if that
    fell in the window (recorded after the day's first pass, or backdated).
    """
    conn = session.connection()
    found: dict[datetime, set[str]] = {}

    def within(*instants: datetime | None) -> list[datetime]:
        return [at for t in instants if t is not None and after < (at := aware(t)) <= until]

    def touch(at: datetime, *people: str | None) -> None:
        found.setdefault(at, set()).update(p for p in people if p)

    window = {"after": after, "until": until}
    for pid, *instants in conn.execute(_TOUCHED_SESSIONS, window):
        for at in within(*instants):
            touch(at, pid)
    days = {
        **window,
        "lo": after.date() - timedelta(days=2),
        "hi": until.date() + timedelta(days=2),
    }
    absent: list[tuple[datetime, str]] = []
    for pid, first_day, recorded_at, tz in conn.execute(_TOUCHED_ABSENCES, days):
        for at in within(absence_known(first_day, recorded_at, tz)):
            touch(at, pid)
            absent.append((at, pid))
    for pid, sup, effective, recorded_at, tz in conn.execute(_TOUCHED_CHANGES, days).all():
        if instants := within(start_of_day(effective, tz), recorded_at):
            previous = conn.execute(_SUPERVISOR_OF, {"person": pid}).scalars().all()
            for at in instants:
                touch(at, pid, sup, *previous)
    for pid, signed_on, recorded_at, tz in conn.execute(_TOUCHED_AGREEMENTS, days):
        for at in within(start_of_day(signed_on, tz), recorded_at):
            touch(at, pid)
    # A new role counts from its first day (a different cadence from then on).
    for pid, role_start, recorded_at, tz in conn.execute(_TOUCHED_ROLES, days):
        for at in within(start_of_day(role_start, tz), recorded_at):
            touch(at, pid)
    for pid, created_at, done_at in conn.execute(_TOUCHED_ACTIONS, window):
        for at in within(created_at, done_at):
            touch(at, pid)
    if absent:
        supervisees: dict[str, set[str]] = {}
        for pid, sup in chunked_rows(session, _SUPERVISEES_OF, {p for _, p in absent}):
            supervisees.setdefault(sup, set()).add(pid)
        for at, pid in absent:
            found[at].update(supervisees.get(pid, ()))
    return [(at, frozenset(found[at])) for at in sorted(found)]


def changed_people(session: Session, after: datetime, until: datetime) -> set[str]:
    """People whose facts became known in (after, until], plus those whose plans depend on
    them (`fact_events`)."""
    return set().union(*(people for _, people in fact_events(session, after, until)))


class FactAgenda:
    """`fact_events` of a span, looked up once, for a reader whose store gains no fact
    dated after its own clock as it goes (a replay: the only fact a pass writes, a record
    deemed agreed, is dated at its message's due instant, never after the pass)."""

    def __init__(self, span: tuple[datetime, datetime], events: list[FactEvent]) -> None:
        self.span = span  # the events are those in (span[0], span[1]]
        self.instants = [at for at, _ in events]
        self.people = [people for _, people in events]

    @classmethod
    def of(cls, session: Session, after: datetime, until: datetime) -> FactAgenda:
        return cls((after, until), fact_events(session, after, until))

    def changed(self, after: datetime, until: datetime) -> set[str]:
        """`changed_people(after, until)`, for a window inside the agenda's span."""
        if after < self.span[0] or until > self.span[1]:
            raise ValueError(f"({after}, {until}] is not inside the agenda's span {self.span}")
        lo, hi = bisect_right(self.instants, after), bisect_right(self.instants, until)
        return set().union(*self.people[lo:hi])

    def next_after(self, after: datetime) -> datetime | None:
        """The first instant after `after` at which a fact becomes known, up to the end of
        the span (None: none before it ends)."""
        if after < self.span[0]:
            raise ValueError(f"{after} is before the agenda's span {self.span}")
        i = bisect_right(self.instants, after)
        return self.instants[i] if i < len(self.instants) else None


# Tables whose new rows concern a person: (table, the person column).
_ROW_OWNERS: tuple[tuple[Any, Any], ...] = tuple(
    (_TABLES[name], _TABLES[name].c[column]) for name, column in ROW_OWNERS.items()
)


def new_rows_since(
    session: Session, marks: dict[str, int] | None
) -> tuple[set[str], dict[str, int]]:
    """People concerned by rows with an id above each table's mark, and the new marks.

    The safety net for facts written with an earlier instant than the moment they were
    written (an imported session booked "28 days ago", an imported outcome): each is a
    primary-key range read. With no marks, only the marks are returned.
    """
    conn = session.connection()
    people: set[str] = set()
    latest: dict[str, int] = {}
    for table, owner in _ROW_OWNERS:
        name = table.name
        top = conn.execute(sa_select(func.max(table.c.id))).scalar()
        latest[name] = int(top or 0)
        if marks is None or latest[name] <= marks.get(name, 0):
            continue
        people.update(
            conn.execute(sa_select(owner).where(table.c.id > marks.get(name, 0))).scalars()
        )
    if people:
        # A supervisor's absence or change concerns their supervisees too.
        people.update(r[0] for r in chunked_rows(session, _SUPERVISEES_OF, set(people)))
    return people, latest
