"""Prepare for supervision: a guided reflection, one question per Kolb stage, kept private.

The supervisee gets four questions (experience, reflection, analysis, plans and
action) whose stakeholder perspective and function rotate from session to
session, with the actions still open from earlier sessions. Answers are their
private notes; sharing them with the supervisor is their choice, per session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.clock import Clock, local_date
from handlers.reflect.access import session_supervisor_id
from handlers.reflect.actions import actions_table
from handlers.reflect.checks import confirmed, find_flags, warning_reply
from handlers.reflect.common import (
    CHILD_DETAILS_LINE,
    PREP_SUBMIT,
    PRIVACY_LINE,
    SHARE_PREP,
    UNSHARE_PREP,
    name_of,
    when,
)
from handlers.replies import Button, Fact, Form, FormField, Reply
from policy.reflection.bank import QuestionBank
from policy.reflection.child_details import ChildDetailPatterns, default_child_patterns
from policy.reflection.rotation import choose_questions
from policy.reflection.schema import (
    FUNCTION_TITLES,
    STAGE_TITLES,
    STAGES,
    STAKEHOLDER_TITLES,
    Question,
)
from storage import reflect_queries as q
from storage.models import Person, PrepNote, ReflectionPrompt, SupervisionSession

MAX_ANSWER = 8000


def _own_session(
    db: Session, person_id: str, session_id: int
) -> tuple[Person, SupervisionSession] | Reply:
    person = db.get(Person, person_id)
    sess = db.get(SupervisionSession, session_id)
    if person is None or sess is None or sess.supervisee_id != person_id:
        return Reply(
            f"I can't find a supervision session {session_id} of yours.", ok=False, ephemeral=True
        )
    if sess.cancelled_at is not None:
        return Reply(
            f"Session {session_id} was cancelled, so there is nothing to prepare for it. "
            "Prepare for the session that replaces it instead.",
            ok=False,
            ephemeral=True,
        )
    return person, sess


def prompts_for(
    db: Session, bank: QuestionBank, person_id: str, session_id: int, clock: Clock
) -> list[tuple[ReflectionPrompt, Question]]:
    """This session's four questions, chosen once by the rotation and then kept."""
    rows = {p.stage: p for p in q.prompts_for_session(db, person_id, session_id)}
    if len(rows) == len(STAGES) and all(bank.get(p.question_id) for p in rows.values()):
        return [(rows[s], bank.get(rows[s].question_id)) for s in STAGES]  # type: ignore[misc]
    if rows:
        rotation = next(iter(rows.values())).rotation
    else:
        latest = q.latest_rotation(db, person_id)
        rotation = 0 if latest is None else latest + 1
    history = q.last_asked(db, person_id, since_rotation=rotation - 16)
    picks = choose_questions(bank, rotation, history)
    now = clock.now()
    try:
        with db.begin_nested():
            for pick in picks:
                row = rows.get(pick.slot.stage)
                if row is not None and bank.get(row.question_id):
                    continue
                row = row or ReflectionPrompt(
                    person_id=person_id,
                    session_id=session_id,
                    stage=pick.slot.stage,
                    rotation=rotation,
                    stakeholder="",
                    function="",
                    question_id="",
                    asked_at=now,
                )
                row.stakeholder, row.function = pick.slot.stakeholder, pick.function
                row.question_id, row.asked_at = pick.question.id, now
                db.add(row)
    except IntegrityError:
        pass  # chosen at the same moment by another request: theirs stands
    rows = {p.stage: p for p in q.prompts_for_session(db, person_id, session_id)}
    return [(rows[s], bank.get(rows[s].question_id)) for s in STAGES]  # type: ignore[misc]


def _form(
    session_id: int,
    prompts: list[tuple[ReflectionPrompt, Question]],
    answers: Mapping[str, str],
) -> Form:
    fields = tuple(
        FormField(
            name=prompt.stage,
            label=f"{STAGE_TITLES[prompt.stage]}: {question.text}",
            kind="multiline",
            required=False,
            initial=answers.get(prompt.stage) or None,
            hint=(
                f"From the perspective of {STAKEHOLDER_TITLES[prompt.stakeholder]}; "
                f"{FUNCTION_TITLES[prompt.function]} function."
            ),
        )
        for prompt, question in prompts
    )
    return Form(
        title="Prepare for supervision",
        submit_action=PREP_SUBMIT,
        fields=fields,
        value=str(session_id),
        submit_label="Save privately",
    )


def _saved_answers(
    db: Session, person_id: str, session_id: int, prompts: list[tuple[ReflectionPrompt, Question]]
) -> dict[str, PrepNote]:
    by_question = {n.question_id: n for n in q.notes_for_session(db, person_id, session_id)}
    return {p.stage: by_question[qn.id] for p, qn in prompts if qn.id in by_question}


def _share_buttons(db: Session, sess: SupervisionSession) -> list[Button]:
    assert sess.id is not None
    if sess.prep_shared_at is not None:
        return [Button("Stop sharing", UNSHARE_PREP, str(sess.id))]
    who = name_of(db, session_supervisor_id(db, sess))
    return [Button(f"Share with {who}", SHARE_PREP, str(sess.id), style="primary")]


