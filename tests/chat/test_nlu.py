"""The paraphrase set: every phrasing maps to its intent, with the arguments it names."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.clock import zone
from handlers.chat import intents, nlu
from tests.chat.org import NOW

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "paraphrases.yaml").read_text(encoding="utf-8")
)


def test_the_set_is_large_and_covers_every_intent() -> None:
    assert len(CASES) >= 60
    assert {c["intent"] for c in CASES} == {i.id for i in intents.INTENTS} | {"fallback"}


@pytest.mark.parametrize("case", CASES, ids=[c["text"] for c in CASES])
def test_paraphrase(case: dict[str, Any]) -> None:
    intent, args = nlu.parse(case["text"], NOW, "Europe/London")
    assert intent == case["intent"]
    assert args.get("person") == case.get("person")
    if "when" in case:
        want = datetime.fromisoformat(case["when"]).replace(tzinfo=zone("Europe/London"))
        assert args["when"] == want
    if "day" in case:
        assert args["day"] == date.fromisoformat(case["day"])
    for key in ("reason", "session_id", "topic", "shift_days"):
        if key in case:
            assert args.get(key) == case[key]


def test_every_example_in_the_registry_is_understood() -> None:
    for intent in intents.INTENTS:
        for example in intent.examples:
            assert nlu.classify(example) == intent.id, example


def test_slash_subcommands_map_to_intents() -> None:
    assert nlu.parse_command("due", NOW, "Europe/London") == ("next_due", {})
    intent, args = nlu.parse_command("book Alex on Tuesday at 2pm", NOW, "Europe/London")
    assert intent == "book" and args["person"] == "Alex"
    assert nlu.parse_command("am I overdue?", NOW, "Europe/London")[0] == "am_i_overdue"


def test_times_resolve_in_the_askers_timezone_across_the_clock_change() -> None:
    before = datetime(2026, 3, 27, 12, 0, tzinfo=zone("Europe/London"))
    _, args = nlu.parse("book supervision with Jo on Monday at 9am", before, "Europe/London")
    assert args["when"].utcoffset().total_seconds() == 3600  # 30 March is in BST
    _, ny = nlu.parse("book with Jo tomorrow at 10", NOW, "America/New_York")
    assert ny["when"].hour == 10 and str(ny["when"].tzinfo) == "America/New_York"
