"""`import sessions`: supervision history from a spreadsheet or case system (sessions.csv).

Columns: supervisee_id,scheduled_at,status (scheduled|held|cancelled) and
optionally booked_on,held_on,cancelled_on,cancel_reason,record_shared_on,
record_signed_on,kind. `scheduled_at` is local time of the organisation; `kind`
is individual (the default: 1:1 supervision, which the cadence counts),
appraisal, observation (of practice) or group.

Dates become instants so the as-of views can order them:
- booked_on (default: 28 days before the session, or today if that is
  earlier) -> 09:00 local that day, or the session start if that is earlier;
- held_on (default: the session's day) -> the session's planned end (start +
  90 minutes) when held that day, else 17:00 local that day;
- cancelled_on (default: the session's day, or today for a future session)
  -> 09:00 local that day, or the session start if that is earlier;
- record_shared_on / record_signed_on -> 17:00 local that day, or the time it
  was held if that is later.
The supervisor of each session is the supervisee's supervisor on that day,
from the supervisor-change history; a session on a day its supervisee had no
supervisor is refused. A local `scheduled_at` that does not exist (the hour
skipped when the clocks go forward) is refused; an ambiguous one (the hour
repeated when they go back) is its first occurrence, in summer time. A row
for a session already imported (same supervisee and start) updates it. One
transaction; nothing is written if any row is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.clock import local_date, local_instant
from storage.agenda_rows import request_replan
from storage.db import session_scope
from storage.importer_csv import CsvFile, Row, read_csv
from storage.importer_people import ImportResult
from storage.models import Person, SupervisionSession
from storage.sessions import SupervisorHistory
from storage.status_queries import chunks

REQUIRED = ("supervisee_id", "scheduled_at", "status")
OPTIONAL = ("booked_on", "held_on", "cancelled_on", "cancel_reason",
            "record_shared_on", "record_signed_on", "kind")  # fmt: skip
# What a row records: a 1:1 session (the default; the cadence counts these), or one of the
# other kinds a pack may set yearly minimums or regular intervals for.
KINDS = ("individual", "appraisal", "observation", "group")
STATUSES = ("scheduled", "held", "cancelled")
ONLY_FOR = {
    "held_on": "held", "record_shared_on": "held", "record_signed_on": "held",
    "cancelled_on": "cancelled", "cancel_reason": "cancelled",
}  # fmt: skip
BOOKED_DAYS_BEFORE = 28
DURATION = timedelta(minutes=90)
MORNING = time(9, 0)
EVENING = time(17, 0)


@dataclass
class _Session:
    row: Row
    supervisee_id: str
    scheduled_at: datetime
    kind: str
    booked_at: datetime
    held_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    shared_at: datetime | None
    signed_at: datetime | None


def import_sessions(engine: Engine, path: Path, now: datetime, org_timezone: str) -> ImportResult:
    """Import sessions.csv in one transaction; ImportFailed (nothing written) on any problem."""
    f = read_csv(path, REQUIRED, OPTIONAL)
    with session_scope(engine) as session:
        people = _people(session, {r.get("supervisee_id") for r in f.rows})
        parsed = [s for r in f.rows if (s := _parse(f, r, people, now, org_timezone))]
        first: dict[tuple[str, datetime, str], int] = {}
        for s in parsed:
            key = (s.supervisee_id, s.scheduled_at, s.kind)
            if key in first:
                f.problem(s.row, "scheduled_at", f"the same session is already on row {first[key]}")
            first.setdefault(key, s.row.number)
        supervisors = _supervisors(session, f, parsed, people)
        f.raise_if_problems()
        result = ImportResult()
        changed = _apply(session, parsed, supervisors, result)
        request_replan(session, changed, now)
    return result


def _supervisors(
    session: Session, f: CsvFile, rows: list[_Session], people: dict[str, Person]
) -> dict[int, str]:
    """Each row's supervisor on the session's day; a row with none is a problem."""
    history = SupervisorHistory(session, {r.supervisee_id for r in rows})
    found: dict[int, str] = {}
    for r in rows:
        day = local_date(r.scheduled_at, people[r.supervisee_id].timezone)
        supervisor = history.supervisor_on(r.supervisee_id, day)
        if supervisor is None:
            f.problem(r.row, "supervisee_id", f"person {r.supervisee_id} has no supervisor on "
                      f"{day}; import people with supervisor_id (and supervisor_since, for "
                      "earlier sessions) first")
        else:
            found[r.row.number] = supervisor
    return found


def _people(session: Session, ids: set[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for part in chunks(sorted(i for i in ids if i)):
        for p in session.exec(select(Person).where(col(Person.id).in_(part))):
            found[p.id] = p
    return found


def _parse(
    f: CsvFile, row: Row, people: dict[str, Person], now: datetime, tz: str
) -> _Session | None:
    pid = f.required(row, "supervisee_id", "the id of an imported person")
    if pid is not None and pid not in people:
        f.problem(row, "supervisee_id", f"unknown person '{pid}': import them with "
                  "`supervision-bot import people` first")
    at = f.local_datetime(row, "scheduled_at", tz)
    status = row.get("status").lower()
    kind = row.get("kind").lower() or "individual"
    if kind not in KINDS:
        f.problem(row, "kind", f"'{row.get('kind')}' is not a kind of session; expected one of "
                  f"{', '.join(KINDS)} (empty means individual)")
    if status not in STATUSES:
        f.problem(row, "status", f"'{row.get('status')}' is not a status; expected one of "
                  f"{', '.join(STATUSES)}")
    for column, needs in ONLY_FOR.items():
        if row.get(column) and status in STATUSES and status != needs:
            f.problem(row, column, f"is only for sessions with status {needs} (this one is "
                      f"{status})")
    days = {c: f.date(row, c) for c in ("booked_on", "held_on", "cancelled_on",
                                        "record_shared_on", "record_signed_on")}
    if pid is None or pid not in people or at is None or status not in STATUSES:
        return None
    if kind not in KINDS:
        return None
    day, today = local_date(at, tz), local_date(now, tz)
    booked_on = days["booked_on"] or min(day - timedelta(days=BOOKED_DAYS_BEFORE), today)
    if booked_on > day:
        f.problem(row, "booked_on", f"{booked_on} is after the session itself ({day})")
    booked = min(local_instant(booked_on, MORNING, tz), at)
    held = cancelled = shared = signed = None
    if status == "held":
        held_on = days["held_on"] or day
        if held_on < day:
            f.problem(row, "held_on", f"{held_on} is before the session ({day})")
        held = at + DURATION if held_on == day else local_instant(held_on, EVENING, tz)
        for column in ("record_shared_on", "record_signed_on"):
            when = days[column]
            if when is not None and when < held_on:
                f.problem(row, column, f"{when} is before the session was held ({held_on})")
        shared = _after(days["record_shared_on"], held, tz)
        signed = _after(days["record_signed_on"], held, tz)
        if shared and signed and signed < shared:
            f.problem(row, "record_signed_on", "is before record_shared_on: a record is "
                      "signed after it is shared")
    if status == "cancelled":
        cancelled_on = days["cancelled_on"] or min(day, today)
        if cancelled_on < booked_on:
            f.problem(row, "cancelled_on", f"{cancelled_on} is before it was booked ({booked_on})")
        cancelled = local_instant(cancelled_on, MORNING, tz)
        if cancelled_on == day:
            cancelled = min(cancelled, at)
    _not_future(f, row, tz, today, day, days,
                booked_on=booked, held_on=held, cancelled_on=cancelled,
                record_shared_on=shared, record_signed_on=signed)
    return _Session(row, pid, at, kind, booked, held, cancelled,
                    row.get("cancel_reason") or None, shared, signed)


def _not_future(
    f: CsvFile, row: Row, tz: str, today: date, day: date,
    given: dict[str, date | None], **instants: datetime | None,
) -> None:
    """Things that happened (booked, held, ...) cannot be after today."""
    for column, value in instants.items():
        if value is None or local_date(value, tz) <= today:
            continue
        stated = given.get(column)
        what = column.removesuffix("_on").replace("record_", "record ")
        f.problem(row, column if stated else "scheduled_at",
                  f"{stated or day} is in the future (today is {today}); a session can only "
                  f"be recorded as {what} on a day that has passed")


def _after(day: date | None, held: datetime, tz: str) -> datetime | None:
    if day is None:
        return None
    return max(local_instant(day, EVENING, tz), held)


def _apply(
    session: Session, rows: list[_Session], supervisors: dict[int, str], result: ImportResult
) -> set[str]:
    """Write the rows; the supervisees whose sessions were created or changed."""
    touched: set[str] = set()
    existing: dict[tuple[str, datetime, str], SupervisionSession] = {}
    for part in chunks(sorted({r.supervisee_id for r in rows})):
        stmt = select(SupervisionSession).where(col(SupervisionSession.supervisee_id).in_(part))
        for s in session.exec(stmt):
            existing[(s.supervisee_id, s.scheduled_at, s.kind)] = s
    for r in rows:
        values = {
            "supervisor_id": supervisors[r.row.number],
            "booked_at": r.booked_at, "held_at": r.held_at, "cancelled_at": r.cancelled_at,
            "cancel_reason": r.cancel_reason, "record_shared_at": r.shared_at,
            "record_signed_at": r.signed_at,
        }  # fmt: skip
        row = existing.get((r.supervisee_id, r.scheduled_at, r.kind))
        if row is None:
            session.add(SupervisionSession(supervisee_id=r.supervisee_id, kind=r.kind,
                                           scheduled_at=r.scheduled_at, **values))  # type: ignore[arg-type]
            result.created += 1
            touched.add(r.supervisee_id)
            continue
        changed = any(getattr(row, k) != v for k, v in values.items())
        for k, v in values.items():
            setattr(row, k, v)
        session.add(row)
        result.updated += changed
        result.unchanged += not changed
        if changed:
            touched.add(r.supervisee_id)
    session.flush()
    return touched
