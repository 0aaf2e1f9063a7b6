"""people.csv files that hold part of the organisation: new starters, slim exports,
personal cadences, shared addresses and stray control characters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.importer import ImportFailed, import_people
from storage.models import Person
from tests.storage.csvs import ORG, people_csv, write_csv
from tests.storage.snapshot import snapshot

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
TZ = "Europe/London"


@pytest.fixture
def loaded(engine: Engine, leeds: Any, tmp_path: Path) -> Engine:
    import_people(engine, leeds, people_csv(tmp_path / "org.csv", ORG), NOW, TZ)
    return engine


def _refused(engine: Engine, leeds: Any, path: Path) -> str:
    before = snapshot(engine)
    with pytest.raises(ImportFailed) as err:
        import_people(engine, leeds, path, NOW, TZ)
    assert snapshot(engine) == before, "a refused import must change nothing"
    return str(err.value)


def test_a_new_starter_under_a_supervisor_already_imported(
    loaded: Engine, leeds: Any, tmp_path: Path
) -> None:
    path = people_csv(tmp_path / "starter.csv",
                      [("sw9", "Nia Hughes", "nia@example.org", "social_worker", "tm1",
                        "2026-03-02")])
    result = import_people(loaded, leeds, path, NOW, TZ)
    assert (result.created, result.updated, result.warnings) == (1, 0, [])
    with Session(loaded) as s:
        nia = s.get(Person, "sw9")
        assert nia is not None and nia.supervisor_id == "tm1"


def test_a_column_left_out_keeps_what_is_stored(engine: Engine, leeds: Any,
                                                tmp_path: Path) -> None:
    extra = ["slack_user_id", "team", "timezone"]
    rows = [[*r, f"U0{r[0].upper()}", "Leeds West", "Europe/Dublin"] for r in ORG]
    import_people(engine, leeds, people_csv(tmp_path / "full.csv", rows, extra), NOW, TZ)
    # The nightly export has no chat ids and no time zones: both stay as they were.
    slim = [[*r, "Leeds East"] for r in ORG]
    result = import_people(engine, leeds, people_csv(tmp_path / "slim.csv", slim, ["team"]),
                           NOW, TZ)
    assert result.updated == len(ORG)
    with Session(engine) as s:
        lucy = s.get(Person, "sw1")
        assert lucy is not None
        assert (lucy.slack_user_id, lucy.team, lucy.timezone) == (
            "U0SW1", "Leeds East", "Europe/Dublin")
    # A blank cell in a column that is there clears the value.
    cleared = [[*r, ""] for r in ORG]
    import_people(engine, leeds, people_csv(tmp_path / "c.csv", cleared, ["slack_user_id"]),
                  NOW, TZ)
    with Session(engine) as s:
        lucy = s.get(Person, "sw1")
        assert lucy is not None and lucy.slack_user_id is None


def test_personal_cadence_from_the_export(engine: Engine, leeds: Any, tmp_path: Path) -> None:
    rows = [[*r, "", ""] for r in ORG]
    rows[0][6:8] = ["Weekly", "performance plan agreed 2026-03-01"]
    path = people_csv(tmp_path / "p.csv", rows, ["cadence_override", "cadence_reason"])
    import_people(engine, leeds, path, NOW, TZ)
    with Session(engine) as s:
        lucy = s.get(Person, "sw1")
        assert lucy is not None
        assert (lucy.cadence_override, lucy.cadence_override_reason) == (
            "weekly", "performance plan agreed 2026-03-01")


def test_bad_personal_cadences_are_refused(loaded: Engine, leeds: Any, tmp_path: Path) -> None:
    rows = [[*r, "", ""] for r in ORG]
    rows[0][6:8] = ["sometimes", "plan"]
    rows[1][6:8] = ["weekly", ""]
    rows[2][6:8] = ["every 2 months", "plan"]  # sw2, a social worker: monthly at the least
    path = people_csv(tmp_path / "p.csv", rows, ["cadence_override", "cadence_reason"])
    msg = _refused(loaded, leeds, path)
    assert "row 2, column cadence_override: 'sometimes' is not a cadence I know" in msg
    assert "row 3, column cadence_reason: is empty; a personal cadence needs its reason" in msg
    assert "row 4, column cadence_override: 'every 2 months' is not more frequent than " in msg


def test_an_email_belongs_to_one_person(loaded: Engine, leeds: Any, tmp_path: Path) -> None:
    path = people_csv(tmp_path / "p.csv", [
        ("x1", "X", "same@example.org", "social_worker", "tm1", "2025-01-01"),
        ("x2", "Y", "SAME@example.org", "social_worker", "tm1", "2025-01-01"),
        ("x3", "Z", "Lucy@Example.org", "social_worker", "tm1", "2025-01-01"),
    ])
    msg = _refused(loaded, leeds, path)
    assert "row 3, column email: 'same@example.org' is already given to row 2" in msg
    assert "row 4, column email: 'lucy@example.org' already belongs to sw1 (Lucy Barker)" in msg


def test_control_characters_are_refused_with_their_cell(
    loaded: Engine, leeds: Any, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "p.csv",
                     ("id", "name", "email", "role", "supervisor_id", "start_date"),
                     [("x1", "Nul\x00Byte", "", "social_worker", "tm1", "2025-01-01")])
    msg = _refused(loaded, leeds, path)
    assert "p.csv, row 2, column name: contains a control character" in msg
