"""A small organisation for the reflective-supervision tests, on SQLite and PostgreSQL.

    lm (Lee, line manager) supervises sup (Sam, supervisor)
    sup supervises amy and ben; adm is an admin with no supervision relationship.
Amy has five monthly sessions with Sam (ids in `org.sessions`), the first on 9 Jan 2026.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.clock import FixedClock
from policy.reflection.bank import QuestionBank, default_bank
from storage.db import session_scope
from storage.models import Person, SupervisionSession

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Org:
    engine: Engine
    sessions: list[int]  # Amy's sessions in date order
    ben_session: int


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def bank() -> QuestionBank:
    return default_bank()


def _person(pid: str, name: str, role: str, supervisor: str | None) -> Person:
    return Person(
        id=pid, name=name, role=role, supervisor_id=supervisor, role_start=date(2024, 1, 1)
    )


@pytest.fixture
def org(engine: Engine) -> Org:
    with session_scope(engine) as db:
        db.add(_person("lm", "Lee Line", "service_delivery_manager", None))
        db.flush()
        db.add(_person("sup", "Sam Super", "team_manager", "lm"))
        db.flush()
        db.add_all(
            [
                _person("amy", "Amy Worker", "social_worker", "sup"),
                _person("ben", "Ben Worker", "social_worker", "sup"),
                _person("adm", "Ada Admin", "admin", None),
            ]
        )
        db.flush()
        ids = []
        for i in range(5):
            at = datetime(2026, 1, 9, 10, 0, tzinfo=UTC) + timedelta(days=28 * i)
            s = SupervisionSession(
                supervisee_id="amy",
                supervisor_id="sup",
                scheduled_at=at,
                booked_at=datetime(2025, 12, 1, tzinfo=UTC),
            )
            db.add(s)
            db.flush()
            assert s.id is not None
            ids.append(s.id)
        b = SupervisionSession(
            supervisee_id="ben",
            supervisor_id="sup",
            scheduled_at=datetime(2026, 3, 10, 10, tzinfo=UTC),
            booked_at=datetime(2025, 12, 1, tzinfo=UTC),
        )
        db.add(b)
        db.flush()
        assert b.id is not None
        return Org(engine=engine, sessions=ids, ben_session=b.id)
