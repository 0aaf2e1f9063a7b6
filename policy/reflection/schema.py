"""The shape of a reflective question bank (Morrison's 4x4x4 model), validated with pydantic.

A bank file reads like the model it encodes: every question names its Kolb stage,
the stakeholder whose perspective it takes, the function(s) of supervision it
serves and where it comes from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

# Order matters: prompts follow the Kolb cycle in this order (Leeds 3.4).
STAGES: tuple[str, ...] = ("experience", "reflection", "analysis", "plans_and_action")
STAKEHOLDERS: tuple[str, ...] = (
    "supervisee",
    "child_and_family",
    "other_agencies",
    "organisation",
)
FUNCTIONS: tuple[str, ...] = ("management", "development", "support", "mediation")

STAGE_TITLES = {
    "experience": "Experience",
    "reflection": "Reflection",
    "analysis": "Analysis",
    "plans_and_action": "Plans and action",
}
STAKEHOLDER_TITLES = {
    "supervisee": "you, the supervisee",
    "child_and_family": "the child and their family",
    "other_agencies": "other agencies and professionals",
    "organisation": "our own organisation",
}
FUNCTION_TITLES = {
    "management": "management",
    "development": "development",
    "support": "support",
    "mediation": "mediation",
}

Stage = Literal["experience", "reflection", "analysis", "plans_and_action"]
Stakeholder = Literal["supervisee", "child_and_family", "other_agencies", "organisation"]
Function = Literal["management", "development", "support", "mediation"]

WRITTEN_PREFIX = "written for supervision-bot in the spirit of "
MIN_PER_CELL = 4

QuestionId = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$", strip_whitespace=True)
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentSource(_Strict):
    """A question taken from a named document: quoted word for word, or adapted from it."""

    document: str = Field(min_length=1, description="a key of the bank's `documents`")
    section: str = Field(min_length=1)
    use: Literal["quoted", "adapted"]


class Document(_Strict):
    """A source document the bank cites."""

    title: str = Field(min_length=1)
    file: str | None = Field(default=None, description="file name of the extracted text")


class Question(_Strict):
    """One reflective question."""

    id: QuestionId
    stage: Stage
    stakeholder: Stakeholder
    functions: tuple[Function, ...] = Field(min_length=1)
    text: str = Field(min_length=10, max_length=400)
    source: DocumentSource | str

    @field_validator("functions")
    @classmethod
    def _no_duplicate_functions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("lists the same function twice")
        return value

    @field_validator("source")
    @classmethod
    def _written_source(cls, value: DocumentSource | str) -> DocumentSource | str:
        if isinstance(value, str) and not (
            value.startswith(WRITTEN_PREFIX) and len(value) > len(WRITTEN_PREFIX) + 3
        ):
            raise ValueError(
                "a source must be {document, section, use} or a sentence starting "
                f"'{WRITTEN_PREFIX}...'"
            )
        return value


class BankFile(_Strict):
    """A bank file as written: the built-in one or an organisation's own."""

    version: Literal[1]
    title: str = Field(min_length=1)
    include_default: bool = Field(
        default=False,
        description="add these questions to the built-in bank instead of replacing it",
    )
    documents: dict[str, Document] = Field(default_factory=dict)
    questions: tuple[Question, ...] = Field(min_length=1)


def cell_counts(questions: Iterable[Question]) -> dict[tuple[str, str], int]:
    """How many questions each (stage, stakeholder) cell holds, all 16 cells present."""
    counts = {(stage, who): 0 for stage in STAGES for who in STAKEHOLDERS}
    for q in questions:
        counts[(q.stage, q.stakeholder)] += 1
    return counts
