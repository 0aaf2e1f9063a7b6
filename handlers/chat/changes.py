"""Rearranging and cancelling sessions: deadlines from the policy, clashes refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from bot.clock import local_date, local_instant, zone
from handlers.chat import access, diary
from handlers.chat.booking import check_instant, unclear
from handlers.chat.common import fmt_day, fmt_when, resolve_person, with_whom
from handlers.chat.diary import Problem
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Button, Form, FormField, Reply
from storage import chat_queries as q
from storage.models import SupervisionSession

MAX_REASON = 300  # characters of a reason carried in a button's value
NO_SESSION = (
    'You have no upcoming session to change. Say "book supervision with NAME on DAY at TIME".'
)


def _on_the_day(
    ctx: ChatContext, req: ChatRequest, rows: list[SupervisionSession]
) -> list[SupervisionSession]:
    """The rows on the day (and at the time) the message names for the existing session."""
    day, at, tz = req.args.get("from_day"), req.args.get("from_time"), ctx.asker.timezone
    if isinstance(day, date):
        rows = [r for r in rows if local_date(r.scheduled_at, tz) == day]
    if isinstance(at, time):
        rows = [r for r in rows if r.scheduled_at.astimezone(zone(tz)).time() == at]
    return rows


def _label(ctx: ChatContext, row: SupervisionSession) -> str:
    other = with_whom(ctx, row, ctx.asker.id)
    return f"#{row.id} {fmt_when(row.scheduled_at, ctx.asker.timezone)}" + (
        f" with {other}" if other else ""
    )


def target_session(
    ctx: ChatContext, req: ChatRequest, choose: Callable[[SupervisionSession], Button]
) -> SupervisionSession | Reply:
    """The session a message means: its number; else the one on the day it names (with NAME);
    else the next one. Several on that day: a question with a `choose` button for each."""
    sid = req.args.get("session_id")
    if sid is not None:
        row = q.get_session(ctx.session, int(sid))
        if row is None or not access.may_manage_session(ctx, row):
            # The same words whether or not it exists: others' sessions stay private.
            return Reply(
                text=f"I can't find session {sid} among the sessions you can change. "
                'Say "what\'s my next session" to see yours.',
                ephemeral=True,
            )
        return row
    if req.args.get("from_problem"):
        return Reply(text=f"{req.args['from_problem']} Which session do you mean?", ok=False)
    rows = q.upcoming_sessions(ctx.session, ctx.asker.id, ctx.now, limit=200)
    name = req.args.get("person")
    with_name = ""
    if name:
        ids = sorted({r.supervisee_id for r in rows} | {r.supervisor_id or "" for r in rows})
        person = resolve_person(ctx, str(name), ids)
        if isinstance(person, Reply):
            return Reply(text=f"You have no upcoming session with {name}.", ok=False)
        rows = [r for r in rows if person.id in (r.supervisee_id, r.supervisor_id)]
        with_name = f" with {person.name}"
    if not rows:
        return Reply(text=NO_SESSION, ok=False)
    day = req.args.get("from_day")
    if not isinstance(day, date):
        return rows[0]
    on_day = _on_the_day(ctx, req, rows)
    if len(on_day) == 1:
        return on_day[0]
    if not on_day:
        soon = "; ".join(_label(ctx, r) for r in rows[:3])
        return Reply(
            text=f"You have no session{with_name} on {fmt_day(day)}, so I haven't changed "
            f"anything. Your upcoming sessions{with_name}: {soon}.",
            buttons=[choose(r) for r in rows[:3]],
            ok=False,
        )
    return Reply(
        text=f"You have {len(on_day)} sessions{with_name} on {fmt_day(day)}. Which one?",
        buttons=[choose(r) for r in on_day[:5]],
    )


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


def _unmovable(ctx: ChatContext, row: SupervisionSession) -> Reply | None:
    """Why `row` can't be rearranged at all (not the asker's to change, held, cancelled)."""
    if not access.may_manage_session(ctx, row):
        return access.refusal()
    if row.held_at is not None or (row.cancelled_at and row.cancel_reason != "rearranged"):
        return Reply(text=f"Session #{row.id} is already {'held' if row.held_at else 'cancelled'}.")
    return None


def rearrange_problem(ctx: ChatContext, row: SupervisionSession, at: datetime) -> Problem | None:
    """Why `row` can't move to `at`: the time doesn't suit, or it clashes (None: it can)."""
    people = [row.supervisee_id, row.supervisor_id or ""]
    problem = check_instant(ctx, at, people)
    if problem is not None or row.cancelled_at is not None:  # already moved: nothing to clash
        return problem
    return diary.clash_problem(ctx, people, at, ignore_id=row.id)


def rearrange_check(ctx: ChatContext, row: SupervisionSession, at: datetime) -> dict[str, str]:
    """What `do_rearrange` would refuse about the new date or time, by form field; no writes.

    A session the asker can't move at all is left to the submission to say.
    """
    problem = None if _unmovable(ctx, row) else rearrange_problem(ctx, row, at)
    return problem.by_field() if problem else {}


def do_rearrange(ctx: ChatContext, row: SupervisionSession, at: datetime) -> Reply:
    """Move `row` to `at`; refused on a clash, warned when later than the policy allows."""
    refused = _unmovable(ctx, row)
    if refused is not None:
        return refused
    problem = rearrange_problem(ctx, row, at)
    if problem is not None:
        return Reply(text=problem.text)
    deadline, _ = diary.rearrange_deadline(ctx, row)
    result = q.rearrange_session(ctx.session, row, at, ctx.now)
    new = result.session
    verb = "Rearranged" if result.changed else "Already rearranged"
    text = (
        f"{verb}: session #{row.id} moved to {fmt_when(new.scheduled_at, ctx.asker.timezone)} "
        f"(now session #{new.id})."
    )
    if local_date(at, ctx.asker.timezone) > deadline.date:
        text += (
            f" Note: that is after {fmt_day(deadline.date)}, the latest date the policy allows "
            "for a rearranged session." + diary.assumed_note(ctx.pack.rearranging)
        )
    return Reply(text=text)


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
    _, by = diary.rearrange_deadline(ctx, row)
    return Reply(
        text=f"Cancelled session #{row.id} ({fmt_when(row.scheduled_at, ctx.asker.timezone)}): "
        f"{reason.strip()}. {by}",
        buttons=[Button("Book a new date", "book_open", row.supervisee_id, "primary")],
    )


def _new_time(ctx: ChatContext, req: ChatRequest, row: SupervisionSession) -> datetime | None:
    """The new start: as given; a day alone keeps the time, a time alone keeps the day."""
    when = req.args.get("when")
    if isinstance(when, datetime):
        return when
    if req.args.get("date_unclear"):
        return None
    tz = ctx.asker.timezone
    local = row.scheduled_at.astimezone(zone(tz))
    day, at, shift = req.args.get("day"), req.args.get("time"), req.args.get("shift_days")
    if isinstance(day, date):
        return local_instant(day, local.time(), tz)
    if isinstance(at, time):
        return local_instant(local.date(), at, tz)
    if isinstance(shift, int):
        return local_instant(local.date() + timedelta(days=shift), local.time(), tz)
    return None


def rearrange(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Move your next session (or the one on DAY, or with NAME) to a new day and time."""

    def choose(r: SupervisionSession) -> Button:
        at = _new_time(ctx, req, r)
        if at is None:
            return Button(_label(ctx, r)[:75], "session_rearrange", str(r.id))
        local = at.astimezone(zone(ctx.asker.timezone)).strftime("%Y-%m-%dT%H:%M")
        return Button(_label(ctx, r)[:75], "rearrange_to", f"{r.id}|{local}")

    row = target_session(ctx, req, choose)
    if isinstance(row, Reply):
        return row
    when = _new_time(ctx, req, row)
    if when is not None:
        return do_rearrange(ctx, row, when)
    return unclear(req, rearrange_form(ctx, row))


