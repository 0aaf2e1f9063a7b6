"""Escalations to the supervisor's line manager: missed sessions, overdue supervision,
an absent supervisor, too many supervisees.

The recipient is the supervisor's own supervisor; when there is none (or it would be
the supervisor themself) the organisation's fallback recipient, then an admin. A lapse
is escalated once: its key names the lapse, not the recipient or the instant.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.clock import local_date
from handlers.reminders.candidate import (
    ESCALATION,
    MISSED_SESSION,
    OVERDUE,
    RATIO,
    SUPERVISOR_ABSENT,
    Candidate,
    end_of_day,
    escalation_key,
    fmt_day,
    fmt_when,
    morning,
)
from handlers.reminders.common import cite, escalation_recipient, since_epoch
from handlers.reminders.context import PersonContext, PlanParams
from handlers.reminders.windows import (
    absence_alarm_day,
    merged_absences,
    ratio_exceeded_since,
    rearrange_window_close,
)
from handlers.replies import Fact, Reply
from policy.calendar import WorkingCalendar
from policy.duties import overdue_escalates_on
from policy.engine import PolicyPack
from storage.known import KnownSession

COUNTED_KIND = "individual"
# At go-live, a missed session whose window closed this recently is still news.
GO_LIVE_GRACE_WORKING_DAYS = 5


def _root(s: KnownSession, by_id: dict[int, KnownSession]) -> int:
    """The first session of a chain of rearrangements: one lapse per chain."""
    seen = {s.id}
    root = s.id
    parent = s.rearranged_from_id
    while parent is not None and parent not in seen:
        root = parent
        seen.add(parent)
        nxt = by_id.get(parent)
        parent = nxt.rearranged_from_id if nxt is not None else None
    return root


def missed_sessions(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`escalation` / `missed_session`: a session cancelled, or past with no outcome, and no
    session held within the rearranging window (extended after sickness of either person);
    sent the working morning after the window closes, to the line manager of the
    session's supervisor.

    A lapse whose window closed before the engine's epoch (go-live, or the start of a
    simulation) is raised at the epoch only while it is still open (no session held
    since) or when it closed within the last `GO_LIVE_GRACE_WORKING_DAYS` working days.
    """
    me = ctx.person
    by_id = {k.id: k for k in ctx.sessions}
    held_days = [
        local_date(k.scheduled_at, me.timezone)
        for k in ctx.sessions
        if k.held_at is not None and k.kind == COUNTED_KIND
    ]
    epoch_day = local_date(params.epoch, me.timezone)
    recent = cal.subtract_working_days(epoch_day, GO_LIVE_GRACE_WORKING_DAYS)
    for s in ctx.sessions:
        if s.kind != COUNTED_KIND or s.held_at is not None:
            continue
        sup = ctx.who(s.supervisor_id) or ctx.supervisor
        day = local_date(s.scheduled_at, me.timezone)
        close = rearrange_window_close(
            pack, cal, day, [*ctx.absences, *(ctx.absences_of(sup.id) if sup else [])]
        )
        if any(day <= d <= close for d in held_days):
            continue
        exclude = {me.id} | ({sup.id} if sup else set())
        lm = escalation_recipient(ctx, ctx.line_manager_of(sup), exclude=exclude)
        if lm is None:
            continue
        tz = lm.timezone
        natural = morning(cal.next_working_day(close), tz)
        if natural < params.epoch and close < recent and any(d > close for d in held_days):
            continue  # before go-live, and supervision has been held since: not news
        due = since_epoch(natural, tz, params, cal)
        if not params.wants_escalation(due):
            continue
        what = (
            f"was cancelled ({s.cancel_reason or 'no reason given'})"
            if s.cancelled_at is not None
            else "has no recorded outcome"
        )
        with_whom = f" with {sup.name}" if sup else ""
        yield Candidate(
            key=escalation_key(MISSED_SESSION, f"s{_root(s, by_id)}"),
            kind=ESCALATION,
            reason=MISSED_SESSION,
            recipient_id=lm.id,
            about_id=me.id,
            due_at=due,
            session_id=s.id,
            session_at=s.scheduled_at,
            reply=Reply(
                text=(
                    f"Supervision missed: {me.name}'s session{with_whom} on "
                    f"{fmt_when(s.scheduled_at, tz)} {what}, and no session was held by "
                    f"{fmt_day(close)}, the end of the rearranging window."
                ),
                facts=[
                    Fact("Supervisee", me.name),
                    Fact("Supervisor", sup.name if sup else "none"),
                    Fact("Window closed", fmt_day(close)),
                ],
                citations=[cite(pack.rearranging)],
            ),
        )


