"""people.csv: loading, re-importing, and every kind of bad input (nothing written)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.importer import ImportFailed, import_people
from storage.models import Person, SupervisorChange
from storage.teams_queries import person_by_email
from tests.storage.csvs import ORG, PEOPLE_HEADER, people_csv, write_csv
from tests.storage.snapshot import snapshot

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
TZ = "Europe/London"


def _load(engine: Engine, leeds: Any, path: Path, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return import_people(engine, leeds, path, now, TZ)


def _refused(engine: Engine, leeds: Any, path: Path) -> str:
    before = snapshot(engine)
    with pytest.raises(ImportFailed) as err:
        _load(engine, leeds, path)
    assert snapshot(engine) == before, "a refused import must change nothing"
    message = str(err.value)
    assert message.endswith("Nothing was imported.")
    return message


def test_import_in_any_order_records_supervisors(engine: Engine, leeds: Any,
                                                 tmp_path: Path) -> None:
    result = _load(engine, leeds, people_csv(tmp_path / "people.csv", ORG))
    assert (result.created, result.updated, result.supervisor_changes) == (7, 0, 6)
    with Session(engine) as s:
        sw1 = s.get(Person, "sw1")
        assert sw1 is not None
        assert (sw1.name, sw1.role, sw1.supervisor_id) == ("Lucy Barker", "social_worker", "tm1")
        assert sw1.role_start == date(2023, 5, 1) and sw1.timezone == TZ
        kwame = s.get(Person, "sw2")
        assert kwame is not None and kwame.email is None
        changes = s.exec(select(SupervisorChange).where(SupervisorChange.person_id == "sw1")).all()
        assert [(c.supervisor_id, c.effective) for c in changes] == [("tm1", date(2023, 5, 1))]
        assert s.get(Person, "sdm") is not None
        assert s.get(Person, "sdm").supervisor_id is None  # type: ignore[union-attr]


def test_reimport_updates_and_records_supervisor_changes(engine: Engine, leeds: Any,
                                                         tmp_path: Path) -> None:
    _load(engine, leeds, people_csv(tmp_path / "people.csv", ORG))
    again = [list(r) for r in ORG]
    again[0][4] = "tm2"  # sw1 moves to tm2: dated the import day
    again[2][1] = "Kwame A. Mensah"
    rows = [[*r, ""] for r in again]
    rows[6][6] = "2026-03-02"  # sw3 unchanged: supervisor_since is ignored
    later = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    result = _load(engine, leeds, people_csv(tmp_path / "p2.csv", rows, ["supervisor_since"]),
                   later)
    assert (result.created, result.updated, result.unchanged) == (0, 2, 5)
    assert result.supervisor_changes == 1
    with Session(engine) as s:
        changes = s.exec(select(SupervisorChange).where(SupervisorChange.person_id == "sw1")
                         .order_by(SupervisorChange.effective)).all()  # type: ignore[arg-type]
        assert [(c.supervisor_id, c.effective) for c in changes] == [
            ("tm1", date(2023, 5, 1)), ("tm2", date(2026, 4, 1))]
    # With supervisor_since the change is dated as given.
    rows[1][4] = "tm2"
    rows[1][6] = "2026-03-09"
    _load(engine, leeds, people_csv(tmp_path / "p3.csv", rows, ["supervisor_since"]), later)
    with Session(engine) as s:
        last = s.exec(select(SupervisorChange).where(SupervisorChange.person_id == "tm1")
                      .order_by(SupervisorChange.id.desc())).first()  # type: ignore[union-attr]
        assert last is not None and (last.supervisor_id, last.effective) == (
            "tm2", date(2026, 3, 9))


def test_optional_columns(engine: Engine, leeds: Any, tmp_path: Path) -> None:
    extra = ["slack_user_id", "teams_user_id", "team", "timezone"]
    rows = [[*ORG[3], "U0SDM", "", "Leeds", "Europe/Dublin"],
            [*ORG[1], "U0TM1", "29:abc", "Leeds West", ""]]
    _load(engine, leeds, people_csv(tmp_path / "people.csv", rows, extra))
    with Session(engine) as s:
        sdm, tm1 = s.get(Person, "sdm"), s.get(Person, "tm1")
        assert sdm is not None and tm1 is not None
        assert (sdm.slack_user_id, sdm.team, sdm.timezone) == ("U0SDM", "Leeds", "Europe/Dublin")
        assert (tm1.teams_user_id, tm1.timezone) == ("29:abc", TZ)


def test_emails_are_stored_in_lower_case_and_found_by_the_index(
    engine: Engine, leeds: Any, tmp_path: Path
) -> None:
    rows = [list(r) for r in ORG]
    rows[0][2] = "  Lucy.Barker@Example.ORG "
    _load(engine, leeds, people_csv(tmp_path / "people.csv", rows))
    with Session(engine) as s:
        lucy = s.get(Person, "sw1")
        assert lucy is not None and lucy.email == "lucy.barker@example.org"
        found = person_by_email(s, ["LUCY.BARKER@example.org"])
        assert found is not None and found.id == "sw1"
    # Re-importing the same address in another case changes nothing.
    rows[0][2] = "LUCY.BARKER@EXAMPLE.ORG"
    again = _load(engine, leeds, people_csv(tmp_path / "people.csv", rows))
    assert (again.updated, again.unchanged) == (0, len(ORG))


def test_supervisor_role_outside_the_policy_is_a_warning(engine: Engine, leeds: Any,
                                                         tmp_path: Path) -> None:
    rows = [*ORG, ("sw4", "Jack Fenwick", "", "social_worker", "sw3", "2025-01-06")]
    result = _load(engine, leeds, people_csv(tmp_path / "people.csv", rows))
    assert any("sw4 (social_worker) is supervised by sw3 (social_worker)" in w
               and "team_manager" in w for w in result.warnings)


# --- bad input: a clear message naming file, row, column; nothing written -------------------


@pytest.fixture
def loaded(engine: Engine, leeds: Any, tmp_path: Path) -> Engine:
    """The small organisation already imported, so refusals must leave it intact."""
    _load(engine, leeds, people_csv(tmp_path / "org.csv", ORG))
    return engine


def _bad(tmp_path: Path, *rows: tuple[object, ...]) -> Path:
    return people_csv(tmp_path / "people.csv", [*ORG, *rows])


def test_unknown_role_lists_the_valid_roles(loaded: Engine, leeds: Any, tmp_path: Path) -> None:
    msg = _refused(loaded, leeds, _bad(tmp_path, ("x1", "X", "", "wizard", "tm1", "2025-01-01")))
    assert "people.csv, row 9, column role: unknown role 'wizard'" in msg
    assert "social_worker" in msg and "team_manager" in msg and "nqsw" in msg


def test_unknown_supervisor(loaded: Engine, leeds: Any, tmp_path: Path) -> None:
    msg = _refused(loaded, leeds, _bad(tmp_path, ("x1", "X", "", "social_worker", "zz9",
                                                  "2025-01-01")))
    assert "row 9, column supervisor_id: unknown supervisor 'zz9'" in msg


def test_cycle_names_the_people_in_it(loaded: Engine, leeds: Any, tmp_path: Path) -> None:
    path = people_csv(tmp_path / "people.csv", [
        ("a", "A", "", "team_manager", "b", "2025-01-01"),
        ("b", "B", "", "team_manager", "c", "2025-01-01"),
        ("c", "C", "", "team_manager", "a", "2025-01-01"),
    ])
    msg = _refused(loaded, leeds, path)
    assert "the supervision chain loops: a (A) -> b (B) -> c (C) -> a (A)" in msg
    assert "rows 2, 3, 4" in msg
    assert msg.count("loops") == 1


def test_cycle_through_people_already_imported(loaded: Engine, leeds: Any,
                                               tmp_path: Path) -> None:
    # sdm is already tm1's supervisor; making tm1 supervise sdm closes a loop.
    path = people_csv(tmp_path / "people.csv",
                      [("sdm", "Imran Qureshi", "", "service_delivery_manager", "tm1",
                        "2020-06-01")])
    msg = _refused(loaded, leeds, path)
    assert "sdm (Imran Qureshi) -> tm1 (Priya Sharma) -> sdm (Imran Qureshi)" in msg


def test_self_supervision(loaded: Engine, leeds: Any, tmp_path: Path) -> None:
    msg = _refused(loaded, leeds, _bad(tmp_path, ("x1", "X", "", "social_worker", "x1",
                                                  "2025-01-01")))
    assert "column supervisor_id: 'x1' is this person's own id" in msg


@pytest.mark.parametrize("value", ["31/02/2026", "2026-13-01", "yesterday", "2026/03/01"])
def test_bad_dates(loaded: Engine, leeds: Any, tmp_path: Path, value: str) -> None:
    msg = _refused(loaded, leeds, _bad(tmp_path, ("x1", "X", "", "social_worker", "tm1", value)))
    assert f"row 9, column start_date: '{value}' is not a date; expected YYYY-MM-DD" in msg


def test_missing_date(loaded: Engine, leeds: Any, tmp_path: Path) -> None:
    msg = _refused(loaded, leeds, _bad(tmp_path, ("x1", "X", "", "social_worker", "tm1", "")))
    assert "row 9, column start_date: is empty; expected a date" in msg


def test_duplicate_ids(loaded: Engine, leeds: Any, tmp_path: Path) -> None:
    msg = _refused(loaded, leeds, _bad(tmp_path, ("sw2", "Someone", "", "social_worker", "tm1",
                                                  "2025-01-01")))
    assert "row 9, column id: duplicate id 'sw2': already on row 4" in msg


def test_several_problems_are_all_reported(loaded: Engine, leeds: Any, tmp_path: Path) -> None:
    msg = _refused(loaded, leeds, _bad(
        tmp_path,
        ("x1", "", "", "social_worker", "tm1", "2025-01-01"),
        ("x2", "X", "not-an-email", "social_worker", "tm1", "2025-01-01"),
        ("x3", "X", "", "social_worker", "tm1", "2025-01-01"),
    ))
    assert "row 9, column name: is empty" in msg
    assert "row 10, column email: 'not-an-email' is not an email address" in msg
    assert "row 11" not in msg


def test_bad_timezone_and_long_values(loaded: Engine, leeds: Any, tmp_path: Path) -> None:
    path = people_csv(tmp_path / "people.csv",
                      [("x1", "X" * 201, "", "social_worker", "tm1", "2025-01-01", "Mars/Olympus")],
                      ["timezone"])
    msg = _refused(loaded, leeds, path)
    assert "row 2, column timezone: 'Mars/Olympus' is not a time zone" in msg
    assert "row 2, column name: is 201 characters long; at most 200 allowed" in msg


def test_chat_ids_must_be_unique(loaded: Engine, leeds: Any, tmp_path: Path) -> None:
    with Session(loaded) as s:
        tm1 = s.get(Person, "tm1")
        assert tm1 is not None
        tm1.slack_user_id = "U0TAKEN"
        s.add(tm1)
        s.commit()
    path = people_csv(tmp_path / "people.csv", [
        ("x1", "X", "", "social_worker", "tm1", "2025-01-01", "U0NEW"),
        ("x2", "Y", "", "social_worker", "tm1", "2025-01-01", "U0NEW"),
        ("x3", "Z", "", "social_worker", "tm1", "2025-01-01", "U0TAKEN"),
    ], ["slack_user_id"])
    msg = _refused(loaded, leeds, path)
    assert "row 3, column slack_user_id: 'U0NEW' is already given to row 2" in msg
    assert "row 4, column slack_user_id: 'U0TAKEN' already belongs to tm1 (Priya Sharma)" in msg


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (("id", "name", "role", "supervisor_id", "start_date"),
         "row 1, column email: the required column is missing; expected columns: id, name"),
        ((*PEOPLE_HEADER, "supervisor"), "row 1, column supervisor: unknown column"),
        ((*PEOPLE_HEADER, "id"), "row 1, column id: appears twice in the header"),
    ],
)
def test_bad_headers(loaded: Engine, leeds: Any, tmp_path: Path, header: tuple[str, ...],
                     expected: str) -> None:
    path = write_csv(tmp_path / "people.csv", header, [["x"] * len(header)])
    assert expected in _refused(loaded, leeds, path)


def test_empty_and_unreadable_files(loaded: Engine, leeds: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "empty.csv, row 1: has no header row" in _refused(loaded, leeds, empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text(",".join(PEOPLE_HEADER) + "\n")
    assert "header.csv: has a header but no rows" in _refused(loaded, leeds, header_only)
    latin = tmp_path / "latin.csv"
    latin.write_bytes((",".join(PEOPLE_HEADER) + "\nx,Jos\xe9,,social_worker,,2025-01-01\n")
                      .encode("latin-1"))
    assert "latin.csv: is not UTF-8 text" in _refused(loaded, leeds, latin)
    assert "file not found" in _refused(loaded, leeds, tmp_path / "missing.csv")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(",".join(PEOPLE_HEADER) + "\nx,X,,social_worker,,2025-01-01,extra\n")
    assert "ragged.csv, row 2: has 7 cells but the header has 6" in _refused(loaded, leeds,
                                                                            ragged)


def test_excel_exports_with_bom_and_uk_dates(engine: Engine, leeds: Any, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(("\ufeffID, Name ,Email,Role,Supervisor_ID,Start_Date\r\n"
                      "p1,\"Barker, Lucy\",,social_worker,,31/03/2025\r\n").encode())
    _load(engine, leeds, path)
    with Session(engine) as s:
        p = s.get(Person, "p1")
        assert p is not None and (p.name, p.role_start) == ("Barker, Lucy", date(2025, 3, 31))


@pytest.mark.parametrize("value", ["9999-12-31", "0026-03-01", "31/12/1899"])
def test_implausible_years_are_refused(loaded: Engine, leeds: Any, tmp_path: Path,
                                       value: str) -> None:
    msg = _refused(loaded, leeds, _bad(tmp_path, ("x1", "X", "", "social_worker", "tm1", value)))
    assert (f"row 9, column start_date: '{value}' is not a plausible date: expected a year "
            "from 1900 to 2100") in msg


def test_semicolon_separated_exports(engine: Engine, leeds: Any, tmp_path: Path) -> None:
    """As spreadsheets in comma-decimal locales save "CSV"."""
    path = tmp_path / "export.csv"
    path.write_bytes(("\ufeffid;name;email;role;supervisor_id;start_date\r\n"
                      "p1;Barker, Lucy;;social_worker;;31/03/2025\r\n").encode())
    _load(engine, leeds, path)
    with Session(engine) as s:
        p = s.get(Person, "p1")
        assert p is not None and (p.name, p.role_start) == ("Barker, Lucy", date(2025, 3, 31))


def test_a_change_of_supervisor_dated_in_the_future_is_refused(
    loaded: Engine, leeds: Any, tmp_path: Path
) -> None:
    """The supervisor on a person's row is who supervises them today: a change still to
    come is imported on or after its day (as `people set-supervisor --since` says)."""
    rows = [(*r, "") for r in ORG]
    rows[6] = ("sw3", "Amara Eze", "amara@example.org", "social_worker", "tm1", "2019-11-11",
               "2027-06-01")
    msg = _refused(loaded, leeds, people_csv(tmp_path / "p.csv", rows, ["supervisor_since"]))
    assert ("row 8, column supervisor_since: 2027-06-01 is in the future; import the change "
            "on or after the day it happens") in msg
