"""At most once, whatever fails: a send that raises, a crash mid-batch, an outage, a
downtime with replicas; and effects that do not wait for delivery."""

from __future__ import annotations

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
from storage import engine_instants, outbox, outbox_claims
from storage.db import session_scope
from storage.models import AdminNotice, Outbox, Person, SupervisionSession
from tests.engine.org import Org, local


class _Crash(BaseException):
    """The process dies (SIGKILL, OOM): nothing after it runs."""


class _Boom(RecordingTransport):
    """Raises `exc` on the `nth` call to send."""

    def __init__(self, nth: int, exc: BaseException) -> None:
        super().__init__()
        self.nth, self.exc, self.calls = nth, exc, 0

    def send(self, person: Person, message: OutgoingMessage) -> None:
        self.calls += 1
        if self.calls == self.nth:
            raise self.exc
        super().send(person, message)


class _Outage(RecordingTransport):
    """Every send fails (transiently) until the clock reaches `until`."""

    def __init__(self, clock: VirtualClock, until: datetime) -> None:
        super().__init__()
        self.clock, self.until = clock, until
        self.attempts: list[datetime] = []

    def send(self, person: Person, message: OutgoingMessage) -> None:
        self.attempts.append(self.clock.now())
        if self.clock.now() < self.until:
            raise DeliveryFailed("503 service unavailable")
        super().send(person, message)


class _Unreachable(RecordingTransport):
    def can_reach(self, person: Person) -> bool:
        return False


def _reminders_at_nine(org: Org, engine: Engine, pack: PolicyPack) -> datetime:
    """Three supervisees with sessions on Wed 10 Jun: six reminders (and a few overdue
    notices) due Mon 8 Jun 09:00."""
    for w in org.team(size=3):
        org.held(w, local(date(2026, 5, 20)))
        org.session(w, local(date(2026, 6, 10), 14), booked=local(date(2026, 5, 1)))
    dispatch_due(engine, pack, FixedClock(local(date(2026, 6, 8), 7)), RecordingTransport(), "t")
    return local(date(2026, 6, 8), 9)


def _due(engine: Engine, at: datetime) -> int:
    with session_scope(engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind != outbox.REPLAN, Outbox.due_at <= at))
        return len(rows.all())


def _statuses(engine: Engine) -> Counter[str]:
    with session_scope(engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind != outbox.REPLAN)).all()
        return Counter(r.status for r in rows if r.status != outbox.PENDING or r.attempts)


