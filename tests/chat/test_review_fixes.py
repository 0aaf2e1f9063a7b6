"""Clashes, working hours, plans spread over the day, rearranging deadlines, shared preparation,
helpful refusals, App Home actions, assumed defaults and absent supervisors (real databases)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import FixedClock
from handlers.chat.access import REFUSAL
from handlers.chat.dispatch import ChatService
from handlers.chat.reflection import NOTES_PRIVATE
from policy.engine import load_pack
from storage.db import session_scope
from storage.models import Absence, ActionItem, PrepNote, SupervisionSession
from tests.chat.org import ADMINS, NOW


def _add(chat: ChatService, *rows: object) -> None:
    with session_scope(chat.engine) as s:
        for row in rows:
            s.add(row)


def _booked(chat: ChatService) -> list[SupervisionSession]:
    with Session(chat.engine) as s:
        stmt = select(SupervisionSession).where(
            SupervisionSession.cancelled_at.is_(None)  # type: ignore[union-attr]
        )
        return list(s.exec(stmt).all())


def test_a_clash_with_either_persons_session_is_refused_with_the_next_free_slot(
    chat: ChatService,
) -> None:
    before = len(_booked(chat))
    r = chat.text("tm1", "book supervision with Jo on Tuesday at 2pm")  # Sam sees Alex 14:00
    assert r.text.startswith("That clashes with session #2 on Tue 14 Apr 2026, 14:00")
    assert "The next free slot is Tue 14 Apr 2026, 10:00." in r.text
    assert chat.text("tm1", "book with Jo on Tuesday at 3pm").text.startswith("That clashes")
    assert len(_booked(chat)) == before
    r = chat.text("tm1", "book supervision with Jo on Tuesday at 4pm")  # after 15:30: free
    assert r.text.startswith("Booked:")
    moved = chat.text("sw1", "rearrange my next session to Tuesday at 4:30pm")
    assert moved.text.startswith("That clashes with session #6")


def test_implausible_hours_are_refused(chat: ChatService) -> None:
    r = chat.text("tm1", "book supervision with Jo on Thursday at 3am")
    assert r.text.startswith("03:00 is outside working hours (07:00-20:00)")
    assert chat.text("tm1", "book with Jo on Thursday at 21:00").text.startswith("21:00 is outside")


def test_a_time_without_a_day_asks_which_day(chat: ChatService) -> None:
    r = chat.text("tm1", "book Jo at 11")
    assert r.form is not None and r.text.startswith("Which day?")
    assert [f.initial for f in r.form.fields][1:] == [None, "11:00"]
    r = chat.text("tm1", "book Jo on Tuesday 15th April at 10")  # the 15th is a Wednesday
    assert r.form is not None and r.text.startswith("15 April 2026 is a Wednesday, not a Tuesday.")


def test_a_plan_never_proposes_two_sessions_at_once(engine: Engine, chat: ChatService) -> None:
    r = chat.text("tm1", "plan the next three months")
    slots = [s for b in r.buttons for s in b.value.split("|")[1].split(",")]
    assert len(slots) == len(set(slots)) and all("T" in s for s in slots)
    by_day: dict[str, int] = {}
    for s in slots:
        by_day[s[:10]] = by_day.get(s[:10], 0) + 1
    assert max(by_day.values()) > 1  # a busy day is shared out over its slots, not one time
    for b in r.buttons:
        assert chat.action("tm1", "confirm_plan", b.value).text.startswith("Booked")
    mine = sorted(s.scheduled_at for s in _booked(chat) if s.supervisor_id == "tm1")
    assert all(b - a >= timedelta(minutes=90) for a, b in pairwise(mine))


def test_cancelling_says_when_to_rearrange_by(chat: ChatService) -> None:
    asked = chat.text("sw1", "cancel my next session because of court")
    r = chat.action("sw1", "cancel_confirm", asked.buttons[0].value)
    assert r.text.startswith("Cancelled session #2 (Tue 14 Apr 2026, 14:00): of court.")
    assert "Please rearrange it by Tue 21 Apr 2026 (within 5 working days" in r.text


def test_sickness_counts_from_the_return(chat: ChatService) -> None:
    _add(
        chat,
        Absence(
            person_id="sw1",
            first_day=date(2026, 4, 7),
            last_day=date(2026, 4, 17),
            reason="sickness",
            recorded_at=NOW,
        ),
    )
    asked = chat.text("sw1", "I'm off sick, please cancel my supervision")
    r = chat.action("sw1", "cancel_confirm", asked.buttons[0].value)
    assert "I'm off sick" in r.text and "back Sat 18 Apr 2026" in r.text
    assert "please rearrange it by" in r.text


def test_rearranging_past_the_deadline_warns_but_moves(chat: ChatService) -> None:
    r = chat.text("sw1", "rearrange my next session to 11 May at 10am")
    assert r.text.startswith("Rearranged: session #2 moved to Mon 11 May 2026, 10:00")
    assert "after Tue 21 Apr 2026, the latest date the policy allows" in r.text
    r = chat.text("tm1", "push Jo's session back a week")
    assert "no upcoming session" in r.text.lower()


def test_push_back_a_week_keeps_the_time(chat: ChatService) -> None:
    r = chat.text("tm1", "push Alex's session back a week")
    assert r.text.startswith("Rearranged: session #2 moved to Tue 21 Apr 2026, 14:00")


def test_shared_preparation_reaches_the_supervisor_only(chat: ChatService) -> None:
    _add(
        chat,
        PrepNote(
            person_id="sw1",
            session_id=2,
            question_id="q-x",
            answer="Feeling stretched",
            created_at=NOW,
            updated_at=NOW,
        ),
    )
    r = chat.text("tm1", "show Alex's preparation notes")
    assert (
        r.text == "Alex Jones hasn't shared any preparation notes with you. Sharing is their "
        "choice, session by session."
    )
    assert chat.action("sw1", "share_prep", "2").ok
    r = chat.text("tm1", "what has Alex prepared?")
    assert r.tables and r.tables[0].rows[0][1] == "Feeling stretched"
    assert "prep_read" in [b.action for b in chat.text("tm1", "when is my next session").buttons]
    assert chat.action("tm1", "prep_read", "2").tables
    assert chat.text("sdm", "show Alex Jones's preparation notes").text == NOTES_PRIVATE
    assert chat.text("tm2", "show Alex Jones's preparation notes").text == REFUSAL
    assert not chat.action("tm2", "prep_read", "2").tables


def test_helpful_replies_instead_of_refusals(chat: ChatService) -> None:
    r = chat.text("tm1", "mark my session with Alex as held")
    assert r.text.startswith(
        "No session with Alex Jones is in the past and waiting for an outcome."
    )
    assert "Tue 14 Apr 2026, 14:00 (#2)" in r.text
    mine = chat.text("tm1", "rearrange session 99999 to Friday at 10").text
    theirs = chat.text("tm2", "rearrange session 2 to Friday at 10").text
    assert mine.startswith("I can't find session 99999 among the sessions you can change")
    assert theirs.startswith("I can't find session 2 among the sessions you can change")
    assert chat.text("tm2", "mark session 4 as held").text.startswith("I can't find session 4")


def test_home_shows_open_and_overdue_actions(chat: ChatService) -> None:
    _add(
        chat,
        ActionItem(
            supervisee_id="sw2",
            owner_id="sw2",
            text="Update the chronology",
            due_on=date(2026, 4, 1),
            created_at=NOW,
        ),
        ActionItem(
            supervisee_id="sw2",
            owner_id="tm1",
            text="Book the training",
            due_on=date(2026, 4, 30),
            created_at=NOW,
        ),
    )
    jo = chat.home("sw2")
    titles = [t.title for t in jo.tables]
    assert "Your open actions from supervision" in titles
    sam = chat.home("tm1")
    overdue = next(
        t for t in sam.tables if t.title == "Overdue actions of the people you supervise"
    )
    assert [row[2] for row in overdue.rows] == ["Update the chronology"]
    assert "Book the training" in str(next(t for t in sam.tables if "open actions" in str(t.title)))


def test_assumed_defaults_are_labelled(engine: Engine, chat: ChatService) -> None:
    lancs = ChatService(engine, FixedClock(NOW), load_pack("lancashire"), ADMINS)
    for question in ("how often should I have supervision?", "when is my next supervision due?"):
        text = lancs.text("sw2", question).text
        assert "Assumed default (not stated in the policy):" in text
        assert "Why: " not in text
    assert "Assumed default" not in chat.text("sw2", "how often should I have supervision").text


def test_an_absent_supervisor_is_mentioned(chat: ChatService) -> None:
    _add(
        chat,
        Absence(
            person_id="tm1",
            first_day=date(2026, 4, 7),
            last_day=date(2026, 4, 9),
            reason="annual_leave",
            recorded_at=NOW,
        ),
    )
    r = chat.text("sw1", "who is my supervisor?")
    assert "Sam Taylor is away until Thu 9 Apr 2026." in r.text and "contact" not in r.text
    _add(
        chat,
        Absence(
            person_id="tm1",
            first_day=date(2026, 4, 8),
            last_day=date(2026, 5, 29),
            reason="sickness",
            recorded_at=NOW,
        ),
    )
    r = chat.text("sw2", "when is my next session?")
    assert "Sam Taylor is away until Fri 29 May 2026." in r.text
    assert "so the policy asks Dana Director to arrange your supervision" in r.text
    assert "Sam Taylor is away" not in chat.text("tm1", "when is Jo's next session").text


def test_names_keep_their_capitals(chat: ChatService) -> None:
    assert chat.text("tm1", "when is Jo Brown's next supervision due?").text.startswith(
        "Jo Brown's next supervision is due by"
    )
    assert chat.text("tm1", "when is Alex's next session").text.startswith("Alex Jones's next")


def test_a_supervisee_is_not_told_to_mark_sessions_held(chat: ChatService) -> None:
    assert chat.text("sw1", "sign my last record").text.startswith("Thank you")
    r = chat.text("sw1", "sign the record of my session with Sam")
    assert r.text == (
        "No session with Sam Taylor is waiting for your signature. "
        "Your next session with them is Tue 14 Apr 2026, 14:00 (#2)."
    )
