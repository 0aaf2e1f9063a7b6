"""Keeping supervision on its cadence: booking nudges, overdue notices, agreements, actions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from bot.clock import local_date
from handlers.reminders.candidate import (
    ACTION_ACTION_DONE,
    ACTION_AGREEMENT_SIGNED,
    ACTION_BOOK_OPEN,
    ACTION_REMINDER,
    AGREEMENT_REMINDER,
    BOOKING_NUDGE,
    OVERDUE_NOTICE,
    Candidate,
    end_of_day,
    fmt_day,
    morning,
    reminder_key,
)
from handlers.reminders.common import cite, since_epoch
from handlers.reminders.context import PersonContext, PlanParams
from handlers.reminders.windows import reminder_day
from handlers.replies import Button, Fact, Reply
from policy.calendar import WorkingCalendar
from policy.duties import agreement_due, planning_horizon_end
from policy.engine import PolicyPack

COUNTED_KIND = "individual"


def first_working_days(
    cal: WorkingCalendar, tz: str | None, params: PlanParams, start: date
) -> tuple[date, ...]:
    """The first working day of each month the pass looks at (this month and the next
    when it does not say), not before `start`, as days in `tz` (the recipient's zone).
    Judged from the pass's window, never from today's date, so a plan stays the same
    however long before the day it is made."""
    today = local_date(params.as_of, tz)
    lo = local_date(params.earliest, tz) if params.earliest else today
    hi = local_date(params.latest, tz) if params.latest else today + relativedelta(months=1)
    return _month_starts(cal, lo, hi, start)


@lru_cache(maxsize=4096)
def _month_starts(cal: WorkingCalendar, lo: date, hi: date, start: date) -> tuple[date, ...]:
    """The first working day of each month from `lo`'s to `hi`'s, not before `start` (a
    whole pass asks this for the same few windows)."""
    days: list[date] = []
    month = lo.replace(day=1)
    while month <= hi:
        day = cal.on_or_after(month)
        if day >= start:
            days.append(day)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return tuple(days)


def booking_nudges(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`booking_nudge` to the supervisor: nothing booked before next_due (sent
    `booking_nudge_working_days_before_due` working days ahead), and on the first working
    day of each month while the pack's planning horizon is not covered by bookings.
    Button `book_session` (value = supervisee id)."""
    st, sup = ctx.status, ctx.supervisor
    if st is None or sup is None:
        return
    tz = sup.timezone
    pending = [k for k in ctx.sessions if k.pending and k.kind == COUNTED_KIND]
    booked_by_due = any(local_date(k.scheduled_at, tz) <= st.next_due for k in pending)
    book = Button("Book a session", ACTION_BOOK_OPEN, ctx.person.id, "primary")
    if not booked_by_due:
        base = st.last_held or ctx.person.role_start
        day = reminder_day(
            cal,
            st.next_due,
            pack.reminders.booking_nudge_working_days_before_due,
            base + timedelta(days=1),
        )
        due = since_epoch(morning(day, tz), tz, params, cal)
        if due < end_of_day(st.next_due, tz) and params.wants(due):
            yield Candidate(
                key=reminder_key(BOOKING_NUDGE, sup.id, f"p{ctx.person.id}", due),
                kind=BOOKING_NUDGE,
                recipient_id=sup.id,
                about_id=ctx.person.id,
                due_at=due,
                useful_until=end_of_day(st.next_due, tz),
                reply=Reply(
                    text=(
                        f"{ctx.person.name} has no supervision booked before it is next due on "
                        f"{fmt_day(st.next_due)} ({st.due.cadence.label})."
                    ),
                    facts=[Fact("Next due", fmt_day(st.next_due))],
                    buttons=[book],
                    citations=[cite(st.due)],
                ),
            )
    last = local_date(ctx.booked_until, tz) if ctx.booked_until else None
    every = st.due.cadence.every
    start = local_date(params.epoch, tz)
    for day in first_working_days(cal, tz, params, start):
        # Covered on `day` when the last booking reaches the horizon seen from that day
        # (judged for the day itself, so the answer does not depend on when we plan).
        horizon = planning_horizon_end(pack, day)
        # Only bookings still ahead on `day` count (a past session with no outcome yet
        # is not a plan for the months ahead).
        ahead = last if last is not None and last >= day else None
        if ahead is not None and every.after(ahead) >= horizon:
            continue
        due = morning(day, tz)
        if due < params.epoch or not params.wants(due):
            continue
        covered = f"booked until {fmt_day(ahead)}" if ahead else "nothing booked"
        yield Candidate(
            key=reminder_key(BOOKING_NUDGE, sup.id, f"p{ctx.person.id}:horizon", due),
            kind=BOOKING_NUDGE,
            recipient_id=sup.id,
            about_id=ctx.person.id,
            due_at=due,
            useful_until=end_of_day(day + timedelta(days=6), tz),
            reply=Reply(
                text=(
                    f"Sessions with {ctx.person.name} should be planned "
                    f"{pack.planning.horizon_months} months ahead ({covered})."
                ),
                facts=[Fact("Plan until", fmt_day(horizon))],
                buttons=[book],
                citations=[cite(pack.planning)],
            ),
        )


def overdue_notices(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`overdue_notice` to supervisee and supervisor the working morning after next_due
    passes unmet (never on a weekend or bank holiday)."""
    st = ctx.status
    if st is None:
        return
    for recipient in (ctx.person, ctx.supervisor):
        if recipient is None:
            continue
        tz = recipient.timezone
        due = since_epoch(morning(cal.next_working_day(st.next_due), tz), tz, params, cal)
        if not params.wants(due):
            continue
        whose = "Your" if recipient is ctx.person else f"{ctx.person.name}'s"
        yield Candidate(
            key=reminder_key(OVERDUE_NOTICE, recipient.id, f"p{ctx.person.id}", due),
            kind=OVERDUE_NOTICE,
            recipient_id=recipient.id,
            about_id=ctx.person.id,
            due_at=due,
            reply=Reply(
                text=(
                    f"{whose} supervision is overdue: it was due by {fmt_day(st.next_due)} "
                    f"({st.due.cadence.label}) and no session has been held since "
                    + (fmt_day(st.last_held) if st.last_held else "the role started")
                    + "."
                ),
                facts=[Fact("Was due", fmt_day(st.next_due))],
                buttons=[Button("Book a session", ACTION_BOOK_OPEN, ctx.person.id, "primary")],
                citations=[cite(st.due)],
            ),
        )


def agreement_reminders(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`agreement_reminder` to supervisor and supervisee when the supervision agreement is
    missing, due for renewal, or predates the current supervisor; repeated on the first
    working day of each month until one is signed."""
    sup = ctx.supervisor
    if ctx.status is None or sup is None:
        return
    ag, rule = ctx.agreement, pack.agreement
    # When one is due is policy's (a change of supervisor counts only where the pack's
    # `on_supervisor_change` says so); only the wording is decided here.
    since = agreement_due(pack, ag.signed_on if ag else None, ctx.supervisor_since).date
    if ag is None:
        problem = "There is no signed supervision agreement"
    elif rule.on_supervisor_change and since == ctx.supervisor_since > ag.signed_on:
        problem = "The supervision agreement predates the change of supervisor"
    else:
        problem = f"The supervision agreement signed on {fmt_day(ag.signed_on)} is due for renewal"
    first = cal.on_or_after(since)
    signed = Button("Signed today", ACTION_AGREEMENT_SIGNED, ctx.person.id, "primary")
    for recipient in (sup, ctx.person):
        tz = recipient.timezone
        days = {first, *(first_working_days(cal, tz, params, first))}
        seen: set[object] = set()
        for day in sorted(days):
            due = since_epoch(morning(day, tz), tz, params, cal)
            if due in seen or not params.wants(due):
                continue
            seen.add(due)
            other = ctx.person.name if recipient is sup else sup.name
            yield Candidate(
                key=reminder_key(AGREEMENT_REMINDER, recipient.id, f"p{ctx.person.id}", due),
                kind=AGREEMENT_REMINDER,
                recipient_id=recipient.id,
                about_id=ctx.person.id,
                due_at=due,
                useful_until=end_of_day(local_date(due, tz) + timedelta(days=6), tz),
                reply=Reply(
                    text=f"{problem} between you and {other}: please agree and sign one.",
                    facts=[Fact("Since", fmt_day(since))],
                    buttons=[signed],
                    citations=[cite(rule)],
                ),
            )


def action_reminders(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`action_reminder` to an action's owner ahead of its due date (button `action_done`,
    value = action id)."""
    for a in ctx.actions:
        owner = ctx.who(a.owner_id)
        if owner is None or not owner.active:
            continue
        tz = owner.timezone
        created = local_date(a.created_at, tz)
        day = reminder_day(cal, a.due_on, pack.reminders.action_due_working_days_before, created)
        due = morning(day, tz)
        if due < a.created_at or day > a.due_on or not params.wants(due):
            continue
        yield Candidate(
            key=reminder_key(ACTION_REMINDER, owner.id, f"a{a.id}", due),
            kind=ACTION_REMINDER,
            recipient_id=owner.id,
            about_id=ctx.person.id,
            due_at=due,
            session_id=a.session_id,
            useful_until=end_of_day(a.due_on, tz),
            reply=Reply(
                text=f"Action from supervision due {fmt_day(a.due_on)}: {a.text}",
                facts=[Fact("Due", fmt_day(a.due_on)), Fact("For", ctx.person.name)],
                buttons=[Button("Done", ACTION_ACTION_DONE, str(a.id), "primary")],
            ),
        )
