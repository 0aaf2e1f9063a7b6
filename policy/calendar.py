"""Working days: Monday to Friday, minus the bank holidays of a UK nation.

Bank holidays come from the `holidays` package (England, Wales, Scotland or
Northern Ireland), never from a hand-made list.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

NATIONS: dict[str, str] = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern_ireland": "NIR",
}


@lru_cache(maxsize=8)
def _bank_holidays(nation: str) -> holidays.HolidayBase:
    try:
        subdiv = NATIONS[nation]
    except KeyError:
        valid = ", ".join(sorted(NATIONS))
        raise ValueError(f"unknown UK nation {nation!r}; expected one of: {valid}") from None
    return holidays.country_holidays("GB", subdiv=subdiv)


class WorkingCalendar:
    """Working-day arithmetic for one UK nation."""

    def __init__(self, nation: str = "england") -> None:
        self.nation = nation
        self._holidays = _bank_holidays(nation)

    def is_bank_holiday(self, d: date) -> bool:
        return d in self._holidays

    def holiday_name(self, d: date) -> str | None:
        name = self._holidays.get(d)
        return str(name) if name else None

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self._holidays

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day strictly after `d` (`d` itself never counts); n >= 0.

        With n == 0 the answer is `d` itself.
        """
        if n < 0:
            return self.subtract_working_days(d, -n)
        current = d
        remaining = n
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def subtract_working_days(self, d: date, n: int) -> date:
        """The n-th working day strictly before `d`."""
        current = d
        remaining = n
        while remaining > 0:
            current -= timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        return self.add_working_days(d, 1)

    def on_or_after(self, d: date) -> date:
        """`d` if it is a working day, else the next working day."""
        return d if self.is_working_day(d) else self.next_working_day(d)

    def on_or_before(self, d: date) -> date:
        """`d` if it is a working day, else the previous working day."""
        return d if self.is_working_day(d) else self.subtract_working_days(d, 1)

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days lie in (a, b]; negative when b < a."""
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        current = a
        while current < b:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count
