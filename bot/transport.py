"""How the engine's messages leave the process: a Transport delivers one message to one person.

The Slack and Teams adapters implement `Transport`; `RecordingTransport` serves
tests and the simulation; `ConsoleTransport` prints when no chat platform is set up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from handlers.replies import Reply
from storage.models import Person


@dataclass(frozen=True)
class OutgoingMessage:
    """One message the engine decided to send."""

    key: str
    kind: str
    recipient_id: str
    about_id: str | None
    session_id: int | None
    session_at: datetime | None
    reason: str | None
    due_at: datetime
    reply: Reply
    sent_at: datetime | None = None  # the instant the engine sent it (due_at, or later)


class DeliveryFailed(Exception):
    """The platform could not deliver (unknown user, blocked DM); `permanent`: do not retry."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    """Delivers a message to a person on some platform. Raises DeliveryFailed on failure."""

    name: str

    def can_reach(self, person: Person) -> bool:
        """Whether this transport knows how to reach `person` at all."""
        ...

    def send(self, person: Person, message: OutgoingMessage) -> None: ...


@dataclass
class RecordingTransport:
    """Keeps every message it is given, in order (tests and simulation)."""

    name: str = "recording"
    sent: list[tuple[datetime, OutgoingMessage]] = field(default_factory=list)

    def can_reach(self, person: Person) -> bool:
        return True

    def send(self, person: Person, message: OutgoingMessage) -> None:
        self.sent.append((message.sent_at or message.due_at, message))


@dataclass
class ConsoleTransport:
    """Prints each message as the person would read it (the live loop with no chat platform)."""

    name: str = "console"
    write: Callable[[str], None] = print

    def can_reach(self, person: Person) -> bool:
        return True

    def send(self, person: Person, message: OutgoingMessage) -> None:
        at = (message.sent_at or message.due_at).isoformat(timespec="minutes")
        head = f"[{at}] {message.kind}"
        if message.reason:
            head += f" ({message.reason})"
        lines = [f"{head} -> {person.name} <{person.id}>", f"  {message.reply.text}"]
        lines += [f"  {f.label}: {f.value}" for f in message.reply.facts]
        lines += [f"  [{b.label}] ({b.action} {b.value})" for b in message.reply.buttons]
        self.write("\n".join(lines))
