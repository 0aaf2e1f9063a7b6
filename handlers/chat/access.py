"""Who may see and change whose supervision.

A supervisee sees their own; a supervisor sees their supervisees'; a line
manager sees everyone under the supervisors they manage; admins see all.
Refusals never say whether the other person exists.
"""

from __future__ import annotations

from handlers.chat.request import ChatContext
from handlers.replies import Reply
from storage import chat_queries as q
from storage.models import Person, SupervisionSession

REFUSAL = (
    "Sorry, I can't help with that person. I can only show you your own supervision, "
    "the people you supervise, and the teams of supervisors you manage."
)


def refusal() -> Reply:
    return Reply(text=REFUSAL, ephemeral=True, ok=False)


def can_see(ctx: ChatContext, target: Person) -> bool:
    """Whether the asker may see `target`'s supervision."""
    asker = ctx.asker
    if ctx.is_admin or target.id == asker.id or target.supervisor_id == asker.id:
        return True
    if target.supervisor_id is None:
        return False
    supervisor = q.get_person(ctx.session, target.supervisor_id)
    return supervisor is not None and supervisor.supervisor_id == asker.id


def visible_ids(ctx: ChatContext) -> list[str] | None:
    """Ids of the people the asker may name (None for admins: everyone).

    Includes the asker's own supervisor, so "book with Sam" works for a supervisee;
    their supervision stays private (`can_see` decides that).
    """
    if ctx.is_admin:
        return None
    ids = {ctx.asker.id}
    if ctx.asker.supervisor_id:
        ids.add(ctx.asker.supervisor_id)
    ids.update(p.id for p in q.people_under_manager(ctx.session, ctx.asker.id))
    return sorted(ids)


def nameable_people(ctx: ChatContext) -> list[Person]:
    """The people `visible_ids` allows the asker to name, as rows (for reading names in text)."""
    if ctx.is_admin:
        return q.active_people(ctx.session)
    people = q.people_under_manager(ctx.session, ctx.asker.id)
    if ctx.asker.supervisor_id:
        sup = q.get_person(ctx.session, ctx.asker.supervisor_id)
        if sup is not None:
            people.append(sup)
    return people


def may_manage_session(ctx: ChatContext, row: SupervisionSession) -> bool:
    """Book, rearrange, cancel: either party, their line manager, or an admin."""
    if ctx.is_admin or ctx.asker.id in (row.supervisee_id, row.supervisor_id):
        return True
    supervisee = q.get_person(ctx.session, row.supervisee_id)
    return supervisee is not None and can_see(ctx, supervisee)


def may_record_outcome(ctx: ChatContext, row: SupervisionSession) -> bool:
    """Mark held and share the record: the supervisor (or an admin)."""
    return ctx.is_admin or row.supervisor_id == ctx.asker.id


def may_sign(ctx: ChatContext, row: SupervisionSession) -> bool:
    """Only the supervisee signs their own record."""
    return row.supervisee_id == ctx.asker.id
