"""The deadlines the engine watches, from the pack's numbers and its working calendar.

The numbers (5 working days, 10 working days, ...) live in the pack with their
citations, and the arithmetic in `policy.duties` (one copy, shared with the chat
layer); this module only says which duty the engine watches and how absences
move it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from functools import lru_cache

from policy import duties
from policy.calendar import WorkingCalendar
from policy.engine import PolicyPack
from storage.known import KnownAbsence

SICKNESS = "sickness"


class CachedCalendar(WorkingCalendar):
    """The pack's working calendar with each answer remembered: the planners ask about
    the same few hundred days many thousands of times."""

    def __init__(self, nation: str) -> None:
        super().__init__(nation)
        self._working: dict[date, bool] = {}
        self._added: dict[tuple[date, int], date] = {}
        self._subtracted: dict[tuple[date, int], date] = {}

    def is_working_day(self, d: date) -> bool:
        known = self._working.get(d)
        if known is None:
            known = self._working[d] = super().is_working_day(d)
        return known

    def add_working_days(self, d: date, n: int) -> date:
        known = self._added.get((d, n))
        if known is None:
            known = self._added[(d, n)] = super().add_working_days(d, n)
        return known

    def subtract_working_days(self, d: date, n: int) -> date:
        known = self._subtracted.get((d, n))
        if known is None:
            known = self._subtracted[(d, n)] = super().subtract_working_days(d, n)
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

    `duties.rearrange_by` the original date; when a sickness absence of either person
    touches the window, `duties.rebook_after_sickness_by` their return (the first working
    day after it). Absences are applied until the window stops moving.
    """
    close = duties.rearrange_by(pack, original_day, cal).date
    sick = [a for a in absences if a.reason == SICKNESS]
    changed = True
    while changed:
        changed = False
        for a in sick:
            if a.last_day < original_day or a.first_day > close:
                continue
            back = cal.next_working_day(a.last_day)
            extended = duties.rebook_after_sickness_by(pack, back, cal).date
            if extended > close:
                close, changed = extended, True
    return close


def record_share_deadline(pack: PolicyPack, cal: WorkingCalendar, session_day: date) -> date:
    """The last day the supervisor may share the record of a session held on `session_day`."""
    return duties.record_share_by(pack, session_day, cal).date


def sign_deadline(pack: PolicyPack, cal: WorkingCalendar, shared_day: date) -> date | None:
    """The last day the supervisee may sign a record shared on `shared_day` (None: next session)."""
    d = duties.record_sign_by(pack, shared_day, None, cal)
    return d.date if d is not None else None


def reminder_day(cal: WorkingCalendar, deadline: date, before: int, not_before: date) -> date:
    """`before` working days ahead of `deadline`, but never earlier than `not_before`."""
    day = cal.subtract_working_days(deadline, before) if before else deadline
    return max(day, not_before)


def absence_alarm_day(pack: PolicyPack, cal: WorkingCalendar, a: KnownAbsence) -> date | None:
    """The working day on which an absence becomes longer than the pack allows, if it does
    (`duties.absence_escalates_on`: with Leeds' 10, the 11th working day of the absence)."""
    day = duties.absence_escalates_on(pack, a.first_day, cal).date
    return day if day <= a.last_day else None


def merged_absences(cal: WorkingCalendar, absences: Iterable[KnownAbsence]) -> list[KnownAbsence]:
    """Absence records separated only by non-working days, as one spell (leave then
    sickness is one absence from work). A spell keeps its first record's id and reason."""
    spells: list[KnownAbsence] = []
    for a in sorted(absences, key=lambda a: (a.first_day, a.id)):
        last = spells[-1] if spells else None
        if last is not None and a.first_day <= cal.next_working_day(last.last_day):
            if a.last_day > last.last_day:
                spells[-1] = replace(last, last_day=a.last_day)
            continue
        spells.append(a)
    return spells


def ratio_exceeded_since(
    limit: int, spells: Iterable[tuple[date, date | None]], today: date
) -> date | None:
    """The first day of the continuous period, still running on `today`, in which a
    supervisor has had more than `limit` supervisees; None when they do not now.

    `spells` are [start, end) supervision spells: one leaving and another joining on
    the same day does not interrupt the period.
    """
    changes: dict[date, int] = {}
    for start, end in spells:
        if start > today:
            continue
        changes[start] = changes.get(start, 0) + 1
        if end is not None and end <= today:
            changes[end] = changes.get(end, 0) - 1
    count, since = 0, None
    for day in sorted(changes):
        count += changes[day]
        if count > limit and since is None:
            since = day
        elif count <= limit:
            since = None
    return since
