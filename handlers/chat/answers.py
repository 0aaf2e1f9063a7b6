"""Answers about one person's supervision: when it is due, whether it is overdue, who supervises."""

from __future__ import annotations

from handlers.chat import access
from handlers.chat.common import cite, fmt_day, fmt_when, subject, upper_first, you_or
from handlers.chat.diary import absence_note, assumed_note
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Button, Citation, Fact, Reply
from handlers.status import status_of
from policy.engine import PolicyError, cadence_on
from storage import chat_queries as q
from storage.models import Person


def _status_reply(ctx: ChatContext, person: Person, *, focus: str) -> Reply:
    st = status_of(ctx.session, ctx.pack, person.id, ctx.now)
    who = you_or(ctx, person)
    whose = you_or(ctx, person, possessive=True)
    if st is None or st.due is None:
        return Reply(
            text=f"The {ctx.pack.name} policy sets no supervision cadence for {whose} role, "
            "so nothing is due."
        )
    due = st.due
    facts = [
        Fact("Next due", fmt_day(st.next_due)),
        Fact("Cadence", f"{due.cadence.label} ({due.cadence.phase})"),
        Fact("Last held", fmt_day(st.last_held)),
        Fact("Next booked", fmt_when(st.next_session, person.timezone)),
    ]
    if focus == "overdue":
        if st.overdue:
            text = f"Yes: {whose} supervision was due by {fmt_day(st.next_due)} and is overdue."
        else:
            text = f"No, {who} {'are' if who == 'you' else 'is'} not overdue: the next "
            text += f"supervision is due by {fmt_day(st.next_due)}."
    else:
        text = f"{upper_first(whose)} next supervision is due by {fmt_day(st.next_due)}"
        text += " (overdue)." if st.overdue else "."
    if st.next_session is not None:
        text += f" Next session booked: {fmt_when(st.next_session, ctx.asker.timezone)}."
    text += assumed_note(due.cadence)
    buttons = []
    if st.next_session is None and person.supervisor_id:
        buttons.append(Button("Book a session", "book_open", person.id, "primary"))
    return Reply(text=text, facts=facts, buttons=buttons, citations=[cite(due.citation)])


def next_due(ctx: ChatContext, req: ChatRequest) -> Reply:
    """When your next supervision is due (or that of someone you supervise or manage)."""
    person = subject(ctx, req)
    return person if isinstance(person, Reply) else _status_reply(ctx, person, focus="due")


def am_i_overdue(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Whether your supervision (or a supervisee's) is overdue."""
    person = subject(ctx, req)
    return person if isinstance(person, Reply) else _status_reply(ctx, person, focus="overdue")


def next_session(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Your next booked supervision sessions, with buttons to rearrange or cancel."""
    person = subject(ctx, req, with_supervisor=True)
    if isinstance(person, Reply):
        return person
    rows = q.upcoming_sessions(ctx.session, person.id, ctx.now, limit=5)
    away, away_cite = _supervisor_away(ctx, person)
    whose = you_or(ctx, person, possessive=True)
    if not rows:
        return Reply(
            text=f'There is no session booked in {whose} diary. Say "book supervision with '
            'NAME on DAY at TIME" to book one.' + away,
            buttons=[Button("Book a session", "book_open", person.id, "primary")],
            citations=away_cite,
        )
    first = rows[0]
    other_id = first.supervisor_id if first.supervisee_id == person.id else first.supervisee_id
    other = q.get_person(ctx.session, other_id) if other_id else None
    text = (
        f"{upper_first(whose)} next session is {fmt_when(first.scheduled_at, ctx.asker.timezone)}"
    )
    text += f" with {other.name}." if other else "."
    text += away
    facts = [Fact(f"Session #{r.id}", fmt_when(r.scheduled_at, ctx.asker.timezone)) for r in rows]
    buttons = []
    if access.may_manage_session(ctx, first):
        buttons = [
            Button("Rearrange", "session_rearrange", str(first.id)),
            Button("Cancel", "session_cancel", str(first.id), "danger"),
        ]
    if first.supervisor_id == ctx.asker.id and first.prep_shared_at is not None:
        buttons.append(Button("Read shared preparation", "prep_read", str(first.id)))
    return Reply(text=text, facts=facts, buttons=buttons, citations=away_cite)


def _supervisor_away(ctx: ChatContext, person: Person) -> tuple[str, list[Citation]]:
    """A note when the person's supervisor is absent today (only for their own questions)."""
    if person.id != ctx.asker.id or not person.supervisor_id:
        return "", []
    sup = q.get_person(ctx.session, person.supervisor_id)
    if sup is None:
        return "", []
    text, citation = absence_note(ctx, sup)
    return text, [cite(citation)] if citation is not None else []


def my_supervisor(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Who supervises you, and who their line manager is."""
    person = subject(ctx, req)
    if isinstance(person, Reply):
        return person
    whose = you_or(ctx, person, possessive=True)
    if not person.supervisor_id:
        return Reply(text=f"No supervisor is recorded for {whose} role. Please ask your admin.")
    sup = q.get_person(ctx.session, person.supervisor_id)
    if sup is None:
        return Reply(text="Your supervisor's record is missing. Please ask your admin.")
    facts = [Fact("Supervisor", sup.name)]
    if sup.email:
        facts.append(Fact("Email", sup.email))
    manager = q.get_person(ctx.session, sup.supervisor_id) if sup.supervisor_id else None
    text = f"{upper_first(whose)} supervisor is {sup.name}."
    if manager:
        facts.append(Fact("Their line manager", manager.name))
        text += f" Their line manager is {manager.name}."
    away, away_cite = _supervisor_away(ctx, person)
    return Reply(text=text + away, facts=facts, citations=away_cite)


def cadence(ctx: ChatContext, req: ChatRequest) -> Reply:
    """How often you should have supervision, and why (with the policy citation)."""
    person = subject(ctx, req)
    if isinstance(person, Reply):
        return person
    whose = you_or(ctx, person, possessive=True)
    try:
        c = cadence_on(ctx.pack, person.role, person.role_start, ctx.today, person.cadence_override)
    except PolicyError as exc:
        return Reply(text=f"I can't say for {whose} role: {exc}")
    role = ctx.pack.roles.get(person.role)
    title = role.title if role else person.role
    text = (
        f"Under the {ctx.pack.title}, {whose} supervision as {title} should be "
        f"{c.label} ({c.phase})."
    )
    if c.assumed:
        text += assumed_note(c) + (
            f" (Nearest policy text: {c.citation.document}, {c.citation.where()}: "
            f'"{c.citation.quote}")'
        )
    else:
        text += f' Why: {c.citation.document}, {c.citation.where()}, says "{c.citation.quote}"'

    if person.cadence_override_reason and c.override:
        text += f" Reason for the personal arrangement: {person.cadence_override_reason}"
    citations = [cite(c.citation)]
    topic = str(req.args.get("topic") or "").strip()
    if topic:
        for ref in ctx.pack.why(topic)[:3]:
            words = set(topic.lower().split())
            if ref.citation != c.citation and words & set(ref.summary.lower().split()):
                citations.append(cite(ref.citation))
                text += f"\n• {ref.summary}"
    return Reply(
        text=text, facts=[Fact("Cadence", c.label), Fact("Rule", c.rule_id)], citations=citations
    )
