"""Darlington Supervision and Appraisal Policy 2024, walked rule by rule with concrete dates."""

from __future__ import annotations

from datetime import date

import pytest

from policy import duties
from policy.engine import PolicyError, load_pack, next_due

PACK = load_pack("darlington")
D = date

CADENCE = [
    ("NQSW weekly for the first 6 weeks",
     "nqsw", D(2026, 12, 21), None, D(2026, 12, 28), "roles.nqsw.phases[0]"),
    ("NQSW fortnightly from 6 weeks (1 Feb 2027)",
     "nqsw", D(2026, 12, 21), D(2027, 2, 1), D(2027, 2, 15), "roles.nqsw.phases[1]"),
    ("NQSW monthly from 6 months (21 Jun 2027)",
     "nqsw", D(2026, 12, 21), D(2027, 6, 21), D(2027, 7, 21), "roles.nqsw.phases[2]"),
    ("Service managers monthly",
     "service_manager", D(2021, 1, 4), D(2026, 1, 31), D(2026, 2, 28),
     "roles.service_manager.phases[0]"),
    ("Practice supervisors monthly",
     "practice_supervisor", D(2023, 3, 1), D(2026, 3, 31), D(2026, 4, 30),
     "roles.practice_supervisor.phases[0]"),
    ("Non-qualified roles working with children monthly",
     "non_qualified_worker", D(2026, 5, 31), None, D(2026, 6, 30),
     "roles.non_qualified_worker.phases[0]"),
    ("Residential staff monthly",
     "residential_staff", D(2025, 2, 3), D(2026, 8, 31), D(2026, 9, 30),
     "roles.residential_staff.phases[0]"),
]


@pytest.mark.parametrize(("why", "role", "start", "last", "due", "rule_id"), CADENCE,
                         ids=[c[0] for c in CADENCE])
def test_cadence(why: str, role: str, start: date, last: date | None, due: date,
                 rule_id: str) -> None:
    result = next_due(PACK, role, start, last)
    assert (result.date, result.rule_id, result.assumed) == (due, rule_id, False)
    assert result.citation.section == "Frequency of supervision"


def test_minimum_timescales_allow_more_frequent_supervision() -> None:
    result = next_due(PACK, "social_worker", D(2020, 1, 6), D(2026, 3, 2), "fortnightly")
    assert result.date == D(2026, 3, 16)
    assert "minimum timescales" in result.citation.quote


# (rating, last case supervision, next due)
RAG = [
    ("assessment", D(2026, 1, 31), D(2026, 2, 28)),
    ("red", D(2026, 1, 31), D(2026, 2, 28)),
    ("amber", D(2026, 12, 31), D(2027, 2, 28)),
    ("green", D(2026, 11, 30), D(2027, 2, 28)),
    ("green_cwd", D(2026, 8, 31), D(2027, 2, 28)),
]


@pytest.mark.parametrize(("rating", "last", "due"), RAG, ids=[r[0] for r in RAG])
def test_case_supervision_by_rag_rating(rating: str, last: date, due: date) -> None:
    result = duties.case_review_due(PACK, rating, last)
    assert result.date == due and not result.assumed


def test_unknown_rating_is_a_message() -> None:
    with pytest.raises(PolicyError, match="no case supervision rule 'purple'; known: assessment"):
        duties.case_review_due(PACK, "purple", D(2026, 1, 1))


def test_oversight_within_three_days_of_allocation() -> None:
    # calendar days: allocated Christmas Eve 2026, due Sunday 27 Dec
    got = duties.deadline_after(PACK, "case_allocation_oversight", D(2026, 12, 24))
    assert got.date == D(2026, 12, 27)


def test_unset_duties_are_assumed_and_escalate_to_the_line_manager() -> None:
    for rule_id in ("records", "rearranging", "absence", "planning", "agreement", "escalation"):
        assert PACK.rule(rule_id).assumed, rule_id
    assert "supervisor's line manager" in PACK.rule("absence").citation.quote
    assert PACK.records.sign_within_working_days is None


def test_head_of_service_has_no_cadence() -> None:
    with pytest.raises(PolicyError, match="sets no supervision cadence for Head of service"):
        next_due(PACK, "head_of_service", D(2020, 1, 1), None)
