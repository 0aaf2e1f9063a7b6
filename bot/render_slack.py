"""Reply -> Slack Block Kit, within Slack's limits.

Limits respected (Slack's documented maxima): 50 blocks per message, 100 per
view (App Home, modal), 3000 characters of section text, 10 fields of 2000
characters per section, 25 elements per actions block, 75-character button
labels, 2000-character button values, 10 context elements. Long tables are
split over several sections and, when a message would exceed 50 blocks, over
several messages (pages); a view that would exceed 100 blocks says how many
rows it left out.
"""

from __future__ import annotations

from typing import Any

from handlers.chat.buttons import form_button
from handlers.replies import Button, Form, Reply, Table

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_ACTIONS = 25
MAX_BUTTON_TEXT = 75
MAX_VALUE = 2000
MAX_CONTEXT = 10
ROWS_PER_SECTION = 15
Block = dict[str, Any]


def esc(text: str) -> str:
    """Escape the three characters Slack's mrkdwn reserves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sections(text: str) -> list[Block]:
    """Text as sections of at most 3000 characters, split at line ends where possible."""
    blocks: list[Block] = []
    rest = esc(text)
    while rest:
        cut = len(rest) if len(rest) <= MAX_SECTION_TEXT else rest.rfind("\n", 0, MAX_SECTION_TEXT)
        if cut <= 0:
            cut = MAX_SECTION_TEXT
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": rest[:cut]}})
        rest = rest[cut:].lstrip("\n")
    return blocks


def _table(table: Table) -> list[Block]:
    title = f"*{esc(table.title)}* ({len(table.rows)})" if table.title else None
    blocks: list[Block] = (
        [{"type": "section", "text": {"type": "mrkdwn", "text": title}}] if title else []
    )
    lines = [
        "• "
        + " · ".join(
            f"*{esc(cell)}*" if i == 0 else f"{esc(col)}: {esc(cell)}"
            for i, (col, cell) in enumerate(zip(table.columns, row, strict=False))
        )
        for row in table.rows
    ]
    chunk: list[str] = []
    for line in lines:
        line = _clip(line, MAX_SECTION_TEXT)
        if (
            len(chunk) >= ROWS_PER_SECTION
            or sum(len(c) + 1 for c in chunk) + len(line) > MAX_SECTION_TEXT
        ):
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(chunk)}})
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(chunk)}})
    return blocks


def _button(b: Button) -> Block:
    el: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": _clip(b.label, MAX_BUTTON_TEXT), "emoji": True},
        "action_id": b.action,
        "value": b.value[:MAX_VALUE],
    }
    if b.style in ("primary", "danger"):
        el["style"] = b.style
    return el


def _actions(buttons: list[Button]) -> list[Block]:
    """Actions blocks; an action id appears at most once per block (Slack requires it)."""
    blocks: list[Block] = []
    current: list[Block] = []
    for b in buttons:
        if len(current) >= MAX_ACTIONS or any(e["action_id"] == b.action for e in current):
            blocks.append({"type": "actions", "elements": current})
            current = []
        current.append(_button(b))
    if current:
        blocks.append({"type": "actions", "elements": current})
    return blocks


def body_blocks(reply: Reply) -> tuple[list[Block], list[Block]]:
    """(content blocks, action blocks) of a reply; forms become a button that opens them."""
    blocks = _sections(reply.text)
    for start in range(0, len(reply.facts), MAX_FIELDS):
        fields = [
            {"type": "mrkdwn", "text": _clip(f"*{esc(f.label)}*\n{esc(f.value)}", MAX_FIELD_TEXT)}
            for f in reply.facts[start : start + MAX_FIELDS]
        ]
        blocks.append({"type": "section", "fields": fields})
    for table in reply.tables:
        blocks += _table(table)
    if reply.citations:
        elements = [
            {
                "type": "mrkdwn",
                "text": _clip(f"📖 {esc(c.document)}, {esc(c.section)}: “{esc(c.quote)}”", 3000),
            }
            for c in reply.citations[:MAX_CONTEXT]
        ]
        blocks.append({"type": "context", "elements": elements})
    buttons = list(reply.buttons)
    if reply.form is not None:
        buttons.insert(0, form_button(reply.form.submit_action, reply.form.value, reply.form.title))
    return blocks, _actions(buttons)


def messages(reply: Reply) -> list[dict[str, Any]]:
    """One or more chat.postMessage payloads (text + blocks), each within 50 blocks."""
    content, actions = body_blocks(reply)
    room = MAX_MESSAGE_BLOCKS - 1  # one block for the page footer when paginated
    pages: list[list[Block]] = []
    all_blocks = content + actions
    if len(all_blocks) <= MAX_MESSAGE_BLOCKS:
        pages = [all_blocks]
    else:
        body = content
        while body:
            pages.append(body[:room])
            body = body[room:]
        if len(pages[-1]) + len(actions) > room:
            pages.append([])
        pages[-1] += actions
        total = len(pages)
        for n, page in enumerate(pages, start=1):
            page.append(
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": f"Page {n} of {total}"}],
                }
            )
    text = _clip(reply.text, 3000)
    return [
        {"text": text if n == 0 else f"{_clip(reply.text, 80)} (page {n + 1})", "blocks": page}
        for n, page in enumerate(pages)
    ]


def home_view(reply: Reply) -> dict[str, Any]:
    """An App Home view within 100 blocks; sections beyond that are counted, not silently lost."""
    content, actions = body_blocks(reply)
    header: Block = {"type": "header", "text": {"type": "plain_text", "text": "Supervision"}}
    actions = actions[: MAX_VIEW_BLOCKS // 4]
    room = MAX_VIEW_BLOCKS - 1 - len(actions)
    if len(content) > room:
        keep = room - 1
        note = (
            f"{len(content) - keep} more section(s) not shown: "
            'ask me "who is overdue in my team" for the full list.'
        )
        content = [*content[:keep], {"type": "context", "elements": [_mrkdwn(note)]}]
    return {"type": "home", "blocks": [header, *content, *actions]}


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def _input(field: Any) -> Block:
    action_id = field.name
    element: Block
    if field.kind == "date":
        element = {"type": "datepicker", "action_id": action_id}
        if field.initial:
            element["initial_date"] = field.initial
    elif field.kind == "time":
        element = {"type": "timepicker", "action_id": action_id}
        if field.initial:
            element["initial_time"] = field.initial
    elif field.kind == "choice":
        options = [
            {"text": {"type": "plain_text", "text": _clip(label, 75)}, "value": value[:150]}
            for value, label in field.choices[:100]
        ]
        element = {"type": "static_select", "action_id": action_id, "options": options}
        initial = next((o for o in options if o["value"] == field.initial), None)
        if initial:
            element["initial_option"] = initial
    else:
        element = {
            "type": "plain_text_input",
            "action_id": action_id,
            "multiline": field.kind == "multiline",
        }
        if field.initial:
            element["initial_value"] = field.initial[:3000]
    block: Block = {
        "type": "input",
        "block_id": field.name,
        "optional": not field.required,
        "label": {"type": "plain_text", "text": _clip(field.label, 2000)},
        "element": element,
    }
    if field.hint:
        block["hint"] = {"type": "plain_text", "text": _clip(field.hint, 2000)}
    return block


def modal(form: Form, intro: str = "") -> dict[str, Any]:
    """A modal view for a form; its callback_id is the form's submit action."""
    blocks = _sections(intro) if intro else []
    blocks += [_input(f) for f in form.fields]
    return {
        "type": "modal",
        "callback_id": form.submit_action,
        "private_metadata": form.value[:3000],
        "title": {"type": "plain_text", "text": _clip(form.title, 24)},
        "submit": {"type": "plain_text", "text": _clip(form.submit_label, 24)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks[:MAX_VIEW_BLOCKS],
    }


def form_values(state: dict[str, Any]) -> dict[str, str]:
    """Field name -> submitted value from a view submission's state.values."""
    out: dict[str, str] = {}
    for block_id, actions in (state.get("values") or {}).items():
        for el in actions.values():
            value = (
                el.get("value")
                or el.get("selected_date")
                or el.get("selected_time")
                or (el.get("selected_option") or {}).get("value")
            )
            if value is not None:
                out[block_id] = str(value)
    return out
