"""Imports and chat writes tell the engine whose facts changed, in the same transaction, so
facts dated before the engine's last pass (an imported history, a session marked held
afterwards) are planned at once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.chat_queries import mark_held
from storage.importer import import_absences, import_people, import_sessions
from storage.models import Outbox, SupervisionSession
from storage.outbox import PENDING, REPLAN
from tests.storage.csvs import ORG, people_csv, write_csv

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 17, 10, 0, tzinfo=UTC)
TZ = "Europe/London"


def _replans(engine: Engine, at: datetime) -> set[str]:
    with Session(engine) as s:
        rows = s.exec(select(Outbox).where(col(Outbox.kind) == REPLAN,
                                           col(Outbox.status) == PENDING,
                                           col(Outbox.due_at) == at)).all()
        return {r.recipient_id for r in rows}


def test_imports_ask_for_a_replan_of_what_changed(engine: Engine, leeds: Any,
                                                  tmp_path: Path) -> None:
    import_people(engine, leeds, people_csv(tmp_path / "p.csv", ORG), NOW, TZ)
    assert {"sw1", "tm1", "sdm"} <= _replans(engine, NOW)
    # The same file again changes nothing, so asks for nothing.
    import_people(engine, leeds, people_csv(tmp_path / "p.csv", ORG), LATER, TZ)
    assert _replans(engine, LATER) == set()
    sessions = write_csv(tmp_path / "s.csv", ("supervisee_id", "scheduled_at", "status"),
                         [("sw1", "2026-03-10 10:00", "held")])
    import_sessions(engine, sessions, LATER, TZ)
    # Lucy, and her supervisor (whose load and duties depend on her).
    assert {"sw1", "tm1"} <= _replans(engine, LATER)
    absences = write_csv(tmp_path / "a.csv", ("person_id", "first_day", "last_day", "reason"),
                         [("tm2", "2026-03-18", "2026-04-10", "sickness")])
    at = datetime(2026, 3, 18, 8, 0, tzinfo=UTC)
    import_absences(engine, absences, at)
    assert {"tm2", "nq1", "sw3"} <= _replans(engine, at)  # tm2 and the people tm2 supervises


def test_marking_held_afterwards_asks_for_a_replan(engine: Engine, leeds: Any,
                                                   tmp_path: Path) -> None:
    import_people(engine, leeds, people_csv(tmp_path / "p.csv", ORG), NOW, TZ)
    sessions = write_csv(tmp_path / "s.csv", ("supervisee_id", "scheduled_at", "status"),
                         [("sw2", "2026-03-20 10:00", "scheduled")])
    import_sessions(engine, sessions, NOW, TZ)
    said = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
    with Session(engine) as s:
        row = s.exec(select(SupervisionSession)).one()
        assert mark_held(s, row, said).changed
        s.commit()
    assert "sw2" in _replans(engine, said)
