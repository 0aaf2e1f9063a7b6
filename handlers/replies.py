"""The platform-neutral reply: what a handler or the engine says, before any adapter renders it.

Adapters turn a `Reply` into Block Kit (Slack), an Adaptive Card (Teams) or
console text. Nothing here knows about a chat platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Fact:
    """A labelled value, e.g. ("Next due", "Tue 14 Apr 2026")."""

    label: str
    value: str


@dataclass(frozen=True)
class Table:
    """Rows of cells under column headings; adapters paginate long tables."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str | None = None


@dataclass(frozen=True)
class Button:
    """An action the reader can take.

    `action` is a registered action id (see handlers' action registry); `value`
    carries its arguments (e.g. a session id) as a short string.
    """

    label: str
    action: str
    value: str = ""
    style: str | None = None  # "primary" | "danger" | None


@dataclass(frozen=True)
class FormField:
    """One input of a form."""

    name: str
    label: str
    kind: str = "text"  # text | multiline | date | time | datetime | choice
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    initial: str | None = None
    hint: str | None = None
    error: str | None = None  # why the last submission was refused, shown beside the field


@dataclass(frozen=True)
class Form:
    """A form the reader fills in (Slack modal, Adaptive Card inputs, console prompts)."""

    title: str
    submit_action: str
    fields: tuple[FormField, ...]
    value: str = ""
    submit_label: str = "Submit"


@dataclass(frozen=True)
class Citation:
    """The policy source behind an answer."""

    document: str
    section: str
    quote: str


@dataclass
class Reply:
    """What the bot says: plain text first (always readable alone), then structured parts."""

    text: str
    facts: list[Fact] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    form: Form | None = None
    citations: list[Citation] = field(default_factory=list)
    ephemeral: bool = False
    # False when the handler refused or found nothing to act on (the command line exits 1).
    ok: bool = True

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (stored in the outbox payload)."""
        from dataclasses import asdict

        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        form = data.get("form")
        return cls(
            text=data["text"],
            facts=[Fact(**f) for f in data.get("facts", [])],
            tables=[
                Table(
                    columns=tuple(t["columns"]),
                    rows=tuple(tuple(r) for r in t["rows"]),
                    title=t.get("title"),
                )
                for t in data.get("tables", [])
            ],
            buttons=[Button(**b) for b in data.get("buttons", [])],
            form=form_from_json(form) if form else None,
            citations=[Citation(**c) for c in data.get("citations", [])],
            ephemeral=data.get("ephemeral", False),
            ok=data.get("ok", True),
        )


def form_from_json(form: dict[str, Any]) -> Form:
    """A `Form` from its JSON (`asdict`) form."""
    return Form(
        title=form["title"],
        submit_action=form["submit_action"],
        fields=tuple(
            FormField(**{**f, "choices": tuple(tuple(c) for c in f.get("choices", ()))})
            for f in form["fields"]
        ),
        value=form.get("value", ""),
        submit_label=form.get("submit_label", "Submit"),
    )


def refused(form: Form, values: dict[str, str], errors: dict[str, str]) -> Form:
    """`form` again with the values just submitted and, beside each field, why it was refused."""
    return replace(
        form,
        fields=tuple(
            replace(f, initial=values.get(f.name) or f.initial, error=errors.get(f.name))
            for f in form.fields
        ),
    )
