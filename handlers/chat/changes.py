"""Rearranging and cancelling sessions: deadlines from the policy, clashes refused."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import local_date, local_instant, zone
from handlers.chat import access, diary
from handlers.chat.booking import check_instant, unclear
from handlers.chat.common import fmt_day, fmt_when, resolve_person
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Button, Form, FormField, Reply
from storage import chat_queries as q
from storage.models import SupervisionSession

NO_SESSION = (
    'You have no upcoming session to change. Say "book supervision with NAME on DAY at TIME".'
)


def target_session(ctx: ChatContext, req: ChatRequest) -> SupervisionSession | Reply:
    """The session a message means: its number, else the next one (with NAME)."""
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
    """Move `row` to `at`; refused on a clash, warned when later than the policy allows."""
    if not access.may_manage_session(ctx, row):
        return access.refusal()
    problem = check_instant(ctx, at)
    if problem:
        return Reply(text=problem)
    if row.held_at is not None or (row.cancelled_at and row.cancel_reason != "rearranged"):
        return Reply(text=f"Session #{row.id} is already {'held' if row.held_at else 'cancelled'}.")
    people = [row.supervisee_id, row.supervisor_id or ""]
    if row.cancelled_at is None:
        clashing = diary.clash(ctx, people, at, ignore_id=row.id)
        if clashing is not None:
            return Reply(text=diary.clash_text(ctx, clashing, people, at))
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


def rearrange(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Move your next session (or the one with NAME) to a new day and time, or by a week."""
    row = target_session(ctx, req)
    if isinstance(row, Reply):
        return row
    when = req.args.get("when")
    shift = req.args.get("shift_days")
    if not isinstance(when, datetime) and isinstance(shift, int):
        tz = ctx.asker.timezone
        local = row.scheduled_at.astimezone(zone(tz))
        when = local_instant(local.date() + timedelta(days=shift), local.time(), tz)
    if isinstance(when, datetime):
        return do_rearrange(ctx, row, when)
    return unclear(req, rearrange_form(ctx, row))


def cancel(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Cancel your next session (or the one with NAME), giving a reason."""
    row = target_session(ctx, req)
    if isinstance(row, Reply):
        return row
    return do_cancel(ctx, row, str(req.args.get("reason") or ""))
