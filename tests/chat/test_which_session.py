"""Free-text cancel and rearrange act on the session the message names, and ask before cancelling.

Reference organisation (tests/chat/org.py) at Wed 8 April 2026 09:00 London: Alex (sw1) has
session #2 on Tue 14 Apr 14:00 with Sam (tm1); Jo (sw2) is Sam's other supervisee.
"""

from __future__ import annotations

from sqlmodel import Session, select

from handlers.chat.access import REFUSAL
from handlers.chat.answers import KEPT
from handlers.chat.dispatch import ChatService
from storage.models import SupervisionSession


def _row(chat: ChatService, sid: int) -> SupervisionSession:
    with Session(chat.engine) as s:
        row = s.get(SupervisionSession, sid)
        assert row is not None
        return row


def _upcoming(chat: ChatService, supervisee: str) -> list[SupervisionSession]:
    with Session(chat.engine) as s:
        stmt = select(SupervisionSession).where(
            SupervisionSession.supervisee_id == supervisee,
            SupervisionSession.cancelled_at.is_(None),  # type: ignore[union-attr]
            SupervisionSession.held_at.is_(None),  # type: ignore[union-attr]
        )
        return sorted(s.exec(stmt).all(), key=lambda r: r.scheduled_at)


def _book_alex_on_the_22nd(chat: ChatService) -> int:
    booked = chat.text("tm1", "book Alex on the 22nd at 10am")
    assert booked.text.startswith("Booked: supervision with Alex Jones on Wed 22 Apr 2026, 10:00")
    return max(int(r.id or 0) for r in _upcoming(chat, "sw1"))


def test_cancel_names_the_day_and_asks_before_cancelling(chat: ChatService) -> None:
    sid = _book_alex_on_the_22nd(chat)
    asked = chat.text("sw1", "cancel my session on the 22nd, I'm on annual leave")
    assert asked.text == (
        f"Cancel session #{sid} on Wed 22 Apr 2026, 10:00 with Sam Taylor? "
        "Reason: I'm on annual leave."
    )
    assert [b.action for b in asked.buttons] == ["cancel_confirm", "cancel_keep"]
    assert _row(chat, sid).cancelled_at is None  # nothing happens until Confirm
    done = chat.action("sw1", "cancel_confirm", asked.buttons[0].value)
    assert done.text.startswith(f"Cancelled session #{sid} (Wed 22 Apr 2026, 10:00)")
    assert _row(chat, sid).cancel_reason == "I'm on annual leave"
    assert _row(chat, 2).cancelled_at is None  # the next session (14 Apr) is untouched


def test_keep_changes_nothing_and_buttons_check_the_presser(chat: ChatService) -> None:
    asked = chat.text("sw1", "cancel my next session because of court")
    kept = chat.action("sw1", "cancel_keep", asked.buttons[1].value)
    assert kept.text == (
        "Kept: session #2 Tue 14 Apr 2026, 14:00 with Sam Taylor is still on. Nothing changed."
    )
    assert chat.action("sw3", "cancel_confirm", asked.buttons[0].value).text == REFUSAL
    assert chat.action("sw3", "cancel_keep", "2").text == REFUSAL
    assert _row(chat, 2).cancelled_at is None


def test_rearrange_moves_the_named_session_to_the_date_after_to(chat: ChatService) -> None:
    sid = _book_alex_on_the_22nd(chat)
    r = chat.text("sw1", "move my session on the 22nd to the 23rd at 10am")
    assert r.text.startswith(f"Rearranged: session #{sid} moved to Thu 23 Apr 2026, 10:00")
    assert _row(chat, 2).cancelled_at is None


def test_a_day_with_no_session_is_said_and_nothing_changes(chat: ChatService) -> None:
    r = chat.text("sw1", "cancel my session on the 21st because of court")
    assert r.text.startswith("You have no session on Tue 21 Apr 2026, so I haven't changed")
    assert "#2 Tue 14 Apr 2026, 14:00 with Sam Taylor" in r.text and not r.ok
    r = chat.text("sw1", "move my session on Friday to Monday at 10am")
    assert r.text.startswith("You have no session on Fri 10 Apr 2026")
    assert _row(chat, 2).cancelled_at is None


