"""A modal submitted with a date or time that can't be booked stays open, the error by the field."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlmodel import Session, select

from storage.models import SupervisionSession
from tests.slack.conftest import Harness

WEEKEND = "Sat 11 Apr 2026 is a weekend; please choose a working day."


def _opened_view(slack: Harness, count: int = 1) -> dict[str, Any]:
    call = slack.fake.wait("views.open", count)[count - 1]
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


def _submission(
    user: str, view: dict[str, Any], day: str, at: str, **values: str
) -> dict[str, Any]:
    """Slack's view_submission for the opened `view` (its blocks included), filled in."""
    state: dict[str, Any] = {
        "date": {"date": {"type": "datepicker", "selected_date": day}},
        "time": {"time": {"type": "timepicker", "selected_time": at}},
    }
    for name, value in values.items():
        state[name] = {name: {"type": "static_select", "selected_option": {"value": value}}}
    return {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": user},
        "api_app_id": "A0001",
        "trigger_id": "trig-s",
        "view": {**view, "id": "V0100", "hash": "h100", "state": {"values": state}},
    }


def _sessions(slack: Harness, supervisee: str) -> list[SupervisionSession]:
    with Session(slack.engine) as s:
        stmt = select(SupervisionSession).where(SupervisionSession.supervisee_id == supervisee)
        return list(s.exec(stmt).all())


def test_a_weekend_keeps_the_booking_modal_open_and_a_working_day_books(slack: Harness) -> None:
    slack.command("USAM", "book Jo", trigger="trig-7")
    view = _opened_view(slack)
    started = time.monotonic()
    resp = slack.interact(_submission("USAM", view, "2026-04-11", "10:00", supervisee="sw2"))
    assert time.monotonic() - started < 3  # Slack's limit for the ack
    assert resp.status == 200
    assert json.loads(resp.body) == {"response_action": "errors", "errors": {"date": WEEKEND}}
    assert len(_sessions(slack, "sw2")) == 1  # only the seeded one

    # The same modal, corrected: acknowledged plainly (the modal closes) and booked.
    fixed = slack.interact(_submission("USAM", view, "2026-04-15", "11:30", supervisee="sw2"))
    assert fixed.status == 200 and "errors" not in fixed.body
    [posted] = slack.fake.wait("chat.postMessage")
    assert posted.args["text"].startswith(
        "Booked: supervision with Jo Brown on Wed 15 Apr 2026, 11:30"
    )
    assert len(_sessions(slack, "sw2")) == 2
    assert len(slack.fake.of("chat.postMessage")) == 1  # nothing was said about the weekend


def test_a_clash_keeps_the_rearrange_modal_open_with_the_error_by_the_time(
    slack: Harness,
) -> None:
    slack.press("USAM", "session_rearrange", "4", action_ts="3.1", trigger="trig-r")
    view = _opened_view(slack)
    assert view["callback_id"] == "rearrange_submit" and view["private_metadata"] == "4"
    resp = slack.interact(_submission("USAM", view, "2026-04-14", "14:30"))  # Sam sees Alex 14:00
    body = json.loads(resp.body)
    assert body["response_action"] == "errors" and list(body["errors"]) == ["time"]
    assert body["errors"]["time"].startswith("That clashes with session #2")
    assert len(body["errors"]["time"]) <= 150
    assert [s.cancelled_at for s in _sessions(slack, "sw2")] == [None]  # not moved

    fixed = slack.interact(_submission("USAM", view, "2026-04-16", "10:00"))
    assert fixed.status == 200 and "errors" not in fixed.body
    [posted] = slack.fake.wait("chat.postMessage")
    assert posted.args["text"].startswith("Rearranged: session #4 moved to Thu 16 Apr 2026, 10:00")
    assert len(slack.fake.of("chat.postMessage")) == 1  # nothing was said about the clash


def test_a_submission_from_someone_not_yet_linked_is_not_checked_in_the_ack(
    slack: Harness,
) -> None:
    # Finding Jo by email needs users.info, a Web API call the ack must not wait for: the
    # lazy listener finds her and the submission answers as before.
    view = {"type": "modal", "callback_id": "book_submit", "private_metadata": "", "blocks": []}
    resp = slack.interact(_submission("UJO", view, "2026-04-11", "10:00", supervisee="sw2"))
    assert resp.status == 200 and "errors" not in resp.body
    [posted] = slack.fake.wait("chat.postMessage")
    assert "is a weekend, not a working day" in posted.args["text"]
    assert slack.fake.of("users.info")
