"""One understood intent: its id, help text, slash subcommand, examples, patterns and handler."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Reply

Handler = Callable[[ChatContext, ChatRequest], Reply]

QUESTION = (  # the start of a question about something
    r"^(?:what|which|whats|what's|do|does|have|any|anything|how many|list|show"
    r"|are there|is there|tell)\b"
)


@dataclass(frozen=True)
class Intent:
    id: str
    help: str
    subcommand: str
    examples: tuple[str, ...]
    patterns: tuple[str, ...]
    handler: Handler
    keywords: tuple[str, ...] = ()  # word stems scored when no pattern matches
    # Tried before the rest of the list: for narrow patterns ("delete note 2") that broader
    # ones earlier in the list would otherwise take, without moving the intent in help/Teams.
    first: bool = False
    compiled: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", tuple(re.compile(p) for p in self.patterns))

    def matches(self, text: str) -> bool:
        return any(p.search(text) for p in self.compiled)
