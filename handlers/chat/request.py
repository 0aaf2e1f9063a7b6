"""The parsed request every handler receives, and the context it runs in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.clock import Clock, local_date
from policy.reflection.bank import QuestionBank, default_bank
from policy.reflection.child_details import ChildDetailPatterns, default_child_patterns
from storage.models import Person


@dataclass(frozen=True)
class ChatRequest:
    """Who asked, what they want, and its arguments, independent of the platform.

    `args` keys: "person" (a name as typed), "when" (aware datetime), "day"
    (date without a time), "reason", "session_id" (int), "topic".
    """

    asker_id: str
    intent: str
    args: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    platform: str = "console"


@dataclass
class ChatContext:
    """What a handler may use: one DB session (one transaction), the clock, the pack, the asker,
    and the organisation's question bank and children's-details patterns (`ChatService` passes
    the configured ones; built-in when made directly)."""

    session: Session
    clock: Clock
    pack: Any
    asker: Person
    admin_ids: frozenset[str]
    bank: QuestionBank = field(default_factory=default_bank)
    patterns: ChildDetailPatterns = field(default_factory=default_child_patterns)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def today(self) -> date:
        """Today in the asker's timezone."""
        return local_date(self.clock.now(), self.asker.timezone)

    def today_of(self, person: Person) -> date:
        """Today where `person` is (their role, cadence and absences count by their day)."""
        return local_date(self.clock.now(), person.timezone)

    @property
    def is_admin(self) -> bool:
        return self.asker.id in self.admin_ids
