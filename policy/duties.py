"""Timed duties as dates: records, rearranging, absence, agreements, escalation, reminders.

Pure functions over a pack; "N working days after D" counts working days strictly
after D (D itself never counts), in the pack's nation's calendar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from policy.calendar import WorkingCalendar
from policy.engine import role_of
from policy.errors import PolicyError
from policy.intervals import add_months
from policy.model import PolicyPack, RuleRef
from policy.rules import Citation, Milestone


@dataclass(frozen=True)
class Deadline:
    """A dated duty with the rule behind it."""

    date: date
    rule_id: str
    citation: Citation
    assumed: bool


def _cal(pack: PolicyPack, calendar: WorkingCalendar | None) -> WorkingCalendar:
    return calendar or pack.calendar()


def record_share_by(pack: PolicyPack, held_on: date,
                    calendar: WorkingCalendar | None = None) -> Deadline:
    """The day by which the supervisor shares the record of a session held on `held_on`."""
    r = pack.records
    due = _cal(pack, calendar).add_working_days(held_on, r.share_within_working_days)
    return Deadline(due, "records", r.citation, r.assumed)


def record_sign_by(pack: PolicyPack, shared_on: date, next_session: date | None = None,
                   calendar: WorkingCalendar | None = None) -> Deadline | None:
    """The day by which the supervisee signs or agrees a record shared on `shared_on`.

    Packs that sign "at the next session" give `next_session` (None when none is booked).
    """
    r = pack.records
    if r.sign_within_working_days is None:
        if next_session is None:
            return None
        return Deadline(next_session, "records", r.citation, r.assumed)
    due = _cal(pack, calendar).add_working_days(shared_on, r.sign_within_working_days)
    return Deadline(due, "records", r.citation, r.assumed)


def rearrange_by(pack: PolicyPack, original: date,
                 calendar: WorkingCalendar | None = None) -> Deadline:
    """The latest day a rearranged session may take place (from the original date)."""
    g = pack.rearranging
    due = _cal(pack, calendar).add_working_days(original, g.within_working_days)
    return Deadline(due, "rearranging", g.citation, g.assumed)


def rebook_after_sickness_by(pack: PolicyPack, back_at_work: date,
                             calendar: WorkingCalendar | None = None) -> Deadline:
    """The latest day for the rebooked session, counted from the day the person is back.

    `back_at_work` is the first day back; the count starts after it (it never counts).
    """
    g = pack.rearranging
    due = _cal(pack, calendar).add_working_days(back_at_work, g.after_sickness_working_days)
    return Deadline(due, "rearranging", g.citation, g.assumed)


def absence_escalates_on(pack: PolicyPack, first_day_absent: date,
                         calendar: WorkingCalendar | None = None) -> Deadline:
    """The working day on which a supervisor still absent has been away MORE than the limit.

    With a limit of 10 this is the 11th consecutive working day of absence.
    """
    cal = _cal(pack, calendar)
    a = pack.absence
    first_working = cal.on_or_after(first_day_absent)
    due = cal.add_working_days(first_working, a.supervisor_absent_working_days)
    return Deadline(due, "absence", a.citation, a.assumed)


def absence_exceeds_limit(pack: PolicyPack, absent_working_days: int) -> bool:
    """True when this many consecutive working days away is more than the pack allows."""
    return absent_working_days > pack.absence.supervisor_absent_working_days


def agreement_due(pack: PolicyPack, signed_on: date | None, supervisor_since: date | None
                  ) -> Deadline:
    """When a (new) supervision agreement is due.

    No agreement yet: due when the supervisory relationship began (`supervisor_since`).
    A change of supervisor after the last signing makes one due on the change date
    (when the pack renews on a change); otherwise the annual (renew_months) renewal.
    """
    ag = pack.agreement
    if signed_on is None:
        if supervisor_since is None:
            raise PolicyError("an agreement needs a signing date or a supervisor start date")
        return Deadline(supervisor_since, "agreement", ag.citation, ag.assumed)
    renewal = add_months(signed_on, ag.renew_months)
    if ag.on_supervisor_change and supervisor_since is not None and supervisor_since > signed_on:
        renewal = min(renewal, supervisor_since)
    return Deadline(renewal, "agreement", ag.citation, ag.assumed)


def ratio_exceeded(pack: PolicyPack, supervisees: int) -> bool:
    """True when a supervisor has more supervisees than the pack's maximum."""
    limit = pack.ratio.max_supervisees
    return limit is not None and supervisees > limit


def planning_horizon_end(pack: PolicyPack, today: date) -> date:
    """Sessions should be booked up to this day (today + the planning horizon)."""
    return add_months(today, pack.planning.horizon_months)


def overdue_escalates_on(pack: PolicyPack, due: date,
                         calendar: WorkingCalendar | None = None) -> Deadline:
    """The first day on which supervision still not held after `due` is escalated.

    Overdue starts the day after `due`; the grace is that many working days after
    `due`; escalation is the next working day after the grace ends.
    """
    e = pack.escalation
    day = _cal(pack, calendar).add_working_days(due, e.overdue_grace_working_days + 1)
    return Deadline(day, "escalation", e.citation, e.assumed)


def milestones(pack: PolicyPack, role: str, role_start: date) -> list[tuple[date, Milestone]]:
    """The role's dated milestones (e.g. ASYE reviews) from its start date."""
    r = role_of(pack, role)
    return [(m.offset.after(role_start), m) for m in r.milestones]


