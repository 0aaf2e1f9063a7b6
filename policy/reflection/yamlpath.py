"""Read YAML for a person: syntax errors and validation errors name the place in the file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError


class FileProblem(Exception):
    """A policy data file that cannot be used; str(e) is a message for people."""


def read_yaml(
    path: Path, error: type[FileProblem] = FileProblem
) -> tuple[Any, yaml.Node | None]:
    """The parsed document and its node tree (for line numbers); raises `error` for people."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot be read ({exc})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{path}:{where}: not valid YAML ({problem})") from None
    return data, node


def line_of(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the value at `loc` (pydantic's error location) in the YAML tree."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if found is None:
                break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


def describe(loc: Sequence[int | str], data: Any) -> str:
    """`questions[3] (id 'exp-01').functions[0]` for a pydantic location."""
    out = ""
    cursor = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            cursor = cursor[part] if isinstance(cursor, list) and part < len(cursor) else None
            if isinstance(cursor, dict) and "id" in cursor:
                out += f" (id '{cursor['id']}')"
        else:
            out += f".{part}" if out else part
            cursor = cursor.get(part) if isinstance(cursor, dict) else None
    return out or "(top level)"


# Pydantic's tags for union members and validators are not places in the file.
_NOT_A_PLACE = ("DocumentSource", "str", "function-after", "function-before", "literal")


def validation_messages(
    path: Path, exc: ValidationError, data: Any, node: yaml.Node | None
) -> list[str]:
    """One line per problem: file, line, place and what is wrong."""
    messages: list[str] = []
    seen: set[str] = set()
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith(_NOT_A_PLACE))]
        msg = err["msg"].removeprefix("Value error, ")
        if "source" in loc:
            loc = loc[: loc.index("source") + 1]
            msg = (
                "must be {document, section, use: quoted|adapted} or a sentence starting "
                "'written for supervision-bot in the spirit of ...'"
            )
        if err["type"] == "extra_forbidden":
            msg = "is not a field this file understands (check the spelling)"
        where = describe(loc, data)
        if where in seen:
            continue
        seen.add(where)
        line = line_of(node, loc)
        at = f" line {line}:" if line else ":"
        messages.append(f"{path}:{at} {where}: {msg}")
    return messages
