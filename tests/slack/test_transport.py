"""SlackTransport: DMs for the engine, 429 Retry-After honoured, undeliverable people reported."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.transport import DeliveryFailed, OutgoingMessage
from handlers.replies import Button, Reply
from storage.models import AdminNotice, Person
from tests.chat.org import NOW
from tests.slack.conftest import Harness


def _message(
    recipient: str, text: str = "Reminder: supervision with Sam tomorrow at 14:00."
) -> OutgoingMessage:
    reply = Reply(
        text=text,
        buttons=[
            Button("Prepare", "open_prep", "2"),
            Button("Held", "session_held", "2", "primary"),
        ],
    )
    return OutgoingMessage(
        key=f"session_reminder:{recipient}:2",
        kind="session_reminder",
        recipient_id=recipient,
        about_id=recipient,
        session_id=2,
        session_at=NOW,
        reason=None,
        due_at=NOW,
        reply=reply,
    )


def _person(slack: Harness, pid: str) -> Person:
    with Session(slack.engine) as s:
        person = s.get(Person, pid)
        assert person is not None
        return person


def test_send_opens_a_dm_and_posts_with_buttons(slack: Harness) -> None:
    slack.transport.send(_person(slack, "sw1"), _message("sw1"))
    [opened] = slack.fake.of("conversations.open")
    assert opened.args["users"] == "UALEX"
    [posted] = slack.fake.of("chat.postMessage")
    assert posted.args["channel"] == "DALEX"
    actions = [
        e["action_id"]
        for b in posted.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert actions == ["open_prep", "session_held"]


def test_rate_limit_is_retried_after_retry_after(slack: Harness) -> None:
    slack.fake.rate_limit_once("chat.postMessage")
    slack.transport.send(_person(slack, "sw1"), _message("sw1"))
    calls = slack.fake.of("chat.postMessage", ok_only=False)
    assert [c.status for c in calls] == [429, 200]


def test_transient_server_error_is_retried_with_backoff(slack: Harness) -> None:
    slack.fake.fail_once("conversations.open", 503)
    slack.transport.send(_person(slack, "sw1"), _message("sw1"))
    assert [c.status for c in slack.fake.of("conversations.open", ok_only=False)] == [503, 200]
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_person_found_by_email_then_remembered(slack: Harness) -> None:
    assert _person(slack, "sw3").slack_user_id is None
    slack.transport.send(_person(slack, "sw3"), _message("sw3"))
    assert slack.fake.of("users.lookupByEmail")[0].args["email"] == "chris@example.org"
    assert _person(slack, "sw3").slack_user_id == "UCHRIS"
    assert slack.fake.of("chat.postMessage")[0].args["channel"] == "DCHRIS"


def test_unreachable_person_is_a_delivery_failure_reported_once(slack: Harness) -> None:
    slack.fake.undeliverable.add("UCHRIS")
    for _ in range(2):
        with pytest.raises(DeliveryFailed) as failed:
            slack.transport.send(_person(slack, "sw3"), _message("sw3"))
        assert failed.value.permanent
    to_admin = [c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "DADA"]
    assert len(to_admin) == 1 and "Chris Green (sw3)" in to_admin[0].args["text"]
    with Session(slack.engine) as s:
        keys = s.exec(select(AdminNotice.key)).all()
    assert keys == ["slack-unreachable:sw3"]


def test_person_unknown_to_slack_is_permanent(slack: Harness) -> None:
    with Session(slack.engine) as s:
        person = s.get(Person, "sdm")
        assert person is not None
        person.email = "dana@other.org"
        s.add(person)
        s.commit()
    with pytest.raises(DeliveryFailed) as failed:
        slack.transport.send(_person(slack, "sdm"), _message("sdm"))
    assert failed.value.permanent and "users_not_found" in str(failed.value)
    assert slack.transport.can_reach(_person(slack, "sdm"))
