"""Handlers are platform-neutral: no module under handlers/ imports a chat SDK or an adapter.

policy/ and storage/ sit below the handlers and are held to the same rule.

The source is parsed (not imported), so an import inside a function or behind
`if TYPE_CHECKING:` is caught as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Chat SDKs and the adapters built on them; handlers return plain Reply data instead.
FORBIDDEN = (
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "bot.slack",
    "bot.teams",
    "bot.render_slack",
    "bot.render_teams",
)


def imported_modules(source: str, filename: str = "<source>") -> set[str]:
    """Every module a piece of Python source imports, at any depth, as dotted names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value))
    return found


def forbidden(modules: set[str]) -> set[str]:
    return {m for m in modules for f in FORBIDDEN if m == f or m.startswith(f + ".")}


NEUTRAL = ("handlers", "policy", "storage")


def handler_files() -> list[Path]:
    return sorted(p for layer in NEUTRAL for p in (ROOT / layer).rglob("*.py"))


def test_there_are_handler_modules_to_check() -> None:
    files = handler_files()
    assert ROOT / "handlers" / "replies.py" in files
    assert len([p for p in files if p.is_relative_to(ROOT / "handlers")]) > 10


@pytest.mark.parametrize("path", handler_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_handler_module_imports_no_chat_sdk(path: Path) -> None:
    bad = forbidden(imported_modules(path.read_text(encoding="utf-8"), str(path)))
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_check_catches_every_form_of_import() -> None:
    source = """
import slack_sdk
from slack_bolt import App
import slack_sdk.web as web
from bot.render_slack import messages
def later():
    from slack_sdk.errors import SlackApiError
    import importlib
    importlib.import_module("slack_bolt.adapter")
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from bot.teams.app import TeamsApp
import slackish
from bot.clock import Clock
"""
    assert forbidden(imported_modules(source)) == {
        "slack_sdk",
        "slack_bolt",
        "slack_bolt.App",
        "slack_sdk.web",
        "bot.render_slack",
        "bot.render_slack.messages",
        "slack_sdk.errors",
        "slack_sdk.errors.SlackApiError",
        "slack_bolt.adapter",
        "bot.teams.app",
        "bot.teams.app.TeamsApp",
    }
