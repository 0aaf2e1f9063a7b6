"""Every button (and form) action id used anywhere in handlers/ is in the chat action registry.

Read from the source, so a new Button in any handler (the engine's reminders included)
fails here until the chat registry knows what pressing it does.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from handlers.chat import buttons
from handlers.chat.dispatch import ChatService
from handlers.reminders import candidate

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"


def _module_name(path: Path) -> str:
    rel = path.relative_to(HANDLERS.parent).with_suffix("")
    return ".".join(rel.parts)


def _ids_used() -> dict[str, str]:
    """Action id -> where it is used: Button(label, ACTION, ...) and Form(title, SUBMIT, ...)."""
    found: dict[str, str] = {}
    for path in sorted(HANDLERS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = None
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in ("Button", "Form"):
                continue
            kw = "action" if node.func.id == "Button" else "submit_action"
            arg = next((k.value for k in node.keywords if k.arg == kw), None)
            if arg is None and len(node.args) > 1:
                arg = node.args[1]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found[arg.value] = f"{path.name}:{node.lineno}"
            elif isinstance(arg, ast.Name):
                module = module or importlib.import_module(_module_name(path))
                value = getattr(module, arg.id, None)  # None: a parameter, checked at its callers
                if isinstance(value, str):
                    found[value] = f"{path.name}:{node.lineno}"
    return found


def test_every_action_id_used_in_handlers_is_registered() -> None:
    used = _ids_used()
    assert {"session_held", "record_sign", "prep_read", "book_submit"} <= set(used)
    missing = {a: where for a, where in used.items() if a not in buttons.BY_ID}
    assert missing == {}


def test_the_engines_action_constants_are_registered() -> None:
    engine_ids = {
        value
        for name, value in vars(candidate).items()
        # ACTION_REMINDER is a message kind (a reminder about an agreed action), not a button.
        if name.startswith("ACTION_") and name != "ACTION_REMINDER" and isinstance(value, str)
    }
    assert "session_held" in engine_ids
    assert engine_ids <= set(buttons.BY_ID)
    assert set(buttons.ENGINE_ACTIONS) <= set(buttons.BY_ID)
    assert "book_session" in buttons.BY_ID  # engine messages sent before it was renamed


def test_book_session_opens_the_booking_form(chat: ChatService) -> None:
    r = chat.action("tm1", "book_session", "sw2")
    assert r.form is not None and r.form.submit_action == "book_submit"
    assert r.form.fields[0].initial == "sw2"
    assert chat.action("tm1", "book_session", "sw3").text.startswith("Sorry, I can't help")
