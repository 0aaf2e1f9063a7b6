"""A reflective question any time, focused by everyday phrases."""

from __future__ import annotations

import random

import pytest

from handlers.reflect.common import REFLECT_AGAIN, REFLECT_WRITE
from handlers.reflect.questions import Focus, again, parse_focus, reflect, reflective_question
from policy.reflection.bank import QuestionBank


@pytest.mark.parametrize(
    ("text", "focus"),
    [
        ("give me a reflective question", Focus()),
        ("reflect", Focus()),
        ("about support", Focus(function="support")),
        ("a question about wellbeing please", Focus(function="support")),
        ("about self-care", Focus(function="support")),
        ("from the family's view", Focus(stakeholder="child_and_family")),
        ("from the family’s point of view", Focus(stakeholder="child_and_family")),
        ("from the child's perspective", Focus(stakeholder="child_and_family")),
        (
            "about development from other agencies' view",
            Focus(function="development", stakeholder="other_agencies"),
        ),
        (
            "about management from the organisation's view",
            Focus(function="management", stakeholder="organisation"),
        ),
        ("about mediation", Focus(function="mediation")),
        ("from my own perspective", Focus(stakeholder="supervisee")),
        (
            "about learning from partners",
            Focus(function="development", stakeholder="other_agencies"),
        ),
        ("on analysis", Focus(stage="analysis")),
        (
            "about next steps with the family",
            Focus(stakeholder="child_and_family", stage="plans_and_action"),
        ),
        ("about cheese", Focus(unknown="cheese")),
        ("from the martians' view", Focus(unknown="the martians' view")),
    ],
)
def test_parse_focus(text: str, focus: Focus) -> None:
    assert parse_focus(text) == focus


def test_a_focused_question_matches_the_request(bank: QuestionBank) -> None:
    rng = random.Random(7)
    for _ in range(30):
        reply = reflect(bank, "about support from the family's view", rng)
        question = next(q for q in bank.questions if q.text == reply.text)
        assert question.stakeholder == "child_and_family" and "support" in question.functions
        assert {f.label for f in reply.facts} == {"Stage", "Perspective", "Serves", "Source"}
        assert reply.buttons[0].action == REFLECT_AGAIN
        assert reply.buttons[0].value == "support|child_and_family"
        assert reply.buttons[1].action == REFLECT_WRITE and reply.buttons[1].value == question.id


def test_seeded_questions_are_reproducible_and_varied(bank: QuestionBank) -> None:
    first = [reflective_question(bank, rng=random.Random(3)).text for _ in range(3)]
    assert len(set(first)) == 1
    rng = random.Random(3)
    assert len({reflective_question(bank, rng=rng).text for _ in range(40)}) > 10


def test_quoted_questions_carry_their_citation(bank: QuestionBank) -> None:
    rng = random.Random(1)
    for _ in range(60):
        reply = reflective_question(bank, stakeholder="child_and_family", rng=rng)
        question = next(q for q in bank.questions if q.text == reply.text)
        source = bank.source_of(question)
        if source is None or source[2] == "adapted":
            assert reply.citations == []
        else:
            assert reply.citations[0].document.startswith(("Leeds", "Warwickshire"))
            assert reply.citations[0].quote == question.text


def test_unknown_focus_gets_help_not_a_random_question(bank: QuestionBank) -> None:
    reply = reflect(bank, "about cheese")
    assert "not sure what “cheese” means" in reply.text
    assert "management, development, support or mediation" in reply.text
    assert "I don't know the function 'feelings'" in reflective_question(bank, "feelings").text
    assert "stakeholder 'aliens'" in reflective_question(bank, stakeholder="aliens").text


def test_another_question_button_keeps_the_focus(bank: QuestionBank) -> None:
    reply = again(bank, "mediation|", random.Random(2))
    question = next(q for q in bank.questions if q.text == reply.text)
    assert "mediation" in question.functions
    assert again(bank, "|", random.Random(2)).text
