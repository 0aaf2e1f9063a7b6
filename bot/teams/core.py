"""The seam between the Teams adapter and the platform-neutral chat handlers.

The adapter only needs three things from the handlers: answer a question in
words, run a card action, and list the commands (for the app manifest). Teams
code depends on this protocol, never on how the handlers are laid out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.render_teams import Submission
from handlers.replies import Reply


@dataclass(frozen=True)
class Command:
    """A command shown in the Teams compose box (manifest `commandLists`)."""

    title: str
    description: str


class ChatCore(Protocol):
    """What the chat handlers offer every adapter (Slack, Teams, console)."""

    def answer(self, asker_id: str, text: str) -> Reply:
        """Answer free text from the person `asker_id` (already identified)."""
        ...

    def act(self, asker_id: str, submission: Submission) -> Reply:
        """Run a button press or form submission for `asker_id`."""
        ...

    def commands(self) -> list[Command]:
        """The commands people can type, in the order help lists them."""
        ...
