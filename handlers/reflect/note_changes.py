"""Changing your private notes from chat: the edit form, and deleting after a confirmation.

Only the note's owner gets past the first line of each handler: anyone else hears that
there is no such note of theirs, whether or not it exists. The deletions themselves are
`notes.delete_note` and `notes.delete_session_notes`, reached by the Confirm buttons here.
"""

from __future__ import annotations

from sqlmodel import Session

from handlers.reflect.common import (
    NOTE_DELETE_CONFIRM,
    NOTE_EDIT,
    NOTES_KEEP,
    SESSION_NOTES_DELETE_CONFIRM,
    when,
)
from handlers.reflect.notes import PREVIEW, answer_form
from handlers.replies import Button, Reply
from policy.reflection.bank import QuestionBank
from storage import reflect_queries as q
from storage.models import Person, PrepNote, SupervisionSession


def _own_note(db: Session, person_id: str, note_id: int) -> PrepNote | Reply:
    note = db.get(PrepNote, note_id)
    if note is None or note.person_id != person_id:
        return Reply(f"I can't find a note {note_id} of yours.", ephemeral=True, ok=False)
    return note


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW else text[:PREVIEW] + "…"


def edit_form(db: Session, bank: QuestionBank, person_id: str, note_id: int) -> Reply:
    """The one-field form to change one of your notes, filled in with what it says now."""
    note = _own_note(db, person_id, note_id)
    if isinstance(note, Reply):
        return note
    question = bank.get(note.question_id)
    about = f"Your note {note_id}, on “{question.text}”" if question else f"Your note {note_id}"
    return Reply(
        f"{about}. Change it and save; it stays private.",
        form=answer_form(NOTE_EDIT, str(note_id), "Your note", initial=note.answer),
        ephemeral=True,
    )


def ask_delete_note(db: Session, person_id: str, note_id: int) -> Reply:
    """Ask before deleting one of your notes: deleting cannot be undone."""
    note = _own_note(db, person_id, note_id)
    if isinstance(note, Reply):
        return note
    return Reply(
        f"Delete note {note_id} for good? It says: “{_preview(note.answer)}”. "
        "This can't be undone.",
        buttons=[
            Button(f"Delete note {note_id}", NOTE_DELETE_CONFIRM, str(note_id), "danger"),
            Button("Keep it", NOTES_KEEP, str(note_id)),
        ],
        ephemeral=True,
    )


def ask_delete_session_notes(db: Session, person_id: str, session_id: int) -> Reply:
    """Ask before deleting all your notes for one session."""
    notes = q.notes_for_session(db, person_id, session_id)
    if not notes:
        return Reply(f"You have no notes for session {session_id}.", ephemeral=True, ok=False)
    sess = db.get(SupervisionSession, session_id)
    person = db.get(Person, person_id)
    on = (
        f" (the session on {when(sess.scheduled_at, person.timezone if person else None)})"
        if sess is not None
        else ""
    )
    count = f"{len(notes)} note{'s' if len(notes) != 1 else ''}"
    return Reply(
        f"Delete your {count} for session {session_id}{on} for good? This can't be undone.",
        buttons=[
            Button(f"Delete {count}", SESSION_NOTES_DELETE_CONFIRM, str(session_id), "danger"),
            Button("Keep them", NOTES_KEEP, str(session_id)),
        ],
        ephemeral=True,
    )


def keep() -> Reply:
    """The Keep button after a delete question."""
    return Reply("Kept: nothing was deleted.", ephemeral=True)
