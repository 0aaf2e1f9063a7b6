"""Your private notes: read, edit, delete; the supervisor's view of shared ones; retention."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from bot.clock import Clock, local_date
from handlers.reflect.access import can_read_prep
from handlers.reflect.checks import confirmed, find_flags, warning_reply
from handlers.reflect.common import (
    CHILD_DETAILS_LINE,
    NOTE_DELETE,
    NOTE_EDIT,
    NOTE_EDIT_OPEN,
    PRIVACY_LINE,
    REFLECT_NOTE,
    name_of,
    when,
)
from handlers.replies import Button, Form, FormField, Reply, Table
from policy.reflection.bank import QuestionBank
from policy.reflection.child_details import ChildDetailPatterns, default_child_patterns
from storage import reflect_queries as q
from storage.models import Person, PrepNote, SupervisionSession

MAX_ANSWER = 8000
PREVIEW = 300
MAX_WITH_BUTTONS = 10  # Edit and Delete buttons for this many notes (chat message limits)


def _question_text(bank: QuestionBank, question_id: str) -> str:
    question = bank.get(question_id)
    return question.text if question else f"(question {question_id}, no longer in the bank)"


def note_buttons(notes: list[PrepNote]) -> tuple[list[Button], str]:
    """Edit and Delete buttons for the newest notes, and a line saying how to change the rest."""
    buttons = [
        Button(label, action, str(n.id), style)
        for n in notes[:MAX_WITH_BUTTONS]
        for label, action, style in (
            (f"Edit note {n.id}", NOTE_EDIT_OPEN, None),
            (f"Delete note {n.id}", NOTE_DELETE, "danger"),
        )
    ]
    if len(notes) <= MAX_WITH_BUTTONS:
        return buttons, "Use the buttons to edit or delete a note."
    return buttons, (
        f"The buttons are for the {MAX_WITH_BUTTONS} newest notes; for an older one say "
        "“edit note N” or “delete note N”."
    )


def my_notes(
    db: Session, bank: QuestionBank, person_id: str, limit: int = 50, *, buttons: bool = True
) -> Reply:
    """Your private preparation notes, newest first, with Edit and Delete buttons."""
    person = db.get(Person, person_id)
    if person is None:
        return Reply(f"I don't know anyone with the id {person_id}.", ephemeral=True)
    notes = q.notes_of(db, person_id, limit=limit)
    if not notes:
        return Reply("You have no preparation notes.", ephemeral=True)
    sessions = {
        n.session_id: db.get(SupervisionSession, n.session_id)
        for n in notes
        if n.session_id is not None
    }
    rows = []
    for n in notes:
        sess = sessions.get(n.session_id) if n.session_id is not None else None
        rows.append(
            (
                str(n.id),
                when(sess.scheduled_at, person.timezone) if sess else "(any time)",
                _question_text(bank, n.question_id),
                n.answer if len(n.answer) <= PREVIEW else n.answer[:PREVIEW] + "…",
                "yes" if sess is not None and sess.prep_shared_at is not None else "no",
            )
        )
    table = Table(
        columns=("No.", "Session", "Question", "Your note", "Shared"),
        rows=tuple(rows),
        title="Your preparation notes",
    )
    shown, how = note_buttons(notes) if buttons else ([], "")
    return Reply(
        f"{len(notes)} note{'s' if len(notes) != 1 else ''}. {PRIVACY_LINE}"
        + (f"\n{how}" if how else ""),
        tables=[table],
        buttons=shown,
        ephemeral=True,
    )


def notes_visible_to(db: Session, viewer_id: str, session_id: int) -> list[PrepNote]:
    """The preparation notes of a session that `viewer_id` may read (often none)."""
    sess = db.get(SupervisionSession, session_id)
    if sess is None or not can_read_prep(db, viewer_id, sess):
        return []
    return q.notes_for_session(db, sess.supervisee_id, session_id)


def shared_prep(db: Session, bank: QuestionBank, viewer_id: str, session_id: int) -> Reply:
    """The preparation notes a supervisee chose to share with you for a session."""
    sess = db.get(SupervisionSession, session_id)
    notes = notes_visible_to(db, viewer_id, session_id)
    if sess is None or not notes:
        # Say the same whether or not notes exist: their existence is private too.
        return Reply(
            f"There are no preparation notes shared with you for session {session_id}.",
            ephemeral=True,
        )
    viewer = db.get(Person, viewer_id)
    rows = tuple((_question_text(bank, n.question_id), n.answer) for n in notes)
    whose = "Your" if viewer_id == sess.supervisee_id else f"{name_of(db, sess.supervisee_id)}'s"
    return Reply(
        f"{whose} preparation for the session on "
        f"{when(sess.scheduled_at, viewer.timezone if viewer else None)}.",
        tables=[Table(columns=("Question", "Note"), rows=rows, title="Preparation notes")],
        ephemeral=True,
    )


def edit_note(
    db: Session,
    person_id: str,
    note_id: int,
    values: Mapping[str, Any],
    clock: Clock,
    patterns: ChildDetailPatterns | None = None,
) -> Reply:
    """Change the text of one of your notes (`values["answer"]`; checked for children's details)."""
    note = db.get(PrepNote, note_id)
    person = db.get(Person, person_id)
    if note is None or person is None or note.person_id != person_id:
        return Reply(f"I can't find a note {note_id} of yours.", ephemeral=True, ok=False)
    form = answer_form(NOTE_EDIT, str(note_id), "Your note")
    return _store(
        db, person, note, note.question_id, note.session_id, values, clock, patterns, form
    )


def save_reflection(
    db: Session,
    person_id: str,
    question_id: str,
    values: Mapping[str, Any],
    clock: Clock,
    patterns: ChildDetailPatterns | None = None,
) -> Reply:
    """Keep a private note answering a reflective question asked any time (no session)."""
    person = db.get(Person, person_id)
    if person is None:
        return Reply(f"I don't know anyone with the id {person_id}.", ephemeral=True)
    form = answer_form(REFLECT_NOTE, question_id, "Your note")
    return _store(db, person, None, question_id, None, values, clock, patterns, form)


def answer_form(action: str, value: str, label: str, initial: str | None = None) -> Form:
    """The one-field form for a private note (REFLECT_NOTE: question id; NOTE_EDIT: note id)."""
    return Form(
        title="A private note",
        submit_action=action,
        value=value,
        submit_label="Save privately",
        fields=(
            FormField(
                name="answer",
                label=label,
                kind="multiline",
                initial=initial,
                hint=CHILD_DETAILS_LINE,
            ),
        ),
    )


def _store(
    db: Session,
    person: Person,
    note: PrepNote | None,
    question_id: str,
    session_id: int | None,
    values: Mapping[str, Any],
    clock: Clock,
    patterns: ChildDetailPatterns | None,
    form: Form,
) -> Reply:
    answer = str(values.get("answer") or "").strip()
    form = replace(form, fields=(replace(form.fields[0], initial=answer or None),))
    if not answer:
        return Reply(
            "The note is empty. To remove a note, delete it instead.",
            form=form,
            ephemeral=True,
            ok=False,
        )
    if len(answer) > MAX_ANSWER:
        return Reply(
            f"Nothing is saved yet: the note is longer than {MAX_ANSWER} characters.",
            form=form,
            ephemeral=True,
            ok=False,
        )
    now = clock.now()
    flags = find_flags(
        patterns or default_child_patterns(), {"answer": answer}, local_date(now, person.timezone)
    )
    if flags and not confirmed(values):
        return warning_reply(flags, form, {"answer": answer}, {"answer": "Your note"})
    if note is None:
        note = PrepNote(
            person_id=person.id,
            session_id=session_id,
            question_id=question_id,
            answer=answer,
            created_at=now,
            updated_at=now,
        )
    else:
        note.answer, note.updated_at = answer, now
    db.add(note)
    db.flush()
    return Reply(f"Saved your note ({note.id}). {PRIVACY_LINE}", ephemeral=True)


def delete_note(db: Session, person_id: str, note_id: int) -> Reply:
    """Delete one of your notes for good."""
    if q.delete_notes(db, person_id, [note_id]) == 0:
        return Reply(f"I can't find a note {note_id} of yours.", ephemeral=True, ok=False)
    return Reply(f"Deleted note {note_id}.", ephemeral=True)


def delete_session_notes(db: Session, person_id: str, session_id: int) -> Reply:
    """Delete all your notes for one session."""
    ids = [n.id for n in q.notes_for_session(db, person_id, session_id) if n.id is not None]
    count = q.delete_notes(db, person_id, ids)
    if count == 0:
        return Reply(f"You have no notes for session {session_id}.", ephemeral=True, ok=False)
    return Reply(
        f"Deleted {count} note{'s' if count != 1 else ''} for session {session_id}.", ephemeral=True
    )


def purge_expired_notes(db: Session, clock: Clock, retention_days: int) -> int:
    """Delete notes (and the record of questions asked) older than the retention period.

    Run daily by the scheduler with `Settings.notes_retention_days`; returns the
    number of notes deleted.
    """
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = clock.now() - timedelta(days=retention_days)
    deleted = q.purge_notes_before(db, cutoff)
    q.purge_prompts_before(db, cutoff)
    return deleted
