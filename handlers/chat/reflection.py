"""Chat routes to the reflective-supervision handlers (handlers.reflect): reflect, prepare and
share preparation. The handlers there check who may see what; private notes are in
handlers.chat.private_notes, agreed actions in handlers.chat.agreed_actions.

Questions come from the organisation's bank and every save is checked against its
children's-details patterns: both are on the context (`ctx.bank`, `ctx.patterns`)."""

from __future__ import annotations

from typing import Any

from handlers.chat import access
from handlers.chat.common import resolve_person, with_id
from handlers.chat.private_notes import my_notes
from handlers.chat.request import ChatContext, ChatRequest
from handlers.reflect import notes, prep, questions
from handlers.replies import Reply
from storage import chat_queries as q
from storage import chat_records as r_


# --- intents ---------------------------------------------------------------------------------
def reflect(ctx: ChatContext, req: ChatRequest) -> Reply:
    """A reflective question (4x4x4), optionally "about support" or "from the family's view"."""
    text = req.text
    for lead in ("give me a reflective question", "reflective question", "reflect"):
        if text.lower().startswith(lead):
            text = text[len(lead) :]
            break
    return questions.reflect(ctx.bank, text.strip())


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
    return prep.start_prep(ctx.session, ctx.bank, ctx.asker.id, sid, ctx.clock)


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
    return notes.shared_prep(ctx.session, ctx.bank, ctx.asker.id, int(rows[0].id or 0))


def read_prep(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return with_id(value, lambda n: notes.shared_prep(ctx.session, ctx.bank, ctx.asker.id, n))


# --- buttons and forms ---------------------------------------------------------------------------
def open_prep(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return with_id(
        value, lambda n: prep.start_prep(ctx.session, ctx.bank, ctx.asker.id, n, ctx.clock)
    )


def prep_submit(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return with_id(
        value,
        lambda n: prep.save_prep(
            ctx.session, ctx.bank, ctx.asker.id, n, fields, ctx.clock, ctx.patterns
        ),
    )


def share_prep(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return with_id(value, lambda n: prep.share_prep(ctx.session, ctx.asker.id, n, ctx.clock))


def unshare_prep(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return with_id(value, lambda n: prep.unshare_prep(ctx.session, ctx.asker.id, n))


def reflect_again(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return questions.again(ctx.bank, value)


def reflect_write(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return questions.note_form(ctx.bank, value)


def reflect_note(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return notes.save_reflection(
        ctx.session, ctx.asker.id, value, fields, ctx.clock, ctx.patterns
    )


