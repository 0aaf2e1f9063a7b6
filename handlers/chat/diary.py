"""Diary rules for booking: working hours, clashes, free slots, and the rearranging deadline.

Used by booking, rearranging and planning so they agree: a session may not overlap another
booked session of either person, and plans spread sessions over the day's slots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.clock import local_date, local_instant, zone
from handlers.chat.common import fmt_day, fmt_when
from handlers.chat.request import ChatContext
from policy.duties import Deadline, absence_exceeds_limit, rearrange_by, rebook_after_sickness_by
from storage import chat_diary as d
from storage import chat_queries as q
from storage.models import Person, SupervisionSession

EARLIEST = time(7, 0)
LATEST = time(20, 0)  # a session may not start after this (local time)
SLOTS = (time(10, 0), time(11, 30), time(14, 0), time(15, 30))
SESSION = timedelta(minutes=90)
MAX_DAYS_AHEAD = 60  # how far to look for a free slot
HOURS = f"working hours ({EARLIEST:%H:%M}-{LATEST:%H:%M})"


@dataclass(frozen=True)
class Problem:
    """Why a time can't be booked: the form field it concerns and what to tell the person.

    `text` is the sentence for a message; `short` (under 150 characters) goes beside the form
    field (`field`: "date", "time" or "supervisee") so the form can stay open.
    `kind`: "form", "past", "far", "closed", "hours", "away", "clash" or "supervisor".
    """

    field: str
    kind: str
    text: str
    short: str

    def by_field(self) -> dict[str, str]:
        return {self.field: self.short}


def outside_hours(at: datetime, tz_name: str) -> Problem | None:
    """The problem when `at` is outside 07:00-20:00 local time."""
    local = at.astimezone(zone(tz_name))
    if EARLIEST <= local.time() <= LATEST:
        return None
    return Problem(
        "time",
        "hours",
        f"{local:%H:%M} is outside {HOURS}; "
        "did you mean another time? Please give the time again (e.g. 2pm or 14:00).",
        f"{local:%H:%M} is outside {HOURS}; please choose another time.",
    )


def _people(ctx: ChatContext, person_ids: list[str]) -> list[Person]:
    found = [q.get_person(ctx.session, pid) for pid in dict.fromkeys(person_ids) if pid]
    return [p for p in found if p is not None]


def away(ctx: ChatContext, person: Person, day: date) -> Problem | None:
    """The problem when `person` has an absence recorded covering `day` (their local date)."""
    absence = d.absence_on(ctx.session, person.id, day)
    if absence is None:
        return None
    reason = (absence.reason or "away").replace("_", " ")
    return Problem(
        "date",
        "away",
        f"{person.name} is away on {fmt_day(day)} ({reason}, {fmt_day(absence.first_day)} to "
        f"{fmt_day(absence.last_day)}), so I haven't booked it. Please choose another day.",
        f"{person.name} is away on {fmt_day(day)} ({reason}); please choose another day.",
    )


def unavailable(ctx: ChatContext, person_ids: list[str], at: datetime) -> Problem | None:
    """Why `at` doesn't suit one of the people: outside their working hours, or they're away."""
    for person in _people(ctx, person_ids):
        if person.timezone != ctx.asker.timezone:
            hours = outside_hours(at, person.timezone)
            if hours:
                local = at.astimezone(zone(person.timezone))
                return Problem(
                    "time",
                    "hours",
                    f"For {person.name} (in {person.timezone}), "
                    + hours.text[0].lower()
                    + hours.text[1:],
                    f"That is {local:%H:%M} for {person.name}, outside {HOURS}; "
                    "please choose another time.",
                )
        problem = away(ctx, person, local_date(at, person.timezone))
        if problem:
            return problem
    return None


def clash(
    ctx: ChatContext, person_ids: list[str], at: datetime, ignore_id: int | None = None
) -> SupervisionSession | None:
    rows = d.clashing_sessions(ctx.session, person_ids, at, at + SESSION, ignore_id=ignore_id)
    return rows[0] if rows else None


def free_slot(
    ctx: ChatContext, person_ids: list[str], day: date, tz_name: str, taken: set[datetime]
) -> datetime | None:
    """The first slot from `day` on (working days) when none of `person_ids` is busy."""
    cal = ctx.pack.calendar()
    people = _people(ctx, person_ids)
    for offset in range(MAX_DAYS_AHEAD):
        current = day + timedelta(days=offset)
        if not cal.is_working_day(current):
            continue
        if any(d.absence_on(ctx.session, p.id, current) is not None for p in people):
            continue  # one of them is on leave or off sick that day
        start = local_instant(current, time(0, 0), tz_name)
        busy = d.sessions_between(ctx.session, person_ids, start, start + timedelta(days=1))
        for slot in SLOTS:
            at = local_instant(current, slot, tz_name)
            if at <= ctx.now or at in taken:
                continue
            if any(abs(at - r.scheduled_at) < SESSION for r in busy):
                continue
            if any(abs(at - t) < SESSION for t in taken):
                continue
            if any(outside_hours(at, p.timezone) for p in people):
                continue
            return at
    return None


def clash_problem(
    ctx: ChatContext, person_ids: list[str], at: datetime, ignore_id: int | None = None
) -> Problem | None:
    """The problem when `at` overlaps a session of either person, with the next free slot."""
    row = clash(ctx, person_ids, at, ignore_id)
    if row is None:
        return None
    tz = ctx.asker.timezone
    when = fmt_when(row.scheduled_at, tz)
    text = f"That clashes with session #{row.id} on {when}, so I haven't booked it."
    short = f"That clashes with session #{row.id} ({when})."
    slot = free_slot(ctx, person_ids, local_date(at, tz), tz, set())
    if slot is not None:
        text += f" The next free slot is {fmt_when(slot, tz)}."
        short += f" Next free slot: {fmt_when(slot, tz)}."
    return Problem("time", "clash", text, short)


def assumed_note(rule: Any) -> str:
    """' Assumed default (not stated in the policy): WHY' for an assumed rule, else ''."""
    if not getattr(rule, "assumed", False):
        return ""
    why = getattr(rule, "assumed_why", None) or "the policy does not say"
    return f" Assumed default (not stated in the policy): {why.strip()}"


def _back_after_sickness(ctx: ChatContext, row: SupervisionSession) -> date | None:
    """The first day back when either person is off sick today or on the session day."""
    backs = []
    for pid in (row.supervisee_id, row.supervisor_id):
        if not pid:
            continue
        for day in (ctx.today, local_date(row.scheduled_at, ctx.asker.timezone)):
            absence = d.absence_on(ctx.session, pid, day)
            if absence is not None and absence.reason == "sickness":
                backs.append(absence.last_day + timedelta(days=1))
    return max(backs) if backs else None


def rearrange_deadline(ctx: ChatContext, row: SupervisionSession) -> tuple[Deadline, str]:
    """When a cancelled session must be rearranged by, and a sentence saying so."""
    back = _back_after_sickness(ctx, row)
    rule = ctx.pack.rearranging
    if back is not None:
        dl = rebook_after_sickness_by(ctx.pack, back)
        text = (
            f"As sickness is involved (back {fmt_day(back)}), please rearrange it by "
            f"{fmt_day(dl.date)} ({rule.after_sickness_working_days} working days after "
            "the return)."
        )
    else:
        dl = rearrange_by(ctx.pack, local_date(row.scheduled_at, ctx.asker.timezone))
        text = (
            f"Please rearrange it by {fmt_day(dl.date)} (within {rule.within_working_days} "
            "working days of the original date)."
        )
    return dl, text + assumed_note(rule)


def absence_note(ctx: ChatContext, supervisor: Person) -> tuple[str, Any | None]:
    """A sentence when `supervisor` is absent today (and whom to contact when it is long).

    Returns the sentence ('' when not absent) and the absence rule's citation when cited.
    """
    absence = d.absence_on(ctx.session, supervisor.id, ctx.today_of(supervisor))
    if absence is None:
        return "", None
    text = f" {supervisor.name} is away until {fmt_day(absence.last_day)}."
    cal = ctx.pack.calendar()
    days = cal.working_days_between(absence.first_day - timedelta(days=1), absence.last_day)
    if not absence_exceeds_limit(ctx.pack, days):
        return text, None
    rule = ctx.pack.absence
    manager = (
        ctx.session.get(Person, supervisor.supervisor_id) if supervisor.supervisor_id else None
    )
    contact = manager.name if manager else "your line manager"
    text += (
        f" That is more than {rule.supervisor_absent_working_days} working days, so the policy "
        f"asks {contact} to arrange your supervision meanwhile; please contact them."
        + assumed_note(rule)
    )
    return text, rule.citation
