"""sessions.csv and absences.csv: defaults, history-aware supervisors, and bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.importer import ImportFailed, import_absences, import_sessions
from storage.models import Absence, SupervisionSession
from tests.storage.csvs import write_csv
from tests.storage.org import london
from tests.storage.snapshot import snapshot

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
TZ = "Europe/London"
SESSIONS = ("supervisee_id", "scheduled_at", "status")
ABSENCES = ("person_id", "first_day", "last_day", "reason")


def _sessions(engine: Engine) -> list[SupervisionSession]:
    with Session(engine) as s:
        return list(s.exec(select(SupervisionSession).order_by(
            col(SupervisionSession.supervisee_id), col(SupervisionSession.scheduled_at))).all())


def test_defaults_and_supervisor_from_history(org: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sessions.csv", SESSIONS, [
        ("sw1", "2026-02-10 10:00", "held"),
        ("sw1", "2026-03-03T14:00", "cancelled"),
        ("sw1", "2026-04-14 10:00", "scheduled"),
    ])
    result = import_sessions(org, path, NOW, TZ)
    assert result.created == 3
    held, cancelled, future = _sessions(org)
    # Before the move: tm1; after it: tm2.
    assert (held.supervisor_id, cancelled.supervisor_id, future.supervisor_id) == (
        "tm1", "tm2", "tm2")
    assert held.scheduled_at == datetime(2026, 2, 10, 10, 0, tzinfo=UTC)  # GMT
    assert held.booked_at == london(2026, 1, 13, 9)  # 28 days before, 09:00
    assert held.held_at == london(2026, 2, 10, 11, 30)  # the planned end
    assert cancelled.cancelled_at == london(2026, 3, 3, 9)  # that day, 09:00
    assert future.booked_at == london(2026, 3, 16, 9)  # 28 days before is later than today
    assert future.held_at is None and future.cancelled_at is None


def test_explicit_dates_and_records(org: Engine, tmp_path: Path) -> None:
    header = (*SESSIONS, "booked_on", "held_on", "cancelled_on", "cancel_reason",
              "record_shared_on", "record_signed_on")
    path = write_csv(tmp_path / "sessions.csv", header, [
        ("sw2", "2026-02-03 15:00", "held", "2026-01-05", "2026-02-04", "", "", "2026-02-05",
         "2026-02-09"),
        ("sw2", "2026-03-03 09:00", "cancelled", "2026-02-04", "", "2026-03-03", "sickness",
         "", ""),
    ])
    import_sessions(org, path, NOW, TZ)
    held, cancelled = _sessions(org)
    assert held.booked_at == london(2026, 1, 5, 9)
    assert held.held_at == london(2026, 2, 4, 17)  # held on a later day: 17:00
    assert held.record_shared_at == london(2026, 2, 5, 17)
    assert held.record_signed_at == london(2026, 2, 9, 17)
    assert cancelled.cancelled_at == london(2026, 3, 3, 9)  # not after the 09:00 start
    assert cancelled.cancel_reason == "sickness"


def test_local_time_across_the_clock_change(org: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sessions.csv", SESSIONS, [
        ("sw3", "2026-03-27 10:00", "held"), ("sw3", "2026-03-30 10:00", "scheduled")])
    import_sessions(org, path, datetime(2026, 3, 28, tzinfo=UTC), TZ)
    before, after = _sessions(org)
    assert before.scheduled_at == datetime(2026, 3, 27, 10, tzinfo=UTC)  # GMT
    assert after.scheduled_at == datetime(2026, 3, 30, 9, tzinfo=UTC)  # BST


def test_the_repeated_autumn_hour_is_its_first_occurrence(org: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sessions.csv", SESSIONS, [
        ("sw3", "2026-10-25T01:30", "scheduled"), ("sw3", "2026-03-29T02:30", "scheduled")])
    import_sessions(org, path, NOW, TZ)
    spring, autumn = _sessions(org)
    assert spring.scheduled_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # BST, just after
    assert autumn.scheduled_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST


def test_a_gap_time_with_an_offset_is_accepted(org: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sessions.csv", SESSIONS, [
        ("sw3", "2026-03-29T01:30+00:00", "scheduled")])
    import_sessions(org, path, NOW, TZ)
    (only,) = _sessions(org)
    assert only.scheduled_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_reimport_updates_instead_of_duplicating(org: Engine, tmp_path: Path) -> None:
    rows = [("sw3", "2026-03-10 10:00", "scheduled")]
    import_sessions(org, write_csv(tmp_path / "a.csv", SESSIONS, rows), NOW, TZ)
    again = import_sessions(org, write_csv(tmp_path / "a.csv", SESSIONS, rows), NOW, TZ)
    assert (again.created, again.unchanged) == (0, 1)
    rows = [("sw3", "2026-03-10 10:00", "held")]
    later = import_sessions(org, write_csv(tmp_path / "b.csv", SESSIONS, rows), NOW, TZ)
    assert later.updated == 1
    (only,) = _sessions(org)
    assert only.held_at == london(2026, 3, 10, 11, 30)


def _refused_sessions(engine: Engine, path: Path) -> str:
    before = snapshot(engine)
    with pytest.raises(ImportFailed) as err:
        import_sessions(engine, path, NOW, TZ)
    assert snapshot(engine) == before
    return str(err.value)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (("zz", "2026-03-01 10:00", "held"),
         "row 3, column supervisee_id: unknown person 'zz'"),
        (("sw1", "2026-03-01 10:00", "done"),
         "row 3, column status: 'done' is not a status; expected one of scheduled, held, "
         "cancelled"),
        (("sw1", "next tuesday", "held"),
         "row 3, column scheduled_at: 'next tuesday' is not a date and time"),
        (("sw1", "2026-04-01 10:00", "held"),
         "row 3, column scheduled_at: 2026-04-01 is in the future (today is 2026-03-16)"),
        (("sw1", "2026-03-01 10:00", "scheduled", "", "2026-03-01"),
         "row 3, column held_on: is only for sessions with status held (this one is "
         "scheduled)"),
        (("sw1", "2026-03-01 10:00", "held", "2026-03-05"),
         "row 3, column booked_on: 2026-03-05 is after the session itself (2026-03-01)"),
        (("sw1", "2026-03-01 10:00", "held", "", "2026-02-27"),
         "row 3, column held_on: 2026-02-27 is before the session (2026-03-01)"),
        (("sw1", "2026-03-01 10:00", "held", "", "", "", "", "2026-03-05", "2026-03-04"),
         "row 3, column record_signed_on: is before record_shared_on"),
        (("sw1", "2026-03-02 10:00", "held"),
         "row 3, column scheduled_at: the same session is already on row 2"),
        (("sw1", "2026-03-01 10:00", "cancelled", "", "", "2026-03-40"),
         "row 3, column cancelled_on: '2026-03-40' is not a date"),
        (("sw1", "2026-03-29T01:30", "scheduled"),
         "row 3, column scheduled_at: '2026-03-29T01:30' does not exist in Europe/London: the "
         "clocks go forward that night and skip that time"),
        (("sdm", "2026-03-01 10:00", "held"),
         "row 3, column supervisee_id: person sdm has no supervisor on 2026-03-01; import "
         "people with supervisor_id"),
    ],
)
def test_bad_session_rows(org: Engine, tmp_path: Path, row: tuple[str, ...],
                          expected: str) -> None:
    header = (*SESSIONS, "booked_on", "held_on", "cancelled_on", "cancel_reason",
              "record_shared_on", "record_signed_on")
    good = ("sw1", "2026-03-02 10:00", "held")
    path = write_csv(tmp_path / "sessions.csv", header, [good, row])
    msg = _refused_sessions(org, path)
    assert f"sessions.csv, {expected}" in msg


def test_absences(org: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "absences.csv", ABSENCES, [
        ("sw1", "2026-03-02", "2026-03-06", "Sick"),
        ("tm1", "03/08/2026", "14/08/2026", "annual leave"),
        ("sw2", "2026-01-05", "2026-01-05", "other"),
    ])
    assert import_absences(org, path, NOW).created == 3
    again = import_absences(org, write_csv(tmp_path / "again.csv", ABSENCES, [
        ("sw1", "2026-03-02", "2026-03-06", "other")]), NOW)
    assert again.updated == 1
    with Session(org) as s:
        rows = s.exec(select(Absence).order_by(col(Absence.person_id))).all()
        assert [(a.person_id, a.first_day, a.last_day, a.reason) for a in rows] == [
            ("sw1", date(2026, 3, 2), date(2026, 3, 6), "other"),
            ("sw2", date(2026, 1, 5), date(2026, 1, 5), "other"),
            ("tm1", date(2026, 8, 3), date(2026, 8, 14), "annual_leave"),
        ]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("nobody", "2026-03-02", "2026-03-06", "sickness")],
         "row 2, column person_id: unknown person 'nobody'"),
        ([("sw1", "2026-03-06", "2026-03-02", "sickness")],
         "row 2, column last_day: 2026-03-02 is before first_day 2026-03-06"),
        ([("sw1", "2026-03-02", "2026-03-06", "jury service")],
         "row 2, column reason: 'jury service' is not a reason; expected one of sickness, "
         "annual_leave, other"),
        ([("sw1", "2026-03-02", "2026-03-06", "sickness"),
          ("sw1", "2026-03-05", "2026-03-09", "annual_leave")],
         "row 3, column first_day: sw1's absence 2026-03-05 to 2026-03-09 overlaps row 2"),
        ([("sw2", "2026-02-01", "2026-02-03", "sickness")],
         "overlaps one already recorded (2026-02-02 to 2026-02-04)"),
        ([("sw1", "", "2026-03-06", "sickness")],
         "row 2, column first_day: is empty; expected a date"),
    ],
)
def test_bad_absences(org: Engine, tmp_path: Path, rows: list[tuple[str, ...]],
                      expected: str) -> None:
    import_absences(org, write_csv(tmp_path / "first.csv", ABSENCES, [
        ("sw2", "2026-02-02", "2026-02-04", "sickness")]), NOW)
    before = snapshot(org)
    with pytest.raises(ImportFailed) as err:
        import_absences(org, write_csv(tmp_path / "absences.csv", ABSENCES, rows), NOW)
    assert snapshot(org) == before
    assert expected in str(err.value)


def test_an_absence_over_a_booked_session_says_so(org: Engine, tmp_path: Path) -> None:
    """The session stays booked (the absence may be recorded late), with a note to rearrange."""
    import_sessions(org, write_csv(tmp_path / "sessions.csv", SESSIONS, [
        ("sw2", "2026-03-25 10:00", "scheduled"),  # sw2 with tm1, during tm1's leave
        ("sw2", "2026-04-20 10:00", "scheduled"),  # after it
        ("sw2", "2026-03-10 10:00", "held"),  # past, held
    ]), NOW, TZ)
    result = import_absences(org, write_csv(tmp_path / "absences.csv", ABSENCES, [
        ("tm1", "2026-03-23", "2026-04-03", "annual leave")]), NOW)
    (note,) = result.warnings
    assert note.startswith("tm1 is away 2026-03-23 to 2026-04-03 (row 2), but session #")
    assert note.endswith("(sw2) is booked on 2026-03-25 10:00: rearrange it.")
    assert result.created == 1
