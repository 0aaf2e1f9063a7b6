"""Delivering the engine's messages in Teams, and choosing a platform per person.

`TeamsTransport` sends proactively through the Bot Connector REST API, using
the conversation reference stored when the person first talked to the bot or
installed the app (its `serviceUrl` and conversation id). A person with no
reference cannot be reached: `can_reach` says so and records an admin notice
once (and, that first time, messages every admin Teams can reach, as Slack
DMs its admins), `send` raises a permanent `DeliveryFailed`, and
`supervision-bot teams unreachable` lists everyone in that state.

`CompositeTransport` serves an organisation on Slack and Teams at once: each
message goes to the first transport, in the configured order, that can reach
the person, so it is sent exactly once and on one platform. It asks each
transport's side-effect-free `reachable` when it has one, so a person Slack
reaches is not reported as unreachable in Teams.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import httpx
from microsoft_teams.apps import App
from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.teams.app import send_reply
from bot.teams.loop import LoopThread
from bot.transport import DeliveryFailed, OutgoingMessage, Transport
from handlers.chat.identity import admins_to_tell
from handlers.replies import Reply
from storage import teams_queries
from storage.db import session_scope
from storage.models import Person

log = logging.getLogger(__name__)

UNREACHABLE_NOTICE = (
    "{name} ({id}) has no Teams chat with the bot yet, so Teams messages cannot reach them. "
    "Ask them to open the supervision-bot app in Teams once, or install it for them "
    "(Teams admin centre > Manage apps > Install for users)."
)
PERMANENT_STATUSES = {400, 401, 403, 404, 410}


def unreachable_notice_key(person_id: str) -> str:
    return f"teams-unreachable:{person_id}"


class TeamsTransport:
    """Proactive Teams messages from stored conversation references."""

    name = "teams"

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        app: App,
        loop: LoopThread | None = None,
        admin_ids: Iterable[str] = (),
    ):
        self.engine = engine
        self.clock = clock
        self.app = app
        self.loop = loop or LoopThread("teams-transport")
        self.admin_ids = frozenset(admin_ids)

    def reachable(self, person: Person) -> bool:
        """Whether a conversation reference is stored for `person` (no side effects)."""
        with session_scope(self.engine) as s:
            return teams_queries.has_reference(s, person.id)

    def can_reach(self, person: Person) -> bool:
        """`reachable`; when not, admins get a notice (once) instead of silence."""
        if self.reachable(person):
            return True
        self.note_unreachable(person)
        return False

    def note_unreachable(self, person: Person) -> None:
        """Record, once, an admin notice that `person` cannot be reached in Teams.

        The first time, every admin with a Teams chat is messaged too; an admin
        Teams cannot reach still has the notice (and is only logged here).
        """
        text = UNREACHABLE_NOTICE.format(name=person.name, id=person.id)
        key = unreachable_notice_key(person.id)
        admins = admins_to_tell(self.engine, self.clock, self.admin_ids, key, text)
        with session_scope(self.engine) as s:
            references = [(a.id, teams_queries.get_reference(s, a.id)) for a in admins]
        for admin_id, reference in references:
            if reference is None:
                log.info("admin %s has no Teams chat; the notice %s waits for them", admin_id, key)
                continue
            try:
                self.loop.run(send_reply(self.app.api, reference, Reply(text=text)))
            except Exception as exc:  # telling admins is a best effort; the notice is stored
                log.warning("could not tell admin %s on Teams: %s", admin_id, exc)

    def send(self, person: Person, message: OutgoingMessage) -> None:
        with session_scope(self.engine) as s:
            reference = teams_queries.get_reference(s, person.id)
        if reference is None:
            self.note_unreachable(person)
            raise DeliveryFailed(f"{person.name} cannot be reached in Teams yet", permanent=True)
        try:
            self.loop.run(send_reply(self.app.api, reference, message.reply))
        except httpx.HTTPStatusError as exc:
            status = exc.response.status_code
            raise DeliveryFailed(
                f"Teams refused the message to {person.name} (HTTP {status})",
                permanent=status in PERMANENT_STATUSES,
            ) from exc
        except (httpx.HTTPError, TimeoutError) as exc:
            raise DeliveryFailed(f"Teams could not be reached: {exc}") from exc

    def close(self) -> None:
        self.loop.close()


class CompositeTransport:
    """Several platforms, one message each, on the platform the person actually uses.

    `pick` prefers, in the configured order, a transport with a confirmed
    route to the person (its side-effect-free `reachable`, e.g. a stored Teams
    conversation reference, or a known platform user id such as
    `slack_user_id`); only when none has one does it fall back to the first
    transport that can try (e.g. Slack's lookup by email).
    """

    name = "composite"

    def __init__(self, transports: Sequence[Transport]) -> None:
        if not transports:
            raise ValueError("CompositeTransport needs at least one transport")
        self.transports = list(transports)

    @staticmethod
    def confirmed(transport: Transport, person: Person) -> bool:
        """Whether `transport` has a known route to `person` (asked without side effects)."""
        reachable = getattr(transport, "reachable", None)
        if callable(reachable):
            return bool(reachable(person))
        return bool(getattr(person, f"{transport.name}_user_id", None))

    def pick(self, person: Person) -> Transport | None:
        """The one transport that delivers to `person`, or None."""
        for t in self.transports:
            if self.confirmed(t, person):
                return t
        for t in self.transports:
            if not callable(getattr(t, "reachable", None)) and t.can_reach(person):
                return t
        return None

    def can_reach(self, person: Person) -> bool:
        if self.pick(person) is not None:
            return True
        self._note_unreachable(person)
        return False

    def _note_unreachable(self, person: Person) -> None:
        for t in self.transports:
            note = getattr(t, "note_unreachable", None)
            if callable(note):
                note(person)

    def send(self, person: Person, message: OutgoingMessage) -> None:
        transport = self.pick(person)
        if transport is None:
            names = " or ".join(t.name for t in self.transports)
            self._note_unreachable(person)
            raise DeliveryFailed(f"{person.name} cannot be reached on {names}", permanent=True)
        transport.send(person, message)