def applying_to(pack: PolicyPack, role: str) -> list[RuleRef]:
    """The role's own rules plus every minimum and regular activity that applies to it."""
    role_of(pack, role)
    own = [r for r in pack.rules()
           if r.rule_id == f"roles.{role}" or r.rule_id.startswith(f"roles.{role}.")]
    shared = [
        *(m for m in pack.minimums if m.applies_to is None or role in m.applies_to),
        *(p for p in pack.periodic if p.applies_to is None or role in p.applies_to),
    ]
    ids = {f"minimums.{m.id}" for m in pack.minimums} | {f"periodic.{p.id}" for p in pack.periodic}
    wanted = {id(rule) for rule in shared}
    return own + [r for r in pack.rules() if r.rule_id in ids and id(r.rule) in wanted]


def case_review_due(pack: PolicyPack, rule: str, last_review: date) -> Deadline:
    """Next case supervision for a case last reviewed on `last_review`.

    `rule` is a case_supervision id or rating (e.g. Darlington 'red', 'amber', 'green').
    """
    for c in pack.case_supervision:
        if rule in (c.id, c.rating):
            return Deadline(c.every.after(last_review), f"case_supervision.{c.id}",
                            c.citation, c.assumed)
    known = ", ".join(c.rating or c.id for c in pack.case_supervision) or "none"
    raise PolicyError(f"the {pack.name} policy has no case supervision rule {rule!r}; "
                      f"known: {known}")


def deadline_after(pack: PolicyPack, deadline_id: str, event_day: date,
                   calendar: WorkingCalendar | None = None) -> Deadline:
    """A pack deadline (e.g. Darlington 'case_allocation_oversight') after an event."""
    for d in pack.deadlines:
        if d.id == deadline_id:
            if d.within is not None:
                day = d.within.after(event_day)
            elif d.working_days:
                day = _cal(pack, calendar).add_working_days(event_day, d.days or 0)
            else:
                day = event_day + timedelta(days=d.days or 0)
            return Deadline(day, f"deadlines.{d.id}", d.citation, d.assumed)
    raise PolicyError(f"the {pack.name} policy has no deadline {deadline_id!r}")


def session_reminder_instants(pack: PolicyPack, session_start: datetime, timezone: str,
                              calendar: WorkingCalendar | None = None) -> list[datetime]:
    """When to remind about a session starting at `session_start` (aware), earliest first.

    `working_days_before` reminders fire at `at` local time (the recipient's timezone)
    that many working days before the session's local date; `hours_before` ones fire
    that long before the start. Results are aware datetimes in UTC.
    """
    if session_start.tzinfo is None:
        raise PolicyError("session_start must be timezone-aware")
    try:
        tz = ZoneInfo(timezone)
    except (ValueError, KeyError):
        raise PolicyError(f"unknown timezone {timezone!r}") from None
    cal = _cal(pack, calendar)
    local_day = session_start.astimezone(tz).date()
    start_utc = session_start.astimezone(UTC)  # elapsed hours, not wall-clock, across DST
    out: list[datetime] = []
    for r in pack.reminders.session:
        if r.hours_before is not None:
            out.append(start_utc - timedelta(hours=r.hours_before))
        elif r.working_days_before is not None and r.at is not None:
            day = cal.subtract_working_days(local_day, r.working_days_before)
            out.append(datetime.combine(day, r.at, tzinfo=tz))
    return sorted(i.astimezone(UTC) for i in out)


@dataclass(frozen=True)
class MinimumProgress:
    """How far a person is towards a yearly minimum over the twelve months to a day."""

    rule_id: str
    what: str
    session_kind: str
    held: int  # sessions of that kind held in the window
    required: int  # the yearly count, pro rata when the role began inside the window
    # The later of a year ago and the start of the person's unbroken run of roles the
    # minimum applies to (pro rata from then: a newly qualified worker becoming a social
    # worker carries on, a new starter counts from their start).
    window_start: date
    citation: Citation
    assumed: bool

    @property
    def met(self) -> bool:
        return self.held >= self.required


def minimums_window(today: date) -> date:
    """The first day of the twelve months ending `today` (counts run over this window)."""
    return today - relativedelta(years=1) + timedelta(days=1)


def minimum_progress(
    pack: PolicyPack,
    role: str,
    role_start: date,
    held: Mapping[str, int],
    today: date,
    history: Sequence[tuple[date, str]] = (),
) -> list[MinimumProgress]:
    """Each tracked yearly minimum of `role`: `held` counts sessions by kind (individual,
    appraisal, observation, group) held from `minimums_window(today)` to `today`.

    Someone under a minimum for less than a year needs a share of the count in proportion
    to their days under it (rounded down): 10 a year is 5 after six months. They are under
    it from the start of their unbroken run of roles it applies to, read from `history`
    (role starts and roles, oldest first; none: since `role_start`).
    """
    role_of(pack, role)
    start = minimums_window(today)
    span = (today - start).days + 1
    progress: list[MinimumProgress] = []
    refs = {id(r.rule): r for r in pack.rules()}
    for m in pack.minimums:
        if m.session_kind is None or (m.applies_to is not None and role not in m.applies_to):
            continue
        since = max(start, _under_since(history, role_start, m.applies_to, today))
        days = max(0, (today - since).days + 1)
        ref = refs[id(m)]
        progress.append(MinimumProgress(
            rule_id=ref.rule_id, what=m.what, session_kind=m.session_kind,
            held=held.get(m.session_kind, 0), required=m.count * days // span,
            window_start=since, citation=ref.citation, assumed=ref.assumed,
        ))  # fmt: skip
    return progress


def _under_since(
    history: Sequence[tuple[date, str]], role_start: date, roles: list[str] | None, today: date
) -> date:
    """When the run of roles among `roles` (None: any) that the person holds on `today`
    began: the start of the earliest role of the run in `history`, else `role_start`."""
    began = role_start
    for start, role in reversed([h for h in history if h[0] <= today]):
        if roles is not None and role not in roles:
            break
        began = min(began, start)
    return began
