"""Yearly minimums: telling the supervisor, month by month, while a supervisee is short."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from bot.clock import local_date
from handlers.reminders.cadence import first_working_days
from handlers.reminders.candidate import (
    MINIMUM_REMINDER,
    Candidate,
    end_of_day,
    fmt_day,
    morning,
    reminder_key,
)
from handlers.reminders.common import cite
from handlers.reminders.context import PersonContext, PlanParams
from handlers.replies import Fact, Reply
from handlers.status import minimums_on
from policy.calendar import WorkingCalendar
from policy.duties import MinimumProgress, minimums_window
from policy.engine import PolicyPack


def minimum_reminders(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`minimum_reminder` to the supervisor on the first working day of each month when the
    supervisee is short of a yearly minimum the pack counts from recorded sessions (pro
    rata in a role's first year), as `status` would report it that day. One message per
    month lists every minimum short. A pack can leave it to `status`
    (`reminders.minimum_reminders: false`)."""
    st, sup = ctx.status, ctx.supervisor
    if st is None or sup is None or not st.minimums or not pack.reminders.minimum_reminders:
        return
    tz = sup.timezone
    for day in first_working_days(cal, tz, params, local_date(params.epoch, tz)):
        due = morning(day, tz)
        if due < params.epoch or not params.wants(due):
            continue
        short = [m for m in minimums_on(pack, ctx.person, ctx.roles, ctx.held, due) if not m.met]
        if not short:
            continue
        yield Candidate(
            key=reminder_key(MINIMUM_REMINDER, sup.id, f"p{ctx.person.id}", due),
            kind=MINIMUM_REMINDER,
            recipient_id=sup.id,
            about_id=ctx.person.id,
            due_at=due,
            useful_until=end_of_day(day + timedelta(days=6), tz),
            reply=_reply(ctx, short, local_date(due, ctx.person.timezone)),
        )


def _reply(ctx: PersonContext, short: list[MinimumProgress], day: date) -> Reply:
    year = minimums_window(day)
    counts = ", ".join(
        f"{m.held} of {m.required} {m.what}"
        # Pro rata from when the minimum began to apply to them (each its own day).
        + (f" (pro rata from {fmt_day(m.window_start)})" if m.window_start > year else "")
        for m in short
    )
    text = (
        f"{ctx.person.name} is short of a yearly minimum in the twelve months to "
        f"{fmt_day(day)}: {counts}."
    )
    citations = []
    for m in short:
        if (c := cite(m)) not in citations:
            citations.append(c)
    return Reply(
        text=text,
        facts=[Fact(m.what[:1].upper() + m.what[1:], f"{m.held} of {m.required}") for m in short],
        citations=citations,
    )
