"""The action registry: every button and form-submit id, what it does, and who may press it.

The engine's messages carry "open_prep", "session_held", "session_cancel",
"record_share" and "record_sign" buttons whose value is a session id; the chat
replies add their own. Each handler checks the presser may act (access module).
Adapters register exactly the ids in `ACTIONS`; the manifest test reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.chat import (
    agreed_actions,
    agreements,
    booking,
    changes,
    plan,
    private_notes,
    records,
    reflection,
)
from handlers.chat.diary import Problem
from handlers.chat.request import ChatContext
from handlers.replies import Button, Reply
from storage import chat_queries as q
from storage.models import SupervisionSession

ActionHandler = Callable[[ChatContext, str, dict[str, Any]], Reply]
# A form submission's problems by field name, found without doing it ({}: it may go ahead).
FormCheck = Callable[[ChatContext, str, dict[str, Any]], dict[str, str]]


@dataclass(frozen=True)
class Action:
    id: str
    help: str
    handler: ActionHandler
    form_submit: bool = False  # submitted from a form (Slack: a view submission)
    check: FormCheck | None = None  # run before a form submit, so the form can stay open


def _row(ctx: ChatContext, value: str) -> SupervisionSession | None:
    try:
        return q.get_session(ctx.session, int(value))
    except ValueError:
        return None


def _session(ctx: ChatContext, value: str, then: Callable[[SupervisionSession], Reply]) -> Reply:
    row = _row(ctx, value)
    if row is None:
        return Reply(text="That session no longer exists.", ephemeral=True)
    return then(row)


def _rearrange_submit(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    at = booking.form_instant(ctx, fields)
    if isinstance(at, Problem):
        return Reply(text=at.text)
    when: datetime = at
    return _session(ctx, value, lambda r: changes.do_rearrange(ctx, r, when))


def _rearrange_check(ctx: ChatContext, value: str, fields: dict[str, Any]) -> dict[str, str]:
    at = booking.form_instant(ctx, fields)
    if isinstance(at, Problem):
        return at.by_field()
    row = _row(ctx, value)
    return changes.rearrange_check(ctx, row, at) if row is not None else {}


def _cancel_confirm(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    sid, _, reason = value.partition("|")
    return _session(ctx, sid, lambda r: changes.do_cancel(ctx, r, reason))


def _rearrange_to(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    sid, _, local = value.partition("|")
    day, _, at = local.partition("T")
    return _rearrange_submit(ctx, sid, {"date": day, "time": at})


def _form_open(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    """Re-open a form by its submit action (platforms that cannot show a form inline)."""
    submit, _, arg = value.partition("|")
    if submit == "book_submit":  # with the supervisee chosen, when the form was sent
        return booking.book_form(ctx, arg or str(fields.get("supervisee") or ""))
    opener = {"rearrange_submit": changes.rearrange_form, "cancel_submit": changes.cancel_form}
    if submit in opener:
        return _session(ctx, arg, lambda r: opener[submit](ctx, r))
    rebuild = {
        "prep_submit": reflection.open_prep,
        "reflect_note": reflection.reflect_write,
        "action_submit": lambda c, v, f: agreed_actions.reopen(c, v),
        "note_edit": private_notes.note_edit_open,
    }
    if submit in rebuild:
        return rebuild[submit](ctx, arg, fields)
    return Reply(text="That form is no longer available; please ask me again.", ephemeral=True)


def form_button(submit_action: str, value: str, label: str) -> Button:
    """The button that opens a form where a platform cannot show it inline."""
    return Button(label[:75], "form_open", f"{submit_action}|{value}", "primary")


ACTIONS: list[Action] = [
    Action("open_prep", "Prepare for a session (reflective prompts)", reflection.open_prep),
    Action(
        "session_held",
        "Mark a session held",
        lambda c, v, f: _session(c, v, lambda r: records.held(c, r)),
    ),
    Action(
        "session_cancel",
        "Cancel a session (asks for a reason)",
        lambda c, v, f: _session(c, v, lambda r: changes.cancel_form(c, r)),
    ),
    Action(
        "session_rearrange",
        "Rearrange a session (asks for a new time)",
        lambda c, v, f: _session(c, v, lambda r: changes.rearrange_form(c, r)),
    ),
    Action(
        "record_share",
        "Record that a session's record is shared",
        lambda c, v, f: _session(c, v, lambda r: records.share(c, r)),
    ),
    Action(
        "record_sign",
        "Sign a session's record",
        lambda c, v, f: _session(c, v, lambda r: records.sign(c, r)),
    ),
    Action("cancel_confirm", "Cancel a session after asking (value: id|reason)", _cancel_confirm),
    Action(
        "cancel_keep",
        "Keep a session after a cancel question",
        lambda c, v, f: _session(c, v, lambda r: changes.keep(c, r)),
    ),
    Action("rearrange_to", "Rearrange a chosen session (value: id|local time)", _rearrange_to),
    Action("book_open", "Open the booking form", lambda c, v, f: booking.book_form(c, v)),
    Action("confirm_plan", "Book the proposed dates of a plan", plan.confirm_plan),
    Action("form_open", "Open a form", _form_open),
    Action(
        "book_submit",
        "Book from the form",
        booking.book_submit,
        form_submit=True,
        check=booking.book_check,
    ),
    Action(
        "rearrange_submit",
        "Rearrange from the form",
        _rearrange_submit,
        form_submit=True,
        check=_rearrange_check,
    ),
    Action(
        "cancel_submit",
        "Cancel from the form",
        lambda c, v, f: _session(
            c, v, lambda r: changes.do_cancel(c, r, str(f.get("reason") or ""))
        ),
        form_submit=True,
    ),
    Action(
        "prep_submit",
        "Save preparation answers privately",
        reflection.prep_submit,
        form_submit=True,
    ),
    Action("prep_read", "Read the preparation notes shared with you", reflection.read_prep),
    Action(
        "book_session",
        "Open the booking form for a supervisee (engine messages)",
        lambda c, v, f: booking.book_form(c, v),
    ),
    Action("share_prep", "Share preparation notes with the supervisor", reflection.share_prep),
    Action("unshare_prep", "Stop sharing preparation notes", reflection.unshare_prep),
    Action("reflect_again", "Another reflective question", reflection.reflect_again),
    Action("reflect_write", "Write a private note on a question", reflection.reflect_write),
    Action("reflect_note", "Save a private note", reflection.reflect_note, form_submit=True),
    Action("note_edit", "Change a private note", private_notes.note_edit, form_submit=True),
    Action("note_edit_open", "Open the form to change a note", private_notes.note_edit_open),
    Action("note_delete", "Ask to delete a private note", private_notes.note_delete),
    Action("note_delete_confirm", "Delete a private note", private_notes.note_delete_confirm),
    Action(
        "session_notes_delete_confirm",
        "Delete your private notes for a session",
        private_notes.session_notes_delete_confirm,
    ),
    Action("notes_keep", "Keep notes after a delete question", private_notes.notes_keep),
    Action("action_done", "Mark an agreed action done", agreed_actions.action_done),
    Action(
        "agreement_signed",
        "Record a supervision agreement signed today",
        agreements.agreement_signed,
    ),
    Action(
        "action_submit", "Record an agreed action", agreed_actions.action_submit, form_submit=True
    ),
]

BY_ID: dict[str, Action] = {a.id: a for a in ACTIONS}
ENGINE_ACTIONS = ("open_prep", "session_held", "session_cancel", "record_share", "record_sign")
