"""A malformed pack gets a precise message with its path (and line) in the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from policy.engine import PolicyError, load_pack
from policy.loader import PACKS_DIR, parse_text

LEEDS_TEXT = (PACKS_DIR / "leeds.yaml").read_text("utf-8")


def _leeds() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(LEEDS_TEXT)
    return data


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "custom.yaml")
    return [p.split(" (line ")[0] + ":" + p.split(":", 1)[1] if " (line " in p else p
            for p in info.value.problems]


def _bad_interval(d: dict[str, Any]) -> None:
    d["roles"]["nqsw"]["phases"][1]["interval"] = "sometimes"


def _missing_share(d: dict[str, Any]) -> None:
    del d["records"]["share_within_working_days"]


def _typo(d: dict[str, Any]) -> None:
    d["records"]["sign_within_workng_days"] = 5


def _assumed_without_why(d: dict[str, Any]) -> None:
    del d["roles"]["student"]["phases"][0]["assumed_why"]


def _unknown_supervisor(d: dict[str, Any]) -> None:
    d["roles"]["nqsw"]["supervised_by"] = ["boss"]


def _missing_role(d: dict[str, Any]) -> None:
    del d["roles"]["team_manager"]
    for role in d["roles"].values():
        role["supervised_by"] = [r for r in role.get("supervised_by", []) if r != "team_manager"]


def _bad_nation(d: dict[str, Any]) -> None:
    d["nation"] = "cornwall"


def _last_phase_until(d: dict[str, Any]) -> None:
    d["roles"]["nqsw"]["phases"][2]["until"] = "12 months"


def _phases_out_of_order(d: dict[str, Any]) -> None:
    d["roles"]["nqsw"]["phases"][1]["until"] = "4 weeks"


def _reminder_both_forms(d: dict[str, Any]) -> None:
    d["reminders"]["session"][1]["working_days_before"] = 1


def _text_for_number(d: dict[str, Any]) -> None:
    d["rearranging"]["within_working_days"] = "five"


def _missing_citation(d: dict[str, Any]) -> None:
    del d["ratio"]["citation"]


def _duplicate_id(d: dict[str, Any]) -> None:
    d["case_supervision"][1]["id"] = "social_work_cases"


def _applies_to_unknown(d: dict[str, Any]) -> None:
    d["periodic"][0]["applies_to"] = ["nqsw", "wizard"]


def _bad_duration(d: dict[str, Any]) -> None:
    d["roles"]["returner"]["phases"][0]["until"] = "a while"


CASES = [
    (_bad_interval, "roles.nqsw.phases[1].interval: 'sometimes' is not an interval such as "
                    "'weekly', 'fortnightly', 'monthly'"),
    (_missing_share, "records.share_within_working_days: required field is missing"),
    (_typo, "records.sign_within_workng_days: unknown field"),
    (_assumed_without_why, "roles.student.phases[0].assumed_why: assumed: true needs assumed_why"),
    (_unknown_supervisor, "roles.nqsw.supervised_by: 'boss' is not a role in this pack"),
    (_missing_role, "roles: every pack must define the roles: team_manager"),
    (_bad_nation, "nation: expected one of: england, northern_ireland, scotland, wales"),
    (_last_phase_until, "roles.nqsw.phases[2].until: the last phase must not have 'until'"),
    (_phases_out_of_order, "roles.nqsw.phases[1].until: 4 weeks must be later than the previous "
                           "phase's end (6 weeks)"),
    (_reminder_both_forms, "reminders.session[1]: give either working_days_before + at, or "
                           "hours_before, not both"),
    (_text_for_number, "rearranging.within_working_days: Input should be a valid integer"),
    (_missing_citation, "ratio.citation: required field is missing"),
    (_duplicate_id, "case_supervision[1].id: 'social_work_cases' is used twice"),
    (_applies_to_unknown, "periodic[0].applies_to: 'wizard' is not a role in this pack"),
    (_bad_duration, "roles.returner.phases[0].until: 'a while' is not a duration such as "
                    "'6 weeks'"),
]


@pytest.mark.parametrize(("mutate", "expected"), CASES, ids=[c[0].__name__ for c in CASES])
def test_precise_message(mutate: Any, expected: str) -> None:
    data = _leeds()
    mutate(data)
    problems = _problems(data)
    assert any(p.startswith(expected) for p in problems), problems


def test_line_numbers_point_into_the_file() -> None:
    text = LEEDS_TEXT.replace("share_within_working_days: 10", "share_within_working_days: ten")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "working_days: ten" in t)
    with pytest.raises(PolicyError) as info:
        parse_text(text, "leeds-copy.yaml")
    assert info.value.problems == [
        f"records.share_within_working_days (line {line}): Input should be a valid integer, "
        "unable to parse string as an integer"
    ]
    assert str(info.value).startswith("leeds-copy.yaml: 1 problem(s) in the policy pack\n  - ")


def test_every_problem_is_reported_at_once() -> None:
    data = _leeds()
    _bad_interval(data)
    _typo(data)
    _bad_nation(data)
    assert len(_problems(data)) == 3


def test_yaml_syntax_error_has_line_and_column() -> None:
    text = "name: broken\nroles:\n  nqsw: [unclosed\n"
    with pytest.raises(PolicyError) as info:
        parse_text(text, "broken.yaml")
    assert str(info.value).startswith("broken.yaml: not valid YAML at line ")


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(PolicyError, match="a policy pack must be a mapping"):
        parse_text("- just\n- a list\n", "list.yaml")


def test_unknown_name_lists_the_packs() -> None:
    with pytest.raises(PolicyError) as info:
        load_pack("yorkshire")
    assert str(info.value) == ("no policy pack called 'yorkshire'. Built-in packs: darlington, "
                               "lancashire, leeds, warwickshire; or give the path to a .yaml file")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"policy pack file not found: .*nope\.yaml"):
        load_pack(str(tmp_path / "nope.yaml"))
    with pytest.raises(PolicyError, match="is a folder"):
        load_pack(str(tmp_path) + "/")


def test_a_copied_pack_with_a_changed_number_loads(tmp_path: Path) -> None:
    path = tmp_path / "our-leeds.yaml"
    path.write_text(LEEDS_TEXT.replace("max_supervisees: 10", "max_supervisees: 12")
                    .replace("name: leeds", "name: our-leeds"), "utf-8")
    pack = load_pack(str(path))
    assert (pack.name, pack.ratio.max_supervisees) == ("our-leeds", 12)


def test_a_key_given_twice_is_an_error_not_a_silent_override() -> None:
    twice = "  max_supervisees: 10\n  max_supervisees: 12\n"
    text = LEEDS_TEXT.replace("  max_supervisees: 10\n", twice)
    with pytest.raises(PolicyError) as info:
        parse_text(text, "twice.yaml")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "max_supervisees: 12" in t)
    assert str(info.value) == (f"twice.yaml: not valid YAML at line {line}, column 3: "
                               f"'max_supervisees' is given twice (lines {line - 1} and {line})")


def test_a_self_referencing_alias_is_a_problem_not_a_crash() -> None:
    with pytest.raises(PolicyError) as info:
        parse_text(LEEDS_TEXT + "\nextra: &loop {inner: *loop}\n", "custom.yaml")
    line = len(LEEDS_TEXT.splitlines()) + 2
    assert f"line {line}: the alias *loop refers back" in str(info.value)
    with pytest.raises(PolicyError):
        parse_text("name: x\nroles: &r {a: *r}\n", "custom.yaml")


def test_minimum_reminders_can_be_turned_off_and_take_only_a_yes_or_no() -> None:
    data = _leeds()
    assert load_pack("leeds").reminders.minimum_reminders is True  # the default
    data["reminders"]["minimum_reminders"] = False
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    assert parse_text(text, "custom.yaml").reminders.minimum_reminders is False
    data["reminders"]["minimum_reminders"] = "sometimes"
    (problem,) = _problems(data)
    assert problem.startswith("reminders.minimum_reminders:"), problem
