"""Each intent answered from a real database (SQLite and PostgreSQL), and who may see what."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from handlers.chat.access import REFUSAL
from handlers.chat.dispatch import UNKNOWN_PERSON, ChatService
from storage.models import SupervisionSession


def _sessions(chat: ChatService, supervisee: str) -> list[SupervisionSession]:
    with Session(chat.engine) as s:
        stmt = select(SupervisionSession).where(SupervisionSession.supervisee_id == supervisee)
        return list(s.exec(stmt).all())


def test_next_due_cites_the_policy(chat: ChatService) -> None:
    r = chat.text("sw1", "when is my next supervision due?")
    assert "due by Fri 10 Apr 2026" in r.text
    assert "Tue 14 Apr 2026, 14:00" in r.text  # booked session, shown in London time
    assert r.citations and r.citations[0].section == "s4.4"
    assert ("Cadence", "monthly (the whole role)") in [(f.label, f.value) for f in r.facts]


def test_am_i_overdue(chat: ChatService) -> None:
    assert chat.text("sw1", "am I overdue?").text.startswith("No, you are not overdue")
    r = chat.text("sw3", "am I overdue?")
    assert r.text.startswith("Yes") and "Mon 2 Feb 2026" in r.text
    assert [b.action for b in r.buttons] == ["book_open"]


def test_next_session_offers_rearrange_and_cancel(chat: ChatService) -> None:
    r = chat.text("sw1", "when is my next session?")
    assert "Tue 14 Apr 2026, 14:00 with Sam Taylor" in r.text
    assert [(b.action, b.value) for b in r.buttons] == [
        ("session_rearrange", "2"),
        ("session_cancel", "2"),
    ]
    assert "no session booked" in chat.text("sw3", "my next session?").text


def test_supervisor_and_supervisees(chat: ChatService) -> None:
    r = chat.text("sw1", "who is my supervisor?")
    assert r.text == "Your supervisor is Sam Taylor. Their line manager is Dana Director."
    r = chat.text("tm1", "who do I supervise?")
    assert "Alex Jones, Jo Brown" in r.text
    rows = r.tables[0].rows
    assert rows[0][0] == "Jo Brown" and rows[0][-1] == "OVERDUE"  # overdue first
    assert "No one is recorded" in chat.text("sw1", "who do I supervise").text


def test_team_overdue_and_service(chat: ChatService) -> None:
    r = chat.text("tm2", "who is overdue in my team?")
    assert r.text == "1 of 1 in your team overdue: Chris Green"
    assert chat.text("sw1", "who is overdue in my team").text.startswith(
        "You don't supervise anyone, so there is no one overdue to show you."
    )
    r = chat.text("sdm", "how is my service doing?")
    assert "5 people" in r.text and "3 overdue" in r.text
    assert {row[0] for row in r.tables[1].rows} == {"Priya Shah", "Chris Green", "Jo Brown"}
    assert "don't manage any supervisors" in chat.text("sw1", "how is my service doing").text


def test_records_to_sign_and_owed(chat: ChatService) -> None:
    r = chat.text("sw1", "what do I need to sign?")
    assert r.text.startswith("1 record") and r.buttons[0].action == "record_sign"
    r = chat.text("tm1", "which records do I owe?")
    assert "1 past session(s) with no outcome" in r.text
    assert ("session_held", "4") in [(b.action, b.value) for b in r.buttons]
    r = chat.text("sdm", "which records do I owe?")
    assert "1 record(s) to share" in r.text and "within 10 working days" in r.text


def test_cadence_and_why(chat: ChatService) -> None:
    r = chat.text("sw2", "how often should I have supervision?")
    assert "weekly (the first six weeks)" in r.text and "Why: " in r.text
    assert r.citations[0].quote in r.text
    assert "monthly" in chat.text("sw1", "why monthly?").text


def test_book_twice_books_once(chat: ChatService) -> None:
    r = chat.text("tm1", "book supervision with Jo on Tuesday at 4pm")
    assert r.text.startswith("Booked: supervision with Jo Brown on Tue 14 Apr 2026, 16:00")
    again = chat.text("tm1", "book supervision with Jo on Tuesday at 4pm")
    assert "already booked" in again.text
    booked = [s for s in _sessions(chat, "sw2") if s.id != 4]
    assert [s.scheduled_at for s in booked] == [datetime(2026, 4, 14, 15, tzinfo=UTC)]
    assert booked[0].booked_at == datetime(2026, 4, 8, 8, tzinfo=UTC)  # the injected clock


def test_booking_by_the_supervisee_and_bad_times(chat: ChatService) -> None:
    r = chat.text("sw3", "book supervision with my supervisor tomorrow at 10")
    assert "with Priya Shah on Thu 9 Apr 2026, 10:00" in r.text
    assert "not a working day" in chat.text("tm1", "book Jo on Saturday at 10am").text
    assert "not a working day" in chat.text("tm1", "book with Jo on 4 May at 10am").text  # bank hol
    form = chat.text("tm1", "book supervision with Jo").form
    assert form is not None and form.submit_action == "book_submit"
    assert [f.name for f in form.fields] == ["supervisee", "date", "time"]


def test_rearrange_cancel_held_share_sign(chat: ChatService) -> None:
    r = chat.text("tm1", "rearrange my session with Alex to Thursday at 10am")
    assert "moved to Thu 9 Apr 2026, 10:00" in r.text
    rows = {int(s.id or 0): s for s in _sessions(chat, "sw1")}
    assert rows[2].cancel_reason == "rearranged" and len(rows) == 3
    new_id = max(rows)
    assert rows[new_id].rearranged_from_id == 2
    asked = chat.text("sw1", "cancel my next session because I'm off sick")
    assert asked.text.startswith(f"Cancel session #{new_id} on ")  # asked first, then pressed
    assert [b.action for b in asked.buttons] == ["cancel_confirm", "cancel_keep"]
    r = chat.action("sw1", "cancel_confirm", asked.buttons[0].value)
    assert r.text.startswith(f"Cancelled session #{new_id}") and "I'm off sick" in r.text
    assert chat.text("sw1", "cancel my next session").text.startswith("You have no upcoming")
    assert "as held" in chat.text("tm1", "mark my session with Jo as held").text
    assert "shared for signing" in chat.text("tm1", "I've shared the record for Jo").text
    assert "signed the record of session #4" in chat.text("sw2", "sign my last record").text
    assert "already signed" in chat.action("sw2", "record_sign", "4").text


def test_cancel_without_reason_asks_for_one(chat: ChatService) -> None:
    r = chat.text("sw1", "cancel my next session")
    assert r.form is not None and r.form.submit_action == "cancel_submit" and r.form.value == "2"
    done = chat.action("sw1", "cancel_submit", "2", {"reason": "court hearing"})
    assert done.text.startswith("Cancelled session #2")


def test_plan_then_confirm_books_each_date_once(chat: ChatService) -> None:
    r = chat.text("tm1", "plan the next three months")
    by_person = {b.value.split("|")[0]: b for b in r.buttons}
    assert set(by_person) == {"sw1", "sw2"}
    value = by_person["sw1"].value
    days = value.split("|")[1].split(",")
    assert days and all(d > "2026-04-08" for d in days)
    first = chat.action("tm1", "confirm_plan", value)
    assert first.text.startswith(f"Booked {len(days)} session(s) for Alex Jones")
    assert "already booked" in chat.action("tm1", "confirm_plan", value).text
    assert chat.action("sw2", "confirm_plan", value).text == REFUSAL


@pytest.mark.parametrize(
    ("asker", "question", "allowed"),
    [
        ("sw1", "is Chris overdue?", False),  # a peer in another team
        ("sw1", "is Jo overdue?", False),  # a peer in the same team
        ("sw1", "when is Sam's next supervision due?", False),  # own supervisor
        ("tm2", "is Alex overdue?", False),  # another supervisor's supervisee
        ("tm1", "is Alex overdue?", True),  # own supervisee
        ("sdm", "is Chris overdue?", True),  # under a supervisor Dana manages
        ("sdm", "is Priya overdue?", True),  # a supervisor Dana manages
        ("adm", "is Chris overdue?", True),  # admin
        ("sw1", "is Nobody overdue?", False),  # unknown: same refusal, reveals nothing
    ],
)
def test_access_rules(chat: ChatService, asker: str, question: str, allowed: bool) -> None:
    r = chat.text(asker, question)
    assert (r.text == REFUSAL) is not allowed, r.text


def test_buttons_check_the_presser(chat: ChatService) -> None:
    assert chat.action("sw3", "record_sign", "1").text == REFUSAL  # not their record
    assert chat.action("sw1", "session_held", "4").text == REFUSAL  # not the supervisor
    assert chat.action("tm2", "session_cancel", "2").text == REFUSAL
    assert chat.action("sw1", "nonsense", "1").text == "That button is no longer supported."
    assert chat.action("sw1", "record_sign", "abc").text == "That session no longer exists."


def test_unknown_person_help_and_fallback(chat: ChatService) -> None:
    assert chat.text("nobody", "am I overdue").text == UNKNOWN_PERSON
    assert "/supervision due" in chat.text("sw1", "help").text
    r = chat.text("sw1", "what's the weather like")
    assert r.text.startswith("Sorry, I didn't understand") and "help" in r.text


def test_home_shows_team_overdue_first(chat: ChatService) -> None:
    r = chat.home("tm1")
    assert r.text.startswith("Hello Sam")
    assert r.tables[0].rows[0][0] == "Jo Brown"
    r = chat.home("sdm")
    titles = [t.title for t in r.tables]
    assert titles == ["People you supervise (overdue first)", "Your service (overdue first)"]


def test_impossible_dates_are_not_guessed(chat: ChatService) -> None:
    r = chat.text("tm1", "book supervision with Jo on 31 February at 10am")
    assert r.form is not None and r.text.startswith("I couldn't find that date")
    r = chat.text("tm1", "rearrange my session with Alex to the 31st at 10")  # April has 30
    assert r.form is not None and r.text.startswith("I couldn't find that date")
    assert [s.id for s in _sessions(chat, "sw2")] == [4]


def test_claims_dedupe_and_old_events_are_forgotten(chat: ChatService) -> None:
    from datetime import timedelta

    from storage import chat_queries as q
    from storage.db import session_scope

    assert chat.claim("slack", "event:Ev1") is True
    assert chat.claim("slack", "event:Ev1") is False
    assert chat.claim("teams", "event:Ev1") is True  # per platform
    with session_scope(chat.engine) as s:
        assert q.purge_processed_events(s, chat.clock.now() - timedelta(days=7)) == 0
        assert q.purge_processed_events(s, chat.clock.now() + timedelta(seconds=1)) == 2
    assert chat.claim("slack", "event:Ev1") is True


def test_a_booking_years_ahead_is_refused(chat: ChatService) -> None:
    """A typo such as 31/12/9999 would otherwise stay booked, and break date arithmetic."""
    r = chat.text("tm1", "book Alex on 31/12/9999 at 10:00")
    assert "too far ahead" in r.text and "Booked" not in r.text
    assert "Booked" in chat.text("tm1", "book Alex on 15/04/2026 at 11:30").text


def test_next_due_says_when_a_new_phase_of_the_cadence_has_begun(engine: Engine) -> None:
    """Jo (newly qualified from 2 March) was due a week after starting; by 22 April her
    weekly weeks are over, and the answer says what applies from now on."""
    from tests.chat.org import seed, service

    seed(engine)
    early = service(engine).text("sw2", "when is my next supervision due?")
    assert "Cadence from now on" not in [f.label for f in early.facts]
    later = service(engine, datetime(2026, 4, 22, 8, 0, tzinfo=UTC)).text(
        "sw2", "when is my next supervision due?"
    )
    facts = {f.label: f.value for f in later.facts}
    assert facts["Cadence"] == "weekly (the first six weeks)"
    assert facts["Cadence from now on"] == "fortnightly (week six up to the six-month review)"
