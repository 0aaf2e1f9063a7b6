"""Dates in words: full dates before weekdays, disagreements and unknown days asked, UK style."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from handlers.chat.dates import parse_when

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Mon 23 Nov 2026, 09:00 in London
TZ = "Europe/London"


@pytest.mark.parametrize(
    ("text", "day", "at"),
    [
        ("on Thursday 3rd December at 10am", date(2026, 12, 3), time(10, 0)),
        ("on Christmas Eve at 10", date(2026, 12, 24), time(10, 0)),
        ("on Sat 5 December", date(2026, 12, 5), None),
        ("a week on Tuesday at 10", date(2026, 12, 1), time(10, 0)),
        ("Tuesday week", date(2026, 12, 1), None),
        ("the 14th at 10:30", date(2026, 12, 14), time(10, 30)),
        ("on 7/12 at 2pm", date(2026, 12, 7), time(14, 0)),
        ("next Friday at half 2", date(2026, 11, 27), time(14, 30)),
        ("at half past ten", None, time(10, 30)),
        ("next wednesday at 10", date(2026, 11, 25), time(10, 0)),
        ("wednesday next week at 3pm", date(2026, 12, 2), time(15, 0)),
        ("Dec 3rd at 11", date(2026, 12, 3), time(11, 0)),
        ("in two weeks at 10", date(2026, 12, 7), time(10, 0)),
        ("on 5th January at 10", date(2027, 1, 5), time(10, 0)),
        ("tomorrow at 3", date(2026, 11, 24), time(15, 0)),
    ],
)
def test_days_and_times(text: str, day: date | None, at: time | None) -> None:
    when = parse_when(text, MONDAY, TZ)
    assert (when.day, when.at, when.unclear) == (day, at, False)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("on Tuesday 3rd December at 10", "3 December 2026 is a Thursday, not a Tuesday."),
        ("on Monday the 14th", "14 December 2026 is a Monday"),  # agrees: not a problem
        ("on 31 February", "I couldn't find that date in the calendar."),
        ("on the 31st", "I couldn't find that date in the calendar."),  # November has 30
        ("on 2nd November at 10", "That date has passed."),
        ("on Blursday at 10", "I couldn't tell which day you meant."),
    ],
)
def test_doubtful_days_are_asked_never_guessed(text: str, problem: str) -> None:
    when = parse_when(text, MONDAY, TZ)
    if "is a Monday" in problem:
        assert when.day == date(2026, 12, 14) and not when.unclear
        return
    assert when.day is None and when.unclear and when.problem == problem


def test_a_time_without_a_day_is_not_today() -> None:
    when = parse_when("book Lucy at 10", MONDAY, TZ)
    assert when.day is None and when.at == time(10, 0) and not when.unclear
    assert when.instant(TZ) is None


def test_numbers_that_are_not_dates_or_times() -> None:
    assert parse_when("my next 1-2-1", MONDAY, TZ) == parse_when("my next one", MONDAY, TZ)
    assert parse_when("a 1:1 with Kwame", MONDAY, TZ).at is None


@pytest.mark.parametrize(
    ("text", "day", "at"),
    [
        # A day of the month without a month: the next such day on or after today.
        ("on Wednesday 16th at 2pm", date(2026, 12, 16), time(14, 0)),
        ("to Monday 14th at 11", date(2026, 12, 14), time(11, 0)),
        ("on 16th at 2pm", date(2026, 12, 16), time(14, 0)),
        ("on the 23rd", date(2026, 11, 23), None),  # today
        ("on Monday the 30th", date(2026, 11, 30), None),
        # More ways to say a time.
        ("on Friday at 2 o'clock", date(2026, 11, 27), time(14, 0)),
        ("Tuesday at 1400", date(2026, 11, 24), time(14, 0)),
        ("Tuesday 0930hrs", date(2026, 11, 24), time(9, 30)),
        ("on monday at 9.30am", date(2026, 11, 30), time(9, 30)),
        ("on 3 January 2027 at 10", date(2027, 1, 3), time(10, 0)),  # a year is not a time
    ],
)  # fmt: skip
def test_days_of_the_month_and_more_times(text: str, day: date | None, at: time | None) -> None:
    when = parse_when(text, MONDAY, TZ)
    assert (when.day, when.at, when.unclear) == (day, at, False)


def test_a_weekday_that_disagrees_with_the_day_of_the_month_is_asked() -> None:
    when = parse_when("book Kwame on Friday 16th at 2pm", MONDAY, TZ)
    assert when.day is None and when.problem == "16 December 2026 is a Wednesday, not a Friday."
