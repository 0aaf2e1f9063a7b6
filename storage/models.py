"""The organisation's tables.

Every state change carries the instant it happened, so the state of the
organisation as of any instant is derived from the same rows (`status --as-of`,
`simulate`). Instants are aware and stored as UTC (`UTCDateTime`); calendar days
(role start, absences, agreement dates) are plain dates.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _instant(*, nullable: bool = True, index: bool = False) -> datetime | None:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class OrgSetting(SQLModel, table=True):
    """Organisation-wide key/value settings: the policy pack, fallback recipient."""

    __tablename__ = "org_setting"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=4000)


class StoredPack(SQLModel, table=True):
    """The text of the custom policy pack `init --policy FILE` read: every replica plans
    from the same pack, whatever files its own machine has."""

    __tablename__ = "stored_pack"
    key: str = Field(primary_key=True, max_length=64)
    origin: str = Field(max_length=1000)  # the file it was read from
    text: str = Field(sa_column=Column(Text, nullable=False))
    stored_at: datetime = _instant(nullable=False)  # type: ignore[assignment]


class Person(SQLModel, table=True):
    """A member of staff: supervisee, supervisor, line manager or all three."""

    __tablename__ = "person"
    id: str = Field(primary_key=True, max_length=128, description="staff number or email")
    name: str = Field(max_length=200)
    # Stored in lower case (import and updates normalise it), so lookups by email can
    # compare with `==` and use this index.
    email: str | None = Field(default=None, max_length=320, index=True)
    role: str = Field(max_length=64, index=True)
    supervisor_id: str | None = Field(default=None, foreign_key="person.id", index=True)
    role_start: date
    slack_user_id: str | None = Field(default=None, max_length=32, unique=True)
    teams_user_id: str | None = Field(default=None, max_length=200, unique=True)
    team: str | None = Field(default=None, max_length=200, index=True)
    timezone: str = Field(default="Europe/London", max_length=64)
    cadence_override: str | None = Field(
        default=None,
        max_length=32,
        description="per-person cadence (e.g. 'weekly') when a plan requires more",
    )
    cadence_override_reason: str | None = Field(default=None, max_length=500)
    # The day the personal cadence was set: it counts from then (None: set before this was
    # recorded, and read as before, from the last session).
    cadence_override_since: date | None = None
    active: bool = Field(default=True, index=True)


class SupervisorChange(SQLModel, table=True):
    """History of who supervised whom from when (a change makes a new agreement due)."""

    __tablename__ = "supervisor_change"
    __table_args__ = (
        Index("ix_supervisor_change_person_eff", "person_id", "effective"),
        # The engine's "what changed" and "next fact" reads (see storage/timeline.py).
        Index("ix_supervisor_change_effective", "effective"),
        Index("ix_supervisor_change_recorded", "recorded_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id")
    supervisor_id: str | None = Field(default=None, foreign_key="person.id", index=True)
    effective: date
    recorded_at: datetime = _instant(nullable=False)  # type: ignore[assignment]


class RoleChange(SQLModel, table=True):
    """A person's role from `role_start` on (the history behind `Person.role`).

    Written by every change of role (`people set-role`, an HR import): the first change
    also records the role held before it, so "as of" a past day the status and the
    replay use the role held that day. A person with no rows has always held their
    `Person.role`.
    """

    __tablename__ = "role_change"
    __table_args__ = (
        Index("ix_role_change_person_start", "person_id", "role_start"),
        # The engine's "what changed" and "next fact" reads (see storage/timeline.py).
        Index("ix_role_change_start", "role_start"),
        Index("ix_role_change_recorded", "recorded_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id")
    role: str = Field(max_length=64)
    role_start: date
    recorded_at: datetime = _instant(nullable=False)  # type: ignore[assignment]


class SupervisionSession(SQLModel, table=True):
    """One supervision session, with the instant of every state change.

    Rearranging cancels this row (reason 'rearranged') and books a new row whose
    `rearranged_from_id` points here, so the original date stays on record.
    """

    __tablename__ = "supervision_session"
    __table_args__ = (
        Index("ix_session_supervisee_sched", "supervisee_id", "scheduled_at"),
        Index("ix_session_supervisor_sched", "supervisor_id", "scheduled_at"),
        # The engine's "what changed" and "next fact" reads: one seek per state change.
        Index("ix_session_booked", "booked_at"),
        Index("ix_session_cancelled", "cancelled_at"),
        Index("ix_session_shared", "record_shared_at"),
        Index("ix_session_signed", "record_signed_at"),
        Index("ix_session_deemed", "record_deemed_agreed_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    supervisee_id: str = Field(foreign_key="person.id")
    supervisor_id: str | None = Field(default=None, foreign_key="person.id")
    kind: str = Field(default="individual", max_length=32)  # individual|group|appraisal|observation
    scheduled_at: datetime = _instant(nullable=False, index=True)  # type: ignore[assignment]
    duration_minutes: int = Field(default=90)
    booked_at: datetime = _instant(nullable=False)  # type: ignore[assignment]
    held_at: datetime | None = _instant(index=True)
    cancelled_at: datetime | None = _instant()
    cancel_reason: str | None = Field(default=None, max_length=500)
    rearranged_from_id: int | None = Field(default=None, foreign_key="supervision_session.id")
    record_shared_at: datetime | None = _instant()
    record_signed_at: datetime | None = _instant()
    record_deemed_agreed_at: datetime | None = _instant()
    prep_shared_at: datetime | None = _instant()


class Absence(SQLModel, table=True):
    """Sickness, annual leave or other absence, whole days inclusive."""

    __tablename__ = "absence"
    __table_args__ = (
        Index("ix_absence_person_days", "person_id", "first_day", "last_day"),
        Index("ix_absence_first_day", "first_day"),
        Index("ix_absence_recorded", "recorded_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id")
    first_day: date
    last_day: date
    reason: str = Field(max_length=32)  # sickness|annual_leave|other
    recorded_at: datetime = _instant(nullable=False)  # type: ignore[assignment]


class Agreement(SQLModel, table=True):
    """A signed supervision agreement between a supervisee and a supervisor."""

    __tablename__ = "agreement"
    __table_args__ = (
        Index("ix_agreement_supervisee_signed", "supervisee_id", "signed_on"),
        Index("ix_agreement_signed", "signed_on"),
        Index("ix_agreement_recorded", "recorded_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    supervisee_id: str = Field(foreign_key="person.id")
    supervisor_id: str = Field(foreign_key="person.id")
    signed_on: date
    recorded_at: datetime = _instant(nullable=False)  # type: ignore[assignment]


class Outbox(SQLModel, table=True):
    """Every message the engine decided to send, keyed so it is sent at most once.

    `key` is deterministic: kind, recipient, subject and due instant. Replicas
    claim due rows with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("key", name="uq_outbox_key"),
        Index("ix_outbox_status_due", "status", "due_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=400)
    kind: str = Field(max_length=40)
    recipient_id: str = Field(foreign_key="person.id", index=True)
    about_id: str | None = Field(default=None, max_length=128)
    session_id: int | None = Field(default=None)
    reason: str | None = Field(default=None, max_length=40)
    due_at: datetime = _instant(nullable=False)  # type: ignore[assignment]
    useful_until: datetime | None = _instant()
    text: str = Field(default="", max_length=8000)
    payload: str = Field(default="{}", max_length=20000, description="JSON: buttons, facts")
    status: str = Field(default="pending", max_length=16)  # pending|claimed|sent|dropped|failed
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime | None = _instant()
    sent_at: datetime | None = _instant()
    attempts: int = Field(default=0)
    error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _instant(nullable=False)  # type: ignore[assignment]


class ProcessedEvent(SQLModel, table=True):
    """Inbound chat events and button presses already handled (platform retries are ignored)."""

    __tablename__ = "processed_event"
    # The daily purge deletes by age: without this index it would scan the table.
    __table_args__ = (Index("ix_processed_event_handled", "handled_at"),)
    platform: str = Field(primary_key=True, max_length=16)
    event_key: str = Field(primary_key=True, max_length=300)
    handled_at: datetime = _instant(nullable=False)  # type: ignore[assignment]


class ConversationRef(SQLModel, table=True):
    """Where to reach a person proactively on a platform (Teams conversation reference)."""

    __tablename__ = "conversation_ref"
    person_id: str = Field(primary_key=True, foreign_key="person.id")
    platform: str = Field(primary_key=True, max_length=16)
    reference: str = Field(max_length=8000, description="JSON conversation reference")
    updated_at: datetime = _instant(nullable=False)  # type: ignore[assignment]


class AdminNotice(SQLModel, table=True):
    """Notices to admins that must be given once (unknown user, unreachable person)."""

    __tablename__ = "admin_notice"
    key: str = Field(primary_key=True, max_length=300)
    text: str = Field(max_length=4000)
    created_at: datetime = _instant(nullable=False)  # type: ignore[assignment]


class PrepNote(SQLModel, table=True):
    """A supervisee's private answer to a reflective question before a session."""

    __tablename__ = "prep_note"
    __table_args__ = (
        Index("ix_prep_note_person_created", "person_id", "created_at"),
        Index("ix_prep_note_created", "created_at"),  # the daily retention purge
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id")
    session_id: int | None = Field(default=None, foreign_key="supervision_session.id", index=True)
    question_id: str = Field(max_length=64)
    answer: str = Field(max_length=8000)
    created_at: datetime = _instant(nullable=False)  # type: ignore[assignment]
    updated_at: datetime = _instant(nullable=False)  # type: ignore[assignment]


class ActionItem(SQLModel, table=True):
    """An action agreed in supervision: what, who is responsible, by when."""

    __tablename__ = "action_item"
    __table_args__ = (
        Index("ix_action_owner_due", "owner_id", "due_on"),
        Index("ix_action_due_on", "due_on"),  # the engine's daily "due soon" scan
        Index("ix_action_created", "created_at"),  # the engine's "what changed" reads
        Index("ix_action_done", "done_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    session_id: int | None = Field(default=None, foreign_key="supervision_session.id", index=True)
    supervisee_id: str = Field(foreign_key="person.id", index=True)
    owner_id: str = Field(foreign_key="person.id")
    text: str = Field(max_length=2000)
    due_on: date
    created_at: datetime = _instant(nullable=False)  # type: ignore[assignment]
    done_at: datetime | None = _instant()


class ReflectionPrompt(SQLModel, table=True):
    """A reflective question put to a supervisee to prepare for one session.

    Holds which question was asked (never an answer: answers are PrepNotes), so
    the stakeholder/function rotation and "no repeat within three sessions" hold
    even after the supervisee deletes their notes.
    """

    __tablename__ = "reflection_prompt"
    __table_args__ = (
        UniqueConstraint("person_id", "session_id", "stage", name="uq_reflection_prompt_stage"),
        Index("ix_reflection_prompt_person_rotation", "person_id", "rotation"),
        Index("ix_reflection_prompt_asked", "asked_at"),  # the daily retention purge
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id")
    session_id: int = Field(foreign_key="supervision_session.id", index=True)
    rotation: int = Field(description="0, 1, 2, ... per person: which turn of the rotation")
    stage: str = Field(max_length=32)  # experience|reflection|analysis|plans_and_action
    stakeholder: str = Field(max_length=32)
    function: str = Field(max_length=32)
    question_id: str = Field(max_length=64)
    asked_at: datetime = _instant(nullable=False)  # type: ignore[assignment]
