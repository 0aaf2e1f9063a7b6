"""Lancashire Supervision Policy 2022: frequencies are delegated, so cadences are assumed."""

from __future__ import annotations

from datetime import date

import pytest

from policy import duties
from policy.engine import load_pack, next_due

PACK = load_pack("lancashire")
D = date

CADENCE = [
    ("social_worker", D(2018, 9, 3), D(2026, 5, 31), D(2026, 6, 30),
     "roles.social_worker.phases[0]"),
    ("nqsw", D(2026, 9, 1), None, D(2026, 9, 8), "roles.nqsw.phases[0]"),
    ("nqsw", D(2026, 9, 1), D(2026, 10, 13), D(2026, 10, 27), "roles.nqsw.phases[1]"),
    ("nqsw", D(2026, 9, 1), D(2027, 3, 1), D(2027, 4, 1), "roles.nqsw.phases[2]"),
    ("student", D(2026, 1, 12), None, D(2026, 1, 19), "roles.student.phases[0]"),
    ("team_manager", D(2015, 4, 1), D(2026, 12, 31), D(2027, 1, 31),
     "roles.team_manager.phases[0]"),
    ("senior_manager", D(2015, 4, 1), D(2027, 1, 31), D(2027, 2, 28),
     "roles.senior_manager.phases[0]"),
]


@pytest.mark.parametrize(("role", "start", "last", "due", "rule_id"), CADENCE)
def test_cadence_is_assumed(role: str, start: date, last: date | None, due: date,
                            rule_id: str) -> None:
    result = next_due(PACK, role, start, last)
    assert (result.date, result.rule_id) == (due, rule_id)
    assert result.assumed and result.cadence.assumed_why
    assert "frequenc" in (result.cadence.assumed_why or "").lower()


def test_quarterly_performance_engagement_is_policy() -> None:
    rule = next(p for p in PACK.periodic if p.id == "performance_engagement")
    assert not rule.assumed and rule.citation.section == "5.13"
    assert rule.every.after(D(2026, 11, 30)) == D(2027, 2, 28)


def test_defaults_for_duties_are_assumed() -> None:
    share = duties.record_share_by(PACK, D(2026, 4, 2))
    assert share.assumed and share.date == D(2026, 4, 20)  # skips Good Friday, Easter Monday
    for rule_id in ("records", "rearranging", "absence", "ratio", "planning", "agreement"):
        assert PACK.rule(rule_id).assumed, rule_id
