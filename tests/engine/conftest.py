"""Fixtures for the engine tests: the Leeds pack, an organisation builder, helpers."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.clock import VirtualClock, local_instant
from bot.scheduler import ReminderLoop
from bot.settings import Settings
from bot.simulate import SimulatedMessage, simulate
from handlers.reminders.candidate import Candidate
from handlers.reminders.context import PlanParams
from handlers.reminders.planner import plan_people
from policy.engine import PolicyPack, load_pack
from storage.db import session_scope
from tests.engine.org import Org


@pytest.fixture(scope="session")
def leeds() -> PolicyPack:
    return load_pack("leeds")


@pytest.fixture
def org(engine: Engine) -> Org:
    return Org(engine)


def day_start(d: date) -> datetime:
    return local_instant(d, time(0), "Europe/London")


def day_end(d: date) -> datetime:
    return local_instant(d + timedelta(days=1), time(0), "Europe/London") - timedelta(seconds=1)


def sim(
    engine: Engine,
    pack: PolicyPack,
    first: date,
    last: date,
    settings: Settings | None = None,
) -> list[SimulatedMessage]:
    return simulate(engine, pack, day_start(first), day_end(last), settings=settings)


def pick(
    messages: list[SimulatedMessage], kind: str, reason: str | None = None
) -> list[SimulatedMessage]:
    return [m for m in messages if m.kind == kind and (reason is None or m.reason == reason)]


def plan(
    engine: Engine,
    pack: PolicyPack,
    at: datetime,
    ids: list[str],
    epoch: datetime | None = None,
    fallback: str | None = None,
) -> list[Candidate]:
    """The pure planner's candidates about `ids`, as known at `at`."""
    params = PlanParams(as_of=at, epoch=epoch or at - timedelta(days=365), fallback_id=fallback)
    with session_scope(engine) as session:
        return plan_people(session, pack, params, ids)


def run_live(loop: ReminderLoop, clock: VirtualClock, until: datetime) -> None:
    """Run the live loop on `clock` at each wake-up it asks for until `until` (a tick on
    the hour sweeps, as the loop's hourly job does)."""
    while (wake := loop.next_wake()) is not None and wake <= until:
        clock.set(max(wake, clock.now()))
        loop.tick(sweep=wake.minute == 0 and wake.second == 0)
