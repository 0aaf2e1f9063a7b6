"""The chat layer routes reflective supervision (issue 6) to its handlers, with their rules."""

from __future__ import annotations

from handlers.chat.dispatch import ChatService


def test_reflective_question_offers_another_and_a_note(chat: ChatService) -> None:
    r = chat.text("sw1", "give me a reflective question about support")
    assert [b.action for b in r.buttons] == ["reflect_again", "reflect_write"]
    assert r.buttons[0].value.startswith("support|")
    form = chat.action("sw1", "reflect_write", r.buttons[1].value).form
    assert form is not None and form.submit_action == "reflect_note"


def test_prepare_save_share_private_by_default(chat: ChatService) -> None:
    r = chat.text("sw1", "help me prepare for my next session")
    assert r.form is not None and (r.form.submit_action, r.form.value) == ("prep_submit", "2")
    answers = {f.name: "A hard week on duty; I want to talk about workload." for f in r.form.fields}
    saved = chat.action("sw1", "prep_submit", "2", answers)
    assert saved.text.startswith("Saved 4 preparation notes")
    assert [(b.action, b.value) for b in saved.buttons] == [("share_prep", "2")]
    assert "can't find" in chat.action("sw3", "open_prep", "2").text  # not their session
    assert chat.action("sw1", "share_prep", "2").text.startswith("Shared: Sam Taylor")
    assert "have no preparation notes" not in chat.text("sw1", "show my notes").text


def test_actions_and_prepare_without_a_session(chat: ChatService) -> None:
    assert "no open actions" in chat.text("sw1", "what actions do I have?").text
    assert "overdue action" in chat.text("tm1", "which agreed actions are overdue").text
    assert "no upcoming session" in chat.text("sw3", "prepare for supervision").text


def test_record_an_agreed_action_by_form(chat: ChatService) -> None:
    r = chat.text("tm1", "add an action for Jo")
    assert r.form is not None and r.form.submit_action == "action_submit"
    assert r.form.fields[0].initial == "sw2"
    values = {
        "supervisee": "sw2",
        "text": "Read the ASYE handbook",
        "owner": "supervisee",
        "due": "2026-04-24",
    }
    saved = chat.action("tm1", "action_submit", "", values)
    assert "Read the ASYE handbook" in saved.text or saved.tables
    assert "Read the ASYE handbook" in str(chat.text("sw2", "what actions do I have?"))
    refused = chat.action("sw3", "action_submit", "", values)  # not Jo's supervision
    assert "Read the ASYE handbook" not in refused.text
    assert "YYYY-MM-DD" in chat.action("tm1", "action_submit", "", {**values, "due": "soon"}).text


def test_forms_can_be_reopened_from_a_button(chat: ChatService) -> None:
    for value, submit in [
        ("prep_submit|2", "prep_submit"),
        ("action_submit|", "action_submit"),
        ("book_submit|sw2", "book_submit"),
        ("cancel_submit|2", "cancel_submit"),
    ]:
        form = chat.action("tm1" if submit != "prep_submit" else "sw1", "form_open", value).form
        assert form is not None and form.submit_action == submit, value
    assert "please ask me again" in chat.action("sw1", "form_open", "nonsense|1").text
