"""Chat routes to the reflective-supervision handlers (handlers.reflect): prepare, reflect,
private notes and agreed actions. The handlers there check who may see what."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from handlers.chat import access
from handlers.chat.common import resolve_person
from handlers.chat.request import ChatContext, ChatRequest
from handlers.reflect import actions, notes, prep, questions
from handlers.replies import Form, FormField, Reply
from policy.reflection.bank import QuestionBank, default_bank
from storage import chat_queries as q
from storage import chat_records as r_


@lru_cache(maxsize=1)
def bank() -> QuestionBank:
    return default_bank()


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _with_id(value: str, then: Any) -> Reply:
    n = _int(value)
    return Reply(text="That item no longer exists.", ephemeral=True) if n is None else then(n)


# --- intents ---------------------------------------------------------------------------------
def reflect(ctx: ChatContext, req: ChatRequest) -> Reply:
    """A reflective question (4x4x4), optionally "about support" or "from the family's view"."""
    text = req.text
    for lead in ("give me a reflective question", "reflective question", "reflect"):
        if text.lower().startswith(lead):
            text = text[len(lead) :]
            break
    return questions.reflect(bank(), text.strip())


def prepare(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Prepare for your next session: four reflective questions, privately."""
    sid: int | None = req.args.get("session_id")
    if sid is None:
        mine = [
            r.id
            for r in q.upcoming_sessions(ctx.session, ctx.asker.id, ctx.now)
            if r.supervisee_id == ctx.asker.id and r.id is not None
        ]
        if not mine:
            return Reply(text="You have no upcoming session to prepare for.", ephemeral=True)
        sid = mine[0]
    return prep.start_prep(ctx.session, bank(), ctx.asker.id, sid, ctx.clock)


def my_notes(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Your private preparation notes (only you can see them unless you share)."""
    return notes.my_notes(ctx.session, bank(), ctx.asker.id)


NOTES_PRIVATE = (
    "Preparation notes belong to the supervisee: only their supervisor can read them, and "
    "only once the supervisee shares them for a session. Line managers and admins never see them."
)


def shared_notes(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Preparation notes a supervisee shared with you, their supervisor ("show Jo's notes")."""
    name = req.args.get("person")
    if not name:
        return Reply(
            text='Whose preparation notes? Say e.g. "show Jo\'s preparation notes".',
            ephemeral=True,
        )
    person = resolve_person(ctx, str(name), access.visible_ids(ctx))
    if isinstance(person, Reply):
        return person
    if person.id == ctx.asker.id:
        return my_notes(ctx, req)
    if not access.can_see(ctx, person):
        return access.refusal()
    if person.supervisor_id != ctx.asker.id:
        return Reply(text=NOTES_PRIVATE, ephemeral=True)
    rows = r_.shared_prep_sessions(ctx.session, person.id, ctx.asker.id)
    if not rows:
        return Reply(
            text=f"{person.name} hasn't shared any preparation notes with you. Sharing is their "
            "choice, session by session.",
            ephemeral=True,
        )
    return notes.shared_prep(ctx.session, bank(), ctx.asker.id, int(rows[0].id or 0))


def read_prep(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return _with_id(value, lambda n: notes.shared_prep(ctx.session, bank(), ctx.asker.id, n))


def my_actions(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Actions agreed in supervision: yours, and overdue ones of the people you supervise."""
    if "overdue" in req.text.lower() and q.supervisees_of(ctx.session, ctx.asker.id):
        return actions.overdue_actions(ctx.session, ctx.asker.id, ctx.clock)
    return actions.my_actions(ctx.session, ctx.asker.id, ctx.clock)


# --- buttons and forms ---------------------------------------------------------------------------
def open_prep(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return _with_id(
        value, lambda n: prep.start_prep(ctx.session, bank(), ctx.asker.id, n, ctx.clock)
    )


def prep_submit(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return _with_id(
        value, lambda n: prep.save_prep(ctx.session, bank(), ctx.asker.id, n, fields, ctx.clock)
    )


def share_prep(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return _with_id(value, lambda n: prep.share_prep(ctx.session, ctx.asker.id, n, ctx.clock))


def unshare_prep(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return _with_id(value, lambda n: prep.unshare_prep(ctx.session, ctx.asker.id, n))


def reflect_again(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return questions.again(bank(), value)


def reflect_write(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return questions.note_form(bank(), value)


def reflect_note(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return notes.save_reflection(ctx.session, ctx.asker.id, value, fields, ctx.clock)


def note_edit(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return _with_id(
        value, lambda n: notes.edit_note(ctx.session, ctx.asker.id, n, fields, ctx.clock)
    )


def action_done(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return _with_id(
        value, lambda n: actions.mark_action_done(ctx.session, ctx.asker.id, n, ctx.clock)
    )


def action_form(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Record an action agreed in supervision (what, who is responsible, by when), by form."""
    people = q.supervisees_of(ctx.session, ctx.asker.id)
    if ctx.asker.supervisor_id:
        people = [ctx.asker, *people]
    if not people:
        return Reply(text="You have no supervision to record actions for.", ephemeral=True)
    choices = tuple(
        (p.id, "My own supervision" if p.id == ctx.asker.id else p.name) for p in people
    )
    initial = choices[0][0]
    name = req.args.get("person")
    if name:
        found = q.people_named(ctx.session, str(name), [c[0] for c in choices])
        if len(found) == 1:
            initial = found[0].id
    day = req.args.get("day")
    fields = (
        FormField("supervisee", "Whose supervision", "choice", choices=choices, initial=initial),
        FormField("text", "Action agreed", "multiline"),
        FormField(
            "owner",
            "Who is responsible",
            "choice",
            choices=(("supervisee", "The supervisee"), ("supervisor", "The supervisor")),
            initial="supervisee",
        ),
        FormField(
            "due", "Due by", "date", initial=day.isoformat() if isinstance(day, date) else None
        ),
    )
    return Reply(
        text="Record an agreed action:",
        form=Form("Agreed action", "action_submit", fields, submit_label="Save"),
    )


def action_submit(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    supervisee = q.get_person(ctx.session, str(fields.get("supervisee") or ""))
    if supervisee is None:
        return Reply(text="Please choose whose supervision the action belongs to.", ephemeral=True)
    try:
        due = date.fromisoformat(str(fields.get("due") or ""))
    except ValueError:
        return Reply(text="Please give the due date as YYYY-MM-DD.", ephemeral=True)
    text = str(fields.get("text") or "").strip()
    if not text:
        return Reply(text="Please say what the action is.", ephemeral=True)
    owner = supervisee.id if fields.get("owner") != "supervisor" else supervisee.supervisor_id
    if owner is None:
        return Reply(text=f"No supervisor is recorded for {supervisee.name}.", ephemeral=True)
    return actions.add_action(ctx.session, ctx.asker.id, supervisee.id, text, owner, due, ctx.clock)
