"""Who a chat user is, and telling admins (once) about people the bot cannot serve."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.clock import Clock
from storage import chat_queries as q
from storage.db import session_scope
from storage.models import Person

UNKNOWN_USER_NOTICE = (
    "Someone on {platform} ({display}) asked me about supervision, but I can't match them to a "
    "person in the organisation (no {platform} id stored and no person with their email). "
    "Add them with `supervision-bot import people`, or set their email to match {platform}."
)
UNREACHABLE_NOTICE = (
    "I could not deliver a {platform} message to {name} ({id}): {reason}. "
    "Please check their {platform} account; reminders to them are not getting through."
)


def identify_slack(
    engine: Engine, slack_user_id: str, email_of: Callable[[], str | None]
) -> str | None:
    """The person id for a Slack user: by stored id, else by email (then remembered)."""
    with session_scope(engine) as s:
        person = q.person_by_slack_id(s, slack_user_id)
        if person is not None:
            return person.id if person.active else None
    email = email_of()
    if not email:
        return None
    with session_scope(engine) as s:
        person = q.person_by_email(s, email)
        if person is None or (person.slack_user_id and person.slack_user_id != slack_user_id):
            return None
        q.link_slack_user(s, person.id, slack_user_id)
        return person.id


def display_name(engine: Engine, person_id: str) -> str:
    """A person's name as people write it (to read a chat mention as words)."""
    with session_scope(engine) as s:
        person = q.get_person(s, person_id)
        return person.name if person else person_id


def remember_slack_id(engine: Engine, person_id: str, slack_user_id: str) -> None:
    with session_scope(engine) as s:
        if q.person_by_slack_id(s, slack_user_id) is None:
            q.link_slack_user(s, person_id, slack_user_id)


def admins_to_tell(
    engine: Engine, clock: Clock, admin_ids: frozenset[str], key: str, text: str
) -> list[Person]:
    """The admins to send `text` to: all of them the first time `key` is seen, else none."""
    with session_scope(engine) as s:
        if not q.notice_once(s, key, text, clock.now()):
            return []
        admins = [q.get_person(s, a) for a in sorted(admin_ids)]
        return [a for a in admins if a is not None and a.active]
