"""What a request to record an action says: the action, who is to do it, and by when.

"add an action for Lucy to call the school by Friday" -> "Call the school", owner
"Lucy", due Friday. Read only to fill in the agreed-action form, which the person still
checks and saves, so a phrase not understood simply leaves its field empty. Days are read
by `handlers.chat.dates` (the same reader as bookings); owners are "me", "you" or one of
`names` (the people the asker could mean), never a guess at any capitalised word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from handlers.chat.dates import UNKNOWN_DAY, parse_when

_ACTION = re.compile(r"\bactions?\b(?:\s+(?:point|item)s?)?", re.IGNORECASE)
_CUES = r"due(?:\s+(?:by|on))?|by|no later than|on or before|before|within|in|on"
_DUE = re.compile(
    rf"(?:^|(?<=[\s,;(]))(?:(?P<cue>{_CUES})\s+|(?=(?:today|tomorrow|(?:next|this)\s+\w+)"
    r"[\s.!?]*$))",
    re.IGNORECASE,
)
_CUE_LEFT = re.compile(rf"[\s,;(]*\b(?P<cue>{_CUES})$", re.IGNORECASE)  # "by" + a bare "next"
_LEAD = re.compile(r"^(?:that|is|was|we agreed|agreed|[:,;–—-])\s*", re.IGNORECASE)
_DOES = (
    r"(?:'ll|\s+(?:will|to|is to|are to|needs? to|should|must|(?:has |have )?agreed to"
    r"|is going to|are going to))\s+"
)
MAX_DUE_WORDS = 6  # a longer tail after "by" is more of the action, not a date


@dataclass(frozen=True)
class ActionWords:
    """What the request said; None where it said nothing (or nothing understood)."""

    what: str | None = None
    due: date | None = None
    due_problem: str | None = None  # a due date written but not understood, for the person
    owner: str | None = None  # "me", "you", or a name as in `names`
    supervision_of: str | None = None  # a name, from "for Lucy's supervision"


def _due(text: str, now: datetime, tz_name: str) -> tuple[date | None, str | None, str]:
    """(due day, problem, text without the due phrase), trying the last "by ..." first."""
    for m in reversed(list(_DUE.finditer(text))):
        tail = text[m.end() :].strip(" .!?")
        if not tail or len(tail.split()) > MAX_DUE_WORDS:
            continue
        head = text[: m.start()].rstrip(" ,;(")
        left = None if m.group("cue") else _CUE_LEFT.search(head)
        if left is not None:  # "by next Friday": the bare "next Friday" matched after "by"
            head = head[: left.start()]
        cue = (m.group("cue") or (left.group("cue") if left else "")).lower()
        said = f"in {tail}" if cue in ("in", "within") else tail
        when = parse_when(said, now, tz_name)
        if when.day is None and not (when.unclear and when.problem != UNKNOWN_DAY):
            continue
        if when.day is None:
            return None, when.problem, head
        due = when.day - timedelta(days=1) if cue == "before" else when.day
        return due, None, head
    return None, None, text


def _owner(text: str, names: Sequence[str]) -> tuple[str | None, str | None, str]:
    """(owner, whose supervision, the rest) from "for me to ...", "Jo will ...", "for Jo's"."""
    known = sorted({n for n in names if n.strip()}, key=len, reverse=True)
    who = "|".join(["me", "myself", "you", "yourself", "i", *(re.escape(n) for n in known)])
    flags = re.IGNORECASE
    m = re.match(rf"for\s+(?P<who>{'|'.join(re.escape(n) for n in known) or '(?!)'})'s"
                 r"(?:\s+supervision)?\b[\s:,–—-]*", text, flags)  # fmt: skip
    if m:
        return None, m.group("who"), text[m.end() :]
    m = re.match(rf"for\s+(?P<who>{who})\b(?:\s*[:,–—-]\s*|\s+to\s+|\s*$)", text, flags)
    if m is None:
        m = re.match(rf"(?P<who>{who})\b{_DOES}", text, flags)
    if m is None:
        return None, None, text
    word = m.group("who")
    plain = word.lower()
    owner = "me" if plain in ("me", "myself", "i") else "you" if plain.startswith("you") else word
    return owner, None, text[m.end() :]


def read_action(text: str, now: datetime, tz_name: str, names: Sequence[str] = ()) -> ActionWords:
    """The action, owner and due day a request names (`now` and `tz_name` resolve "Friday")."""
    found = _ACTION.search(text)
    rest = text[found.end() :] if found else text
    due, problem, rest = _due(rest.strip(), now, tz_name)
    rest = _LEAD.sub("", rest.strip())
    owner, supervision_of, rest = _owner(rest.strip(), names)
    rest = re.sub(r"^to\s+", "", rest.strip(" :,;.–—-"), flags=re.IGNORECASE).strip()
    what = rest[:1].upper() + rest[1:] if rest else None
    return ActionWords(what, due, problem, owner, supervision_of)
