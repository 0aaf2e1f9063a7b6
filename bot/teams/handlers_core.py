"""The `ChatCore` seam filled by the shared chat handlers (`handlers.chat.dispatch.ChatService`).

Slack, the console and Teams all answer through the same service: same
intents, same access rules, same actions. Teams has no slash commands, so a
message is read as one when it says so ("/supervision notes") or when it is
a bare subcommand from the compose-box list ("to-sign"), or starts with one
and is not understood as free text ("notes for session 3"); anything else is
free text, as in Slack's direct messages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.render_teams import Submission
from bot.settings import Settings
from bot.teams.core import Command
from handlers.chat import intents
from handlers.chat.dispatch import ChatService
from handlers.replies import Reply

MAX_MANIFEST_COMMANDS = 10  # the manifest schema allows ten commands per command list
SLASH_PREFIX = "/supervision"
PLATFORM = "teams"


def as_command(text: str) -> str | None:
    """The slash-command text when `text` is written as "/supervision ...", else None."""
    words = text.strip()
    head, _, rest = words.partition(" ")
    if head.lower() == SLASH_PREFIX:
        return rest.strip() or "help"
    return None


class HandlersCore:
    """Teams' view of `ChatService`."""

    def __init__(self, engine: Engine, clock: Clock, pack: Any, settings: Settings) -> None:
        self.service = ChatService(engine, clock, pack, frozenset(settings.admin_ids))

    def answer(self, asker_id: str, text: str) -> Reply:
        command = as_command(text)
        if command is not None:
            return self.service.text(asker_id, command, platform=PLATFORM, command=True)
        request = self.service.request(asker_id, text, platform=PLATFORM)
        first = text.strip().split(" ", 1)[0].lower()
        if first in intents.BY_SUBCOMMAND and (
            text.strip().lower() == first or request.intent == intents.FALLBACK
        ):
            request = self.service.request(asker_id, text, platform=PLATFORM, command=True)
        return self.service.answer(request)

    def act(self, asker_id: str, submission: Submission) -> Reply:
        """Run a press or submission. A form refused for some of its fields comes back as
        a new card, the values kept and the problem beside each field (as a Slack modal
        stays open with its errors)."""
        action, value, fields = submission.action, submission.value, submission.form
        again = self.service.form_again(asker_id, action, value, fields)
        return again or self.service.action(asker_id, action, value, fields)

    def commands(self) -> list[Command]:
        return registry_commands()


def registry_commands() -> list[Command]:
    """The Teams command list: the intents' subcommands, help first, at most ten."""
    ordered = sorted(intents.INTENTS, key=lambda i: i.id != "help")
    return [Command(i.subcommand[:32], i.help[:128]) for i in ordered[:MAX_MANIFEST_COMMANDS]]
