"""Socket Mode for real, without the network: the app opens its WebSocket to a local fake.

apps.connections.open goes through the app's WebClient (so SLACK_API_URL, here the
fake Web API); the fake hands back a ws:// address of the fake Socket Mode server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt.request import BoltRequest
from sqlalchemy.engine import Engine

from bot.slack.app import build_app
from bot.slack.server import socket_handler
from tests.chat.org import NOW
from tests.slack.conftest import TS, make_bot, sign
from tests.slack.fake_slack import FakeSlack
from tests.slack.fake_socket import FakeSocketMode

APP_TOKEN = "xapp-1-A0001-test"


@pytest.fixture
def socket_mode(engine: Engine, fake: FakeSlack) -> Iterator[FakeSocketMode]:
    ws = FakeSocketMode().start()
    fake.socket_url = ws.url
    handler = socket_handler(build_app(make_bot(engine, fake), None), APP_TOKEN)
    try:
        handler.connect()
        ws.wait_connected()
        yield ws
    finally:
        # close() waits for the client's blocked read; the fake hanging up ends it at once.
        closing = threading.Thread(target=handler.close)
        closing.start()
        ws.stop()
        closing.join(timeout=10)
        assert not closing.is_alive()


def _envelope(envelope_id: str, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "envelope_id": envelope_id,
        "type": kind,
        "payload": payload,
        "accepts_response_payload": kind != "events_api",
        "retry_attempt": 0,
        "retry_reason": "",
    }


def test_connects_with_the_app_token_through_the_configured_api(
    socket_mode: FakeSocketMode, fake: FakeSlack
) -> None:
    [opened] = fake.of("apps.connections.open")
    assert opened.args["_authorization"] == f"Bearer {APP_TOKEN}"
    assert socket_mode.upgrade_paths == ["/link/?ticket=t-1&app_id=A0001"]


def test_a_dm_over_the_socket_is_acknowledged_and_answered(
    socket_mode: FakeSocketMode, fake: FakeSlack
) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "DALEX",
        "user": "UALEX",
        "text": "am I overdue?",
        "ts": "1775635200.000100",
    }
    body = {
        "team_id": "T0001",
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": "EvS1",
        "event_time": int(NOW.timestamp()),
        "event": event,
    }
    socket_mode.send_envelope(_envelope("env-1", "events_api", body))
    assert socket_mode.wait_ack("env-1") == {"envelope_id": "env-1"}
    [posted] = fake.wait("chat.postMessage")
    assert posted.args["channel"] == "DALEX"
    assert posted.args["text"].startswith("No, you are not overdue")


def test_a_slash_command_and_a_press_over_the_socket(
    socket_mode: FakeSocketMode, fake: FakeSlack
) -> None:
    command = {
        "team_id": "T0001",
        "channel_id": "C0TEAM",
        "user_id": "UALEX",
        "command": "/supervision",
        "text": "due",
        "response_url": fake.response_url("sock-cmd"),
        "trigger_id": "trig-s1",
    }
    socket_mode.send_envelope(_envelope("env-2", "slash_commands", command))
    socket_mode.wait_ack("env-2")
    [answer] = fake.wait("response_url")
    assert answer.args["response_type"] == "ephemeral"
    assert answer.args["text"].startswith("Your next supervision is due by")

    press = {
        "type": "block_actions",
        "team": {"id": "T0001"},
        "user": {"id": "UALEX"},
        "api_app_id": "A0001",
        "trigger_id": "trig-s2",
        "channel": {"id": "C0TEAM"},
        "container": {"type": "message", "message_ts": "1.1", "is_ephemeral": True},
        "response_url": fake.response_url("sock-press"),
        "actions": [{"type": "button", "action_id": "record_sign", "value": "1", "action_ts": "5"}],
    }
    socket_mode.send_envelope(_envelope("env-3", "interactive", press))
    socket_mode.wait_ack("env-3")
    signed = fake.wait("response_url", 2)[1]
    assert signed.args["text"].startswith("Thank you: you signed the record of session #1")
    assert fake.of("chat.postMessage", ok_only=False) == []


def test_an_app_without_a_signing_secret_refuses_http(engine: Engine, fake: FakeSlack) -> None:
    """Socket Mode needs no signing secret; the same app then refuses anything over HTTP,
    even a request signed with some secret, since it has nothing to check it against."""
    app = build_app(make_bot(engine, fake), None)
    body = urlencode({"payload": json.dumps({"type": "block_actions", "actions": []})})
    for secret in ("", "anything"):
        headers: dict[str, str | Sequence[str]] = {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": TS,
            "x-slack-signature": sign(body, secret=secret),
        }
        assert app.dispatch(BoltRequest(body=body, headers=headers)).status == 401
    assert fake.calls == []
