"""Run the real `supervision-bot` CLI in-process, on a fixed clock, with no network."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot import cli_org
from bot.cli import app
from bot.clock import FixedClock

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)

Run = Callable[..., Result]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    """`run("status", "--json")`: invoke the CLI; the clock reads NOW."""
    monkeypatch.chdir(tmp_path)  # no developer .env, demo files land in tmp
    for var in ("DATABASE_URL", "SUPERVISION_POLICY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(cli_org, "CLOCK", FixedClock(NOW))
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def initialised(run: Run, db_url: str) -> str:
    """A database URL (SQLite and PostgreSQL) after `supervision-bot init`."""
    result = run("init", "--database-url", db_url)
    assert result.exit_code == 0, result.stderr
    return db_url
