"""Leeds 'Making a Difference' 2023, walked rule by rule with concrete dates.

Bank holidays used: Good Friday 3 Apr 2026, Easter Monday 6 Apr 2026, Christmas Day
Fri 25 Dec 2026, Boxing Day observed Mon 28 Dec 2026, New Year's Day Fri 1 Jan 2027.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from policy import duties
from policy.engine import PolicyError, cadence_on, is_overdue, load_pack, next_due, plan_dates
from policy.rules import SessionReminder

PACK = load_pack("leeds")
D = date
LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")

# (what the framework says, role, role start, last held, override, due, rule id, assumed)
CADENCE = [
    ("s4.4 NQSW weekly: first session a week after starting",
     "nqsw", D(2026, 1, 5), None, None, D(2026, 1, 12), "roles.nqsw.phases[0]", False),
    ("NQSW: day 41 is still in the first six weeks",
     "nqsw", D(2026, 1, 5), D(2026, 2, 15), None, D(2026, 2, 22), "roles.nqsw.phases[0]", False),
    ("NQSW: start + 6 weeks is the first fortnightly day",
     "nqsw", D(2026, 1, 5), D(2026, 2, 16), None, D(2026, 3, 2), "roles.nqsw.phases[1]", False),
    ("NQSW: the day before the six-month review is fortnightly",
     "nqsw", D(2026, 1, 5), D(2026, 7, 4), None, D(2026, 7, 18), "roles.nqsw.phases[1]", False),
    ("NQSW: monthly from the six-month point",
     "nqsw", D(2026, 1, 5), D(2026, 7, 5), None, D(2026, 8, 5), "roles.nqsw.phases[2]", False),
    ("Social worker monthly; 31 Jan + 1 month clamps to 28 Feb",
     "social_worker", D(2024, 6, 3), D(2026, 1, 31), None, D(2026, 2, 28),
     "roles.social_worker.phases[0]", False),
    ("Leap year: 31 Jan 2028 + 1 month = 29 Feb 2028",
     "social_worker", D(2024, 6, 3), D(2028, 1, 31), None, D(2028, 2, 29),
     "roles.social_worker.phases[0]", False),
    ("No session yet: due one month after the role start",
     "team_manager", D(2026, 8, 31), None, None, D(2026, 9, 30),
     "roles.team_manager.phases[0]", False),
    ("Returner fortnightly during the (assumed) three-month agreed period",
     "returner", D(2026, 3, 2), D(2026, 6, 1), None, D(2026, 6, 15),
     "roles.returner.phases[0]", True),
    ("Returner monthly after the agreed period",
     "returner", D(2026, 3, 2), D(2026, 6, 2), None, D(2026, 7, 2),
     "roles.returner.phases[1]", False),
    ("Student weekly until the (assumed) agreed point",
     "student", D(2026, 9, 7), None, None, D(2026, 9, 14), "roles.student.phases[0]", True),
    ("Student fortnightly after the agreed point",
     "student", D(2026, 9, 7), D(2026, 10, 19), None, D(2026, 11, 2),
     "roles.student.phases[1]", False),
    ("Children's home residential practitioner monthly",
     "residential_practitioner", D(2025, 1, 6), D(2026, 12, 24), None, D(2027, 1, 24),
     "roles.residential_practitioner.phases[0]", False),
    ("s4.17 enhanced supervision: a fortnightly plan beats monthly",
     "social_worker", D(2024, 6, 3), D(2026, 3, 2), "fortnightly", D(2026, 3, 16),
     "override", False),
    ("An override never makes supervision less frequent than the framework",
     "nqsw", D(2026, 1, 5), D(2026, 1, 12), "fortnightly", D(2026, 1, 19),
     "roles.nqsw.phases[0]", False),
    ("'every 3 weeks' override",
     "senior_social_worker", D(2020, 1, 1), D(2026, 12, 21), "every 3 weeks", D(2027, 1, 11),
     "override", False),
]


@pytest.mark.parametrize(
    ("why", "role", "start", "last", "override", "due", "rule_id", "assumed"), CADENCE,
    ids=[c[0] for c in CADENCE],
)
def test_cadence(why: str, role: str, start: date, last: date | None, override: str | None,
                 due: date, rule_id: str, assumed: bool) -> None:
    result = next_due(PACK, role, start, last, override)
    assert (result.date, result.rule_id, result.assumed) == (due, rule_id, assumed)
    assert result.citation.section.startswith("4.")


def test_overdue_is_strictly_after_the_due_date() -> None:
    due = next_due(PACK, "nqsw", D(2026, 1, 5), D(2026, 2, 16)).date  # 2 Mar 2026
    assert not is_overdue(due, D(2026, 3, 2))
    assert is_overdue(due, D(2026, 3, 3))


def test_cadence_labels_and_phase_text() -> None:
    c = cadence_on(PACK, "nqsw", D(2026, 1, 5), D(2026, 3, 1))
    assert (c.label, c.phase) == ("fortnightly", "week six up to the six-month review")
    assert str(c.citation).startswith("Leeds 'Making a Difference' 2023, s4.4: \"Weekly for")


def test_records_shared_in_10_and_signed_in_5_working_days_over_easter() -> None:
    share = duties.record_share_by(PACK, D(2026, 3, 26))  # Thu; Good Friday and Easter Monday
    assert share.date == D(2026, 4, 13)
    sign = duties.record_sign_by(PACK, share.date)
    assert sign is not None and sign.date == D(2026, 4, 20)
    assert PACK.records.silence_means_agreement
    assert share.citation.section == "4.13" and not share.assumed


def test_rearranged_within_5_working_days_over_christmas() -> None:
    # Thu 24 Dec 2026: 25 Dec and Boxing Day (observed Mon 28th) and 1 Jan are holidays
    assert duties.rearrange_by(PACK, D(2026, 12, 24)).date == D(2027, 1, 5)


def test_rebooked_within_5_working_days_of_return_after_sickness() -> None:
    assert duties.rebook_after_sickness_by(PACK, D(2026, 4, 7)).date == D(2026, 4, 14)


def test_supervisor_absent_more_than_two_weeks() -> None:
    # absent from Mon 23 Mar 2026; the 11th working day of absence skips Easter
    assert duties.absence_escalates_on(PACK, D(2026, 3, 23)).date == D(2026, 4, 8)
    # starting on a Saturday counts from the Monday
    assert duties.absence_escalates_on(PACK, D(2026, 3, 21)).date == D(2026, 4, 8)
    assert not duties.absence_exceeds_limit(PACK, 10)
    assert duties.absence_exceeds_limit(PACK, 11)


def test_agreement_renewed_annually_or_on_change_of_supervisor() -> None:
    assert duties.agreement_due(PACK, D(2026, 1, 31), D(2025, 5, 1)).date == D(2027, 1, 31)
    assert duties.agreement_due(PACK, D(2026, 1, 31), D(2026, 6, 1)).date == D(2026, 6, 1)
    assert duties.agreement_due(PACK, None, D(2026, 6, 1)).date == D(2026, 6, 1)


def test_ratio_guide_of_8_to_10() -> None:
    assert (PACK.ratio.guide_min_supervisees, PACK.ratio.max_supervisees) == (8, 10)
    assert not duties.ratio_exceeded(PACK, 10)
    assert duties.ratio_exceeded(PACK, 11)


def test_planned_three_months_ahead_with_month_end_clamping() -> None:
    assert duties.planning_horizon_end(PACK, D(2026, 11, 30)) == D(2027, 2, 28)


def test_overdue_escalation_after_grace_over_easter() -> None:
    # due Tue 31 Mar 2026; 5 working days' grace end Thu 9 Apr; escalate Fri 10 Apr
    assert duties.overdue_escalates_on(PACK, D(2026, 3, 31)).date == D(2026, 4, 10)


def test_asye_reviews_at_3_6_9_and_11_months() -> None:
    got = [d for d, _ in duties.milestones(PACK, "nqsw", D(2025, 11, 30))]
    assert got == [D(2026, 2, 28), D(2026, 5, 30), D(2026, 8, 30), D(2026, 10, 30)]


def test_every_case_at_least_three_monthly() -> None:
    due = duties.case_review_due(PACK, "social_work_cases", D(2026, 1, 31))
    assert due.date == D(2026, 4, 30)
    assert duties.case_review_due(PACK, "early_help_cases", D(2026, 11, 30)).date == D(2027, 2, 28)


def test_session_reminders_two_working_days_before_at_nine_and_one_hour_before() -> None:
    start = datetime(2026, 4, 7, 10, 0, tzinfo=LONDON)  # Tue after Easter, BST
    got = duties.session_reminder_instants(PACK, start, "Europe/London")
    assert got == [datetime(2026, 4, 1, 8, 0, tzinfo=UTC), datetime(2026, 4, 7, 8, 0, tzinfo=UTC)]
    # across the clock change (29 Mar 2026): reminder at 09:00 GMT, session in BST
    start = datetime(2026, 3, 30, 10, 0, tzinfo=LONDON)
    got = duties.session_reminder_instants(PACK, start, "Europe/London")
    assert got[0] == datetime(2026, 3, 26, 9, 0, tzinfo=UTC)
    assert PACK.reminders.outcome_check_minutes_after == 30


def test_plan_three_months_over_christmas_on_working_days() -> None:
    got = plan_dates(PACK, "social_worker", D(2020, 1, 6), D(2026, 12, 1),
                     D(2026, 12, 2), D(2027, 3, 31))
    # 1 Jan 2027 is a bank holiday, 31 Jan and 28 Feb 2027 are Sundays, and 26 Mar 2027
    # is Good Friday: each session goes on the last working day on or before its due date
    assert got == [D(2026, 12, 31), D(2027, 1, 29), D(2027, 2, 26), D(2027, 3, 25)]


def test_plan_for_an_overdue_person_starts_from_the_first_working_day() -> None:
    got = plan_dates(PACK, "social_worker", D(2020, 1, 6), D(2026, 1, 2),
                     D(2026, 4, 3), D(2026, 5, 31))
    assert got == [D(2026, 4, 7), D(2026, 5, 7)]


def test_why_answers_cite_the_section() -> None:
    assert PACK.why("records")[0].citation.section == "4.13"
    assert PACK.why("why is my supervision rearranged")[0].rule_id == "rearranging"
    nqsw = PACK.why("nqsw")
    assert nqsw[0].rule_id == "roles.nqsw" and len(nqsw) == 9
    assert nqsw[-1].rule_id == "periodic.nqsw_mentoring"
    assert PACK.why("how many supervisees")[0].rule_id == "ratio"
    assert PACK.why("zzz") == []


def test_hours_before_counts_elapsed_time_across_the_clock_change() -> None:
    twelve = PACK.reminders.model_copy(update={"session": [SessionReminder(hours_before=12)]})
    pack = PACK.model_copy(update={"reminders": twelve})
    start = datetime(2026, 3, 29, 10, 0, tzinfo=LONDON)  # 09:00 UTC, the first day of BST
    got = duties.session_reminder_instants(pack, start, "Europe/London")
    assert got == [datetime(2026, 3, 28, 21, 0, tzinfo=UTC)]


def test_reminders_need_an_aware_start_and_a_real_timezone() -> None:
    with pytest.raises(PolicyError, match="timezone-aware"):
        duties.session_reminder_instants(PACK, datetime(2026, 4, 7, 10, 0), "Europe/London")
    start = datetime(2026, 4, 7, 10, 0, tzinfo=LONDON)
    with pytest.raises(PolicyError, match="unknown timezone 'Mars/Olympus'"):
        duties.session_reminder_instants(PACK, start, "Mars/Olympus")
