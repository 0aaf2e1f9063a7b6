"""Answers are seen only by the asker: nothing a press or command brings is posted in a channel."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from storage.models import SupervisionSession
from tests.slack.conftest import Harness

MENTION = {
    "type": "app_mention",
    "channel": "C0TEAM",
    "user": "UALEX",
    "text": "<@UBOT> what do I need to sign?",
    "ts": "1775635200.000300",
}


def _buttons(call: Any) -> list[tuple[str, str]]:
    blocks = call.args["blocks"]
    return [
        (e["action_id"], e["value"])
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def _signed(slack: Harness, session_id: int) -> bool:
    with Session(slack.engine) as s:
        row = s.get(SupervisionSession, session_id)
        return row is not None and row.record_signed_at is not None


def _public(slack: Harness) -> list[Any]:
    """Messages posted where anyone but the asker could read them."""
    return [
        c
        for c in slack.fake.of("chat.postMessage", ok_only=False)
        if not str(c.args.get("channel")).startswith("D")
    ]


def test_sign_pressed_on_a_private_channel_reply_is_answered_privately(slack: Harness) -> None:
    slack.event(MENTION, "Ev200")
    [eph] = slack.fake.wait("chat.postEphemeral")
    assert eph.args["channel"] == "C0TEAM" and eph.args["user"] == "UALEX"
    assert ("record_sign", "1") in _buttons(eph)

    url = slack.fake.response_url("sign-1")
    slack.press(
        "UALEX", "record_sign", "1", "3.1", channel="C0TEAM", ephemeral=True, response_url=url
    )
    [answer] = slack.fake.wait("response_url")
    assert answer.args["_path"] == "/response/sign-1"
    assert answer.args["response_type"] == "ephemeral"
    assert answer.args["replace_original"] is False
    assert answer.args["text"].startswith("Thank you: you signed the record of session #1")
    assert _signed(slack, 1)
    assert slack.fake.of("chat.postMessage", ok_only=False) == []  # nothing public, no DM either


def test_press_on_an_ephemeral_reply_in_a_dm_between_people_is_private(slack: Harness) -> None:
    # A slash command typed in Alex's DM with Sam answers ephemerally there; the bot is no
    # member of that DM, so chat.postMessage to it would fail and would be seen by Sam.
    url = slack.fake.response_url("sign-dm")
    slack.press(
        "UALEX", "record_sign", "1", "3.2", channel="DSAMALEX", ephemeral=True, response_url=url
    )
    [answer] = slack.fake.wait("response_url")
    assert answer.args["response_type"] == "ephemeral" and _signed(slack, 1)
    assert slack.fake.of("chat.postMessage", ok_only=False) == []


def test_expired_response_url_falls_back_to_an_ephemeral_message(slack: Harness) -> None:
    url = slack.fake.response_url("expired-1")
    slack.press(
        "UALEX", "record_sign", "1", "3.3", channel="C0TEAM", ephemeral=True, response_url=url
    )
    [eph] = slack.fake.wait("chat.postEphemeral")
    assert eph.args["channel"] == "C0TEAM" and eph.args["user"] == "UALEX"
    assert [c.status for c in slack.fake.of("response_url", ok_only=False)] == [404]
    assert _public(slack) == []


def test_in_a_channel_the_bot_is_not_in_the_answer_comes_as_a_dm(slack: Harness) -> None:
    slack.fake.not_member.add("C0OTHER")
    url = slack.fake.response_url("expired-2")
    slack.press("UALEX", "record_sign", "1", "3.4", channel="C0OTHER", response_url=url)
    [dm] = slack.fake.wait("chat.postMessage")
    assert dm.args["channel"] == "DALEX" and _signed(slack, 1)
    assert [c.ok for c in slack.fake.of("chat.postEphemeral", ok_only=False)] == [False]
    assert _public(slack) == []


def test_slash_command_in_a_channel_the_bot_is_not_in_still_answers(slack: Harness) -> None:
    slack.fake.not_member.add("C0OTHER")
    expired = slack.fake.response_url("expired-3")
    slack.command("UALEX", "due", trigger="trig-c1", channel="C0OTHER", response_url=expired)
    [dm] = slack.fake.wait("chat.postMessage")
    assert dm.args["channel"] == "DALEX"
    assert dm.args["text"].startswith("Your next supervision is due by")
    assert _public(slack) == []


def test_mention_where_an_ephemeral_cannot_be_shown_falls_back_to_a_dm(slack: Harness) -> None:
    slack.fake.not_member.add("C0TEAM")
    slack.event(MENTION, "Ev201")
    [dm] = slack.fake.wait("chat.postMessage")
    assert dm.args["channel"] == "DALEX" and ("record_sign", "1") in _buttons(dm)
    assert _public(slack) == []


def test_press_in_the_persons_own_dm_is_answered_in_the_dm(slack: Harness) -> None:
    slack.press("UALEX", "record_sign", "1", "3.5")
    [posted] = slack.fake.wait("chat.postMessage")
    assert posted.args["channel"] == "DALEX" and _signed(slack, 1)
    assert slack.fake.of("response_url", ok_only=False) == []


def test_press_on_the_app_home_is_answered_in_a_dm(slack: Harness) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001"},
        "user": {"id": "UALEX"},
        "api_app_id": "A0001",
        "trigger_id": "trig-h",
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home"},
        "actions": [
            {"type": "button", "action_id": "record_sign", "value": "1", "action_ts": "3.6"}
        ],
    }
    slack.interact(payload)
    [dm] = slack.fake.wait("chat.postMessage")
    assert dm.args["channel"] == "DALEX" and _signed(slack, 1)
    slack.fake.wait("views.publish")  # the home is refreshed
