"""The policy engine: pure functions over a pack. No database, no clock.

Semantics (issue 3):
- A phase "for the first six weeks" covers start <= d < start + 6 weeks.
- next_due = (last held session, or the role start when none is held) + the
  interval of the phase in force ON THAT DATE (months clamp at month end).
- Overdue as of day T: next_due < T.
- A per-person override ('weekly', 'every 3 weeks', ...) can only make
  supervision more frequent: on each date the more frequent of the override and
  the pack's phase applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from policy.calendar import WorkingCalendar
from policy.errors import PolicyError
from policy.intervals import INTERVAL_HELP, Interval, parse_interval
from policy.loader import available_packs, load_pack
from policy.model import PolicyPack, RuleRef
from policy.rules import Citation, Phase, Role

__all__ = [
    "Cadence",
    "Citation",
    "Due",
    "PolicyError",
    "PolicyPack",
    "RuleRef",
    "available_packs",
    "cadence_on",
    "is_overdue",
    "load_pack",
    "next_due",
    "parse_override",
    "plan_dates",
    "role_of",
]

OVERRIDE_RULE_ID = "override"


@dataclass(frozen=True)
class Cadence:
    """How often supervision is due on one date, and the rule that says so."""

    label: str
    every: Interval
    rule_id: str
    citation: Citation
    assumed: bool
    assumed_why: str | None
    phase: str
    override: bool = False

    @property
    def interval(self) -> relativedelta:
        return self.every.delta


@dataclass(frozen=True)
class Due:
    """When the next supervision is due, and why."""

    date: date
    cadence: Cadence

    @property
    def rule_id(self) -> str:
        return self.cadence.rule_id

    @property
    def citation(self) -> Citation:
        return self.cadence.citation

    @property
    def assumed(self) -> bool:
        return self.cadence.assumed


def parse_override(text: str) -> Interval:
    """Validate a per-person cadence override; PolicyError with the allowed words if bad."""
    try:
        interval = parse_interval(text)
    except ValueError:
        raise PolicyError(f"{text!r} is not a cadence I know; use {INTERVAL_HELP}") from None
    if interval.approx_days < 7:
        raise PolicyError(f"{text!r} is more often than weekly; the shortest cadence is weekly")
    return interval


def check_override(pack: PolicyPack, role: str, text: str) -> Interval:
    """`parse_override`, and a PolicyError when the cadence would never apply to `role`:
    an override only ever makes supervision more frequent, so one no more frequent than
    the role's least frequent phase would be recorded and then ignored everywhere."""
    interval = parse_override(text)
    r = pack.roles.get(role)
    longest = r.longest_interval if r is not None else None
    if longest is not None and interval.approx_days >= longest.approx_days:
        raise PolicyError(
            f"{text.strip()!r} is not more frequent than {longest.label}, the {pack.name} "
            f"policy's cadence for {r.title if r else role} at its least frequent; a personal "
            "cadence can only make supervision more frequent"
        )
    return interval


def role_of(pack: PolicyPack, role: str) -> Role:
    """The pack's role with this id; PolicyError naming the known roles if absent."""
    try:
        r = pack.roles[role]
    except KeyError:
        known = ", ".join(sorted(pack.roles))
        raise PolicyError(
            f"role {role!r} is not in the {pack.name} policy; roles: {known}"
        ) from None
    if not r.supervised:
        raise PolicyError(f"the {pack.name} policy sets no supervision cadence for {r.title}")
    return r


def _phase_on(r: Role, role_start: date, on: date) -> tuple[int, Phase]:
    for i, phase in enumerate(r.phases):
        end = phase.ends_after
        if end is None or on < end.after(role_start):
            return i, phase
    return len(r.phases) - 1, r.phases[-1]  # unreachable: the last phase has no end


def cadence_on(
    pack: PolicyPack, role: str, role_start: date, on: date, override: str | None = None
) -> Cadence:
    """The cadence in force on `on` for someone in `role` since `role_start`."""
    r = role_of(pack, role)
    i, phase = _phase_on(r, role_start, on)
    policy = Cadence(
        label=phase.every.label,
        every=phase.every,
        rule_id=f"roles.{role}.phases[{i}]",
        citation=phase.citation,
        assumed=phase.assumed,
        assumed_why=phase.assumed_why,
        phase=phase.when,
    )
    if override is None or not override.strip():
        return policy
    wanted = parse_override(override)
    if wanted.after(on) >= policy.every.after(on):
        return policy
    return Cadence(
        label=wanted.label,
        every=wanted,
        rule_id=OVERRIDE_RULE_ID,
        citation=pack.overrides.citation if pack.overrides else phase.citation,
        assumed=False,
        assumed_why=None,
        phase=f"personal arrangement; policy: {policy.label}, {phase.when}",
        override=True,
    )


def override_on(override: str | None, since: date | None, day: date) -> str | None:
    """The personal cadence in force on `day`: none before the day it was set."""
    return override if since is None or since <= day else None


def next_due(
    pack: PolicyPack,
    role: str,
    role_start: date,
    last_held: date | None,
    override: str | None = None,
    override_since: date | None = None,
) -> Due:
    """Last held session (or role start) + the interval of the phase in force that day.

    A personal cadence set on `override_since`, after that session, counts from the day it
    was set: a weekly plan agreed today is first due in a week, not a week after a session
    held a month ago; but never later than the role's own cadence would have it due.
    """
    base = last_held if last_held is not None else role_start
    cadence = cadence_on(pack, role, role_start, base, override)
    due = cadence.every.after(base)
    if cadence.override and override_since is not None and override_since > base:
        policy = cadence_on(pack, role, role_start, base)
        by_policy = policy.every.after(base)
        from_set = cadence.every.after(override_since)
        if by_policy <= from_set:
            return Due(date=by_policy, cadence=policy)
        return Due(date=from_set, cadence=cadence)
    return Due(date=due, cadence=cadence)


def is_overdue(due: date, today: date) -> bool:
    """Overdue as of `today` when the due date has passed (due < today)."""
    return due < today


def plan_dates(
    pack: PolicyPack,
    role: str,
    role_start: date,
    last_held: date | None,
    from_day: date,
    until_day: date,
    calendar: WorkingCalendar | None = None,
    override: str | None = None,
    override_since: date | None = None,
) -> list[date]:
    """Proposed session dates in [from_day, until_day], on working days, meeting the cadence.

    Each date is the last working day on or before the due date computed from the
    previous one (never later than due); an already overdue session is proposed on
    the first working day from `from_day`.
    """
    cal = calendar or pack.calendar()
    dates: list[date] = []
    last = last_held
    while True:
        due = next_due(pack, role, role_start, last, override, override_since).date
        floor = from_day if last is None or last < from_day else last + relativedelta(days=1)
        day = cal.on_or_before(due)
        if day < floor:
            day = cal.on_or_after(floor)
        if day > until_day:
            return dates
        dates.append(day)
        last = day


def role_supervisor_ids(pack: PolicyPack, role: str) -> list[str]:
    """Role ids that may supervise `role` under this pack."""
    return list(role_of(pack, role).supervised_by)


def rule_for(pack: PolicyPack, rule_id: str) -> RuleRef:
    """The rule with this id; PolicyError if the pack has none."""
    try:
        return pack.rule(rule_id)
    except KeyError:
        raise PolicyError(f"the {pack.name} policy has no rule {rule_id!r}") from None
