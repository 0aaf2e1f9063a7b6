"""Rule-based understanding: which intent a message means, and its arguments.

Patterns live with each intent in `handlers.chat.intents`; this module
normalises the text, picks the first matching intent and extracts arguments
(a person's name, when, a reason, a session number, a topic).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from handlers.chat.dates import parse_when
from handlers.chat.intents import BY_SUBCOMMAND, FALLBACK, INTENTS

_NOT_NAMES = {
    "i",
    "me",
    "my",
    "myself",
    "you",
    "we",
    "us",
    "our",
    "him",
    "her",
    "them",
    "the",
    "a",
    "an",
    "it",
    "this",
    "that",
    "on",
    "at",
    "in",
    "for",
    "about",
    "is",
    "supervision",
    "session",
    "supervisor",
    "team",
    "record",
    "records",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "tomorrow",
    "next",
    "every",
    "everyone",
    "each",
    "all",
    "anyone",
    "someone",
    "slack",
    "policy",
    "sick",
    "annual",
    "leave",
    "why",
    "what",
    "who",
    "when",
    "how",
    "please",
    "so",
}
_DAY_WORDS = {
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "in",
    "to",
    "as",
    "because",
}
_NAME = r"([A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*)?)"
_PERSON_PATTERNS = [
    re.compile(rf"\b(?i:with)\s+{_NAME}"),
    re.compile(r"\b(?:for|about|of)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?)"),
    re.compile(r"\b([A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)['’]s\b"),
    re.compile(
        r"\b(?:is|has|does|did|was|will)\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)\s+"
        r"(?:overdue|due|up|behind|have|had|got|been|on|next|late|supervised|prepared)\b"
    ),
    re.compile(r"\b(?i:book|see|meet)\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)"),
    re.compile(r"\bwho supervises\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)"),
    re.compile(r"\bwhen is\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)\s+(?:due|next)\b"),
]
_REASON = re.compile(r"\b(?:because|reason(?: is)?:?|due to|since)\s+(.+)$", re.IGNORECASE)
_SAID_REASON = re.compile(
    r"(?:^|[,;]\s*|\b(?:as|cos|cause)\s+)"
    r"((?:i'?m|i am|i've got|i have got|i've|i have|we're|we are)"
    r"\s+(?!got\b)[^,;]+?)(?=[,;]|$)",
    re.IGNORECASE,
)
_SHIFT = re.compile(
    r"\b(?:back|forward|on|later|earlier)?\s*(?:by\s+)?(a|one|two|three|four|\d+)\s+(days?|weeks?)"
    r"(?:\s+(?:later|earlier|back|forward))?\b",
    re.IGNORECASE,
)
_EARLIER = re.compile(r"\b(?:forward|earlier|bring)\b", re.IGNORECASE)
_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}
_SESSION = re.compile(r"(?:#|\bsession\s+(?:no\.?\s*|number\s+)?)(\d{1,9})\b", re.IGNORECASE)
_MONTHS = re.compile(r"\b(\d{1,2}|one|two|three|four|five|six|twelve)\s+months?\b", re.IGNORECASE)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12}
_WHY = re.compile(
    r"\bwhy\b(?:\s+(?:is|are|do|does|should|must)\b)?(?:\s+(?:it|that|this|i|we)\b)?\s*(.*)$",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Lower case, plain quotes, no trailing punctuation, single spaces."""
    text = text.replace("’", "'").replace("‘", "'").lower()
    text = re.sub(r"[?!.,;]+(\s|$)", r"\1", text)
    return " ".join(text.split())


def _person(text: str) -> str | None:
    for pattern in _PERSON_PATTERNS:
        for m in pattern.finditer(text):
            words = m.group(1).split()
            while words and (words[-1].lower() in _NOT_NAMES or not words[-1][0].isupper()):
                if len(words) == 1:
                    break
                words.pop()
            name = re.sub(r"['’]s$", "", " ".join(words))
            if name and name.lower() not in _NOT_NAMES and not name[0].isdigit():
                return name
    return None


def extract_args(
    intent: str, text: str, now: datetime, tz_name: str, *, leading_name: bool = False
) -> dict[str, Any]:
    """Arguments of `intent` found in the original (not normalised) `text`.

    `leading_name`: a slash command's arguments may start with the person ("book Alex ...").
    """
    args: dict[str, Any] = {}
    reason = _REASON.search(text)
    head = text[: reason.start()] if reason else text
    if reason:
        args["reason"] = reason.group(1).strip().rstrip(".")
    elif intent == "cancel":
        said = _SAID_REASON.search(text)
        if said:
            args["reason"] = said.group(1).strip().rstrip(".")
            head = (text[: said.start()] + " " + text[said.end() :]).strip()
    sm = _SESSION.search(head)
    if sm:
        args["session_id"] = int(sm.group(1))
    person = _person(head)
    if person is None and leading_name:
        lead = re.match(_NAME, head.strip())
        if lead and lead.group(1).split()[0].lower() not in _NOT_NAMES | _DAY_WORDS:
            person = lead.group(1)
    if person:
        args["person"] = person
    if intent in ("book", "rearrange"):
        when = parse_when(head, now, tz_name)
        if when.unclear:
            args["date_unclear"] = True
            args["date_problem"] = when.problem
        if when.at is not None:
            args["time"] = when.at
        shift = _SHIFT.search(head)
        if intent == "rearrange" and shift and when.day is None:
            n = _COUNTS.get(shift.group(1).lower()) or int(shift.group(1))
            days = n * (7 if shift.group(2).lower().startswith("week") else 1)
            args["shift_days"] = -days if _EARLIER.search(head) else days
        if when.day is not None:
            args["day"] = when.day
        instant = when.instant(tz_name)
        if instant is not None:
            args["when"] = instant
    if intent == "plan":
        mm = _MONTHS.search(text)
        if mm:
            raw = mm.group(1).lower()
            args["months"] = min(12, _NUMBERS.get(raw) or int(raw))
    if intent == "cadence":
        why = _WHY.search(text)
        if why and why.group(1).strip():
            args["topic"] = why.group(1).strip().rstrip("?")
    return args


def classify(text: str) -> str:
    """The intent id `text` means, or "fallback"."""
    norm = normalise(text)
    if not norm:
        return "help"
    for intent in INTENTS:
        if intent.matches(norm):
            return intent.id
    return FALLBACK


def parse(text: str, now: datetime, tz_name: str) -> tuple[str, dict[str, Any]]:
    """The intent and arguments of a free-text message."""
    intent = classify(text)
    return intent, extract_args(intent, text, now, tz_name)


def parse_command(text: str, now: datetime, tz_name: str) -> tuple[str, dict[str, Any]]:
    """A slash command's text: "<subcommand> [arguments]", or free text when no subcommand."""
    first, _, rest = text.strip().partition(" ")
    intent = BY_SUBCOMMAND.get(first.lower())
    if intent is None:
        return parse(text, now, tz_name)
    return intent.id, extract_args(intent.id, rest, now, tz_name, leading_name=True)
