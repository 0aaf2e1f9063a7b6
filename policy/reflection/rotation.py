"""Which reflective questions a supervisee gets for the Nth session they prepare.

Each session takes one question per Kolb stage, in order. The stakeholder
perspective and the function of supervision rotate from session to session:

- stage k in rotation r takes stakeholder (r + k) mod 4, so every session looks
  from all four perspectives and any four consecutive sessions cover all 16
  (stage, stakeholder) cells of the bank;
- with r = 4a + b, stage k serves function (a + b + 3k) mod 4, so every session
  serves all four functions and over sixteen sessions each stage meets each
  stakeholder under each function once.

A cell comes round once every four sessions, so a question is never repeated
within three sessions by construction; `choose_questions` also checks the history
it is given, and prefers questions not asked for longest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from policy.reflection.bank import QuestionBank
from policy.reflection.schema import FUNCTIONS, STAGES, STAKEHOLDERS, Question

NO_REPEAT_WITHIN = 3  # sessions


@dataclass(frozen=True)
class Slot:
    """One stage of one session's prompt: the cell and the function it should serve."""

    stage: str
    stakeholder: str
    function: str


@dataclass(frozen=True)
class Pick:
    """A chosen question and the function it serves in this session."""

    slot: Slot
    question: Question

    @property
    def function(self) -> str:
        fn = self.slot.function
        return fn if fn in self.question.functions else self.question.functions[0]


def plan_rotation(rotation: int) -> tuple[Slot, ...]:
    """The four slots (one per Kolb stage, in order) of rotation number `rotation` (0, 1, ...)."""
    if rotation < 0:
        raise ValueError("rotation numbers start at 0")
    a, b = divmod(rotation % 16, 4)
    return tuple(
        Slot(stage, STAKEHOLDERS[(b + k) % 4], FUNCTIONS[(a + b + 3 * k) % 4])
        for k, stage in enumerate(STAGES)
    )


def choose_questions(
    bank: QuestionBank, rotation: int, last_asked: Mapping[str, int]
) -> tuple[Pick, ...]:
    """One question per Kolb stage for rotation `rotation`.

    `last_asked` maps question id -> the latest rotation number it was asked in
    (earlier sessions of the same person). Questions asked in the previous
    NO_REPEAT_WITHIN sessions are never chosen while the cell has another.
    """
    picks = []
    for slot in plan_rotation(rotation):
        cell = bank.cell(slot.stage, slot.stakeholder)
        if not cell:
            raise ValueError(f"the bank has no {slot.stage} question for {slot.stakeholder}")
        fresh = [q for q in cell if rotation - last_asked.get(q.id, -(10**9)) > NO_REPEAT_WITHIN]
        serving = [q for q in fresh if slot.function in q.functions]
        pool = serving or fresh or cell
        picks.append(Pick(slot, min(pool, key=lambda q: _staleness_key(q, slot, last_asked))))
    return tuple(picks)


def _staleness_key(q: Question, slot: Slot, last_asked: Mapping[str, int]) -> tuple[int, int]:
    # Never asked first, then longest ago; serving the function first is better than second.
    primary = 0 if q.functions[0] == slot.function else 1
    return (last_asked.get(q.id, -1), primary)
