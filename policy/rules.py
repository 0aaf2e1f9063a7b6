"""The building blocks of a policy pack: citations, rules, role cadences, duties.

Every rule carries a `citation` (document, section, a short quote copied from
the document). A value the document leaves to local agreement is a default
marked `assumed: true` with `assumed_why`; it is never shown as policy.
"""

from __future__ import annotations

from datetime import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from policy.intervals import Interval, parse_duration, parse_interval


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not silently drop a rule)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(Strict):
    """Where a rule comes from: document, section and a short verbatim quote."""

    document: str = Field(min_length=1)
    section: str = Field(min_length=1)
    quote: str = Field(min_length=1)

    @field_validator("section", mode="before")
    @classmethod
    def _section_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int | float) else v

    @field_validator("quote")
    @classmethod
    def _one_line(cls, v: str) -> str:
        # Table cells in the documents are tab-separated; quotes read as one line.
        return " ".join(v.split())

    def where(self) -> str:
        """'s4.4' for numbered sections, the heading otherwise."""
        return f"s{self.section}" if self.section[:1].isdigit() else self.section

    def __str__(self) -> str:
        return f'{self.document}, {self.where()}: "{self.quote}"'


class Rule(Strict):
    """Any rule: its source, and whether its value is a local assumption."""

    citation: Citation
    see_also: list[Citation] = Field(default_factory=list)
    assumed: bool = False
    assumed_why: str | None = None
    reading: str | None = Field(
        default=None, description="how the document's words become these numbers"
    )

    @model_validator(mode="after")
    def _assumption_explained(self) -> Rule:
        if self.assumed and not (self.assumed_why and self.assumed_why.strip()):
            raise ValueError(
                "@assumed_why: assumed: true needs assumed_why (say why this default was chosen)"
            )
        if not self.assumed and self.assumed_why:
            raise ValueError("@assumed_why: only for rules marked assumed: true")
        return self


def _interval(v: Any) -> Any:
    if isinstance(v, str):
        parse_interval(v)
        return v
    raise ValueError("expected a text interval such as 'monthly'")


def _duration(v: Any) -> Any:
    if isinstance(v, str):
        parse_duration(v)
        return v
    raise ValueError("expected a text duration such as '6 weeks'")


class Phase(Rule):
    """One stretch of a role's cadence, measured from the role start date.

    The phase covers start + (previous phase's `until`) <= d < start + `until`;
    the last phase has no `until` and lasts for good.
    """

    when: str = Field(min_length=1, description="human text, e.g. 'first six weeks'")
    until: str | None = None
    interval: str

    _check_interval = field_validator("interval", mode="before")(_interval)

    @field_validator("until", mode="before")
    @classmethod
    def _check_until(cls, v: Any) -> Any:
        return v if v is None else _duration(v)

    @property
    def every(self) -> Interval:
        return parse_interval(self.interval)

    @property
    def ends_after(self) -> Interval | None:
        return None if self.until is None else parse_duration(self.until)


class Milestone(Rule):
    """A dated event after role start (e.g. ASYE reviews at 3, 6, 9 and 11 months)."""

    what: str = Field(min_length=1)
    after: str

    _check_after = field_validator("after", mode="before")(_duration)

    @property
    def offset(self) -> Interval:
        return parse_duration(self.after)


class Role(Rule):
    """A role the document names: who supervises it (cited) and how often (phases)."""

    title: str = Field(min_length=1)
    supervised_by: list[str] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    note: str | None = None

    @property
    def supervised(self) -> bool:
        """False for roles that only supervise others under this pack."""
        return bool(self.phases)

    @property
    def longest_interval(self) -> Interval | None:
        """The least frequent cadence this role ever has."""
        if not self.phases:
            return None
        return max((p.every for p in self.phases), key=lambda i: i.approx_days)

    @model_validator(mode="after")
    def _phase_order(self) -> Role:
        for i, phase in enumerate(self.phases):
            last = i == len(self.phases) - 1
            if last and phase.until is not None:
                raise ValueError(f"@phases[{i}].until: the last phase must not have 'until'")
            if not last and phase.until is None:
                raise ValueError(f"@phases[{i}].until: every phase but the last needs 'until'")
        ends = [p.ends_after for p in self.phases[:-1]]
        for i in range(1, len(ends)):
            prev, cur = ends[i - 1], ends[i]
            if prev is not None and cur is not None and cur.approx_days <= prev.approx_days:
                raise ValueError(
                    f"@phases[{i}].until: {cur.span} must be later than the previous "
                    f"phase's end ({prev.span})"
                )
        return self


