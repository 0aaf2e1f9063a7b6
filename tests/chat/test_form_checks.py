"""Checking a booking or rearranging form before it is submitted: each problem beside its field.

The check runs the same rules as the submission (past, working day, hours, absences,
clashes) and writes nothing; the submission still refuses the same things on its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from handlers.chat import buttons
from handlers.chat.dispatch import ChatService
from storage.models import Absence, Person, ProcessedEvent, SupervisionSession
from tests.chat.org import NOW
from tests.chat.test_review_fixes import _add


def _book(day: str, at: str, supervisee: str = "sw2") -> dict[str, Any]:
    return {"supervisee": supervisee, "date": day, "time": at}


def _rows(chat: ChatService) -> int:
    with Session(chat.engine) as s:
        sessions = s.exec(select(func.count()).select_from(SupervisionSession)).one()
        events = s.exec(select(func.count()).select_from(ProcessedEvent)).one()
        return int(sessions) * 1000 + int(events)


# (date, time) -> the field it concerns and words the error must contain. Now is Wed 8 April
# 2026, 09:00 in London; Sam (tm1) sees Alex at 14:00 on Tue 14 April.
BOOKING_PROBLEMS = [
    (("2026-04-11", "10:00"), "date", "Sat 11 Apr 2026 is a weekend; please choose a working day."),
    (("2026-05-04", "10:00"), "date", "Mon 4 May 2026 is a bank holiday"),
    (("2026-04-01", "10:00"), "date", "That date has passed"),
    (("2026-04-08", "08:30"), "time", "That time has passed"),  # earlier today
    (("2026-04-09", "21:00"), "time", "21:00 is outside working hours (07:00-20:00)"),
    (("2026-04-09", "06:30"), "time", "06:30 is outside working hours"),
    (("2026-04-14", "14:00"), "time", "That clashes with session #2 (Tue 14 Apr 2026, 14:00)."),
    (("2026-04-14", "14:30"), "time", "Next free slot: Tue 14 Apr 2026, 10:00."),
    (("", "10:00"), "date", "Please choose a date."),
    (("14/04/2026", "10:00"), "date", "Please choose a date."),
    (("2026-04-09", ""), "time", "Please choose a start time"),
    (("2026-04-09", "2pm"), "time", "Please choose a start time"),
]


@pytest.mark.parametrize(("when", "field", "words"), BOOKING_PROBLEMS)
def test_each_booking_problem_is_shown_beside_its_field(
    chat: ChatService, when: tuple[str, str], field: str, words: str
) -> None:
    before = _rows(chat)
    errors = chat.check_form("tm1", "book_submit", "", _book(*when))
    assert list(errors) == [field]
    assert words in errors[field] and len(errors[field]) < 150
    assert _rows(chat) == before  # nothing booked, nothing claimed


def test_an_absence_is_shown_beside_the_date_with_the_next_free_slot(chat: ChatService) -> None:
    _add(
        chat,
        Absence(
            person_id="sw2",
            first_day=date(2026, 4, 20),
            last_day=date(2026, 4, 24),
            reason="annual_leave",
            recorded_at=NOW,
        ),
    )
    errors = chat.check_form("tm1", "book_submit", "", _book("2026-04-22", "10:00"))
    assert errors == {
        "date": "Jo Brown is away on Wed 22 Apr 2026 (annual leave); please choose another day. "
        "Next free slot for both: Mon 27 Apr 2026, 10:00."
    }


def test_someone_elses_working_hours_are_shown_beside_the_time(chat: ChatService) -> None:
    with Session(chat.engine) as s:
        jo = s.get(Person, "sw2")
        assert jo is not None
        jo.timezone = "America/New_York"
        s.add(jo)
        s.commit()
    errors = chat.check_form("tm1", "book_submit", "", _book("2026-04-09", "10:00"))
    assert errors == {
        "time": "That is 05:00 for Jo Brown, outside working hours (07:00-20:00); "
        "please choose another time."
    }


def test_a_valid_booking_checks_clean_and_is_not_booked_by_the_check(chat: ChatService) -> None:
    before = _rows(chat)
    fields = _book("2026-04-15", "11:30")
    assert chat.check_form("tm1", "book_submit", "", fields) == {}
    assert _rows(chat) == before
    assert chat.action("tm1", "book_submit", "", fields).text.startswith("Booked:")
    # Booked already: booking again changes nothing, so there is nothing to show in the form.
    assert chat.check_form("tm1", "book_submit", "", fields) == {}
    assert "already booked" in chat.action("tm1", "book_submit", "", fields).text


def test_the_check_and_the_submission_refuse_the_same_things(chat: ChatService) -> None:
    before = _rows(chat)
    for (day, at), _field, _words in BOOKING_PROBLEMS:
        fields = _book(day, at)
        assert chat.check_form("tm1", "book_submit", "", fields)
        assert not chat.action("tm1", "book_submit", "", fields).text.startswith("Booked")
    assert _rows(chat) == before


def test_refusals_are_left_to_the_submission(chat: ChatService) -> None:
    fields = _book("2026-04-15", "11:30", supervisee="sw3")  # Chris is Priya's, not Sam's
    assert chat.check_form("tm1", "book_submit", "", fields) == {}
    assert chat.action("tm1", "book_submit", "", fields).text.startswith("Sorry, I can't help")
    assert chat.check_form("nobody", "book_submit", "", _book("2026-04-11", "10:00")) == {}


def test_rearranging_problems_are_shown_beside_their_fields(chat: ChatService) -> None:
    before = _rows(chat)
    weekend = chat.check_form(
        "sw1", "rearrange_submit", "2", {"date": "2026-04-11", "time": "10:00"}
    )
    assert weekend == {"date": "Sat 11 Apr 2026 is a weekend; please choose a working day."}
    late = chat.check_form("sw1", "rearrange_submit", "2", {"date": "2026-04-16", "time": "20:30"})
    assert list(late) == ["time"]
    ok = {"date": "2026-04-16", "time": "10:00"}
    assert chat.check_form("sw1", "rearrange_submit", "2", ok) == {}
    assert _rows(chat) == before
    assert chat.text("tm1", "book Jo on Thursday 16 April at 10am").text.startswith("Booked:")
    clash = chat.check_form("sw1", "rearrange_submit", "2", {"date": "2026-04-16", "time": "10:30"})
    assert list(clash) == ["time"] and clash["time"].startswith("That clashes with session #6")
    moved = chat.action("sw1", "rearrange_submit", "2", {"date": "2026-04-16", "time": "10:30"})
    assert moved.text.startswith("That clashes with session #6")


def test_sessions_that_cannot_move_are_left_to_the_submission(chat: ChatService) -> None:
    fields = {"date": "2026-04-11", "time": "10:00"}  # a weekend, but that is not the point
    assert chat.check_form("sw1", "rearrange_submit", "1", fields) == {}  # held already
    assert chat.action("sw1", "rearrange_submit", "1", fields).text == "Session #1 is already held."
    assert chat.check_form("sw1", "rearrange_submit", "999", fields) == {}  # no such session
    assert chat.check_form("sw3", "rearrange_submit", "2", fields) == {}  # not Chris's


def test_only_the_date_and_time_forms_are_checked(chat: ChatService) -> None:
    checked = {a.id for a in buttons.ACTIONS if a.check is not None}
    assert checked == {"book_submit", "rearrange_submit"}
    assert all(a.form_submit for a in buttons.ACTIONS if a.check is not None)
    assert chat.check_form("sw1", "cancel_submit", "2", {"reason": ""}) == {}
    assert chat.check_form("sw1", "no_such_form", "", {}) == {}


def test_a_refused_form_opens_again_with_the_values_sent_and_the_problems_beside_them(
    chat: ChatService,
) -> None:
    # For platforms whose forms cannot stay open (Teams): the form as the asker may open
    # it, built here (never from what the client sent back), with their values kept.
    before = _rows(chat)
    sent = {"date": "2026-04-16", "time": "20:30"}
    again = chat.form_again("sw1", "rearrange_submit", "2", sent)
    assert again is not None and again.form is not None
    assert again.text.startswith("Rearrange session #2")  # what is being moved, still said
    fields = {f.name: f for f in again.form.fields}
    assert (fields["date"].initial, fields["time"].initial) == ("2026-04-16", "20:30")
    assert fields["time"].error and "20:30" in fields["time"].error
    assert fields["date"].error is None
    assert again.form.submit_action == "rearrange_submit" and again.form.value == "2"
    assert _rows(chat) == before  # nothing moved
    # Nothing wrong, a refusal, or a session that cannot move: the submission answers.
    assert chat.form_again("sw1", "rearrange_submit", "2", {**sent, "time": "10:00"}) is None
    assert chat.form_again("sw3", "rearrange_submit", "2", sent) is None  # not Chris's
    assert chat.form_again("sw1", "rearrange_submit", "1", sent) is None  # held already
    # A booking keeps the supervisee it was for.
    booking = chat.form_again("tm1", "book_submit", "", _book("2026-04-11", "10:00"))
    assert booking is not None and booking.form is not None
    chosen = {f.name: f for f in booking.form.fields}
    assert chosen["supervisee"].initial == "sw2" and chosen["date"].error
