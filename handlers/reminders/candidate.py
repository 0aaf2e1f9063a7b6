"""A message the engine may send: who, about whom, when, why, and what it says.

Every candidate has a deterministic key, so planning the same facts twice gives
the same keys and the outbox sends each key at most once:

- reminders and notices: ``kind:recipient:subject:due-instant`` (subject ``s<session id>``,
  ``a<action id>`` or ``p<person id>``);
- escalations: ``escalation:reason:lapse[:to]`` with no recipient and no due instant, so a
  lapse is escalated once even when its deadline moves or the line manager changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from bot.clock import local_instant, zone
from handlers.replies import Reply

# The engine's message kinds, in the order a reader meets them.
SESSION_REMINDER = "session_reminder"
SESSION_OUTCOME_CHECK = "session_outcome_check"
RECORD_DUE_REMINDER = "record_due_reminder"
SIGNING_REMINDER = "signing_reminder"
RECORD_DEEMED_AGREED = "record_deemed_agreed"
BOOKING_NUDGE = "booking_nudge"
OVERDUE_NOTICE = "overdue_notice"
AGREEMENT_REMINDER = "agreement_reminder"
ACTION_REMINDER = "action_reminder"
MINIMUM_REMINDER = "minimum_reminder"
ESCALATION = "escalation"

KINDS: tuple[str, ...] = (
    SESSION_REMINDER,
    SESSION_OUTCOME_CHECK,
    RECORD_DUE_REMINDER,
    SIGNING_REMINDER,
    RECORD_DEEMED_AGREED,
    BOOKING_NUDGE,
    OVERDUE_NOTICE,
    AGREEMENT_REMINDER,
    ACTION_REMINDER,
    MINIMUM_REMINDER,
    ESCALATION,
)

# Escalation reasons.
MISSED_SESSION = "missed_session"
OVERDUE = "overdue"
SUPERVISOR_ABSENT = "supervisor_absent"
RATIO = "ratio"
REASONS: tuple[str, ...] = (MISSED_SESSION, OVERDUE, SUPERVISOR_ABSENT, RATIO)

# Button actions the chat layer implements; `value` is the session id (or action id) as text.
ACTION_OPEN_PREP = "open_prep"  # value: session id
ACTION_SESSION_HELD = "session_held"  # value: session id
ACTION_SESSION_CANCEL = "session_cancel"  # value: session id (cancel with reason / rearrange)
ACTION_RECORD_SHARE = "record_share"  # value: session id
ACTION_RECORD_SIGN = "record_sign"  # value: session id
ACTION_BOOK_OPEN = "book_open"  # value: supervisee person id
ACTION_ACTION_DONE = "action_done"  # value: action item id
ACTION_AGREEMENT_SIGNED = "agreement_signed"  # value: supervisee person id
BUTTON_ACTIONS: tuple[str, ...] = (
    ACTION_OPEN_PREP,
    ACTION_SESSION_HELD,
    ACTION_SESSION_CANCEL,
    ACTION_RECORD_SHARE,
    ACTION_RECORD_SIGN,
    ACTION_BOOK_OPEN,
    ACTION_ACTION_DONE,
    ACTION_AGREEMENT_SIGNED,
)

# Side effects applied when a message is sent (in the same transaction).
EFFECT_DEEM_AGREED = "deem_agreed"

MORNING = time(9, 0)  # engine default time of day for day-granular reminders (recipient's time)
MAX_KEY = 400


@dataclass(frozen=True)
class Candidate:
    """One message the engine would send, if still true when its moment comes."""

    key: str
    kind: str
    recipient_id: str
    about_id: str
    due_at: datetime
    reply: Reply = field(compare=False)
    session_id: int | None = None
    session_at: datetime | None = None
    reason: str | None = None
    useful_until: datetime | None = None  # None: always worth sending, however late
    effect: str | None = None

    def __post_init__(self) -> None:
        if self.due_at.tzinfo is None:
            raise ValueError("candidate due_at must be aware")


# The helpers below are pure and asked about the same few hundred days and instants for
# every person planned: their answers are remembered.


@lru_cache(maxsize=65536)
def stamp(at: datetime) -> str:
    """A compact UTC stamp for keys: 20260401T0800Z."""
    return at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def make_key(*parts: object) -> str:
    """Join parts with ':'; keys longer than the column allow keep a readable head and a hash."""
    key = ":".join(map(str, parts))
    if len(key) <= MAX_KEY:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{key[: MAX_KEY - 34]}#{digest}"


def reminder_key(kind: str, recipient_id: str, subject: str, due_at: datetime) -> str:
    return make_key(kind, recipient_id, subject, stamp(due_at))


def escalation_key(reason: str, lapse: str, to: str = "lm") -> str:
    return make_key(ESCALATION, reason, lapse, to)


@lru_cache(maxsize=65536)
def morning(day: date, tz: str | None, at: time = MORNING) -> datetime:
    """`at` (09:00 by default) on `day`, in the recipient's timezone."""
    return local_instant(day, at, tz)


@lru_cache(maxsize=65536)
def end_of_day(day: date, tz: str | None) -> datetime:
    """The first instant after `day` in `tz` (midnight that ends it)."""
    return local_instant(day + timedelta(days=1), time(0, 0), tz)


@lru_cache(maxsize=65536)
def fmt_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


@lru_cache(maxsize=65536)
def fmt_when(at: datetime, tz: str | None) -> str:
    """'Wed 1 Apr 2026 at 10:00' in the reader's timezone."""
    local = at.astimezone(zone(tz))
    return f"{fmt_day(local.date())} at {local:%H:%M}"
