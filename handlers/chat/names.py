"""Which person a message names: a known name in any case, else a capitalised name after a cue.

`known` is the full names of the people the asker may name (the dispatcher passes them in),
so "book kwame on friday" finds Kwame Mensah; without it (or when none is mentioned)
patterns read a capitalised name after "with", "for", "about"... Day and month words are
never names ("the 3rd of January" is a date, not a person).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

CALENDAR = {
    *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    *("mon", "tue", "tues", "wed", "weds", "thu", "thur", "thurs", "fri", "sat", "sun"),
    *("january", "february", "march", "april", "may", "june", "july", "august"),
    *("september", "october", "november", "december"),
    *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
    *("today", "tomorrow", "tonight", "yesterday", "week", "month", "christmas", "noon"),
}
NOT_NAMES = CALENDAR | {
    *("i", "me", "my", "myself", "you", "we", "us", "our", "him", "her", "them", "the", "a"),
    *("an", "it", "this", "that", "on", "at", "in", "for", "about", "is", "supervision"),
    *("session", "supervisor", "team", "record", "records", "next", "every", "everyone"),
    *("each", "all", "anyone", "someone", "slack", "policy", "sick", "annual", "leave"),
    *("why", "what", "who", "when", "how", "please", "so", "to", "as", "because", "and"),
    *("my", "am", "pm", "half", "past", "last", "first", "one", "new", "court", "training"),
}
# Words that are also first names or surnames: matched only after a cue ("with Mark").
_COMMON = {
    *("mark", "will", "may", "grace", "hope", "rose", "price", "stone", "cole", "hall", "bell"),
    *("green", "brown", "young", "king", "page", "long", "rich", "frank", "bill", "joy"),
    *("faith", "dawn", "summer", "holly", "ivy", "amber", "jack", "rob", "ray", "chase", "grant"),
}
_STRONG_CUES = {"with", "for", "about", "book", "see", "meet", "seeing", "meeting"}
_CUE = (
    r"(?:with|for|about|of|book|see|meet|seeing|meeting|sent|send|emailed|and|is|has|does"
    r"|did|was|should|supervises|supervising|to)"
)
_WITH_CUES = {"with", "see", "meet", "seeing", "meeting"}
_NAME = r"([A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*)?)"
_CAP = r"([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?)"
_PATTERNS = [
    re.compile(rf"\b(?i:with|see|meet|seeing|meeting)\s+{_NAME}"),
    re.compile(rf"\b(?:for|about|of)\s+{_CAP}"),
    re.compile(r"\b([A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)['’]s\b"),
    re.compile(
        r"\b(?:is|has|does|did|was|will|should|must|can|could)\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)"
        r"\s+(?:overdue|due|up|behind|have|had|get|got|been|on|next|late|supervised|prepared)\b"
    ),
    re.compile(rf"\b(?i:book)\s+{_CAP}"),
    re.compile(rf"\bwho supervises\s+{_CAP}"),
    re.compile(rf"\bwhen is\s+{_CAP}\s+(?:due|next)\b"),
]


@dataclass(frozen=True)
class Named:
    """A name as found, and whether it followed "with"/"see"/"meet" (one's session with them)."""

    name: str
    with_cue: bool = False


def _cue_before(text: str, start: int) -> str | None:
    m = re.search(rf"\b({_CUE})\s+$", text[:start], re.IGNORECASE)
    return m.group(1).lower() if m else None


def _known(text: str, known: Sequence[str]) -> Named | None:
    """The earliest known name in `text`: a full name in any case, else one word of a name."""
    plain = text.replace("’", "'")
    hits: list[tuple[int, int, Named]] = []
    for full in known:
        if len(full.split()) < 2:
            continue
        for m in re.finditer(rf"(?<![\w-]){re.escape(full)}(?![\w-])", plain, re.IGNORECASE):
            cue = _cue_before(plain, m.start())
            hits.append((m.start(), -len(full), Named(full, cue in _WITH_CUES)))
    if hits:
        return min(hits, key=lambda h: (h[0], h[1]))[2]
    words = {w for full in known for w in full.split() if len(w) > 1}
    for word in sorted(words, key=len, reverse=True):
        if word.lower() in NOT_NAMES:
            continue
        for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", plain, re.IGNORECASE):
            typed = m.group(0)
            cue = _cue_before(plain, m.start())
            possessive = plain[m.end() : m.end() + 2] == "'s"
            capital = typed[0].isupper()
            first = not plain[: m.start()].strip()
            plausible = cue is not None or possessive or (capital and not first)
            if capital and first and word.lower() not in _COMMON:
                plausible = True
            if word.lower() in _COMMON and cue not in _STRONG_CUES and not (possessive and capital):
                plausible = False
            if plausible:
                hits.append((m.start(), 0, Named(word, cue in _WITH_CUES)))
                break
    return min(hits, key=lambda h: h[0])[2] if hits else None


def _by_pattern(text: str) -> Named | None:
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            words = m.group(1).split()
            while len(words) > 1 and (words[-1].lower() in NOT_NAMES or not words[-1][0].isupper()):
                words.pop()
            name = re.sub(r"['’]s$", "", " ".join(words))
            if name and name.lower() not in NOT_NAMES and not name[0].isdigit():
                cue = _cue_before(text, m.start(1))
                return Named(name, cue in _WITH_CUES)
    return None


def person(text: str, known: Sequence[str] = ()) -> Named | None:
    """The person `text` names, if any."""
    return _known(text, known) or _by_pattern(text)


def leading(text: str, known: Sequence[str] = ()) -> str | None:
    """A name at the start of a slash command's arguments ("Sam Tuesday 2pm" -> "Sam")."""
    found = _known(text, known)
    if found is not None and text.lower().lstrip().startswith(found.name.lower()):
        return found.name
    lead = re.match(_NAME, text.strip())
    if lead is None:
        return None
    words = lead.group(1).split()
    while words and words[-1].lower().rstrip(",") in NOT_NAMES:
        words.pop()
    return " ".join(words) or None
