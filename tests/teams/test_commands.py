"""Teams understands the commands its help and its compose-box list advertise."""

from __future__ import annotations

import pytest

from bot.teams.handlers_core import as_command, registry_commands
from storage.db import session_scope
from storage.models import Person
from tests.teams.conftest import Endpoint
from tests.teams.fakes import activity

NOT_UNDERSTOOD = "Sorry, I didn't understand"


def _ask(endpoint: Endpoint, text: str) -> str:
    with session_scope(endpoint.server.bot.turns.engine) as s:
        person = s.get(Person, "tm1")
        assert person is not None
        person.teams_user_id = "aad-sam"
    fake = endpoint.connector
    before = len(fake.to("a:personal-1"))
    body = activity("message", service_url=fake.url, aad="aad-sam", user_id="29:sam", text=text)
    assert endpoint.post(body)[0] == 200
    return str(fake.to("a:personal-1")[before:])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("notes", "no preparation notes"),
        ("/supervision notes", "no preparation notes"),
        ("<at>Supervision</at> /supervision notes", "no preparation notes"),
        ("/Supervision to-sign", "Nothing to sign"),
        ("to-sign", "Nothing to sign"),
        ("owed", "record"),
        ("team", "Jo Brown"),
    ],
)
def test_advertised_commands_are_understood(
    dev_endpoint: Endpoint, text: str, expected: str
) -> None:
    answer = _ask(dev_endpoint, text)
    assert NOT_UNDERSTOOD not in answer and expected in answer


def test_bare_slash_prefix_shows_help(dev_endpoint: Endpoint) -> None:
    assert "/supervision help" in _ask(dev_endpoint, "/supervision")


def test_sentences_starting_with_a_command_word_stay_free_text(dev_endpoint: Endpoint) -> None:
    """The prepare intent's own example starts with "help" but is not the help command."""
    answer = _ask(dev_endpoint, "help me prepare for my next session")
    assert NOT_UNDERSTOOD not in answer and "Show what I can do" not in answer


def test_every_listed_command_is_understood(dev_endpoint: Endpoint) -> None:
    for command in registry_commands():
        assert NOT_UNDERSTOOD not in _ask(dev_endpoint, command.title), command.title


def test_as_command_reads_only_the_slash_form() -> None:
    assert as_command("/supervision notes for session 3") == "notes for session 3"
    assert as_command("/supervision") == "help"
    assert as_command("notes") is None
    assert as_command("/supervisionnotes") is None
