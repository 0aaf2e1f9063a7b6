"""Clock changes, other timezones, and the simulation agreeing with the live loop."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from typer.testing import CliRunner

from bot.clock import VirtualClock
from bot.scheduler import ReminderLoop
from bot.transport import RecordingTransport
from handlers.reminders import candidate as k
from policy.engine import PolicyPack
from tests.engine.conftest import day_end, day_start, pick, run_live, sim
from tests.engine.org import Org, local


def test_nine_oclock_stays_nine_oclock_across_the_spring_clock_change(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    w1, w2 = org.team(size=2)
    org.session(w1, local(date(2026, 3, 31), 10), booked=local(date(2026, 3, 1)))
    org.session(w2, local(date(2026, 4, 1), 10), booked=local(date(2026, 3, 1)))
    msgs = pick(sim(engine, leeds, date(2026, 3, 25), date(2026, 4, 1)), k.SESSION_REMINDER)
    early = sorted({m.at for m in msgs if m.at.date() <= date(2026, 3, 30)})
    # Fri 27 Mar 09:00 GMT = 09:00Z; Mon 30 Mar 09:00 BST = 08:00Z.
    assert early == [datetime(2026, 3, 27, 9, tzinfo=UTC), datetime(2026, 3, 30, 8, tzinfo=UTC)]
    hour_before = sorted({m.at.astimezone(UTC) for m in msgs} - set(early))
    assert hour_before == [
        datetime(2026, 3, 31, 8, tzinfo=UTC),
        datetime(2026, 4, 1, 8, tzinfo=UTC),
    ]


def test_nine_oclock_stays_nine_oclock_across_the_autumn_clock_change(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    w1, w2 = org.team(size=2)
    org.session(w1, local(date(2026, 10, 27), 10), booked=local(date(2026, 10, 1)))
    org.session(w2, local(date(2026, 10, 28), 10), booked=local(date(2026, 10, 1)))
    msgs = pick(sim(engine, leeds, date(2026, 10, 20), date(2026, 10, 28)), k.SESSION_REMINDER)
    two_days = sorted(
        {
            m.at
            for m in msgs
            if m.at.astimezone(UTC).hour in (8, 9) and m.at.date() < date(2026, 10, 27)
        }
    )
    # Fri 23 Oct 09:00 BST = 08:00Z; Mon 26 Oct 09:00 GMT = 09:00Z.
    assert two_days == [
        datetime(2026, 10, 23, 8, tzinfo=UTC),
        datetime(2026, 10, 26, 9, tzinfo=UTC),
    ]
    assert all(
        m.at.astimezone(local(date(2026, 10, 1)).tzinfo).hour == 9
        for m in msgs
        if m.at.date() < date(2026, 10, 27)
    )


def test_the_repeated_autumn_hour_gives_each_instant_its_own_date_elsewhere() -> None:
    from zoneinfo import ZoneInfo

    from bot.clock import local_date

    london = ZoneInfo("Europe/London")
    # 00:30Z and 01:30Z on 25 October 2026 are both 01:30 in London (fold 0, then 1):
    # equal there, yet an hour apart, on either side of midnight in Cape Verde (UTC-1).
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC).astimezone(london)
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC).astimezone(london)
    assert first == second and second.fold == 1
    assert local_date(first, "Atlantic/Cape_Verde") == date(2026, 10, 24)
    assert local_date(second, "Atlantic/Cape_Verde") == date(2026, 10, 25)


def test_times_of_day_are_the_recipients_own(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    org.person("hana", role="head_of_service")
    org.person("mia", role="team_manager", supervisor="hana")
    org.person("nyc", supervisor="mia", tz="America/New_York")
    org.session("nyc", local(date(2026, 6, 10), 14), booked=local(date(2026, 5, 1)))
    msgs = pick(sim(engine, leeds, date(2026, 6, 5), date(2026, 6, 10)), k.SESSION_REMINDER)
    early = {m.recipient_id: m.at for m in msgs if m.at.date() < date(2026, 6, 10)}
    assert early["mia"] == local(date(2026, 6, 8), 9)
    assert early["nyc"] == local(date(2026, 6, 8), 9, tz="America/New_York")


def _busy_org(org: Org) -> None:
    w1, w2, w3 = org.team(size=3)
    org.held(w1, local(date(2026, 5, 11)))
    org.session(
        w1,
        local(date(2026, 6, 9), 11),
        booked=local(date(2026, 5, 11), 12),
        held=local(date(2026, 6, 9), 12),
        shared=local(date(2026, 6, 12), 15),
    )
    org.session(
        w2,
        local(date(2026, 6, 3), 14),
        booked=local(date(2026, 5, 20), 10),
        cancelled=local(date(2026, 6, 2), 9, 15),
        reason="court",
    )
    org.session(w3, local(date(2026, 6, 4), 10), booked=local(date(2026, 6, 1), 16, 20))
    org.absence("mia", date(2026, 6, 15), date(2026, 6, 16))
    org.action(w1, w1, "Update the chronology", date(2026, 6, 18), local(date(2026, 6, 9), 12, 5))
    org.agreement(w1, "mia", date(2025, 6, 10))


def _snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            name: sorted(tuple(map(str, r)) for r in conn.execute(select(table)).all())
            for name, table in SQLModel.metadata.tables.items()
        }


def test_simulation_writes_nothing_and_agrees_with_the_live_loop(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    _busy_org(org)
    first, last = date(2026, 6, 1), date(2026, 6, 19)
    before = _snapshot(engine)
    simulated = sim(engine, leeds, first, last)
    assert _snapshot(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM outbox")).scalar() == 0

    start, end = day_start(first), day_end(last)
    clock = VirtualClock(start)
    transport = RecordingTransport()
    loop = ReminderLoop(engine, leeds, clock, transport, worker_id="live")
    loop.sweep()
    run_live(loop, clock, end)
    live = sorted(
        (at, m.kind, m.recipient_id, m.about_id, m.reason, m.reply.text) for at, m in transport.sent
    )
    replay = sorted((m.at, m.kind, m.recipient_id, m.about_id, m.reason, m.text) for m in simulated)
    assert live == replay
    kinds = {m.kind for m in simulated}
    assert {
        k.SESSION_REMINDER,
        k.SESSION_OUTCOME_CHECK,
        k.SIGNING_REMINDER,
        k.ESCALATION,
        k.ACTION_REMINDER,
    } <= kinds


def test_simulate_command_prints_json_sorted_by_at(db_url: str, engine: Engine, org: Org) -> None:
    from bot.cli import app

    _busy_org(org)
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "simulate",
            "--from",
            "2026-06-01",
            "--to",
            "2026-06-19",
            "--json",
            "--database-url",
            db_url,
            "--policy",
            "leeds",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data and [d["at"] for d in data] == sorted(d["at"] for d in data)
    assert set(data[0]) == {
        "at",
        "kind",
        "recipient_id",
        "about_id",
        "session_at",
        "reason",
        "text",
    }
    assert any(d["reason"] == "missed_session" and d["about_id"] == "w2" for d in data)
    readable = runner.invoke(
        app,
        [
            "simulate",
            "--from",
            "2026-06-01",
            "--to",
            "2026-06-05",
            "--database-url",
            db_url,
            "--policy",
            "leeds",
            "--workers",
            "2",
        ],
    )
    assert readable.exit_code == 0 and "(session reminder about" in readable.stdout
    none = runner.invoke(
        app, ["simulate", "--from", "2026-06-01", "--to", "2026-06-05", "--workers", "0"]
    )
    assert none.exit_code == 2 and "--workers" in none.output and "Traceback" not in none.output
    bad = runner.invoke(
        app,
        ["simulate", "--from", "2026-06-31", "--to", "2026-07-01", "--database-url", db_url],
    )
    assert bad.exit_code == 1 and "is not a date" in bad.output and "Traceback" not in bad.output


def test_overdue_notices_agree_with_status_as_of(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    from handlers.status import status_of
    from storage.db import session_scope

    _busy_org(org)
    simulated = sim(engine, leeds, date(2026, 6, 1), date(2026, 7, 31))
    notices = pick(simulated, k.OVERDUE_NOTICE)
    assert notices
    with session_scope(engine) as session:
        for m in notices:
            assert m.about_id is not None
            st = status_of(session, leeds, m.about_id, m.at)
            assert st is not None and st.overdue
            # The morning after next_due, or (a lapse older than the replay) its first morning.
            on_time = local(st.next_due, 9) < m.at <= local(st.next_due, 9) + timedelta(days=1)
            assert on_time or m.at == local(date(2026, 6, 1), 9)


def test_the_live_loop_agrees_with_the_simulation_after_a_backdated_write(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    """Facts written with earlier instants than the moment they were written: what the
    live loop sends before the write is the replay of the store as it was then; from the
    write on, it is the replay of the store as it is now."""
    from storage import agenda_rows
    from storage.db import session_scope
    from storage.models import SupervisionSession

    _busy_org(org)
    with engine.connect() as conn:
        w3_session = conn.execute(
            text("SELECT id FROM supervision_session WHERE supervisee_id = 'w3'")
        ).scalar_one()
    first, last = date(2026, 6, 1), date(2026, 6, 19)
    start, end = day_start(first), day_end(last)
    written = local(date(2026, 6, 10), 11, 30)
    before = sim(engine, leeds, first, last)
    clock = VirtualClock(start)
    transport = RecordingTransport()
    loop = ReminderLoop(engine, leeds, clock, transport, worker_id="live")
    loop.sweep()

    run_live(loop, clock, written - timedelta(minutes=1))
    clock.set(written)
    # An import books w2 for Mon 15 Jun, dated 28 days back (seen by the sweep's safety
    # net), and records w3's 4 Jun session as held on the day (an update: the importer
    # asks for a replan).
    org.session("w2", local(date(2026, 6, 15), 14), booked=written - timedelta(days=28))
    with session_scope(engine) as s:
        held = s.get(SupervisionSession, w3_session)
        assert held is not None
        held.held_at = local(date(2026, 6, 4), 11)
        agenda_rows.request_replan(s, ["w3"], written)
    run_live(loop, clock, end)
    after = sim(engine, leeds, first, last)

    Row = tuple[datetime, str, str, str | None, str | None, str]

    def rows(items: list[Row]) -> list[Row]:
        return sorted(items)

    live = rows(
        [
            (at, m.kind, m.recipient_id, m.about_id, m.reason, m.reply.text)
            for at, m in transport.sent
        ]
    )
    replay = rows(
        [
            (m.at, m.kind, m.recipient_id, m.about_id, m.reason, m.text)
            for m in before
            if m.at < written
        ]
        + [
            (m.at, m.kind, m.recipient_id, m.about_id, m.reason, m.text)
            for m in after
            if m.at >= written
        ]
    )
    assert live == replay
    late = [m for m in after if m.at >= written]
    assert any(m.kind == k.SESSION_REMINDER and m.about_id == "w2" for m in late)
    assert not [m for m in late if m.reason == k.MISSED_SESSION and m.about_id == "w3"]
    # Without the write, w3's session would have been escalated after it.
    assert [m for m in before if m.reason == k.MISSED_SESSION and m.about_id == "w3"]
    assert all(
        m.at >= written for m in before if m.reason == k.MISSED_SESSION and m.about_id == "w3"
    )


def test_a_forecast_can_assume_booked_sessions_are_held(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    from bot.simulate import simulate

    (w1,) = org.team()
    org.held(w1, local(date(2026, 5, 20)))
    org.session(w1, local(date(2026, 6, 10), 14), booked=local(date(2026, 5, 20), 12))
    start, end = day_start(date(2026, 6, 1)), day_end(date(2026, 6, 30))
    replay = simulate(engine, leeds, start, end)
    assert pick(replay, k.ESCALATION, k.MISSED_SESSION) and pick(replay, k.SESSION_OUTCOME_CHECK)
    forecast = simulate(engine, leeds, start, end, assume_held=True)
    assert not pick(forecast, k.ESCALATION, k.MISSED_SESSION)
    assert not pick(forecast, k.SESSION_OUTCOME_CHECK)
    assert pick(forecast, k.SESSION_REMINDER) and pick(forecast, k.RECORD_DUE_REMINDER)


def test_the_live_loop_and_the_replay_look_back_on_the_same_rows_within_an_hour(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    # The live loop fills its outbox further ahead, so a reminder of a session cancelled
    # since is still a row, due 13:30: its pass learns of a session of Monday 12:15 recorded
    # at 13:20, where the replay learns of it at the 14:00 sweep. Both look back two days
    # from the top of the hour, so both send the same messages (here no outcome check:
    # it fell due before that window).
    org.person("fb", role="head_of_service")
    org.setting("escalation_fallback_id", "fb")
    w1, w2 = org.team(size=2)
    org.held(w1, local(date(2026, 1, 20)))
    org.held(w2, local(date(2026, 1, 20)))
    org.session(w1, local(date(2026, 2, 18), 14, 30), booked=local(date(2026, 1, 21)),
                cancelled=local(date(2026, 2, 12), 9), reason="court")  # fmt: skip
    org.session(w2, local(date(2026, 2, 16), 12, 15), booked=local(date(2026, 2, 18), 13, 20))
    from bot.simulate import simulate

    start, end = datetime(2026, 2, 6, tzinfo=UTC), datetime(2026, 2, 20, tzinfo=UTC)
    replay = sorted(
        (m.at, m.kind, m.recipient_id, m.about_id, m.reason, m.text)
        for m in simulate(engine, leeds, start, end)
    )
    clock = VirtualClock(start)
    transport = RecordingTransport()
    loop = ReminderLoop(engine, leeds, clock, transport, worker_id="live")
    loop.sweep()
    run_live(loop, clock, end)
    live = sorted(
        (at, m.kind, m.recipient_id, m.about_id, m.reason, m.reply.text)
        for at, m in transport.sent
        if start <= at <= end
    )
    assert live == replay and len(live) > 10


def test_simulate_forecast_takes_sessions_after_now_as_held(
    db_url: str, engine: Engine, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Days ahead have no outcomes yet: replayed as recorded, a session booked for next week
    reads as missed; --forecast takes it as held, while one missed last week stays missed."""
    from bot import cli_org
    from bot.cli import app
    from bot.clock import FixedClock

    (w1,) = org.team()
    org.session(w1, local(date(2026, 6, 3), 10))  # last week: no outcome recorded
    org.session(w1, local(date(2026, 6, 17), 10))  # next week
    monkeypatch.setattr(cli_org, "CLOCK", FixedClock(local(date(2026, 6, 10), 9)))

    def missed(*extra: str) -> list[str | None]:
        result = CliRunner().invoke(app, [
            "simulate", "--from", "2026-06-01", "--to", "2026-07-10", "--json",
            "--database-url", db_url, "--policy", "leeds", *extra,
        ])  # fmt: skip
        assert result.exit_code == 0, result.output
        return sorted(m["session_at"] for m in json.loads(result.stdout)
                      if m["reason"] == k.MISSED_SESSION)  # fmt: skip

    assert [s[:10] for s in missed() if s] == ["2026-06-03", "2026-06-17"]
    assert [s[:10] for s in missed("--forecast") if s] == ["2026-06-03"]
