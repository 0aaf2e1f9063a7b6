"""Booking sessions, by message or by form: working days and hours, no clashes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from bot.clock import LAST_YEAR, MAX_YEARS_AHEAD, local_date, local_instant
from handlers.chat import access, diary
from handlers.chat.common import fmt_day, fmt_when, resolve_person
from handlers.chat.diary import Problem
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Button, Form, FormField, Reply
from storage import chat_queries as q
from storage.models import Person


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


def check_instant(ctx: ChatContext, at: datetime, people: Sequence[str] = ()) -> Problem | None:
    """Why `at` can't be booked (past, not a working day, outside hours, someone away), or None.

    `people`: the session's two people; their working hours and absences count too.
    """
    tz = ctx.asker.timezone
    day = local_date(at, tz)
    if day.year > min(LAST_YEAR, ctx.today.year + MAX_YEARS_AHEAD):
        return Problem(
            "date",
            "far",
            f"{fmt_day(day)} is too far ahead to book; sessions are booked at most "
            f"{MAX_YEARS_AHEAD} years ahead.",
            f"That date is too far ahead (at most {MAX_YEARS_AHEAD} years).",
        )
    if at <= ctx.now:
        earlier_day = day < ctx.today
        return Problem(
            "date" if earlier_day else "time",
            "past",
            "That time has already passed; please choose a time in the future.",
            "That date has passed; please choose a future date."
            if earlier_day
            else "That time has passed; please choose a later time.",
        )
    calendar = ctx.pack.calendar()
    if not calendar.is_working_day(day):
        holiday = calendar.holiday_name(day)
        what = f"a bank holiday ({holiday})" if holiday else "a weekend"
        return Problem(
            "date",
            "closed",
            f"{fmt_day(day)} is {what}, not a working day; please choose another day.",
            f"{fmt_day(day)} is {what}; please choose a working day.",
        )
    return diary.outside_hours(at, tz) or diary.unavailable(ctx, list(people), at)


def book_form(
    ctx: ChatContext, supervisee_id: str = "", day: date | None = None, at: time | None = None
) -> Reply:
    """A form to book a session with one of the people the asker may book for."""
    # Supervisors mostly book for their people: those first (the first is the default), then "Me".
    people = q.supervisees_of(ctx.session, ctx.asker.id)
    if ctx.asker.supervisor_id:
        people = [*people, ctx.asker]
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
        FormField("time", "Start time", "time", initial=f"{at or time(10, 0):%H:%M}"),
    )
    return Reply(
        text="Book a supervision session:",
        form=Form("Book supervision", "book_submit", fields, submit_label="Book"),
    )


def booking_problem(ctx: ChatContext, supervisee: Person, at: datetime) -> Problem | None:
    """Why `supervisee` can't be booked with their supervisor at `at` (None: it can, or it is
    booked already and booking again changes nothing)."""
    if not supervisee.supervisor_id:
        text = f"No supervisor is recorded for {supervisee.name}; ask your admin."
        return Problem("supervisee", "supervisor", text, text)
    people = [supervisee.id, supervisee.supervisor_id]
    problem = check_instant(ctx, at, people)
    if problem is not None:
        return _with_free_slot(ctx, people, at, problem)
    if q.session_at(ctx.session, supervisee.id, at) is not None:
        return None
    return diary.clash_problem(ctx, people, at)


def book_at(ctx: ChatContext, supervisee: Person, at: datetime) -> Reply:
    """Book `supervisee` with their supervisor at `at`, unless it clashes or is out of hours."""
    problem = booking_problem(ctx, supervisee, at)
    if problem is not None:
        return Reply(text=problem.text)
    existing = q.session_at(ctx.session, supervisee.id, at)
    other_id = supervisee.supervisor_id if supervisee.id == ctx.asker.id else supervisee.id
    other = q.get_person(ctx.session, other_id) if other_id else None
    with_whom = f" with {other.name}" if other else ""
    when = fmt_when(at, ctx.asker.timezone)
    if existing is not None:
        return Reply(text=f"That session{with_whom} on {when} was already booked (#{existing.id}).")
    row = q.book_session(
        ctx.session,
        supervisee_id=supervisee.id,
        supervisor_id=supervisee.supervisor_id,
        at=at,
        booked_at=ctx.now,
    ).session
    return Reply(
        text=f"Booked: supervision{with_whom} on {when} (session #{row.id}).",
        buttons=[
            Button("Rearrange", "session_rearrange", str(row.id)),
            Button("Cancel", "session_cancel", str(row.id), "danger"),
        ],
    )


def _with_free_slot(ctx: ChatContext, people: list[str], at: datetime, problem: Problem) -> Problem:
    """After someone's absence, the problem says the next free slot (others need a new time)."""
    if problem.kind != "away":
        return problem
    tz = ctx.asker.timezone
    slot = diary.free_slot(ctx, people, local_date(at, tz), tz, set())
    if slot is None:
        return problem
    return replace(
        problem,
        text=f"{problem.text} The next free slot for both is {fmt_when(slot, tz)}.",
        short=f"{problem.short} Next free slot for both: {fmt_when(slot, tz)}.",
    )


