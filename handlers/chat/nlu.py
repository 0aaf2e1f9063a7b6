"""Rule-based understanding: which intent a message means, and its arguments.

Patterns live with each intent in `handlers.chat.intents`; this module
normalises the text, picks the first matching intent and extracts arguments
(a person's name, when, a reason, a session number, a topic).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from handlers.chat import names
from handlers.chat.dates import UNKNOWN_DAY, parse_when
from handlers.chat.intents import BY_SUBCOMMAND, FALLBACK, INTENTS, MATCH_ORDER

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
_NOTE_NO = re.compile(r"\bnotes?\s*(?:no\.?\s*|number\s+|#)?(\d{1,9})\b|^\s*#?(\d{1,9})\s*$", re.I)
_MONTHS = re.compile(r"\b(\d{1,2}|one|two|three|four|five|six|twelve)\s+months?\b", re.IGNORECASE)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12}
_WHY = re.compile(
    r"\bwhy\b(?:\s+(?:is|are|do|does|should|must)\b)?(?:\s+(?:it|that|this|i|we)\b)?\s*(.*)$",
    re.IGNORECASE,
)


_TO = re.compile(r"\b(?:to|till|until|into)\s+", re.IGNORECASE)
_FROM_MARK = re.compile(
    r"\b(?:session|supervision|meeting|appointment|1:1|one-to-one|catch[- ]?up)s?\s+"
    r"(?:on|for|from)\b|\bfrom\s+|\b\w+day['’]s\b|\b(?:today|tomorrow)['’]s\b",
    re.IGNORECASE,
)
_NEGATED_CANCEL = re.compile(
    r"\b(?:don't|dont|do not|never|no need to|not to|shouldn't|needn't|mustn't|won't)\s+"
    r"(?:please\s+|you\s+|go\s+)?(?:cancel|call off|drop)\b"
)
_ASKS_CANCELLED = re.compile(
    r"^(?:why|how come|when|who|was|were|has|have|did|is|are)\b.*\bcancel(?:l?ed|lation)\b"
)


def normalise(text: str) -> str:
    """Lower case, plain quotes, no trailing punctuation, single spaces."""
    text = text.replace("’", "'").replace("‘", "'").lower()
    text = re.sub(r"[?!.,;]+(\s|$)", r"\1", text)
    return " ".join(text.split())


def _when_args(args: dict[str, Any], part: str, now: datetime, tz_name: str) -> None:
    """The new day and time a booking or rearrangement names, into `args`."""
    when = parse_when(part, now, tz_name)
    if when.unclear:
        args["date_unclear"] = True
        args["date_problem"] = when.problem
    if when.at is not None:
        args["time"] = when.at
    if when.day is not None:
        args["day"] = when.day
    instant = when.instant(tz_name)
    if instant is not None:
        args["when"] = instant


def _from_args(args: dict[str, Any], part: str, now: datetime, tz_name: str) -> None:
    """The day (and time) of the existing session a message means ("my session on the 22nd")."""
    when = parse_when(part, now, tz_name)
    if when.day is not None:
        args["from_day"] = when.day
        if when.at is not None:
            args["from_time"] = when.at
    elif when.unclear and when.problem != UNKNOWN_DAY:
        args["from_problem"] = when.problem


def _split_new_time(head: str, now: datetime, tz_name: str) -> tuple[str, str] | None:
    """A rearrangement's (existing session, new time) parts, split at the last "to <when>"."""
    split = None
    for m in _TO.finditer(head):
        when = parse_when(head[m.end() :], now, tz_name)
        if when.day is not None or when.at is not None or when.unclear:
            split = m
    if split is None:
        return None
    return head[: split.start()], head[split.start() :]


def extract_args(
    intent: str,
    text: str,
    now: datetime,
    tz_name: str,
    *,
    leading_name: bool = False,
    known: Sequence[str] = (),
) -> dict[str, Any]:
    """Arguments of `intent` found in the original (not normalised) `text`.

    `leading_name`: a slash command's arguments may start with the person ("book Alex ...").
    `known`: full names of the people the asker may name, matched in any case.
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
    found = names.person(head, known)
    if found is None and leading_name:
        lead = names.leading(head, known)
        if lead and lead.split()[0].lower() not in names.NOT_NAMES:
            found = names.Named(lead)
    if found:
        args["person"] = found.name
        if found.with_cue:
            args["with_person"] = True
    if intent == "book":
        _when_args(args, head, now, tz_name)
    elif intent == "rearrange":
        parts = _split_new_time(head, now, tz_name)
        if parts is None and _FROM_MARK.search(head):
            _from_args(args, head, now, tz_name)  # "move my session on the 22nd": which, not when
        elif parts is None:
            _when_args(args, head, now, tz_name)
        else:
            _from_args(args, parts[0], now, tz_name)
            _when_args(args, parts[1], now, tz_name)
        shift = _SHIFT.search(head)
        if shift and "day" not in args and "time" not in args:
            n = _COUNTS.get(shift.group(1).lower()) or int(shift.group(1))
            days = n * (7 if shift.group(2).lower().startswith("week") else 1)
            args["shift_days"] = -days if _EARLIER.search(head) else days
    elif intent in ("cancel", "next_session"):
        _from_args(args, head, now, tz_name)
        norm = normalise(text)
        if _NEGATED_CANCEL.search(norm):
            args["kept"] = True
        elif _ASKS_CANCELLED.search(norm):
            args["asked_cancelled"] = True
    if intent in ("edit_note", "delete_notes"):
        nm = _NOTE_NO.search(head)  # "delete note 2"; a slash command's "delete-notes 2"
        if nm:
            args["note_id"] = int(nm.group(1) or nm.group(2))
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


def _by_keywords(norm: str) -> str | None:
    """The one intent whose keywords the text uses most (a tie, or none, is no answer)."""
    words = norm.replace("'s", "").split()
    scores = []
    for intent in INTENTS:
        hits = {k for k in intent.keywords for w in words if w.startswith(k)}
        if hits:
            scores.append((len(hits), intent.id))
    scores.sort(reverse=True)
    if not scores or (len(scores) > 1 and scores[0][0] == scores[1][0]):
        return None
    return scores[0][1]


def classify(text: str) -> str:
    """The intent id `text` means, or "fallback"."""
    norm = normalise(text)
    if not norm:
        return "help"
    if _NEGATED_CANCEL.search(norm) or _ASKS_CANCELLED.search(norm):
        return "next_session"  # "don't cancel my session", "why was it cancelled?": not a cancel
    for intent in MATCH_ORDER:
        if intent.matches(norm):
            return intent.id
    return _by_keywords(norm) or FALLBACK


def parse(
    text: str, now: datetime, tz_name: str, known: Sequence[str] = ()
) -> tuple[str, dict[str, Any]]:
    """The intent and arguments of a free-text message."""
    intent = classify(text)
    return intent, extract_args(intent, text, now, tz_name, known=known)


def parse_command(
    text: str, now: datetime, tz_name: str, known: Sequence[str] = ()
) -> tuple[str, dict[str, Any]]:
    """A slash command's text: "<subcommand> [arguments]", or free text when no subcommand."""
    first, _, rest = text.strip().partition(" ")
    intent = BY_SUBCOMMAND.get(first.lower())
    if intent is None:
        return parse(text, now, tz_name, known)
    return intent.id, extract_args(intent.id, rest, now, tz_name, leading_name=True, known=known)
