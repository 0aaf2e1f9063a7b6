"""Private notes can be edited and deleted from chat: buttons on "show my notes", the intents
"edit note N", "delete note N" and "delete my notes for session N", each deletion confirmed,
and only by the note's owner."""

from __future__ import annotations

from sqlmodel import Session, select

from bot import render_slack
from handlers.chat.dispatch import ChatService
from storage.models import PrepNote


def _answers(chat: ChatService, person: str = "sw1") -> dict[int, str]:
    with Session(chat.engine) as s:
        rows = s.exec(select(PrepNote).where(PrepNote.person_id == person)).all()
        return {int(n.id or 0): n.answer for n in rows}


def _write(chat: ChatService, text: str, person: str = "sw1") -> int:
    question = chat.text(person, "give me a reflective question").buttons[1].value
    saved = chat.action(person, "reflect_note", question, {"answer": text})
    assert saved.text.startswith("Saved your note"), saved.text
    return max(_answers(chat, person))


def _prepare(chat: ChatService) -> None:
    form = chat.text("sw1", "help me prepare for my next session").form
    assert form is not None
    chat.action("sw1", "prep_submit", "2", {f.name: f"About {f.name}" for f in form.fields})


def test_my_notes_have_edit_and_delete_buttons(chat: ChatService) -> None:
    first, second = _write(chat, "First thoughts"), _write(chat, "Second thoughts")
    r = chat.text("sw1", "show my notes")
    assert [(b.action, b.value) for b in r.buttons] == [
        ("note_edit_open", str(second)),
        ("note_delete", str(second)),
        ("note_edit_open", str(first)),
        ("note_delete", str(first)),
    ]
    assert "Use the buttons to edit or delete a note." in r.text


def test_only_the_newest_ten_notes_get_buttons_and_the_reply_says_so(chat: ChatService) -> None:
    ids = [_write(chat, f"Note {i}") for i in range(12)]
    r = chat.text("sw1", "show my notes")
    assert len(r.tables[0].rows) == 12 and len(r.buttons) == 20
    assert {b.value for b in r.buttons} == {str(i) for i in ids[2:]}
    assert "for the 10 newest notes" in r.text and "“edit note N”" in r.text
    for message in render_slack.messages(r):  # within Block Kit's limits
        assert len(message["blocks"]) <= render_slack.MAX_MESSAGE_BLOCKS
        for block in message["blocks"]:
            if block["type"] == "actions":
                action_ids = [e["action_id"] for e in block["elements"]]
                assert len(action_ids) == len(set(action_ids))


def test_edit_button_opens_the_form_filled_in_and_saves(chat: ChatService) -> None:
    note = _write(chat, "Feeling stretched on duty")
    opened = chat.action("sw1", "note_edit_open", str(note))
    assert opened.form is not None
    assert (opened.form.submit_action, opened.form.value) == ("note_edit", str(note))
    assert opened.form.fields[0].initial == "Feeling stretched on duty"
    saved = chat.action("sw1", "note_edit", str(note), {"answer": "Better after supervision"})
    assert saved.text.startswith(f"Saved your note ({note})")
    assert _answers(chat)[note] == "Better after supervision"
    # A platform that cannot show the form inline reopens it by its submit action.
    reopened = chat.action("sw1", "form_open", f"note_edit|{note}").form
    assert reopened is not None and reopened.fields[0].initial == "Better after supervision"


def test_edit_note_n_in_words(chat: ChatService) -> None:
    note = _write(chat, "Worried about workload")
    r = chat.text("sw1", f"edit note {note}")
    assert r.form is not None and r.form.fields[0].initial == "Worried about workload"
    assert chat.text("sw1", f"can I change my note {note}?").form is not None
    which = chat.text("sw1", "I want to rewrite one of my notes")
    assert which.text.startswith("Which note?") and which.buttons
    assert chat.text("sw1", "edit note 999").text == "I can't find a note 999 of yours."


def test_only_the_owner_can_open_edit_or_delete_a_note(chat: ChatService) -> None:
    note = _write(chat, "Mine alone")
    for person in ("sw2", "tm1", "adm"):  # a peer, the supervisor, an admin
        for said in (f"edit note {note}", f"delete note {note}"):
            r = chat.text(person, said)
            assert r.text == f"I can't find a note {note} of yours." and not r.buttons, said
        assert chat.action(person, "note_edit_open", str(note)).form is None
        assert "can't find" in chat.action(person, "note_edit", str(note), {"answer": "x"}).text
        assert "can't find" in chat.action(person, "note_delete_confirm", str(note)).text
    assert _answers(chat)[note] == "Mine alone"


def test_deleting_a_note_asks_first_and_keep_keeps_it(chat: ChatService) -> None:
    note = _write(chat, "Something I may regret writing")
    asked = chat.text("sw1", f"delete note {note}")
    assert asked.text.startswith(f"Delete note {note} for good?")
    assert "Something I may regret writing" in asked.text and "can't be undone" in asked.text
    assert [(b.action, b.value) for b in asked.buttons] == [
        ("note_delete_confirm", str(note)),
        ("notes_keep", str(note)),
    ]
    assert chat.action("sw1", "notes_keep", str(note)).text == "Kept: nothing was deleted."
    assert note in _answers(chat)
    pressed = chat.action("sw1", "note_delete", str(note))  # the button on "show my notes"
    assert pressed.buttons[0].action == "note_delete_confirm"
    assert chat.action("sw1", "note_delete_confirm", str(note)).text == f"Deleted note {note}."
    assert note not in _answers(chat)
    again = chat.action("sw1", "note_delete_confirm", str(note))  # pressed twice
    assert again.text == f"I can't find a note {note} of yours."


def test_deleting_a_sessions_notes_asks_first(chat: ChatService) -> None:
    _prepare(chat)
    assert len(_answers(chat)) == 4
    asked = chat.text("sw1", "delete my notes for session 2")
    assert asked.text.startswith("Delete your 4 notes for session 2 (the session on Tue 14 Apr")
    assert [(b.action, b.value) for b in asked.buttons] == [
        ("session_notes_delete_confirm", "2"),
        ("notes_keep", "2"),
    ]
    assert len(_answers(chat)) == 4  # nothing gone until confirmed
    done = chat.action("sw1", "session_notes_delete_confirm", "2")
    assert done.text == "Deleted 4 notes for session 2." and _answers(chat) == {}
    assert chat.text("sw1", "delete my notes for session 2").text == (
        "You have no notes for session 2."
    )
    assert chat.text("sw2", "delete my notes for session 2").text == (
        "You have no notes for session 2."
    )


def test_delete_without_saying_which_lists_the_notes(chat: ChatService) -> None:
    _write(chat, "One note")
    r = chat.text("sw1", "delete my notes")
    assert r.text.startswith("Which note? Press Delete next to it")
    assert "note_delete" in [b.action for b in r.buttons]
    assert chat.text("sw3", "delete my notes").text == "You have no preparation notes."


def test_slash_commands_name_the_note_by_number(chat: ChatService) -> None:
    note = _write(chat, "By slash command")
    edit = chat.text("sw1", f"edit-note {note}", platform="slack", command=True)
    assert edit.form is not None and edit.form.fields[0].initial == "By slash command"
    asked = chat.text("sw1", f"delete-notes {note}", platform="slack", command=True)
    assert asked.buttons[0].action == "note_delete_confirm"
