"""`minimum_reminder`: the supervisor hears, month by month, while a supervisee is short of
a yearly minimum the pack counts from recorded sessions (Warwickshire: 10 supervision
sessions, 2 appraisals and, for social workers, 2 observations of practice a year)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine

from bot.simulate import SimulatedMessage
from handlers.reminders import candidate as k
from handlers.status import status_of
from policy.engine import PolicyPack, load_pack
from storage.db import session_scope
from tests.engine.conftest import day_end, day_start, pick, sim
from tests.engine.org import Org, local

JUNE_1 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # Mon 1 Jun 2026, 09:00 BST
JULY_1 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # Wed 1 Jul 2026, 09:00 BST


@pytest.fixture(scope="module")
def warwickshire() -> PolicyPack:
    return load_pack("warwickshire")


def _monthly(org: Org, pid: str, first: date, months: int) -> None:
    """Individual sessions held on the 10th of each month from `first`'s month."""
    for i in range(months):
        y, m = divmod(first.month - 1 + i, 12)
        org.held(pid, local(date(first.year + y, m + 1, 10), 10))


def _about(messages: list[SimulatedMessage], pid: str) -> list[SimulatedMessage]:
    return [m for m in pick(messages, k.MINIMUM_REMINDER) if m.about_id == pid]


def _year_of_sessions(org: Org, pid: str, *, observations: list[date]) -> None:
    """Twelve monthly sessions and two appraisals to the end of May 2026, and the given
    observations of practice."""
    _monthly(org, pid, date(2025, 6, 1), 12)
    for day in (date(2025, 9, 3), date(2026, 3, 4)):
        org.held(pid, local(day, 14), kind="appraisal")
    for day in observations:
        org.held(pid, local(day, 14), kind="observation")


def test_a_supervisee_short_of_a_minimum_is_reported_to_the_supervisor_each_month(
    engine: Engine, org: Org, warwickshire: PolicyPack
) -> None:
    w1, w2 = org.team(size=2)
    _year_of_sessions(org, w1, observations=[date(2026, 2, 11)])
    _year_of_sessions(org, w2, observations=[date(2025, 11, 5), date(2026, 2, 11)])
    msgs = pick(sim(engine, warwickshire, date(2026, 5, 28), date(2026, 7, 3)), k.MINIMUM_REMINDER)
    # Of the workers only w1 is short (one observation of two); mia hears on each first
    # working day. Mia, with no session of her own on record, is short of everything.
    assert [(m.at, m.recipient_id, m.about_id) for m in msgs] == [
        (JUNE_1, "hana", "mia"),
        (JUNE_1, "mia", w1),
        (JULY_1, "hana", "mia"),
        (JULY_1, "mia", w1),
    ]
    assert msgs[0].text == (
        "Mia is short of a yearly minimum in the twelve months to Mon 1 Jun 2026: "
        "0 of 10 practice and personal supervision sessions, 0 of 2 appraisal sessions."
    )
    assert msgs[1].text == (
        "W1 is short of a yearly minimum in the twelve months to Mon 1 Jun 2026: "
        "1 of 2 direct observations of practice."
    )
    # As `status` reports it that morning.
    with session_scope(engine) as s:
        st = status_of(s, warwickshire, w1, JUNE_1)
        assert st is not None
        assert [(m.what, m.held, m.required) for m in st.minimums if not m.met] == [
            ("direct observations of practice", 1, 2)
        ]


def test_a_session_held_meanwhile_ends_the_reminders(
    engine: Engine, org: Org, warwickshire: PolicyPack
) -> None:
    (w1,) = org.team()
    _year_of_sessions(org, w1, observations=[date(2026, 2, 11)])
    org.held(w1, local(date(2026, 6, 17), 14), kind="observation")
    msgs = _about(sim(engine, warwickshire, date(2026, 5, 28), date(2026, 7, 3)), w1)
    assert [m.at for m in msgs] == [JUNE_1]


def test_a_session_leaving_the_twelve_months_makes_the_person_short_with_no_new_fact(
    engine: Engine, org: Org, warwickshire: PolicyPack
) -> None:
    """Two observations on 1 June; on 1 July the one of 15 June 2025 has left the window."""
    (w1,) = org.team()
    _year_of_sessions(org, w1, observations=[date(2025, 6, 15), date(2026, 2, 11)])
    msgs = _about(sim(engine, warwickshire, date(2026, 5, 28), date(2026, 7, 3)), w1)
    assert [(m.at, m.recipient_id) for m in msgs] == [(JULY_1, "mia")]
    assert "1 of 2 direct observations of practice" in msgs[0].text


def test_a_new_starter_is_counted_pro_rata(
    engine: Engine, org: Org, warwickshire: PolicyPack
) -> None:
    """In the role since 5 January: by 1 June 10 a year pro rata is 4 (148 days of 365);
    the appraisals and observations pro rata are still 0."""
    org.person("hana", role="head_of_service")
    org.person("mia", role="team_manager", supervisor="hana")
    org.person("nia", supervisor="mia", role_start=date(2026, 1, 5))
    _monthly(org, "nia", date(2026, 2, 1), 3)  # February to April: 3 sessions
    msgs = _about(sim(engine, warwickshire, date(2026, 5, 28), date(2026, 6, 3)), "nia")
    assert [(m.at, m.recipient_id) for m in msgs] == [(JUNE_1, "mia")]
    assert msgs[0].text == (
        "Nia is short of a yearly minimum in the twelve months to Mon 1 Jun 2026: "
        "3 of 4 practice and personal supervision sessions. (Counted pro rata from the "
        "start of the role on Mon 5 Jan 2026.)"
    )


def test_packs_that_count_no_minimum_send_none(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    _monthly(org, w1, date(2025, 6, 1), 2)
    msgs = sim(engine, leeds, date(2026, 5, 28), date(2026, 7, 3))
    assert msgs and pick(msgs, k.MINIMUM_REMINDER) == []


def test_the_live_loop_sends_the_same_minimum_reminders_as_the_simulation(
    engine: Engine, org: Org, warwickshire: PolicyPack
) -> None:
    from bot.clock import VirtualClock
    from bot.scheduler import ReminderLoop
    from bot.transport import RecordingTransport

    (w1,) = org.team()
    _year_of_sessions(org, w1, observations=[date(2025, 6, 15), date(2026, 2, 11)])
    first, last = date(2026, 6, 25), date(2026, 7, 2)
    expected = pick(sim(engine, warwickshire, first, last), k.MINIMUM_REMINDER)
    end = day_end(last)
    clock = VirtualClock(day_start(first))
    transport = RecordingTransport()
    loop = ReminderLoop(engine, warwickshire, clock, transport, worker_id="live")
    loop.sweep()
    while (wake := loop.next_wake()) is not None and wake <= end:
        clock.set(wake)
        loop.tick(sweep=wake.minute == 0 and wake.second == 0)
    live = [
        (at, m.recipient_id, m.about_id, m.reply.text)
        for at, m in transport.sent
        if m.kind == k.MINIMUM_REMINDER
    ]
    assert live == [(m.at, m.recipient_id, m.about_id, m.text) for m in expected]
    assert [m.at for m in expected if m.about_id == w1] == [JULY_1]
