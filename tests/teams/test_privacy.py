"""Nothing private reaches a channel or group chat: answers go to the asker's own chat."""

from __future__ import annotations

from typing import Any

import pytest

from bot.teams.turns import MESSAGE_ME_DIRECTLY, SENT_PRIVATELY
from storage.db import session_scope
from storage.models import Person, SupervisionSession
from tests.teams.conftest import Endpoint
from tests.teams.fakes import activity

SHARED = {
    "channel": "19:north-team@thread.tacv2",
    "groupChat": "19:meeting_abc@thread.v2",
}
NEUTRAL = {SENT_PRIVATELY, MESSAGE_ME_DIRECTLY}


def _link(endpoint: Endpoint, person_id: str, aad: str) -> None:
    with session_scope(endpoint.server.bot.turns.engine) as s:
        person = s.get(Person, person_id)
        assert person is not None
        person.teams_user_id = aad
        s.add(person)


def _say(endpoint: Endpoint, text: str, conversation: str, kind: str, **extra: Any) -> None:
    body = activity(
        "message", service_url=endpoint.connector.url, aad="aad-sam", user_id="29:sam",
        conversation_id=conversation, conversation_type=kind, text=text, **extra,
    )  # fmt: skip
    assert endpoint.post(body)[0] == 200


def _only_neutral_lines(endpoint: Endpoint, conversation: str) -> list[str]:
    posted = endpoint.connector.to(conversation)
    for p in posted:
        assert "attachments" not in p, p
        assert p.get("text") in NEUTRAL, p
    return [p["text"] for p in posted]


@pytest.mark.parametrize("kind", ["channel", "groupChat"])
def test_no_private_content_reaches_a_shared_conversation(
    dev_endpoint: Endpoint, kind: str
) -> None:
    _link(dev_endpoint, "tm1", "aad-sam")
    shared = SHARED[kind]
    asks = [
        "<at>Supervision</at> who is overdue in my team?",
        "<at>Supervision</at> show my notes",
        "<at>Supervision</at> when is my next supervision due?",
        "<at>Supervision</at> help",
    ]
    # Before Sam has a personal chat with the bot, the channel only hears "message me".
    _say(dev_endpoint, asks[0], shared, kind)
    assert _only_neutral_lines(dev_endpoint, shared) == [MESSAGE_ME_DIRECTLY]
    assert dev_endpoint.connector.to("a:sam") == []

    _say(dev_endpoint, "help", "a:sam", "personal")  # Sam opens a chat with the bot
    before = len(dev_endpoint.connector.to("a:sam"))
    for text in asks:
        _say(dev_endpoint, text, shared, kind)
    lines = _only_neutral_lines(dev_endpoint, shared)
    assert lines == [MESSAGE_ME_DIRECTLY] + [SENT_PRIVATELY] * len(asks)
    private = dev_endpoint.connector.to("a:sam")[before:]
    assert len(private) >= len(asks)
    assert "Jo Brown" in str(private) and "preparation notes" in str(private)


def test_unknown_person_in_a_channel_gets_only_the_neutral_line(dev_endpoint: Endpoint) -> None:
    body = activity(
        "message", service_url=dev_endpoint.connector.url, aad="aad-nobody", user_id="29:nobody",
        conversation_id=SHARED["channel"], conversation_type="channel",
        text="<at>Supervision</at> am I overdue?",
    )  # fmt: skip
    assert dev_endpoint.post(body)[0] == 200
    assert _only_neutral_lines(dev_endpoint, SHARED["channel"]) == [MESSAGE_ME_DIRECTLY]


def test_private_delivery_failure_never_falls_back_to_the_channel(
    dev_endpoint: Endpoint,
) -> None:
    _link(dev_endpoint, "tm1", "aad-sam")
    _say(dev_endpoint, "help", "a:sam", "personal")
    # Teams now refuses Sam's personal chat (say the app was removed), not the channel.
    dev_endpoint.connector.refuse.add("a:sam")
    _say(dev_endpoint, "<at>Supervision</at> who is overdue in my team?", SHARED["channel"],
         "channel")  # fmt: skip
    assert _only_neutral_lines(dev_endpoint, SHARED["channel"]) == [MESSAGE_ME_DIRECTLY]


def test_card_action_from_a_channel_answers_privately(dev_endpoint: Endpoint) -> None:
    """Action.Execute pressed on a card in a channel: the card is not replaced for everyone."""
    _link(dev_endpoint, "tm1", "aad-sam")
    _say(dev_endpoint, "help", "a:sam", "personal")
    fake = dev_endpoint.connector
    before = len(fake.to("a:sam"))
    value = {"action": {"type": "Action.Execute", "data": {"action": "session_held", "value": "4"}}}
    body = activity(
        "invoke", service_url=fake.url, aad="aad-sam", user_id="29:sam",
        conversation_id=SHARED["channel"], conversation_type="channel",
        name="adaptiveCard/action", value=value,
    )  # fmt: skip
    status, response = dev_endpoint.post(body)
    assert status == 200
    assert response == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": SENT_PRIVATELY,
    }
    assert fake.to(SHARED["channel"]) == []
    [private] = fake.to("a:sam")[before:]
    assert "held" in str(private).lower()


def test_press_in_a_channel_without_a_personal_chat_changes_nothing(
    dev_endpoint: Endpoint,
) -> None:
    _link(dev_endpoint, "tm1", "aad-sam")
    value = {"action": {"type": "Action.Execute", "data": {"action": "session_held", "value": "4"}}}
    body = activity(
        "invoke", service_url=dev_endpoint.connector.url, aad="aad-sam", user_id="29:sam",
        conversation_id=SHARED["channel"], conversation_type="channel",
        name="adaptiveCard/action", value=value,
    )  # fmt: skip
    status, response = dev_endpoint.post(body)
    assert status == 200 and response["value"] == MESSAGE_ME_DIRECTLY
    with session_scope(dev_endpoint.server.bot.turns.engine) as s:
        session = s.get(SupervisionSession, 4)
        assert session is not None and session.held_at is None
    assert dev_endpoint.connector.posted == []


def test_submit_button_in_a_group_chat_answers_privately(dev_endpoint: Endpoint) -> None:
    _link(dev_endpoint, "tm1", "aad-sam")
    _say(dev_endpoint, "help", "a:sam", "personal")
    fake = dev_endpoint.connector
    before = len(fake.to("a:sam"))
    body = activity(
        "message", service_url=fake.url, aad="aad-sam", user_id="29:sam",
        conversation_id=SHARED["groupChat"], conversation_type="groupChat",
        value={"action": "session_held", "value": "4"},
    )  # fmt: skip
    assert dev_endpoint.post(body)[0] == 200
    assert _only_neutral_lines(dev_endpoint, SHARED["groupChat"]) == [SENT_PRIVATELY]
    assert "held" in str(fake.to("a:sam")[before:]).lower()