def confirm_cancel(ctx: ChatContext, row: SupervisionSession, reason: str) -> Reply:
    """Ask before cancelling from a message: the buttons carry the session and the reason."""
    if not access.may_manage_session(ctx, row):
        return access.refusal()
    if row.held_at is not None or row.cancelled_at is not None:
        return Reply(text=f"Session #{row.id} is already {'held' if row.held_at else 'cancelled'}.")
    other = with_whom(ctx, row, ctx.asker.id)
    text = (
        f"Cancel session #{row.id} on {fmt_when(row.scheduled_at, ctx.asker.timezone)}"
        + (f" with {other}" if other else "")
        + f"? Reason: {reason.strip()}."
    )
    return Reply(
        text=text,
        buttons=[
            Button(
                "Confirm", "cancel_confirm", f"{row.id}|{reason.strip()[:MAX_REASON]}", "danger"
            ),
            Button("Keep", "cancel_keep", str(row.id)),
        ],
    )


def keep(ctx: ChatContext, row: SupervisionSession) -> Reply:
    """The "Keep" answer to a cancel question: nothing changes."""
    if not access.may_manage_session(ctx, row):
        return access.refusal()
    return Reply(text=f"Kept: session {_label(ctx, row)} is still on. Nothing changed.")


def cancel(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Cancel your next session (or the one on DAY, or with NAME), giving a reason; I ask first."""
    reason = str(req.args.get("reason") or "").strip()

    def choose(r: SupervisionSession) -> Button:
        if reason:
            return Button(_label(ctx, r)[:75], "cancel_confirm", f"{r.id}|{reason[:MAX_REASON]}")
        return Button(_label(ctx, r)[:75], "session_cancel", str(r.id))

    row = target_session(ctx, req, choose)
    if isinstance(row, Reply):
        return row
    return confirm_cancel(ctx, row, reason) if reason else cancel_form(ctx, row)
