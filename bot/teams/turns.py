"""One Teams turn, synchronously: who is this, remember where they are, answer once.

Runs in a worker thread (the SDK's event loop never blocks on the database).
Identity: `teams_user_id` first (AAD object id or Teams id), else the email /
user principal name Teams reports for the member; a match by email is stored.
Retried activities and second presses are ignored through `ProcessedEvent`.
People the bot does not know are told to ask their admin, and admins are told
once (an `AdminNotice`, and a Teams message to admins Teams can reach).

Supervision is personal: outside a personal chat (a channel or group chat)
the answer goes to the person's own chat with the bot, proactively, and the
conversation they asked in only sees a short neutral line. Someone with no
personal chat yet is asked to open one; nothing else is said where others read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.teams.core import ChatCore
from bot.teams.inbound import Inbound
from handlers.replies import Reply
from storage import chat_queries, teams_queries
from storage.db import session_scope

log = logging.getLogger(__name__)

PLATFORM = "teams"
UNKNOWN_USER = (
    "Hello! I don't know who you are yet, so I can't show you any supervision. "
    "Please ask your supervision-bot admin to add your work email or Teams account "
    "to the staff list; I'll answer as soon as they have."
)
TROUBLE = (
    "Sorry, something went wrong on my side while answering that. Nothing was changed; "
    "please try again in a minute."
)
WELCOME = "Hello {name}! I'm the supervision assistant. I'll remind you about supervision here."
SENT_PRIVATELY = "I've sent you a private message."
MESSAGE_ME_DIRECTLY = (
    "Please message me directly (open a chat with Supervision) so I can answer privately."
)


@dataclass
class Outcome:
    """What to send, and where.

    `replies` go to the conversation the activity came from; `private` go to
    the person's personal chat (`private_to`, a stored conversation reference)
    and, when that delivery fails, `MESSAGE_ME_DIRECTLY` replaces `replies`.
    `personal` is False for channels and group chats, where nothing private
    may appear.
    """

    person_id: str | None
    replies: list[Reply] = field(default_factory=list)
    admin_messages: list[tuple[dict[str, Any], Reply]] = field(default_factory=list)
    duplicate: bool = False
    personal: bool = True
    private: list[Reply] = field(default_factory=list)
    private_to: dict[str, Any] | None = None


def answered(
    person_id: str | None,
    replies: list[Reply],
    *,
    personal: bool,
    private_to: dict[str, Any] | None,
    admin_messages: list[tuple[dict[str, Any], Reply]] | None = None,
) -> Outcome:
    """`replies` where they may be read: in place in a personal chat, else privately."""
    admin = admin_messages or []
    if personal:
        return Outcome(person_id, replies, admin)
    if private_to is None:
        return Outcome(person_id, [Reply(text=MESSAGE_ME_DIRECTLY)], admin, personal=False)
    return Outcome(
        person_id,
        [Reply(text=SENT_PRIVATELY)],
        admin,
        personal=False,
        private=replies,
        private_to=private_to,
    )


class Turns:
    """Handles one inbound Teams activity against the store and the chat core."""

    def __init__(self, engine: Engine, clock: Clock, core: ChatCore, admin_ids: Iterable[str]):
        self.engine = engine
        self.clock = clock
        self.core = core
        self.admin_ids = tuple(admin_ids)

    def is_known(self, inbound: Inbound) -> bool:
        """Whether the sender is matched by Teams id alone (no member lookup needed)."""
        with session_scope(self.engine) as s:
            ids = (inbound.aad_object_id, inbound.teams_id)
            return teams_queries.person_by_teams_ids(s, ids) is not None

    def handle(self, inbound: Inbound, emails: Iterable[str | None] = ()) -> Outcome:
        """Identify, remember the conversation, claim the event, then answer."""
        now = self.clock.now()
        with session_scope(self.engine) as s:
            person = teams_queries.person_by_teams_ids(s, (inbound.aad_object_id, inbound.teams_id))
            if person is None:
                person = teams_queries.person_by_email(s, emails)
                if person is not None:
                    teams_queries.link_teams_user(
                        s, person, inbound.aad_object_id or inbound.teams_id
                    )
            if inbound.kind == "uninstall":
                # The bot can no longer message them: they are unreachable until they reinstall.
                if person is not None and inbound.personal:
                    teams_queries.forget_reference(s, person.id)
                return Outcome(person.id if person else None)
            if person is not None and inbound.personal:
                teams_queries.save_reference(s, person.id, inbound.reference, now)
            if not chat_queries.claim_event(s, PLATFORM, inbound.event_key, now):
                return Outcome(
                    person.id if person else None, duplicate=True, personal=inbound.personal
                )
            if person is None:
                return self._unknown(s, inbound, now)
            person_id, name = person.id, person.name
            # Outside a personal chat, answers go to the person's own chat with the bot.
            private_to = None if inbound.personal else teams_queries.get_reference(s, person_id)
        if not inbound.personal and private_to is None:
            # Nowhere private to answer: change nothing (a press or booking would go unseen).
            return answered(person_id, [], personal=False, private_to=None)
        try:
            replies = self._answer(person_id, name, inbound)
        except Exception:
            log.exception("Teams turn failed for %s (%s)", person_id, inbound.kind)
            with session_scope(self.engine) as s:
                chat_queries.release_event(s, PLATFORM, inbound.event_key)
            replies = [Reply(text=TROUBLE)]
        return answered(person_id, replies, personal=inbound.personal, private_to=private_to)

    def _answer(self, person_id: str, name: str, inbound: Inbound) -> list[Reply]:
        if inbound.kind == "install":
            first = name.split()[0] if name else "there"
            return [Reply(text=WELCOME.format(name=first)), self.core.answer(person_id, "help")]
        if inbound.kind == "action" and inbound.submission is not None:
            return [self.core.act(person_id, inbound.submission)]
        return [self.core.answer(person_id, inbound.text or "help")]

    def _unknown(self, s: Any, inbound: Inbound, now: Any) -> Outcome:
        who = inbound.name or "Someone"
        text = (
            f"{who} (Teams id {inbound.aad_object_id or inbound.teams_id}) wrote to the bot in "
            "Teams but is not in the staff list. Add their email or teams_user_id to the "
            "people import so they can use the bot."
        )
        key = f"teams-unknown:{inbound.aad_object_id or inbound.teams_id}"
        admin_messages: list[tuple[dict[str, Any], Reply]] = []
        if chat_queries.notice_once(s, key, text, now):
            for admin_id in self.admin_ids:
                ref = teams_queries.get_reference(s, admin_id)
                if ref is not None:
                    admin_messages.append((ref, Reply(text=text)))
        return answered(
            None,
            [Reply(text=UNKNOWN_USER)],
            personal=inbound.personal,
            private_to=None,
            admin_messages=admin_messages,
        )