class Records(Rule):
    """Record duties, in working days after the session (the session day never counts)."""

    share_within_working_days: int = Field(ge=0, le=60)
    sign_within_working_days: int | None = Field(default=None, ge=0, le=60)
    silence_means_agreement: bool = False


class Rearranging(Rule):
    within_working_days: int = Field(ge=0, le=60)
    after_sickness_working_days: int = Field(ge=0, le=60)


class Absence(Rule):
    """Escalate when the supervisor is absent MORE than this many working days."""

    supervisor_absent_working_days: int = Field(ge=1, le=120)


class Ratio(Rule):
    guide_min_supervisees: int | None = Field(default=None, ge=1)
    max_supervisees: int | None = Field(default=None, ge=1)


class Planning(Rule):
    horizon_months: int = Field(ge=1, le=24)


class Agreement(Rule):
    renew_months: int = Field(ge=1, le=60)
    on_supervisor_change: bool = True


class Escalation(Rule):
    overdue_grace_working_days: int = Field(ge=0, le=60)


class SessionReminder(Strict):
    """Either `working_days_before` + `at` (recipient's local time) or `hours_before`."""

    working_days_before: int | None = Field(default=None, ge=0, le=30)
    at: time | None = None
    hours_before: float | None = Field(default=None, gt=0, le=72)

    @model_validator(mode="after")
    def _one_form(self) -> SessionReminder:
        by_day = self.working_days_before is not None
        if by_day and self.hours_before is not None:
            raise ValueError("give either working_days_before + at, or hours_before, not both")
        if by_day and self.at is None:
            raise ValueError("working_days_before needs 'at' (a local time such as 09:00)")
        if not by_day and self.hours_before is None:
            raise ValueError("give either working_days_before + at, or hours_before")
        if not by_day and self.at is not None:
            raise ValueError("'at' goes with working_days_before")
        return self

    def describe(self) -> str:
        if self.hours_before is not None:
            return f"{self.hours_before:g} hour(s) before"
        at = self.at.strftime("%H:%M") if self.at else ""
        return f"{self.working_days_before} working day(s) before at {at}"


class Reminders(Rule):
    session: list[SessionReminder] = Field(min_length=1)
    outcome_check_minutes_after: int = Field(ge=0, le=24 * 60)
    record_due_working_days_before: int = Field(ge=0, le=30)
    signing_working_days_before: int = Field(ge=0, le=30)
    booking_nudge_working_days_before_due: int = Field(ge=0, le=60)
    action_due_working_days_before: int = Field(ge=0, le=30)
    # Tell supervisors, on the first working day of each month, who is short of a yearly
    # minimum counted from recorded sessions (off: `status` still reports it).
    minimum_reminders: bool = True


SessionKind = Literal["individual", "appraisal", "observation", "group"]


class Minimum(Rule):
    """At least `count` of something each year (sessions, appraisals, observations)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    what: str = Field(min_length=1)
    count: int = Field(ge=1, le=366)
    per: str = "year"
    applies_to: list[str] | None = None
    # Which recorded sessions count towards it (sessions.csv `kind`); None: not tracked.
    session_kind: SessionKind | None = None

    @field_validator("per")
    @classmethod
    def _per_year(cls, v: str) -> str:
        if v != "year":
            raise ValueError("only 'year' is supported")
        return v


class Periodic(Rule):
    """Something due every `interval` (group supervision, case review, appraisal)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    what: str = Field(min_length=1)
    interval: str
    applies_to: list[str] | None = None
    session_kind: SessionKind | None = None

    _check_interval = field_validator("interval", mode="before")(_interval)

    @property
    def every(self) -> Interval:
        return parse_interval(self.interval)


class Overrides(Rule):
    """Where the document allows a person more frequent supervision (e.g. a performance plan).

    Overrides only ever make supervision more frequent than the role's cadence.
    """


class Deadline(Rule):
    """Something due within `days` (working days unless `working_days: false`) of an event,
    or within a calendar `span` such as '6 years'."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    what: str = Field(min_length=1)
    after_event: str = Field(min_length=1)
    days: int | None = Field(default=None, ge=0, le=365)
    working_days: bool = True
    span: str | None = None

    @field_validator("span", mode="before")
    @classmethod
    def _check_span(cls, v: Any) -> Any:
        return v if v is None else _duration(v)

    @model_validator(mode="after")
    def _one_measure(self) -> Deadline:
        if (self.days is None) == (self.span is None):
            raise ValueError("give either days (with working_days) or span, not both")
        return self

    @property
    def within(self) -> Interval | None:
        return None if self.span is None else parse_duration(self.span)


class CaseSupervision(Periodic):
    """How often each case is discussed, optionally by rating (Darlington's RAG)."""

    rating: str | None = None
