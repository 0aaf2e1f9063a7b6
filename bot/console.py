"""The console adapter: the same chat handlers and access rules, in a terminal.

`ask` answers one question; `chat` is a conversation where buttons become
numbered choices and forms are asked field by field.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from bot.render_text import choices, render_text
from handlers.chat.dispatch import ChatService
from handlers.replies import Form, Reply

Ask = Callable[[str], str]
Say = Callable[[str], None]

QUIT = {"quit", "exit", "bye", "q"}
INTRO = (
    'Ask me about your supervision ("help" lists what I can do). Type a number to press a '
    'button, "home" for your overview, "quit" to leave.'
)


FORM_CLOSED = "Form closed; nothing changed."


def echoing(ask: Ask, say: Say) -> Ask:
    """`ask` that shows each answer read: piped input is not echoed, so prompts would run into
    the next output on one line."""

    def read(prompt: str) -> str:
        line = ask(prompt)
        say(line)
        return line

    return read


def fill_form(form: Form, ask: Ask, say: Say) -> dict[str, str] | None:
    """Ask each field in turn; None when the person cancels with an empty required answer."""
    say(f"{form.title} (leave a required field empty to cancel)")
    values: dict[str, str] = {}
    for field in form.fields:
        hint = {"date": " (YYYY-MM-DD)", "time": " (HH:MM)", "datetime": " (YYYY-MM-DD HH:MM)"}
        prompt = f"{field.label}{hint.get(field.kind, '')}"
        if field.kind == "choice":
            for i, (_, label) in enumerate(field.choices, start=1):
                say(f"  [{i}] {label}")
        if field.initial:
            prompt += f" [{_label(field, field.initial)}]"
        try:
            answer = ask(prompt + ": ").strip() or (field.initial or "")
        except EOFError:
            say(FORM_CLOSED + " (No more input.)")
            return None
        if field.kind == "choice" and answer.isdigit():
            index = int(answer) - 1
            answer = field.choices[index][0] if 0 <= index < len(field.choices) else ""
        if not answer and field.required:
            say(FORM_CLOSED)
            return None
        values[field.name] = answer
    return values


def _label(field: Any, value: str) -> str:
    return next((label for v, label in field.choices if v == value), value)


def describe_form(form: Form) -> str:
    """A form as text, for a reader who cannot be asked (input is piped, not a terminal)."""
    hint = {"date": "YYYY-MM-DD", "time": "HH:MM", "datetime": "YYYY-MM-DD HH:MM"}
    lines = [f"{form.title}: this needs a form, which `supervision-bot chat` asks field by field."]
    for field in form.fields:
        notes = [hint[field.kind]] if field.kind in hint else []
        if field.choices:
            notes.append("one of: " + ", ".join(label for _, label in field.choices))
        if not field.required:
            notes.append("optional")
        if field.initial:
            notes.append(f"now: {_label(field, field.initial)}")
        lines.append(f"  - {field.label}" + (f" ({'; '.join(notes)})" if notes else ""))
    return "\n".join(lines)


def follow(
    service: ChatService,
    person_id: str,
    reply: Reply,
    ask: Ask,
    say: Say,
    interactive: bool | None = None,
) -> Reply:
    """Show a reply; when it carries a form, fill it in and show the outcome.

    Forms are asked only when `interactive` (default: stdin is a terminal); otherwise
    piped input is left alone and the form is printed with its fields.
    """
    if interactive is None:
        interactive = sys.stdin.isatty()
    if reply.form is not None and not interactive:
        say(render_text(reply))
        say(describe_form(reply.form))
        return Reply(text="")
    while reply.form is not None:
        say(render_text(reply))
        values = fill_form(reply.form, ask, say)
        if values is None:
            return Reply(text="")
        reply = service.action(person_id, reply.form.submit_action, reply.form.value, values)
    return reply


def run_chat(service: ChatService, person_id: str, ask: Ask, say: Say) -> None:
    """An interactive conversation until "quit" or end of input."""
    if not sys.stdin.isatty():
        ask = echoing(ask, say)
    say(INTRO)
    last: Reply | None = None
    while True:
        try:
            line = ask("> ").strip()
        except EOFError:
            return
        if line.lower() in QUIT:
            return
        if not line:
            continue
        if line.isdigit() and last is not None:
            buttons = choices(last)
            index = int(line) - 1
            if not 0 <= index < len(buttons):
                say(f"Choose a number from 1 to {len(buttons)}." if buttons else "No choices now.")
                continue
            reply = service.action(person_id, buttons[index].action, buttons[index].value)
        elif line.lower() == "home":
            reply = service.home(person_id)
        else:
            reply = service.text(person_id, line)
        reply = follow(service, person_id, reply, ask, say, interactive=True)
        if reply.text:
            say(render_text(reply))
        last = reply
