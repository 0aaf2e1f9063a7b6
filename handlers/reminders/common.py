"""Small helpers shared by the planners: epoch clamping, recipients, citations."""

from __future__ import annotations

from datetime import datetime

from bot.clock import local_date
from handlers.reminders.candidate import morning
from handlers.reminders.context import PersonContext, PlanParams
from handlers.replies import Citation
from policy.calendar import WorkingCalendar
from storage.known import KnownPerson


def since_epoch(
    due: datetime, tz: str | None, params: PlanParams, cal: WorkingCalendar
) -> datetime:
    """`due`, or for a lapse that began before the engine's epoch the first working
    morning from the epoch (so standing lapses are raised once, not lost)."""
    if due >= params.epoch:
        return due
    day = cal.on_or_after(local_date(params.epoch, tz))
    at = morning(day, tz)
    if at < params.epoch:
        at = morning(cal.next_working_day(day), tz)
    return at


def escalation_recipient(
    ctx: PersonContext, first_choice: KnownPerson | None, *, exclude: set[str]
) -> KnownPerson | None:
    """The first of: `first_choice` (a line manager), the organisation's fallback, an admin,
    that is not among `exclude` (never the supervisor about their own lapse, never the subject)."""
    for p in (first_choice, ctx.fallback, *ctx.admins):
        if p is not None and p.id not in exclude and p.active:
            return p
    return None


def cite(rule: object) -> Citation:
    """The reply Citation for a pack rule (anything with a `.citation`)."""
    c = rule.citation  # type: ignore[attr-defined]
    return Citation(document=c.document, section=c.section, quote=c.quote)
