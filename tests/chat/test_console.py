"""`supervision-bot ask` and `chat`: the same handlers and access rules in a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from storage.db import make_engine
from storage.migrate import upgrade
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


def _run(db: str, *args: str, stdin: str | None = None, code: int = 0) -> str:
    result = runner.invoke(
        app,
        [*args, "--database-url", db],
        input=stdin,
        env={"ADMINS": "adm", "SUPERVISION_POLICY": "leeds"},
    )
    assert result.exit_code == code, result.output
    return result.output


def test_ask_answers_as_the_person(db: str) -> None:
    out = _run(
        db, "ask", "--as", "sw1", "--today", "2026-04-08", "when is my next supervision due?"
    )
    assert out.startswith("Your next supervision is due by Fri 10 Apr 2026.")
    assert "Policy: Leeds" in out


def test_ask_applies_access_rules_and_admins(db: str) -> None:
    # A refusal exits 1, so a script can tell it from an answer.
    refused = _run(db, "ask", "--as", "sw1", "--today", "2026-04-08", "is Chris overdue?", code=1)
    assert refused.startswith("Sorry, I can't help with that person.")
    admin = _run(db, "ask", "--as", "adm", "--today", "2026-04-08", "is Chris overdue?")
    assert admin.startswith("Yes: Chris Green's supervision was due by Mon 2 Feb 2026")


def test_ask_unknown_person_and_bad_date(db: str) -> None:
    assert "No person with id 'ghost'" in _run(db, "ask", "--as", "ghost", "am I overdue", code=1)
    result = runner.invoke(
        app, ["ask", "--as", "sw1", "--today", "8/4", "hi", "--database-url", db]
    )
    assert result.exit_code == 1 and "--today" in result.output and "Traceback" not in result.output


def test_chat_buttons_are_numbered_choices_and_forms_are_asked(db: str) -> None:
    script = (
        "\n".join(
            [
                "book supervision with Jo",  # no day or time: the booking form
                "",  # supervisee: keep the default, Jo (named in the message)
                "2026-04-15",
                "11:30",
                "who is overdue in my team?",
                "plan the next three months",
                "1",  # book the first person's proposed dates
                "3",  # the reply to a press has no buttons
                "quit",
            ]
        )
        + "\n"
    )
    out = _run(db, "chat", "--as", "tm1", "--today", "2026-04-08", stdin=script)
    assert "Booked: supervision with Jo Brown on Wed 15 Apr 2026, 11:30" in out
    assert "in your team overdue" in out
    assert "[1] Book " in out
    assert "session(s) for Alex Jones" in out
    assert "No choices now." in out


def test_console_on_the_demo_organisation(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seeded = runner.invoke(
        app, ["demo", "--database-url", url, "--today", "2026-04-08", "--weeks", "1"]
    )
    assert seeded.exit_code == 0, seeded.output
    team = _run(url, "ask", "--as", "tm2", "--today", "2026-04-08", "who is overdue in my team?")
    assert "in your team overdue" in team or "No one in your team" in team
    mine = _run(url, "ask", "--as", "sw13", "--today", "2026-04-08", "am I overdue?")
    assert mine.startswith(("Yes", "No"))
    plan = _run(url, "ask", "--as", "tm2", "--today", "2026-04-08", "plan the next three months")
    assert "Proposed dates" in plan or "Nothing to plan" in plan
    service = _run(url, "ask", "--as", "sdm1", "--today", "2026-04-08", "how is my service doing")
    assert service.startswith("Your service:")


def test_closing_a_form_says_nothing_changed_and_piped_answers_end_their_lines(db: str) -> None:
    from bot.console import FORM_CLOSED

    script = "cancel my next session\n\nquit\n"  # the reason left empty closes the form
    out = _run(db, "chat", "--as", "sw1", "--today", "2026-04-08", stdin=script)
    assert FORM_CLOSED in out and "Cancelled." not in out
    assert "> cancel my next session\n" in out  # the piped line is shown, then a new line
