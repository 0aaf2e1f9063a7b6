"""`notes edit NOTE_ID --as ID`: change a private note from the command line (owner only,
checked for children's details); `notes list` says how."""

from __future__ import annotations

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.clock import FixedClock
from handlers.reflect.notes import save_reflection
from storage.db import session_scope
from storage.models import PrepNote
from tests.reflect.conftest import NOW, Org

runner = CliRunner()


def _run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture
def note(org: Org) -> int:
    with session_scope(org.engine) as db:
        values = {"answer": "First words"}
        assert save_reflection(db, "amy", "exp.self.sup", values, FixedClock(NOW)).ok
        return max(int(n.id or 0) for n in db.exec(select(PrepNote)).all())


def _answer(org: Org, note_id: int) -> str:
    with session_scope(org.engine) as db:
        row = db.get(PrepNote, note_id)
        return row.answer if row else ""


def test_notes_edit_with_text_and_by_prompt(org: Org, note: int) -> None:
    url = ["--database-url", org.engine.url.render_as_string(hide_password=False)]
    base = [*url, "--today", "2026-03-02"]
    code, out = _run("notes", "edit", str(note), "--as", "amy", "--text", "Second words", *base)
    assert code == 0 and out.startswith(f"Saved your note ({note}).")
    assert _answer(org, note) == "Second words"
    code, out = _run("notes", "edit", str(note), "--as", "amy", *base, input="Third words\n")
    assert code == 0 and "Now: Second words" in out and f"Saved your note ({note})" in out
    assert _answer(org, note) == "Third words"
    code, out = _run("notes", "list", "--as", "amy", *url)
    assert "Third words" in out and "`notes edit NOTE_ID`" in out and "[1]" not in out


def test_notes_edit_only_for_the_owner_and_never_empty(org: Org, note: int) -> None:
    base = ["--database-url", org.engine.url.render_as_string(hide_password=False)]
    for person in ("sup", "ben", "adm"):
        code, out = _run("notes", "edit", str(note), "--as", person, "--text", "Mine now", *base)
        assert code == 1 and f"I can't find a note {note} of yours." in out
    code, out = _run("notes", "edit", str(note), "--as", "amy", "--text", "  ", *base)
    assert code == 1 and "The note is empty" in out
    assert _answer(org, note) == "First words"


def test_notes_edit_warns_about_childrens_details(org: Org, note: int) -> None:
    base = ["--database-url", org.engine.url.render_as_string(hide_password=False)]
    flagged = ["notes", "edit", str(note), "--as", "amy", "--text", "Case 123456 again", *base]
    code, out = _run(*flagged, input="n\nThe same worry\n")
    assert code == 0 and "looks like a case or record number" in out
    assert _answer(org, note) == "The same worry"
    code, out = _run(*flagged, "--save-anyway")
    assert code == 0 and _answer(org, note) == "Case 123456 again"
