"""agreements.csv: signed supervision agreements, with the supervisor on the day by default,
and the engine's agreement reminders stop once one is on record."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.importer import ImportFailed, import_agreements, import_people
from storage.models import Agreement
from tests.storage.csvs import ORG, people_csv, write_csv
from tests.storage.snapshot import snapshot

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
TZ = "Europe/London"
HEADER = ("supervisee_id", "signed_on", "supervisor_id")


def _agreements(engine: Engine) -> list[tuple[str, str, date]]:
    with Session(engine) as s:
        rows = s.exec(select(Agreement).order_by(col(Agreement.supervisee_id),
                                                 col(Agreement.signed_on))).all()
        return [(a.supervisee_id, a.supervisor_id, a.signed_on) for a in rows]


def test_agreements_default_to_the_supervisor_on_the_day(org: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "agreements.csv", HEADER, [
        ("sw1", "2025-06-02", ""),  # tm1 supervised sw1 then
        ("sw1", "03/03/2026", ""),  # and tm2 from 2 March
        ("sw2", "2026-01-12", "tm1"),  # as given (who supervised sw2 then)
    ])
    result = import_agreements(org, path, NOW, TZ)
    assert (result.created, result.unchanged) == (3, 0)
    assert _agreements(org) == [
        ("sw1", "tm1", date(2025, 6, 2)),
        ("sw1", "tm2", date(2026, 3, 3)),
        ("sw2", "tm1", date(2026, 1, 12)),
    ]
    again = import_agreements(org, path, NOW, TZ)
    assert (again.created, again.unchanged) == (0, 3)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (("ghost", "2026-01-12", ""), "column supervisee_id: unknown person 'ghost'"),
        (("sw2", "2026-01-12", "ghost"), "column supervisor_id: unknown person 'ghost'"),
        (("sw2", "2026-04-01", ""), "column signed_on: 2026-04-01 is in the future"),
        (("sw2", "someday", ""), "column signed_on: 'someday' is not a date"),
        (("sw2", "", ""), "column signed_on: is empty"),
        (("sdm", "2026-01-12", ""),
         "column supervisor_id: sdm had no supervisor on record on 2026-01-12"),
        (("sw2", "2026-01-12", "sw2"), "column supervisor_id: is the supervisee's own id"),
        (("sw1", "2026-01-12", "tm2"),
         "column supervisor_id: sw1's supervisor on 2026-01-12 was tm1, not tm2"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(
    org: Engine, tmp_path: Path, row: tuple[str, str, str], expected: str
) -> None:
    path = write_csv(tmp_path / "agreements.csv", HEADER, [("sw1", "2026-03-03", ""), row])
    before = snapshot(org)
    with pytest.raises(ImportFailed) as err:
        import_agreements(org, path, NOW, TZ)
    assert f"agreements.csv, row 3, {expected}" in str(err.value)
    assert snapshot(org) == before


def test_an_imported_agreement_ends_the_agreement_reminders(
    engine: Engine, leeds: Any, tmp_path: Path
) -> None:
    from bot.clock import local_instant
    from bot.simulate import simulate

    import_people(engine, leeds, people_csv(tmp_path / "people.csv", ORG), NOW, TZ)
    start = local_instant(date(2026, 3, 30), datetime.min.time(), TZ)
    end = local_instant(date(2026, 4, 8), datetime.min.time(), TZ)

    def reminded() -> set[str]:
        return {m.about_id or "" for m in simulate(engine, leeds, start, end)
                if m.kind == "agreement_reminder"}  # fmt: skip

    assert "sw2" in reminded()
    path = write_csv(tmp_path / "agreements.csv", HEADER, [("sw2", "2026-03-12", "")])
    import_agreements(engine, path, NOW, TZ)
    assert "sw2" not in reminded()
