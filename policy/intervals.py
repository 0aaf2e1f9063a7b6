"""Intervals and durations in words: 'weekly', 'fortnightly', 'every 3 weeks', '6 months'.

One vocabulary serves pack files (phase intervals, phase ends) and per-person
overrides, so what an administrator may type is exactly what a pack may say.
Months are calendar months with end-of-month clamping (dateutil relativedelta):
31 January + 1 month = 28 (or 29) February.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from dateutil.relativedelta import relativedelta

INTERVAL_HELP = (
    "an interval such as 'weekly', 'fortnightly', 'monthly', 'every 3 weeks', "
    "'every 2 months', 'quarterly', 'six-monthly' or 'annually'"
)
DURATION_HELP = "a duration such as '6 weeks', '6 months', '12 months' or '1 year'"

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_NAMED: dict[str, tuple[int, str]] = {
    "daily": (1, "days"),
    "weekly": (1, "weeks"),
    "fortnightly": (2, "weeks"),
    "monthly": (1, "months"),
    "bimonthly": (2, "months"),
    "two-monthly": (2, "months"),
    "two monthly": (2, "months"),
    "quarterly": (3, "months"),
    "three-monthly": (3, "months"),
    "three monthly": (3, "months"),
    "3-monthly": (3, "months"),
    "3 monthly": (3, "months"),
    "six-monthly": (6, "months"),
    "six monthly": (6, "months"),
    "6-monthly": (6, "months"),
    "6 monthly": (6, "months"),
    "half-yearly": (6, "months"),
    "annually": (1, "years"),
    "annual": (1, "years"),
    "yearly": (1, "years"),
}
_UNITS = {
    "day": "days", "days": "days",
    "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months",
    "year": "years", "years": "years",
}
_AMOUNT = r"(\d+|" + "|".join(_WORDS) + r")"
_EVERY = re.compile(r"^(?:every|once every)\s+(?:" + _AMOUNT + r"\s+)?([a-z]+)$")
_SPAN = re.compile(r"^" + _AMOUNT + r"\s+([a-z]+)$")


@dataclass(frozen=True)
class Interval:
    """A span of calendar time: `count` days, weeks, months or years."""

    count: int
    unit: str  # "days" | "weeks" | "months" | "years"

    @property
    def delta(self) -> relativedelta:
        n = self.count
        if self.unit == "days":
            return relativedelta(days=n)
        if self.unit == "weeks":
            return relativedelta(weeks=n)
        if self.unit == "months":
            return relativedelta(months=n)
        return relativedelta(years=n)

    def after(self, d: date) -> date:
        """`d` plus this interval (months clamp to the end of the month)."""
        return _after(self, d)

    @property
    def label(self) -> str:
        """How people say it: 'weekly', 'fortnightly', 'every 3 weeks', 'monthly'..."""
        named = {
            (1, "weeks"): "weekly",
            (2, "weeks"): "fortnightly",
            (1, "months"): "monthly",
            (2, "months"): "two-monthly",
            (3, "months"): "three-monthly",
            (6, "months"): "six-monthly",
            (1, "years"): "annually",
            (1, "days"): "daily",
        }
        if (self.count, self.unit) in named:
            return named[(self.count, self.unit)]
        return f"every {self.count} {self.unit}"

    @property
    def span(self) -> str:
        """As a duration: '6 weeks', '1 month'."""
        unit = self.unit[:-1] if self.count == 1 else self.unit
        return f"{self.count} {unit}"

    @property
    def approx_days(self) -> float:
        """Average length in days, for ordering intervals only (never for dates)."""
        per = {"days": 1.0, "weeks": 7.0, "months": 30.436875, "years": 365.2425}
        return self.count * per[self.unit]


@lru_cache(maxsize=8192)  # the planners ask for the same few days again and again
def _after(interval: Interval, d: date) -> date:
    result: date = d + interval.delta
    return result


def add_months(d: date, months: int) -> date:
    """`d` plus a number of calendar months (clamped to the end of the month)."""
    return _after(Interval(months, "months"), d)


def _amount(text: str | None) -> int:
    if text is None:
        return 1
    return int(text) if text.isdigit() else _WORDS[text]


def _normalise(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").split())


@lru_cache(maxsize=1024)
def parse_interval(text: str) -> Interval:
    """Parse how often: 'weekly', 'every 3 weeks', 'monthly'. Raises ValueError."""
    t = _normalise(text)
    if t in _NAMED:
        count, unit = _NAMED[t]
        return _checked(Interval(count, unit), text)
    m = _EVERY.match(t)
    if m and m.group(2) in _UNITS:
        return _checked(Interval(_amount(m.group(1)), _UNITS[m.group(2)]), text)
    raise ValueError(f"{text!r} is not {INTERVAL_HELP}")


def parse_duration(text: str) -> Interval:
    """Parse how long: '6 weeks', 'six months', '1 year'. Raises ValueError."""
    t = _normalise(text)
    m = _SPAN.match(t)
    if m and m.group(2) in _UNITS:
        return _checked(Interval(_amount(m.group(1)), _UNITS[m.group(2)]), text)
    raise ValueError(f"{text!r} is not {DURATION_HELP}")


def _checked(interval: Interval, text: str) -> Interval:
    if interval.count <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    if interval.approx_days > 10 * 365.2425:
        raise ValueError(f"{text!r} is longer than ten years")
    return interval
