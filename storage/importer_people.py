"""`import people`: load or update staff from an HR export (people.csv).

Columns: id,name,email,role,supervisor_id,start_date and optionally
slack_user_id,teams_user_id,team,timezone,supervisor_since,cadence_override,
cadence_reason. Rows may come in any order (a supervisor may appear after the
people they supervise). An optional column left out of the file leaves what is
stored alone; a blank cell in a column that is there clears it.

A new person's supervisor is recorded from `supervisor_since`, else from their
`start_date`; a changed supervisor on re-import is recorded from
`supervisor_since`, else from the import date. People missing from the file
are left as they are. Everything is checked before anything is written, and
the whole file is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.clock import local_date
from policy.engine import PolicyError, check_override, parse_override
from storage.agenda_rows import request_replan
from storage.db import session_scope
from storage.importer_csv import CsvFile, Row, read_csv
from storage.models import Person, SupervisorChange
from storage.people import describe_cycle, find_cycle
from storage.roles import record_role
from storage.status_queries import chunks

if TYPE_CHECKING:
    from policy.engine import PolicyPack

REQUIRED = ("id", "name", "email", "role", "supervisor_id", "start_date")
OPTIONAL_FIELDS = ("slack_user_id", "teams_user_id", "team", "timezone")
OPTIONAL = (*OPTIONAL_FIELDS, "supervisor_since", "cadence_override", "cadence_reason")
UNIQUE = ("email", "slack_user_id", "teams_user_id")  # each identifies one person in chat
LENGTHS = {
    "id": 128, "name": 200, "email": 320, "role": 64, "supervisor_id": 128,
    "slack_user_id": 32, "teams_user_id": 200, "team": 200, "timezone": 64,
    "cadence_override": 32, "cadence_reason": 500,
}  # fmt: skip


@dataclass
class ImportResult:
    """What an import did, for the person who ran it."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    supervisor_changes: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Person:
    row: Row
    id: str
    name: str
    email: str | None
    role: str
    supervisor_id: str | None
    start: date
    slack_user_id: str | None
    teams_user_id: str | None
    team: str | None
    timezone: str
    since: date | None
    cadence: str | None
    cadence_reason: str | None


def import_people(
    engine: Engine, pack: PolicyPack, path: Path, now: datetime, org_timezone: str
) -> ImportResult:
    """Import people.csv in one transaction; ImportFailed (nothing written) on any problem."""
    f = read_csv(path, REQUIRED, OPTIONAL)
    rows = _parse(f, pack, org_timezone, local_date(now, org_timezone))
    with session_scope(engine) as session:
        existing = _existing(session, [p.id for p in rows])
        _check_references(f, session, rows)
        f.raise_if_problems()
        result = ImportResult(warnings=_role_warnings(f, pack, session, rows))
        _apply(session, set(f.columns), rows, existing, now, local_date(now, org_timezone), result)
    return result


