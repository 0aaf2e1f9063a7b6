"""Load and check a reflective question bank: the built-in one, or an organisation's own file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from policy.reflection.schema import (
    FUNCTIONS,
    MIN_PER_CELL,
    STAGES,
    STAKEHOLDERS,
    BankFile,
    Document,
    DocumentSource,
    Question,
    cell_counts,
)
from policy.reflection.yamlpath import FileProblem, read_yaml, validation_messages

DEFAULT_BANK = Path(__file__).resolve().parent / "questions.yaml"


class BankError(FileProblem):
    """A bank file that cannot be used; str(e) lists every problem with file, line and place."""


@dataclass(frozen=True)
class QuestionBank:
    """Validated questions, indexed by id and by (stage, stakeholder) cell."""

    title: str
    questions: tuple[Question, ...]
    documents: dict[str, Document]
    sources: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    _by_id: dict[str, Question] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({q.id: q for q in self.questions})

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def cell(self, stage: str, stakeholder: str) -> list[Question]:
        """Questions for one Kolb stage from one stakeholder's perspective, in file order."""
        return [q for q in self.questions if q.stage == stage and q.stakeholder == stakeholder]

    def matching(
        self,
        *,
        stage: str | None = None,
        stakeholder: str | None = None,
        function: str | None = None,
    ) -> list[Question]:
        return [
            q
            for q in self.questions
            if (stage is None or q.stage == stage)
            and (stakeholder is None or q.stakeholder == stakeholder)
            and (function is None or function in q.functions)
        ]

    def source_of(self, question: Question) -> tuple[str, str, str] | None:
        """(document title, section, 'quoted'|'adapted') or None for questions written here."""
        src = question.source
        if not isinstance(src, DocumentSource):
            return None
        doc = self.documents.get(src.document)
        return (doc.title if doc else src.document, src.section, src.use)


def _parse(path: Path) -> BankFile:
    data, node = read_yaml(path, BankError)
    if not isinstance(data, dict):
        raise BankError(
            f"{path}: a question bank is a mapping with `version`, `title` and `questions`"
        )
    try:
        return BankFile.model_validate(data)
    except ValidationError as exc:
        raise BankError("\n".join(validation_messages(path, exc, data, node))) from None


def _problems(path: Path, bank: BankFile, questions: list[Question]) -> list[str]:
    problems = []
    dupes = [qid for qid, n in Counter(q.id for q in questions).items() if n > 1]
    if dupes:
        problems.append(f"{path}: question ids used more than once: {', '.join(sorted(dupes))}")
    for i, q in enumerate(bank.questions):
        if isinstance(q.source, DocumentSource) and q.source.document not in bank.documents:
            known = ", ".join(sorted(bank.documents)) or "none"
            problems.append(
                f"{path}: questions[{i}] (id '{q.id}').source.document: '{q.source.document}' "
                f"is not listed under `documents` (listed: {known})"
            )
    thin = [
        f"{stage} x {who} ({n})"
        for (stage, who), n in cell_counts(questions).items()
        if n < MIN_PER_CELL
    ]
    if thin:
        problems.append(
            f"{path}: every Kolb stage needs at least {MIN_PER_CELL} questions from every "
            f"stakeholder's perspective; too few in: {'; '.join(thin)}"
        )
    return problems


def _warnings(questions: list[Question]) -> list[str]:
    missing = [
        f"{stage} x {who} x {fn}"
        for stage in STAGES
        for who in STAKEHOLDERS
        for fn in FUNCTIONS
        if not any(
            q.stage == stage and q.stakeholder == who and fn in q.functions for q in questions
        )
    ]
    if not missing:
        return []
    return [
        "no question serves these stage x stakeholder x function combinations, so the "
        f"rotation will use another function there: {'; '.join(missing)}"
    ]


def load_bank(path: str | Path | None = None) -> QuestionBank:
    """The bank at `path` (the built-in bank when None); raises BankError for people.

    A file with `include_default: true` adds its questions (and documents) to the
    built-in bank; otherwise it replaces it and must cover all 16 cells itself.
    """
    if path is None or Path(path).resolve() == DEFAULT_BANK:
        return default_bank()
    file = Path(path)
    parsed = _parse(file)
    questions = list(parsed.questions)
    documents = dict(parsed.documents)
    sources = [str(file)]
    if parsed.include_default:
        base = default_bank()
        questions = list(base.questions) + questions
        documents = {**base.documents, **documents}
        sources = [*base.sources, str(file)]
    problems = _problems(file, parsed, questions)
    if problems:
        raise BankError("\n".join(problems))
    return QuestionBank(
        title=parsed.title,
        questions=tuple(questions),
        documents=documents,
        sources=tuple(sources),
        warnings=tuple(_warnings(questions)),
    )


@lru_cache(maxsize=1)
def default_bank() -> QuestionBank:
    """The built-in bank shipped in policy/reflection/questions.yaml."""
    parsed = _parse(DEFAULT_BANK)
    problems = _problems(DEFAULT_BANK, parsed, list(parsed.questions))
    if problems:
        raise BankError("\n".join(problems))
    return QuestionBank(
        title=parsed.title,
        questions=parsed.questions,
        documents=dict(parsed.documents),
        sources=(str(DEFAULT_BANK),),
        warnings=tuple(_warnings(list(parsed.questions))),
    )
