"""A small reference organisation for the chat and Slack tests (real rows, real database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import FixedClock
from handlers.chat.dispatch import ChatService
from policy.engine import load_pack
from storage.db import session_scope
from storage.models import Person, SupervisionSession

NOW = datetime(2026, 4, 8, 8, 0, tzinfo=UTC)  # Wednesday 8 April 2026, 09:00 in London
ADMINS = frozenset({"adm"})

PEOPLE = [
    # id, name, role, supervisor, role_start, email
    (
        "sdm",
        "Dana Director",
        "service_delivery_manager",
        None,
        date(2020, 1, 6),
        "dana@example.org",
    ),
    ("tm1", "Sam Taylor", "team_manager", "sdm", date(2021, 5, 4), "sam@example.org"),
    ("tm2", "Priya Shah", "team_manager", "sdm", date(2022, 9, 1), "priya@example.org"),
    ("sw1", "Alex Jones", "social_worker", "tm1", date(2024, 1, 8), "alex@example.org"),
    ("sw2", "Jo Brown", "nqsw", "tm1", date(2026, 3, 2), "jo@example.org"),
    ("sw3", "Chris Green", "social_worker", "tm2", date(2023, 6, 1), "chris@example.org"),
    ("adm", "Ada Admin", "line_manager", None, date(2019, 1, 1), "ada@example.org"),
]


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """A UTC instant (tests write London times in BST as UTC+1 explicitly)."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def _add(s: Session, row: SupervisionSession) -> None:
    s.add(row)
    s.flush()  # ids 1, 2, 3... in order, on every backend


def seed(engine: Engine) -> None:
    with session_scope(engine) as s:
        for pid, name, role, sup, start, email in PEOPLE:
            s.add(
                Person(
                    id=pid,
                    name=name,
                    role=role,
                    supervisor_id=sup,
                    role_start=start,
                    email=email,
                    team="North" if pid != "sw3" else "South",
                )
            )
        s.flush()
        # Alex: held 10 March (record shared, not signed); next one booked 14 April.
        _add(
            s,
            SupervisionSession(
                supervisee_id="sw1",
                supervisor_id="tm1",
                scheduled_at=at(2026, 3, 10),
                booked_at=at(2026, 2, 1),
                held_at=at(2026, 3, 10),
                record_shared_at=at(2026, 3, 12),
            ),
        )
        _add(
            s,
            SupervisionSession(
                supervisee_id="sw1",
                supervisor_id="tm1",
                scheduled_at=at(2026, 4, 14, 13),
                booked_at=at(2026, 3, 10),
            ),
        )
        # Chris: last held 2 Jan, nothing booked -> overdue by April.
        _add(
            s,
            SupervisionSession(
                supervisee_id="sw3",
                supervisor_id="tm2",
                scheduled_at=at(2026, 1, 2),
                booked_at=at(2025, 12, 1),
                held_at=at(2026, 1, 2),
            ),
        )
        # Jo: a session on 1 April that nobody recorded an outcome for.
        _add(
            s,
            SupervisionSession(
                supervisee_id="sw2",
                supervisor_id="tm1",
                scheduled_at=at(2026, 4, 1, 9),
                booked_at=at(2026, 3, 2),
            ),
        )
        # Sam's own supervision, held and its record not yet shared by Dana.
        _add(
            s,
            SupervisionSession(
                supervisee_id="tm1",
                supervisor_id="sdm",
                scheduled_at=at(2026, 3, 20),
                booked_at=at(2026, 3, 1),
                held_at=at(2026, 3, 20),
            ),
        )


def service(engine: Engine, now: datetime = NOW) -> ChatService:
    return ChatService(
        engine=engine, clock=FixedClock(now), pack=load_pack("leeds"), admin_ids=ADMINS
    )
