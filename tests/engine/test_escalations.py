"""Escalations: each reason, the rearranging window (bank holidays, sickness), recipients."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from bot.settings import Settings
from handlers.reminders import candidate as k
from policy.engine import PolicyPack
from tests.engine.conftest import pick, sim
from tests.engine.org import Org, local

ESC = k.ESCALATION


def test_cancelled_session_not_rearranged_escalates_after_an_easter_window(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.session(w1, local(date(2026, 4, 2)), cancelled=local(date(2026, 4, 1), 15), reason="court")
    msgs = pick(sim(engine, leeds, date(2026, 4, 1), date(2026, 4, 30)), ESC, k.MISSED_SESSION)
    # 5 working days after Thu 2 Apr, skipping Good Friday 3 Apr and Easter Monday 6 Apr:
    # 7, 8, 9, 10, 13 Apr; the window closes Mon 13 Apr, the escalation goes Tue 14 Apr.
    assert [(m.at, m.recipient_id, m.about_id) for m in msgs] == [
        (local(date(2026, 4, 14), 9), "hana", w1)
    ]
    assert "was cancelled (court)" in msgs[0].text and "Mon 13 Apr 2026" in msgs[0].text


def test_rearranged_within_the_window_is_not_escalated(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    first = org.session(
        w1, local(date(2026, 4, 2)), cancelled=local(date(2026, 4, 1), 15), reason="rearranged"
    )
    org.session(
        w1,
        local(date(2026, 4, 13)),
        booked=local(date(2026, 4, 1), 15),
        rearranged_from=first,
        held=local(date(2026, 4, 13), 11),
    )
    msgs = sim(engine, leeds, date(2026, 4, 1), date(2026, 4, 30))
    assert not pick(msgs, ESC, k.MISSED_SESSION)


def test_a_rearranged_session_that_is_also_missed_is_one_lapse(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    first = org.session(
        w1, local(date(2026, 4, 2)), cancelled=local(date(2026, 4, 1), 15), reason="rearranged"
    )
    org.session(
        w1, local(date(2026, 4, 9)), booked=local(date(2026, 4, 1), 15), rearranged_from=first
    )
    msgs = pick(sim(engine, leeds, date(2026, 4, 1), date(2026, 4, 30)), ESC, k.MISSED_SESSION)
    assert [(m.at, m.about_id) for m in msgs] == [(local(date(2026, 4, 14), 9), w1)]


def test_christmas_bank_holidays_extend_the_window(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.session(
        w1,
        local(date(2026, 12, 23)),
        cancelled=local(date(2026, 12, 22), 9),
        reason="illness in the family",
    )
    msgs = pick(sim(engine, leeds, date(2026, 12, 20), date(2027, 1, 10)), ESC, k.MISSED_SESSION)
    # 24 Dec, (25 Dec, Boxing Day substitute Mon 28 Dec skipped) 29, 30, 31 Dec,
    # (1 Jan skipped) Mon 4 Jan: the escalation goes Tue 5 Jan 2027.
    assert [m.at for m in msgs] == [local(date(2027, 1, 5), 9)]


def test_sickness_absence_extends_the_window_from_the_return(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.session(
        w1, local(date(2026, 3, 3)), cancelled=local(date(2026, 3, 2), 8), reason="sickness"
    )
    org.absence(w1, date(2026, 3, 2), date(2026, 3, 13))
    msgs = pick(sim(engine, leeds, date(2026, 3, 1), date(2026, 3, 31)), ESC, k.MISSED_SESSION)
    # Back Mon 16 Mar; five working days after that: Mon 23 Mar; escalation Tue 24 Mar
    # (without the sickness it would have been Wed 11 Mar).
    assert [m.at for m in msgs] == [local(date(2026, 3, 24), 9)]


def test_supervisor_sickness_counts_too_and_a_session_held_after_return_clears_it(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.session(
        w1, local(date(2026, 3, 3)), cancelled=local(date(2026, 3, 2), 8), reason="sickness"
    )
    org.absence("mia", date(2026, 3, 2), date(2026, 3, 13))
    org.session(
        w1,
        local(date(2026, 3, 20)),
        booked=local(date(2026, 3, 16), 9),
        held=local(date(2026, 3, 20), 11),
    )
    msgs = sim(engine, leeds, date(2026, 3, 1), date(2026, 3, 31))
    assert not pick(msgs, ESC, k.MISSED_SESSION)


def test_missing_outcome_is_treated_as_missed(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    (w1,) = org.team()
    org.session(w1, local(date(2026, 6, 1)))
    msgs = pick(sim(engine, leeds, date(2026, 5, 25), date(2026, 6, 30)), ESC, k.MISSED_SESSION)
    assert [(m.at, m.recipient_id) for m in msgs] == [(local(date(2026, 6, 9), 9), "hana")]
    assert "has no recorded outcome" in msgs[0].text


def test_overdue_escalates_after_the_grace_period(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.held(w1, local(date(2026, 5, 4)))  # next due Thu 4 Jun
    msgs = pick(sim(engine, leeds, date(2026, 5, 5), date(2026, 6, 30)), ESC, k.OVERDUE)
    # Unmet for 5 working days (5, 8, 9, 10, 11 Jun): escalated Fri 12 Jun.
    assert [(m.at, m.recipient_id, m.about_id) for m in msgs] == [
        (local(date(2026, 6, 12), 9), "hana", w1)
    ]


def test_supervisor_absent_more_than_two_weeks(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    (w1,) = org.team()
    org.held(w1, local(date(2026, 5, 4)))  # due Thu 4 Jun, during the absence
    org.absence("mia", date(2026, 6, 1), date(2026, 6, 19), reason="annual_leave")
    msgs = pick(sim(engine, leeds, date(2026, 5, 20), date(2026, 6, 30)), ESC, k.SUPERVISOR_ABSENT)
    # The 11th consecutive working day of absence is Mon 15 Jun.
    assert sorted((m.at, m.recipient_id, m.about_id) for m in msgs) == [
        (local(date(2026, 6, 15), 9), "hana", w1),
        (local(date(2026, 6, 15), 9), w1, w1),
    ]
    to_w1 = next(m for m in msgs if m.recipient_id == w1)
    assert "contact Hana" in to_w1.text


def test_absence_of_exactly_two_weeks_is_not_escalated(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.held(w1, local(date(2026, 5, 4)))
    org.absence("mia", date(2026, 6, 1), date(2026, 6, 12), reason="annual_leave")
    msgs = sim(engine, leeds, date(2026, 5, 20), date(2026, 6, 30))
    assert not pick(msgs, ESC, k.SUPERVISOR_ABSENT)


def test_ratio_above_the_guide_goes_to_the_supervisors_line_manager(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    org.team(size=11)
    msgs = pick(sim(engine, leeds, date(2026, 6, 1), date(2026, 6, 5)), ESC, k.RATIO)
    assert [(m.at, m.recipient_id, m.about_id) for m in msgs] == [
        (local(date(2026, 6, 1), 9), "hana", "mia")
    ]
    assert "11 people" in msgs[0].text


def test_ten_supervisees_is_within_the_guide(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    org.team(size=10)
    assert not pick(sim(engine, leeds, date(2026, 6, 1), date(2026, 6, 5)), ESC, k.RATIO)


def test_no_line_manager_goes_to_the_fallback_never_to_the_supervisor(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team(head=None)  # mia has no supervisor of her own
    org.person("dora", role="head_of_service", name="Dora Director")
    org.session(w1, local(date(2026, 6, 1)))
    settings = Settings(escalation_fallback_id="dora")
    msgs = pick(sim(engine, leeds, date(2026, 5, 25), date(2026, 6, 30), settings), ESC)
    assert {(m.reason, m.recipient_id) for m in msgs if m.about_id == w1} == {
        (k.MISSED_SESSION, "dora"),
        (k.OVERDUE, "dora"),
    }
    # Without any fallback nothing is sent to mia about her own supervisee's lapse.
    msgs = pick(sim(engine, leeds, date(2026, 5, 25), date(2026, 6, 30)), ESC)
    assert not [m for m in msgs if m.about_id == w1]


def test_fallback_from_the_organisation_settings(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team(head=None)
    org.person("dora", role="head_of_service")
    org.setting("escalation_fallback_id", "dora")
    org.session(w1, local(date(2026, 6, 1)))
    msgs = pick(sim(engine, leeds, date(2026, 5, 25), date(2026, 6, 30)), ESC, k.MISSED_SESSION)
    assert [m.recipient_id for m in msgs] == ["dora"]


def test_an_admin_is_the_last_resort(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    (w1,) = org.team(head=None)
    org.person("ada", role="head_of_service", name="Ada Admin")
    org.session(w1, local(date(2026, 6, 1)))
    settings = Settings(admins="mia,ada")  # mia is an admin too, but it is her own lapse
    msgs = pick(sim(engine, leeds, date(2026, 5, 25), date(2026, 6, 30), settings), ESC)
    assert {m.recipient_id for m in msgs if m.about_id == w1} == {"ada"}
