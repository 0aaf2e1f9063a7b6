"""A large synthetic organisation for the benchmarks (bulk inserts, deterministic)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

LONDON = ZoneInfo("Europe/London")
TEAM = 8  # supervisees per team manager


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def _weekday(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def seed(engine: Engine, people: int, start: date, end: date, *, rnd_seed: int = 7) -> int:
    """Insert about `people` people (heads, team managers, workers) with a year of history
    from `start` and sessions booked up to `end`. Returns the number of sessions."""
    rnd = random.Random(rnd_seed)
    tables = SQLModel.metadata.tables
    managers = max(1, people // (TEAM + 1))
    heads = max(1, managers // 10)
    rows: list[dict[str, Any]] = []
    for h in range(heads):
        rows.append(_person(f"h{h}", "head_of_service", None, date(2015, 1, 5)))
    for m in range(managers):
        rows.append(_person(f"m{m}", "team_manager", f"h{m % heads}", date(2018, 4, 2)))
    workers = people - heads - managers
    for w in range(workers):
        rows.append(_person(f"w{w}", "social_worker", f"m{w % managers}", date(2020, 9, 1)))
    sessions: list[dict[str, Any]] = []
    absences: list[dict[str, Any]] = []
    agreements: list[dict[str, Any]] = []
    for w in range(workers):
        pid, sup = f"w{w}", f"m{w % managers}"
        agreements.append(
            {
                "supervisee_id": pid,
                "supervisor_id": sup,
                "signed_on": start - timedelta(days=rnd.randint(0, 400)),
                "recorded_at": _at(start, 12),
            }
        )
        day = _weekday(start + timedelta(days=rnd.randint(0, 27)))
        hour = rnd.choice((9, 10, 11, 13, 14, 15))
        while day <= end:
            when = _at(day, hour)
            roll = rnd.random()
            row: dict[str, Any] = {
                "supervisee_id": pid,
                "supervisor_id": sup,
                "kind": "individual",
                "scheduled_at": when,
                "duration_minutes": 90,
                "booked_at": when - timedelta(days=rnd.randint(20, 80)),
                "held_at": None,
                "cancelled_at": None,
                "cancel_reason": None,
                "record_shared_at": None,
                "record_signed_at": None,
            }
            if roll < 0.85:
                row["held_at"] = when + timedelta(minutes=90)
                if rnd.random() < 0.9:
                    row["record_shared_at"] = when + timedelta(days=rnd.randint(1, 12))
                    if rnd.random() < 0.7:
                        row["record_signed_at"] = row["record_shared_at"] + timedelta(
                            days=rnd.randint(1, 6)
                        )
            elif roll < 0.95:
                row["cancelled_at"] = when - timedelta(days=1)
                row["cancel_reason"] = rnd.choice(("annual leave", "court", "sickness"))
            sessions.append(row)
            day = _weekday(day + timedelta(days=rnd.choice((28, 30, 31, 35))))
        if rnd.random() < 0.1:
            first = _weekday(start + timedelta(days=rnd.randint(0, 330)))
            absences.append(
                {
                    "person_id": pid,
                    "first_day": first,
                    "last_day": first + timedelta(days=rnd.randint(1, 20)),
                    "reason": rnd.choice(("sickness", "annual_leave")),
                    "recorded_at": _at(first, 8),
                }
            )
    with engine.begin() as conn:
        for name, data in (
            ("person", rows),
            ("supervision_session", sessions),
            ("absence", absences),
            ("agreement", agreements),
        ):
            for i in range(0, len(data), 5000):
                conn.execute(tables[name].insert(), data[i : i + 5000])
    return len(sessions)


def _person(pid: str, role: str, sup: str | None, start: date) -> dict[str, Any]:
    return {
        "id": pid,
        "name": f"Person {pid}",
        "email": None,
        "role": role,
        "supervisor_id": sup,
        "role_start": start,
        "slack_user_id": None,
        "teams_user_id": None,
        "team": None,
        "timezone": "Europe/London",
        "cadence_override": None,
        "cadence_override_reason": None,
        "active": True,
    }
