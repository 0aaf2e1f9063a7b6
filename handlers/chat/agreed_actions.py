"""Chat routes to actions agreed in supervision (handlers.reflect.actions): list, record, done.

Recording goes through a form even when the message said it all ("add an action for Jo
to call the school by Friday"): what was understood is filled in, the person checks it
and saves. The handlers in handlers.reflect decide who may record and complete what.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers.chat.action_words import ActionWords, read_action
from handlers.chat.common import with_id
from handlers.chat.request import ChatContext, ChatRequest
from handlers.reflect import actions
from handlers.replies import Form, FormField, Reply
from storage import chat_queries as q
from storage.models import Person

SUBMIT = "action_submit"
OWNERS = (("supervisee", "The supervisee"), ("supervisor", "The supervisor"))
MAX_SAID = 500  # the request kept in the form's value, to rebuild it (Slack: form_open)


def my_actions(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Actions agreed in supervision: yours, and overdue ones of the people you supervise."""
    if "overdue" in req.text.lower() and q.supervisees_of(ctx.session, ctx.asker.id):
        return actions.overdue_actions(ctx.session, ctx.asker.id, ctx.clock)
    return actions.my_actions(ctx.session, ctx.asker.id, ctx.clock)


def action_done(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    return with_id(
        value, lambda n: actions.mark_action_done(ctx.session, ctx.asker.id, n, ctx.clock)
    )


def _supervisions(ctx: ChatContext) -> list[Person]:
    """Whose supervision the asker may record actions for: their own, and their supervisees'."""
    people = q.supervisees_of(ctx.session, ctx.asker.id)
    return [ctx.asker, *people] if ctx.asker.supervisor_id else people


def _form(
    people: list[Person],
    me: str,
    values: dict[str, Any],
    said: str = "",
) -> Form:
    choices = tuple((p.id, "My own supervision" if p.id == me else p.name) for p in people)
    fields = (
        FormField("supervisee", "Whose supervision", "choice", choices=choices,
                  initial=str(values.get("supervisee") or choices[0][0]) if choices else None),
        FormField("text", "Action agreed", "multiline", initial=values.get("text") or None),
        FormField("owner", "Who is responsible", "choice", choices=OWNERS,
                  initial=str(values.get("owner") or "supervisee")),
        FormField("due", "Due by", "date", initial=values.get("due") or None),
    )  # fmt: skip
    return Form("Agreed action", SUBMIT, fields, value=said[:MAX_SAID], submit_label="Save")


def _one(ctx: ChatContext, name: str | None, among: list[Person]) -> Person | None:
    if not name:
        return None
    found = q.people_named(ctx.session, name, [p.id for p in among])
    return found[0] if len(found) == 1 else None


def _prefill(
    ctx: ChatContext, people: list[Person], req: ChatRequest
) -> tuple[dict[str, Any], str]:
    """The form's initial values from what was said, and a line about a date not understood."""
    supervisor = q.get_person(ctx.session, ctx.asker.supervisor_id or "")
    everyone = [*people, *([supervisor] if supervisor else [])]
    names = [w for p in everyone for w in (p.name, *p.name.split()) if len(w) > 1]
    words: ActionWords = read_action(req.text, ctx.now, ctx.asker.timezone, names)
    named = words.supervision_of or req.args.get("person")
    supervisee = _one(ctx, str(named) if named else None, people)
    owner_id: str | None = ctx.asker.id if words.owner == "me" else None
    if words.owner not in (None, "me", "you"):
        owner = _one(ctx, words.owner, everyone)
        owner_id = owner.id if owner else None
        ids = {p.id for p in people}
        if owner is not None and supervisee is None:
            in_own = owner.id == ctx.asker.supervisor_id and ctx.asker.id in ids
            supervisee = ctx.asker if in_own else owner if owner.id in ids else None
    supervisee = supervisee or people[0]
    if words.owner == "you":  # the other person in that supervision
        role = "supervisor" if supervisee.id == ctx.asker.id else "supervisee"
    elif owner_id is not None and owner_id == supervisee.supervisor_id:
        role = "supervisor"
    else:
        role = "supervisee"
    values = {
        "supervisee": supervisee.id,
        "text": words.what,
        "owner": role,
        "due": words.due.isoformat() if words.due else None,
    }
    if words.due_problem is None:
        return values, ""
    return values, f"\nAbout the due date: {words.due_problem} Please choose it in the form."


def action_form(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Record an action agreed in supervision (what, who is responsible, by when), by form."""
    people = _supervisions(ctx)
    if not people:
        return Reply(text="You have no supervision to record actions for.", ephemeral=True)
    values, problem = _prefill(ctx, people, req)
    said = "Check what I understood, then save." if values["text"] or values["due"] else ""
    return Reply(
        text=f"Record an agreed action. {said}".strip() + problem,
        form=_form(people, ctx.asker.id, values, req.text),
    )


def reopen(ctx: ChatContext, said: str) -> Reply:
    """The form again, from the request kept in its value (a platform's "open form" button)."""
    return action_form(ctx, ChatRequest(ctx.asker.id, "add_action", text=said))


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
    form = _form(_supervisions(ctx), ctx.asker.id, fields, value)
    return actions.add_action(
        ctx.session, ctx.asker.id, supervisee.id, text, owner, due, ctx.clock,
        patterns=ctx.patterns, form=form, values=fields,
    )  # fmt: skip
