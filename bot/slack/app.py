"""The Bolt app: Slack payloads in, chat requests out; replies back as Block Kit.

Every listener acknowledges at once and does the work in a lazy listener
(`process_before_response=True`, so this also works on FaaS), well within
Slack's 3 seconds. A form submission is checked first, in the ack (a few
queries): problems with its fields keep the modal open with an error beside
each field, and the lazy listener then does nothing. Event retries
(X-Slack-Retry-Num) and repeated interactions are recognised by their ids in
the ProcessedEvent table and ignored; when the work for an id fails, the id is
released again so a later retry is answered.

Supervision is personal, so answers go where only the asker sees them (see
bot.slack.answers).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import render_slack
from bot.slack import registry
from bot.slack.answers import Answers
from bot.slack.transport import SlackTransport
from bot.slack.verify import ClockedRequestVerification, SocketModeOnly
from handlers.chat.dispatch import UNKNOWN_PERSON, ChatService
from handlers.chat.identity import UNKNOWN_USER_NOTICE, display_name, identify_slack
from handlers.replies import Reply

log = logging.getLogger(__name__)
PLATFORM = "slack"
FORM_ERRORS = "form_errors"  # context key: the errors the ack showed in the modal
MAX_FIELD_ERROR = 150  # characters beside a modal field
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


class SlackBot:
    """Translates between Slack and the chat service."""

    def __init__(self, service: ChatService, client: WebClient, transport: SlackTransport):
        self.service = service
        self.client = client
        self.transport = transport
        self.answers = Answers(client, transport)

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

    def once(self, key: str, work: Callable[[], None]) -> None:
        """Do `work` the first time `key` is seen; if it fails, release `key` for a retry."""
        if not self.service.claim(PLATFORM, key):
            return
        try:
            work()
        except Exception:
            self.service.release(PLATFORM, key)
            raise

    # --- sending ---------------------------------------------------------------------------
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

    def _answer(self, user: str, text: str, *, command: bool = False) -> Reply:
        pid = self.person_id(user)
        if pid is None:
            return self.unknown()
        return self.service.text(pid, text, platform=PLATFORM, command=command)

    # --- listeners (lazy: run after the ack) ----------------------------------------------------
    def on_message(self, body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return

        def work() -> None:
            text = self.plain_text(str(event.get("text") or ""))
            self.answers.post(str(event["channel"]), self._answer(str(event.get("user")), text))

        self.once(f"event:{body.get('event_id')}", work)

    def on_mention(self, body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        user = str(event.get("user"))

        def work() -> None:
            reply = self._answer(user, self.plain_text(str(event.get("text") or "")))
            # Supervision is personal: answers in a channel are shown only to the asker.
            self.answers.privately(user, reply, response_url=None, channel=str(event["channel"]))

        self.once(f"event:{body.get('event_id')}", work)

    def on_home(self, body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        if event.get("tab", "home") != "home":
            return
        user = str(event.get("user"))
        self.once(
            f"event:{body.get('event_id')}", lambda: self.publish_home(user, self.person_id(user))
        )

    def on_command(self, body: dict[str, Any]) -> None:
        user = str(body.get("user_id"))

        def work() -> None:
            reply = self._answer(user, str(body.get("text") or "").strip() or "help", command=True)
            self.show(
                reply,
                trigger_id=body.get("trigger_id"),
                deliver=lambda r: self.answers.privately(
                    user, r, response_url=body.get("response_url"), channel=body.get("channel_id")
                ),
            )

        self.once(f"command:{body.get('trigger_id')}", work)

    def on_action(self, body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        user = str((body.get("user") or {}).get("id"))
        parts = (user, action.get("action_id"), action.get("value"), action.get("action_ts"))

        def work() -> None:
            pid = self.person_id(user)
            if pid is None:
                reply = self.unknown()
            else:
                reply = self.service.action(
                    pid, str(action.get("action_id")), str(action.get("value") or "")
                )
            self.show(
                reply,
                trigger_id=body.get("trigger_id"),
                deliver=lambda r: self.answers.to_interaction(body, user, r),
            )
            if (body.get("view") or {}).get("type") == "home":
                self.publish_home(user, pid)

        self.once("action:" + ":".join(str(p) for p in parts), work)

    def on_view(self, body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        user = str((body.get("user") or {}).get("id"))

        def work() -> None:
            pid = self.person_id(user)
            if pid is None:
                reply = self.unknown()
            else:
                fields = render_slack.form_values(view.get("state") or {})
                reply = self.service.action(
                    pid,
                    str(view.get("callback_id")),
                    str(view.get("private_metadata") or ""),
                    fields,
                )
            # A reply with a form (e.g. "check for children's details, then confirm") opens a
            # new modal with the submission's own trigger; anything else arrives as a DM.
            self.show(
                reply,
                trigger_id=body.get("trigger_id"),
                deliver=lambda r: self.transport.post_dm(user, r),
            )

        self.once(f"view:{view.get('id')}:{view.get('hash')}", work)

    def form_errors(self, body: dict[str, Any]) -> dict[str, str]:
        """Block id -> error for a view submission's fields ({}: let it go ahead).

        Runs in the ack, so it makes no Web API call: someone not yet linked to a person is
        left to the lazy listener (which finds them by email and answers).
        """
        view = body.get("view") or {}
        user = str((body.get("user") or {}).get("id"))
        try:
            pid = identify_slack(self.service.engine, user, lambda: None)
            if pid is None:
                return {}
            state = view.get("state") or {}
            errors = self.service.check_form(
                pid,
                str(view.get("callback_id")),
                str(view.get("private_metadata") or ""),
                render_slack.form_values(state),
            )
        except Exception:  # the submission is still handled (and checked) after the ack
            log.exception("checking a view submission failed")
            return {}
        # Slack refuses errors for blocks the modal doesn't have.
        blocks = {b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"}
        blocks |= set(state.get("values") or {})
        return {
            field: _clip(text, MAX_FIELD_ERROR) for field, text in errors.items() if field in blocks
        }


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ack(ack: Ack) -> None:
    ack()


def build_app(bot: SlackBot, signing_secret: str | None) -> App:
    """A sync Bolt app with every registered event, the command, actions and views wired.

    `signing_secret` None: Socket Mode only (Slack authenticates the WebSocket with the
    app-level token), and any request arriving over HTTP is refused.
    """
    verify = (
        ClockedRequestVerification(signing_secret, bot.service.clock)
        if signing_secret
        else SocketModeOnly()
    )
    app = App(
        client=bot.client,
        signing_secret=signing_secret or "",
        process_before_response=True,
        token_verification_enabled=False,  # auth.test happens on the first request instead
        # Signatures are checked first, against the injected clock (see bot.slack.verify).
        request_verification_enabled=False,
        before_authorize=verify,
    )

    def lazy(method: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        def run(body: dict[str, Any]) -> None:
            try:
                method(body)
            except Exception:  # a lazy listener has no one to report to but the log
                log.exception("Slack listener failed")

        return run

    handlers = {
        "app_home_opened": bot.on_home,
        "message.im": bot.on_message,
        "app_mention": bot.on_mention,
    }
    for event in registry.EVENTS:
        slack_event = "message" if event == "message.im" else event
        app.event(slack_event)(ack=_ack, lazy=[lazy(handlers[event])])
    app.command(registry.COMMAND)(ack=_ack, lazy=[lazy(bot.on_command)])
    for action_id in registry.BUTTON_ACTIONS:
        app.action(action_id)(ack=_ack, lazy=[lazy(bot.on_action)])

    def ack_view(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        errors = bot.form_errors(body)
        context[FORM_ERRORS] = errors  # copied into the lazy listener's context
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()

    def on_view(body: dict[str, Any], context: BoltContext) -> None:
        if context.get(FORM_ERRORS):
            return  # the modal is still open, showing them: nothing was submitted
        lazy(bot.on_view)(body)

    for callback_id in registry.VIEW_CALLBACKS:
        app.view(callback_id)(ack=ack_view, lazy=[on_view])
    return app
