"""Dates and times in words ("next Tuesday 2pm", "the 14th", "tomorrow at 10"), in the asker's zone.

The time of day is read by our own pattern (dateparser reads "at 10" as the
base time); the day is read by dateparser with the injected clock's "now", in
the asker's timezone, as its base, preferring dates in the future.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import dateparser

from bot.clock import local_instant, zone

_TIME = re.compile(
    r"\b(?:at\s+)?(?P<h>[01]?\d|2[0-3])(?:[:.](?P<m>[0-5]\d))?\s*(?P<ap>am|pm|a\.m\.|p\.m\.)"
    r"|\bat\s+(?P<h2>[01]?\d|2[0-3])(?:[:.](?P<m2>[0-5]\d))?\b"
    r"|\b(?P<h3>[01]?\d|2[0-3])[:](?P<m3>[0-5]\d)\b"
    r"|\b(?P<noon>noon|midday)\b",
    re.IGNORECASE,
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b(?:today|tomorrow|day after tomorrow"
    rf"|(?:next|this|coming)\s+{_WEEKDAY}|(?:on\s+)?{_WEEKDAY}(?:\s+(?:next|this)\s+week)?"
    rf"|(?:the\s+)?{_ORD}\s+(?:of\s+)?{_MONTH}(?:\s+\d{{4}})?|{_MONTH}\s+{_ORD}(?:,?\s+\d{{4}})?"
    rf"|the\s+\d{{1,2}}(?:st|nd|rd|th)"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?"
    rf"|in\s+(?:a|one|two|three|four|\d+)\s+(?:days?|weeks?)|next\s+week)\b",
    re.IGNORECASE,
)
_WORDS = {"a": "1", "one": "1", "two": "2", "three": "3", "four": "4"}


@dataclass(frozen=True)
class When:
    """What a message said about when: a day, a time of day, or both."""

    day: date | None
    at: time | None
    unclear: bool = False  # a date was written but is not a real future date

    def instant(self, tz_name: str) -> datetime | None:
        """The aware instant when both day and time are known."""
        if self.day is None or self.at is None:
            return None
        return local_instant(self.day, self.at, tz_name)


def _time_of(m: re.Match[str]) -> time | None:
    if m.group("noon"):
        return time(12, 0)
    h = m.group("h") or m.group("h2") or m.group("h3")
    mins = m.group("m") or m.group("m2") or m.group("m3") or "0"
    hour = int(h)
    ap = (m.group("ap") or "").lower().replace(".", "")
    if ap == "pm" and hour < 12:
        hour += 12
    elif ap == "am" and hour == 12:
        hour = 0
    elif not ap and m.group("h2") and 1 <= hour <= 7:
        hour += 12  # "at 2" in a working day means the afternoon
    return time(hour, int(mins)) if hour < 24 else None


def parse_when(text: str, now: datetime, tz_name: str) -> When:
    """Read a day and/or time of day from `text`, relative to `now` in `tz_name`."""
    local_now = now.astimezone(zone(tz_name)).replace(tzinfo=None)
    at: time | None = None
    rest = text
    tm = _TIME.search(text)
    if tm:
        at = _time_of(tm)
        rest = text[: tm.start()] + " " + text[tm.end() :]
    day: date | None = None
    dm = _DATE.search(rest)
    if dm:
        phrase = re.sub(r"^on\s+", "", dm.group(0), flags=re.IGNORECASE)
        phrase = re.sub(
            r"\b(a|one|two|three|four)\b(?=\s+(?:days?|weeks?))",
            lambda w: _WORDS[w.group(1).lower()],
            phrase,
            flags=re.IGNORECASE,
        )
        phrase = re.sub(r"^(?:this|coming)\s+", "", phrase, flags=re.IGNORECASE)
        parsed = dateparser.parse(
            phrase,
            languages=["en"],
            settings={
                "RELATIVE_BASE": local_now,
                "PREFER_DATES_FROM": "future",
                "DATE_ORDER": "DMY",
                "RETURN_AS_TIMEZONE_AWARE": False,
            },
        )
        if parsed is not None:
            day = parsed.date()
            if day < local_now.date():
                day = None
    if dm and day is None:
        return When(None, at, unclear=True)
    if day is None and at is not None:
        day = local_now.date() if at > local_now.time() else local_now.date() + timedelta(days=1)
    return When(day, at)
