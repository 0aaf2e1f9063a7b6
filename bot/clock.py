"""The one injectable clock. Nothing else in the code base reads the system time.

Every instant the application handles is timezone-aware. Code that needs "now"
takes a `Clock` argument; tests, `status --as-of` and `simulate` pass a
`FixedClock` or `VirtualClock` so they can run at any instant.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Europe/London"

# The years a date given to the bot may fall in (an export, --as-of, --from): anything else
# is a typo (9999-12-31 for "no end", 0026 for 2026) and would break date arithmetic a
# year or two further on.
FIRST_YEAR, LAST_YEAR = 1900, 2100
# How far ahead a session may be booked or an action fall due: further is a typo too.
MAX_YEARS_AHEAD = 5


def plausible_year(year: int) -> bool:
    """Whether a date in `year` can be meant (see FIRST_YEAR, LAST_YEAR)."""
    return FIRST_YEAR <= year <= LAST_YEAR


class Clock(Protocol):
    """Something that knows what time it is."""

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The real clock: the only place that reads the system time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that always answers the same instant (for `--as-of` and tests)."""

    def __init__(self, at: datetime) -> None:
        require_aware(at)
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at


class VirtualClock:
    """A clock that only moves when told to (simulation and tests)."""

    def __init__(self, start: datetime) -> None:
        require_aware(start)
        self._at = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        """Move to `at`; a virtual clock never goes backwards."""
        require_aware(at)
        with self._lock:
            at = at.astimezone(UTC)
            if at < self._at:
                raise ValueError(f"virtual clock cannot go back from {self._at} to {at}")
            self._at = at

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        with self._lock:
            self._at = self._at + timedelta(**delta)


def require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.tzinfo.utcoffset(at) is None:
        raise ValueError(f"naive datetime {at!r}: every instant must carry a timezone")


@lru_cache(maxsize=512)
def zone(name: str | None) -> tzinfo:
    """The ZoneInfo for `name`, Europe/London when empty."""
    return ZoneInfo(name or DEFAULT_TZ)


def local_instant(day: date, at: time, tz_name: str | None) -> datetime:
    """The aware instant of wall-clock time `at` on `day` in timezone `tz_name`.

    Wall times that do not exist (the spring-forward gap) resolve forward by
    zoneinfo's fold rules; ambiguous ones (autumn) take the first occurrence.
    """
    return datetime.combine(day, at, tzinfo=zone(tz_name))


def local_date(at: datetime, tz_name: str | None) -> date:
    """The calendar date of instant `at` in timezone `tz_name`."""
    require_aware(at)
    # Cached by the instant in UTC: two local times an hour apart in the autumn repeat
    # (fold 0 and 1) compare equal in their own zone, and would share an answer.
    return _utc_local_date(at.astimezone(UTC), tz_name)


@lru_cache(maxsize=8192)  # planning asks for the same few instants in the same zones
def _utc_local_date(at: datetime, tz_name: str | None) -> date:
    return at.astimezone(zone(tz_name)).date()


def start_of_day(day: date, tz_name: str | None) -> datetime:
    """Midnight at the start of `day` in `tz_name`, as an aware instant."""
    return local_instant(day, time(0, 0), tz_name)


def ceil_hour(at: datetime) -> datetime:
    """The next top of the hour (UTC) at or after `at`: when the hourly sweep sees a fact."""
    at = at.astimezone(UTC)
    floor = at.replace(minute=0, second=0, microsecond=0)
    return floor if floor == at else floor + timedelta(hours=1)
