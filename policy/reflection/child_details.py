"""Spot text that looks like it identifies a child, before it is saved in a personal note.

Leeds 2023 s4.13: "Children's information should not be included in records of
personal supervision." The patterns are data (child_details.yaml); an organisation
can add its own or switch the built-in ones off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from policy.reflection.yamlpath import FileProblem, read_yaml, validation_messages

DEFAULT_PATTERNS = Path(__file__).resolve().parent / "child_details.yaml"

_NHS_CANDIDATE = re.compile(r"(?<![\d-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d-])")
# Numeric day/month/year only: "3/4" and "14 May" have no year and never match.
_FULL_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-])")


class ChildPatternsError(FileProblem):
    """A child-details pattern file that cannot be used; str(e) is for people."""


class PatternSpec(BaseModel):
    """One pattern as written in the YAML file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9_]{1,64}$")
    label: str = Field(min_length=3, max_length=200)
    kind: Literal["regex", "nhs_number", "past_full_date"]
    regex: str | None = None
    ignore_case: bool = False
    verbose: bool = False
    min_days_ago: int = Field(default=366, ge=0)

    @model_validator(mode="after")
    def _regex_compiles(self) -> PatternSpec:
        if self.kind != "regex":
            return self
        if not self.regex:
            raise ValueError("a pattern of kind 'regex' needs `regex`")
        try:
            compiled = re.compile(self.regex, self.flags)
        except re.error as exc:
            raise ValueError(f"`regex` is not a valid regular expression ({exc})") from None
        if compiled.fullmatch(""):
            raise ValueError("`regex` matches empty text, so it would flag everything")
        return self

    @property
    def flags(self) -> re.RegexFlag:
        flags = re.RegexFlag(0)
        if self.ignore_case:
            flags |= re.IGNORECASE
        if self.verbose:
            flags |= re.VERBOSE
        return flags


class PatternFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: Literal[1]
    include_default: bool = False
    disable: tuple[str, ...] = ()
    patterns: tuple[PatternSpec, ...] = ()


@dataclass(frozen=True)
class Flag:
    """A piece of text that looks like a child's details."""

    pattern_id: str
    label: str
    snippet: str
    start: int
    end: int


@dataclass(frozen=True)
class ChildDetailPatterns:
    """The patterns in force for an organisation."""

    specs: tuple[PatternSpec, ...]

    def find(self, text: str, today: date) -> list[Flag]:
        """Every match in `text`, in order; overlapping matches reported once."""
        found: list[Flag] = []
        for spec in self.specs:
            found.extend(_matches(spec, text, today))
        found.sort(key=lambda f: (f.start, -(f.end - f.start)))
        kept: list[Flag] = []
        for flag in found:
            if not kept or flag.start >= kept[-1].end:
                kept.append(flag)
        return kept


def _matches(spec: PatternSpec, text: str, today: date) -> list[Flag]:
    if spec.kind == "regex":
        rx = re.compile(spec.regex or "", spec.flags)
        return [_flag(spec, m.start(), m.end(), text) for m in rx.finditer(text)]
    if spec.kind == "nhs_number":
        return [
            _flag(spec, m.start(), m.end(), text)
            for m in _NHS_CANDIDATE.finditer(text)
            if nhs_checksum_ok(re.sub(r"\D", "", m.group()))
        ]
    out = []
    for m in _FULL_DATE.finditer(text):
        day = _as_date(m.group(1), m.group(3), m.group(4), today)
        if day is not None and (today - day).days >= spec.min_days_ago:
            out.append(_flag(spec, m.start(), m.end(), text))
    return out


def _flag(spec: PatternSpec, start: int, end: int, text: str) -> Flag:
    return Flag(spec.id, spec.label, text[start:end].strip(), start, end)


def _as_date(d: str, m: str, y: str, today: date) -> date | None:
    year = int(y)
    if len(y) == 2:  # 19 -> 2019, 98 -> 1998
        year += 2000 if 2000 + year <= today.year else 1900
    try:
        return date(year, int(m), int(d))
    except ValueError:
        return None


def nhs_checksum_ok(digits: str) -> bool:
    """Whether a 10-digit string passes the NHS number modulus-11 check."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(c) * w for c, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _parse(path: Path) -> PatternFile:
    data, node = read_yaml(path, ChildPatternsError)
    if not isinstance(data, dict):
        raise ChildPatternsError(f"{path}: expected a mapping with `version` and `patterns`")
    try:
        return PatternFile.model_validate(data)
    except ValidationError as exc:
        raise ChildPatternsError("\n".join(validation_messages(path, exc, data, node))) from None


def load_child_patterns(path: str | Path | None = None) -> ChildDetailPatterns:
    """The built-in patterns, or an organisation's file (optionally on top of them)."""
    if path is None:
        return default_child_patterns()
    file = Path(path)
    parsed = _parse(file)
    base = default_child_patterns().specs if parsed.include_default else ()
    known = {s.id for s in base}
    unknown = [d for d in parsed.disable if d not in known]
    if unknown:
        raise ChildPatternsError(
            f"{file}: disable: no built-in pattern called {', '.join(unknown)} "
            f"(built-in: {', '.join(sorted(known)) or 'none: set include_default: true'})"
        )
    specs = [s for s in base if s.id not in parsed.disable] + list(parsed.patterns)
    ids = [s.id for s in specs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ChildPatternsError(f"{file}: pattern ids used more than once: {', '.join(dupes)}")
    return ChildDetailPatterns(tuple(specs))


@lru_cache(maxsize=1)
def default_child_patterns() -> ChildDetailPatterns:
    return ChildDetailPatterns(_parse(DEFAULT_PATTERNS).patterns)