def test_a_send_that_raises_does_not_undo_or_repeat_the_others(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    nine = _reminders_at_nine(org, engine, leeds)
    due = _due(engine, nine)
    assert due >= 6
    boom = _Boom(4, RuntimeError("connection reset"))
    report = dispatch_due(engine, leeds, FixedClock(nine), boom, "t")
    assert len(boom.sent) == len(report.sent) == due - 1
    assert len(report.retrying) == 1 and not report.failed
    assert _statuses(engine) == Counter({outbox.SENT: due - 1, outbox.PENDING: 1})
    with session_scope(engine) as s:
        (row,) = s.exec(select(Outbox).where(Outbox.attempts == 1, Outbox.status == "pending"))
        assert row.due_at == nine + timedelta(minutes=5) and "RuntimeError" in (row.error or "")
    later = RecordingTransport()
    for minutes in (1, 5, 30, 120):
        dispatch_due(engine, leeds, FixedClock(nine + timedelta(minutes=minutes)), later, "t")
    assert [m.key for _, m in later.sent] == [row.key]
    keys = [m.key for _, m in boom.sent] + [m.key for _, m in later.sent]
    assert len(keys) == len(set(keys)) == due


def test_a_crash_while_sending_never_sends_that_message_again(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    nine = _reminders_at_nine(org, engine, leeds)
    due = _due(engine, nine)
    crashing = _Boom(2, _Crash())
    with pytest.raises(_Crash):
        dispatch_due(engine, leeds, FixedClock(nine), crashing, "replica-a")
    assert len(crashing.sent) == 1
    assert _statuses(engine) == Counter(
        {outbox.SENT: 1, outbox.SENDING: 1, outbox.CLAIMED: due - 2}
    )
    other = RecordingTransport()
    # At once, the stopped replica's claims still look live: nothing is taken from it.
    assert (
        dispatch_due(engine, leeds, FixedClock(nine + timedelta(minutes=1)), other, "b").sent == []
    )
    # After the claim timeout they are released and sent; the one that was being sent
    # when the crash came may have arrived: reported, never sent again.
    report = dispatch_due(engine, leeds, FixedClock(nine + timedelta(minutes=20)), other, "b")
    assert len(report.sent) == due - 2
    (interrupted,) = [key for key, why in report.failed if why.startswith("interrupted")]
    for hours in (1, 5, 30):
        dispatch_due(engine, leeds, FixedClock(nine + timedelta(hours=hours)), other, "b")
    keys = [m.key for _, m in crashing.sent] + [m.key for _, m in other.sent if m.due_at <= nine]
    assert len(keys) == len(set(keys)) == due - 1 and interrupted not in keys
    with session_scope(engine) as s:
        notices = s.exec(select(AdminNotice)).all()
        assert [n.key for n in notices] == [f"engine.interrupted:{interrupted}"]
        assert "will not be sent again" in notices[0].text
        row = s.exec(select(Outbox).where(Outbox.key == interrupted)).one()
        assert row.status == outbox.FAILED and row.claimed_by == "replica-a"


def test_sending_in_batches_a_crash_leaves_the_batch_in_hand_in_doubt_never_resent(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    """With `send_batch` (the simulation's setting), the batch in hand is "sending" when the
    crash comes: what the transport took is marked sent on the way out, the message that
    was in the transport's hands stays in doubt and is never sent again."""
    nine = _reminders_at_nine(org, engine, leeds)
    due = _due(engine, nine)
    assert due >= 6
    cfg = EngineConfig(send_batch=2)
    crashing = _Boom(4, _Crash())  # the second message of the second batch
    with pytest.raises(_Crash):
        dispatch_due(engine, leeds, FixedClock(nine), crashing, "replica-a", config=cfg)
    assert len(crashing.sent) == 3
    assert _statuses(engine) == Counter(
        {outbox.SENT: 3, outbox.SENDING: 1, outbox.CLAIMED: due - 4}
    )
    other = RecordingTransport()
    report = dispatch_due(
        engine, leeds, FixedClock(nine + timedelta(minutes=20)), other, "b", config=cfg
    )
    assert len(report.sent) == due - 4
    (interrupted,) = [key for key, why in report.failed if why.startswith("interrupted")]
    keys = [m.key for _, m in crashing.sent] + [m.key for _, m in other.sent]
    assert len(keys) == len(set(keys)) == due - 1 and interrupted not in keys


def test_a_batch_sends_only_the_rows_still_claimed_by_this_pass(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    nine = _reminders_at_nine(org, engine, leeds)
    due = _due(engine, nine)
    with session_scope(engine) as s:
        rows = outbox_claims.claim_due(s, nine, 10)
        outbox_claims.claim(s, [r.id for r in rows], "replica-a", nine)
        mine = [r.id for r in rows if r.kind != outbox.REPLAN]
        started = outbox_claims.start_sending(s.connection(), mine[:3], "replica-b", nine)
        assert started == set()  # not ours: nothing starts
        started = outbox_claims.start_sending(s.connection(), mine[:3], "replica-a", nine)
        assert started == set(mine[:3])
        assert outbox_claims.start_sending(s.connection(), mine[:3], "replica-a", nine) == set()
        outbox_claims.mark_sent(s.connection(), [(i, 1) for i in mine[:3]], nine)
    statuses = _statuses(engine)
    assert statuses[outbox.SENT] == 3 and due >= 3


def test_a_25_minute_outage_is_retried_with_back_off_until_delivered(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    nine = _reminders_at_nine(org, engine, leeds)
    due = _due(engine, nine)
    clock = VirtualClock(nine)
    transport = _Outage(clock, until=nine + timedelta(minutes=25))
    loop = ReminderLoop(engine, leeds, clock, transport, worker_id="t")
    loop.tick()
    while (wake := loop.next_wake()) is not None and wake <= nine + timedelta(hours=2):
        clock.set(wake)
        loop.tick(sweep=wake.minute == 0)
    assert len({m.key for _, m in transport.sent if m.due_at <= nine}) == due
    assert _statuses(engine)[outbox.FAILED] == 0
    tries = sorted({(at - nine).seconds // 60 for at in transport.attempts})
    assert tries == [0, 5, 15, 35]  # 5, 10, 20 minutes apart


def test_an_escalation_keeps_retrying_for_days(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    w1, w2 = org.team(size=2)
    org.session(w2, local(date(2026, 6, 1), 10), booked=local(date(2026, 5, 1)))  # no outcome
    org.held(w2, local(date(2026, 5, 20)))
    org.held(w1, local(date(2026, 5, 20)))
    start = local(date(2026, 6, 8), 7)
    clock = VirtualClock(start)
    transport = _Outage(clock, until=local(date(2026, 6, 11), 12))  # two and a half days
    loop = ReminderLoop(engine, leeds, clock, transport, worker_id="t")
    loop.sweep()
    while (wake := loop.next_wake()) is not None and wake <= local(date(2026, 6, 12), 0):
        clock.set(wake)
        loop.tick(sweep=wake.minute == 0)
    sent = [m for _, m in transport.sent if m.reason == k.MISSED_SESSION]
    assert len(sent) == 1 and sent[0].recipient_id == "hana"
    assert max(
        b - a for a, b in zip(transport.attempts, transport.attempts[1:], strict=False)
    ) <= timedelta(hours=2)


def test_a_record_is_deemed_agreed_even_when_nobody_can_be_told(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    end = local(date(2026, 6, 1), 11)
    sid = org.session(w1, local(date(2026, 6, 1), 10), held=end, shared=end)
    transport = _Unreachable()
    dispatch_due(engine, leeds, FixedClock(local(date(2026, 6, 2), 7)), transport, "t")
    report = dispatch_due(engine, leeds, FixedClock(local(date(2026, 6, 9), 9)), transport, "t")
    assert any(key.startswith(k.RECORD_DEEMED_AGREED) for key, _ in report.failed)
    with session_scope(engine) as s:
        row = s.get(SupervisionSession, sid)
        assert row is not None and row.record_deemed_agreed_at == local(date(2026, 6, 9), 9)


def test_escalations_due_in_eleven_days_of_downtime_are_sent_once_by_two_replicas(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    w1, w2 = org.team(size=2)
    org.held(w1, local(date(2026, 4, 27)))  # due 27 May: overdue escalation 4 Jun
    org.held(w2, local(date(2026, 5, 4)))  # due 4 Jun: overdue escalation 12 Jun
    org.session(w2, local(date(2026, 6, 1), 10), booked=local(date(2026, 5, 1)))  # missed
    transport = RecordingTransport()
    clock = VirtualClock(local(date(2026, 5, 29), 7))
    first = ReminderLoop(engine, leeds, clock, transport, worker_id="a")
    first.sweep()
    while (wake := first.next_wake()) is not None and wake <= local(date(2026, 6, 2), 0):
        clock.set(wake)
        first.tick(sweep=wake.minute == 0)
    # Down from Tue 2 Jun until Sat 13 Jun. Both replicas come back at once; replica a
    # has already moved the watermark when replica b claims the rows due meanwhile.
    back = local(date(2026, 6, 13), 10)
    clock.set(back)
    with session_scope(engine) as s:
        engine_instants.set_instant(s, engine_instants.WATERMARK, back)
    transports = [RecordingTransport(), RecordingTransport()]
    loops = [
        ReminderLoop(engine, leeds, clock, t, worker_id=f"r{i}") for i, t in enumerate(transports)
    ]
    for loop in reversed(loops):
        loop.sweep()
    while (wake := min(loop.next_wake() or back for loop in loops)) <= local(date(2026, 6, 20), 0):
        clock.set(max(wake, clock.now()))
        for loop in loops:
            loop.tick(sweep=wake.minute == 0)
    after = [m for t in transports for _, m in t.sent if m.kind == k.ESCALATION]
    keys = Counter(m.key for m in after)
    assert keys == {
        "escalation:overdue:pw1:2026-05-27:lm": 1,
        "escalation:missed_session:s3:lm": 1,
        "escalation:overdue:pw2:2026-06-04:lm": 1,
    }
    assert all(m.sent_at == back for m in after)
    with session_scope(engine) as s:
        dropped = s.exec(select(Outbox).where(Outbox.status == outbox.DROPPED)).all()
    assert not [r.key for r in dropped if r.kind == k.ESCALATION]
    assert all((r.error or "").startswith("too late") for r in dropped)


def test_the_first_pass_commits_chunk_by_chunk(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    from bot import dispatch

    org.team(size=9)
    calls = {"n": 0}
    real = dispatch.plan_and_enqueue

    def failing_third(*args: object, **kw: object) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(*args, **kw)  # type: ignore[arg-type]

    cfg = EngineConfig(chunk=4)
    dispatch.plan_and_enqueue = failing_third
    try:
        with pytest.raises(RuntimeError):
            dispatch_due(engine, leeds, FixedClock(local(date(2026, 6, 1), 7)),
                         RecordingTransport(), "t", config=cfg)  # fmt: skip
    finally:
        dispatch.plan_and_enqueue = real
    with session_scope(engine) as s:
        agenda = s.exec(select(Outbox).where(Outbox.kind == outbox.REPLAN)).all()
    assert len({r.recipient_id for r in agenda}) == 8  # two chunks of four kept
