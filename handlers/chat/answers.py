"""Answers about one person's supervision: when it is due, whether it is overdue, who supervises."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.clock import local_date
from handlers.chat import access
from handlers.chat.common import cite, fmt_day, fmt_when, subject, upper_first, with_whom, you_or
from handlers.chat.diary import absence_note, assumed_note
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Button, Citation, Fact, Reply, Table
from handlers.status import status_of
from policy.duties import applying_to
from policy.engine import Cadence, PolicyError, cadence_on, override_on
from storage import chat_diary as d
from storage import chat_queries as q
from storage.models import Person, SupervisionSession
from storage.roles import role_held

_COLUMNS = ("Session", "When", "With")
_STOP_WORDS = {
    *("i", "me", "my", "we", "our", "you", "it", "is", "are", "do", "does", "get", "have", "a"),
    *("an", "the", "so", "that", "this", "of", "for", "to", "in", "on", "be", "why", "should"),
    *("supervision", "supervised", "sessions", "session", "am", "was", "and", "or", "only"),
}
AWAY_WORDS = re.compile(
    r"\b(?:leave|away|off|absent|holiday|sick|in today|around|available)\b", re.I
)
LOOK_AHEAD_DAYS = 28  # how far ahead "is my supervisor on leave?" looks for an absence


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
        Fact("Next booked", fmt_when(st.next_session, ctx.asker.timezone)),
    ]
    # The due date follows the cadence in force at the last session; say so when a new
    # phase has begun since (a newly qualified worker's weekly weeks ending, say).
    _, now = _cadence_today(ctx, person)
    shown = (due.cadence.label, due.cadence.phase)
    if isinstance(now, Cadence) and (now.label, now.phase) != shown:
        facts.insert(2, Fact("Cadence from now on", f"{now.label} ({now.phase})"))
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


def _cadence_today(ctx: ChatContext, person: Person) -> tuple[str, Cadence | PolicyError]:
    """The role `person` holds on their today, and the cadence then in force (or why the
    policy gives none)."""
    today = ctx.today_of(person)
    held, since = role_held(ctx.session, person, today)
    override = override_on(person.cadence_override, person.cadence_override_since, today)
    try:
        return held, cadence_on(ctx.pack, held, since, today, override)
    except PolicyError as exc:
        return held, exc


def next_due(ctx: ChatContext, req: ChatRequest) -> Reply:
    """When your next supervision is due (or that of someone you supervise or manage)."""
    person = subject(ctx, req)
    return person if isinstance(person, Reply) else _status_reply(ctx, person, focus="due")


def am_i_overdue(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Whether your supervision (or a supervisee's) is overdue."""
    person = subject(ctx, req)
    return person if isinstance(person, Reply) else _status_reply(ctx, person, focus="overdue")


KEPT = "OK, I haven't cancelled anything. "
ASKED_CANCELLED = (
    "I can't show why a past session was cancelled; whoever cancelled it gave the reason "
    "then, so please ask them. "
)


def _session_rows(
    ctx: ChatContext, person: Person, rows: list[SupervisionSession]
) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (f"#{r.id}", fmt_when(r.scheduled_at, ctx.asker.timezone), with_whom(ctx, r, person.id))
        for r in rows
    )