def _parse(f: CsvFile, pack: PolicyPack, org_timezone: str, today: date) -> list[_Person]:
    people: list[_Person] = []
    first_row: dict[str, int] = {}
    for row in f.rows:
        for column, limit in LENGTHS.items():
            f.max_length(row, column, limit)
        pid = f.required(row, "id", "the person's staff number or email")
        name = f.required(row, "name", "the person's name")
        role = f.required(row, "role", f"a role of the {pack.name} policy")
        if role is not None and role not in pack.roles:
            f.problem(row, "role", f"unknown role '{role}'; the {pack.name} policy's roles are: "
                      f"{', '.join(sorted(pack.roles))}")
        # Stored in lower case so that lookups by email can use the index.
        email = row.get("email").strip().lower() or None
        if email is not None and "@" not in email:
            f.problem(row, "email", f"'{email}' is not an email address")
        start = f.date(row, "start_date", required=True)
        since = f.date(row, "supervisor_since")
        if since is not None and since > today:
            # As `people set-supervisor --since`: the supervisor on a person's row is who
            # supervises them today, everywhere the bot looks.
            f.problem(row, "supervisor_since", f"{since} is in the future; import the change "
                      "on or after the day it happens")
            since = None
        tz = f.timezone(row, "timezone", org_timezone)
        cadence = row.get("cadence_override").lower() or None
        cadence_reason = row.get("cadence_reason") or None
        if cadence is not None:
            try:
                if role is not None and role in pack.roles:
                    check_override(pack, role, cadence)
                else:
                    parse_override(cadence)
            except PolicyError as exc:
                f.problem(row, "cadence_override", str(exc))
            if cadence_reason is None:
                f.problem(row, "cadence_reason", "is empty; a personal cadence needs its reason "
                          "(e.g. performance plan)")
        if pid is not None:
            if pid in first_row:
                f.problem(row, "id", f"duplicate id '{pid}': already on row {first_row[pid]}")
                continue
            first_row[pid] = row.number
        if pid is None or name is None or role is None or start is None:
            continue
        people.append(
            _Person(
                row=row, id=pid, name=name, email=email, role=role,
                supervisor_id=row.get("supervisor_id") or None, start=start,
                slack_user_id=row.get("slack_user_id") or None,
                teams_user_id=row.get("teams_user_id") or None,
                team=row.get("team") or None, timezone=tz, since=since,
                cadence=cadence, cadence_reason=cadence_reason,
            )
        )  # fmt: skip
    for column in UNIQUE:
        seen: dict[str, int] = {}
        for p in people:
            value = getattr(p, column)
            if value is None:
                continue
            if value in seen:
                f.problem(p.row, column, f"'{value}' is already given to row {seen[value]}")
            seen.setdefault(value, p.row.number)
    return people


