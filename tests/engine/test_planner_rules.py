"""Planner rules the review asked for: merged absences, working-day notices, policy's
arithmetic, go-live, booking texts, the preparation prompt, whose line manager."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine

from bot.clock import local_date
from handlers.reminders import candidate as k
from handlers.reminders.candidate import Candidate, end_of_day, morning
from policy import duties
from policy.engine import PolicyPack
from tests.engine.conftest import pick, plan, sim
from tests.engine.org import Org, local

TZ = "Europe/London"


def _of(cands: list[Candidate], kind: str, reason: str | None = None) -> list[Candidate]:
    return [c for c in cands if c.kind == kind and (reason is None or c.reason == reason)]


def test_leave_then_sickness_is_one_absence(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    (w1,) = org.team()
    org.held(w1, local(date(2026, 5, 15)))  # due again by Mon 15 Jun
    org.absence("mia", date(2026, 6, 1), date(2026, 6, 5), reason="annual_leave")
    org.absence("mia", date(2026, 6, 8), date(2026, 6, 19), reason="sickness")
    cands = plan(engine, leeds, local(date(2026, 6, 8), 10), [w1])
    absent = _of(cands, k.ESCALATION, k.SUPERVISOR_ABSENT)
    to_lm = [c for c in absent if c.recipient_id == "hana"]
    assert len(to_lm) == 1
    # The 11th working day away, counted across both records.
    assert to_lm[0].due_at == morning(date(2026, 6, 15), TZ)
    assert to_lm[0].useful_until == end_of_day(date(2026, 6, 19), TZ)
    assert "Mon 1 Jun 2026 to Fri 19 Jun 2026" in to_lm[0].reply.text


def test_overdue_notices_wait_for_a_working_day(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    w1, w2 = org.team(size=2)
    org.held(w1, local(date(2026, 5, 5)))  # next due Fri 5 Jun
    org.held(w2, local(date(2026, 7, 28)))  # next due Fri 28 Aug; Mon 31 Aug is a bank holiday
    notices = _of(plan(engine, leeds, local(date(2026, 6, 1), 7), [w1]), k.OVERDUE_NOTICE)
    assert {c.due_at for c in notices} == {morning(date(2026, 6, 8), TZ)}
    notices = _of(plan(engine, leeds, local(date(2026, 8, 25), 7), [w2]), k.OVERDUE_NOTICE)
    assert {c.due_at for c in notices} == {morning(date(2026, 9, 1), TZ)}


def test_reminder_deadlines_are_policy_duties(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    w1, w2 = org.team(size=2)
    held_on = date(2026, 6, 1)
    end = local(held_on, 11)
    org.session(w1, local(held_on, 10), held=end)  # record not yet shared
    shared = local(date(2026, 6, 3), 15)
    org.session(w2, local(held_on, 12), held=end + timedelta(hours=2), shared=shared)
    missed = date(2026, 6, 2)
    org.session(w1, local(missed, 10), booked=local(date(2026, 5, 1)))  # no outcome
    org.absence("mia", date(2026, 6, 22), date(2026, 7, 10), reason="annual_leave")
    cands = plan(engine, leeds, local(date(2026, 6, 3), 16), [w1, w2])
    share_by = duties.record_share_by(leeds, held_on).date
    assert {c.useful_until for c in _of(cands, k.RECORD_DUE_REMINDER)} == {end_of_day(share_by, TZ)}
    sign_by = duties.record_sign_by(leeds, local_date(shared, TZ))
    assert sign_by is not None
    assert {c.useful_until for c in _of(cands, k.SIGNING_REMINDER)} == {
        end_of_day(sign_by.date, TZ)
    }
    checks = [c for c in _of(cands, k.SESSION_OUTCOME_CHECK) if c.session_at == local(missed, 10)]
    assert [c.useful_until for c in checks] == [
        end_of_day(duties.rearrange_by(leeds, missed).date, TZ)
    ]
    later = plan(engine, leeds, local(date(2026, 7, 1), 12), [w1, w2])
    for c in _of(later, k.ESCALATION, k.SUPERVISOR_ABSENT):
        assert c.due_at == morning(duties.absence_escalates_on(leeds, date(2026, 6, 22)).date, TZ)
    overdue = _of(plan(engine, leeds, local(date(2026, 7, 1), 12), [w2]), k.ESCALATION, k.OVERDUE)
    for c in overdue:
        due = date.fromisoformat(c.key.split(":")[3])
        assert c.due_at == morning(duties.overdue_escalates_on(leeds, due).date, TZ)


def test_agreements_follow_the_packs_supervisor_change_flag(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.person("sam", role="team_manager", supervisor="hana")
    org.held(w1, local(date(2026, 5, 20)))
    org.agreement(w1, "mia", date(2026, 1, 5))
    org.change(w1, "sam", date(2026, 6, 1))
    at = local(date(2026, 6, 2), 7)
    asked = _of(plan(engine, leeds, at, [w1]), k.AGREEMENT_REMINDER)
    assert asked and all("predates the change" in c.reply.text for c in asked)
    relaxed = leeds.model_copy(
        update={"agreement": leeds.agreement.model_copy(update={"on_supervisor_change": False})}
    )
    asked = _of(plan(engine, relaxed, at, [w1]), k.AGREEMENT_REMINDER)
    renewal = duties.agreement_due(relaxed, date(2026, 1, 5), date(2026, 6, 1)).date
    assert all(c.due_at.date() >= renewal for c in asked)
    assert not [c for c in asked if "predates" in c.reply.text]


def test_go_live_raises_only_open_or_recent_missed_sessions(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    w1, w2, w3 = org.team(size=3)
    for w in (w1, w2, w3):
        org.session(w, local(date(2026, 3, 2)), cancelled=local(date(2026, 3, 1)), reason="ill")
    org.held(w1, local(date(2026, 4, 20)))  # held since: old news at go-live
    org.held(w1, local(date(2026, 5, 18)))
    org.session(w3, local(date(2026, 5, 15)), cancelled=local(date(2026, 5, 14)), reason="court")
    org.held(w3, local(date(2026, 5, 26)))
    # w3's 15 May window closed on Fri 22 May, five working days before go-live on Mon
    # 1 Jun (25 May is a bank holiday): still news, though a session was held since.
    messages = pick(sim(engine, leeds, date(2026, 6, 1), date(2026, 6, 3)), k.ESCALATION)
    missed = sorted(m.about_id or "" for m in messages if m.reason == k.MISSED_SESSION)
    assert missed == [w2, w3]


def test_booking_nudges_count_only_bookings_still_ahead(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    org.held(w1, local(date(2026, 2, 23)))
    org.session(w1, local(date(2026, 3, 27), 10), booked=local(date(2026, 3, 1)))  # no outcome
    cands = plan(engine, leeds, local(date(2026, 4, 1), 7), [w1])
    horizon = [c for c in _of(cands, k.BOOKING_NUDGE) if ":horizon:" in c.key]
    april = [c for c in horizon if c.due_at == morning(date(2026, 4, 1), TZ)]
    assert april and "(nothing booked)" in april[0].reply.text
    assert not [
        c for c in horizon if "27 Mar" in c.reply.text and c.due_at > local(date(2026, 3, 28))
    ]


def test_the_prep_prompt_moves_to_the_first_reminder_planned(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()
    booked = local(date(2026, 6, 1), 11, 20)  # after Monday's 09:00 two-day reminder
    org.session(w1, local(date(2026, 6, 3), 14), booked=booked)
    mine = [c for c in _of(plan(engine, leeds, booked, [w1]), k.SESSION_REMINDER)]
    prep = [c for c in mine if any(b.action == k.ACTION_OPEN_PREP for b in c.reply.buttons)]
    assert [(c.recipient_id, c.due_at) for c in prep] == [(w1, local(date(2026, 6, 3), 13))]


def test_a_missed_session_goes_to_its_own_supervisors_line_manager(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    (w1,) = org.team()  # mia, under hana
    org.person("gus", role="head_of_service")
    org.person("sam", role="team_manager", supervisor="gus")
    org.change(w1, "sam", date(2026, 1, 5))
    org.session(w1, local(date(2026, 3, 2)), supervisor="sam", booked=local(date(2026, 2, 1)))
    org.change(w1, "mia", date(2026, 3, 9))
    cands = plan(engine, leeds, local(date(2026, 4, 1), 7), [w1])
    (esc,) = _of(cands, k.ESCALATION, k.MISSED_SESSION)
    assert esc.recipient_id == "gus"


def test_one_continuous_ratio_lapse_is_escalated_once(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    workers = org.team(size=11)  # mia supervises 11 since their role start
    org.person("sam", role="team_manager", supervisor="hana")
    org.change(workers[0], "mia", date(2024, 1, 8))
    org.change(workers[0], "sam", date(2026, 6, 10))  # one leaves ...
    org.person("w12", role_start=date(2026, 6, 10))
    org.change("w12", "mia", date(2026, 6, 10))  # ... as another joins: still 11
    msgs = pick(sim(engine, leeds, date(2026, 6, 1), date(2026, 6, 30)), k.ESCALATION, k.RATIO)
    assert [(m.at, m.about_id) for m in msgs] == [(local(date(2026, 6, 1), 9), "mia")]
