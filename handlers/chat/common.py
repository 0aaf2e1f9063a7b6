"""Shared pieces of the chat handlers: formatting, naming the subject person, citations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from bot.clock import zone
from handlers.chat import access
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Citation, Reply
from storage import chat_queries as q
from storage.models import Person, SupervisionSession


def fmt_day(d: date | None) -> str:
    return d.strftime("%a %-d %b %Y") if d else "none yet"


def fmt_when(at: datetime | None, tz_name: str) -> str:
    if at is None:
        return "none booked"
    return at.astimezone(zone(tz_name)).strftime("%a %-d %b %Y, %H:%M")


def cite(c: Any) -> Citation:
    """A reply citation from a policy citation."""
    return Citation(document=str(c.document), section=str(c.where()), quote=str(c.quote))


def you_or(ctx: ChatContext, person: Person, *, possessive: bool = False) -> str:
    if person.id == ctx.asker.id:
        return "your" if possessive else "you"
    return f"{person.name}'s" if possessive else person.name


def resolve_person(ctx: ChatContext, name: str, among: list[str] | None) -> Person | Reply:
    """The one visible person called `name`, or a reply asking which / refusing politely."""
    matches = q.people_named(ctx.session, name, among)
    if not matches:
        return access.refusal()
    if len(matches) > 1:
        names = ", ".join(f"{p.name} ({p.team})" if p.team else p.name for p in matches[:10])
        return Reply(text=f"I know more than one {name}: {names}. Which one? Use their full name.")
    return matches[0]


def with_id(value: str, then: Callable[[int], Reply], gone: str = "That item") -> Reply:
    """`then(n)` for a button's numeric value, else a polite reply that it no longer exists."""
    try:
        n = int(value)
    except ValueError:
        return Reply(text=f"{gone} no longer exists.", ephemeral=True)
    return then(n)


def upper_first(text: str) -> str:
    """Upper-case only the first character ("your", "Jo McDonald's" keep their other capitals)."""
    return text[:1].upper() + text[1:]


def subject(ctx: ChatContext, req: ChatRequest, *, with_supervisor: bool = False) -> Person | Reply:
    """The person the question is about: the named one if visible to the asker, else the asker.

    Naming one's own supervisor as the other person ("my next session with Sam", "when do I
    next see Sam"; any mention when `with_supervisor`) means oneself.
    """
    name = req.args.get("person")
    if not name:
        return ctx.asker
    found = resolve_person(ctx, str(name), access.visible_ids(ctx))
    if isinstance(found, Reply):
        return found
    if found.id == ctx.asker.supervisor_id and (with_supervisor or req.args.get("with_person")):
        return ctx.asker
    if not access.can_see(ctx, found):
        return access.refusal()
    return found


def session_line(ctx: ChatContext, row: SupervisionSession) -> tuple[str, ...]:
    """One table row for a session: when, supervisee, supervisor."""
    people = {
        pid: q.get_person(ctx.session, pid) for pid in (row.supervisee_id, row.supervisor_id) if pid
    }
    supervisee = people.get(row.supervisee_id)
    supervisor = people.get(row.supervisor_id) if row.supervisor_id else None
    return (
        f"#{row.id}",
        fmt_when(row.scheduled_at, ctx.asker.timezone),
        supervisee.name if supervisee else row.supervisee_id,
        supervisor.name if supervisor else "-",
    )


def with_whom(ctx: ChatContext, row: SupervisionSession, person_id: str) -> str:
    """The name of the session's other person (from `person_id`'s side), or ''."""
    other_id = row.supervisor_id if row.supervisee_id == person_id else row.supervisee_id
    other = q.get_person(ctx.session, other_id) if other_id else None
    return other.name if other else ""


SESSION_COLUMNS = ("Session", "When", "Supervisee", "Supervisor")