def overdue(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`escalation` / `overdue`: next_due passed and stayed unmet for the pack's grace period."""
    st, me, sup = ctx.status, ctx.person, ctx.supervisor
    if st is None:
        return
    exclude = {me.id} | ({sup.id} if sup else set())
    lm = escalation_recipient(ctx, ctx.line_manager if sup else None, exclude=exclude)
    if lm is None:
        return
    tz = lm.timezone
    grace = pack.escalation.overdue_grace_working_days
    day = overdue_escalates_on(pack, st.next_due, cal).date
    due = since_epoch(morning(day, tz), tz, params, cal)
    if not params.wants_escalation(due):
        return
    yield Candidate(
        key=escalation_key(OVERDUE, f"p{me.id}:{st.next_due.isoformat()}"),
        kind=ESCALATION,
        reason=OVERDUE,
        recipient_id=lm.id,
        about_id=me.id,
        due_at=due,
        reply=Reply(
            text=(
                f"Supervision overdue: {me.name} "
                + (f"(supervised by {sup.name}) " if sup else "(no supervisor) ")
                + f"was due supervision by {fmt_day(st.next_due)} and none has been held "
                f"since: the {grace} working days' grace is over (escalation due {fmt_day(day)})."
            ),
            facts=[
                Fact("Supervisee", me.name),
                Fact("Was due", fmt_day(st.next_due)),
                Fact("Escalation due", fmt_day(day)),
            ],
            citations=[cite(pack.escalation), cite(st.due)],
        ),
    )


def supervisor_absent(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`escalation` / `supervisor_absent`: the supervisor is away more than the pack allows
    while supervision falls due; the line manager is told, and the supervisee is told whom
    to contact. Sent on the first working day beyond the limit, never before the absence."""
    st, me, sup = ctx.status, ctx.person, ctx.supervisor
    if st is None or sup is None:
        return
    for a in merged_absences(cal, ctx.supervisor_absences):
        alarm = absence_alarm_day(pack, cal, a)
        if alarm is None or st.next_due > a.last_day:
            continue
        lm = escalation_recipient(ctx, ctx.line_manager, exclude={me.id, sup.id})
        if lm is None:
            continue
        if end_of_day(a.last_day, lm.timezone) <= params.epoch:
            continue
        lapse = f"a{a.id}:p{me.id}"
        due = since_epoch(morning(alarm, lm.timezone), lm.timezone, params, cal)
        if not params.wants_escalation(due):
            continue
        away = f"{fmt_day(a.first_day)} to {fmt_day(a.last_day)}"
        yield Candidate(
            key=escalation_key(SUPERVISOR_ABSENT, lapse),
            kind=ESCALATION,
            reason=SUPERVISOR_ABSENT,
            recipient_id=lm.id,
            about_id=me.id,
            due_at=due,
            useful_until=end_of_day(a.last_day, lm.timezone),
            reply=Reply(
                text=(
                    f"{sup.name} is absent ({away}) and {me.name}'s supervision is due by "
                    f"{fmt_day(st.next_due)}: please arrange alternative supervision."
                ),
                facts=[Fact("Supervisee", me.name), Fact("Supervisor away", away)],
                citations=[cite(pack.absence)],
            ),
        )
        due_me = since_epoch(morning(alarm, me.timezone), me.timezone, params, cal)
        yield Candidate(
            key=escalation_key(SUPERVISOR_ABSENT, lapse, "supervisee"),
            kind=ESCALATION,
            reason=SUPERVISOR_ABSENT,
            recipient_id=me.id,
            about_id=me.id,
            due_at=due_me,
            useful_until=end_of_day(a.last_day, me.timezone),
            reply=Reply(
                text=(
                    f"Your supervisor {sup.name} is away ({away}). Please contact {lm.name}"
                    + (", their line manager," if lm is ctx.line_manager else "")
                    + " to arrange your supervision in the meantime."
                ),
                facts=[Fact("Contact", lm.name), Fact("Supervision due", fmt_day(st.next_due))],
                citations=[cite(pack.absence)],
            ),
        )


def ratio(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`escalation` / `ratio`: this person supervises more people than the pack allows;
    their own line manager reviews the arrangements (about_id = the supervisor)."""
    limit = pack.ratio.max_supervisees
    me = ctx.person
    if limit is None or len(ctx.supervisees) <= limit:
        return
    # Keyed on the start of the continuous over-limit period: one supervisee leaving
    # as another joins is the same lapse, escalated once.
    since = ratio_exceeded_since(limit, ctx.supervision_spells, ctx.today)
    if since is None:
        return
    lm = escalation_recipient(ctx, ctx.supervisor, exclude={me.id})
    if lm is None:
        return
    tz = lm.timezone
    due = since_epoch(morning(cal.on_or_after(since), tz), tz, params, cal)
    if not params.wants_escalation(due):
        return
    yield Candidate(
        key=escalation_key(RATIO, f"p{me.id}:{since.isoformat()}"),
        kind=ESCALATION,
        reason=RATIO,
        recipient_id=lm.id,
        about_id=me.id,
        due_at=due,
        reply=Reply(
            text=(
                f"{me.name} supervises {len(ctx.supervisees)} people, more than the "
                f"{limit} the policy guides; please review the arrangements."
            ),
            facts=[Fact("Supervisor", me.name), Fact("Supervisees", str(len(ctx.supervisees)))],
            citations=[cite(pack.ratio)],
        ),
    )
