"""The children's-details check every note passes before it is saved (Leeds 2023 s4.13)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from handlers.reflect.common import CONFIRM_FIELD, LEEDS_413
from handlers.replies import Form, FormField, Reply, Table
from policy.reflection.child_details import ChildDetailPatterns, Flag

CONFIRM_CHOICES = (
    ("check", "I have edited my answers: check them again"),
    ("save", "Save as written: nothing here identifies a child"),
)


def find_flags(
    patterns: ChildDetailPatterns, answers: Mapping[str, str], today: date
) -> list[tuple[str, Flag]]:
    """(field name, flag) for every answer that looks like it identifies a child."""
    return [(name, flag) for name, text in answers.items() for flag in patterns.find(text, today)]


def confirmed(values: Mapping[str, Any]) -> bool:
    """Whether the person explicitly chose to save despite the warning."""
    return str(values.get(CONFIRM_FIELD) or "").strip().lower() == "save"


def warning_reply(
    flags: list[tuple[str, Flag]], form: Form, answers: Mapping[str, str], labels: Mapping[str, str]
) -> Reply:
    """The warning with the flagged snippets and the same form, filled in, to edit or confirm."""
    lines = [
        f"• {labels.get(name, name)}: “{flag.snippet}” looks like {flag.label}."
        for name, flag in flags
    ]
    kept = tuple(
        replace(f, initial=answers.get(f.name, f.initial))
        for f in form.fields
        if f.name != CONFIRM_FIELD
    )
    fields = (
        *kept,
        FormField(
            name=CONFIRM_FIELD,
            label="Children's details",
            kind="choice",
            required=True,
            choices=CONFIRM_CHOICES,
            initial="check",
        ),
    )
    text = (
        "Nothing is saved yet. Some of what you wrote looks like it could identify a child, "
        "and children's details don't belong in personal supervision notes: they belong on "
        "the child's own record.\n" + "\n".join(lines) + "\nEdit your answers, or choose "
        "“Save as written” if nothing here identifies a child."
    )
    table = Table(
        columns=("Answer", "Looks like", "Text"),
        rows=tuple((labels.get(n, n), f.label, f.snippet) for n, f in flags),
        title="Possible children's details",
    )
    return Reply(
        text=text,
        tables=[table],
        form=replace(form, fields=fields, title="Check before saving"),
        citations=[LEEDS_413],
        ephemeral=True,
    )
