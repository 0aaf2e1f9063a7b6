"""Warwickshire Supervision Procedure 2019, walked rule by rule with concrete dates."""

from __future__ import annotations

from datetime import date

import pytest

from policy import duties
from policy.engine import load_pack, next_due, plan_dates

PACK = load_pack("warwickshire")
D = date

CADENCE = [
    ("7.3 NQSW at least weekly for the first six weeks of employment",
     "nqsw", D(2026, 3, 2), None, D(2026, 3, 9), "roles.nqsw.phases[0]", False),
    ("7.3 NQSW fortnightly from week six",
     "nqsw", D(2026, 3, 2), D(2026, 4, 13), D(2026, 4, 27), "roles.nqsw.phases[1]", False),
    ("7.3 NQSW fortnightly on the last day of the first six months",
     "nqsw", D(2026, 3, 2), D(2026, 9, 1), D(2026, 9, 15), "roles.nqsw.phases[1]", False),
    ("7.3 NQSW monthly thereafter",
     "nqsw", D(2026, 3, 2), D(2026, 9, 2), D(2026, 10, 2), "roles.nqsw.phases[2]", False),
    ("7.1 monthly for social workers; month end clamps",
     "social_worker", D(2019, 1, 7), D(2026, 10, 31), D(2026, 11, 30),
     "roles.social_worker.phases[0]", False),
    ("7.1 monthly for social care workers",
     "social_care_worker", D(2026, 1, 31), None, D(2026, 2, 28),
     "roles.social_care_worker.phases[0]", False),
    ("7.1 applies to managers too",
     "operations_manager", D(2022, 5, 3), D(2026, 12, 24), D(2027, 1, 24),
     "roles.operations_manager.phases[0]", False),
    ("7.2 students: as agreed with the student and HEI (assumed weekly at first)",
     "student", D(2026, 9, 28), None, D(2026, 10, 5), "roles.student.phases[0]", True),
    ("7.2 students: assumed fortnightly later",
     "student", D(2026, 9, 28), D(2026, 11, 9), D(2026, 11, 23), "roles.student.phases[1]", True),
]


@pytest.mark.parametrize(("why", "role", "start", "last", "due", "rule_id", "assumed"), CADENCE,
                         ids=[c[0] for c in CADENCE])
def test_cadence(why: str, role: str, start: date, last: date | None, due: date, rule_id: str,
                 assumed: bool) -> None:
    result = next_due(PACK, role, start, last)
    assert (result.date, result.rule_id, result.assumed) == (due, rule_id, assumed)


def test_performance_plan_can_require_more_frequent_supervision() -> None:
    result = next_due(PACK, "social_worker", D(2019, 1, 7), D(2026, 3, 2), "weekly")
    assert (result.date, result.rule_id) == (D(2026, 3, 9), "override")
    assert result.citation.section == "12.1"


def test_minimum_ten_sessions_two_appraisals_two_observations_a_year() -> None:
    counts = {m.id: m.count for m in PACK.minimums}
    assert counts == {"supervision_sessions": 10, "appraisal_sessions": 2,
                      "observations_of_practice": 2}
    assert PACK.rule("minimums.observations_of_practice").citation.section == "7.5"


def test_group_supervision_every_two_months() -> None:
    group = next(p for p in PACK.periodic if p.id == "group_supervision")
    assert group.every.after(D(2026, 12, 31)) == D(2027, 2, 28)
    assert "social_worker" in (group.applies_to or [])


def test_record_shared_within_5_working_days_over_christmas() -> None:
    # Wed 23 Dec 2026: 25 and 28 Dec and 1 Jan 2027 are bank holidays
    assert duties.record_share_by(PACK, D(2026, 12, 23)).date == D(2027, 1, 4)


def test_previous_record_signed_at_the_next_session() -> None:
    assert PACK.records.sign_within_working_days is None
    sign = duties.record_sign_by(PACK, D(2027, 1, 4), next_session=D(2027, 1, 20))
    assert sign is not None and sign.date == D(2027, 1, 20)
    assert duties.record_sign_by(PACK, D(2027, 1, 4)) is None
    assert not PACK.records.silence_means_agreement


