"""The engine's tuning (how far ahead the outbox is filled, how often people are planned
again) changes how much work a pass does, never what is sent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine

from bench.seed import seed
from bot.simulate import REPLAY_CONFIG, simulate
from handlers.reminders.agenda import EngineConfig
from policy.engine import PolicyPack


def test_the_replays_short_horizon_sends_exactly_what_the_live_default_sends(
    engine: Engine, leeds: PolicyPack
) -> None:
    # Kept plans see candidates only up to when they were made plus the horizon and a
    # replan period: the next planning must be booked from then, not from when they are
    # reused, or what lies beyond them is never enqueued.
    seed(engine, 30, date(2025, 12, 1), date(2026, 8, 31))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=120)
    live = simulate(engine, leeds, start, end, config=EngineConfig())
    assert REPLAY_CONFIG.horizon < EngineConfig().horizon
    replay = simulate(engine, leeds, start, end)
    assert len(live) > 300
    assert replay == live
    weekly = EngineConfig(horizon=timedelta(days=6), replan_every=timedelta(days=7))
    assert simulate(engine, leeds, start, end, config=weekly) == live
