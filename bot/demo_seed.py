"""A realistic demo organisation, generated deterministically relative to a given day.

About 40 people in one children's social care service under the Leeds roles:
a deputy director, chief officer and head of service, two service delivery
managers, four team managers (one supervising 12 people, over the policy's
ratio), advanced practitioners, seniors, social workers, newly qualified
social workers in their ASYE, a student and unqualified staff. Four months of
sessions follow each person's cadence from the policy engine, with
cancellations (most rearranged), a few lapsed supervisees, records not yet
shared or signed, a recent change of supervisor, a current sickness absence
and planned leave. `generate` is pure; `write` stores the result.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.engine import Engine

from bot.clock import local_instant
from policy.engine import PolicyPack, next_due
from storage.db import session_scope
from storage.models import (
    Absence,
    ActionItem,
    Agreement,
    Person,
    SupervisionSession,
    SupervisorChange,
)
from storage.people import OrgError

SEED = 2026
HISTORY_DAYS = 120
TIMES = (time(9, 30), time(10, 0), time(11, 0), time(14, 0), time(15, 30))
CANCEL_REASONS = ("supervisor unavailable", "sickness", "court hearing", "child protection visit")
TEAMS = ("Leeds West", "Leeds East", "Leeds South", "Fostering")

# (id, name, role, supervisor, team, years in role); order is the order of the chart.
STAFF: tuple[tuple[str, str, str, str | None, str | None, float], ...] = (
    ("dd", "Farrah Khan", "deputy_director", None, None, 6),
    ("co", "Gareth Lloyd", "chief_officer", "dd", None, 4),
    ("hos", "Helen Marsh", "head_of_service", "co", None, 5),
    ("sdm1", "Imran Qureshi", "service_delivery_manager", "hos", None, 3),
    ("sdm2", "Joanna Pike", "service_delivery_manager", "hos", None, 2),
    ("tm1", "Priya Sharma", "team_manager", "sdm1", "Leeds West", 4),
    ("tm2", "Tom Whitaker", "team_manager", "sdm1", "Leeds East", 2),
    ("tm3", "Aisha Bello", "team_manager", "sdm2", "Leeds South", 3),
    ("tm4", "Mark Ellison", "team_manager", "sdm2", "Fostering", 6),
    ("ap1", "Ruth Okafor", "advanced_practitioner", "tm2", "Leeds East", 3),
    ("ap2", "Daniel Hirst", "advanced_practitioner", "tm3", "Leeds South", 2),
    ("ss1", "Claire Dobson", "senior_social_worker", "tm1", "Leeds West", 5),
    ("ss2", "Samir Haddad", "senior_social_worker", "tm2", "Leeds East", 2),
    ("ss3", "Emma Rowntree", "senior_social_worker", "tm3", "Leeds South", 3),
)
WORKERS: tuple[tuple[str, str, str, str, float], ...] = (
    # (name, role, supervisor, team, years in role): tm1's team is over the ratio.
    ("Lucy Barker", "social_worker", "tm1", "Leeds West", 3),
    ("Kwame Mensah", "social_worker", "tm1", "Leeds West", 2),
    ("Hannah Clegg", "social_worker", "tm1", "Leeds West", 6),
    ("Oliver Grant", "social_worker", "tm1", "Leeds West", 1.5),
    ("Zainab Ali", "social_worker", "tm1", "Leeds West", 4),
    ("Megan Holt", "social_worker", "tm1", "Leeds West", 2.5),
    ("Jack Fenwick", "social_worker", "tm1", "Leeds West", 1.2),
    ("Sophie Tran", "nqsw", "tm1", "Leeds West", 0.08),
    ("Ben Ashworth", "nqsw", "tm1", "Leeds West", 0.4),
    ("Grace Mulligan", "non_qualified_social_work_staff", "tm1", "Leeds West", 3),
    ("Ravi Patel", "social_worker", "tm1", "Leeds West", 7),
    ("Chloe Sutcliffe", "social_worker", "tm2", "Leeds East", 2),
    ("Adam Novak", "social_worker", "tm2", "Leeds East", 5),
    ("Niamh Byrne", "social_worker", "tm2", "Leeds East", 1.4),
    ("Yusuf Rahman", "nqsw", "tm2", "Leeds East", 0.25),
    ("Ella Firth", "student", "ss2", "Leeds East", 0.2),
    ("Paul Kendrick", "non_qualified_social_work_staff", "ap1", "Leeds East", 4),
    ("Amara Eze", "social_worker", "tm3", "Leeds South", 3),
    ("Liam Doyle", "social_worker", "tm3", "Leeds South", 2),
    ("Fatima Hussain", "social_worker", "tm3", "Leeds South", 8),
    ("Rebecca Stone", "nqsw", "tm3", "Leeds South", 0.6),
    ("Callum Reid", "non_qualified_social_work_staff", "ap2", "Leeds South", 1),
    ("Jenny Walsh", "supervising_fostering_social_worker", "tm4", "Fostering", 4),
    ("Owen Price", "supervising_fostering_social_worker", "tm4", "Fostering", 2),
    ("Maria Costa", "supervising_fostering_social_worker", "tm4", "Fostering", 6),
    ("Nathan Cole", "social_worker", "tm4", "Fostering", 3),
)
LAPSED = ("sw04", "sw13", "sw24")  # nothing held for weeks and nothing booked
TO_BOOK = ("sw02", "sw06", "sw19", "tm2")  # up to date but nothing booked yet
UNSHARED = ("sw01", "sw12", "sw18")  # last record not shared by the supervisor
UNSIGNED = ("sw03", "sw07", "sw20", "tm3")  # shared, not signed by the supervisee
MOVED = ("sw14", "tm3", 21)  # changed supervisor from tm2 to tm3 three weeks ago
# (person, first day, last day) relative to today: sw17 is off sick now; tm4 goes on three
# weeks' leave (more than 10 working days, so their supervisees' managers hear of it).
ABSENCES = (("sw17", -4, 9, "sickness"), ("tm4", 2, 22, "annual_leave"))
# (supervisee, owner, text, due in days from today, agreed days ago): one overdue, one soon.
ACTIONS = (
    ("sw05", "sw05", "Update the chronology for the Reid family", -5, 21),
    ("sw08", "tm1", "Arrange a case discussion with the IRO", 7, 10),
)


@dataclass
class SessionSpec:
    supervisee_id: str
    supervisor_id: str | None
    scheduled_at: datetime
    booked_at: datetime
    held_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    shared_at: datetime | None = None
    signed_at: datetime | None = None
    replaces: int | None = None  # index of the cancelled session this one rearranges


@dataclass
class DemoData:
    people: list[Person] = field(default_factory=list)
    changes: list[SupervisorChange] = field(default_factory=list)
    sessions: list[SessionSpec] = field(default_factory=list)
    absences: list[Absence] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)


def generate(pack: PolicyPack, today: date, now: datetime, tz: str = "Europe/London",
             seed: int = SEED) -> DemoData:
    """The demo organisation as unsaved rows, the same for the same arguments."""
    rng = random.Random(seed)
    data = DemoData()
    staff = list(STAFF) + [(f"sw{i + 1:02d}", *w) for i, w in enumerate(WORKERS)]
    missing = sorted({s[2] for s in staff} - set(pack.roles))
    if missing:
        raise OrgError(
            f"The demo organisation is built on the Leeds roles; the {pack.name} policy has "
            f"no {', '.join(missing)}. Run the demo with --policy leeds."
        )
    for pid, name, role, sup, team, years in staff:
        start = today - timedelta(days=round(years * 365.25))
        email = name.lower().replace(" ", ".") + "@demo.example"
        data.people.append(Person(id=pid, name=name, email=email, role=role, supervisor_id=sup,
                                  team=team, role_start=start, timezone=tz))
        if sup is not None:
            data.changes.append(SupervisorChange(person_id=pid, supervisor_id=sup,
                                                 effective=start, recorded_at=now))
    mover, new_sup, days_ago = MOVED
    next(p for p in data.people if p.id == mover).supervisor_id = new_sup
    data.changes.append(SupervisorChange(person_id=mover, supervisor_id=new_sup,
                                         effective=today - timedelta(days=days_ago),
                                         recorded_at=now))
    cal = pack.calendar()
    for p in data.people:
        if p.supervisor_id is None or not pack.roles[p.role].supervised:
            continue
        _history(data, rng, pack, cal, p, today, now, tz)
        # The mover's agreement is with their previous supervisor: a new one is due.
        signed = max(p.role_start, today - timedelta(days=300)) + timedelta(days=10)
        data.agreements.append(Agreement(
            supervisee_id=p.id, supervisor_id="tm2" if p.id == mover else p.supervisor_id,
            signed_on=min(signed, today), recorded_at=now,
        ))
    for pid, first, last_day, reason in ABSENCES:
        data.absences.append(Absence(person_id=pid, first_day=today + timedelta(days=first),
                                     last_day=today + timedelta(days=last_day), reason=reason,
                                     recorded_at=now))
    for pid, owner, text, due_in, agreed in ACTIONS:
        data.actions.append(ActionItem(supervisee_id=pid, owner_id=owner, text=text,
                                       due_on=today + timedelta(days=due_in),
                                       created_at=now - timedelta(days=agreed)))
    return data


def _supervisor_on(data: DemoData, pid: str, day: date) -> str | None:
    found = [c for c in data.changes if c.person_id == pid and c.effective <= day]
    return max(found, key=lambda c: c.effective).supervisor_id if found else None


def _history(data: DemoData, rng: random.Random, pack: PolicyPack, cal: object,
             p: Person, today: date, now: datetime, tz: str) -> None:
    from policy.calendar import WorkingCalendar

    assert isinstance(cal, WorkingCalendar)
    window = today - timedelta(days=HISTORY_DAYS)
    last: date | None = None
    day = cal.on_or_after(max(p.role_start, window) + timedelta(days=rng.randint(0, 12)))
    held_times: list[int] = []
    stop = today - timedelta(days=rng.randint(62, 80)) if p.id in LAPSED else today
    booked = now - timedelta(days=HISTORY_DAYS + 30)
    while day < stop:
        at = local_instant(day, rng.choice(TIMES), tz)
        sup = _supervisor_on(data, p.id, day)
        spec = SessionSpec(p.id, sup, at, booked_at=min(booked, at - timedelta(days=7)))
        data.sessions.append(spec)
        if rng.random() < 0.13:
            spec.cancelled_at = at - timedelta(days=rng.randint(1, 6))
            spec.cancel_reason = rng.choice(CANCEL_REASONS)
            if rng.random() < 0.85:  # rearranged within the policy's window
                new_day = cal.add_working_days(day, rng.randint(2, 5))
                if new_day >= today:
                    break
                spec.cancel_reason = f"rearranged: {spec.cancel_reason}"
                at = local_instant(new_day, rng.choice(TIMES), tz)
                spec = SessionSpec(p.id, sup, at, booked_at=data.sessions[-1].cancelled_at
                                   or at, replaces=len(data.sessions) - 1)
                data.sessions.append(spec)
                day = new_day
            else:
                day = cal.add_working_days(day, 10)
                continue
        spec.held_at = at + timedelta(minutes=90)
        held_times.append(len(data.sessions) - 1)
        last = day
        booked = spec.held_at
        due = next_due(pack, p.role, p.role_start, last, p.cadence_override).date
        day = cal.on_or_before(due - timedelta(days=rng.randint(0, 3)))
        if day <= last:
            day = cal.next_working_day(last)
    for n, index in enumerate(reversed(held_times)):
        s = data.sessions[index]
        assert s.held_at is not None
        if n == 0 and p.id in UNSHARED:
            continue
        shared = s.held_at + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5))
        if shared >= now:
            continue
        s.shared_at = shared
        signed = shared + timedelta(days=rng.randint(1, 5))
        if (n == 0 and p.id in UNSIGNED) or signed >= now:
            continue
        s.signed_at = signed
    if p.id in LAPSED or p.id in TO_BOOK:
        return
    due = next_due(pack, p.role, p.role_start, last, p.cadence_override).date
    day = cal.on_or_before(due) if due > today else cal.add_working_days(today, 2)
    at = local_instant(day, rng.choice(TIMES), tz)
    data.sessions.append(SessionSpec(p.id, _supervisor_on(data, p.id, day), at,
                                     booked_at=min(booked, now)))


def write(engine: Engine, data: DemoData) -> None:
    """Store the generated organisation (people first, then their history)."""
    with session_scope(engine) as session:
        sups = {p.id: p.supervisor_id for p in data.people}
        for p in data.people:
            p.supervisor_id = None
            session.add(p)
        session.flush()
        for p in data.people:
            p.supervisor_id = sups[p.id]
        session.add_all(data.changes)
        session.flush()
        rows: list[SupervisionSession] = []
        for s in data.sessions:
            row = SupervisionSession(
                supervisee_id=s.supervisee_id, supervisor_id=s.supervisor_id,
                scheduled_at=s.scheduled_at, booked_at=s.booked_at, held_at=s.held_at,
                cancelled_at=s.cancelled_at, cancel_reason=s.cancel_reason,
                record_shared_at=s.shared_at, record_signed_at=s.signed_at,
                rearranged_from_id=rows[s.replaces].id if s.replaces is not None else None,
            )  # fmt: skip
            session.add(row)
            session.flush()
            rows.append(row)
        session.add_all(data.absences)
        session.add_all(data.agreements)
        session.add_all(data.actions)
