"""`ask` with piped input: a reply that needs a form is printed, never prompted for."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import SupervisionSession
from tests.chat.org import seed

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'org.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine)
    engine.dispose()
    return url


def _sessions(url: str) -> int:
    engine = make_engine(url)
    with session_scope(engine) as s:
        count = len(s.exec(select(SupervisionSession)).all())
    engine.dispose()
    return count


def test_a_form_is_listed_and_piped_input_is_left_alone(db: str) -> None:
    before = _sessions(db)
    # CliRunner's stdin is not a terminal, like `printf ... | supervision-bot ask ...`.
    result = runner.invoke(
        app,
        ["ask", "--as", "tm1", "--today", "2026-04-08", "book supervision with Jo"],
        input="\n2026-04-15\n11:30\n",
        env={"SUPERVISION_POLICY": "leeds", "DATABASE_URL": db},
    )
    assert result.exit_code == 0, result.output
    listing = result.output.split("this needs a form, which `supervision-bot chat` asks")[1]
    assert "  - Date (YYYY-MM-DD)" in listing
    assert "  - Start time (HH:MM; now: 10:00)" in listing
    assert (
        "  - Supervisee (one of: Alex Jones, Jo Brown, Me (with my supervisor); now: Jo Brown)"
        in listing
    )
    assert "(leave a required field empty to cancel)" not in result.output  # never prompted
    assert "Booked" not in result.output
    assert _sessions(db) == before


@pytest.mark.parametrize("command", [["ask", "hello"], ["chat"]])
def test_a_mistyped_person_id_is_an_error(db: str, command: list[str]) -> None:
    """The admin testing as someone is told the id is unknown, not shown a stranger's reply."""
    result = runner.invoke(
        app, [*command, "--as", "nobdy"], input="", env={"SUPERVISION_POLICY": "leeds",
                                                           "DATABASE_URL": db}
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No person with id 'nobdy'.")
    assert "Traceback" not in result.output
