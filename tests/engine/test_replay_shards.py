"""A replay split by supervision tree, each tree in its own process, sends exactly what the
whole organisation's replay sends; the fallback recipient and admins hear from every tree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from bench.seed import seed
from bot.replay_shards import Facts, split, trees
from bot.settings import Settings
from bot.simulate import simulate
from policy.engine import PolicyPack
from storage.db import put_setting, session_scope


def _person(pid: str, sup: str | None = None) -> dict[str, object]:
    return {"id": pid, "supervisor_id": sup}


def test_people_linked_by_any_fact_share_a_tree() -> None:
    facts: Facts = {
        "org_setting": [{"key": "escalation_fallback_id", "value": "dora"}],
        "person": [_person(p) for p in ("ann", "cat", "eve", "fay", "gus", "dora")]
        + [_person("bob", "ann"), _person("dan", "cat")],
        # Eve was supervised by Ann once; a session of Fay's was taken by Cat; an action of
        # Gus's is owned by Fay.
        "supervisor_change": [{"person_id": "eve", "supervisor_id": "ann"}],
        "supervision_session": [{"supervisee_id": "fay", "supervisor_id": "cat"}],
        "absence": [{"person_id": "dora"}],
        "agreement": [],
        "action_item": [{"supervisee_id": "gus", "owner_id": "fay"}],
    }
    assert trees(facts) == [{"cat", "dan", "fay", "gus"}, {"ann", "bob", "eve"}, {"dora"}]
    shards = split(facts, 2, {"dora"})
    assert sorted(sorted(s.home) for s in shards) == [
        ["ann", "bob", "dora", "eve"],
        ["cat", "dan", "fay", "gus"],
    ]
    for shard in shards:
        people = {p["id"] for p in shard.facts["person"]}
        assert people == shard.home | {"dora"}  # the fallback is everyone's guest
        assert shard.facts["org_setting"] == facts["org_setting"]
        sessions = shard.facts["supervision_session"]
        assert [s["supervisee_id"] for s in sessions] == (["fay"] if "fay" in shard.home else [])
        assert shard.owns("fay", "cat") == ("fay" in shard.home)
    # Never more shards than trees, and one shard is the whole organisation.
    assert len(split(facts, 8, set())) == 3
    (whole,) = split(facts, 1, set())
    assert whole.facts == facts


def test_a_replay_in_two_processes_sends_exactly_what_one_process_sends(
    engine: Engine, leeds: PolicyPack
) -> None:
    seed(engine, 200, date(2025, 12, 1), date(2026, 6, 30))  # two heads of service: two trees
    with session_scope(engine) as session:
        put_setting(session, "escalation_fallback_id", "w3")  # in the second tree
    settings = Settings(admins="w0")
    start = datetime(2026, 1, 5, tzinfo=UTC)
    end = start + timedelta(days=45)
    one = simulate(engine, leeds, start, end, settings=settings, workers=1)
    two = simulate(engine, leeds, start, end, settings=settings, workers=2)
    assert len(one) > 1000
    assert two == one
    # Team managers have no line manager above the heads: their lapses reach the fallback,
    # whichever tree they are in.
    to_fallback = {m.about_id for m in one if m.recipient_id == "w3" and m.kind == "escalation"}
    assert {"m0", "m1"} <= to_fallback


def test_a_simulation_needs_a_worker(engine: Engine, leeds: PolicyPack) -> None:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    with pytest.raises(ValueError, match="at least one worker"):
        simulate(engine, leeds, start, start + timedelta(days=1), workers=0)


def test_where_worker_processes_cannot_start_the_replay_runs_in_one(
    engine: Engine,
    leeds: PolicyPack,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import bot.simulate

    seed(engine, 200, date(2025, 12, 1), date(2026, 2, 28))
    start = datetime(2026, 1, 5, tzinfo=UTC)
    end = start + timedelta(days=7)
    one = simulate(engine, leeds, start, end, workers=1)

    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError(38, "Function not implemented")  # e.g. no semaphores in a sandbox

    monkeypatch.setattr(bot.simulate, "ProcessPoolExecutor", no_processes)
    with caplog.at_level("WARNING", logger="supervision.engine"):
        assert simulate(engine, leeds, start, end, workers=2) == one
    assert "replaying in one process" in caplog.text and one
