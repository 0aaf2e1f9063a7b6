"""Booking, rearranging and cancelling sessions, by message or by form."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from bot.clock import local_date, local_instant
from handlers.chat import access
from handlers.chat.common import fmt_when, resolve_person
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Button, Form, FormField, Reply
from storage import chat_queries as q
from storage.models import Person, SupervisionSession

NO_SESSION = (
    'You have no upcoming session to change. Say "book supervision with NAME on DAY at TIME".'
)


def _supervisee_for(ctx: ChatContext, name: str | None) -> Person | Reply | None:
    """Whom a booking is for: a named visible person (their supervisor named: the asker)."""
    if not name:
        return (
            ctx.asker
            if ctx.asker.supervisor_id and not q.supervisees_of(ctx.session, ctx.asker.id)
            else None
        )
    found = resolve_person(ctx, name, access.visible_ids(ctx))
    if isinstance(found, Reply):
        return found
    if found.id == ctx.asker.supervisor_id or found.id == ctx.asker.id:
        return ctx.asker
    return found if access.can_see(ctx, found) else access.refusal()


def _check_instant(ctx: ChatContext, at: datetime) -> str | None:
    if at <= ctx.now:
        return "That time has already passed; please choose a time in the future."
    day = local_date(at, ctx.asker.timezone)
    if not ctx.pack.calendar().is_working_day(day):
        return f"{day.strftime('%a %-d %b %Y')} is not a working day; please choose another day."
    return None


def book_form(ctx: ChatContext, supervisee_id: str = "", day: date | None = None) -> Reply:
    """A form to book a session with one of the people the asker may book for."""
    people = q.supervisees_of(ctx.session, ctx.asker.id)
    if ctx.asker.supervisor_id:
        people = [ctx.asker, *people]
    choices = tuple(
        (p.id, "Me (with my supervisor)" if p.id == ctx.asker.id else p.name) for p in people[:100]
    )
    if supervisee_id and supervisee_id not in {c[0] for c in choices}:
        target = q.get_person(ctx.session, supervisee_id)
        if target is None or not access.can_see(ctx, target):
            return access.refusal()
        choices = ((target.id, target.name), *choices)
    if not choices:
        return Reply(text="You have no one to book supervision for.")
    fields = (
        FormField(
            "supervisee",
            "Supervisee",
            "choice",
            choices=choices,
            initial=supervisee_id or choices[0][0],
        ),
        FormField("date", "Date", "date", initial=day.isoformat() if day else None),
        FormField("time", "Start time", "time", initial="10:00"),
    )
    return Reply(
        text="Book a supervision session:",
        form=Form("Book supervision", "book_submit", fields, submit_label="Book"),
    )


def _book(ctx: ChatContext, supervisee: Person, at: datetime) -> Reply:
    problem = _check_instant(ctx, at)
    if problem:
        return Reply(text=problem)
    if not supervisee.supervisor_id:
        return Reply(text=f"No supervisor is recorded for {supervisee.name}; ask your admin.")
    result = q.book_session(
        ctx.session,
        supervisee_id=supervisee.id,
        supervisor_id=supervisee.supervisor_id,
        at=at,
        booked_at=ctx.now,
    )
    row = result.session
    other_id = row.supervisor_id if supervisee.id == ctx.asker.id else supervisee.id
    other = q.get_person(ctx.session, other_id) if other_id else None
    with_whom = f" with {other.name}" if other else ""
    when = fmt_when(row.scheduled_at, ctx.asker.timezone)
    if not result.changed:
        return Reply(text=f"That session{with_whom} on {when} was already booked (#{row.id}).")
    return Reply(
        text=f"Booked: supervision{with_whom} on {when} (session #{row.id}).",
        buttons=[
            Button("Rearrange", "session_rearrange", str(row.id)),
            Button("Cancel", "session_cancel", str(row.id), "danger"),
        ],
    )


def book(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Book a session, e.g. "book supervision with Sam on Tuesday at 2pm"."""
    supervisee = _supervisee_for(ctx, req.args.get("person"))
    if isinstance(supervisee, Reply):
        return supervisee
    when = req.args.get("when")
    if supervisee is None or not isinstance(when, datetime):
        day = req.args.get("day")
        form = book_form(
            ctx, supervisee.id if supervisee else "", day if isinstance(day, date) else None
        )
        return _unclear(req, form)
    return _book(ctx, supervisee, when)


def _unclear(req: ChatRequest, form: Reply) -> Reply:
    if req.args.get("date_unclear") and form.form is not None:
        form.text = "I couldn't find that date in the calendar (or it has passed). " + form.text
    return form