def test_cancelled_sessions_rescheduled_as_soon_as_possible_assumed_5_days() -> None:
    d = duties.rearrange_by(PACK, D(2026, 4, 2))  # Thu before Good Friday
    assert d.date == D(2026, 4, 13) and d.assumed and d.citation.section == "15.1"


def test_supervision_programmed_a_whole_year_ahead() -> None:
    assert duties.planning_horizon_end(PACK, D(2026, 2, 28)) == D(2027, 2, 28)
    dates = plan_dates(PACK, "social_worker", D(2019, 1, 7), D(2026, 12, 15),
                       D(2026, 12, 16), duties.planning_horizon_end(PACK, D(2026, 12, 16)))
    assert len(dates) == 12
    assert all(PACK.calendar().is_working_day(d) for d in dates)


def test_contract_reviewed_annually_and_at_a_new_supervision_relationship() -> None:
    assert duties.agreement_due(PACK, D(2026, 2, 28), None).date == D(2027, 2, 28)
    assert duties.agreement_due(PACK, D(2026, 2, 28), D(2026, 9, 1)).date == D(2026, 9, 1)


def test_no_ratio_is_set() -> None:
    assert PACK.ratio.max_supervisees is None
    assert not duties.ratio_exceeded(PACK, 40)


def test_each_child_discussed_monthly() -> None:
    due = duties.case_review_due(PACK, "every_child_monthly", D(2026, 1, 31))
    assert due.date == D(2026, 2, 28)


def test_quality_monitoring_and_dip_samples() -> None:
    rule = PACK.rule("periodic.supervision_quality_monitoring").rule
    assert rule.citation.section == "8.2"
    sample = next(p for p in PACK.periodic if p.id == "supervision_file_dip_sample")
    assert sample.every.label == "monthly"


def test_case_notes_finalised_the_same_day() -> None:
    assert duties.deadline_after(PACK, "case_notes_finalised", D(2026, 4, 2)).date == D(2026, 4, 2)


def test_yearly_minimums_pro_rata_and_by_role() -> None:
    from policy.duties import minimum_progress, minimums_window

    pack = load_pack("warwickshire")
    today = date(2026, 12, 1)
    assert minimums_window(today) == date(2025, 12, 2)
    full = {m.rule_id: m for m in minimum_progress(
        pack, "social_worker", date(2019, 4, 1), {"individual": 10, "appraisal": 1}, today)}
    assert full["minimums.supervision_sessions"].met
    assert not full["minimums.appraisal_sessions"].met
    assert full["minimums.observations_of_practice"].required == 2
    # Half a year in the role: half the count, rounded down.
    half = minimum_progress(pack, "nqsw", date(2026, 6, 2), {}, today)
    assert [(m.rule_id, m.required) for m in half] == [
        ("minimums.supervision_sessions", 5), ("minimums.appraisal_sessions", 1),
        ("minimums.observations_of_practice", 1)]
    # Students are supervised "as agreed" (7.2): no yearly count applies.
    assert minimum_progress(pack, "student", date(2026, 9, 1), {}, today) == []
    # Leeds sets no yearly minimums.
    assert minimum_progress(load_pack("leeds"), "social_worker", date(2019, 4, 1), {}, today) == []


def test_yearly_minimums_count_from_the_run_of_roles_each_applies_to() -> None:
    """A student (no yearly count) from 2024, newly qualified from 2 June 2026, then a
    social worker from 1 September: the observations minimum covers both later roles, so
    it counts from 2 June; a role it does not cover breaks the run."""
    from policy.duties import minimum_progress

    pack = load_pack("warwickshire")
    today = date(2026, 12, 1)
    history = ((date(2024, 9, 2), "student"), (date(2026, 6, 2), "nqsw"),
               (date(2026, 9, 1), "social_worker"))  # fmt: skip
    found = minimum_progress(pack, "social_worker", date(2026, 9, 1), {}, today, history)
    assert {m.rule_id: (m.window_start, m.required) for m in found} == {
        "minimums.supervision_sessions": (date(2026, 6, 2), 5),
        "minimums.appraisal_sessions": (date(2026, 6, 2), 1),
        "minimums.observations_of_practice": (date(2026, 6, 2), 1),
    }
    # A later role change recorded after `today` is not part of the run yet.
    later = (*history, (date(2027, 1, 4), "team_manager"))
    assert minimum_progress(pack, "social_worker", date(2026, 9, 1), {}, today, later) == found
