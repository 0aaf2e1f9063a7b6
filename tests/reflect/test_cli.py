"""The command line: reflect, bank, actions, notes; errors are messages, never tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from storage.db import session_scope
from storage.models import ActionItem, PrepNote
from tests.reflect.conftest import Org

runner = CliRunner()


def _run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture
def url(org: Org) -> str:
    return org.engine.url.render_as_string(hide_password=False)


def test_reflect_question_with_everyday_focus() -> None:
    code, out = _run(
        "reflect", "question", "--about", "wellbeing", "--from", "family", "--seed", "4"
    )
    assert code == 0
    assert "Perspective  the child and their family" in out
    assert "support" in out.split("Serves")[1].splitlines()[0]
    code, out = _run("reflect", "question", "--from", "martians")
    assert code == 1 and "'martians' is not a stakeholder" in out
    assert "Traceback" not in out


def test_bank_check_and_show(tmp_path: Path) -> None:
    code, out = _run("reflect", "bank", "check", "policy/reflection/questions.yaml")
    assert code == 0 and "OK, 73 questions in all 16 cells" in out
    bad = tmp_path / "ours.yaml"
    bad.write_text(
        "version: 1\ntitle: Ours\nquestions:\n  - id: x\n    stage: feelings\n", encoding="utf-8"
    )
    code, out = _run("reflect", "bank", "check", str(bad))
    assert code == 1
    assert "line 5: questions[0] (id 'x').stage: Input should be 'experience'" in out
    assert "Traceback" not in out
    code, out = _run("reflect", "bank", "show")
    assert code == 0 and "exp.self.sup" in out and "Plans and action" in out


def test_patterns_check_tries_text(tmp_path: Path) -> None:
    code, out = _run(
        "reflect",
        "patterns",
        "policy/reflection/child_details.yaml",
        "--try",
        "Mosaic 1234567 on 3/4",
        "--today",
        "2026-03-02",
    )
    assert code == 0 and "“Mosaic 1234567” looks like a case-management system ID" in out
    assert "3/4" not in out.split("OK")[1].split("looks like")[1]


def test_actions_and_notes_commands(org: Org, url: str) -> None:
    base = ["--database-url", url, "--today", "2026-03-02"]
    code, out = _run(
        "actions",
        "add",
        "Book the refresher",
        "--as",
        "sup",
        "--for",
        "amy",
        "--owner",
        "amy",
        "--due",
        "2026-03-20",
        *base,
    )
    assert code == 0 and "Recorded action 1" in out
    code, out = _run(
        "actions",
        "add",
        "x",
        "--as",
        "ben",
        "--for",
        "amy",
        "--owner",
        "amy",
        "--due",
        "2026-03-20",
        *base,
    )
    assert code == 1 and "Only Amy Worker and their supervisor" in out
    code, out = _run(
        "actions",
        "add",
        "x",
        "--as",
        "sup",
        "--for",
        "amy",
        "--owner",
        "amy",
        "--due",
        "20/03/2026",
        *base,
    )
    assert code == 1 and "--due" in out and "Traceback" not in out
    code, out = _run("actions", "list", "--as", "amy", *base)
    assert "Book the refresher" in out
    later = ["--database-url", url, "--today", "2026-04-01"]
    code, out = _run("actions", "list", "--as", "sup", "--overdue", *later)
    assert "1 overdue action" in out and "Amy Worker" in out
    code, out = _run("actions", "done", "1", "--as", "amy", *later)
    assert "Done: “Book the refresher”." in out

    # Prepare a question at a time; the children's-details warning offers to edit the
    # flagged answer (or to save as written).
    answers = "A busy month\n\nCase 123456 again\n\nn\nThe same worry about the case\n"
    code, out = _run(
        "reflect", "prepare", str(org.sessions[2]), "--as", "amy", *base, input=answers
    )
    assert code == 0 and "looks like a case or record number" in out
    assert "Saved 2 preparation notes" in out
    with session_scope(org.engine) as db:
        assert "The same worry about the case" in {n.answer for n in db.exec(select(PrepNote))}
    answers = "A busy month\n\nSome thoughts\nNext steps\n"
    code, out = _run(
        "reflect", "prepare", str(org.sessions[2]), "--as", "amy", *base, input=answers
    )
    assert code == 0 and "Saved 3 preparation notes" in out
    code, out = _run("notes", "list", "--as", "amy", "--database-url", url)
    assert "A busy month" in out and "3 notes." in out
    code, out = _run("notes", "list", "--as", "sup", "--database-url", url)
    assert "You have no preparation notes." in out
    code, out = _run("reflect", "share", str(org.sessions[2]), "--as", "amy", *base)
    assert code == 0 and "Sam Super can now read" in out
    with session_scope(org.engine) as db:
        first = min(n.id for n in db.exec(select(PrepNote)).all() if n.id)
    code, out = _run("notes", "delete", str(first), "--as", "sup", "--database-url", url)
    assert "can't find a note" in out
    code, out = _run("notes", "delete", str(first), "--as", "amy", "--database-url", url)
    assert code == 0 and f"Deleted note {first}." in out
    code, out = _run("notes", "delete", "--as", "amy", "--database-url", url)
    assert code == 1 and "one of the two" in out
    code, out = _run("notes", "purge", "--database-url", url, "--today", "2027-06-01")
    assert code == 0 and "Deleted 2 notes older than 365 days." in out


def test_refusals_and_nothing_found_exit_1(org: Org, url: str) -> None:
    """Scripts can tell a refused or empty-handed command from one that did its job."""
    base = ["--database-url", url, "--today", "2026-03-02"]
    add = ["actions", "add", "Read the guidance", "--for", "amy", "--owner", "amy"]
    code, out = _run(*add, "--as", "ben", "--due", "2026-03-20", *base)
    assert code == 1 and "Only Amy Worker and their supervisor" in out
    code, out = _run(*add, "--as", "sup", "--due", "2020-01-01", *base)
    assert code == 1 and "has already passed" in out
    code, out = _run("reflect", "share", "78", "--as", "amy", *base)
    assert code == 1 and "can't find a supervision session 78" in out
    code, out = _run("reflect", "share", str(org.sessions[2]), "--as", "ben", *base)
    assert code == 1 and "can't find a supervision session" in out
    code, out = _run("actions", "done", "99", "--as", "amy", *base)
    assert code == 1 and "can't find action 99" in out
    code, out = _run("actions", "list", "--as", "amy", *base)
    assert code == 0 and "no open actions" in out  # nothing to list is not a failure
    with session_scope(org.engine) as db:
        assert db.exec(select(ActionItem)).all() == []


def test_deleting_a_note_that_is_not_yours_exits_1(org: Org, url: str) -> None:
    code, out = _run("notes", "delete", "4", "--as", "sup", "--database-url", url)
    assert "I can't find a note 4 of yours." in out
    assert code == 1