def book(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Book a session, e.g. "book supervision with Sam on Tuesday at 2pm"."""
    supervisee = _supervisee_for(ctx, req.args.get("person"))
    if isinstance(supervisee, Reply):
        return supervisee
    when = req.args.get("when")
    if supervisee is None or not isinstance(when, datetime):
        day = req.args.get("day")
        at = req.args.get("time")
        form = book_form(
            ctx,
            supervisee.id if supervisee else "",
            day if isinstance(day, date) else None,
            at if isinstance(at, time) else None,
        )
        return unclear(req, form)
    return book_at(ctx, supervisee, when)


def unclear(req: ChatRequest, form: Reply) -> Reply:
    """Say why the form is shown when a date was given but not understood, or no day at all."""
    if form.form is None:
        return form
    if req.args.get("date_unclear"):
        problem = req.args.get("date_problem") or "I couldn't find that date in the calendar."
        form.text = f"{problem} Which day do you mean? " + form.text
    elif req.args.get("time") is not None and req.args.get("day") is None:
        form.text = "Which day? " + form.text
    return form


def form_instant(ctx: ChatContext, fields: dict[str, Any]) -> datetime | Problem:
    """The instant a form's date and time fields name, in the asker's timezone."""
    text = "Please give a date (YYYY-MM-DD) and a start time (HH:MM)."
    try:
        day = date.fromisoformat(str(fields.get("date") or ""))
    except ValueError:
        return Problem("date", "form", text, "Please choose a date.")
    try:
        at = time.fromisoformat(str(fields.get("time") or ""))
    except ValueError:
        return Problem("time", "form", text, "Please choose a start time, e.g. 14:00.")
    return local_instant(day, at, ctx.asker.timezone)


def _form_booking(
    ctx: ChatContext, fields: dict[str, Any]
) -> tuple[Person, datetime] | Problem | Reply:
    """The supervisee and instant a booking form names; else what is wrong with the date or
    time, or a refusal (someone the asker may not book for)."""
    at = form_instant(ctx, fields)
    if isinstance(at, Problem):
        return at
    target = q.get_person(ctx.session, str(fields.get("supervisee") or ""))
    if target is None or not access.can_see(ctx, target):
        return access.refusal()
    return target, at


def book_submit(ctx: ChatContext, value: str, fields: dict[str, Any]) -> Reply:
    found = _form_booking(ctx, fields)
    if isinstance(found, Problem):
        return Reply(text=found.text)
    if isinstance(found, Reply):
        return found
    return book_at(ctx, *found)


def book_check(ctx: ChatContext, value: str, fields: dict[str, Any]) -> dict[str, str]:
    """What `book_submit` would refuse, by form field ({}: go ahead); changes nothing.

    A refusal is left to the submission to say.
    """
    found = _form_booking(ctx, fields)
    if isinstance(found, Reply):
        return {}
    problem = found if isinstance(found, Problem) else booking_problem(ctx, *found)
    return problem.by_field() if problem else {}
