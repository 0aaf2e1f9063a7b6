"""What planning costs: a constant number of statements per batch, one snapshot per person,
and a replay that leaves the shared schema as it found it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from handlers.reminders.context import PlanParams, load_contexts
from policy.engine import PolicyPack
from storage.db import session_scope
from tests.engine.conftest import plan, sim
from tests.engine.org import Org, local


def _statements(engine: Engine, work: Any) -> int:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def test_planning_a_batch_runs_the_same_statements_whatever_its_size(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    workers = org.team(size=12)
    for i, w in enumerate(workers):
        org.held(w, local(date(2026, 5, 4) + timedelta(days=i)))
        org.session(w, local(date(2026, 6, 8) + timedelta(days=i), 11))
        org.action(w, w, "Read the guidance", date(2026, 6, 30), local(date(2026, 5, 4), 12))
    at = local(date(2026, 6, 1), 7)
    few = _statements(engine, lambda: plan(engine, leeds, at, workers[:2]))
    many = _statements(engine, lambda: plan(engine, leeds, at, workers))
    assert few == many


def test_a_plan_sees_one_snapshot_of_each_person(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    w1, w2 = org.team(size=2)
    at = local(date(2026, 6, 1), 7)
    params = PlanParams(as_of=at, epoch=at - timedelta(days=365))
    with session_scope(engine) as session:
        contexts = load_contexts(session, leeds, params, [w1, w2, "mia"])
    by_id = {c.person.id: c for c in contexts}
    # The planners tell "you" from "them" by identity: mia as the subject, as the workers'
    # supervisor and in their lookups is one object; so is hana, above her.
    mia = by_id["mia"].person
    assert by_id[w1].supervisor is mia and by_id[w2].supervisor is mia
    assert by_id[w1].people["mia"] is mia
    assert by_id["mia"].supervisor is by_id[w1].line_manager is by_id[w2].line_manager
    assert by_id[w1].line_manager is not None


def test_the_replay_leaves_the_shared_schema_and_the_store_alone(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.session(w1, local(date(2026, 6, 9), 11), booked=local(date(2026, 5, 11)))
    declared = {i.name for i in SQLModel.metadata.tables["outbox"].indexes}
    stored = {i["name"] for i in inspect(engine).get_indexes("outbox")}
    for _ in range(2):  # a second replay builds its private copy the same way
        assert sim(engine, leeds, date(2026, 6, 1), date(2026, 6, 10))
    assert {i.name for i in SQLModel.metadata.tables["outbox"].indexes} == declared
    assert {i["name"] for i in inspect(engine).get_indexes("outbox")} == stored
