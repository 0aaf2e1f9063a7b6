"""The live loop notices facts written while it runs, and `run --once` from the CLI."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from bot import cli_org
from bot.clock import FixedClock, VirtualClock
from bot.scheduler import ReminderLoop, dispatch_due
from bot.transport import RecordingTransport
from handlers.reminders import candidate as k
from policy.engine import PolicyPack
from storage import outbox
from storage.db import session_scope
from storage.models import Outbox, SupervisionSession
from tests.engine.org import Org, local


def test_a_booking_made_while_running_is_reminded(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    clock = VirtualClock(local(date(2026, 6, 1), 8))
    transport = RecordingTransport()
    loop = ReminderLoop(engine, leeds, clock, transport, worker_id="t")
    loop.sweep()
    clock.set(local(date(2026, 6, 1), 11, 20))
    # The chat layer books a session for Wednesday at 11:20 on Monday.
    org.session(w1, local(date(2026, 6, 3), 14), booked=clock.now())
    while (wake := loop.next_wake()) is not None and wake <= local(date(2026, 6, 3), 14):
        clock.set(max(wake, clock.now()))
        loop.tick(sweep=wake.minute == 0)
    reminders = [(at, m.recipient_id) for at, m in transport.sent if m.kind == k.SESSION_REMINDER]
    # Two working days before (09:00 Monday) came before the booking: never planned.
    assert sorted(reminders) == [
        (local(date(2026, 6, 3), 13), "mia"),
        (local(date(2026, 6, 3), 13), w1),
    ]
    with session_scope(engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == k.SESSION_REMINDER)).all()
    # Planned by the first pass after the booking was written (here: at once, since
    # the morning's messages were still waiting to go).
    assert {r.created_at for r in rows} == {local(date(2026, 6, 1), 11, 20)}


def test_a_cancellation_before_the_reminder_drops_it(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    sid = org.session(w1, local(date(2026, 6, 10), 14), booked=local(date(2026, 5, 1)))
    transport = RecordingTransport()
    dispatch_due(engine, leeds, FixedClock(local(date(2026, 6, 5), 7)), transport, "t")
    with session_scope(engine) as s:
        row = s.get(SupervisionSession, sid)
        assert row is not None
        row.cancelled_at = local(date(2026, 6, 5), 16)
        row.cancel_reason = "court"
    report = dispatch_due(engine, leeds, FixedClock(local(date(2026, 6, 8), 9)), transport, "t")
    assert not [m for m in report.sent if m.kind == k.SESSION_REMINDER]
    with session_scope(engine) as s:
        rows = s.exec(
            select(Outbox).where(Outbox.kind == k.SESSION_REMINDER, Outbox.status == outbox.PENDING)
        ).all()
    assert all(r.due_at > local(date(2026, 6, 8), 9) for r in rows)


def test_an_absence_recorded_later_postpones_a_planned_escalation(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.session(w1, local(date(2026, 3, 3)), cancelled=local(date(2026, 3, 2), 8), reason="sick")
    transport = RecordingTransport()
    dispatch_due(engine, leeds, FixedClock(local(date(2026, 3, 4), 7)), transport, "t")
    with session_scope(engine) as s:
        (row,) = s.exec(select(Outbox).where(Outbox.reason == k.MISSED_SESSION)).all()
        assert row.due_at == local(date(2026, 3, 11), 9)
    org.absence(w1, date(2026, 3, 2), date(2026, 3, 13))  # recorded on the first day
    report = dispatch_due(engine, leeds, FixedClock(local(date(2026, 3, 11), 9)), transport, "t")
    assert not [m for m in report.sent if m.reason == k.MISSED_SESSION]
    with session_scope(engine) as s:
        (row,) = s.exec(select(Outbox).where(Outbox.reason == k.MISSED_SESSION)).all()
        assert row.status == outbox.PENDING and row.due_at == local(date(2026, 3, 24), 9)


def test_run_once_prints_what_it_sends(db_url: str, engine: Engine, org: Org) -> None:
    from bot.cli import app

    (w1,) = org.team()
    org.session(w1, local(date(2026, 6, 10), 14), booked=local(date(2026, 5, 1)))
    saved = cli_org.CLOCK
    try:
        cli_org.CLOCK = FixedClock(local(date(2026, 6, 8), 7))  # first start: plans only
        first = CliRunner().invoke(app, ["run", "--once", "--database-url", db_url])
        assert first.exit_code == 0 and "0 sent" in first.stdout, first.output
        cli_org.CLOCK = FixedClock(local(date(2026, 6, 8), 9) + timedelta(minutes=1))
        result = CliRunner().invoke(app, ["run", "--once", "--database-url", db_url])
    finally:
        cli_org.CLOCK = saved
    assert result.exit_code == 0, result.output
    assert "session_reminder -> W1 <w1>" in result.stdout
    assert "[Prepare] (open_prep" in result.stdout
    assert "sent, 0 dropped, 0 failed." in result.stdout
