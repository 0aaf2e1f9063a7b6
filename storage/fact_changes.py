"""What changed in the store, and when the next fact becomes known (the engine's agenda).

`changed_people` finds whose facts became known in a window of instants (each fact counts
from its own instant, as in `storage.timeline`); `new_rows_since` is the safety net for
facts written with an earlier instant than the moment they were written;
`next_fact_instant` is when the next one becomes known (the simulation's next wake-up).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from bot.clock import start_of_day
from storage.status_queries import ids_in
from storage.timeline import absence_known, aware, chunked_rows

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


_TOUCHED_SESSIONS = sa_select(_S.supervisee_id).where(or_(*[_between(c) for c in _SESSION_FACTS]))
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
_TOUCHED_ACTIONS = [
    sa_select(_ACTIONS.c.supervisee_id).where(_between(_ACTIONS.c[name]))
    for name in ("created_at", "done_at")
]
_SUPERVISEES_OF = sa_select(_PEOPLE.c.id).where(ids_in(_PEOPLE.c.supervisor_id))


def changed_people(session: Session, after: datetime, until: datetime) -> set[str]:
    """People whose facts became known in (after, until], plus those whose plans depend on them.

    A supervisor's absence or a change of supervisor also touches the supervisees
    and the supervisors concerned (absent-supervisor and ratio escalations).
    """
    conn = session.connection()
    window = {"after": after, "until": until}
    touched: set[str] = set()
    # Every candidate a session leads to is about its supervisee (the subject).
    touched.update(conn.execute(_TOUCHED_SESSIONS, window).scalars())
    fanout: set[str] = set()
    lo, hi = after.date() - timedelta(days=2), until.date() + timedelta(days=2)
    days = {**window, "lo": lo, "hi": hi}
    for pid, first_day, recorded_at, tz in conn.execute(_TOUCHED_ABSENCES, days):
        if after < absence_known(first_day, recorded_at, tz) <= until:
            touched.add(pid)
            fanout.add(pid)
    # A change or an agreement counts from its day, or from when it was recorded if that
    # was later (recorded after the day's first pass, or backdated).
    for pid, sup, effective, recorded_at, tz in conn.execute(_TOUCHED_CHANGES, days):
        if after < start_of_day(effective, tz) <= until or after < recorded_at <= until:
            touched.add(pid)
            if sup:
                touched.add(sup)
            for previous in conn.execute(_SUPERVISOR_OF, {"person": pid}).scalars():
                if previous:
                    touched.add(previous)
    for pid, signed_on, recorded, tz in conn.execute(_TOUCHED_AGREEMENTS, days):
        if after < start_of_day(signed_on, tz) <= until or after < aware(recorded) <= until:
            touched.add(pid)
    # A new role counts from its first day (a different cadence from then on).
    for pid, start, recorded, tz in conn.execute(_TOUCHED_ROLES, days):
        if after < start_of_day(start, tz) <= until or after < aware(recorded) <= until:
            touched.add(pid)
    for stmt in _TOUCHED_ACTIONS:
        touched.update(conn.execute(stmt, window).scalars())
    if fanout:
        touched.update(r[0] for r in chunked_rows(session, _SUPERVISEES_OF, fanout))
    return touched


# Tables whose new rows concern a person: (table, the person column).
_ROW_OWNERS: tuple[tuple[Any, Any], ...] = (
    (_SESSIONS, _SESSIONS.c.supervisee_id),
    (_ABSENCES, _ABSENCES.c.person_id),
    (_AGREEMENTS, _AGREEMENTS.c.supervisee_id),
    (_CHANGES, _CHANGES.c.person_id),
    (_ACTIONS, _ACTIONS.c.supervisee_id),
    (_ROLES, _ROLES.c.person_id),
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


# One statement; each scalar subquery is an index seek where the column is indexed.
_FIRST_FACTS = sa_select(
    *[
        sa_select(func.min(c)).where(c > _AFTER).scalar_subquery()
        for c in (
            *_SESSION_FACTS,
            _ACTIONS.c.created_at,
            _ACTIONS.c.done_at,
            _ABSENCES.c.recorded_at,
        )
    ]
)
# Day-granular facts start at local midnight: the first few from `:day` on, with the zone.
def _first_days(day: Any, who: Any) -> list[Any]:
    """Each (day, zone) of a day-dated fact in [:lo, :hi], and those of the first day after
    :hi (from two days after an instant on, local midnight is after it in every zone)."""
    pairs = (
        sa_select(day.label("day"), _PEOPLE.c.timezone)
        .join(_PEOPLE, _PEOPLE.c.id == who)
        .distinct()
    )
    first_after = sa_select(func.min(day)).where(day > _HI).scalar_subquery()
    return [pairs.where(day >= _LO, day <= _HI), pairs.where(day == first_after)]


# Day-granular facts start at local midnight: one statement over every such table.
_FIRST_DAYS = union_all(
    *[
        stmt
        for day, who in (
            (_ABSENCES.c.first_day, _ABSENCES.c.person_id),
            (_CHANGES.c.effective, _CHANGES.c.person_id),
            (_AGREEMENTS.c.signed_on, _AGREEMENTS.c.supervisee_id),
            (_ROLES.c.role_start, _ROLES.c.person_id),
        )
        for stmt in _first_days(day, who)
    ]
)


def next_fact_instant(session: Session, after: datetime) -> datetime | None:
    """The earliest instant after `after` at which some fact becomes known, if any."""
    conn = session.connection()
    firsts = conn.execute(_FIRST_FACTS, {"after": after}).one()
    candidates = [aware(v) for v in firsts if v is not None]
    days = {"lo": after.date() - timedelta(days=1), "hi": after.date() + timedelta(days=1)}
    for d, tz in conn.execute(_FIRST_DAYS, days):
        at = start_of_day(d, tz)
        if at > after:
            candidates.append(at)
    return min(candidates) if candidates else None
