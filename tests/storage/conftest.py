"""Fixtures for the import tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from storage.importer import import_people
from tests.storage.csvs import ORG, people_csv

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
TZ = "Europe/London"


@pytest.fixture
def org(engine: Engine, leeds: Any, tmp_path: Path) -> Engine:
    """The small organisation (tests.storage.csvs.ORG), imported; sw1 moves from tm1 to tm2
    on 2 March 2026."""
    import_people(engine, leeds, people_csv(tmp_path / "people.csv", ORG), NOW, TZ)
    rows = [[*r, ""] for r in ORG]
    rows[0][4], rows[0][6] = "tm2", "2026-03-02"
    import_people(engine, leeds, people_csv(tmp_path / "p2.csv", rows, ["supervisor_since"]),
                  NOW, TZ)
    return engine