def _existing(session: Session, ids: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for part in chunks(sorted(ids)):
        for person in session.exec(select(Person).where(col(Person.id).in_(part))):
            found[person.id] = person
    return found


def _check_references(f: CsvFile, session: Session, rows: list[_Person]) -> None:
    in_file = {p.id: p for p in rows}
    # Everyone's current supervisor, overlaid with the file: the chain after import.
    chain: dict[str, str | None] = dict(session.exec(select(Person.id, Person.supervisor_id)).all())
    chain.update({p.id: p.supervisor_id for p in rows})
    reported: set[frozenset[str]] = set()
    for p in rows:
        sup = p.supervisor_id
        if sup is None:
            continue
        if sup == p.id:
            f.problem(p.row, "supervisor_id", f"'{sup}' is this person's own id; a person "
                      "cannot supervise themselves")
            continue
        if sup not in chain:
            f.problem(p.row, "supervisor_id", f"unknown supervisor '{sup}': expected the id of "
                      "a person in this file or already imported")
            continue
        cycle = find_cycle(chain, p.id)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            rows_in = sorted(in_file[c].row.number for c in cycle if c in in_file)
            names = {c: in_file[c].name for c in cycle if c in in_file}
            names.update({c: n for c, n in _names_of(session, set(cycle) - names.keys()).items()})
            f.problem(p.row, "supervisor_id", "the supervision chain loops: "
                      f"{describe_cycle(cycle, names)} (each is supervised by the next; rows "
                      f"{', '.join(map(str, rows_in))})")
    for column in UNIQUE:
        wanted = {getattr(p, column): p for p in rows if getattr(p, column)}
        attr = getattr(Person, column)
        for part in chunks(sorted(wanted)):
            stmt = select(Person).where(attr.in_(part))
            for other in session.exec(stmt):
                p = wanted[getattr(other, column)]
                if other.id != p.id and other.id not in in_file:
                    f.problem(p.row, column, f"'{getattr(p, column)}' already belongs to "
                              f"{other.id} ({other.name})")


def _role_warnings(
    f: CsvFile, pack: PolicyPack, session: Session, rows: list[_Person]
) -> list[str]:
    """Supervisors whose role the policy does not name for the supervisee's role."""
    roles = {p.id: p.role for p in rows}
    missing = {p.supervisor_id for p in rows if p.supervisor_id and p.supervisor_id not in roles}
    roles.update(_roles_of(session, missing))
    warnings: list[str] = []
    for p in rows:
        expected = pack.roles[p.role].supervised_by
        sup_role = roles.get(p.supervisor_id or "")
        if p.supervisor_id and expected and sup_role not in expected:
            warnings.append(
                f"{f.name}, row {p.row.number}: {p.id} ({p.role}) is supervised by "
                f"{p.supervisor_id} ({sup_role}); the {pack.name} policy names "
                f"{', '.join(expected)}"
            )
    return warnings


def _names_of(session: Session, ids: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in chunks(sorted(ids)):
        stmt = select(Person.id, Person.name).where(col(Person.id).in_(part))
        found.update(dict(session.exec(stmt).all()))
    return found


def _roles_of(session: Session, ids: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in chunks(sorted(ids)):
        stmt = select(Person.id, Person.role).where(col(Person.id).in_(part))
        found.update(dict(session.exec(stmt).all()))
    return found


def _apply(
    session: Session,
    given: set[str],
    rows: list[_Person],
    existing: dict[str, Person],
    now: datetime,
    today: date,
    result: ImportResult,
) -> None:
    touched: set[str] = set()  # created or changed: the engine plans them again
    # Pass 1: every person exists (supervisor links wait, so row order never matters).
    for p in rows:
        person = existing.get(p.id)
        fields: dict[str, object] = {
            "name": p.name, "email": p.email, "role": p.role, "role_start": p.start,
            "active": True,
        }  # fmt: skip
        # An optional column the export leaves out keeps what is stored (a Slack id linked
        # by email at run time survives the nightly re-import); a blank cell clears it.
        for column in OPTIONAL_FIELDS:
            if person is None or column in given:
                fields[column] = getattr(p, column)
        if person is None or "cadence_override" in given:
            fields["cadence_override"] = p.cadence
            fields["cadence_override_reason"] = p.cadence_reason
            # A personal cadence counts from the day it is first imported (kept while the
            # same cadence is imported again).
            set_on: date | None = today
            if p.cadence is None:
                set_on = None
            elif person is not None and person.cadence_override == p.cadence:
                set_on = person.cadence_override_since
            fields["cadence_override_since"] = set_on
        if person is None:
            session.add(Person(id=p.id, **fields))  # type: ignore[arg-type]
            result.created += 1
            touched.add(p.id)
            continue
        changed = any(getattr(person, k) != v for k, v in fields.items())
        changed = changed or person.supervisor_id != p.supervisor_id
        record_role(session, person, p.role, p.start, now)  # with its history
        for k, v in fields.items():
            setattr(person, k, v)
        session.add(person)
        result.updated += changed
        result.unchanged += not changed
        if changed:
            touched.add(p.id)
    session.flush()
    # Pass 2: supervisors, with their history.
    with_history = _with_history(session, [p.id for p in rows if p.id in existing])
    for p in rows:
        person = session.get(Person, p.id)
        assert person is not None
        old, known = person.supervisor_id, p.id in with_history

        def record(supervisor_id: str | None, effective: date, person: Person = person) -> None:
            person.supervisor_id = supervisor_id
            session.add(person)
            session.add(SupervisorChange(person_id=person.id, supervisor_id=supervisor_id,
                                         effective=effective, recorded_at=now))
            result.supervisor_changes += 1

        if p.id not in existing:
            if p.supervisor_id is not None:
                record(p.supervisor_id, p.since or p.start)
        elif old == p.supervisor_id:
            if not known and old is not None:  # added outside an import: start its history
                record(old, p.since or p.start)
        else:
            if not known and old is not None:
                record(old, p.start)
            record(p.supervisor_id, p.since or today)
    session.flush()
    request_replan(session, touched, now)


def _with_history(session: Session, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(sorted(ids)):
        stmt = select(SupervisorChange.person_id).where(col(SupervisorChange.person_id).in_(part))
        found.update(session.exec(stmt))
    return found
