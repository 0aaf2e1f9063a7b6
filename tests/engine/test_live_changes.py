"""The live loop notices facts written while it runs, and `run --once` from the CLI."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from bot import cli_org
from bot.clock import FixedClock, VirtualClock
from bot.dispatch import dispatch_due
from bot.scheduler import ReminderLoop
from bot.transport import RecordingTransport
from handlers.reminders import candidate as k
from policy.engine import PolicyPack
from storage import agenda_rows, outbox
from storage.db import session_scope
from storage.models import Outbox, SupervisionSession
from tests.engine.conftest import run_live, sim
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




def _session_messages(messages: list[tuple[datetime, str, str]]) -> list[tuple[datetime, str, str]]:
    kinds = (k.SESSION_REMINDER, k.SESSION_OUTCOME_CHECK)
    return sorted(m for m in messages if m[1] in kinds)


@pytest.mark.parametrize("writer_asks", [False, True], ids=["safety-net", "request_replan"])
def test_a_session_imported_with_an_earlier_booking_date_is_reminded(
    engine: Engine, org: Org, leeds: PolicyPack, writer_asks: bool
) -> None:
    (w1,) = org.team()
    org.held(w1, local(date(2026, 5, 20)))
    clock = VirtualClock(local(date(2026, 6, 1), 8))
    transport = RecordingTransport()
    loop = ReminderLoop(engine, leeds, clock, transport, worker_id="t")
    loop.sweep()
    run_live(loop, clock, local(date(2026, 6, 1), 11, 40))
    # An import at 12:00 (between passes) books Thursday's session; the CSV had no
    # booked_on, so the importer dated the booking 28 days earlier.
    imported = local(date(2026, 6, 1), 12, 10 if writer_asks else 0)
    clock.set(imported)
    org.session(w1, local(date(2026, 6, 4), 10), booked=imported - timedelta(days=28))
    if writer_asks:
        with session_scope(engine) as s:
            agenda_rows.request_replan(s, [w1], imported)
    run_live(loop, clock, local(date(2026, 6, 5), 0))
    live = _session_messages([(at, m.kind, m.recipient_id) for at, m in transport.sent])
    simulated = sim(engine, leeds, date(2026, 6, 1), date(2026, 6, 4))
    replay = _session_messages([(m.at, m.kind, m.recipient_id) for m in simulated])
    assert live == replay
    assert (local(date(2026, 6, 2), 9), k.SESSION_REMINDER, w1) in live
    assert (local(date(2026, 6, 4), 11, 30), k.SESSION_OUTCOME_CHECK, "mia") in live


def test_a_supervisor_change_recorded_late_in_its_day_is_planned(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.person("sam", role="team_manager", supervisor="hana")
    org.held(w1, local(date(2026, 5, 20)))
    org.agreement(w1, "mia", date(2026, 1, 5))
    clock = VirtualClock(local(date(2026, 6, 1), 7))
    transport = RecordingTransport()
    loop = ReminderLoop(engine, leeds, clock, transport, worker_id="t")
    loop.sweep()
    run_live(loop, clock, local(date(2026, 6, 1), 10, 30))
    with session_scope(engine) as s:  # effective today, recorded at 10:30
        from storage.models import Person, SupervisorChange

        s.add(SupervisorChange(person_id=w1, supervisor_id="sam", effective=date(2026, 6, 1),
                               recorded_at=clock.now()))  # fmt: skip
        person = s.get(Person, w1)
        assert person is not None
        person.supervisor_id = "sam"
    run_live(loop, clock, local(date(2026, 6, 3), 0))
    asked = [m for _, m in transport.sent if m.kind == k.AGREEMENT_REMINDER and m.about_id == w1]
    assert {m.recipient_id for m in asked} == {"sam", w1}


def test_the_sweep_purges_expired_preparation_notes_once_a_day(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    from bot.settings import Settings
    from storage.models import PrepNote

    (w1,) = org.team()
    now = local(date(2026, 6, 1), 7)
    with session_scope(engine) as s:
        for age in (40, 20):
            at = now - timedelta(days=age)
            s.add(PrepNote(person_id=w1, question_id="q1", answer=f"{age} days old",
                           created_at=at, updated_at=at))  # fmt: skip
    clock = VirtualClock(now)
    settings = Settings(notes_retention_days=30)
    loop = ReminderLoop(engine, leeds, clock, RecordingTransport(), worker_id="t",
                        settings=settings)  # fmt: skip
    loop.sweep()
    clock.set(now + timedelta(hours=1))
    loop.sweep()  # the same day: not again
    assert loop.housekeeping() is None
    with session_scope(engine) as s:
        assert [n.answer for n in s.exec(select(PrepNote)).all()] == ["20 days old"]
    clock.set(now + timedelta(days=11))
    assert loop.housekeeping() == 1


def test_a_replays_agenda_finds_each_day_dated_fact_and_whom_it_concerns(
    engine: Engine, org: Org
) -> None:
    from itertools import pairwise

    from storage.fact_changes import FactAgenda, changed_people

    org.team(size=0)
    reorganised = [org.person(f"r{i}", supervisor="mia") for i in range(60)]
    for pid in reorganised:  # a reorganisation: sixty changes on 1 April
        org.change(pid, "hana", date(2026, 4, 1))
    org.person("tokyo", supervisor="mia", tz="Asia/Tokyo")
    org.change("tokyo", "hana", date(2026, 4, 3))
    org.change("r0", "mia", date(2026, 4, 2))
    span = (local(date(2026, 3, 30), 0), local(date(2026, 4, 10), 0))
    with session_scope(engine) as s:
        agenda = FactAgenda.of(s, *span)
        # A change counts from its day, and again from when it was recorded (08:00 here).
        assert agenda.next_after(local(date(2026, 4, 1), 0)) == local(date(2026, 4, 1), 8)
        assert agenda.next_after(local(date(2026, 4, 1), 8)) == local(date(2026, 4, 2), 0)
        # Of facts on the same day, the zone whose midnight comes first.
        after = local(date(2026, 4, 2), 8)
        assert agenda.next_after(after) == local(date(2026, 4, 3), 0, tz="Asia/Tokyo")
        assert agenda.next_after(span[1]) is None
        # Each window of the span: who `changed_people` finds there, supervisors included.
        instants = [span[0], *agenda.instants, span[1]]
        for lo, hi in pairwise(instants):
            assert agenda.changed(lo, hi) == changed_people(s, lo, hi)
        assert agenda.changed(*span) == {*reorganised, "tokyo", "mia", "hana"}
        # It knows only its span: a window beyond it is a mistake, not "nothing changed".
        with pytest.raises(ValueError, match="not inside the agenda's span"):
            agenda.changed(span[0], span[1] + timedelta(hours=1))
        with pytest.raises(ValueError, match="before the agenda's span"):
            agenda.next_after(span[0] - timedelta(hours=1))
