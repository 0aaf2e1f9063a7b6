"""The deadlines the engine watches, from the pack's numbers and its working calendar.

The numbers (5 working days, 10 working days, ...) live in the pack with their
citations; this module only places them on the calendar the way the pack's
semantics say: "N working days after D" counts working days strictly after D.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from policy.calendar import WorkingCalendar
from policy.engine import PolicyPack
from storage.timeline import KnownAbsence

SICKNESS = "sickness"


class CachedCalendar(WorkingCalendar):
    """The pack's working calendar with each day's answer remembered: the planners ask
    about the same few hundred days many thousands of times."""

    def __init__(self, nation: str) -> None:
        super().__init__(nation)
        self._working: dict[date, bool] = {}

    def is_working_day(self, d: date) -> bool:
        known = self._working.get(d)
        if known is None:
            known = self._working[d] = super().is_working_day(d)
        return known


@lru_cache(maxsize=8)
def calendar_of(nation: str) -> CachedCalendar:
    """One cached calendar per UK nation, shared by every planning pass."""
    return CachedCalendar(nation)


def rearrange_window_close(
    pack: PolicyPack,
    cal: WorkingCalendar,
    original_day: date,
    absences: Iterable[KnownAbsence],
) -> date:
    """The last day a missed or cancelled session may be made up (Leeds 4.9).

    Within `rearranging.within_working_days` working days of the original date;
    when a sickness absence of either person touches the window, within
    `after_sickness_working_days` of their return (the first working day after it).
    Absences are applied until the window stops moving.
    """
    close = cal.add_working_days(original_day, pack.rearranging.within_working_days)
    sick = [a for a in absences if a.reason == SICKNESS]
    changed = True
    while changed:
        changed = False
        for a in sick:
            if a.last_day < original_day or a.first_day > close:
                continue
            back = cal.next_working_day(a.last_day)
            extended = cal.add_working_days(back, pack.rearranging.after_sickness_working_days)
            if extended > close:
                close, changed = extended, True
    return close


def record_share_deadline(pack: PolicyPack, cal: WorkingCalendar, session_day: date) -> date:
    """The last day the supervisor may share the record of a session held on `session_day`."""
    return cal.add_working_days(session_day, pack.records.share_within_working_days)


def sign_deadline(pack: PolicyPack, cal: WorkingCalendar, shared_day: date) -> date | None:
    """The last day the supervisee may sign a record shared on `shared_day` (None: next session)."""
    n = pack.records.sign_within_working_days
    return None if n is None else cal.add_working_days(shared_day, n)


def reminder_day(cal: WorkingCalendar, deadline: date, before: int, not_before: date) -> date:
    """`before` working days ahead of `deadline`, but never earlier than `not_before`."""
    day = cal.subtract_working_days(deadline, before) if before else deadline
    return max(day, not_before)


def absence_alarm_day(pack: PolicyPack, cal: WorkingCalendar, a: KnownAbsence) -> date | None:
    """The working day on which an absence becomes longer than the pack allows, if it does.

    Leeds 4.9: 'absent from work for more than 2 weeks', read as more than 10
    consecutive working days; the alarm is the 11th working day of the absence.
    """
    n = pack.absence.supervisor_absent_working_days
    day = cal.add_working_days(a.first_day - timedelta(days=1), n + 1)
    return day if day <= a.last_day else None


def ratio_exceeded_since(limit: int, since: Iterable[date]) -> date | None:
    """The day the number of supervisees first went above `limit`, from their start days."""
    days = sorted(since)
    return days[limit] if len(days) > limit else None
