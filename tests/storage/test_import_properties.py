"""Property-based tests: any well-formed export imports exactly; any bad date is named."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from storage.db import make_engine
from storage.importer import ImportFailed, import_people
from storage.importer_csv import CsvFile, Row
from storage.models import Person
from tests.storage.csvs import people_csv
from tests.storage.snapshot import snapshot

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
ROLES = ["social_worker", "nqsw", "team_manager", "senior_social_worker"]
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 3, 16))
names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=60
).filter(lambda s: s.strip() != "")
ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789._-@", min_size=1, max_size=20)


@st.composite
def organisations(draw: st.DrawFn) -> list[tuple[str, str, str, str, str, str]]:
    """People whose supervisors form a forest (no loops), rows in a random order."""
    people = draw(st.lists(ids, min_size=1, max_size=25, unique=True))
    rows = []
    for i, pid in enumerate(people):
        sup = draw(st.one_of(st.just(""), st.sampled_from(people[:i]))) if i else ""
        day = draw(dates)
        fmt = draw(st.sampled_from(["%Y-%m-%d", "%d/%m/%Y"]))
        rows.append((pid, draw(names), "", draw(st.sampled_from(ROLES)), sup, day.strftime(fmt)))
    return draw(st.permutations(rows))


def _fresh(template: Path, tmp: Path) -> Any:
    path = tmp / f"{uuid.uuid4().hex}.db"
    shutil.copyfile(template, path)
    return make_engine(f"sqlite:///{path}")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=organisations())
def test_any_wellformed_export_imports_exactly(
    rows: list[tuple[str, ...]], leeds: Any, _sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    engine = _fresh(_sqlite_template, tmp)
    try:
        result = import_people(engine, leeds, people_csv(tmp / "people.csv", rows), NOW,
                               "Europe/London")
        assert result.created == len(rows)
        with Session(engine) as s:
            stored = {p.id: p for p in s.exec(select(Person))}
        for pid, name, _email, role, sup, start in rows:
            p = stored[pid]
            assert (p.name, p.role, p.supervisor_id) == (name.strip(), role, sup or None)
            fmt = "%Y-%m-%d" if "-" in start else "%d/%m/%Y"
            assert p.role_start == datetime.strptime(start, fmt).date()
    finally:
        engine.dispose()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=organisations(), data=st.data())
def test_a_bad_date_anywhere_is_named_and_nothing_is_written(
    rows: list[tuple[str, ...]], data: st.DataObject, leeds: Any, _sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    engine = _fresh(_sqlite_template, tmp)
    try:
        bad_index = data.draw(st.integers(0, len(rows) - 1))
        bad = data.draw(st.sampled_from(["2026-02-30", "31/31/2020", "soon", "2026-1-1x",
                                         "20260301", "1/2/3"]))
        rows = [list(r) for r in rows]  # type: ignore[misc]
        rows[bad_index][5] = bad  # type: ignore[index]
        before = snapshot(engine)
        with pytest.raises(ImportFailed) as err:
            import_people(engine, leeds, people_csv(tmp / "people.csv", rows), NOW,
                          "Europe/London")
        assert f"people.csv, row {bad_index + 2}, column start_date: '{bad}' is not a date" in (
            str(err.value))
        assert snapshot(engine) == before
    finally:
        engine.dispose()


@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_parse_in_both_formats(day: date) -> None:
    f = CsvFile("x.csv", ["d"], [])
    for text in (day.isoformat(), day.strftime("%d/%m/%Y")):
        assert f.date(Row(2, {"d": text}), "d") == day
    assert f.problems == []


@given(day=st.one_of(st.dates(max_value=date(1899, 12, 31)), st.dates(min_value=date(2101, 1, 1))))
def test_dates_outside_the_plausible_years_are_named_problems(day: date) -> None:
    f = CsvFile("x.csv", ["d"], [])
    text = day.isoformat()
    assert f.date(Row(2, {"d": text}), "d") is None
    assert [p.message for p in f.problems] == [
        f"'{text}' is not a plausible date: expected a year from 1900 to 2100 (leave the cell "
        "empty where there is no date)"]


@given(text=st.text(max_size=30))
def test_any_text_is_a_date_or_a_named_problem(text: str) -> None:
    f = CsvFile("x.csv", ["d"], [])
    parsed = f.date(Row(7, {"d": text}), "d")
    if parsed is None and text.strip():
        (problem,) = [str(p) for p in f.problems]
        assert problem in (
            f"x.csv, row 7, column d: '{text.strip()}' is not a date; expected YYYY-MM-DD or "
            "DD/MM/YYYY, e.g. 2026-03-31",
            f"x.csv, row 7, column d: '{text.strip()}' is not a plausible date: expected a "
            "year from 1900 to 2100 (leave the cell empty where there is no date)",
        )
    else:
        assert f.problems == []


@given(when=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_local_datetimes_are_aware_and_keep_wall_time(when: datetime) -> None:
    f = CsvFile("x.csv", ["t"], [])
    when = when.replace(second=0, microsecond=0)
    parsed = f.local_datetime(Row(2, {"t": when.strftime("%Y-%m-%d %H:%M")}), "t",
                              "Europe/London")
    assert parsed is not None and parsed.tzinfo is not None
    assert parsed.replace(tzinfo=None) == when
