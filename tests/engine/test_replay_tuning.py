"""The engine's tuning (how far ahead the outbox is filled, how often people are planned
again) changes how much work a pass does, never what is sent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine

from bench.seed import seed
from bot.simulate import REPLAY_CONFIG, simulate
from handlers.reminders.agenda import EngineConfig
from policy.engine import PolicyPack
from tests.engine.org import Org, local


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


def test_plans_that_skip_people_known_to_have_no_rows_are_the_plans_that_look(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    # A replay knows whose rows each table holds (`SteadyFacts.owners`): nobody else's
    # changes of supervisor, absences or actions are looked up, and the plans are the same.
    from bot.simulate import read_facts
    from handlers.reminders.context import PlanParams
    from handlers.reminders.planner import plan_people
    from storage.db import session_scope
    from storage.timeline import ROW_OWNERS, SteadyFacts

    workers = org.team(size=4)
    org.person("ali", supervisor="hana")
    org.change("ali", "mia", date(2026, 3, 2))  # moves to mia's team
    org.absence("mia", date(2026, 3, 9), date(2026, 3, 27))  # mia off for three weeks
    org.absence(workers[0], date(2026, 3, 2), date(2026, 3, 4))
    org.action(workers[1], "mia", "Read the case file", date(2026, 3, 20), local(date(2026, 2, 20)))
    for i, pid in enumerate([*workers, "ali"]):
        org.held(pid, local(date(2026, 2, 2 + i), 10))
        org.session(pid, local(date(2026, 3, 2 + i), 14), booked=local(date(2026, 2, 2 + i), 11))
    facts = read_facts(engine)
    owners = {t: frozenset(r[c] for r in facts[t]) for t, c in ROW_OWNERS.items()}
    assert owners["supervisor_change"] == {"ali"} and owners["action_item"] == {workers[1]}
    everyone = [p["id"] for p in facts["person"]]
    for day in (date(2026, 2, 27), date(2026, 3, 3), date(2026, 3, 16)):
        at = local(day, 9)
        looked, skipped = (
            PlanParams(as_of=at, epoch=at - timedelta(days=90), steady=steady)
            for steady in (None, SteadyFacts(owners=owners))
        )
        with session_scope(engine) as session:
            expected = plan_people(session, leeds, looked, everyone)
            assert expected  # something to compare
            assert plan_people(session, leeds, skipped, everyone) == expected


def test_an_engine_that_would_claim_nothing_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="at least one row"):
        EngineConfig(claim_batch=0)