def next_session(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Your next booked supervision sessions, with buttons to rearrange or cancel."""
    person = subject(ctx, req, with_supervisor=True)
    if isinstance(person, Reply):
        return person
    rows = q.upcoming_sessions(ctx.session, person.id, ctx.now, limit=200)
    prefix = KEPT if req.args.get("kept") else ""
    prefix = ASKED_CANCELLED if req.args.get("asked_cancelled") else prefix
    day = req.args.get("from_day")
    tz = ctx.asker.timezone
    if isinstance(day, date):
        on_day = [r for r in rows if local_date(r.scheduled_at, tz) == day]
        if not on_day:
            prefix += f"{upper_first(you_or(ctx, person))} {_have(ctx, person)} no session on "
            prefix += f"{fmt_day(day)}. "
        rows = on_day or rows
    away, away_cite = _supervisor_away(ctx, person)
    whose = you_or(ctx, person, possessive=True)
    if not rows:
        return Reply(
            text=prefix + f'There is no session booked in {whose} diary. Say "book supervision '
            'with NAME on DAY at TIME" to book one.' + away,
            buttons=[Button("Book a session", "book_open", person.id, "primary")],
            citations=away_cite,
        )
    own = [r for r in rows if r.supervisee_id == person.id][:3]
    lead = [r for r in rows if r.supervisee_id != person.id][:5]
    first = rows[0]
    parts = []
    if own:
        other = with_whom(ctx, own[0], person.id)
        label = "own next supervision" if lead else "next session"
        parts.append(
            f"{upper_first(whose)} {label} is {fmt_when(own[0].scheduled_at, tz)}"
            + (f" with {other}." if other else ".")
        )
    if lead:
        other = with_whom(ctx, lead[0], person.id)
        start = "The next session" if own else f"{upper_first(whose)} next session"
        lead_word = f" {you_or(ctx, person)} lead" if own else ""
        parts.append(
            f"{start}{lead_word} is {fmt_when(lead[0].scheduled_at, tz)}"
            + (f" with {other}." if other else ".")
        )
    text = prefix + " ".join(parts) + away
    tables = []
    if own:
        tables.append(
            Table(
                _COLUMNS, _session_rows(ctx, person, own), f"{upper_first(whose)} own supervision"
            )
        )
    if lead:
        tables.append(
            Table(
                _COLUMNS,
                _session_rows(ctx, person, lead),
                "Sessions " + ("you lead" if person.id == ctx.asker.id else f"{person.name} leads"),
            )
        )
    buttons = []
    if access.may_manage_session(ctx, first):
        buttons = [
            Button("Rearrange", "session_rearrange", str(first.id)),
            Button("Cancel", "session_cancel", str(first.id), "danger"),
        ]
    if first.supervisor_id == ctx.asker.id and first.prep_shared_at is not None:
        buttons.append(Button("Read shared preparation", "prep_read", str(first.id)))
    return Reply(text=text, tables=tables, buttons=buttons, citations=away_cite)


def _have(ctx: ChatContext, person: Person) -> str:
    return "have" if person.id == ctx.asker.id else "has"


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
    if not away and AWAY_WORDS.search(req.text):
        away = _coming_absence(ctx, sup)
    return Reply(text=text + away, facts=facts, citations=away_cite)


def _coming_absence(ctx: ChatContext, person: Person) -> str:
    """Whether `person` is away today, else their next recorded absence within a few weeks."""
    for offset in range(LOOK_AHEAD_DAYS):
        day = ctx.today_of(person) + timedelta(days=offset)
        absence = d.absence_on(ctx.session, person.id, day)
        if absence is not None:
            return (
                f" {person.name} is not away today, but is away from {fmt_day(absence.first_day)} "
                f"to {fmt_day(absence.last_day)}."
            )
    return f" {person.name} has no absence recorded today or in the next {LOOK_AHEAD_DAYS} days."


def cadence(ctx: ChatContext, req: ChatRequest) -> Reply:
    """How often you should have supervision, and why (with the policy citation)."""
    person = subject(ctx, req)
    if isinstance(person, Reply):
        return person
    whose = you_or(ctx, person, possessive=True)
    held, c = _cadence_today(ctx, person)
    if isinstance(c, PolicyError):
        return Reply(text=f"I can't say for {whose} role: {c}")
    role = ctx.pack.roles.get(held)
    title = role.title if role else held
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
    words = {w.strip("?.,!") for w in topic.lower().split()} - _STOP_WORDS
    if words:
        theirs = {ref.rule_id for ref in applying_to(ctx.pack, held)}
        shown = 0
        for ref in ctx.pack.why(topic):
            if shown == 3:
                break
            if ref.rule_id not in theirs or ref.citation == c.citation:
                continue  # only the rules of this person's role, once each
            if words & set(ref.summary.lower().split()):
                citations.append(cite(ref.citation))
                text += f"\n• {ref.summary}"
                shown += 1
    return Reply(text=text, facts=[Fact("Cadence", c.label)], citations=citations)
