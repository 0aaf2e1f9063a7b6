"""The one entry point adapters call: text, slash commands, button presses, forms, home.

`ChatService` opens one transaction per request, looks up the asker, runs the
handler and turns any unexpected error into a polite reply (the transaction is
rolled back, so nothing half-changes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from handlers.chat import access, buttons, intents, nlu
from handlers.chat.home import home
from handlers.chat.request import ChatContext, ChatRequest
from handlers.reflect.config import configured_bank, configured_patterns
from handlers.replies import Reply, refused
from policy.reflection.bank import QuestionBank
from policy.reflection.child_details import ChildDetailPatterns
from storage import chat_queries as q
from storage.db import session_scope
from storage.models import Person

log = logging.getLogger(__name__)

UNKNOWN_PERSON = (
    "I don't know you yet, so I can't show any supervision details. "
    "Please ask your supervision-bot admin to add you (or your chat account) to the organisation."
)
PURGE_EVERY = 500
KEEP_EVENTS = timedelta(days=7)
FAILED = "Sorry, something went wrong on my side and nothing was changed. Please try again later."


@dataclass
class ChatService:
    """Platform-neutral chat over one store, one clock and one policy pack.

    `bank` and `patterns` default to the files REFLECTION_BANK and CHILD_DETAIL_PATTERNS
    name (read once, when the service starts; built-in when unset).
    """

    engine: Engine
    clock: Clock
    pack: Any
    admin_ids: frozenset[str] = frozenset()
    bank: QuestionBank = field(default_factory=configured_bank)
    patterns: ChildDetailPatterns = field(default_factory=configured_patterns)
    _claims: int = field(default=0, init=False, repr=False)

    def _context(self, session: Session, asker: Person) -> ChatContext:
        return ChatContext(
            session, self.clock, self.pack, asker, self.admin_ids, self.bank, self.patterns
        )

    def _run(self, asker_id: str, work: Callable[[ChatContext], Reply]) -> Reply:
        try:
            with session_scope(self.engine) as session:
                asker = q.get_person(session, asker_id)
                if asker is None or not asker.active:
                    return Reply(text=UNKNOWN_PERSON, ephemeral=True, ok=False)
                ctx = self._context(session, asker)
                return work(ctx)
        except Exception:
            log.exception("chat request from %s failed", asker_id)
            return Reply(text=FAILED, ephemeral=True)

    def request(
        self, asker_id: str, text: str, *, platform: str = "console", command: bool = False
    ) -> ChatRequest:
        """Parse `text` (a message, or a slash command's text) in the asker's timezone."""
        tz = "Europe/London"
        known: list[str] = []
        with session_scope(self.engine) as session:
            asker = q.get_person(session, asker_id)
            if asker is not None:
                tz = asker.timezone
                ctx = self._context(session, asker)
                known = [p.name for p in access.nameable_people(ctx) if p.id != asker.id]
        parse = nlu.parse_command if command else nlu.parse
        try:
            intent, args = parse(text[:2000], self.clock.now(), tz, known)
        except Exception:  # an odd date or pattern must not cost the person an answer
            log.exception("could not parse %r", text[:200])
            intent, args = intents.FALLBACK, {}
        return ChatRequest(asker_id, intent, args, text[:2000], platform)

    def answer(self, req: ChatRequest) -> Reply:
        """The reply to a parsed request."""
        found = intents.BY_ID.get(req.intent)
        handler = found.handler if found else intents.fallback_reply
        return self._run(req.asker_id, lambda ctx: handler(ctx, req))

    def text(
        self, asker_id: str, text: str, *, platform: str = "console", command: bool = False
    ) -> Reply:
        """Understand and answer a free-text message or slash command."""
        return self.answer(self.request(asker_id, text, platform=platform, command=command))

    def action(
        self, asker_id: str, action_id: str, value: str = "", fields: dict[str, Any] | None = None
    ) -> Reply:
        """A button press or form submission; the handler checks the presser may do it."""
        action = buttons.BY_ID.get(action_id)
        if action is None:
            return Reply(text="That button is no longer supported.", ephemeral=True)
        return self._run(asker_id, lambda ctx: action.handler(ctx, value, dict(fields or {})))

    def check_form(
        self, asker_id: str, action_id: str, value: str = "", fields: dict[str, Any] | None = None
    ) -> dict[str, str]:
        """What a form submission would be refused for, by field name, without doing it.

        {} means it may go ahead (or that only the submission itself can say what is wrong,
        e.g. a refusal or an unknown person). Nothing is written: the transaction is rolled
        back, whatever the check does.
        """
        action = buttons.BY_ID.get(action_id)
        if action is None or action.check is None:
            return {}
        check = action.check
        try:
            with Session(self.engine) as session:  # never committed
                asker = q.get_person(session, asker_id)
                if asker is None or not asker.active:
                    return {}
                return check(self._context(session, asker), value, dict(fields or {}))
        except Exception:  # a failed check must not stop the submission: it checks again
            log.exception("checking a %s form from %s failed", action_id, asker_id)
            return {}

    def form_again(
        self, asker_id: str, action_id: str, value: str = "", fields: dict[str, Any] | None = None
    ) -> Reply | None:
        """A form submission refused for some of its fields: the form opened again (as the
        asker may open it), with the values just submitted and the problem beside each
        field. None when the submission should go ahead and answer for itself."""
        submitted = {k: str(v) for k, v in (fields or {}).items()}
        errors = self.check_form(asker_id, action_id, value, submitted)
        if not errors:
            return None
        opened = self.action(asker_id, "form_open", f"{action_id}|{value}", submitted)
        form = opened.form
        if form is None or form.submit_action != action_id:
            return None
        if not set(errors) <= {f.name for f in form.fields}:
            return None
        return replace(opened, form=refused(form, submitted, errors))

    def home(self, asker_id: str) -> Reply:
        """The asker's home view."""
        return self._run(asker_id, home)

    def claim(self, platform: str, key: str) -> bool:
        """True the first time an inbound event or press is seen; False for retries and repeats.

        Every PURGE_EVERY claims, events older than KEEP_EVENTS are forgotten.
        """
        now = self.clock.now()
        with session_scope(self.engine) as session:
            first = q.claim_event(session, platform, key, now)
        self._claims += 1
        if self._claims % PURGE_EVERY == 0:
            with session_scope(self.engine) as session:
                q.purge_processed_events(session, now - KEEP_EVENTS)
        return first

    def release(self, platform: str, key: str) -> None:
        """Forget a claimed event whose handling failed, so the platform's retry is handled."""
        with session_scope(self.engine) as session:
            q.release_event(session, platform, key)