def _target_session(ctx: ChatContext, req: ChatRequest) -> SupervisionSession | Reply:
    sid = req.args.get("session_id")
    if sid is not None:
        row = q.get_session(ctx.session, int(sid))
        if row is None or not access.may_manage_session(ctx, row):
            return access.refusal()
        return row
    rows = q.upcoming_sessions(ctx.session, ctx.asker.id, ctx.now)
    name = req.args.get("person")
    if name:
        ids = sorted({r.supervisee_id for r in rows} | {r.supervisor_id or "" for r in rows})
        person = resolve_person(ctx, str(name), ids)
        if isinstance(person, Reply):
            return Reply(text=f"You have no upcoming session with {name}.")
        rows = [r for r in rows if person.id in (r.supervisee_id, r.supervisor_id)]
    return rows[0] if rows else Reply(text=NO_SESSION)


def rearrange_form(ctx: ChatContext, row: SupervisionSession) -> Reply:
    if not access.may_manage_session(ctx, row):
        return access.refusal()
    fields = (
        FormField("date", "New date", "date"),
        FormField("time", "New start time", "time", initial="10:00"),
    )
    return Reply(
        text=f"Rearrange session #{row.id} ({fmt_when(row.scheduled_at, ctx.asker.timezone)}):",
        form=Form(
            "Rearrange session",
            "rearrange_submit",
            fields,
            value=str(row.id),
            submit_label="Rearrange",
        ),
    )


def cancel_form(ctx: ChatContext, row: SupervisionSession) -> Reply:
    if not access.may_manage_session(ctx, row):
        return access.refusal()
    fields = (
        FormField("reason", "Reason", "multiline", hint="e.g. sickness, court, annual leave"),
    )
    return Reply(
        text=f"Cancel session #{row.id} ({fmt_when(row.scheduled_at, ctx.asker.timezone)}):",
        form=Form(
            "Cancel session",
            "cancel_submit",
            fields,
            value=str(row.id),
            submit_label="Cancel session",
        ),
    )


def do_rearrange(ctx: ChatContext, row: SupervisionSession, at: datetime) -> Reply:
    if not access.may_manage_session(ctx, row):
        return access.refusal()
    problem = _check_instant(ctx, at)
    if problem:
        return Reply(text=problem)
    if row.held_at is not None or (row.cancelled_at and row.cancel_reason != "rearranged"):
        return Reply(text=f"Session #{row.id} is already {'held' if row.held_at else 'cancelled'}.")
    result = q.rearrange_session(ctx.session, row, at, ctx.now)
    new = result.session
    verb = "Rearranged" if result.changed else "Already rearranged"
    return Reply(
        text=f"{verb}: session #{row.id} moved to {fmt_when(new.scheduled_at, ctx.asker.timezone)} "
        f"(now session #{new.id})."
    )


def do_cancel(ctx: ChatContext, row: SupervisionSession, reason: str) -> Reply:
    if not access.may_manage_session(ctx, row):
        return access.refusal()
    if not reason.strip():
        return cancel_form(ctx, row)
    result = q.cancel_session(ctx.session, row, reason.strip(), ctx.now)
    if not result.changed:
        return Reply(
            text=f"Session #{row.id} was already {'held' if row.held_at else 'cancelled'}."
        )
    n = ctx.pack.rearranging.within_working_days
    return Reply(
        text=f"Cancelled session #{row.id} ({fmt_when(row.scheduled_at, ctx.asker.timezone)}): "
        f"{reason.strip()}. The policy asks for it to be rearranged within {n} working days.",
        buttons=[Button("Book a new date", "book_open", row.supervisee_id, "primary")],
    )


def rearrange(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Move your next session (or the one with NAME) to a new day and time."""
    row = _target_session(ctx, req)
    if isinstance(row, Reply):
        return row
    when = req.args.get("when")
    if isinstance(when, datetime):
        return do_rearrange(ctx, row, when)
    return _unclear(req, rearrange_form(ctx, row))


def cancel(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Cancel your next session (or the one with NAME), giving a reason."""
    row = _target_session(ctx, req)
    if isinstance(row, Reply):
        return row
    return do_cancel(ctx, row, str(req.args.get("reason") or ""))


def form_instant(ctx: ChatContext, fields: dict[str, Any]) -> datetime | Reply:
    """The instant a form's date and time fields name, in the asker's timezone."""
    try:
        day = date.fromisoformat(str(fields.get("date") or ""))
        at = time.fromisoformat(str(fields.get("time") or ""))
    except ValueError:
        return Reply(text="Please give a date (YYYY-MM-DD) and a start time (HH:MM).")
    return local_instant(day, at, ctx.asker.timezone)


def book_submit(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    at = form_instant(ctx, fields)
    if isinstance(at, Reply):
        return at
    target = q.get_person(ctx.session, str(fields.get("supervisee") or ""))
    if target is None or not access.can_see(ctx, target):
        return access.refusal()
    return _book(ctx, target, at)
