"""Dates and times in words ("next Tuesday 2pm", "the 14th", "7/12 at half 2"), in the asker's zone.

Read by our own patterns, most specific first: a full date ("Thursday 3rd
December") wins over a bare weekday, and a weekday that disagrees with the date
is a question back, not a guess. Anything that looks like a day but is not
understood is reported as unclear; a time without a day never means "today".
Numeric dates are UK style (day/month).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.clock import local_instant, zone

_FULL_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WD = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_NUMWORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_HOURWORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_HW = r"(?:[01]?\d|2[0-3]|" + "|".join(_HOURWORDS) + ")"
_TIME = re.compile(
    rf"\bhalf\s+(?:past\s+)?(?P<half>{_HW})\b(?:\s*(?P<ap0>am|pm))?"
    r"|\b(?:at\s+)?(?P<h>[01]?\d|2[0-3])(?:[:.](?P<m>[0-5]\d))?\s*(?P<ap>am|pm|a\.m\.|p\.m\.)"
    r"|\bat\s+(?P<h2>[01]?\d|2[0-3])(?:[:.](?P<m2>[0-5]\d))?\b(?![/:])"
    r"|\b(?P<h3>[01]?\d|2[0-3])[:](?P<m3>[0-5]\d)\b"
    rf"|\b(?:at\s+)?(?P<oc>{_HW})\s*o['’]?\s*clock\b"
    r"|\bat\s+(?P<h4>[01]\d|2[0-3])(?P<m4>[0-5]\d)(?:\s*(?:hrs|hours|h))?\b"
    r"|\b(?P<h5>[01]\d|2[0-3])(?P<m5>[0-5]\d)\s*(?:hrs|hours|h)\b"
    r"|\b(?P<noon>noon|midday)\b",
    re.IGNORECASE,
)
_NAMED = {
    "christmas eve": (12, 24),
    "christmas day": (12, 25),
    "christmas": (12, 25),
    "boxing day": (12, 26),
    "new year's eve": (12, 31),
    "new years eve": (12, 31),
    "new year's day": (1, 1),
    "new years day": (1, 1),
}
_FULL = re.compile(
    rf"\b(?:(?P<wd>{_WD}),?\s+)?(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?"
    rf"(?P<mon>{_MON})\b(?:,?\s+(?P<y>\d{{4}}))?"
    rf"|\b(?:(?P<wd2>{_WD}),?\s+)?(?P<mon2>{_MON})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"(?:,?\s+(?P<y2>\d{{4}}))?",
    re.IGNORECASE,
)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SLASH = re.compile(
    rf"\b(?:(?P<wd>{_WD}),?\s+)?(\d{{1,2}})/(\d{{1,2}})(?:/(\d{{2}}|\d{{4}}))?\b", re.I
)
_NTH = re.compile(
    rf"\b(?:(?P<wd>{_WD}),?\s+)?(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)\b",
    re.IGNORECASE,
)
_WEEK_ON = re.compile(rf"\b(?:a\s+week\s+(?:on|from)\s+(?P<wd>{_WD}|today|tomorrow)"
                      rf"|(?P<wd2>{_WD})\s+week)\b", re.IGNORECASE)  # fmt: skip
_IN = re.compile(r"\bin\s+(a|one|two|three|four|five|six|\d+)\s+(days?|weeks?)\b", re.I)
_REL = re.compile(r"\b(day after tomorrow|today|tomorrow)\b", re.IGNORECASE)
_NEXT_WEEK = re.compile(r"\bnext\s+week\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    rf"\b(?:(?P<which>next|this|coming)\s+)?(?P<wd>{_WD})\b(?:\s+(?P<wk>next|this)\s+week)?",
    re.IGNORECASE,
)
_ON_WORD = re.compile(r"\bon\s+(?!the\b|behalf\b|a\b|my\b|our\b|it\b)([a-z]+(?:\s+[a-z]+)?)", re.I)


UNKNOWN_DAY = "I couldn't tell which day you meant."


@dataclass(frozen=True)
class When:
    """What a message said about when: a day, a time of day, or both."""

    day: date | None
    at: time | None
    unclear: bool = False  # a day was written but not understood, or is not a real future date
    problem: str | None = None  # what to say about it, for the person

    def instant(self, tz_name: str) -> datetime | None:
        """The aware instant when both day and time are known."""
        if self.day is None or self.at is None:
            return None
        return local_instant(self.day, self.at, tz_name)


def _wd(word: str) -> int:
    return _WEEKDAYS.index(word[:3].lower())


def _month(word: str) -> int:
    return _MONTHS.index(word[:3].lower()) + 1


def _hour(word: str) -> int:
    return _HOURWORDS.get(word.lower()) or int(word)


def _time_of(m: re.Match[str]) -> time | None:
    if m.group("noon"):
        return time(12, 0)
    if m.group("half") or m.group("oc"):
        word = m.group("half") or m.group("oc")
        hour, mins = _hour(word), 30 if m.group("half") else 0
        ap = (m.group("ap0") or "").lower()
        if not ap and 1 <= hour <= 7:
            hour += 12  # "half 2" or "2 o'clock" in a working day is the afternoon
    elif m.group("h4") or m.group("h5"):  # "at 1400", "1400hrs": the 24-hour clock
        hour, mins = int(m.group("h4") or m.group("h5")), int(m.group("m4") or m.group("m5"))
        ap = ""
    else:
        hour = int(m.group("h") or m.group("h2") or m.group("h3"))
        mins = int(m.group("m") or m.group("m2") or m.group("m3") or "0")
        ap = (m.group("ap") or "").lower().replace(".", "")
        if not ap and m.group("h2") and 1 <= hour <= 7:
            hour += 12  # "at 2" in a working day means the afternoon
    if ap == "pm" and hour < 12:
        hour += 12
    elif ap == "am" and hour == 12:
        hour = 0
    return time(hour, mins) if hour < 24 else None


def _upcoming(today: date, weekday: int, *, strictly_after: bool = True) -> date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and strictly_after:
        ahead = 7
    return today + timedelta(days=ahead)


def _dated(today: date, y: int | None, m: int, d: int) -> date | str:
    """A calendar date; without a year, this year's or (when well past) next year's."""
    try:
        if y is not None:
            return date(y if y > 99 else 2000 + y, m, d)
        day = date(today.year, m, d)
    except ValueError:
        return "I couldn't find that date in the calendar"
    if day < today - timedelta(days=60):
        try:
            day = date(today.year + 1, m, d)
        except ValueError:
            return "I couldn't find that date in the calendar"
    return day


def _check_weekday(day: date, wd: str | None) -> str | None:
    if wd and day.weekday() != _wd(wd):
        return f"{day.strftime('%-d %B %Y')} is a {day.strftime('%A')}, not a {_FULL_DAYS[_wd(wd)]}"
    return None


def _day_of(text: str, today: date) -> tuple[date | str | None, bool]:
    """The day `text` names (or a problem with it), and whether any day phrase was found."""
    if m := _ISO.search(text):
        return _dated(today, int(m.group(1)), int(m.group(2)), int(m.group(3))), True
    if m := _FULL.search(text):
        mon = m.group("mon") or m.group("mon2")
        d = int(m.group("d") or m.group("d2"))
        y = m.group("y") or m.group("y2")
        day = _dated(today, int(y) if y else None, _month(mon), d)
        if isinstance(day, date):
            return _check_weekday(day, m.group("wd") or m.group("wd2")) or day, True
        return day, True
    if m := _SLASH.search(text):
        y = m.group(4)
        day = _dated(today, int(y) if y else None, int(m.group(3)), int(m.group(2)))
        if isinstance(day, date):
            return _check_weekday(day, m.group("wd")) or day, True
        return day, True
    low = text.lower().replace("’", "'")
    for name, (mm, dd) in _NAMED.items():
        if re.search(rf"\b{re.escape(name)}\b", low):
            return _dated(today, None, mm, dd), True
    if m := _NTH.search(text):
        n = int(m.group(2))
        # This month's when still ahead, else next month's; a month without it is a question.
        y, mo = (today.year, today.month) if n >= today.day else divmod(today.month, 12)
        if n < today.day:
            y, mo = today.year + y, mo + 1
        try:
            cand = date(y, mo, n)
        except ValueError:
            return "I couldn't find that date in the calendar", True
        return _check_weekday(cand, m.group("wd")) or cand, True
    if m := _WEEK_ON.search(text):
        wd = m.group("wd") or m.group("wd2")
        if wd.lower() == "today":
            return today + timedelta(days=7), True
        if wd.lower() == "tomorrow":
            return today + timedelta(days=8), True
        return _upcoming(today, _wd(wd)) + timedelta(days=7), True
    if m := _IN.search(text):
        raw = m.group(1).lower()
        n = _NUMWORDS.get(raw) or int(raw)
        return today + timedelta(days=n * (7 if m.group(2).lower().startswith("week") else 1)), True
    if m := _REL.search(text):
        word = m.group(1).lower()
        offsets = {"today": 0, "tomorrow": 1, "day after tomorrow": 2}
        return today + timedelta(days=offsets[word]), True
    if m := _WEEKDAY.search(text):
        wd = _wd(m.group("wd"))
        week = (m.group("wk") or "").lower()
        if week:
            monday = today - timedelta(days=today.weekday())
            day = monday + timedelta(days=wd + (7 if week == "next" else 0))
            return (day if day >= today else "that day has passed"), True
        return _upcoming(today, wd), True
    if _NEXT_WEEK.search(text):
        return today + timedelta(days=7), True
    return None, False


def _unknown_day_word(text: str) -> bool:
    """Whether "on SOMETHING" names a day we did not understand."""
    m = _ON_WORD.search(text)
    if m is None:
        return False
    return not re.match(r"(?:supervision|leave|sick|holiday|call)\b", m.group(1), re.I)


def parse_when(text: str, now: datetime, tz_name: str) -> When:
    """Read a day and/or time of day from `text`, relative to `now` in `tz_name`."""
    today = now.astimezone(zone(tz_name)).date()
    at: time | None = None
    rest = text
    tm = _TIME.search(text)
    if tm:
        at = _time_of(tm)
        rest = text[: tm.start()] + " " + text[tm.end() :]
    day, found = _day_of(rest, today)
    if isinstance(day, str):
        return When(None, at, unclear=True, problem=day[0].upper() + day[1:] + ".")
    if day is not None and day < today:
        return When(None, at, unclear=True, problem="That date has passed.")
    if not found and _unknown_day_word(rest):
        return When(None, at, unclear=True, problem=UNKNOWN_DAY)
    return When(day, at)
