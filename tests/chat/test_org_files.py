"""Chat uses the organisation's question bank and children's-details patterns (REFLECTION_BANK,
CHILD_DETAIL_PATTERNS), read once when the service starts, on every save path."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli import app
from handlers.chat.dispatch import ChatService
from handlers.reflect.common import CONFIRM_FIELD
from handlers.reflect.config import UnusableSettingFile
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import ActionItem, PrepNote
from tests.chat.org import seed, service
from tests.reflect.banks import full_bank_yaml

CHR = """version: 1
include_default: true
patterns:
  - id: chr_number
    label: "a children's record number"
    kind: regex
    regex: 'CHR\\d{4}'
"""
NOTE = "Spoke about CHR1234 today"


@pytest.fixture
def org_chat(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ChatService:
    bank, patterns = tmp_path / "ourbank.yaml", tmp_path / "ourpatterns.yaml"
    bank.write_text(full_bank_yaml(), encoding="utf-8")
    patterns.write_text(CHR, encoding="utf-8")
    monkeypatch.setenv("REFLECTION_BANK", str(bank))
    monkeypatch.setenv("CHILD_DETAIL_PATTERNS", str(patterns))
    seed(engine)
    return service(engine)


def _notes(chat: ChatService) -> list[str]:
    with Session(chat.engine) as s:
        return [n.answer for n in s.exec(select(PrepNote)).all()]


def test_questions_come_from_the_organisations_bank(org_chat: ChatService) -> None:
    r = org_chat.text("sw1", "give me a reflective question about support")
    assert r.text.startswith("What about") and r.text.endswith("under support?")
    assert ("Source", "adapted from Our guidance, s2") in [(f.label, f.value) for f in r.facts]
    again = org_chat.action("sw1", "reflect_again", r.buttons[0].value)
    assert again.text.startswith("What about")
    prep = org_chat.text("sw1", "help me prepare for my next session")
    assert prep.form is not None
    assert all("What about" in f.label for f in prep.form.fields)


def test_a_private_note_is_checked_against_the_organisations_patterns(
    org_chat: ChatService,
) -> None:
    question = org_chat.text("sw1", "give me a reflective question").buttons[1].value
    warned = org_chat.action("sw1", "reflect_note", question, {"answer": NOTE})
    assert warned.text.startswith("Nothing is saved yet")
    assert "“CHR1234” looks like a children's record number" in warned.text
    assert warned.form is not None and warned.form.fields[0].initial == NOTE
    assert _notes(org_chat) == []
    confirmed = {"answer": NOTE, CONFIRM_FIELD: "save"}
    saved = org_chat.action("sw1", "reflect_note", question, confirmed)
    assert saved.text.startswith("Saved your note") and _notes(org_chat) == [NOTE]


def test_preparation_and_edits_are_checked_too(org_chat: ChatService) -> None:
    form = org_chat.text("sw1", "help me prepare for my next session").form
    assert form is not None
    first = form.fields[0].name
    warned = org_chat.action("sw1", "prep_submit", "2", {first: NOTE})
    assert "children's record number" in warned.text and _notes(org_chat) == []
    org_chat.action("sw1", "prep_submit", "2", {first: "A hard week"})
    [note_id] = [b.value for b in org_chat.text("sw1", "show my notes").buttons][:1]
    edited = org_chat.action("sw1", "note_edit", note_id, {"answer": NOTE})
    assert "children's record number" in edited.text and _notes(org_chat) == ["A hard week"]


def test_an_action_recorded_in_chat_is_checked_too(org_chat: ChatService) -> None:
    values = {"supervisee": "sw2", "text": "Ring about CHR1234", "owner": "supervisee",
              "due": "2026-04-24"}  # fmt: skip
    warned = org_chat.action("tm1", "action_submit", "", values)
    assert "children's record number" in warned.text and warned.form is not None
    with Session(org_chat.engine) as s:
        assert s.exec(select(ActionItem)).all() == []


def test_the_built_in_patterns_do_not_know_the_organisations_numbers(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHILD_DETAIL_PATTERNS", raising=False)
    monkeypatch.delenv("REFLECTION_BANK", raising=False)
    seed(engine)
    chat = service(engine)
    question = chat.text("sw1", "give me a reflective question").buttons[1].value
    assert chat.action("sw1", "reflect_note", question, {"answer": NOTE}).text.startswith("Saved")


def test_an_unusable_bank_stops_start_up_with_its_problems(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("version: 1\ntitle: Ours\nquestions:\n  - id: x\n    stage: feelings\n")
    monkeypatch.setenv("REFLECTION_BANK", str(bad))
    with pytest.raises(UnusableSettingFile) as err:
        service(engine)
    assert str(err.value).startswith("REFLECTION_BANK names a question bank that can't be used")
    assert "line 5" in str(err.value)


def test_ask_on_the_command_line_uses_the_organisations_bank(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'org.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine)
    engine.dispose()
    bank = tmp_path / "ourbank.yaml"
    bank.write_text(full_bank_yaml(), encoding="utf-8")
    env = {"SUPERVISION_POLICY": "leeds", "REFLECTION_BANK": str(bank)}
    args = ["ask", "--as", "sw1", "--today", "2026-04-08", "--database-url", url]
    out = CliRunner().invoke(app, [*args, "give me a reflective question"], env=env)
    assert out.exit_code == 0 and out.output.startswith("What about"), out.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\n", encoding="utf-8")
    out = CliRunner().invoke(app, [*args, "help"], env={**env, "REFLECTION_BANK": str(broken)})
    assert out.exit_code == 1 and "REFLECTION_BANK names a question bank" in out.output
    assert "Traceback" not in out.output
