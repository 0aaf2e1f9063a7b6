"""Replay the store's history on a virtual clock through the live dispatch code.

`simulate` copies the organisation's facts into a private in-memory database (the
store itself is never written), then runs `dispatch_due` at every instant something
can happen — a message falls due, or a recorded fact becomes known (seen, as in the
live loop, by the hourly sweep) — jumping straight from one to the next. When each fact
becomes known, and whom it concerns, is read once for the whole span (`FactAgenda`), as
are whose rows each table holds (`SteadyFacts.owners`): the copy gains no fact as it goes.

The replay fills the outbox only a few days ahead (`REPLAY_CONFIG`): the live loop's
fortnight protects against downtime, which a replay does not have, and rows enqueued
far ahead are mostly re-planned before they fall due. How far ahead the outbox is
filled changes the work, never what is sent (tests/engine/test_replay_tuning.py). It
also marks messages "sending" a batch at a time: one at a time is how the live loop keeps
a crash from leaving more than one message in doubt, and a replay cannot crash that way.
Its jumps are not downtime, so a pass looks back only the usual two days (`catch_up`).
A large organisation's trees are replayed side by side in processes (`bot.replay_shards`).
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.context import BaseContext
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel, create_engine

from bot.clock import VirtualClock, ceil_hour, require_aware
from bot.dispatch import PlanMemo, dispatch_due
from bot.replay_shards import Facts, Shard, split
from bot.settings import Settings
from bot.transport import OutgoingMessage
from handlers.reminders.agenda import EngineConfig
from policy.engine import PolicyPack
from storage import models, outbox
from storage.db import session_scope
from storage.fact_changes import FactAgenda
from storage.models import Person
from storage.timeline import ROW_OWNERS

log = logging.getLogger("supervision.engine")
REPLAY_CONFIG = EngineConfig(horizon=timedelta(days=3), send_batch=200, catch_up=False)
SHARD_FROM = 300  # people: below this, starting worker processes costs more than it saves

# The facts a replay needs (never the outbox, chat state or private notes).
COPIED = (
    "org_setting",
    "person",
    "supervisor_change",
    "supervision_session",
    "absence",
    "agreement",
    "action_item",
    "role_change",
)


@dataclass(frozen=True)
class SimulatedMessage:
    """One message the engine would have sent."""

    at: datetime
    kind: str
    recipient_id: str
    about_id: str | None
    session_at: datetime | None
    reason: str | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "recipient_id": self.recipient_id,
            "about_id": self.about_id,
            "session_at": self.session_at.isoformat() if self.session_at else None,
            "reason": self.reason,
            "text": self.text,
        }


class _Record:
    """The simulation's transport: reaches everyone, and keeps of each message what
    `simulate` reports, as plain tuples (the collector never walks those; a year of whole
    messages, with their replies, facts and buttons, is a million objects to walk)."""

    name = "simulation"

    def __init__(self) -> None:
        self.sent: list[tuple[Any, ...]] = []

    def can_reach(self, person: Person) -> bool:
        return True

    def send(self, person: Person, message: OutgoingMessage) -> None:
        self.sent.append(
            (
                message.sent_at or message.due_at,
                message.kind,
                message.recipient_id,
                message.about_id,
                message.session_at,
                message.reason,
                message.reply.text,
            )
        )


def read_facts(source: Engine, *, assume_held_after: datetime | None = None) -> Facts:
    """The store's facts, table by table (the engine's own settings left out)."""
    meta = SQLModel.metadata
    facts: Facts = {}
    with source.connect() as src:
        for name in COPIED:
            rows = [dict(r) for r in src.execute(select(meta.tables[name])).mappings()]
            if name == "org_setting":
                rows = [r for r in rows if not str(r["key"]).startswith("engine.")]
            if name == "supervision_session" and assume_held_after is not None:
                rows = [_assume_held(r, assume_held_after) for r in rows]
            facts[name] = rows
    return facts


def private_copy(facts: Facts) -> Engine:
    """An in-memory SQLite database holding `facts` (with the same indexes as the store:
    `create_all` builds every index the models declare, and one more, below)."""
    copy = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    meta = SQLModel.metadata
    assert models.Outbox is not None  # the models module registers every table
    meta.create_all(copy)
    # Each replan retires the person's pending agenda row; through the store's recipient
    # index that walks everything ever sent to them, which a year's replay makes long.
    # (Plain DDL: an `Index` object would join the shared metadata, and every store.)
    with copy.begin() as conn:
        conn.exec_driver_sql(
            "CREATE INDEX ix_replay_outbox_agenda ON outbox (recipient_id, kind, status)"
        )
        for name in COPIED:
            rows = facts.get(name, [])
            for i in range(0, len(rows), 500):
                conn.execute(meta.tables[name].insert(), rows[i : i + 500])
    return copy


def _assume_held(row: dict[str, Any], after: datetime) -> dict[str, Any]:
    """A session booked for after `after`, with no outcome, held as booked (a forecast)."""
    at = row["scheduled_at"]
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    if at > after and row["held_at"] is None and row["cancelled_at"] is None:
        return {**row, "held_at": at + timedelta(minutes=row["duration_minutes"] or 0)}
    return row


def simulate(
    engine: Engine,
    pack: PolicyPack,
    start: datetime,
    end: datetime,
    *,
    settings: Settings | None = None,
    config: EngineConfig | None = None,
    assume_held: bool = False,
    workers: int | None = None,
    assume_held_after: datetime | None = None,
) -> list[SimulatedMessage]:
    """Every message the live loop would send in [start, end], in time order.

    Writes nothing to `engine`'s database. `assume_held` forecasts rather than replays:
    sessions booked after `start` with no outcome are taken as held when booked (the
    demo's "next weeks" view), so the forecast is not full of missed sessions;
    `assume_held_after` does the same for sessions after that instant (`simulate
    --forecast`: after now, so what is recorded as missed in the past stays missed).

    `workers`: how many processes replay the supervision trees (`bot.replay_shards`);
    by default one per CPU once the organisation has `SHARD_FROM` people, else one.
    """
    require_aware(start)
    require_aware(end)
    if end < start:
        raise ValueError("the simulation must end after it starts")
    if workers is not None and workers < 1:
        raise ValueError("a simulation needs at least one worker")
    config = config or REPLAY_CONFIG
    if assume_held:
        assume_held_after = start
    if assume_held_after is not None:
        require_aware(assume_held_after)
    facts = read_facts(engine, assume_held_after=assume_held_after)
    if workers is None:
        workers = available_cpus() if len(facts["person"]) >= SHARD_FROM else 1
    shards = split(facts, workers, _guests(facts, settings)) if workers > 1 else []
    sent: list[tuple[Any, ...]] | None = None
    if len(shards) > 1:
        try:
            sent = _in_parallel(shards, pack, start, end, settings, config)
        except (OSError, BrokenProcessPool) as exc:  # no processes here (a locked-down host)
            log.warning("replaying in one process: worker processes failed (%s)", exc)
    if sent is None:
        sent = replay(facts, pack, start, end, settings, config)
    out = [SimulatedMessage(*m) for m in sent if start <= m[0] <= end]
    out.sort(key=_order)
    return out


def _in_parallel(
    shards: list[Shard],
    pack: PolicyPack,
    start: datetime,
    end: datetime,
    settings: Settings | None,
    config: EngineConfig,
) -> list[tuple[Any, ...]]:
    """Each shard replayed in its own process; what each reports of its own people."""
    sent: list[tuple[Any, ...]] = []
    with ProcessPoolExecutor(len(shards), mp_context=_start_method()) as pool:
        jobs = [
            pool.submit(replay, shard.facts, pack, start, end, settings, config) for shard in shards
        ]
        for shard, job in zip(shards, jobs, strict=True):
            sent.extend(m for m in job.result() if shard.owns(m[3], m[2]))
    return sent


def replay(
    facts: Facts,
    pack: PolicyPack,
    start: datetime,
    end: datetime,
    settings: Settings | None,
    config: EngineConfig,
) -> list[tuple[Any, ...]]:
    """Run the live dispatch code on a private copy of `facts`, at every instant something
    can happen from `start` to `end`: what the recording transport kept."""
    copy = private_copy(facts)
    clock = VirtualClock(start)
    transport = _Record()
    # Every fact is seen at its own instant here, so plans can be kept (inside the replan
    # period: a kept plan sees candidates up to when it was made plus the horizon and that).
    memo = PlanMemo(keep=config.replan_every - timedelta(days=1))
    memo.steady.owners = {
        table: frozenset(row[column] for row in facts.get(table, []))
        for table, column in ROW_OWNERS.items()
    }
    with session_scope(copy) as session:
        memo.facts = FactAgenda.of(session, start, end)
    wakes = _WakeUps(copy, memo.facts)
    # The objects alive now (the modules, the store's metadata) outlive the run: leave them
    # out of the collector's full passes, which a long replay triggers again and again.
    gc.freeze()
    try:
        sweep = True
        while True:
            dispatch_due(
                copy,
                pack,
                clock,
                transport,
                "simulation",
                settings=settings,
                config=config,
                sweep=sweep,
                memo=memo,
            )
            sweep = False
            wake = wakes.after(clock.now())  # the pass has seen every fact until now
            if wake is not None and wake <= clock.now():  # nothing left now can move us on
                wake = clock.now() + timedelta(minutes=1)
            if wake is None or wake > end:  # (the agenda, too, ends at `end`)
                break
            clock.set(wake)
    finally:
        gc.unfreeze()
        copy.dispose()
    return transport.sent


class _WakeUps:
    """The next instant anything can happen in a replay: a row falls due, or a recorded
    fact becomes known after the pass just run (seen, as by the live loop's hourly sweep,
    at the top of the hour after it)."""

    def __init__(self, engine: Engine, facts: FactAgenda) -> None:
        self.engine = engine
        self.facts = facts

    def after(self, now: datetime) -> datetime | None:
        with session_scope(self.engine) as session:
            due = outbox.next_due_instant(session)
        fact = self.facts.next_after(now)
        options = [t for t in (due, ceil_hour(fact) if fact else None) if t is not None]
        return min(options) if options else None


def _guests(facts: Facts, settings: Settings | None) -> set[str]:
    """Who receives escalations from every tree: the fallback recipient and the admins."""
    found = {s["value"] for s in facts["org_setting"] if s["key"] == "escalation_fallback_id"}
    if settings is not None:
        found.add(settings.escalation_fallback_id or "")
        found.update(settings.admin_ids)
    return {g for g in found if g}


def _start_method() -> BaseContext:
    """A fork server where there is one (POSIX), else spawn: workers start clean, never a
    copy of this process's open databases, sockets or locks (so a calling script's own
    work belongs under `if __name__ == "__main__"`, as in every entry point here)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _order(m: SimulatedMessage) -> tuple[Any, ...]:
    """Time order, ties broken by everything else: the same replay always prints the same."""
    session_at = m.session_at.isoformat() if m.session_at else ""
    return (m.at, m.kind, m.recipient_id, m.about_id or "", session_at, m.reason or "", m.text)


def to_json(messages: list[SimulatedMessage]) -> str:
    return json.dumps([m.to_json() for m in messages], indent=2)
