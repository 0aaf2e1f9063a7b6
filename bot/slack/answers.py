"""Where the Slack adapter's answers go, so that only the asker sees them.

Supervision is personal. An answer is posted in a conversation only when that
conversation is the person's own DM with the bot; anywhere else (a channel, an
ephemeral reply, a DM between two people where a slash command was typed) it
goes privately: through the interaction's response_url, which works even where
the bot is not a member, else chat.postEphemeral, else as a DM.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import render_slack
from bot.slack.transport import SlackTransport
from handlers.replies import Reply

log = logging.getLogger(__name__)


def in_own_dm(body: dict[str, Any]) -> bool:
    """Whether an interaction happened on a normal (not ephemeral) message in a DM (D...)."""
    channel = str((body.get("channel") or {}).get("id") or "")
    return channel.startswith("D") and not (body.get("container") or {}).get("is_ephemeral")


class Answers:
    """Posting replies: in the DM, ephemerally, or by response_url."""

    def __init__(self, client: WebClient, transport: SlackTransport) -> None:
        self.client = client
        self.transport = transport

    def post(self, channel: str, reply: Reply) -> None:
        for payload in render_slack.messages(reply):
            self.client.chat_postMessage(channel=channel, **payload)

    def post_ephemeral(self, channel: str, user: str, reply: Reply) -> None:
        for payload in render_slack.messages(reply):
            self.client.chat_postEphemeral(channel=channel, user=user, **payload)

    def to_interaction(self, body: dict[str, Any], user: str, reply: Reply) -> None:
        """Answer a button press: in the person's DM if pressed there, else privately."""
        channel = (body.get("channel") or {}).get("id")
        if in_own_dm(body):
            self.post(str(channel), reply)
        else:  # a channel, an ephemeral reply, the App Home or a modal
            self.privately(user, reply, response_url=body.get("response_url"), channel=channel)

    def privately(
        self, user: str, reply: Reply, *, response_url: str | None, channel: str | None
    ) -> None:
        """Only `user` sees `reply`: response_url, else chat.postEphemeral, else a DM."""
        if response_url and self._respond(response_url, reply):
            return
        if channel:
            try:
                self.post_ephemeral(channel, user, reply)
                return
            except SlackApiError as exc:  # e.g. not_in_channel: the bot was never added
                error = exc.response.get("error")
                log.warning("chat.postEphemeral in %s failed: %s", channel, error)
        self.transport.post_dm(user, reply)

    def _respond(self, url: str, reply: Reply) -> bool:
        """Ephemeral messages through a response_url; False when Slack would not take them."""
        respond = Respond(response_url=url, proxy=self.client.proxy, ssl=self.client.ssl)
        try:
            for payload in render_slack.messages(reply):
                # A new message rather than replacing the original: the reply being answered
                # may hold other buttons (several records to sign) that are still wanted.
                sent = respond(response_type="ephemeral", replace_original=False, **payload)
                if sent.status_code != 200:  # expired_url, used_url, ...
                    log.warning("response_url answered %s: %s", sent.status_code, sent.body)
                    return False
        except (OSError, SlackClientError) as exc:
            log.warning("response_url failed: %s", exc)
            return False
        return True
