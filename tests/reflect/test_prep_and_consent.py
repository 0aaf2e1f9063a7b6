"""Preparing for supervision: the guided form, the children's-details warning, and consent.

Notes are private to the supervisee; the session's supervisor sees them only after
the supervisee shares that session's notes; nobody else ever (not the line manager,
not an admin, not another supervisee).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.clock import FixedClock
from handlers.reflect.actions import add_action
from handlers.reflect.common import CONFIRM_FIELD, PREP_SUBMIT, SHARE_PREP, UNSHARE_PREP
from handlers.reflect.notes import notes_visible_to, shared_prep
from handlers.reflect.prep import save_prep, share_prep, start_prep, unshare_prep
from policy.reflection.bank import QuestionBank
from storage.db import session_scope
from storage.models import PrepNote, SupervisionSession
from tests.reflect.conftest import Org

ANSWERS = {
    "experience": "A tense core group meeting; I held the line on the plan.",
    "reflection": "I felt anxious beforehand and relieved after.",
    "analysis": "The school and health see the risks differently.",
    "plans_and_action": "Ask for a joint visit before the next review on 14 May.",
}


def _prepare(org: Org, bank: QuestionBank, clock: FixedClock, sid: int | None = None) -> None:
    with session_scope(org.engine) as db:
        start_prep(db, bank, "amy", sid or org.sessions[2], clock)
        reply = save_prep(db, bank, "amy", sid or org.sessions[2], ANSWERS, clock)
    assert reply.text.startswith("Saved 4 preparation notes")


def test_prepare_offers_four_questions_in_kolb_order_and_open_actions(
    org: Org, bank: QuestionBank, clock: FixedClock
) -> None:
    with session_scope(org.engine) as db:
        add_action(
            db,
            "sup",
            "amy",
            "Book the safeguarding refresher",
            "amy",
            date(2026, 3, 20),
            clock,
            session_id=org.sessions[1],
        )
        reply = start_prep(db, bank, "amy", org.sessions[2], clock)
    assert reply.form is not None and reply.form.submit_action == PREP_SUBMIT
    assert reply.form.value == str(org.sessions[2])
    labels = [f.label for f in reply.form.fields]
    assert [lbl.split(":")[0] for lbl in labels] == [
        "Experience",
        "Reflection",
        "Analysis",
        "Plans and action",
    ]
    assert "Only you can see" in reply.text and "Sam Super" in reply.text
    assert reply.tables and reply.tables[0].rows[0][1] == "Book the safeguarding refresher"
    assert reply.buttons == []  # nothing to share before anything is saved


def test_saved_answers_come_back_in_the_form_and_can_be_cleared(
    org: Org, bank: QuestionBank, clock: FixedClock
) -> None:
    _prepare(org, bank, clock)
    with session_scope(org.engine) as db:
        reply = start_prep(db, bank, "amy", org.sessions[2], clock)
        assert reply.form is not None
        assert [f.initial for f in reply.form.fields] == list(ANSWERS.values())
        assert [b.action for b in reply.buttons] == [SHARE_PREP]
        edited = {**ANSWERS, "reflection": "", "analysis": "Rewritten."}
        assert save_prep(db, bank, "amy", org.sessions[2], edited, clock).text.startswith(
            "Saved 3 preparation notes"
        )
    with session_scope(org.engine) as db:
        notes = db.exec(select(PrepNote)).all()
        assert sorted(n.answer for n in notes) == sorted(
            [ANSWERS["experience"], "Rewritten.", ANSWERS["plans_and_action"]]
        )
        cleared = save_prep(db, bank, "amy", org.sessions[2], {}, clock)
        assert "cleared" in cleared.text
        assert db.exec(select(PrepNote)).all() == []


def test_child_details_warn_before_saving_and_save_only_when_confirmed(
    org: Org, bank: QuestionBank, clock: FixedClock
) -> None:
    risky = {**ANSWERS, "experience": "Visited the boy in case 123456, DOB 03/04/2019."}
    with session_scope(org.engine) as db:
        warning = save_prep(db, bank, "amy", org.sessions[2], risky, clock)
        assert "Nothing is saved yet" in warning.text
        assert "“case 123456” looks like a case or record number" in warning.text
        assert "“DOB 03/04/2019” looks like a date of birth" in warning.text
        assert warning.citations[0].section == "4.13"
        assert db.exec(select(PrepNote)).all() == []
        assert warning.form is not None
        fields = {f.name: f for f in warning.form.fields}
        assert fields["experience"].initial == risky["experience"]  # nothing lost
        assert fields[CONFIRM_FIELD].initial == "check"
        # Submitting again unchanged without confirming still warns.
        again = save_prep(
            db, bank, "amy", org.sessions[2], {**risky, CONFIRM_FIELD: "check"}, clock
        )
        assert "Nothing is saved yet" in again.text
        # Editing the details out saves.
        edited = {**risky, "experience": "Visited a boy at home; the visit went well."}
        assert save_prep(db, bank, "amy", org.sessions[2], edited, clock).text.startswith("Saved")
    with session_scope(org.engine) as db:
        confirmed = save_prep(
            db,
            bank,
            "amy",
            org.sessions[3],
            {"experience": "Discussed case 123456 in general terms.", CONFIRM_FIELD: "save"},
            clock,
        )
        assert confirmed.text.startswith("Saved 1 preparation note")


def test_session_dates_in_answers_are_not_flagged(
    org: Org, bank: QuestionBank, clock: FixedClock
) -> None:
    ordinary = {
        "experience": "On 3/4 we discussed my caseload; the review was on 12/02/2026.",
        "plans_and_action": "Next session on 14 May; agree my objectives by 30 June 2026.",
    }
    with session_scope(org.engine) as db:
        assert save_prep(db, bank, "amy", org.sessions[2], ordinary, clock).text.startswith(
            "Saved 2 preparation notes"
        )


def test_notes_are_private_until_shared_then_only_the_supervisor_sees_them(
    org: Org, bank: QuestionBank, clock: FixedClock
) -> None:
    sid = org.sessions[2]
    _prepare(org, bank, clock, sid)
    with session_scope(org.engine) as db:
        assert len(notes_visible_to(db, "amy", sid)) == 4
        for viewer in ("sup", "lm", "adm", "ben"):
            assert notes_visible_to(db, viewer, sid) == []
            assert "no preparation notes shared" in shared_prep(db, bank, viewer, sid).text
        shared = share_prep(db, "amy", sid, clock)
        assert "Sam Super can now read" in shared.text
        assert [b.action for b in shared.buttons] == [UNSHARE_PREP]
    with session_scope(org.engine) as db:
        sess = db.get(SupervisionSession, sid)
        assert sess is not None and sess.prep_shared_at == clock.now()
        assert len(notes_visible_to(db, "sup", sid)) == 4
        view = shared_prep(db, bank, "sup", sid)
        assert view.tables and {row[1] for row in view.tables[0].rows} == set(ANSWERS.values())
        for viewer in ("lm", "adm", "ben"):  # never anyone else
            assert notes_visible_to(db, viewer, sid) == []
        # Sharing one session shares nothing else.
        _other = save_prep(db, bank, "amy", org.sessions[3], {"experience": "Later."}, clock)
        assert notes_visible_to(db, "sup", org.sessions[3]) == []
        assert "private again" in unshare_prep(db, "amy", sid).text
    with session_scope(org.engine) as db:
        assert notes_visible_to(db, "sup", sid) == []


def test_only_the_supervisee_can_prepare_or_share(
    org: Org, bank: QuestionBank, clock: FixedClock
) -> None:
    sid = org.sessions[2]
    with session_scope(org.engine) as db:
        for person in ("sup", "ben", "lm", "nobody"):
            assert (
                "can't find a supervision session" in start_prep(db, bank, person, sid, clock).text
            )
            assert "can't find" in save_prep(db, bank, person, sid, ANSWERS, clock).text
            assert "can't find" in share_prep(db, person, sid, clock).text
        assert "nothing to share" in share_prep(db, "amy", sid, clock).text
        assert "can't find" in start_prep(db, bank, "amy", 999999, clock).text
        sess = db.get(SupervisionSession, sid)
        assert sess is not None
        sess.cancelled_at = clock.now()
        db.add(sess)
    with session_scope(org.engine) as db:
        assert "was cancelled" in start_prep(db, bank, "amy", sid, clock).text
        assert db.exec(select(PrepNote)).all() == []
