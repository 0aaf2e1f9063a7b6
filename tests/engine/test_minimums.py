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
from tests.engine.conftest import day_end, day_start, pick, run_live, sim
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
        "3 of 4 practice and personal supervision sessions (pro rata from Mon 5 Jan 2026)."
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
    run_live(loop, clock, end)
    live = [
        (at, m.recipient_id, m.about_id, m.reply.text)
        for at, m in transport.sent
        if m.kind == k.MINIMUM_REMINDER
    ]
    assert live == [(m.at, m.recipient_id, m.about_id, m.text) for m in expected]
    assert [m.at for m in expected if m.about_id == w1] == [JULY_1]


def test_a_change_of_role_the_minimum_also_covers_does_not_restart_the_count(
    engine: Engine, org: Org, warwickshire: PolicyPack
) -> None:
    """Newly qualified since January 2025, a social worker since 5 January 2026: the
    observations minimum covers both roles, so by 1 June the whole year counts."""
    from storage.models import Person
    from storage.roles import record_role

    org.person("hana", role="head_of_service")
    org.person("mia", role="team_manager", supervisor="hana")
    org.person("ned", role="nqsw", supervisor="mia", role_start=date(2025, 1, 6))
    with session_scope(engine) as s:
        ned = s.get(Person, "ned")
        assert ned is not None
        record_role(s, ned, "social_worker", date(2026, 1, 5), local(date(2026, 1, 5), 9))
    _year_of_sessions(org, "ned", observations=[])
    msgs = _about(sim(engine, warwickshire, date(2026, 5, 28), date(2026, 6, 3)), "ned")
    assert [(m.at, m.recipient_id) for m in msgs] == [(JUNE_1, "mia")]
    assert msgs[0].text == (
        "Ned is short of a yearly minimum in the twelve months to Mon 1 Jun 2026: "
        "0 of 2 direct observations of practice."
    )
    with session_scope(engine) as s:
        st = status_of(s, warwickshire, "ned", JUNE_1)
        assert st is not None and st.role == "social_worker"
        assert {m.what: (m.held, m.required) for m in st.minimums} == {
            "practice and personal supervision sessions": (12, 10),
            "appraisal sessions": (2, 2),
            "direct observations of practice": (0, 2),
        }


@pytest.mark.parametrize("whole_table_above", [4500, 1])
def test_each_person_counts_the_twelve_months_to_their_own_day(
    engine: Engine,
    org: Org,
    warwickshire: PolicyPack,
    monkeypatch: pytest.MonkeyPatch,
    whole_table_above: int,
) -> None:
    """An observation at 07:00 in Tokyo on 2 July 2025 (still 1 July in London) counts in
    a Tokyo worker's twelve months to 1 July 2026; a London worker's observation of 1 July
    2025 does not count in theirs, whoever else the status covers (Honolulu is a day
    behind), and whether the counts are read for a list of people or the whole table
    (as they are for a large organisation)."""
    from handlers.status import statuses
    from storage import status_queries

    monkeypatch.setattr(status_queries, "WHOLE_TABLE_ABOVE", whole_table_above)
    org.person("hana", role="head_of_service")
    org.person("mia", role="team_manager", supervisor="hana")
    org.person("tomo", supervisor="mia", tz="Asia/Tokyo")
    org.person("lon", supervisor="mia")
    org.person("kai", supervisor="mia", tz="Pacific/Honolulu")
    _year_of_sessions(org, "tomo", observations=[date(2026, 2, 11)])
    org.held("tomo", local(date(2025, 7, 2), 6, tz="Asia/Tokyo"), kind="observation")
    _year_of_sessions(org, "lon", observations=[date(2025, 7, 1), date(2026, 2, 11)])
    july_1 = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # 1 July in all three zones
    with session_scope(engine) as s:
        everyone = {st.id: st for st in statuses(s, warwickshire, july_1)}
        for pid, held in (("tomo", 2), ("lon", 1)):
            one = status_of(s, warwickshire, pid, july_1)
            assert one is not None
            for st in (one, everyone[pid]):
                (obs,) = [m for m in st.minimums if m.session_kind == "observation"]
                assert (obs.held, obs.required) == (held, 2), pid
    msgs = pick(sim(engine, warwickshire, date(2026, 6, 25), date(2026, 7, 3)), k.MINIMUM_REMINDER)
    assert {m.about_id for m in msgs if m.at.date() == date(2026, 7, 1)} >= {"lon"}
    assert "tomo" not in {m.about_id for m in msgs}


def test_after_downtime_a_late_plan_counts_the_twelve_months_to_the_day_it_was_due(
    engine: Engine, org: Org, warwickshire: PolicyPack
) -> None:
    """The loop is down from 30 June to 11:00 on 2 July, and a session is recorded meanwhile.
    On 1 July the observation of 2 July 2025 still counted (2 of 2): nothing is sent,
    though by 2 July it has left the twelve months."""
    from bot.clock import VirtualClock
    from bot.scheduler import ReminderLoop
    from bot.transport import RecordingTransport
    from storage.agenda_rows import request_replan

    (w1,) = org.team()
    _year_of_sessions(org, w1, observations=[date(2025, 7, 2), date(2026, 2, 11)])
    clock = VirtualClock(day_start(date(2026, 6, 29)))
    transport = RecordingTransport()
    loop = ReminderLoop(engine, warwickshire, clock, transport, worker_id="live")
    loop.sweep()
    down = local(date(2026, 6, 30), 23)
    run_live(loop, clock, down)
    back = local(date(2026, 7, 2), 11)
    org.held(w1, local(date(2026, 7, 2), 9))
    with session_scope(engine) as s:
        request_replan(s, [w1], back)
    clock.set(back)
    loop.tick(sweep=True)
    assert [m for _, m in transport.sent if m.kind == k.MINIMUM_REMINDER and m.about_id == w1] == []
    with session_scope(engine) as s:
        st = status_of(s, warwickshire, w1, JULY_1)
        assert st is not None
        assert all(m.met for m in st.minimums)


def test_a_pack_can_leave_minimums_to_status(
    engine: Engine, org: Org, warwickshire: PolicyPack
) -> None:
    quiet = warwickshire.model_copy(
        update={"reminders": warwickshire.reminders.model_copy(update={"minimum_reminders": False})}
    )
    (w1,) = org.team()
    _year_of_sessions(org, w1, observations=[])
    assert pick(sim(engine, quiet, date(2026, 5, 28), date(2026, 6, 3)), k.MINIMUM_REMINDER) == []
    with session_scope(engine) as s:
        st = status_of(s, quiet, w1, JUNE_1)
        assert st is not None and not all(m.met for m in st.minimums)
