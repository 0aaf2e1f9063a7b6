"""The `ChatCore` seam filled by the shared chat handlers (`handlers.chat.dispatch.ChatService`).

Slack, the console and Teams all answer through the same service: same
intents, same access rules, same actions.
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

MAX_MANIFEST_COMMANDS = 10  # Teams shows at most ten commands per scope


class HandlersCore:
    """Teams' view of `ChatService`."""

    def __init__(self, engine: Engine, clock: Clock, pack: Any, settings: Settings) -> None:
        self.service = ChatService(engine, clock, pack, frozenset(settings.admin_ids))

    def answer(self, asker_id: str, text: str) -> Reply:
        return self.service.text(asker_id, text, platform="teams")

    def act(self, asker_id: str, submission: Submission) -> Reply:
        return self.service.action(asker_id, submission.action, submission.value, submission.form)

    def commands(self) -> list[Command]:
        return registry_commands()


def registry_commands() -> list[Command]:
    """The Teams command list: the intents' subcommands, help first, at most ten."""
    ordered = sorted(intents.INTENTS, key=lambda i: i.id != "help")
    return [Command(i.subcommand[:32], i.help[:128]) for i in ordered[:MAX_MANIFEST_COMMANDS]]
