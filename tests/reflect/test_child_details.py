"""Text that looks like it identifies a child is flagged; ordinary dates and numbers are not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from policy.reflection.child_details import (
    ChildPatternsError,
    default_child_patterns,
    load_child_patterns,
    nhs_checksum_ok,
)

TODAY = date(2026, 5, 11)

FLAGGED = [
    ("DOB 03/04/2019", "date_of_birth", "DOB 03/04/2019"),
    ("She was born on 12 March 2018.", "date_of_birth", "born on 12 March 2018"),
    ("date of birth: 1.2.2015", "date_of_birth", "date of birth: 1.2.2015"),
    ("d.o.b. 4th of June 2016 per the referral", "date_of_birth", "d.o.b. 4th of June 2016"),
    ("born in 2017", "date_of_birth", "born in 2017"),
    ("I met the child (12/03/2019) at school", "possible_birth_date", "12/03/2019"),
    ("discussed case 123456 with Sam", "case_number", "case 123456"),
    ("Case no. 4521 needs a review", "case_number", "Case no. 4521"),
    ("record number 34567", "case_number", "record number 34567"),
    ("case ref CP-12345", "case_number", "case ref CP-12345"),
    ("Case Reference: CP12345 is closing", "case_number", "Case Reference: CP12345"),
    ("case no. CP/4521 was stepped down", "case_number", "case no. CP/4521"),
    ("file reference no. LA/20931", "case_number", "file reference no. LA/20931"),
    ("client CP-123456 moved", "case_number", "client CP-123456"),
    ("ref: 1234567", "reference_number", "ref: 1234567"),
    ("see ref CP-12345 for the plan", "reference_number", "ref CP-12345"),
    ("Mosaic ID 1234567 is open", "case_system_id", "Mosaic ID 1234567"),
    ("see LCS 98765", "case_system_id", "LCS 98765"),
    ("liquidlogic: 445566", "case_system_id", "liquidlogic: 445566"),
    ("NHS number 943 476 5919", "nhs_number_labelled", "NHS number 943 476 5919"),
    ("his number is 9434765919", "nhs_number", "9434765919"),
    ("UPN A12345678901B", "unique_pupil_number", "A12345678901B"),
    ("they moved to LS1 4AP", "postcode", "LS1 4AP"),
]

NOT_FLAGGED = [
    "next session on 14 May",
    "on 3/4 we discussed my caseload",
    "meeting at 10:30 on 3/4",
    "on 14.05 we met",
    "Supervision on 12/03/2026 went well",
    "we met on 01/06/2025 to agree my objectives",
    "file it by 30 June 2026",
    "In case it helps, I will call on 14/05/2026",
    "I have 12 cases open and 3 are complex",
    "In case 2 of the review we agreed",
    "Back in 2019 I qualified",
    "born out of frustration with the rota",
    "my phone is 0113 222 4444",
    "it was 3-4 hours of driving",
    "I scored 100000 points in the quiz",
    "the 2025/26 training plan",
    "a 1234567890 digit string that fails the NHS check",
    "Room 12, floor 3, 9:00-17:00",
    "in case of 2 sickness days I rearrange",
    "the case referral went well, no further action",
    "my reference is on file at HR",
    "case ref to follow next week",
    "CPD 12 hours logged",
]


@pytest.mark.parametrize(("text", "pattern", "snippet"), FLAGGED)
def test_flags_childrens_details(text: str, pattern: str, snippet: str) -> None:
    flags = default_child_patterns().find(text, TODAY)
    assert [(f.pattern_id, f.snippet) for f in flags] == [(pattern, snippet)]


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_does_not_flag_ordinary_dates_and_numbers(text: str) -> None:
    assert default_child_patterns().find(text, TODAY) == []


def test_several_flags_in_order_without_overlaps() -> None:
    text = "Mosaic 1234567, DOB 03/04/2019, lives at LS1 4AP"
    flags = default_child_patterns().find(text, TODAY)
    assert [f.pattern_id for f in flags] == ["case_system_id", "date_of_birth", "postcode"]


def test_a_full_date_is_a_possible_birth_date_only_when_over_a_year_ago() -> None:
    patterns = default_child_patterns()
    assert patterns.find("on 10/05/2025", TODAY)  # a year and a day ago
    assert not patterns.find("on 12/05/2025", TODAY)
    assert not patterns.find("on 31/02/2019", TODAY)  # not a date at all


def test_nhs_checksum() -> None:
    assert nhs_checksum_ok("9434765919")
    assert not nhs_checksum_ok("9434765918")
    assert not nhs_checksum_ok("0000000000")


def test_organisation_patterns_add_to_and_switch_off_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "patterns.yaml"
    path.write_text(
        """version: 1
include_default: true
disable: [postcode]
patterns:
  - id: eclipse_person
    label: "an Eclipse person number"
    kind: regex
    regex: '\\bEP-\\d{6}\\b'
""",
        encoding="utf-8",
    )
    patterns = load_child_patterns(path)
    assert [f.pattern_id for f in patterns.find("EP-123456 at LS1 4AP", TODAY)] == [
        "eclipse_person"
    ]
    assert patterns.find("case 123456", TODAY)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "version: 1\npatterns:\n  - {id: x, label: bad one, kind: regex, regex: '('}\n",
            "line 3: patterns[0] (id 'x'): `regex` is not a valid regular expression",
        ),
        (
            "version: 1\npatterns:\n  - {id: x, label: empty, kind: regex, regex: 'a*'}\n",
            "matches empty text",
        ),
        ("version: 1\npatterns:\n  - {id: x, label: none, kind: regex}\n", "needs `regex`"),
        (
            "version: 1\npatterns:\n  - {id: x, label: odd, kind: guess}\n",
            "patterns[0] (id 'x').kind: Input should be",
        ),
        (
            "version: 1\ninclude_default: true\ndisable: [postcodes]\n",
            "disable: no built-in pattern called postcodes",
        ),
        ("version: 2\n", "version: Input should be 1"),
    ],
)
def test_bad_pattern_files_are_explained(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "patterns.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ChildPatternsError) as exc:
        load_child_patterns(path)
    assert expected in str(exc.value)
    assert str(path) in str(exc.value)
