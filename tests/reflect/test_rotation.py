"""Rotation: one question per Kolb stage in order; all 16 cells and every function within four
sessions; no question repeated within three sessions, even after notes are deleted."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlmodel import select

from bot.clock import FixedClock
from handlers.reflect.notes import delete_session_notes
from handlers.reflect.prep import prompts_for, save_prep, start_prep
from policy.reflection.bank import QuestionBank, load_bank
from policy.reflection.rotation import choose_questions, plan_rotation
from policy.reflection.schema import FUNCTIONS, STAGES, STAKEHOLDERS
from storage.db import session_scope
from storage.models import ReflectionPrompt, SupervisionSession
from tests.reflect.banks import full_bank_yaml
from tests.reflect.conftest import Org


def test_each_session_follows_the_kolb_cycle_and_meets_every_perspective_and_function() -> None:
    for rotation in range(40):
        slots = plan_rotation(rotation)
        assert [s.stage for s in slots] == list(STAGES)
        assert sorted(s.stakeholder for s in slots) == sorted(STAKEHOLDERS)
        assert sorted(s.function for s in slots) == sorted(FUNCTIONS)


def test_any_four_consecutive_sessions_cover_all_sixteen_cells() -> None:
    for start in range(20):
        cells = {
            (s.stage, s.stakeholder) for r in range(start, start + 4) for s in plan_rotation(r)
        }
        assert len(cells) == 16


def test_each_block_of_four_sessions_gives_every_stage_every_function() -> None:
    for block in range(0, 32, 4):
        for k, stage in enumerate(STAGES):
            functions = {plan_rotation(r)[k].function for r in range(block, block + 4)}
            assert len(functions) == 4, stage


def test_sixteen_sessions_meet_every_stage_stakeholder_function_once() -> None:
    triples = Counter(
        (s.stage, s.stakeholder, s.function) for r in range(16) for s in plan_rotation(r)
    )
    assert len(triples) == 64 and set(triples.values()) == {1}


def test_chosen_questions_serve_the_planned_function_and_do_not_repeat(bank: QuestionBank) -> None:
    history: dict[str, int] = {}
    asked: list[set[str]] = []
    for rotation in range(48):
        picks = choose_questions(bank, rotation, history)
        for pick in picks:
            assert pick.question.stage == pick.slot.stage
            assert pick.question.stakeholder == pick.slot.stakeholder
            assert pick.slot.function in pick.question.functions
            history[pick.question.id] = rotation
        asked.append({p.question.id for p in picks})
    for i in range(3, len(asked)):
        assert not asked[i] & (asked[i - 1] | asked[i - 2] | asked[i - 3])
    # Over time every question in the bank gets asked.
    assert set().union(*asked) == {q.id for q in bank.questions}


def test_history_wins_over_the_plan_when_a_question_was_asked_recently(bank: QuestionBank) -> None:
    planned = choose_questions(bank, 8, {})
    recent = {p.question.id: 7 for p in planned}  # as if all were asked last session
    again = choose_questions(bank, 8, recent)
    assert not {p.question.id for p in planned} & {p.question.id for p in again}


def test_four_prepared_sessions_cover_all_cells_and_never_repeat(
    org: Org, bank: QuestionBank, clock: FixedClock
) -> None:
    seen_cells: set[tuple[str, str]] = set()
    per_session: list[set[str]] = []
    for sid in org.sessions:
        with session_scope(org.engine) as db:
            reply = start_prep(db, bank, "amy", sid, clock)
            assert reply.form is not None
            assert [f.name for f in reply.form.fields] == list(STAGES)
            # Save some answers, then delete them: the rotation must not forget.
            save_prep(db, bank, "amy", sid, {"experience": "A busy month."}, clock)
            delete_session_notes(db, "amy", sid)
        with session_scope(org.engine) as db:
            prompts = prompts_for(db, bank, "amy", sid, clock)
            seen_cells |= {(p.stage, p.stakeholder) for p, _ in prompts}
            per_session.append({qn.id for _, qn in prompts})
        if len(per_session) == 4:
            assert len(seen_cells) == 16
    for i in range(1, len(per_session)):
        earlier = per_session[max(0, i - 3) : i]
        assert not per_session[i] & set().union(*earlier)
    with session_scope(org.engine) as db:
        rotations = sorted({p.rotation for p in db.exec(select(ReflectionPrompt)).all()})
    assert rotations == [0, 1, 2, 3, 4]


def test_reopening_a_session_shows_the_same_questions(
    org: Org, bank: QuestionBank, clock: FixedClock
) -> None:
    with session_scope(org.engine) as db:
        first = start_prep(db, bank, "amy", org.sessions[0], clock)
    with session_scope(org.engine) as db:
        again = start_prep(db, bank, "amy", org.sessions[0], clock)
        count = len(db.exec(select(ReflectionPrompt)).all())
    assert first.form is not None and again.form is not None
    assert [f.label for f in first.form.fields] == [f.label for f in again.form.fields]
    assert count == 4


def test_each_supervisee_has_their_own_rotation(
    org: Org, bank: QuestionBank, clock: FixedClock
) -> None:
    with session_scope(org.engine) as db:
        start_prep(db, bank, "amy", org.sessions[0], clock)
        start_prep(db, bank, "amy", org.sessions[1], clock)
        start_prep(db, bank, "ben", org.ben_session, clock)
        ben = db.exec(select(ReflectionPrompt).where(ReflectionPrompt.person_id == "ben")).all()
        sess = db.get(SupervisionSession, org.ben_session)
    assert sess is not None
    assert {p.rotation for p in ben} == {0}


def test_a_question_removed_from_the_bank_is_replaced_in_its_slot(
    org: Org, bank: QuestionBank, clock: FixedClock, tmp_path: Path
) -> None:
    with session_scope(org.engine) as db:
        before = {p.stage: qn.id for p, qn in prompts_for(db, bank, "amy", org.sessions[0], clock)}
    ours = tmp_path / "ours.yaml"
    ours.write_text(full_bank_yaml(), encoding="utf-8")
    replacement = load_bank(ours)
    with session_scope(org.engine) as db:
        reply = start_prep(db, replacement, "amy", org.sessions[0], clock)
        after = {p.stage: p for p, _ in prompts_for(db, replacement, "amy", org.sessions[0], clock)}
    assert reply.form is not None and len(reply.form.fields) == 4
    assert all(replacement.get(p.question_id) for p in after.values())
    assert {p.question_id for p in after.values()}.isdisjoint(before.values())
    assert {p.rotation for p in after.values()} == {0}


def test_a_short_retention_does_not_restart_the_rotation(org: Org, bank: QuestionBank) -> None:
    """Each session's prompts are purged 25 days on, before the next monthly session."""
    from datetime import timedelta

    from handlers.reflect.notes import purge_expired_notes

    per_session: list[set[str]] = []
    for sid in org.sessions:
        with session_scope(org.engine) as db:
            at = db.get(SupervisionSession, sid)
            assert at is not None
            prep_clock = FixedClock(at.scheduled_at - timedelta(days=2))
            start_prep(db, bank, "amy", sid, prep_clock)
            per_session.append({qn.id for _, qn in prompts_for(db, bank, "amy", sid, prep_clock)})
        with session_scope(org.engine) as db:
            purge_expired_notes(db, FixedClock(at.scheduled_at + timedelta(days=25)), 25)
    for i in range(1, len(per_session)):
        assert not per_session[i] & set().union(*per_session[max(0, i - 3) : i])
    with session_scope(org.engine) as db:
        rotations = sorted({p.rotation for p in db.exec(select(ReflectionPrompt)).all()})
    assert rotations == [1, 2, 3, 4]  # the oldest is purged; the latest four are kept
