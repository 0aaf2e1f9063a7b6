"""Load and validate pack files; every problem becomes a message with its path in the file."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from policy.errors import PolicyError
from policy.model import PolicyPack

PACKS_DIR = Path(__file__).resolve().parent / "packs"


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (the second would win)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"'{key}' is given twice (lines {seen[key]} and {line})",
                    key_node.start_mark,
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def available_packs() -> list[str]:
    """Names of the built-in packs, e.g. ['darlington', 'lancashire', 'leeds', ...]."""
    return sorted(p.stem for p in PACKS_DIR.glob("*.yaml"))


def _loc(parts: tuple[int | str, ...]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _line_index(text: str) -> dict[tuple[int | str, ...], int]:
    """Map each path in the YAML document to its 1-based line number."""
    lines: dict[tuple[int | str, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines

    inside: set[int] = set()  # nodes on the current path: an alias may point back up

    def walk(node: yaml.Node | None, path: tuple[int | str, ...]) -> None:
        if node is None or id(node) in inside:
            return
        inside.add(id(node))
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = (*path, str(key.value))
                lines[sub] = key.start_mark.line + 1
                walk(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))
        inside.discard(id(node))

    walk(root, ())
    return lines


def _parts(path: str) -> list[int | str]:
    """'nqsw.phases[1].until' -> ['nqsw', 'phases', 1, 'until']."""
    parts: list[int | str] = []
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return parts


def _message(err: Any) -> str:
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if err["type"] == "extra_forbidden":
        return "unknown field (check the spelling; see `policy show leeds` for the fields)"
    if err["type"] == "missing":
        return "required field is missing"
    return msg


def problems_of(data: Any, text: str | None = None) -> list[str]:
    """Validation problems of already-parsed pack data, each 'path (line N): message'."""
    lines = _line_index(text) if text is not None else {}
    try:
        PolicyPack.model_validate(data)
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
            msg = _message(err)
            if msg.startswith("@") and ": " in msg:
                # Validators name the exact place below their own location: "@phases[1].until: ..."
                rest, msg = msg[1:].split(": ", 1)
                loc = (*loc, *_parts(rest))
            line = _nearest_line(lines, loc)
            where = f"{_loc(loc)} (line {line})" if line else _loc(loc)
            out.append(f"{where}: {msg}")
        return out
    return []


def _nearest_line(lines: dict[tuple[int | str, ...], int], loc: tuple[int | str, ...]) -> int:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return 0


def _self_alias(text: str) -> str:
    """Where an alias points back into the mapping or list that contains it."""
    open_anchors: list[str | None] = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            open_anchors.append(event.anchor)
        elif isinstance(event, yaml.CollectionEndEvent):
            open_anchors.pop()
        elif isinstance(event, yaml.AliasEvent) and event.anchor in open_anchors:
            line = event.start_mark.line + 1 if event.start_mark else 0
            return f"line {line}: the alias *{event.anchor} refers back to a part that contains it"
    return "a YAML alias refers back to a part that contains it"


def parse_text(text: str, origin: str) -> PolicyPack:
    """Validate pack YAML text; PolicyError lists every problem with its path."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PolicyError(f"{origin}: not valid YAML{where}: {problem}",
                          [f"line {mark.line + 1}: {problem}" if mark else str(problem)]) from None
    if not isinstance(data, dict):
        raise PolicyError(f"{origin}: a policy pack must be a mapping of fields (name, roles, ...)",
                          ["(top level): expected a mapping"])
    try:
        problems = problems_of(data, text)
    except RecursionError:
        problem = _self_alias(text)
        raise PolicyError(f"{origin}: {problem}; copy the values instead", [problem]) from None
    if problems:
        head = f"{origin}: {len(problems)} problem(s) in the policy pack"
        raise PolicyError(head + "\n" + "\n".join(f"  - {p}" for p in problems), problems)
    return PolicyPack.model_validate(data)


def load_path(path: Path) -> PolicyPack:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"policy pack file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"cannot read policy pack {path}: {exc}") from None
    return parse_text(text, str(path))


@lru_cache(maxsize=16)
def _builtin(name: str) -> PolicyPack:
    return load_path(PACKS_DIR / f"{name}.yaml")


def load_pack(ref: str) -> PolicyPack:
    """A built-in pack by name ('leeds') or a pack file by path ('my/pack.yaml')."""
    ref = ref.strip()
    if ref in available_packs():
        return _builtin(ref)
    path = Path(ref).expanduser()
    if path.suffix in (".yaml", ".yml") or path.exists() or "/" in ref:
        if path.is_dir():
            raise PolicyError(f"{ref} is a folder; give a pack .yaml file or a pack name")
        return load_path(path)
    names = ", ".join(available_packs())
    raise PolicyError(
        f"no policy pack called {ref!r}. Built-in packs: {names}; or give the path to a .yaml file"
    )
