"""Forged, stale or unsigned button presses, form submissions and slash commands are refused.

The JSON events are covered in test_app; these are the form-encoded bodies
(`payload=` for interactivity, plain fields for slash commands), whose
signature is over the exact urlencoded bytes.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from sqlmodel import Session

from storage.models import SupervisionSession
from tests.chat.org import NOW
from tests.slack.conftest import Harness, sign

STALE = str(int(NOW.timestamp()) - 6 * 60)
FORGERIES: dict[str, dict[str, str | None]] = {
    "zeros": {"signature": "v0=" + "0" * 64},
    "wrong secret": {"signature": None},  # filled per body below
    "stale": {"timestamp": STALE},
    "unsigned": {"signature": ""},
    "future": {"timestamp": str(int(NOW.timestamp()) + 6 * 60)},
}


def _forged(slack: Harness, how: str, body: str) -> int:
    """The status of `body` posted with the forgery `how`."""
    kw = dict(FORGERIES[how])
    if how == "wrong secret":
        kw["signature"] = sign(body, secret="not-the-signing-secret")
    timestamp, signature = kw.get("timestamp"), kw.get("signature")
    if timestamp is None:
        return slack.post(body, FORM, signature=signature).status
    return slack.post(body, FORM, timestamp=timestamp, signature=signature).status


def _unsigned_record(slack: Harness) -> bool:
    with Session(slack.engine) as s:
        row = s.get(SupervisionSession, 1)
        return row is not None and row.record_signed_at is None


def _press_body() -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001"},
        "user": {"id": "UALEX"},
        "api_app_id": "A0001",
        "trigger_id": "trig-f",
        "channel": {"id": "DALEX"},
        "container": {"type": "message", "message_ts": "1.2", "is_ephemeral": False},
        "actions": [
            {"type": "button", "action_id": "record_sign", "value": "1", "action_ts": "9.1"}
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def _command_body() -> str:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": "DALEX",
            "user_id": "UALEX",
            "command": "/supervision",
            "text": "due",
            "response_url": "http://127.0.0.1:9/response/never",
            "trigger_id": "trig-f",
        }
    )


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("how", sorted(FORGERIES))
def test_forged_button_press_is_refused_and_signs_nothing(slack: Harness, how: str) -> None:
    body = _press_body()
    assert _forged(slack, how, body) == 401
    assert slack.fake.calls == [] and _unsigned_record(slack)


@pytest.mark.parametrize("how", sorted(FORGERIES))
def test_forged_slash_command_is_refused(slack: Harness, how: str) -> None:
    body = _command_body()
    assert _forged(slack, how, body) == 401
    assert slack.fake.calls == []


def test_forged_form_submission_is_refused(slack: Harness) -> None:
    submission = {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": "USAM"},
        "view": {
            "id": "V0099",
            "hash": "h9",
            "type": "modal",
            "callback_id": "cancel_submit",
            "private_metadata": "2",
            "state": {"values": {"reason": {"reason": {"type": "plain_text_input", "value": "x"}}}},
        },
    }
    body = urlencode({"payload": json.dumps(submission)})
    assert slack.post(body, FORM, signature=sign(body, secret="guess")).status == 401
    assert slack.fake.calls == []
    with Session(slack.engine) as s:
        row = s.get(SupervisionSession, 2)
        assert row is not None and row.cancelled_at is None


def test_a_tampered_body_fails_its_signature(slack: Harness) -> None:
    """The signature covers the exact bytes: changing the value after signing is caught."""
    body = _press_body()
    good = sign(body)
    tampered = body.replace("record_sign", "session_held")
    assert slack.post(tampered, FORM, signature=good).status == 401
    assert slack.fake.calls == []


def test_correctly_signed_press_and_command_are_accepted(slack: Harness) -> None:
    assert slack.post(_press_body(), FORM).status == 200
    slack.fake.wait("chat.postMessage")
    assert not _unsigned_record(slack)
    assert slack.command("UALEX", "due", trigger="trig-ok").status == 200
    slack.fake.wait("response_url")
