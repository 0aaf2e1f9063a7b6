"""`import absences`: sickness and leave from an HR export (absences.csv).

Columns: person_id,first_day,last_day,reason. Days are inclusive. `reason` is
sickness, annual_leave or other ("sick", "annual leave", "holiday" and
"leave" are understood). Re-importing the same person and days updates the
reason; an absence overlapping another one (in the file or already recorded)
is refused. One transaction; nothing is written if any row is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from bot.clock import local_date, zone
from storage.agenda_rows import request_replan
from storage.db import session_scope
from storage.importer_csv import CsvFile, Row, read_csv
from storage.importer_people import ImportResult
from storage.models import Absence, Person, SupervisionSession
from storage.status_queries import chunks

REQUIRED = ("person_id", "first_day", "last_day", "reason")
REASONS = ("sickness", "annual_leave", "other")
ALIASES = {"sick": "sickness", "sick_leave": "sickness", "illness": "sickness",
           "leave": "annual_leave", "holiday": "annual_leave", "annual": "annual_leave",
           "al": "annual_leave"}  # fmt: skip


@dataclass
class _Absence:
    row: Row
    person_id: str
    first: date
    last: date
    reason: str


def import_absences(engine: Engine, path: Path, now: datetime) -> ImportResult:
    """Import absences.csv in one transaction; ImportFailed (nothing written) on any problem."""
    f = read_csv(path, REQUIRED)
    parsed = [a for r in f.rows if (a := _parse(f, r))]
    with session_scope(engine) as session:
        ids = sorted({a.person_id for a in parsed})
        known: set[str] = set()
        recorded: dict[str, list[Absence]] = {}
        for part in chunks(ids):
            known.update(session.exec(select(Person.id).where(col(Person.id).in_(part))))
            for ab in session.exec(select(Absence).where(col(Absence.person_id).in_(part))):
                recorded.setdefault(ab.person_id, []).append(ab)
        for a in parsed:
            if a.person_id not in known:
                f.problem(a.row, "person_id", f"unknown person '{a.person_id}': import them "
                          "with `supervision-bot import people` first")
        _overlaps(f, parsed, recorded)
        f.raise_if_problems()
        result = ImportResult()
        changed: set[str] = set()
        for a in parsed:
            same = next((r for r in recorded.get(a.person_id, [])
                         if (r.first_day, r.last_day) == (a.first, a.last)), None)
            if same is None:
                session.add(Absence(person_id=a.person_id, first_day=a.first, last_day=a.last,
                                    reason=a.reason, recorded_at=now))
                result.created += 1
                changed.add(a.person_id)
            elif same.reason != a.reason:
                same.reason = a.reason
                session.add(same)
                result.updated += 1
                changed.add(a.person_id)
            else:
                result.unchanged += 1
        session.flush()
        request_replan(session, changed, now)
        result.warnings.extend(_sessions_inside(session, parsed, now))
    return result


def _sessions_inside(session: Session, absences: list[_Absence], now: datetime) -> list[str]:
    """Sessions still to come that fall inside an imported absence of either person: they
    stay booked (the absence may be recorded after the fact), but are worth rearranging."""
    if not absences:
        return []
    ids = sorted({a.person_id for a in absences})
    lo = min(a.first for a in absences) - timedelta(days=1)
    hi = max(a.last for a in absences) + timedelta(days=2)
    S = SupervisionSession
    involving: dict[str, list[SupervisionSession]] = {}
    zones: dict[str, str] = {}
    for part in chunks(ids):
        zones.update(session.exec(
            select(Person.id, Person.timezone).where(col(Person.id).in_(part))).all())
        for row in session.exec(select(S).where(
            or_(col(S.supervisee_id).in_(part), col(S.supervisor_id).in_(part)),
            col(S.scheduled_at) >= datetime.combine(lo, time(0), tzinfo=UTC),
            col(S.scheduled_at) < datetime.combine(hi, time(0), tzinfo=UTC),
            col(S.scheduled_at) > now,
            col(S.held_at).is_(None),
            col(S.cancelled_at).is_(None),
        )):
            for pid in {row.supervisee_id, row.supervisor_id or ""} & set(part):
                involving.setdefault(pid, []).append(row)
    notes: list[str] = []
    for a in absences:
        tz = zones.get(a.person_id)
        for row in sorted(involving.get(a.person_id, []), key=lambda r: r.scheduled_at):
            if a.first <= local_date(row.scheduled_at, tz) <= a.last:
                notes.append(
                    f"{a.person_id} is away {a.first} to {a.last} (row {a.row.number}), but "
                    f"session #{row.id} ({row.supervisee_id}) is booked on "
                    f"{row.scheduled_at.astimezone(zone(tz)):%Y-%m-%d %H:%M}: rearrange it."
                )
    return notes


def _parse(f: CsvFile, row: Row) -> _Absence | None:
    pid = f.required(row, "person_id", "the id of an imported person")
    first = f.date(row, "first_day", required=True)
    last = f.date(row, "last_day", required=True)
    given = row.get("reason")
    key = given.lower().replace(" ", "_").replace("-", "_")
    reason = ALIASES.get(key, key)
    if reason not in REASONS:
        f.problem(row, "reason", f"'{given}' is not a reason; expected one of {', '.join(REASONS)}")
    if first and last and last < first:
        f.problem(row, "last_day", f"{last} is before first_day {first}")
    if pid is None or first is None or last is None or reason not in REASONS:
        return None
    return _Absence(row, pid, first, last, reason)


def _overlaps(
    f: CsvFile, parsed: list[_Absence], recorded: dict[str, list[Absence]]
) -> None:
    by_person: dict[str, list[_Absence]] = {}
    for a in parsed:
        for other in by_person.get(a.person_id, []):
            if a.first <= other.last and other.first <= a.last:
                f.problem(a.row, "first_day", f"{a.person_id}'s absence {a.first} to {a.last} "
                          f"overlaps row {other.row.number} ({other.first} to {other.last})")
        by_person.setdefault(a.person_id, []).append(a)
        for r in recorded.get(a.person_id, []):
            exact = (r.first_day, r.last_day) == (a.first, a.last)
            if not exact and a.first <= r.last_day and r.first_day <= a.last:
                f.problem(a.row, "first_day", f"{a.person_id}'s absence {a.first} to {a.last} "
                          f"overlaps one already recorded ({r.first_day} to {r.last_day})")
