"""The real Bolt app over HTTP: signed requests in, Web API calls out (to the fake Slack)."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from handlers.chat.access import REFUSAL
from handlers.chat.dispatch import UNKNOWN_PERSON
from storage.models import Person, SupervisionSession
from tests.chat.org import NOW
from tests.slack.conftest import TS, Harness, sign


def _texts(calls: list[Any]) -> list[str]:
    return [str(c.args.get("text")) for c in calls]


def _view(call: Any) -> dict[str, Any]:
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_healthz_and_unknown_paths(slack: Harness) -> None:
    assert slack.get("/healthz").status == 200
    assert slack.get("/nowhere").status == 404


def test_dm_question_is_answered_in_the_dm(slack: Harness) -> None:
    resp = slack.dm("UALEX", "am I overdue?")
    assert resp.status == 200
    [posted] = slack.fake.wait("chat.postMessage")
    assert posted.args["channel"] == "DALEX"
    assert posted.args["text"].startswith("No, you are not overdue")
    blocks = posted.args["blocks"]
    assert blocks[0]["type"] == "section" and len(blocks) <= 50
    assert any(b["type"] == "context" and "s4.4" in b["elements"][0]["text"] for b in blocks)


def test_forged_and_stale_requests_are_rejected(slack: Harness) -> None:
    body = json.dumps({"type": "event_callback", "event_id": "EvX", "event": {}})
    assert slack.post(body, "application/json", signature="v0=" + "0" * 64).status == 401
    assert slack.post(body, "application/json", signature=sign(body, secret="wrong")).status == 401
    stale = str(int(NOW.timestamp()) - 6 * 60)
    assert slack.dm("UALEX", "am I overdue?", timestamp=stale).status == 401
    assert slack.post(body, "application/json", signature="").status == 401
    assert slack.fake.calls == []  # nothing reached the handlers, not even auth.test


def test_retried_event_is_answered_once(slack: Harness) -> None:
    assert slack.dm("UALEX", "when is my next session?", event_id="Ev42").status == 200
    retry = slack.dm(
        "UALEX",
        "when is my next session?",
        event_id="Ev42",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert retry.status == 200
    slack.fake.wait("chat.postMessage")
    slack.dm("UALEX", "who is my supervisor?", event_id="Ev43")
    posted = slack.fake.wait("chat.postMessage", 2)
    assert len(posted) == 2
    assert posted[1].args["text"].startswith("Your supervisor is Sam Taylor")


def test_mention_in_a_channel_answers_privately(slack: Harness) -> None:
    event = {
        "type": "app_mention",
        "channel": "C0TEAM",
        "user": "USAM",
        "text": "<@UBOT> who is overdue in my team?",
        "ts": "1775635200.000300",
    }
    slack.event(event, "Ev50")
    [eph] = slack.fake.wait("chat.postEphemeral")
    assert eph.args["channel"] == "C0TEAM" and eph.args["user"] == "USAM"
    assert eph.args["text"].startswith("1 of 2 in your team overdue: Jo Brown")
    assert slack.fake.of("chat.postMessage") == []


def test_user_found_by_email_is_remembered(slack: Harness) -> None:
    slack.dm("UJO", "who is my supervisor?", event_id="Ev60")
    [posted] = slack.fake.wait("chat.postMessage")
    assert posted.args["text"].startswith("Your supervisor is Sam Taylor")
    assert len(slack.fake.of("users.info")) == 1
    with Session(slack.engine) as s:
        assert s.get(Person, "sw2").slack_user_id == "UJO"  # type: ignore[union-attr]
    slack.dm("UJO", "am I overdue", event_id="Ev61")
    slack.fake.wait("chat.postMessage", 2)
    assert len(slack.fake.of("users.info")) == 1  # the stored id is used now


def test_unknown_user_is_told_and_admins_once(slack: Harness) -> None:
    slack.dm("UNOBODY", "am I overdue?", event_id="Ev70")
    slack.fake.wait("chat.postMessage", 2)
    slack.dm("UNOBODY", "hello?", event_id="Ev71")
    posted = slack.fake.wait("chat.postMessage", 3)
    to_user = [c for c in posted if c.args["channel"] == "DNOBODY"]
    to_admin = [c for c in posted if c.args["channel"] == "DADA"]
    assert _texts(to_user) == [UNKNOWN_PERSON, UNKNOWN_PERSON]
    assert len(to_admin) == 1 and "<@UNOBODY>" in to_admin[0].args["text"]


def test_slash_command_answers_ephemerally(slack: Harness) -> None:
    assert slack.command("UALEX", "due").status == 200
    [answer] = slack.fake.wait("response_url")
    assert answer.args["response_type"] == "ephemeral"
    assert answer.args["text"].startswith("Your next supervision is due by Fri 10 Apr 2026")


def test_slash_book_opens_a_modal_and_submission_books(slack: Harness) -> None:
    slack.command("USAM", "book Jo", trigger="trig-7")
    [opened] = slack.fake.wait("views.open")
    view = _view(opened)
    assert opened.args["trigger_id"] == "trig-7" and view["callback_id"] == "book_submit"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "supervisee",
        "date",
        "time",
    ]
    submission = {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": "USAM"},
        "api_app_id": "A0001",
        "view": {
            "id": "V0042",
            "hash": "h1",
            "type": "modal",
            "callback_id": "book_submit",
            "private_metadata": "",
            "state": {
                "values": {
                    "supervisee": {
                        "supervisee": {"type": "static_select", "selected_option": {"value": "sw2"}}
                    },
                    "date": {"date": {"type": "datepicker", "selected_date": "2026-04-15"}},
                    "time": {"time": {"type": "timepicker", "selected_time": "11:30"}},
                }
            },
        },
    }
    assert slack.interact(submission).status == 200
    [posted] = slack.fake.wait("chat.postMessage")
    assert posted.args["text"].startswith(
        "Booked: supervision with Jo Brown on Wed 15 Apr 2026, 11:30"
    )
    assert slack.interact(submission).status == 200  # a double submit
    with Session(slack.engine) as s:
        rows = s.exec(
            select(SupervisionSession).where(SupervisionSession.supervisee_id == "sw2")
        ).all()
    assert len(rows) == 2  # the seeded one and exactly one booking


def test_button_pressed_twice_books_once(slack: Harness) -> None:
    value = "sw2|2026-04-20T10:00,2026-05-05T11:30"
    slack.press("USAM", "confirm_plan", value, action_ts="1775635300.1")
    slack.fake.wait("chat.postMessage")
    slack.press("USAM", "confirm_plan", value, action_ts="1775635300.1")  # Slack's retry
    slack.press("USAM", "confirm_plan", value, action_ts="1775635301.9")  # a second press
    posted = slack.fake.wait("chat.postMessage", 2)
    assert posted[0].args["text"].startswith("Booked 2 session(s) for Jo Brown")
    assert "already booked" in posted[1].args["text"]
    with Session(slack.engine) as s:
        rows = s.exec(
            select(SupervisionSession).where(SupervisionSession.supervisee_id == "sw2")
        ).all()
    assert len(rows) == 3
    assert len(slack.fake.of("chat.postMessage")) == 2


def test_engine_buttons_check_who_presses(slack: Harness) -> None:
    slack.press("UALEX", "session_held", "4", action_ts="1.1")  # Alex is not Jo's supervisor
    [refused] = slack.fake.wait("chat.postMessage")
    assert refused.args["text"] == REFUSAL
    slack.press("USAM", "session_held", "4", action_ts="1.2")
    held = slack.fake.wait("chat.postMessage", 2)[1]
    assert held.args["text"].startswith("Recorded session #4")
    share = [e for b in held.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"], e["value"]) for e in share] == [("record_share", "4")]
    slack.press("USAM", "session_cancel", "2", action_ts="1.3", trigger="trig-c")
    [modal] = slack.fake.wait("views.open")
    assert (
        _view(modal)["callback_id"] == "cancel_submit" and _view(modal)["private_metadata"] == "2"
    )


def test_app_home_lists_the_team_overdue_first(slack: Harness) -> None:
    slack.event(
        {"type": "app_home_opened", "user": "USAM", "channel": "DSAM", "tab": "home"}, "Ev80"
    )
    [published] = slack.fake.wait("views.publish")
    view = _view(published)
    assert published.args["user_id"] == "USAM" and view["type"] == "home"
    text = json.dumps(view["blocks"])
    assert text.index("Jo Brown") < text.index("Alex Jones")
    assert len(view["blocks"]) <= 100


def test_signature_uses_the_injected_clock(slack: Harness) -> None:
    assert TS == "1775635200"
    assert slack.dm("UALEX", "help", event_id="Ev90").status == 200
    assert slack.fake.wait("chat.postMessage")[0].args["text"].startswith("Here's what I can help")


def test_expired_trigger_falls_back_to_a_form_button(slack: Harness) -> None:
    slack.press("USAM", "session_rearrange", "2", action_ts="2.1", trigger="expired-1")
    [posted] = slack.fake.wait("chat.postMessage")
    buttons = [e for b in posted.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"], e["value"]) for e in buttons] == [("form_open", "rearrange_submit|2")]
    slack.press("USAM", "form_open", "rearrange_submit|2", action_ts="2.2", trigger="trig-9")
    [modal] = slack.fake.wait("views.open")
    assert (
        _view(modal)["callback_id"] == "rearrange_submit" and modal.args["trigger_id"] == "trig-9"
    )
    assert [c.ok for c in slack.fake.of("views.open", ok_only=False)] == [False, True]


def test_mentions_of_people_read_as_their_names(slack: Harness) -> None:
    slack.dm("USAM", "book supervision with <@UJO> on Tuesday at 4pm", event_id="Ev95")
    [posted] = slack.fake.wait("chat.postMessage")
    assert posted.args["text"].startswith(
        "Booked: supervision with Jo Brown on Tue 14 Apr 2026, 16:00"
    )


def test_a_warning_from_a_form_opens_a_new_modal(slack: Harness) -> None:
    answers = {
        "experience": "Visited the child, DOB 12/03/2015",
        "reflection": "",
        "analysis": "",
        "plans_and_action": "",
    }
    submission = {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": "UALEX"},
        "api_app_id": "A0001",
        "trigger_id": "trig-w",
        "view": {
            "id": "V0077",
            "hash": "h7",
            "type": "modal",
            "callback_id": "prep_submit",
            "private_metadata": "2",
            "state": {
                "values": {
                    k: {k: {"type": "plain_text_input", "value": v}} for k, v in answers.items()
                }
            },
        },
    }
    assert slack.interact(submission).status == 200
    [opened] = slack.fake.wait("views.open")
    view = _view(opened)
    assert opened.args["trigger_id"] == "trig-w" and view["callback_id"] == "prep_submit"
    assert "confirm_child_details" in [b.get("block_id") for b in view["blocks"]]
    assert slack.fake.of("chat.postMessage") == []  # nothing saved, nothing posted


def test_ack_comes_before_the_work(slack: Harness) -> None:
    gate = slack.fake.hold("chat.postMessage")
    # If the answer were computed and posted before the ack, this request would block on the
    # held chat.postMessage and time out; it returns at once because the work is lazy.
    assert slack.dm("UALEX", "am I overdue?", event_id="Ev99").status == 200
    assert slack.fake.of("chat.postMessage", ok_only=False) == []
    gate.set()
    assert slack.fake.wait("chat.postMessage")[0].args["text"].startswith("No, you are not")
