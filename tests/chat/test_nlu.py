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


def _load(name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((Path(__file__).parent / name).read_text(encoding="utf-8")))


CASES = _load("paraphrases.yaml")
HELD_OUT = _load("paraphrases_heldout.yaml")


def test_the_set_is_large_and_covers_every_intent() -> None:
    assert len(CASES) >= 60
    assert {c["intent"] for c in CASES} == {i.id for i in intents.INTENTS} | {"fallback"}


@pytest.mark.parametrize("case", CASES + HELD_OUT, ids=[c["text"] for c in CASES + HELD_OUT])
def test_paraphrase(case: dict[str, Any]) -> None:
    intent, args = nlu.parse(case["text"], NOW, "Europe/London")
    assert intent == case["intent"]
    assert args.get("person") == case.get("person")
    if "when" in case:
        want = datetime.fromisoformat(case["when"]).replace(tzinfo=zone("Europe/London"))
        assert args["when"] == want
    for key in ("day", "from_day"):
        if key in case:
            assert args[key] == date.fromisoformat(case[key])
    for key in ("reason", "session_id", "topic", "shift_days", "note_id"):
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


DEMO_NAMES = [
    "Kwame Mensah",
    "Lucy Barker",
    "Sophie Tran",
    "Mark Ellison",
    "Jo Brown",
    "Sam Taylor",
]


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("book kwame on friday at 2pm", "Kwame"),
        ("I've sent Sophie her record", "Sophie"),
        ("book kwame mensah on the 3rd of January at 10am", "Kwame Mensah"),
        ("book Kwame Mensah on the 3rd of January at 10am", "Kwame Mensah"),
        ("mark my session with Jo as held", "Jo"),  # "mark" is a verb here, not Mark Ellison
        ("Mark my session as held", None),
        ("is lucy overdue", "Lucy"),
        ("how is sophie's supervision going", "Sophie"),
        ("when is my supervision in May", None),
    ],
)
def test_names_the_asker_may_name_are_found_in_any_case(text: str, person: str | None) -> None:
    _, args = nlu.parse(text, NOW, "Europe/London", DEMO_NAMES)
    assert args.get("person") == person


def test_months_and_weekdays_are_never_names() -> None:
    for text in ("book a session on the 3rd of January", "what about Thursday's session"):
        assert "person" not in nlu.parse(text, NOW, "Europe/London")[1], text


def test_the_slash_usage_hint_works() -> None:
    from bot.slack.registry import COMMAND_HINT

    [example] = [part.strip() for part in COMMAND_HINT.strip("[]").split("|") if "book" in part]
    intent, args = nlu.parse_command(example, NOW, "Europe/London")
    assert intent == "book" and args["person"] == "Sam"
    assert args["when"] == datetime(2026, 4, 14, 14, 0, tzinfo=zone("Europe/London"))
    _, args = nlu.parse_command("book Megan Tuesday 2pm", NOW, "Europe/London")
    assert args["person"] == "Megan"
    _, args = nlu.parse_command("book kwame mensah tues 2pm", NOW, "Europe/London", DEMO_NAMES)
    assert args["person"] == "Kwame Mensah"


def test_keywords_answer_when_no_pattern_does() -> None:
    assert nlu.classify("supervisor?") == "my_supervisor"
    assert nlu.classify("signature stuff") == "to_sign"
    assert nlu.classify("tell me a joke") == "fallback"
    assert nlu.classify("session records") == "fallback"  # a tie is no answer