def test_several_sessions_that_day_are_a_question_with_buttons(chat: ChatService) -> None:
    assert chat.text("tm1", "book Jo on Tuesday at 10am").text.startswith("Booked")
    r = chat.text("tm1", "cancel my session on the 14th because of training")
    assert r.text == "You have 2 sessions on Tue 14 Apr 2026. Which one?"
    assert [b.action for b in r.buttons] == ["cancel_confirm", "cancel_confirm"]
    assert "with Jo Brown" in r.buttons[0].label and "with Alex Jones" in r.buttons[1].label
    done = chat.action("tm1", "cancel_confirm", r.buttons[1].value)
    assert done.text.startswith("Cancelled session #2") and "training" in done.text
    moved = chat.text("tm1", "move my session with Jo on the 14th to Thursday at 11")
    assert moved.text.startswith("Rearranged:") and "Thu 9 Apr 2026, 11:00" in moved.text


def test_choosing_one_of_several_to_rearrange_keeps_the_new_time(chat: ChatService) -> None:
    assert chat.text("tm1", "book Jo on Tuesday at 10am").text.startswith("Booked")
    r = chat.text("tm1", "move my session on the 14th to Thursday at 11")
    assert [b.action for b in r.buttons] == ["rearrange_to", "rearrange_to"]
    done = chat.action("tm1", "rearrange_to", r.buttons[0].value)
    assert "moved to Thu 9 Apr 2026, 11:00" in done.text


def test_a_new_day_alone_keeps_the_time_and_a_time_alone_keeps_the_day(chat: ChatService) -> None:
    r = chat.text("sw1", "can we move Tuesday's supervision to Friday")
    assert r.text.startswith("Rearranged: session #2 moved to Fri 10 Apr 2026, 14:00")
    r = chat.text("sw1", "change my session to 11am")
    assert "moved to Fri 10 Apr 2026, 11:00" in r.text


def test_not_cancelling_is_not_a_cancel(chat: ChatService) -> None:
    r = chat.text("sw1", "please don't cancel my session, I'm still coming")
    assert r.text.startswith(KEPT) and "Tue 14 Apr 2026, 14:00" in r.text
    r = chat.text("sw1", "why was my session cancelled?")
    assert r.text.startswith("I can't show why a past session was cancelled")
    assert chat.request("sw1", "do not cancel supervision").intent == "next_session"
    assert chat.request("sw1", "I'm not well, cancel my session").intent == "cancel"
    assert _row(chat, 2).cancelled_at is None


def test_ways_of_saying_cancel(chat: ChatService) -> None:
    r = chat.text("sw1", "I won't be able to make supervision on Tuesday")
    assert r.form is not None and r.form.value == "2"  # no reason: the form asks for one
    r = chat.text("sw1", "drop my session on the 14th as I'm on a course")
    assert r.text.startswith("Cancel session #2") and r.text.endswith("Reason: I'm on a course.")


def test_names_in_any_case_and_never_months(chat: ChatService) -> None:
    r = chat.text("tm1", "book jo on friday at 2pm")
    assert r.text.startswith("Booked: supervision with Jo Brown on Fri 10 Apr 2026, 14:00")
    r = chat.text("tm1", "book Jo Brown on the 3rd of June at 10am")
    assert r.text.startswith("Booked: supervision with Jo Brown on Wed 3 Jun 2026, 10:00")
    assert chat.request("tm1", "book Jo Brown on the 3rd of June").args["person"] == "Jo Brown"


def test_several_records_that_could_fit_are_a_question(chat: ChatService) -> None:
    from tests.chat.test_review_fixes import _add

    _add(
        chat,
        SupervisionSession(
            supervisee_id="sw1",
            supervisor_id="tm1",
            scheduled_at=chat.clock.now().replace(day=7),
            booked_at=chat.clock.now().replace(day=1),
        ),
    )
    r = chat.text("tm1", "mark my session as held")
    assert r.text.startswith("Which session do you mean? 2 could fit")
    assert {b.action for b in r.buttons} == {"session_held"}
    assert "as held" in chat.text("tm1", "we had our session with jo").text


def test_naming_your_own_supervisor_means_you(chat: ChatService) -> None:
    r = chat.text("sw1", "when do I next see Sam")
    assert r.text.startswith("Your next session is Tue 14 Apr 2026, 14:00 with Sam Taylor")
    r = chat.text("sw1", "who am I supervised by?")
    assert r.text.startswith("Your supervisor is Sam Taylor")
    assert chat.text("sw1", "is Sam overdue?").text == REFUSAL  # Sam's own supervision: private
