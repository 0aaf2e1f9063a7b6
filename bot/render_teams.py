"""Render a neutral `Reply` as Teams messages (Adaptive Cards 1.5), and read card submissions back.

Payload out: `render_messages(reply)` gives Bot Framework message-activity
fragments (plain text, or one Adaptive Card attachment each); long tables are
split over several cards so no card passes Teams' size limit. Payload in:
`read_submission(data)` turns the `data` of an `Action.Submit` / `Action.Execute`
(buttons carry `{"action": id, "value": value}`, form inputs are merged in by
Teams) into a `Submission`. Nothing here decides what to say.

Cards are plain JSON written against the Adaptive Card 1.5 schema (the highest
version Teams renders everywhere); the tests validate every shape against the
official 1.5 JSON schema.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from handlers.replies import Button, Citation, Fact, Form, FormField, Reply, Table

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_TABLE_ROWS = 20  # rows per card; more rows continue in follow-up cards
MAX_CARD_BYTES = 28_000  # Teams rejects message payloads above about 28 KB
MAX_ACTIONS = 6  # Teams shows at most six top-level card actions
RESERVED_INPUT_IDS = frozenset({"action", "value"})
DATE_PART, TIME_PART = "__date", "__time"

_BUTTON_STYLE = {"primary": "positive", "danger": "destructive"}

JSON = dict[str, Any]


@dataclass(frozen=True)
class Submission:
    """What a person pressed or submitted on a card: action id, its value and any form inputs."""

    action: str
    value: str = ""
    form: dict[str, str] = field(default_factory=dict)


def needs_card(reply: Reply) -> bool:
    """Whether the reply has structure beyond its text (facts, tables, buttons, form, citations)."""
    return bool(reply.facts or reply.tables or reply.buttons or reply.form or reply.citations)


def render_messages(reply: Reply) -> list[JSON]:
    """Message-activity fragments for `reply`: text alone, or one or more cards."""
    if not needs_card(reply):
        return [{"type": "message", "text": reply.text, "textFormat": "markdown"}]
    return [card_message(card) for card in render_cards(reply)]


def card_message(card: JSON) -> JSON:
    """A message activity fragment carrying one Adaptive Card."""
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}],
    }


def render_cards(reply: Reply) -> list[JSON]:
    """The Adaptive Cards for `reply`: the first holds text, facts, buttons and form."""
    body: list[JSON] = [_text(reply.text)]
    if reply.facts:
        body.append(_facts(reply.facts))
    overflow: list[JSON] = []
    for table in reply.tables:
        chunks = _table_chunks(table)
        body.extend(chunks[0])
        overflow.extend(_card(chunk, fallback=table.title or "More rows") for chunk in chunks[1:])
    if reply.form is not None:
        body.extend(_form_inputs(reply.form))
    body.extend(_citation(c) for c in reply.citations)
    actions = [_button(b) for b in reply.buttons]
    if reply.form is not None:
        form = reply.form
        actions.insert(0, _submit(form.submit_label, form.submit_action, form.value))
    # Teams shows six actions per set: the rest go in action sets in the body.
    for start in range(MAX_ACTIONS, len(actions), MAX_ACTIONS):
        body.append({"type": "ActionSet", "actions": actions[start : start + MAX_ACTIONS]})
    first = _card(body, fallback=reply.text, actions=actions[:MAX_ACTIONS])
    return [_fit(first), *(_fit(c) for c in overflow)]


def render_single_card(reply: Reply) -> JSON:
    """One card for places that take exactly one (an invoke response replaces the pressed card)."""
    return render_cards(reply)[0]


def _card(body: list[JSON], *, fallback: str, actions: list[JSON] | None = None) -> JSON:
    card: JSON = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "fallbackText": fallback[:1000],
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _fit(card: JSON) -> JSON:
    """Trim table rows from the end until the card fits Teams' size limit, and say so."""
    dropped = 0
    note = _text("", subtle=True)
    while len(json.dumps(card)) > MAX_CARD_BYTES:
        tables = [e for e in card["body"] if e.get("type") == "Table" and len(e["rows"]) > 2]
        if not tables:
            raise ValueError("card too large for Teams even without table rows")
        tables[-1]["rows"].pop()
        dropped += 1
        if dropped == 1:
            card["body"].insert(card["body"].index(tables[-1]) + 1, note)
        note["text"] = f"{dropped} more rows did not fit in this message; ask about fewer people."
    return card


def _text(text: str, *, subtle: bool = False, weight: str | None = None) -> JSON:
    block: JSON = {"type": "TextBlock", "text": text or " ", "wrap": True}
    if subtle:
        block["isSubtle"] = True
        block["size"] = "Small"
    if weight:
        block["weight"] = weight
    return block


def _facts(facts: list[Fact]) -> JSON:
    return {"type": "FactSet", "facts": [{"title": f.label, "value": f.value} for f in facts]}


