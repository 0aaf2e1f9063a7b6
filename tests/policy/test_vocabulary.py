"""Override vocabulary, nations, and the smaller duties."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from policy import duties
from policy.engine import PolicyError, load_pack, next_due, parse_override
from policy.intervals import Interval, parse_duration, parse_interval
from policy.loader import PACKS_DIR
from policy.nations import calendar_for, known_nations

D = date


@pytest.mark.parametrize(("text", "interval"), [
    ("weekly", Interval(1, "weeks")),
    ("Fortnightly", Interval(2, "weeks")),
    ("  monthly ", Interval(1, "months")),
    ("every 3 weeks", Interval(3, "weeks")),
    ("every three weeks", Interval(3, "weeks")),
    ("every two months", Interval(2, "months")),
    ("every month", Interval(1, "months")),
    ("bi monthly", None),
    ("quarterly", Interval(3, "months")),
    ("six-monthly", Interval(6, "months")),
    ("annually", Interval(1, "years")),
])
def test_interval_words(text: str, interval: Interval | None) -> None:
    if interval is None:
        with pytest.raises(ValueError, match="is not an interval such as"):
            parse_interval(text)
    else:
        assert parse_interval(text) == interval


def test_durations() -> None:
    assert parse_duration("6 weeks") == Interval(6, "weeks")
    assert parse_duration("six months") == Interval(6, "months")
    assert parse_duration("1 year") == Interval(1, "years")
    with pytest.raises(ValueError, match="is not a duration such as '6 weeks'"):
        parse_duration("weekly")
    with pytest.raises(ValueError, match="must be longer than zero"):
        parse_duration("0 weeks")


@pytest.mark.parametrize(("text", "message"), [
    ("sometimes", "'sometimes' is not a cadence I know; use an interval such as 'weekly'"),
    ("daily", "'daily' is more often than weekly; the shortest cadence is weekly"),
    ("every 40 years", "'every 40 years' is not a cadence I know"),
])
def test_bad_overrides_are_messages(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_override(text)
    assert str(info.value).startswith(message)
    with pytest.raises(PolicyError):
        next_due(load_pack("leeds"), "social_worker", D(2020, 1, 1), D(2026, 1, 1), text)


def test_unknown_role_names_the_roles() -> None:
    with pytest.raises(PolicyError, match="role 'wizard' is not in the warwickshire policy; "
                                          "roles: family_parenting_support, head_of_service"):
        next_due(load_pack("warwickshire"), "wizard", D(2026, 1, 1), None)


def test_nations_have_their_own_bank_holidays() -> None:
    assert known_nations() == ["england", "northern_ireland", "scotland", "wales"]
    england, scotland = calendar_for("england"), calendar_for("scotland")
    assert england.is_working_day(D(2026, 1, 2)) and not scotland.is_working_day(D(2026, 1, 2))
    assert not scotland.is_working_day(D(2026, 11, 30))  # St Andrew's Day, a Monday
    assert england.is_working_day(D(2026, 4, 6)) is False  # Easter Monday
    assert scotland.is_working_day(D(2026, 4, 6))  # not a Scottish bank holiday
    ni = calendar_for("northern_ireland")
    assert not ni.is_working_day(D(2026, 3, 17))  # St Patrick's Day


def test_a_scottish_pack_counts_scottish_working_days(tmp_path: Path) -> None:
    text = (PACKS_DIR / "leeds.yaml").read_text("utf-8").replace("nation: england",
                                                                  "nation: scotland")
    path = tmp_path / "scottish.yaml"
    path.write_text(text.replace("name: leeds", "name: scottish"), "utf-8")
    pack = load_pack(str(path))
    assert pack.calendar().nation == "scotland"
    # held Wed 31 Dec 2025: 1 and 2 Jan 2026 are Scottish bank holidays
    assert duties.record_share_by(pack, D(2025, 12, 31)).date == D(2026, 1, 16)
    assert duties.record_share_by(load_pack("leeds"), D(2025, 12, 31)).date == D(2026, 1, 15)


def test_retention_and_training_refresh_from_leeds() -> None:
    pack = load_pack("leeds")
    got = duties.deadline_after(pack, "supervision_file_retention", D(2026, 2, 28))
    assert got.date == D(2032, 2, 28) and got.citation.section == "4.15"
    refresh = next(p for p in pack.periodic if p.id == "supervision_training_refresh")
    assert refresh.every.after(D(2024, 2, 29)) == D(2029, 2, 28)
    with pytest.raises(PolicyError, match="has no deadline 'nope'"):
        duties.deadline_after(pack, "nope", D(2026, 1, 1))


def test_rules_applying_to_a_role() -> None:
    pack = load_pack("leeds")
    ids = [r.rule_id for r in duties.applying_to(pack, "nqsw")]
    assert ids[:2] == ["roles.nqsw", "roles.nqsw.phases[0]"]
    assert "periodic.nqsw_mentoring" in ids
    assert "minimums.supervision_observation" not in ids
    tm = [r.rule_id for r in duties.applying_to(pack, "team_manager")]
    assert "minimums.supervision_observation" in tm
    warwick = [r.rule_id for r in duties.applying_to(load_pack("warwickshire"), "social_worker")]
    assert {"minimums.supervision_sessions", "minimums.observations_of_practice",
            "periodic.group_supervision"} <= set(warwick)
