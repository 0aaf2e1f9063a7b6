"""The facts a timeline reads, as plain values: each with only what was known at the
timeline's instant (`storage.timeline`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from storage.status_queries import PersonFacts


@dataclass(frozen=True)
class KnownSession:
    """A session with only the state changes known at the timeline's instant."""

    id: int
    supervisee_id: str
    supervisor_id: str | None
    kind: str
    scheduled_at: datetime
    duration_minutes: int
    booked_at: datetime
    held_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    rearranged_from_id: int | None
    record_shared_at: datetime | None
    record_signed_at: datetime | None
    record_deemed_agreed_at: datetime | None

    @property
    def ends_at(self) -> datetime:
        return self.scheduled_at + timedelta(minutes=self.duration_minutes)

    @property
    def pending(self) -> bool:
        """Booked, and neither held nor cancelled (as known)."""
        return self.held_at is None and self.cancelled_at is None


@dataclass(frozen=True, slots=True)
class KnownPerson:
    """A person's row as the timeline read it: a plain value (the planners read these
    attributes many thousand times a pass), one object per person per timeline."""

    id: str
    name: str
    email: str | None
    role: str
    supervisor_id: str | None
    role_start: date
    slack_user_id: str | None
    teams_user_id: str | None
    team: str | None
    timezone: str
    cadence_override: str | None
    cadence_override_reason: str | None
    active: bool
    cadence_override_since: date | None

    def facts(self) -> PersonFacts:
        """The columns the compliance status needs."""
        return PersonFacts(
            self.id, self.name, self.role, self.team, self.role_start, self.timezone,
            self.cadence_override, self.cadence_override_since,
        )  # fmt: skip


@dataclass(frozen=True)
class KnownAbsence:
    id: int
    person_id: str
    first_day: date
    last_day: date
    reason: str


@dataclass(frozen=True)
class KnownAgreement:
    supervisee_id: str
    supervisor_id: str
    signed_on: date


@dataclass(frozen=True)
class KnownAction:
    id: int
    session_id: int | None
    supervisee_id: str
    owner_id: str
    text: str
    due_on: date
    created_at: datetime
