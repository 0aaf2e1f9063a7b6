"""The built-in question bank covers the whole 4x4x4 model and cites its sources faithfully."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy.reflection.bank import QuestionBank
from policy.reflection.schema import (
    FUNCTIONS,
    MIN_PER_CELL,
    STAGES,
    STAKEHOLDERS,
    WRITTEN_PREFIX,
    DocumentSource,
    cell_counts,
)

SOURCES = Path(__file__).resolve().parents[2] / "policy" / "sources"


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).lower()


def test_at_least_64_questions_with_unique_ids(bank: QuestionBank) -> None:
    assert len(bank.questions) >= 64
    ids = [q.id for q in bank.questions]
    assert len(ids) == len(set(ids))


def test_every_stage_for_every_stakeholder_has_at_least_four(bank: QuestionBank) -> None:
    counts = cell_counts(bank.questions)
    assert len(counts) == 16
    assert {cell: n for cell, n in counts.items() if n < MIN_PER_CELL} == {}
    assert min(counts.values()) >= 4


def test_every_cell_serves_every_function(bank: QuestionBank) -> None:
    missing = [
        (stage, who, fn)
        for stage in STAGES
        for who in STAKEHOLDERS
        for fn in FUNCTIONS
        if not bank.matching(stage=stage, stakeholder=who, function=fn)
    ]
    assert missing == []
    assert bank.warnings == ()


def test_every_question_has_a_source(bank: QuestionBank) -> None:
    for q in bank.questions:
        if isinstance(q.source, DocumentSource):
            assert q.source.document in bank.documents, q.id
        else:
            assert q.source.startswith(WRITTEN_PREFIX), q.id


def test_draws_on_the_named_sections(bank: QuestionBank) -> None:
    cited = {
        (q.source.document, q.source.section.split(" ")[0])
        for q in bank.questions
        if isinstance(q.source, DocumentSource)
    }
    for expected in [
        ("leeds-2023", "3.4"),
        ("leeds-2023", "4.10"),
        ("leeds-2023", "4.11"),
        ("warwickshire-2019", "18.1"),
    ]:
        assert expected in cited


@pytest.mark.parametrize("use", ["quoted"])
def test_quoted_questions_are_the_documents_own_words(bank: QuestionBank, use: str) -> None:
    quoted = [
        q for q in bank.questions if isinstance(q.source, DocumentSource) and q.source.use == use
    ]
    assert len(quoted) >= 12
    for q in quoted:
        assert isinstance(q.source, DocumentSource)
        file = bank.documents[q.source.document].file
        assert file, q.id
        document = _norm((SOURCES / file).read_text(encoding="utf-8"))
        assert _norm(q.text) in document, f"{q.id} is not word for word in {file}"


def test_adapted_questions_keep_a_phrase_of_the_source(bank: QuestionBank) -> None:
    for q in bank.questions:
        if not (isinstance(q.source, DocumentSource) and q.source.use == "adapted"):
            continue
        file = bank.documents[q.source.document].file
        assert file
        document = " ".join(re.findall(r"[a-z']+", _norm((SOURCES / file).read_text("utf-8"))))
        words = re.findall(r"[a-z']+", _norm(q.text))
        trigrams = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
        assert any(t in document for t in trigrams), f"{q.id} shares no phrase with {file}"


def test_questions_never_ask_for_childrens_details(bank: QuestionBank) -> None:
    for q in bank.questions:
        assert not re.search(r"\b(name|date of birth|case number|address)\b", q.text.lower()), q.id
