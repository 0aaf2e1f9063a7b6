"""Properties that hold for every pack, role, date and override."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from policy.calendar import WorkingCalendar
from policy.engine import cadence_on, load_pack, next_due, parse_override, plan_dates
from policy.intervals import Interval, parse_duration, parse_interval
from policy.model import PolicyPack

PACKS = {name: load_pack(name) for name in ("leeds", "warwickshire", "darlington", "lancashire")}
SUPERVISED = [(name, role) for name, pack in PACKS.items()
              for role, r in pack.roles.items() if r.supervised]
OVERRIDES = [None, "weekly", "fortnightly", "every 3 weeks", "monthly", "every 2 months"]
ENGLAND = WorkingCalendar("england")
BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2032))

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
pack_roles = st.sampled_from(SUPERVISED)


def _pack(name: str) -> PolicyPack:
    return PACKS[name]


@given(pack_roles, days, st.integers(min_value=0, max_value=900), st.sampled_from(OVERRIDES))
def test_next_due_is_after_the_last_session_and_within_the_roles_longest_interval(
    pr: tuple[str, str], start: date, offset: int, override: str | None
) -> None:
    name, role = pr
    pack = _pack(name)
    last = start + timedelta(days=offset)
    due = next_due(pack, role, start, last, override)
    longest = pack.roles[role].longest_interval
    assert longest is not None
    assert due.date > last
    assert due.date >= last + timedelta(days=7)
    assert due.date <= longest.after(last)


@given(pack_roles, days, st.integers(min_value=0, max_value=900), st.sampled_from(OVERRIDES[1:]))
def test_an_override_never_makes_supervision_less_frequent(
    pr: tuple[str, str], start: date, offset: int, override: str
) -> None:
    name, role = pr
    last = start + timedelta(days=offset)
    plain = next_due(_pack(name), role, start, last)
    personal = next_due(_pack(name), role, start, last, override)
    assert personal.date <= plain.date
    assert personal.date <= parse_override(override).after(last)


@given(pack_roles, days)
def test_no_session_yet_counts_from_the_role_start(pr: tuple[str, str], start: date) -> None:
    name, role = pr
    due = next_due(_pack(name), role, start, None)
    assert due.date == cadence_on(_pack(name), role, start, start).every.after(start)


@given(pack_roles, days, st.integers(min_value=0, max_value=200), st.integers(30, 200))
def test_planned_dates_are_working_days_that_keep_the_cadence(
    pr: tuple[str, str], start: date, lead: int, span: int
) -> None:
    name, role = pr
    pack = _pack(name)
    last = start + timedelta(days=lead)
    from_day = last + timedelta(days=1)
    until = from_day + timedelta(days=span)
    planned = plan_dates(pack, role, start, last, from_day, until)
    previous = last
    for d in planned:
        assert pack.calendar().is_working_day(d)
        assert from_day <= d <= until
        assert previous < d <= next_due(pack, role, start, previous).date
        previous = d
    # nothing more could be planned before `until` without breaking the cadence
    assert ENGLAND.on_or_before(next_due(pack, role, start, previous).date) > until


@given(days, st.integers(min_value=0, max_value=60))
def test_add_working_days_skips_exactly_weekends_and_bank_holidays(d: date, n: int) -> None:
    result = ENGLAND.add_working_days(d, n)
    span = [d + timedelta(days=i) for i in range(1, (result - d).days + 1)]
    working = [x for x in span if x.weekday() < 5 and x not in BANK_HOLIDAYS]
    assert len(working) == n
    if n:
        assert working[-1] == result
    assert ENGLAND.working_days_between(d, result) == n
    assert ENGLAND.subtract_working_days(result, n) == ENGLAND.on_or_before(d) or n == 0


@given(st.sampled_from(["days", "weeks", "months", "years"]), st.integers(1, 3))
def test_interval_labels_parse_back(unit: str, count: int) -> None:
    interval = Interval(count, unit)
    assert parse_interval(interval.label) == interval
    assert parse_duration(interval.span) == interval


@settings(max_examples=50)
@given(days)
def test_months_clamp_at_month_end(d: date) -> None:
    after = Interval(1, "months").after(d)
    assert after.day <= d.day
    assert (after.year * 12 + after.month) - (d.year * 12 + d.month) == 1


@given(
    pack_roles, days, st.integers(min_value=0, max_value=900), st.sampled_from(OVERRIDES[1:]),
    st.integers(min_value=0, max_value=120),
)
def test_a_personal_cadence_counts_from_the_day_it_was_set(
    pr: tuple[str, str], start: date, offset: int, override: str, later: int
) -> None:
    """Set `later` days after the last session: due one interval after that day, or by the
    role's own cadence if that comes first; never before either rule would have it."""
    name, role = pr
    pack = _pack(name)
    last = start + timedelta(days=offset)
    set_on = last + timedelta(days=later)
    plain = next_due(pack, role, start, last)
    back = next_due(pack, role, start, last, override)  # read back from the last session
    personal = next_due(pack, role, start, last, override, set_on)
    assert personal.date <= plain.date
    assert personal.date >= back.date
    if personal.date < plain.date:
        assert personal.date == parse_override(override).after(set_on)
    if later == 0:
        assert personal == back