def _table_chunks(table: Table) -> list[list[JSON]]:
    """Card elements for a table, MAX_TABLE_ROWS rows per chunk, each with its header row."""
    rows = list(table.rows)
    total = len(rows)
    pages = [rows[i : i + MAX_TABLE_ROWS] for i in range(0, total, MAX_TABLE_ROWS)] or [[]]
    chunks: list[list[JSON]] = []
    for n, page in enumerate(pages, start=1):
        elements: list[JSON] = []
        title = table.title or ""
        if len(pages) > 1:
            title = f"{title} ({n} of {len(pages)})".strip()
        if title:
            elements.append(_text(title, weight="Bolder"))
        if not page:
            elements.append(_text("Nothing to show.", subtle=True))
        else:
            elements.append(_table_element(table.columns, page))
        chunks.append(elements)
    return chunks


def _table_element(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> JSON:
    def row(cells: tuple[str, ...] | list[str]) -> JSON:
        padded = [*cells, *[""] * (len(columns) - len(cells))][: len(columns)]
        return {
            "type": "TableRow",
            "cells": [{"type": "TableCell", "items": [_text(c)]} for c in padded],
        }

    return {
        "type": "Table",
        "columns": [{"width": 1} for _ in columns],
        "firstRowAsHeader": True,
        "rows": [row(list(columns)), *(row(r) for r in rows)],
    }


def _citation(c: Citation) -> JSON:
    where = f"{c.document}, {c.section}" if c.section else c.document
    quote = f': "{c.quote}"' if c.quote else ""
    return _text(f"Policy: {where}{quote}", subtle=True)


def _button(b: Button) -> JSON:
    action = _submit(b.label, b.action, b.value)
    if b.style in _BUTTON_STYLE:
        action["style"] = _BUTTON_STYLE[b.style]
    return action


def _submit(title: str, action_id: str, value: str) -> JSON:
    return {"type": "Action.Submit", "title": title, "data": {"action": action_id, "value": value}}


def _form_inputs(form: Form) -> list[JSON]:
    elements: list[JSON] = [_text(form.title, weight="Bolder")]
    for f in form.fields:
        if f.name in RESERVED_INPUT_IDS:
            raise ValueError(f"form field name {f.name!r} is reserved for the action payload")
        elements.extend(_inputs_for(f))
    return elements


def _inputs_for(f: FormField) -> list[JSON]:
    if f.kind == "datetime":
        day, _, at = (f.initial or "").partition(" ")
        date_field = FormField(f.name + DATE_PART, f"{f.label} (date)", "date", f.required, (), day)
        time_field = FormField(f.name + TIME_PART, f"{f.label} (time)", "time", f.required, (), at)
        return [_input(date_field), _input(time_field), *_field_error(f)]
    return [_input(f), *_field_error(f)]


def _field_error(f: FormField) -> list[JSON]:
    """Why the last submission was refused, under the field (cards have no server-side
    field errors: `errorMessage` is only for the client's own checks)."""
    if not f.error:
        return []
    return [_text(f.error) | {"color": "Attention", "size": "Small", "spacing": "None"}]


def _input(f: FormField) -> JSON:
    kinds = {"date": "Input.Date", "time": "Input.Time", "choice": "Input.ChoiceSet"}
    element: JSON = {"type": kinds.get(f.kind, "Input.Text"), "id": f.name, "label": f.label}
    if f.kind == "multiline":
        element["isMultiline"] = True
    if f.kind == "choice":
        element["choices"] = [{"title": label, "value": value} for value, label in f.choices]
        element["style"] = "compact"
    if f.required:
        element["isRequired"] = True
        element["errorMessage"] = f"Please fill in {f.label.lower()}."
    if f.initial:
        element["value"] = f.initial
    if f.hint and f.kind in ("text", "multiline"):
        element["placeholder"] = f.hint
    return element


def read_submission(data: Mapping[str, Any] | None) -> Submission | None:
    """The submission carried by card `data`, or None when it is not one of ours.

    Date and time halves of a datetime field come back as one value
    "YYYY-MM-DD HH:MM" (wall time in the person's timezone).
    """
    if not isinstance(data, Mapping):
        return None
    action = data.get("action")
    if not isinstance(action, str) or not action:
        return None
    value = data.get("value", "")
    form: dict[str, str] = {}
    for key, raw in data.items():
        if key in RESERVED_INPUT_IDS or key == "msteams" or raw is None:
            continue
        form[str(key)] = raw if isinstance(raw, str) else json.dumps(raw)
    for key in [k for k in form if k.endswith(DATE_PART)]:
        name = key[: -len(DATE_PART)]
        day = form.pop(key)
        at = form.pop(name + TIME_PART, "")
        form[name] = f"{day} {at}".strip()
    return Submission(
        action=action, value=value if isinstance(value, str) else str(value), form=form
    )
