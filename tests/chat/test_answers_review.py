"""Answers a reviewer found wrong: citations, time zones, absences, raw ids, team tables,
owed records, wider teams, own versus led sessions, console forms and long plans.

Reference organisation (tests/chat/org.py) at Wed 8 April 2026 09:00 London.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import pairwise

import pytest
from sqlmodel import Session

from bot.clock import local_date
from handlers.chat import plan
from handlers.chat.access import REFUSAL
from handlers.chat.dispatch import ChatService
from policy.duties import record_share_by
from storage.models import Absence, Person, SupervisionSession
from tests.chat.org import NOW
from tests.chat.test_review_fixes import _add


def _set_timezone(chat: ChatService, person_id: str, tz: str) -> None:
    with Session(chat.engine) as s:
        person = s.get(Person, person_id)
        assert person is not None
        person.timezone = tz
        s.add(person)
        s.commit()


def _leave(person_id: str, first: date, last: date, reason: str = "annual_leave") -> Absence:
    return Absence(
        person_id=person_id, first_day=first, last_day=last, reason=reason, recorded_at=NOW
    )


def test_cadence_cites_only_the_askers_role_and_shows_no_rule_ids(chat: ChatService) -> None:
    r = chat.text("sw1", "why do I get supervision monthly")
    assert "Deputy director" not in r.text and "Chief Officer" not in r.text
    assert all("roles.social_worker" not in f.value for f in r.facts)
    assert [f.label for f in r.facts] == ["Cadence"]


def test_cadence_of_someone_not_visible_is_refused(chat: ChatService) -> None:
    assert chat.text("sw3", "how often should Alex Jones have supervision").text == REFUSAL
    assert "monthly" in chat.text("tm1", "how often should Alex Jones have supervision").text


def test_times_are_in_the_askers_zone(chat: ChatService) -> None:
    _set_timezone(chat, "sw1", "America/New_York")
    r = chat.text("tm1", "when is Alex's next supervision due?")
    facts = {f.label: f.value for f in r.facts}
    assert facts["Next booked"] == "Tue 14 Apr 2026, 14:00"  # Sam's London time, as in the text
    assert "Next session booked: Tue 14 Apr 2026, 14:00" in r.text


def test_working_hours_of_both_people_count(chat: ChatService) -> None:
    _set_timezone(chat, "sw2", "America/New_York")
    r = chat.text("tm1", "book Jo on Thursday at 10am")  # 05:00 in New York
    assert r.text.startswith("For Jo Brown (in America/New_York), 05:00 is outside working hours")


def test_supervisors_book_for_their_people_by_default(chat: ChatService) -> None:
    form = chat.text("tm1", "book a session").form
    assert form is not None
    supervisee = form.fields[0]
    assert supervisee.initial == "sw1"  # the first supervisee, not "Me"
    assert supervisee.choices[-1] == ("tm1", "Me (with my supervisor)")
    form = chat.text("sw1", "book a session").form
    assert form is not None and form.fields[0].initial == "sw1"  # a supervisee: themselves


def test_booking_during_an_absence_is_refused_with_the_next_free_slot(chat: ChatService) -> None:
    _add(chat, _leave("sw2", date(2026, 4, 20), date(2026, 4, 24)))
    r = chat.text("tm1", "book Jo on 22 April at 10am")
    assert r.text.startswith(
        "Jo Brown is away on Wed 22 Apr 2026 (annual leave, Mon 20 Apr 2026 to Fri 24 Apr 2026)"
    )
    assert "The next free slot for both is Mon 27 Apr 2026, 10:00." in r.text
    _add(chat, _leave("tm1", date(2026, 4, 9), date(2026, 4, 9), "sickness"))
    moved = chat.text("sw1", "rearrange my next session to Thursday at 10am")
    assert moved.text.startswith("Sam Taylor is away on Thu 9 Apr 2026 (sickness")


def test_plans_skip_days_when_either_person_is_away(chat: ChatService) -> None:
    _add(chat, _leave("tm1", date(2026, 4, 9), date(2026, 5, 8)))
    r = chat.text("tm1", "plan for Jo")
    slots = [s for b in r.buttons for s in b.value.split("|")[1].split(",")]
    assert slots and all(s[:10] > "2026-05-08" for s in slots)
    # The due dates the absence covered become one session when it ends (not several on
    # that day), and the cadence runs on from it: fortnightly for Jo from mid-April.
    days = [date.fromisoformat(s[:10]) for s in slots]
    assert days[0] == date(2026, 5, 11)
    assert all((b - a).days >= 7 for a, b in pairwise(days))


def test_team_tables_show_role_titles_and_booked_late(chat: ChatService) -> None:
    r = chat.text("tm1", "who do I supervise?")
    rows = {row[0]: row for row in r.tables[0].rows}
    assert "social_worker" not in rows["Alex Jones"][1] and "Social worker" in rows["Alex Jones"][1]
    assert rows["Alex Jones"][-1] == "booked late"  # due Fri 10 Apr, booked Tue 14 Apr
    assert rows["Jo Brown"][-1] == "OVERDUE"


def test_owed_records_show_the_share_by_date_and_lateness(chat: ChatService) -> None:
    r = chat.text("sdm", "which records do I owe?")
    table = r.tables[0]
    assert table.columns[-1] == "Share by"
    deadline = record_share_by(chat.pack, date(2026, 3, 20)).date
    late = deadline < local_date(NOW, "Europe/London")
    assert table.rows[0][-1] == deadline.strftime("%a %-d %b %Y") + (" (LATE)" if late else "")
    assert ("1 late" in r.text) is late


def test_a_supervisee_asking_for_outstanding_records_gets_theirs_to_sign(
    chat: ChatService,
) -> None:
    r = chat.text("sw1", "do I have any outstanding records")
    assert r.text.startswith("1 record(s) waiting for your signature")


def test_a_line_manager_sees_overdue_people_across_their_supervisors(chat: ChatService) -> None:
    r = chat.text("sdm", "who is overdue in my team?")
    assert "Chris Green" in r.text and "Jo Brown" in r.text  # under Priya and under Sam


def test_own_supervision_and_sessions_led_are_listed_apart(chat: ChatService) -> None:
    _add(
        chat,
        SupervisionSession(
            supervisee_id="tm1",
            supervisor_id="sdm",
            scheduled_at=datetime(2026, 4, 20, 9, 0, tzinfo=UTC),
            booked_at=NOW,
        ),
    )
    r = chat.text("tm1", "what is my next session")
    assert r.text.startswith(
        "Your own next supervision is Mon 20 Apr 2026, 10:00 with Dana Director. "
        "The next session you lead is Tue 14 Apr 2026, 14:00 with Alex Jones."
    )
    titles = [t.title for t in r.tables]
    assert titles == ["Your own supervision", "Sessions you lead"]
    assert r.tables[0].rows[0][-1] == "Dana Director" and r.tables[1].rows[0][-1] == "Alex Jones"


def test_a_long_plan_says_who_it_left_out(
    chat: ChatService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan, "MAX_PEOPLE", 1)
    r = chat.text("tm1", "plan the next three months")
    assert "covers the first 1 of your supervisees by name; 1 more (Jo Brown)" in r.text
    assert 'ask "plan for NAME"' in r.text


def test_is_my_supervisor_on_leave(chat: ChatService) -> None:
    r = chat.text("sw1", "is my supervisor on leave?")
    assert "Sam Taylor has no absence recorded today or in the next 28 days." in r.text
    _add(chat, _leave("tm1", date(2026, 4, 20), date(2026, 4, 24)))
    r = chat.text("sw1", "is my supervisor on leave?")
    assert "is not away today, but is away from Mon 20 Apr 2026 to Fri 24 Apr 2026" in r.text
    assert "absence" not in chat.text("sw1", "who is my supervisor?").text


def test_greetings_are_friendly(chat: ChatService) -> None:
    assert chat.text("sw1", "hello").text.startswith("Hello Alex! Here's what I can help with")
    assert chat.text("sw1", "thanks!").text.startswith("You're welcome!")
    assert chat.text("sw1", "help me").text.startswith("Here's what I can help with")


def test_which_one_names_the_team_not_the_id(chat: ChatService) -> None:
    _add(
        chat,
        Person(
            id="sw9",
            name="Alex Smith",
            role="social_worker",
            supervisor_id="tm1",
            role_start=date(2024, 1, 1),
            team="South",
        ),
    )
    r = chat.text("tm1", "is Alex overdue?")
    assert "Alex Jones (North), Alex Smith (South)" in r.text and "sw9" not in r.text


def test_cadence_follows_the_role_held_today_not_one_recorded_to_start_later(
    chat: ChatService,
) -> None:
    from policy.engine import load_pack
    from storage.people import set_role

    with Session(chat.engine) as s:
        set_role(s, load_pack("leeds"), "sw1", "nqsw", date(2026, 5, 4), NOW)
        s.commit()
    today = chat.text("sw1", "how often should I have supervision").text
    assert "your supervision as Social worker (more than 12 months' experience)" in today
    assert "should be monthly" in today


def test_a_role_change_counts_from_the_subjects_own_local_day(chat: ChatService) -> None:
    from policy.engine import load_pack
    from storage.people import set_role

    # 09:00 in London is 22:00 the day before in Honolulu: Alex's new role starts there
    # tomorrow, whatever the date is where their manager asks.
    _set_timezone(chat, "sw1", "Pacific/Honolulu")
    assert local_date(NOW, "Pacific/Honolulu") == date(2026, 4, 7)
    with Session(chat.engine) as s:
        set_role(s, load_pack("leeds"), "sw1", "nqsw", date(2026, 4, 8), NOW)
        s.commit()
    answer = chat.text("tm1", "how often should Alex Jones have supervision").text
    assert "should be monthly" in answer, answer
    assert "Social worker (more than 12 months' experience)" in answer
