"""Your own notes: read, edit, delete; nobody else can; retention deletes old notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.clock import FixedClock
from handlers.reflect.common import CONFIRM_FIELD, NOTE_EDIT, REFLECT_NOTE
from handlers.reflect.notes import (
    delete_note,
    delete_session_notes,
    edit_note,
    my_notes,
    purge_expired_notes,
    save_reflection,
)
from handlers.reflect.prep import save_prep, start_prep
from handlers.reflect.questions import note_form
from policy.reflection.bank import QuestionBank
from storage.db import session_scope
from storage.models import PrepNote, ReflectionPrompt
from tests.reflect.conftest import NOW, Org


def _note_ids(org: Org) -> list[int]:
    with session_scope(org.engine) as db:
        return [n.id for n in db.exec(select(PrepNote).order_by(col(PrepNote.id))).all() if n.id]


def test_read_edit_and_delete_your_own_notes(
    org: Org, bank: QuestionBank, clock: FixedClock
) -> None:
    with session_scope(org.engine) as db:
        start_prep(db, bank, "amy", org.sessions[1], clock)
        save_prep(
            db,
            bank,
            "amy",
            org.sessions[1],
            {"experience": "First answer", "analysis": "Second answer"},
            clock,
        )
        listing = my_notes(db, bank, "amy")
        assert listing.text.startswith("2 notes.")
        assert {row[3] for row in listing.tables[0].rows} == {"First answer", "Second answer"}
        assert {row[4] for row in listing.tables[0].rows} == {"no"}
        assert my_notes(db, bank, "ben").text == "You have no preparation notes."
    first, second = _note_ids(org)
    later = FixedClock(NOW + timedelta(hours=2))
    with session_scope(org.engine) as db:
        assert "can't find a note" in edit_note(db, "sup", first, {"answer": "hijack"}, later).text
        assert "can't find a note" in delete_note(db, "ben", first).text
        warning = edit_note(db, "amy", first, {"answer": "Mosaic 1234567 again"}, later)
        assert "looks like a case-management system ID" in warning.text
        assert warning.form is not None and warning.form.submit_action == NOTE_EDIT
        assert warning.form.value == str(first)
        assert edit_note(db, "amy", first, {"answer": "Rewritten"}, later).text.startswith("Saved")
    with session_scope(org.engine) as db:
        note = db.get(PrepNote, first)
        assert note is not None and note.answer == "Rewritten"
        assert note.updated_at == later.now() and note.created_at == NOW
        assert delete_note(db, "amy", second).text == f"Deleted note {second}."
    assert _note_ids(org) == [first]
    with session_scope(org.engine) as db:
        assert "Deleted 1 note" in delete_session_notes(db, "amy", org.sessions[1]).text
        assert "no notes" in delete_session_notes(db, "amy", org.sessions[1]).text
    assert _note_ids(org) == []


def test_a_note_on_a_question_asked_any_time(
    org: Org, bank: QuestionBank, clock: FixedClock
) -> None:
    form_reply = note_form(bank, "exp.self.sup")
    assert form_reply.form is not None and form_reply.form.submit_action == REFLECT_NOTE
    with session_scope(org.engine) as db:
        empty = save_reflection(db, "amy", "exp.self.sup", {"answer": "  "}, clock)
        assert "empty" in empty.text
        warned = save_reflection(db, "amy", "exp.self.sup", {"answer": "born on 1 May 2019"}, clock)
        assert "date of birth" in warned.text
        saved = save_reflection(
            db,
            "amy",
            "exp.self.sup",
            {"answer": "born on 1 May 2019", CONFIRM_FIELD: "save"},
            clock,
        )
        assert saved.text.startswith("Saved your note")
        rows = my_notes(db, bank, "amy").tables[0].rows
        assert rows[0][1] == "(any time)"
        assert rows[0][2] == "Tell me about how you are looking after yourself at the minute?"


def test_retention_purge_deletes_only_notes_older_than_the_period(
    org: Org, bank: QuestionBank
) -> None:
    old_clock = FixedClock(datetime(2025, 1, 10, 9, 0, tzinfo=UTC))
    with session_scope(org.engine) as db:
        save_reflection(db, "amy", "exp.self.sup", {"answer": "An old thought"}, old_clock)
        save_reflection(db, "ben", "exp.self.dev", {"answer": "Another old one"}, old_clock)
        start_prep(db, bank, "amy", org.sessions[0], FixedClock(NOW))
        save_prep(db, bank, "amy", org.sessions[0], {"experience": "Recent"}, FixedClock(NOW))
    # 2026-01-10 09:00 is exactly 365 days after the old notes: not yet older.
    with session_scope(org.engine) as db:
        edge = FixedClock(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
        assert purge_expired_notes(db, edge, retention_days=365) == 0
    with session_scope(org.engine) as db:
        assert purge_expired_notes(db, FixedClock(NOW), retention_days=365) == 2
    with session_scope(org.engine) as db:
        assert [n.answer for n in db.exec(select(PrepNote)).all()] == ["Recent"]
        assert len(db.exec(select(ReflectionPrompt)).all()) == 4
    with session_scope(org.engine) as db:
        assert purge_expired_notes(db, FixedClock(NOW + timedelta(days=400)), 365) == 1
        # The record of questions asked (no answers) of a person's latest sessions stays,
        # so the rotation carries on.
        assert len(db.exec(select(ReflectionPrompt)).all()) == 4
    with session_scope(org.engine) as db, pytest.raises(ValueError):
        purge_expired_notes(db, FixedClock(NOW), 0)
