"""After a session is held: the supervisor shares the record, the supervisee signs it.

Where the pack says silence means agreement (Leeds 4.13), an unsigned record is
deemed agreed when the signing deadline has passed, and both are told.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.clock import local_date
from handlers.reminders.candidate import (
    ACTION_RECORD_SHARE,
    ACTION_RECORD_SIGN,
    EFFECT_DEEM_AGREED,
    RECORD_DEEMED_AGREED,
    RECORD_DUE_REMINDER,
    SIGNING_REMINDER,
    Candidate,
    end_of_day,
    fmt_day,
    morning,
    reminder_key,
)
from handlers.reminders.context import PersonContext, PlanParams
from handlers.reminders.windows import record_share_deadline, reminder_day, sign_deadline
from handlers.replies import Button, Fact, Reply
from policy.calendar import WorkingCalendar
from policy.engine import PolicyPack
from storage.known import KnownSession


def record_due_reminders(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`record_due_reminder` to the supervisor before the sharing deadline and on the day.

    Button `record_share` (value = session id).
    """
    for s in ctx.sessions:
        if s.held_at is None or s.record_shared_at is not None:
            continue
        supervisor = ctx.who(s.supervisor_id) or ctx.supervisor
        if supervisor is None:
            continue
        tz = supervisor.timezone
        held_day = local_date(s.scheduled_at, tz)
        deadline = record_share_deadline(pack, cal, held_day)
        early = reminder_day(
            cal,
            deadline,
            pack.reminders.record_due_working_days_before,
            cal.next_working_day(held_day),
        )
        for day in sorted({early, deadline}):
            due = morning(day, tz)
            if due < s.held_at or not params.wants(due):
                continue
            on_the_day = day == deadline
            yield Candidate(
                key=reminder_key(RECORD_DUE_REMINDER, supervisor.id, f"s{s.id}", due),
                kind=RECORD_DUE_REMINDER,
                recipient_id=supervisor.id,
                about_id=ctx.person.id,
                due_at=due,
                session_id=s.id,
                session_at=s.scheduled_at,
                useful_until=end_of_day(deadline, tz),
                reply=Reply(
                    text=(
                        f"The record of your supervision with {ctx.person.name} on "
                        f"{fmt_day(held_day)} is due to be shared "
                        + ("today." if on_the_day else f"by {fmt_day(deadline)}.")
                    ),
                    facts=[Fact("Session", fmt_day(held_day)), Fact("Share by", fmt_day(deadline))],
                    buttons=[Button("Share record", ACTION_RECORD_SHARE, str(s.id), "primary")],
                ),
            )


def signing_reminders(
    ctx: PersonContext, pack: PolicyPack, cal: WorkingCalendar, params: PlanParams
) -> Iterator[Candidate]:
    """`signing_reminder` to the supervisee for a shared, unsigned record (button `record_sign`,
    value = session id), and `record_deemed_agreed` to both once the deadline has passed
    where silence means agreement."""
    for s in ctx.sessions:
        if s.record_shared_at is None or s.record_signed_at is not None:
            continue
        me = ctx.person
        tz = me.timezone
        shared_day = local_date(s.record_shared_at, tz)
        session_day = local_date(s.scheduled_at, tz)
        deadline = sign_deadline(pack, cal, shared_day)
        if deadline is None:
            yield from _sign_at_next_session(ctx, s, params)
            continue
        if s.record_deemed_agreed_at is None:
            day = reminder_day(
                cal,
                deadline,
                pack.reminders.signing_working_days_before,
                cal.next_working_day(shared_day),
            )
            due = morning(min(day, deadline), tz)
            if due >= s.record_shared_at and params.wants(due):
                yield Candidate(
                    key=reminder_key(SIGNING_REMINDER, me.id, f"s{s.id}", due),
                    kind=SIGNING_REMINDER,
                    recipient_id=me.id,
                    about_id=me.id,
                    due_at=due,
                    session_id=s.id,
                    session_at=s.scheduled_at,
                    useful_until=end_of_day(deadline, tz),
                    reply=_sign_reply(
                        s, session_day, deadline, pack.records.silence_means_agreement
                    ),
                )
        if not pack.records.silence_means_agreement:
            continue
        deem_day = cal.next_working_day(deadline)
        supervisor = ctx.who(s.supervisor_id) or ctx.supervisor
        recipients = [r for r in (me, supervisor) if r is not None]
        first_due = min(morning(deem_day, r.timezone) for r in recipients)
        deemed = s.record_deemed_agreed_at
        if deemed is not None and deemed < first_due:
            continue  # deemed agreed earlier by other means: nothing to announce
        for recipient in recipients:
            due = morning(deem_day, recipient.timezone)
            if not params.wants(due):
                continue
            whose = "your" if recipient is me else f"{me.name}'s"
            yield Candidate(
                key=reminder_key(RECORD_DEEMED_AGREED, recipient.id, f"s{s.id}", due),
                kind=RECORD_DEEMED_AGREED,
                recipient_id=recipient.id,
                about_id=me.id,
                due_at=due,
                session_id=s.id,
                session_at=s.scheduled_at,
                effect=EFFECT_DEEM_AGREED,
                reply=Reply(
                    text=(
                        f"The record of {whose} supervision on {fmt_day(session_day)} was not "
                        f"signed by {fmt_day(deadline)}, so it is now taken as an accurate record."
                    ),
                    facts=[
                        Fact("Session", fmt_day(session_day)),
                        Fact("Deadline", fmt_day(deadline)),
                    ],
                ),
            )


def _sign_reply(s: KnownSession, session_day: object, deadline: object, silence: bool) -> Reply:
    from datetime import date

    assert isinstance(session_day, date) and isinstance(deadline, date)
    text = (
        f"Please read and sign (or agree) the record of your supervision on {fmt_day(session_day)} "
        f"by {fmt_day(deadline)}."
    )
    if silence:
        text += " If you do not respond, the record will be taken as accurate."
    return Reply(
        text=text,
        facts=[Fact("Session", fmt_day(session_day)), Fact("Sign by", fmt_day(deadline))],
        buttons=[Button("Sign record", ACTION_RECORD_SIGN, str(s.id), "primary")],
    )


def _sign_at_next_session(
    ctx: PersonContext, s: KnownSession, params: PlanParams
) -> Iterator[Candidate]:
    """Packs that sign 'at the next session' (Warwickshire 16.4): remind on its morning."""
    me = ctx.person
    assert s.record_shared_at is not None
    nxt = next((k for k in ctx.sessions if k.pending and k.scheduled_at > s.record_shared_at), None)
    if nxt is None:
        return
    day = local_date(nxt.scheduled_at, me.timezone)
    due = min(morning(day, me.timezone), nxt.scheduled_at)
    if due < max(s.record_shared_at, nxt.booked_at) or not params.wants(due):
        return
    session_day = local_date(s.scheduled_at, me.timezone)
    yield Candidate(
        key=reminder_key(SIGNING_REMINDER, me.id, f"s{s.id}", due),
        kind=SIGNING_REMINDER,
        recipient_id=me.id,
        about_id=me.id,
        due_at=due,
        session_id=s.id,
        session_at=s.scheduled_at,
        useful_until=nxt.scheduled_at,
        reply=Reply(
            text=(
                f"Please sign the record of your supervision on {fmt_day(session_day)} "
                f"at today's session."
            ),
            facts=[Fact("Session", fmt_day(session_day))],
            buttons=[Button("Sign record", ACTION_RECORD_SIGN, str(s.id), "primary")],
        ),
    )
