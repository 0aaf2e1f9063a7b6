"""Before and after each booked session: reminders (with the preparation prompt) and the
outcome check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from bot.clock import local_date
from handlers.reminders.candidate import (
    ACTION_OPEN_PREP,
    ACTION_SESSION_CANCEL,
    ACTION_SESSION_HELD,
    SESSION_OUTCOME_CHECK,
    SESSION_REMINDER,
    Candidate,
    end_of_day,
    fmt_day,
    fmt_when,
    morning,
    reminder_key,
)
from handlers.reminders.context import PersonContext, PlanParams
from handlers.reminders.windows import rearrange_window_close
from handlers.replies import Button, Fact, Reply
from policy.calendar import WorkingCalendar
from policy.engine import PolicyPack
from storage.known import KnownPerson, KnownSession


def session_reminders(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`session_reminder` to supervisee and supervisor before each pending session.

    The supervisee's earliest reminder actually planned carries the preparation prompt:
    the last record, open actions, and a "Prepare" button (`open_prep`, value = session
    id). A reminder whose moment came before the booking was known is never planned (so
    for a late booking the prompt moves to the next reminder).
    """
    for s in ctx.sessions:
        if not s.pending:
            continue
        supervisor = ctx.who(s.supervisor_id) or ctx.supervisor
        planned: list[tuple[datetime, KnownPerson]] = []
        for rule in pack.reminders.session:
            for recipient in (ctx.person, supervisor):
                if recipient is None:
                    continue
                tz = recipient.timezone
                if rule.hours_before is not None:
                    due = s.scheduled_at - timedelta(hours=rule.hours_before)
                else:
                    day = local_date(s.scheduled_at, tz)
                    day = cal.subtract_working_days(day, rule.working_days_before or 0)
                    due = morning(day, tz, rule.at) if rule.at else morning(day, tz)
                if s.booked_at <= due < s.scheduled_at:
                    planned.append((due, recipient))
        # Chosen from the facts, never from the pass's window, so it does not move.
        mine = [due for due, r in planned if r.id == ctx.person.id]
        first = min(mine) if mine else None
        for due, recipient in planned:
            if not params.wants(due):
                continue
            prep = recipient.id == ctx.person.id and due == first
            yield Candidate(
                key=reminder_key(SESSION_REMINDER, recipient.id, f"s{s.id}", due),
                kind=SESSION_REMINDER,
                recipient_id=recipient.id,
                about_id=ctx.person.id,
                due_at=due,
                session_id=s.id,
                session_at=s.scheduled_at,
                useful_until=s.scheduled_at,
                reply=_reminder_reply(ctx, s, recipient, supervisor, prep),
            )


def _reminder_reply(
    ctx: PersonContext, s: KnownSession, to: KnownPerson, supervisor: KnownPerson | None, prep: bool
) -> Reply:
    when = fmt_when(s.scheduled_at, to.timezone)
    if to.id == ctx.person.id:
        other = f" with {supervisor.name}" if supervisor else ""
        text = f"Reminder: your supervision{other} is on {when}."
    else:
        text = f"Reminder: you are supervising {ctx.person.name} on {when}."
    facts = [Fact("Session", when), Fact("Length", f"{s.duration_minutes} minutes")]
    buttons: list[Button] = []
    if prep:
        last = _last_held(ctx, s)
        text += (
            " To prepare: look back at the record and actions of your last session, and take"
            " a few minutes with the reflective questions (press Prepare)."
        )
        if last is not None:
            facts.append(Fact("Last session", fmt_day(local_date(last.scheduled_at, to.timezone))))
        for a in sorted(ctx.actions, key=lambda a: a.due_on):
            owner = ctx.who(a.owner_id)
            facts.append(
                Fact(
                    "Open action",
                    f"{a.text} ({owner.name if owner else a.owner_id}, due {fmt_day(a.due_on)})",
                )
            )
        buttons.append(Button("Prepare", ACTION_OPEN_PREP, str(s.id), "primary"))
    return Reply(text=text, facts=facts, buttons=buttons)


def _last_held(ctx: PersonContext, before: KnownSession) -> KnownSession | None:
    held = [
        k for k in ctx.sessions if k.held_at is not None and k.scheduled_at < before.scheduled_at
    ]
    return held[-1] if held else None


def outcome_checks(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`session_outcome_check` to the supervisor shortly after a session ends with no outcome.

    Buttons: `session_held` and `session_cancel` (value = session id). Worth sending
    until the rearranging window closes.
    """
    for s in ctx.sessions:
        if not s.pending:
            continue
        supervisor = ctx.who(s.supervisor_id) or ctx.supervisor
        if supervisor is None:
            continue
        due = s.ends_at + timedelta(minutes=pack.reminders.outcome_check_minutes_after)
        if not params.wants(due):
            continue
        day = local_date(s.scheduled_at, ctx.person.timezone)
        close = rearrange_window_close(
            pack, cal, day, [*ctx.absences, *ctx.absences_of(supervisor.id)]
        )
        when = fmt_when(s.scheduled_at, supervisor.timezone)
        yield Candidate(
            key=reminder_key(SESSION_OUTCOME_CHECK, supervisor.id, f"s{s.id}", due),
            kind=SESSION_OUTCOME_CHECK,
            recipient_id=supervisor.id,
            about_id=ctx.person.id,
            due_at=due,
            session_id=s.id,
            session_at=s.scheduled_at,
            useful_until=end_of_day(close, supervisor.timezone),
            reply=Reply(
                text=(
                    f"Did your supervision with {ctx.person.name} on {when} take place? "
                    f"If it was cancelled, say why and when it is rearranged to: it should be "
                    f"held by {fmt_day(close)}."
                ),
                facts=[Fact("Session", when), Fact("Rearrange by", fmt_day(close))],
                buttons=[
                    Button("Held", ACTION_SESSION_HELD, str(s.id), "primary"),
                    Button("Cancelled / rearrange", ACTION_SESSION_CANCEL, str(s.id)),
                ],
            ),
        )
