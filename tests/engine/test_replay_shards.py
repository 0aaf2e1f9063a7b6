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
from tests.engine.org import Org, local


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


def _shards_replayed_here(engine: Engine, pack: PolicyPack, start: datetime, end: datetime) -> None:
    """Each tree replayed on its own (in this process) sends what the whole replay sends."""
    from bot.simulate import REPLAY_CONFIG, SimulatedMessage, _guests, _order, read_facts, replay

    facts = read_facts(engine)
    shards = split(facts, 8, _guests(facts, None))
    assert len(shards) == 3

    def report(sent: list[tuple[object, ...]]) -> list[SimulatedMessage]:
        found = [SimulatedMessage(*m) for m in sent if start <= m[0] <= end]  # type: ignore[arg-type, operator]
        return sorted(found, key=_order)

    whole = report(replay(facts, pack, start, end, None, REPLAY_CONFIG))
    merged = report(
        [
            m
            for s in shards
            for m in replay(s.facts, pack, start, end, None, REPLAY_CONFIG)
            if s.owns(m[3], m[2])
        ]
    )
    assert merged == whole and whole


def _two_trees_and_a_fallback(org: Org) -> None:
    org.person("fb", role="head_of_service")
    org.setting("escalation_fallback_id", "fb")
    org.person("mia", role="team_manager")
    org.person("w1", supervisor="mia")
    org.person("mb", role="team_manager")
    org.person("x1", supervisor="mb")


def test_a_lapse_learnt_late_goes_out_in_the_pass_that_learns_it_whatever_else_is_due(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    # A session of 6 Jan is recorded only on 20 Jan at 08:20 (no outcome): the missed-
    # session escalation is due at once, in the 09:00 pass, whether or not another tree
    # has a reminder at 09:00 keeping that pass busy.
    _two_trees_and_a_fallback(org)
    org.held("w1", local(date(2025, 12, 15)))
    org.session("w1", local(date(2026, 1, 6)), booked=datetime(2026, 1, 20, 8, 20, tzinfo=UTC))
    org.held("x1", local(date(2025, 12, 15)), supervisor="mb")
    org.session("x1", local(date(2026, 1, 22)), supervisor="mb", booked=local(date(2026, 1, 2)))
    start, end = datetime(2026, 1, 12, tzinfo=UTC), datetime(2026, 1, 25, tzinfo=UTC)
    _shards_replayed_here(engine, leeds, start, end)
    late = [m for m in simulate(engine, leeds, start, end) if m.reason == "missed_session"]
    assert [(m.recipient_id, m.at) for m in late] == [("fb", datetime(2026, 1, 20, 9, tzinfo=UTC))]


def test_a_quiet_stretch_does_not_widen_what_a_pass_looks_back_on(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    # A session of 19 Jan recorded on 22 Jan at 22:20, with no outcome: its outcome check
    # fell due before the window (two days) of the pass that learns of it. It is not sent,
    # however long the replay had nothing to do before (the live loop passes hourly).
    _two_trees_and_a_fallback(org)
    org.agreement("w1", "mia", date(2025, 12, 1))
    org.held("w1", local(date(2026, 1, 8)))
    org.session("w1", local(date(2026, 2, 5)), booked=datetime(2026, 1, 8, 12, tzinfo=UTC))
    org.session("w1", local(date(2026, 1, 19)), booked=datetime(2026, 1, 22, 22, 20, tzinfo=UTC))
    org.agreement("x1", "mb", date(2025, 12, 1))
    for day in range(12, 31):
        org.held("x1", local(date(2026, 1, day), 14), supervisor="mb")
    start, end = datetime(2026, 1, 12, tzinfo=UTC), datetime(2026, 1, 30, tzinfo=UTC)
    _shards_replayed_here(engine, leeds, start, end)
    about = [m for m in simulate(engine, leeds, start, end) if m.about_id == "w1"]
    assert "session_outcome_check" not in {m.kind for m in about}
    assert any(m.reason == "missed_session" for m in about)  # the lapse itself is raised
