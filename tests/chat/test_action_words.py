"""Recording an action "by chat" fills the form with what was said (what, who, by when), and a
chat action gets the children's-details warning with its form back to edit or confirm."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from handlers.chat.action_words import read_action
from handlers.chat.dispatch import ChatService
from handlers.reflect.common import CONFIRM_FIELD
from storage.models import ActionItem
from tests.chat.org import NOW

NAMES = ["Lucy Barker", "Lucy", "Barker", "Jo Brown", "Jo", "Sam Taylor", "Sam"]

# (what was said, action, owner, due) with today Wed 8 April 2026.
PARAPHRASES = [
    ("add an action for Lucy to call the school by Friday", "Call the school", "Lucy",
     "2026-04-10"),
    ("add an action for me to book the safeguarding refresher by 30 April",
     "Book the safeguarding refresher", "me", "2026-04-30"),
    ("record an action for Sam to chase the LADO referral by next Tuesday",
     "Chase the LADO referral", "Sam", "2026-04-14"),
    ("we agreed a new action: update the chronology", "Update the chronology", None, None),
    ("add an action: Jo to read the ASYE handbook by the 24th", "Read the ASYE handbook", "Jo",
     "2026-04-24"),
    ("new action for Jo: read the handbook, due 24 April", "Read the handbook", "Jo", "2026-04-24"),
    ("log an action that Jo will read the handbook before Friday", "Read the handbook", "Jo",
     "2026-04-09"),
    ("add an action for you to send the policy within two weeks", "Send the policy", "you",
     "2026-04-22"),
    ("add an action I'll phone the GP on Monday", "Phone the GP", "me", "2026-04-13"),
    ("Add action: Lucy to call the school. Due 2026-04-30", "Call the school", "Lucy",
     "2026-04-30"),
    ("add an action for Jo to read the handbook next week", "Read the handbook", "Jo",
     "2026-04-15"),
    ("add an action for jo brown to plan next steps", "Plan next steps", "jo brown", None),
    ("add an action for Lucy to get the plan signed off by the manager",
     "Get the plan signed off by the manager", "Lucy", None),
    ("add an action for the team to review the plan", "For the team to review the plan", None,
     None),
    ("add an action for Jo", None, "Jo", None),
    ("record an agreed action", None, None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("said", "what", "owner", "due"), PARAPHRASES, ids=[p[0] for p in PARAPHRASES]
)
def test_what_who_and_when_are_read(said: str, what: str, owner: str, due: str | None) -> None:
    words = read_action(said, NOW, "Europe/London", NAMES)
    assert (words.what, words.owner) == (what, owner)
    assert (words.due.isoformat() if words.due else None) == due
    assert words.due_problem is None


def test_a_due_date_not_in_the_calendar_is_reported() -> None:
    said = "add an action for Jo to ring the GP by 31 June"
    words = read_action(said, NOW, "Europe/London", NAMES)
    assert words.what == "Ring the GP" and words.due is None
    assert words.due_problem == "I couldn't find that date in the calendar."


def _initial(chat: ChatService, person: str, said: str) -> dict[str, Any]:
    r = chat.text(person, said)
    assert r.form is not None and r.form.submit_action == "action_submit", r.text
    return {f.name: f.initial for f in r.form.fields}


def test_the_form_is_filled_in_from_the_request(chat: ChatService) -> None:
    said = "add an action for Jo to call the school by Friday"
    r = chat.text("tm1", said)
    assert r.text == "Record an agreed action. Check what I understood, then save."
    assert _initial(chat, "tm1", said) == {
        "supervisee": "sw2",
        "text": "Call the school",
        "owner": "supervisee",
        "due": "2026-04-10",
    }
    # Sam, Jo's supervisor, takes it on: their own name, or "me".
    mine = _initial(chat, "tm1", "add an action for me to book Jo's induction by the 30th")
    assert mine == {"supervisee": "sw2", "text": "Book Jo's induction", "owner": "supervisor",
                    "due": "2026-04-30"}  # fmt: skip
    # A supervisee naming their supervisor, or "you": an action for the supervisor.
    for said in ("add an action for Sam to send me the policy by next Tuesday",
                 "add an action for you to send me the policy by next Tuesday"):  # fmt: skip
        assert _initial(chat, "sw1", said) == {
            "supervisee": "sw1", "text": "Send me the policy", "owner": "supervisor",
            "due": "2026-04-14",
        }  # fmt: skip
    own = _initial(chat, "sw1", "add an action for me to finish the chronology tomorrow")
    assert (own["owner"], own["due"]) == ("supervisee", "2026-04-09")


def test_nothing_understood_leaves_the_fields_empty(chat: ChatService) -> None:
    r = chat.text("tm1", "record an agreed action")
    assert r.text == "Record an agreed action."
    assert _initial(chat, "tm1", "record an agreed action") == {
        "supervisee": "tm1", "text": None, "owner": "supervisee", "due": None,
    }  # fmt: skip
    r = chat.text("tm1", "add an action for Jo to ring the GP by 31 June")
    assert "About the due date: I couldn't find that date in the calendar." in r.text


def test_the_form_reopened_from_a_button_keeps_what_was_said(chat: ChatService) -> None:
    r = chat.text("tm1", "add an action for Jo to call the school by Friday")
    assert r.form is not None
    reopened = chat.action("tm1", "form_open", f"action_submit|{r.form.value}").form
    assert reopened is not None and reopened.fields == r.form.fields


def _actions(chat: ChatService) -> list[ActionItem]:
    with Session(chat.engine) as s:
        return list(s.exec(select(ActionItem)).all())


def test_a_chat_action_naming_a_child_gets_the_warning_and_its_form(chat: ChatService) -> None:
    values = {"supervisee": "sw2", "text": "Call school re DOB 01/02/2016", "owner": "supervisor",
              "due": "2026-04-24"}  # fmt: skip
    warned = chat.action("tm1", "action_submit", "", values)
    assert warned.text.startswith("Nothing is saved yet") and "“DOB 01/02/2016”" in warned.text
    assert warned.form is not None and warned.form.submit_action == "action_submit"
    kept = {f.name: f.initial for f in warned.form.fields}
    assert kept == {**values, CONFIRM_FIELD: "check"}  # what was submitted, ready to edit
    assert _actions(chat) == []
    edited = chat.action("tm1", "action_submit", "", {**values, "text": "Call the school"})
    assert edited.text.startswith("Recorded action")
    assert [a.text for a in _actions(chat)] == ["Call the school"]
    again = chat.action("tm1", "action_submit", "", {**values, CONFIRM_FIELD: "check"})
    assert again.text.startswith("Nothing is saved yet")  # "check again" checks again
    confirmed = chat.action("tm1", "action_submit", "", {**values, CONFIRM_FIELD: "save"})
    assert confirmed.text.startswith("Recorded action")
    assert [(a.text, a.owner_id) for a in _actions(chat)][-1] == (values["text"], "tm1")
