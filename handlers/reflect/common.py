"""Shared wording, button action ids and formatting for the reflective-supervision handlers."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.clock import zone
from handlers.replies import Citation
from policy.reflection.bank import QuestionBank
from policy.reflection.schema import Question
from storage.models import Person

# Button and form action ids these handlers emit (value in brackets). The chat
# layer's action registry routes each to the handler named.
OPEN_PREP = "open_prep"  # [session id] -> prep.start_prep
PREP_SUBMIT = "prep_submit"  # form [session id] -> prep.save_prep
SHARE_PREP = "share_prep"  # [session id] -> prep.share_prep
UNSHARE_PREP = "unshare_prep"  # [session id] -> prep.unshare_prep
REFLECT_AGAIN = "reflect_again"  # ["function|stakeholder", either may be empty] -> questions
REFLECT_WRITE = "reflect_write"  # [question id] -> questions.note_form
REFLECT_NOTE = "reflect_note"  # form [question id] -> notes.save_reflection
NOTE_EDIT = "note_edit"  # form [note id] -> notes.edit_note
NOTE_EDIT_OPEN = "note_edit_open"  # [note id] -> note_changes.edit_form
NOTE_DELETE = "note_delete"  # [note id] -> note_changes.ask_delete_note (asks to confirm)
NOTE_DELETE_CONFIRM = "note_delete_confirm"  # [note id] -> notes.delete_note
SESSION_NOTES_DELETE_CONFIRM = "session_notes_delete_confirm"  # [session id] -> notes.delete_...
NOTES_KEEP = "notes_keep"  # [note or session id] -> note_changes.keep (nothing deleted)
ACTION_DONE = "action_done"  # [action id] -> actions.mark_action_done

ACTIONS: dict[str, str] = {
    OPEN_PREP: "open the guided preparation for a session",
    PREP_SUBMIT: "save preparation answers privately",
    SHARE_PREP: "share a session's preparation notes with its supervisor",
    UNSHARE_PREP: "stop sharing a session's preparation notes",
    REFLECT_AGAIN: "another reflective question",
    REFLECT_WRITE: "open a form to write a private note about a reflective question",
    REFLECT_NOTE: "save a private note answering a reflective question",
    NOTE_EDIT: "change the text of one of your private notes",
    NOTE_EDIT_OPEN: "open the form to change one of your private notes",
    NOTE_DELETE: "ask to delete one of your private notes (confirmed next)",
    NOTE_DELETE_CONFIRM: "delete one of your private notes, confirmed",
    SESSION_NOTES_DELETE_CONFIRM: "delete all your private notes for a session, confirmed",
    NOTES_KEEP: "keep your notes after being asked to confirm a deletion",
    ACTION_DONE: "mark an agreed action done",
}

CONFIRM_FIELD = "confirm_child_details"
PRIVACY_LINE = (
    "Only you can see your preparation notes. Nothing is shared with your supervisor "
    "unless you choose to share it, session by session."
)
CHILD_DETAILS_LINE = (
    "Please keep children's details (names, dates of birth, case numbers) out of these "
    "notes: they belong on the child's own record."
)
LEEDS_413 = Citation(
    document="Leeds City Council, 'Making a Difference' Supervision Framework (2023)",
    section="4.13",
    quote="Children's information should not be included in records of personal supervision.",
)


def name_of(db: Session, person_id: str | None) -> str:
    if person_id is None:
        return "your supervisor"
    person = db.get(Person, person_id)
    return person.name if person else person_id


def when(instant: datetime, tz_name: str | None) -> str:
    """'Tue 14 Apr 2026, 10:00' in the reader's timezone."""
    local = instant.astimezone(zone(tz_name))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def citation_for(bank: QuestionBank, question: Question) -> Citation | None:
    """The citation of a question quoted word for word from a document (None otherwise)."""
    source = bank.source_of(question)
    if source is None or source[2] != "quoted":
        return None
    document, section, _ = source
    return Citation(document=document, section=section, quote=question.text)


def source_line(bank: QuestionBank, question: Question) -> str:
    source = bank.source_of(question)
    if source is None:
        return str(question.source)
    document, section, use = source
    return f"{'from' if use == 'quoted' else 'adapted from'} {document}, s{section}"
