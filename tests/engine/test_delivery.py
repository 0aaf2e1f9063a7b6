"""Exactly once: re-runs, restarts after downtime, replicas racing on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.clock import FixedClock, VirtualClock
from bot.dispatch import dispatch_due
from bot.scheduler import ReminderLoop
from bot.transport import DeliveryFailed, OutgoingMessage, RecordingTransport
from handlers.reminders import candidate as k
from handlers.reminders.agenda import EngineConfig
from policy.engine import PolicyPack
from storage import agenda_rows, outbox, outbox_claims
from storage.db import make_engine, session_scope
from storage.models import Outbox, Person
from tests.engine.conftest import run_live
from tests.engine.org import Org, local


def _run(
    engine: Engine, pack: PolicyPack, start: datetime, end: datetime, transport: RecordingTransport
) -> None:
    """Drive the live loop from `start` to `end` with a controllable clock."""
    clock = VirtualClock(start)
    loop = ReminderLoop(engine, pack, clock, transport, worker_id="test")
    loop.sweep()
    run_live(loop, clock, end)


def test_rerunning_the_same_period_sends_nothing_twice(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.session(w1, local(date(2026, 6, 10), 14), booked=local(date(2026, 5, 1)))
    start, end = local(date(2026, 6, 5), 0), local(date(2026, 6, 12), 0)
    first = RecordingTransport()
    _run(engine, leeds, start, end, first)
    assert len(first.sent) >= 5
    again = RecordingTransport()
    _run(engine, leeds, start, end, again)  # a restart replaying the same week
    for day in range(5, 12):
        dispatch_due(engine, leeds, FixedClock(local(date(2026, 6, day), 9)), again, "other")
    assert again.sent == []
    with session_scope(engine) as s:
        keys = [r.key for r in s.exec(select(Outbox)).all()]
    assert len(keys) == len(set(keys))
    assert Counter(m.key for _, m in first.sent).most_common(1)[0][1] == 1


def test_restart_after_a_day_of_downtime(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    w1, w2 = org.team(size=2)
    org.session(w1, local(date(2026, 6, 8), 15), booked=local(date(2026, 5, 1)))  # A
    org.session(w1, local(date(2026, 6, 10), 14), booked=local(date(2026, 5, 1)))  # B
    org.session(w2, local(date(2026, 6, 1), 10), booked=local(date(2026, 5, 1)))  # no outcome
    transport = RecordingTransport()
    dispatch_due(engine, leeds, FixedClock(local(date(2026, 6, 8), 7)), transport, "t")
    assert transport.sent == []
    # Down from Mon 07:00 until Tue 12:00.
    back = local(date(2026, 6, 9), 12)
    report = dispatch_due(engine, leeds, FixedClock(back), transport, "t")
    sent = {(m.kind, m.reason, m.recipient_id, m.due_at) for m in report.sent}
    assert (k.SESSION_REMINDER, None, w1, local(date(2026, 6, 8), 9)) in sent  # B: still useful
    assert (k.SESSION_REMINDER, None, "mia", local(date(2026, 6, 8), 9)) in sent
    assert (k.SESSION_OUTCOME_CHECK, None, "mia", local(date(2026, 6, 8), 16, 30)) in sent
    assert (k.ESCALATION, k.MISSED_SESSION, "hana", local(date(2026, 6, 9), 9)) in sent
    assert all(m.sent_at == back for m in report.sent)
    # A's one-hour reminders (14:00 Mon, useful until 15:00 Mon) are dropped and logged.
    dropped = [key for key, why in report.dropped if why.startswith("too late")]
    assert sorted(key.split(":")[1] for key in dropped if "session_reminder" in key) == ["mia", w1]
    with session_scope(engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.status == outbox.DROPPED)).all()
        assert all(r.error and r.error.startswith("too late") for r in rows)


class _Flaky(RecordingTransport):
    def send(self, person: Person, message: OutgoingMessage) -> None:
        if message.recipient_id == "mia":
            raise DeliveryFailed("user not found", permanent=True)
        super().send(person, message)


def test_undeliverable_recipient_is_a_failure_not_a_crash(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.session(w1, local(date(2026, 6, 10), 14), booked=local(date(2026, 5, 1)))
    transport = _Flaky()
    dispatch_due(engine, leeds, FixedClock(local(date(2026, 6, 8), 7)), transport, "t")
    report = dispatch_due(engine, leeds, FixedClock(local(date(2026, 6, 8), 9)), transport, "t")
    reminders = [m.recipient_id for m in report.sent if m.kind == k.SESSION_REMINDER]
    assert reminders == [w1]
    assert any(key.startswith("session_reminder:mia:") for key, _ in report.failed)
    assert {why for _, why in report.failed} == {"user not found"}


class _Gate(RecordingTransport):
    def __init__(
        self, wait_for: threading.Event | None = None, announce: threading.Event | None = None
    ) -> None:
        super().__init__()
        self.wait_for, self.announce = wait_for, announce

    def send(self, person: Person, message: OutgoingMessage) -> None:
        if self.wait_for is not None:
            self.wait_for.wait(10)
        super().send(person, message)
        if self.announce is not None:
            self.announce.set()


def test_two_replicas_racing_send_each_message_once(
    db_url: str, engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("replicas share PostgreSQL; SQLite runs a single process")
    workers = org.team(size=40, head="hana")
    for i, w in enumerate(workers):
        org.session(w, local(date(2026, 6, 10), 9 + i % 8), booked=local(date(2026, 5, 1)))
    when = FixedClock(local(date(2026, 6, 10), 18))
    seed = RecordingTransport()
    dispatch_due(engine, leeds, FixedClock(local(date(2026, 6, 5), 7)), seed, "seed")
    cfg = EngineConfig(claim_batch=3)
    engines = [make_engine(db_url) for _ in range(2)]
    other_sent = threading.Event()
    # Replica 0 holds its first claimed rows until replica 1 has sent something, so the
    # two really overlap (bounded wait: the property under test is "exactly once").
    transports = [_Gate(wait_for=other_sent), _Gate(announce=other_sent)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def replica(i: int) -> None:
        try:
            barrier.wait()
            dispatch_due(engines[i], leeds, when, transports[i], f"replica-{i}", config=cfg)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=replica, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for e in engines:
        e.dispose()
    assert not errors
    keys = [m.key for tr in transports for _, m in tr.sent] + [m.key for _, m in seed.sent]
    assert len(keys) == len(set(keys))
    with session_scope(engine) as s:
        sent = s.exec(select(Outbox).where(Outbox.status == outbox.SENT)).all()
    assert sorted(r.key for r in sent) == sorted(keys)
    assert len(keys) >= 40 * 4  # reminders (2 before, 1 hour) to both, outcome checks
    assert all(tr.sent for tr in transports), "both replicas should have taken a share"


def test_the_scheduler_is_armed_at_the_next_due_instant(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.session(w1, local(date(2026, 6, 10), 14), booked=local(date(2026, 5, 1)))
    clock = VirtualClock(local(date(2026, 6, 5), 7))
    loop = ReminderLoop(engine, leeds, clock, RecordingTransport(), worker_id="t")
    loop.start(paused=True)
    try:
        loop.tick()
        job = loop.scheduler.get_job(ReminderLoop.DISPATCH_JOB)
        assert job is not None
        with session_scope(engine) as s:
            pending = s.exec(select(Outbox).where(Outbox.status == outbox.PENDING)).all()
        earliest = min(r.due_at for r in pending)
        assert job.next_run_time == earliest == local(date(2026, 6, 5), 9)
        sweep = loop.scheduler.get_job(ReminderLoop.SWEEP_JOB)
        assert sweep is not None and sweep.next_run_time.minute == 0
        assert loop.next_wake() == local(date(2026, 6, 5), 8)  # the next hourly sweep first
        clock.set(local(date(2026, 6, 5), 9))
        loop.tick()
        clock.set(local(date(2026, 6, 8), 9))
        assert [m.kind for m in loop.tick().sent] == [k.SESSION_REMINDER] * 2
        job = loop.scheduler.get_job(ReminderLoop.DISPATCH_JOB)
        with session_scope(engine) as s:
            pending = s.exec(select(Outbox).where(Outbox.status == outbox.PENDING)).all()
        # Re-armed at the next due row, never later than the one-hour reminder.
        assert job is not None and job.next_run_time == min(r.due_at for r in pending)
        assert job.next_run_time <= local(date(2026, 6, 10), 13)
    finally:
        loop.shutdown()
    assert timedelta(0) == timedelta()


def test_an_agenda_row_used_before_is_armed_again(engine: Engine, org: Org) -> None:
    (w1,) = org.team()
    at, now = local(date(2026, 6, 10), 1), local(date(2026, 6, 1), 1)
    with session_scope(engine) as s:
        agenda_rows.schedule_replans(s, {w1: at}, now)
    with session_scope(engine) as s:
        (row,) = outbox_claims.claim_due(s, at, 10)
        done = outbox_claims.Settlement()
        done.settle(row, outbox.DONE)
        done.apply(s)
    with session_scope(engine) as s:
        agenda_rows.schedule_replans(s, {w1: local(date(2026, 6, 12), 1)}, at)
        agenda_rows.schedule_replans(s, {w1: at}, at)  # the same instant (and key) again
    with session_scope(engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == outbox.REPLAN)).all()
        assert sorted((r.status, r.due_at) for r in rows) == [
            (outbox.DONE, local(date(2026, 6, 12), 1)),
            (outbox.PENDING, at),
        ]
