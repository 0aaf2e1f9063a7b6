"""An event whose answer could not be delivered is released, so Slack's retry is answered."""

from __future__ import annotations

import threading

from sqlmodel import Session

from storage.models import ProcessedEvent
from tests.slack.conftest import Harness

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def _claimed(slack: Harness, key: str) -> bool:
    with Session(slack.engine) as s:
        return s.get(ProcessedEvent, ("slack", key)) is not None


def _until_released(slack: Harness, key: str) -> None:
    """The release follows the failed call by a moment (the lazy listener's except block)."""
    pause = threading.Event()
    for _ in range(200):
        if not _claimed(slack, key):
            return
        pause.wait(0.025)
    raise AssertionError(f"{key} was never released")


def test_a_failed_answer_is_answered_on_slacks_retry(slack: Harness) -> None:
    slack.fake.fail_once("chat.postMessage", 200, "internal_error")  # not retried by the client
    assert slack.dm("UALEX", "am I overdue?", event_id="Ev300").status == 200
    [failed] = slack.fake.wait("chat.postMessage", ok_only=False)
    assert failed.ok is False
    _until_released(slack, "event:Ev300")

    assert slack.dm("UALEX", "am I overdue?", event_id="Ev300", headers=RETRY).status == 200
    [answered] = slack.fake.wait("chat.postMessage")
    assert answered.args["channel"] == "DALEX"
    assert answered.args["text"].startswith("No, you are not overdue")
    assert _claimed(slack, "event:Ev300")  # handled now: a further retry is ignored

    again = {**RETRY, "X-Slack-Retry-Num": "2"}
    assert slack.dm("UALEX", "am I overdue?", event_id="Ev300", headers=again).status == 200
    slack.dm("UALEX", "who is my supervisor?", event_id="Ev301")  # proves the retry was seen
    posted = slack.fake.wait("chat.postMessage", 2)
    assert posted[1].args["text"].startswith("Your supervisor is Sam Taylor")
    assert len(slack.fake.of("chat.postMessage")) == 2


def test_a_delivered_answer_stays_claimed(slack: Harness) -> None:
    slack.dm("UALEX", "am I overdue?", event_id="Ev302")
    slack.fake.wait("chat.postMessage")
    assert _claimed(slack, "event:Ev302")


def test_a_failed_mention_answer_is_released_too(slack: Harness) -> None:
    slack.fake.fail_once("chat.postEphemeral", 200, "internal_error")
    slack.fake.fail_once("conversations.open", 200, "internal_error")  # and the DM fallback
    event = {
        "type": "app_mention",
        "channel": "C0TEAM",
        "user": "USAM",
        "text": "<@UBOT> who is overdue in my team?",
        "ts": "1775635200.000300",
    }
    slack.event(event, "Ev303")
    slack.fake.wait("conversations.open", ok_only=False)
    _until_released(slack, "event:Ev303")
    slack.event(event, "Ev303", headers=RETRY)
    [eph] = slack.fake.wait("chat.postEphemeral")
    assert eph.args["user"] == "USAM" and eph.args["channel"] == "C0TEAM"
