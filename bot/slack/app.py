"""The Bolt app: Slack payloads in, chat requests out; replies back as Block Kit.

Every listener acknowledges at once and does the work in a lazy listener
(`process_before_response=True`, so this also works on FaaS), well within
Slack's 3 seconds. Event retries (X-Slack-Retry-Num) and repeated interactions
are recognised by their ids in the ProcessedEvent table and ignored.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import render_slack
from bot.slack import registry
from bot.slack.transport import SlackTransport
from bot.slack.verify import ClockedRequestVerification
from handlers.chat.dispatch import UNKNOWN_PERSON, ChatService
from handlers.chat.identity import UNKNOWN_USER_NOTICE, display_name, identify_slack
from handlers.replies import Reply

log = logging.getLogger(__name__)
PLATFORM = "slack"
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


class SlackBot:
    """Translates between Slack and the chat service."""

    def __init__(self, service: ChatService, client: WebClient, transport: SlackTransport):
        self.service = service
        self.client = client
        self.transport = transport

    # --- who is asking -------------------------------------------------------------------
    def plain_text(self, text: str) -> str:
        """Slack markup to words: the bot's own mention dropped, people's mentions as names."""
        text = re.sub(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s,:]*", "", text)

        def name(m: re.Match[str]) -> str:
            found = identify_slack(self.service.engine, m.group(1), lambda: self._email(m.group(1)))
            return display_name(self.service.engine, found) if found else "someone"

        return _MENTION.sub(name, text).replace("&amp;", "&").replace("&lt;", "<").strip()

    def _email(self, slack_user_id: str) -> str | None:
        try:
            info = self.client.users_info(user=slack_user_id)
        except SlackApiError as exc:
            log.warning("users.info %s failed: %s", slack_user_id, exc.response.get("error"))
            return None
        profile = (info.get("user") or {}).get("profile") or {}
        return profile.get("email")

    def person_id(self, slack_user_id: str) -> str | None:
        """The person behind a Slack user; admins are told once about unknown users."""
        found = identify_slack(
            self.service.engine, slack_user_id, lambda: self._email(slack_user_id)
        )
        if found is None:
            text = UNKNOWN_USER_NOTICE.format(platform="Slack", display=f"<@{slack_user_id}>")
            self.transport.notify_admins(f"slack-unknown:{slack_user_id}", text)
        return found

    def unknown(self) -> Reply:
        return Reply(text=UNKNOWN_PERSON, ephemeral=True)

    # --- sending ---------------------------------------------------------------------------
    def post(self, channel: str, reply: Reply) -> None:
        for payload in render_slack.messages(reply):
            self.client.chat_postMessage(channel=channel, **payload)

    def post_ephemeral(self, channel: str, user: str, reply: Reply) -> None:
        for payload in render_slack.messages(reply):
            self.client.chat_postEphemeral(channel=channel, user=user, **payload)

    def show(self, reply: Reply, *, trigger_id: str | None, deliver: Any) -> None:
        """Open a reply's form as a modal when Slack gave a trigger, else deliver it."""
        if reply.form is not None and trigger_id:
            try:
                self.client.views_open(
                    trigger_id=trigger_id, view=render_slack.modal(reply.form, reply.text)
                )
                return
            except SlackApiError as exc:  # e.g. expired_trigger_id: offer the form as a button
                log.warning("views.open failed: %s", exc.response.get("error"))
        deliver(reply)

    def publish_home(self, slack_user_id: str, person_id: str | None) -> None:
        reply = self.service.home(person_id) if person_id else self.unknown()
        self.client.views_publish(user_id=slack_user_id, view=render_slack.home_view(reply))

    # --- listeners (lazy: run after the ack) ----------------------------------------------------
    def on_message(self, body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        if not self.service.claim(PLATFORM, f"event:{body.get('event_id')}"):
            return
        pid = self.person_id(str(event.get("user")))
        text = self.plain_text(str(event.get("text") or ""))
        reply = self.service.text(pid, text, platform=PLATFORM) if pid else self.unknown()
        self.post(str(event["channel"]), reply)

    def on_mention(self, body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        if not self.service.claim(PLATFORM, f"event:{body.get('event_id')}"):
            return
        user = str(event.get("user"))
        pid = self.person_id(user)
        text = self.plain_text(str(event.get("text") or ""))
        reply = self.service.text(pid, text, platform=PLATFORM) if pid else self.unknown()
        # Supervision is personal: answers in a channel are shown only to the asker.
        self.post_ephemeral(str(event["channel"]), user, reply)

    def on_home(self, body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        if event.get("tab", "home") != "home":
            return
        if not self.service.claim(PLATFORM, f"event:{body.get('event_id')}"):
            return
        user = str(event.get("user"))
        self.publish_home(user, self.person_id(user))

    def on_command(self, body: dict[str, Any], respond: Respond) -> None:
        if not self.service.claim(PLATFORM, f"command:{body.get('trigger_id')}"):
            return
        pid = self.person_id(str(body.get("user_id")))
        text = str(body.get("text") or "").strip() or "help"
        reply = (
            self.service.text(pid, text, platform=PLATFORM, command=True) if pid else self.unknown()
        )

        def deliver(r: Reply) -> None:
            for payload in render_slack.messages(r):
                respond(response_type="ephemeral", replace_original=False, **payload)

        self.show(reply, trigger_id=body.get("trigger_id"), deliver=deliver)

    def on_action(self, body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        user = str((body.get("user") or {}).get("id"))
        parts = (user, action.get("action_id"), action.get("value"), action.get("action_ts"))
        key = "action:" + ":".join(str(p) for p in parts)
        if not self.service.claim(PLATFORM, key):
            return
        pid = self.person_id(user)
        if pid is None:
            reply = self.unknown()
        else:
            reply = self.service.action(
                pid, str(action.get("action_id")), str(action.get("value") or "")
            )
        channel = (body.get("channel") or {}).get("id")

        def deliver(r: Reply) -> None:
            if channel:
                self.post(str(channel), r)
            else:
                self.transport.post_dm(user, r)

        self.show(reply, trigger_id=body.get("trigger_id"), deliver=deliver)
        if (body.get("view") or {}).get("type") == "home":
            self.publish_home(user, pid)

    def on_view(self, body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        user = str((body.get("user") or {}).get("id"))
        if not self.service.claim(PLATFORM, f"view:{view.get('id')}:{view.get('hash')}"):
            return
        pid = self.person_id(user)
        if pid is None:
            reply = self.unknown()
        else:
            fields = render_slack.form_values(view.get("state") or {})
            reply = self.service.action(
                pid, str(view.get("callback_id")), str(view.get("private_metadata") or ""), fields
            )
        # A reply with a form (e.g. "check for children's details, then confirm") opens a new
        # modal with the submission's own trigger; anything else arrives as a DM.
        self.show(
            reply,
            trigger_id=body.get("trigger_id"),
            deliver=lambda r: self.transport.post_dm(user, r),
        )


def _ack(ack: Ack) -> None:
    ack()


def build_app(bot: SlackBot, signing_secret: str) -> App:
    """A sync Bolt app with every registered event, the command, actions and views wired."""
    app = App(
        client=bot.client,
        signing_secret=signing_secret,
        process_before_response=True,
        token_verification_enabled=False,  # auth.test happens on the first request instead
        # Signatures are checked first, against the injected clock (see bot.slack.verify).
        request_verification_enabled=False,
        before_authorize=ClockedRequestVerification(signing_secret, bot.service.clock),
    )

    def lazy(method: Any) -> Any:
        def run(body: dict[str, Any]) -> None:
            try:
                method(body)
            except Exception:  # a lazy listener has no one to report to but the log
                log.exception("Slack listener failed")

        return run

    def command(body: dict[str, Any], respond: Respond) -> None:
        try:
            bot.on_command(body, respond)
        except Exception:
            log.exception("Slack command failed")

    handlers = {
        "app_home_opened": bot.on_home,
        "message.im": bot.on_message,
        "app_mention": bot.on_mention,
    }
    for event in registry.EVENTS:
        slack_event = "message" if event == "message.im" else event
        app.event(slack_event)(ack=_ack, lazy=[lazy(handlers[event])])
    app.command(registry.COMMAND)(ack=_ack, lazy=[command])
    for action_id in registry.BUTTON_ACTIONS:
        app.action(action_id)(ack=_ack, lazy=[lazy(bot.on_action)])
    for callback_id in registry.VIEW_CALLBACKS:
        app.view(callback_id)(ack=_ack, lazy=[lazy(bot.on_view)])
    return app
