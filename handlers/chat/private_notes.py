"""Chat routes to your private notes: list, edit ("edit note 2"), delete (always confirmed).

The handlers in handlers.reflect check that the note is the asker's own; anyone else
hears there is no such note of theirs. Every save is checked against the organisation's
children's-details patterns (`ctx.patterns`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from handlers.chat.common import with_id
from handlers.chat.request import ChatContext, ChatRequest
from handlers.reflect import note_changes, notes
from handlers.replies import Reply

WHICH_EDIT = "Which note? Press Edit next to it, or say “edit note N” with its number."
WHICH_DELETE = (
    "Which note? Press Delete next to it, or say “delete note N”, or "
    "“delete my notes for session N” for all of a session's."
)


def _with_id(value: str, then: Callable[[int], Reply]) -> Reply:
    return with_id(value, then, "That note")


def my_notes(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Your private preparation notes (only you can see them unless you share)."""
    return notes.my_notes(ctx.session, ctx.bank, ctx.asker.id)


def _which(ctx: ChatContext, question: str) -> Reply:
    listed = notes.my_notes(ctx.session, ctx.bank, ctx.asker.id)
    return listed if not listed.tables else replace(listed, text=f"{question}\n{listed.text}")


# --- intents ---------------------------------------------------------------------------------
def edit_note(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Change one of your private notes ("edit note 2")."""
    note_id = req.args.get("note_id")
    if note_id is None:
        return _which(ctx, WHICH_EDIT)
    return note_changes.edit_form(ctx.session, ctx.bank, ctx.asker.id, int(note_id))


def delete_notes(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Delete one of your notes, or all your notes for a session; asks you to confirm first."""
    note_id = req.args.get("note_id")
    if note_id is not None:
        return note_changes.ask_delete_note(ctx.session, ctx.asker.id, int(note_id))
    session_id = req.args.get("session_id")
    if session_id is not None:
        return note_changes.ask_delete_session_notes(ctx.session, ctx.asker.id, int(session_id))
    return _which(ctx, WHICH_DELETE)


# --- buttons and forms ---------------------------------------------------------------------------
def note_edit(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return _with_id(
        value,
        lambda n: notes.edit_note(ctx.session, ctx.asker.id, n, fields, ctx.clock, ctx.patterns),
    )


def note_edit_open(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return _with_id(value, lambda n: note_changes.edit_form(ctx.session, ctx.bank, ctx.asker.id, n))


def note_delete(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return _with_id(value, lambda n: note_changes.ask_delete_note(ctx.session, ctx.asker.id, n))


def note_delete_confirm(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return _with_id(value, lambda n: notes.delete_note(ctx.session, ctx.asker.id, n))


def session_notes_delete_confirm(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return _with_id(value, lambda n: notes.delete_session_notes(ctx.session, ctx.asker.id, n))


def notes_keep(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return note_changes.keep()
