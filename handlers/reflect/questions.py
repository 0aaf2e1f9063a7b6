"""A reflective question any time: "give me a reflective question", "about support", "from the
family's view". Understands the 4x4x4 model's functions and stakeholders in everyday words.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from handlers.reflect.common import (
    REFLECT_AGAIN,
    REFLECT_NOTE,
    REFLECT_WRITE,
    citation_for,
    source_line,
)
from handlers.reflect.notes import answer_form
from handlers.replies import Button, Fact, Reply
from policy.reflection.bank import QuestionBank
from policy.reflection.schema import (
    FUNCTION_TITLES,
    FUNCTIONS,
    STAGE_TITLES,
    STAGES,
    STAKEHOLDER_TITLES,
    STAKEHOLDERS,
)

FUNCTION_WORDS: dict[str, tuple[str, ...]] = {
    "management": (
        "management",
        "managing",
        "manage",
        "accountability",
        "accountable",
        "performance",
        "quality assurance",
        "governance",
        "workload",
        "caseload",
        "standards",
    ),
    "development": (
        "development",
        "developing",
        "develop",
        "learning",
        "learn",
        "cpd",
        "growth",
        "training",
        "skills",
        "professional development",
    ),
    "support": (
        "support",
        "supporting",
        "wellbeing",
        "well-being",
        "well being",
        "self-care",
        "self care",
        "selfcare",
        "emotional",
        "emotions",
        "stress",
        "resilience",
        "staff care",
        "looking after myself",
    ),
    "mediation": (
        "mediation",
        "mediating",
        "mediate",
        "engagement",
        "negotiating",
        "negotiate",
        "organisational engagement",
        "organizational engagement",
    ),
}
STAKEHOLDER_WORDS: dict[str, tuple[str, ...]] = {
    "supervisee": (
        "supervisee",
        "myself",
        "my own",
        "my view",
        "my perspective",
        "my point of view",
        "from me",
        "the worker",
        "practitioner",
    ),
    "child_and_family": (
        "family",
        "families",
        "child",
        "children",
        "parent",
        "parents",
        "carer",
        "carers",
        "young person",
        "young people",
        "service user",
        "service users",
    ),
    "other_agencies": (
        "other agencies",
        "other agency",
        "agencies",
        "agency",
        "partners",
        "partner agencies",
        "other professionals",
        "professionals",
        "professional",
        "multi-agency",
        "multi agency",
        "school",
        "police",
    ),
    "organisation": (
        "organisation",
        "organization",
        "council",
        "the service",
        "our service",
        "the team",
        "our team",
        "my team",
        "employer",
        "department",
    ),
}
STAGE_WORDS: dict[str, tuple[str, ...]] = {
    "experience": ("experience", "what happened"),
    "analysis": ("analysis", "analyse", "analyze", "make sense"),
    "plans_and_action": ("plans", "planning", "plan", "next steps", "action"),
}
HELP = (
    "I can focus a question on a function of supervision (about management, development, "
    "support or mediation) or a perspective (from your own, the child and family's, other "
    "agencies' or the organisation's view)."
)


@dataclass(frozen=True)
class Focus:
    """What a request for a reflective question asks for; `unknown` holds words not understood."""

    function: str | None = None
    stakeholder: str | None = None
    stage: str | None = None
    unknown: str | None = None


def _find(text: str, table: dict[str, tuple[str, ...]]) -> tuple[str | None, list[tuple[int, int]]]:
    """The first concept mentioned (by position) and the spans of every mention."""
    hits: list[tuple[int, int, str]] = []
    for key, words in table.items():
        for word in words:
            for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?:'?s)?(?![\w-])", text):
                hits.append((m.start(), m.end(), key))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    return (hits[0][2] if hits else None), [(a, b) for a, b, _ in hits]


def parse_focus(text: str) -> Focus:
    """Read "about support", "from the family's view", "on analysis" and similar phrases."""
    clean = " ".join(text.lower().replace("’", "'").split())
    function, f_spans = _find(clean, FUNCTION_WORDS)
    stakeholder, s_spans = _find(clean, STAKEHOLDER_WORDS)
    stage, g_spans = _find(clean, STAGE_WORDS)
    spans = f_spans + s_spans + g_spans
    unknown = None
    for m in re.finditer(r"\b(?:about|from|on)\s+(.+?)(?=\s+(?:about|from|on)\s|[?.!]|$)", clean):
        a, b = m.span(1)
        if not any(s < b and a < e for s, e in spans):
            unknown = m.group(1).strip()
            break
    return Focus(function, stakeholder, stage, unknown)


def reflective_question(
    bank: QuestionBank,
    function: str | None = None,
    stakeholder: str | None = None,
    stage: str | None = None,
    rng: random.Random | None = None,
) -> Reply:
    """A reflective question from the 4x4x4 bank, optionally for one function or perspective."""
    for value, allowed, what in (
        (function, FUNCTIONS, "function"),
        (stakeholder, STAKEHOLDERS, "stakeholder"),
        (stage, STAGES, "stage"),
    ):
        if value is not None and value not in allowed:
            return Reply(f"I don't know the {what} '{value}'. {HELP}", ok=False, ephemeral=True)
    candidates = bank.matching(stage=stage, stakeholder=stakeholder, function=function)
    if not candidates:
        return Reply(
            f"The question bank has no question for that combination. {HELP}",
            ok=False,
            ephemeral=True,
        )
    question = (rng or random.Random()).choice(candidates)
    citation = citation_for(bank, question)
    return Reply(
        text=question.text,
        facts=[
            Fact("Stage", STAGE_TITLES[question.stage]),
            Fact("Perspective", STAKEHOLDER_TITLES[question.stakeholder]),
            Fact("Serves", ", ".join(FUNCTION_TITLES[f] for f in question.functions)),
            Fact("Source", source_line(bank, question)),
        ],
        buttons=[
            Button("Another question", REFLECT_AGAIN, f"{function or ''}|{stakeholder or ''}"),
            Button("Write a private note", REFLECT_WRITE, question.id),
        ],
        citations=[citation] if citation else [],
        ephemeral=True,
    )


def reflect(bank: QuestionBank, text: str, rng: random.Random | None = None) -> Reply:
    """Answer a request in words: "a reflective question about support from the family's view"."""
    focus = parse_focus(text)
    if focus.unknown and not (focus.function or focus.stakeholder or focus.stage):
        return Reply(
            f"I'm not sure what “{focus.unknown}” means here. {HELP}", ok=False, ephemeral=True
        )
    return reflective_question(bank, focus.function, focus.stakeholder, focus.stage, rng)


def again(bank: QuestionBank, value: str, rng: random.Random | None = None) -> Reply:
    """The "Another question" button: `value` is "function|stakeholder" (either may be empty)."""
    function, _, stakeholder = value.partition("|")
    return reflective_question(bank, function or None, stakeholder or None, rng=rng)


def note_form(bank: QuestionBank, question_id: str) -> Reply:
    """The "Write a private note" button: a one-field form under the question."""
    question = bank.get(question_id)
    if question is None:
        return Reply("That question is no longer in the bank.", ok=False, ephemeral=True)
    return Reply(
        text=question.text,
        form=answer_form(REFLECT_NOTE, question.id, question.text),
        ephemeral=True,
    )
