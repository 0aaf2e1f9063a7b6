"""Delivering messages to people in Slack as direct messages.

`SlackTransport` implements `bot.transport.Transport` for the engine: it finds
the person's Slack user (stored id, else `users.lookupByEmail`, remembered),
opens the DM (`conversations.open`) and posts the rendered reply
(`chat.postMessage`, several messages when a long reply paginates). The
WebClient's retry handlers honour 429 Retry-After and retry transient errors
with backoff; what still fails becomes `DeliveryFailed` — permanent for users
that cannot be messaged, which admins are told about once.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.engine import Engine

from bot import render_slack
from bot.clock import Clock
from bot.transport import DeliveryFailed, OutgoingMessage
from handlers.chat.identity import UNREACHABLE_NOTICE, admins_to_tell, remember_slack_id
from handlers.replies import Reply
from storage.models import Person

log = logging.getLogger(__name__)

# Slack errors meaning "this person cannot be messaged": retrying will not help.
PERMANENT_ERRORS = {
    "users_not_found", "user_not_found", "user_not_visible", "channel_not_found",
    "cannot_dm_bot", "user_disabled", "account_inactive", "is_archived",
    "messages_tab_disabled", "not_in_channel", "restricted_action", "invalid_users",
    "cannot_find_service_user", "missing_scope", "not_authed", "invalid_auth",
}  # fmt: skip


def unreachable_key(person_id: str) -> str:
    return f"slack-unreachable:{person_id}"


class SlackTransport:
    """Direct messages in Slack for the engine and for admin notices."""

    name = "slack"

    def __init__(
        self,
        client: WebClient,
        engine: Engine,
        clock: Clock,
        admin_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.client = client
        self.engine = engine
        self.clock = clock
        self.admin_ids = admin_ids

    def can_reach(self, person: Person) -> bool:
        return bool(person.slack_user_id or person.email)

    def send(self, person: Person, message: OutgoingMessage) -> None:
        self.deliver(person, message.reply)

    def deliver(self, person: Person, reply: Reply) -> None:
        """DM `reply` to `person`; DeliveryFailed (and admins told once) when impossible."""
        try:
            user = person.slack_user_id or self._lookup(person)
            self.post_dm(user, reply)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            permanent = error in PERMANENT_ERRORS
            if permanent:
                self._tell_admins(person, f"Slack said '{error}'")
            raise DeliveryFailed(
                f"Slack could not deliver to {person.name}: {error}", permanent=permanent
            ) from exc
        except SlackClientError as exc:  # connection trouble after the retries
            raise DeliveryFailed(f"Slack unreachable for {person.name}: {exc}") from exc

    def post_dm(self, slack_user_id: str, reply: Reply) -> None:
        opened = self.client.conversations_open(users=slack_user_id)
        channel = opened["channel"]["id"]
        for payload in render_slack.messages(reply):
            self.client.chat_postMessage(channel=channel, **payload)

    def _lookup(self, person: Person) -> str:
        if not person.email:
            raise DeliveryFailed(f"{person.name} has no Slack id and no email", permanent=True)
        found = self.client.users_lookupByEmail(email=person.email)
        user_id = str(found["user"]["id"])
        remember_slack_id(self.engine, person.id, user_id)
        return user_id

    def _tell_admins(self, person: Person, reason: str) -> None:
        text = UNREACHABLE_NOTICE.format(
            platform="Slack", name=person.name, id=person.id, reason=reason
        )
        self.notify_admins(unreachable_key(person.id), text)

    def notify_admins(self, key: str, text: str) -> None:
        """DM every admin, once per `key`; an admin who cannot be reached is only logged."""
        for admin in admins_to_tell(self.engine, self.clock, self.admin_ids, key, text):
            try:
                user = admin.slack_user_id or self._lookup(admin)
                self.post_dm(user, Reply(text=text))
            except (SlackClientError, DeliveryFailed) as exc:
                log.warning("could not tell admin %s: %s", admin.id, exc)
