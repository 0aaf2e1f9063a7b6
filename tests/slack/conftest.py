"""The real Bolt app served by waitress on a free port, against a fake Slack Web API."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import Engine

from bot.settings import Settings
from bot.slack.app import SlackBot, build_app
from bot.slack.client import make_client
from bot.slack.server import make_http_server, stop_http_server
from bot.slack.transport import SlackTransport
from storage.db import session_scope
from storage.models import Person
from tests.chat.org import NOW, seed, service
from tests.slack.fake_slack import FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TS = str(int(NOW.timestamp()))

# Slack users: Alex, Sam and Ada are linked already; Jo and Priya only by email.
LINKED = {"sw1": "UALEX", "tm1": "USAM", "adm": "UADA"}
SLACK_USERS = {
    "UALEX": "alex@example.org",
    "USAM": "sam@example.org",
    "UADA": "ada@example.org",
    "UJO": "jo@example.org",
    "UPRIYA": "priya@example.org",
    "UDANA": "dana@example.org",
    "UCHRIS": "chris@example.org",
    "UNOBODY": "stranger@elsewhere.org",
}


def sign(body: str, timestamp: str = TS, secret: str = SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Posted:
    status: int
    body: str


@dataclass
class Harness:
    fake: FakeSlack
    base: str
    engine: Engine
    transport: SlackTransport

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: str = TS,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Posted:
        req = urllib.request.Request(
            self.base + "/slack/events",
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature if signature is not None else sign(body, timestamp),
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return Posted(resp.status, resp.read().decode())
        except urllib.error.HTTPError as exc:
            return Posted(exc.code, exc.read().decode())

    def event(self, event: dict[str, Any], event_id: str = "Ev0001", **kw: Any) -> Posted:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": "T0001",
                "api_app_id": "A0001",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(NOW.timestamp()),
                "event": event,
            }
        )
        return self.post(body, "application/json", **kw)

    def dm(self, user: str, text: str, event_id: str = "Ev0001", **kw: Any) -> Posted:
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": "D" + user.removeprefix("U"),
            "user": user,
            "text": text,
            "ts": "1775635200.000100",
        }
        return self.event(event, event_id, **kw)

    def command(
        self,
        user: str,
        text: str,
        trigger: str = "trig-1",
        channel: str | None = None,
        response_url: str | None = None,
        **kw: Any,
    ) -> Posted:
        form = {
            "token": "legacy",
            "team_id": "T0001",
            "channel_id": channel or "D" + user.removeprefix("U"),
            "user_id": user,
            "command": "/supervision",
            "text": text,
            "api_app_id": "A0001",
            "response_url": response_url or self.fake.response_url(trigger),
            "trigger_id": trigger,
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    def interact(self, payload: dict[str, Any], **kw: Any) -> Posted:
        return self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **kw
        )

    def press(
        self,
        user: str,
        action_id: str,
        value: str,
        action_ts: str = "1775635300.1",
        trigger: str = "trig-b",
        *,
        channel: str | None = None,
        ephemeral: bool = False,
        response_url: str | None = None,
        **kw: Any,
    ) -> Posted:
        """A button pressed on a message: by default the bot's message in the presser's DM."""
        channel = channel or "D" + user.removeprefix("U")
        return self.interact(
            {
                "type": "block_actions",
                "team": {"id": "T0001"},
                "user": {"id": user},
                "api_app_id": "A0001",
                "trigger_id": trigger,
                "channel": {"id": channel},
                "container": {
                    "type": "message",
                    "message_ts": "1775635200.000200",
                    "channel_id": channel,
                    "is_ephemeral": ephemeral,
                },
                "response_url": response_url or self.fake.response_url(f"press-{action_ts}"),
                "actions": [
                    {
                        "type": "button",
                        "action_id": action_id,
                        "block_id": "b1",
                        "value": value,
                        "action_ts": action_ts,
                    }
                ],
            },
            **kw,
        )

    def get(self, path: str) -> Posted:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as resp:
                return Posted(resp.status, resp.read().decode())
        except urllib.error.HTTPError as exc:
            return Posted(exc.code, exc.read().decode())


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack(users=dict(SLACK_USERS)).start()
    yield server
    server.stop()


def make_bot(engine: Engine, fake: FakeSlack) -> SlackBot:
    """The reference organisation (Alex, Sam and Ada linked to Slack) behind a SlackBot."""
    seed(engine)
    with session_scope(engine) as s:
        for pid, uid in LINKED.items():
            person = s.get(Person, pid)
            assert person is not None
            person.slack_user_id = uid
            s.add(person)
    chat = service(engine)
    settings = Settings(
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=fake.url,
        _env_file=None,
    )
    client = make_client(settings)
    transport = SlackTransport(client, engine, chat.clock, chat.admin_ids)
    return SlackBot(chat, client, transport)


@pytest.fixture
def slack(engine: Engine, fake: FakeSlack) -> Iterator[Harness]:
    bot = make_bot(engine, fake)
    app = build_app(bot, SECRET)
    server = make_http_server(app, "127.0.0.1", 0, threads=4, asyncore_loop_timeout=0.05)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield Harness(fake, f"http://127.0.0.1:{server.effective_port}", engine, bot.transport)
    finally:
        stop_http_server(server)
        thread.join(timeout=5)
        assert not thread.is_alive()