def start_prep(
    db: Session, bank: QuestionBank, person_id: str, session_id: int, clock: Clock
) -> Reply:
    """Prepare for a supervision session: four reflective questions and your open actions."""
    found = _own_session(db, person_id, session_id)
    if isinstance(found, Reply):
        return found
    person, sess = found
    prompts = prompts_for(db, bank, person_id, session_id, clock)
    saved = _saved_answers(db, person_id, session_id, prompts)
    supervisor = name_of(db, session_supervisor_id(db, sess))
    text = (
        f"Preparing for your supervision with {supervisor} on "
        f"{when(sess.scheduled_at, person.timezone)}. One question for each stage of the "
        "Kolb cycle: what happened, how it felt, what you make of it, what next. "
        f"Answer as much or as little as you like.\n{PRIVACY_LINE}\n{CHILD_DETAILS_LINE}"
    )
    facts = [Fact("Session", when(sess.scheduled_at, person.timezone))]
    if sess.prep_shared_at is not None:
        facts.append(Fact("Shared with", f"{supervisor} (you chose to share these notes)"))
    open_actions = q.open_actions_of_supervisee(db, person_id)
    today = local_date(clock.now(), person.timezone)
    reply = Reply(
        text=text,
        facts=facts,
        tables=[actions_table(db, open_actions, today, title="Actions still open")]
        if open_actions
        else [],
        form=_form(session_id, prompts, {k: n.answer for k, n in saved.items()}),
        buttons=_share_buttons(db, sess) if saved else [],
        ephemeral=True,
    )
    return reply


def save_prep(
    db: Session,
    bank: QuestionBank,
    person_id: str,
    session_id: int,
    values: Mapping[str, Any],
    clock: Clock,
    patterns: ChildDetailPatterns | None = None,
) -> Reply:
    """Save your preparation answers as private notes (checked for children's details first).

    `values` are the submitted form's values: one per Kolb stage (an empty answer
    clears that note) and, after a warning, `confirm_child_details` = "save".
    """
    found = _own_session(db, person_id, session_id)
    if isinstance(found, Reply):
        return found
    person, sess = found
    prompts = prompts_for(db, bank, person_id, session_id, clock)
    answers = {p.stage: str(values.get(p.stage) or "").strip() for p, _ in prompts}
    labels = {p.stage: STAGE_TITLES[p.stage] for p, _ in prompts}
    form = _form(session_id, prompts, answers)
    too_long = [labels[k] for k, v in answers.items() if len(v) > MAX_ANSWER]
    if too_long:
        return Reply(
            f"Nothing is saved yet: your answer to {', '.join(too_long)} is longer than "
            f"{MAX_ANSWER} characters. Please shorten it.",
            form=form,
            ok=False,
            ephemeral=True,
        )
    saved = _saved_answers(db, person_id, session_id, prompts)
    if not any(answers.values()) and not saved:
        return Reply(
            "There is nothing to save yet: every answer is empty.",
            form=form,
            ok=False,
            ephemeral=True,
        )
    now = clock.now()
    flags = find_flags(
        patterns or default_child_patterns(), answers, local_date(now, person.timezone)
    )
    if flags and not confirmed(values):
        return warning_reply(flags, form, answers, labels)
    for prompt, question in prompts:
        answer, note = answers[prompt.stage], saved.get(prompt.stage)
        if not answer:
            if note is not None:
                db.delete(note)
            continue
        if note is None:
            note = PrepNote(
                person_id=person_id,
                session_id=session_id,
                question_id=question.id,
                answer=answer,
                created_at=now,
                updated_at=now,
            )
        elif note.answer != answer:
            note.answer, note.updated_at = answer, now
        db.add(note)
    db.flush()
    kept = sum(1 for a in answers.values() if a)
    if kept == 0:
        return Reply("Your preparation notes for this session are cleared.", ephemeral=True)
    shared = sess.prep_shared_at is not None
    supervisor = name_of(db, session_supervisor_id(db, sess))
    text = (
        f"Saved {kept} preparation note{'s' if kept != 1 else ''} for your supervision on "
        f"{when(sess.scheduled_at, person.timezone)}. "
        + (
            f"{supervisor} can read them because you shared this session's notes."
            if shared
            else PRIVACY_LINE
        )
    )
    return Reply(text=text, buttons=_share_buttons(db, sess), ephemeral=True)


def share_prep(db: Session, person_id: str, session_id: int, clock: Clock) -> Reply:
    """Share this session's preparation notes with its supervisor (your choice, per session)."""
    found = _own_session(db, person_id, session_id)
    if isinstance(found, Reply):
        return found
    person, sess = found
    if not q.notes_for_session(db, person_id, session_id):
        return Reply(
            "You have no preparation notes for that session yet, so there is nothing to share.",
            ok=False,
            ephemeral=True,
        )
    supervisor_id = session_supervisor_id(db, sess)
    if supervisor_id is None:
        return Reply("That session has no supervisor to share with yet.", ok=False, ephemeral=True)
    if sess.prep_shared_at is None:
        sess.prep_shared_at = clock.now()
        db.add(sess)
        db.flush()
    return Reply(
        f"Shared: {name_of(db, supervisor_id)} can now read your preparation notes for the "
        f"session on {when(sess.scheduled_at, person.timezone)}. Nobody else can. "
        "You can stop sharing at any time.",
        buttons=[Button("Stop sharing", UNSHARE_PREP, str(session_id))],
        ephemeral=True,
    )


def unshare_prep(db: Session, person_id: str, session_id: int) -> Reply:
    """Stop sharing this session's preparation notes."""
    found = _own_session(db, person_id, session_id)
    if isinstance(found, Reply):
        return found
    _, sess = found
    if sess.prep_shared_at is not None:
        sess.prep_shared_at = None
        db.add(sess)
        db.flush()
    return Reply("Your preparation notes for that session are private again.", ephemeral=True)
