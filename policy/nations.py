"""UK nations a pack may name, each with its working-day calendar (bank holidays differ)."""

from __future__ import annotations

from functools import lru_cache

from policy.calendar import NATIONS, WorkingCalendar

DEFAULT_NATION = "england"


def known_nations() -> list[str]:
    """Nation ids accepted in a pack's `nation` field."""
    return sorted(NATIONS)


@lru_cache(maxsize=len(NATIONS))
def calendar_for(nation: str = DEFAULT_NATION) -> WorkingCalendar:
    """The (shared, immutable) working calendar of a UK nation."""
    return WorkingCalendar(nation)
