"""`import agreements`: signed supervision agreements (agreements.csv).

Columns: supervisee_id,signed_on [,supervisor_id]. Without `supervisor_id` the agreement
is with whoever supervised the person on `signed_on` (from the recorded changes of
supervisor). An agreement is signed on a day already come; one already on record is left
unchanged. One transaction; nothing is written if any row is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.clock import local_date
from storage.agenda_rows import request_replan
from storage.db import session_scope
from storage.importer_csv import CsvFile, Row, read_csv
from storage.importer_people import ImportResult
from storage.models import Agreement, Person
from storage.status_queries import chunks, supervisors_on

REQUIRED = ("supervisee_id", "signed_on")
OPTIONAL = ("supervisor_id",)


@dataclass
class _Agreement:
    row: Row
    supervisee_id: str
    signed_on: date
    supervisor_id: str | None


def import_agreements(engine: Engine, path: Path, now: datetime, org_timezone: str) -> ImportResult:
    """Import agreements.csv in one transaction; ImportFailed (nothing written) on any problem."""
    f = read_csv(path, REQUIRED, OPTIONAL)
    parsed = [a for r in f.rows if (a := _parse(f, r))]
    with session_scope(engine) as session:
        ids = sorted({a.supervisee_id for a in parsed} | {a.supervisor_id or "" for a in parsed})
        zones: dict[str, str] = {}
        for part in chunks(ids):
            zones.update(session.exec(
                select(Person.id, Person.timezone).where(col(Person.id).in_(part))).all())
        for a in parsed:
            if a.supervisee_id not in zones:
                f.problem(a.row, "supervisee_id", f"unknown person '{a.supervisee_id}': import "
                          "them with `supervision-bot import people` first")
            # Their own day, as the engine counts an agreement from it.
            elif a.signed_on > local_date(now, zones[a.supervisee_id] or org_timezone):
                f.problem(a.row, "signed_on", f"{a.signed_on} is in the future; import an "
                          "agreement once signed")
            if a.supervisor_id is not None and a.supervisor_id not in zones:
                f.problem(a.row, "supervisor_id", f"unknown person '{a.supervisor_id}'")
        f.raise_if_problems()
        on_day = _supervisors(session, parsed)
        for a in parsed:
            recorded_sup = on_day.get((a.supervisee_id, a.signed_on))
            sup = a.supervisor_id or recorded_sup
            if sup is None:
                f.problem(a.row, "supervisor_id", f"{a.supervisee_id} had no supervisor on record "
                          f"on {a.signed_on}; give the supervisor's id")
            elif sup == a.supervisee_id:
                f.problem(a.row, "supervisor_id", "is the supervisee's own id")
            elif recorded_sup is not None and sup != recorded_sup:
                # An agreement counts for whoever supervises then: one with someone else would
                # silence the reminders of an agreement still missing.
                f.problem(a.row, "supervisor_id", f"{a.supervisee_id}'s supervisor on "
                          f"{a.signed_on} was {recorded_sup}, not {sup}; an agreement is with "
                          "the supervisor of the day (leave the cell empty for them)")
        f.raise_if_problems()
        recorded: set[tuple[str, str, date]] = set()
        for part in chunks(sorted({a.supervisee_id for a in parsed})):
            recorded.update(
                (r.supervisee_id, r.supervisor_id, r.signed_on)
                for r in session.exec(
                    select(Agreement).where(col(Agreement.supervisee_id).in_(part))
                )
            )
        result = ImportResult()
        changed: set[str] = set()
        for a in parsed:
            supervisor = a.supervisor_id or on_day.get((a.supervisee_id, a.signed_on))
            assert supervisor is not None  # checked above
            key = (a.supervisee_id, supervisor, a.signed_on)
            if key in recorded:
                result.unchanged += 1
                continue
            recorded.add(key)
            session.add(Agreement(supervisee_id=a.supervisee_id, supervisor_id=supervisor,
                                  signed_on=a.signed_on, recorded_at=now))  # fmt: skip
            result.created += 1
            changed.add(a.supervisee_id)
        session.flush()
        request_replan(session, changed, now)
    return result


def _supervisors(
    session: Session, rows: list[_Agreement]
) -> dict[tuple[str, date], str | None]:
    """Who supervised each row's supervisee on the day it was signed."""
    days: dict[date, set[str]] = {}
    for a in rows:
        days.setdefault(a.signed_on, set()).add(a.supervisee_id)
    found: dict[tuple[str, date], str | None] = {}
    for day, ids in days.items():
        for pid, sup in supervisors_on(session, dict.fromkeys(ids, day)).items():
            found[(pid, day)] = sup
    return found


def _parse(f: CsvFile, row: Row) -> _Agreement | None:
    pid = f.required(row, "supervisee_id", "the id of an imported person")
    signed = f.date(row, "signed_on", required=True)
    if pid is None or signed is None:
        return None
    return _Agreement(row, pid, signed, row.get("supervisor_id") or None)
