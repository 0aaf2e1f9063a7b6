"""Reply -> plain text for the console: buttons become numbered choices, tables align."""

from __future__ import annotations

from handlers.replies import Button, Reply, Table


def _table(table: Table) -> list[str]:
    widths = [len(c) for c in table.columns]
    for row in table.rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=False)]
    lines = [f"{table.title}:"] if table.title else []
    lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=False)))
    lines.append("  " + "  ".join("-" * w for w in widths))
    lines += [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip()
        for row in table.rows
    ]
    return lines


def render_text(reply: Reply) -> str:
    """The whole reply as text; buttons are listed as numbered choices [1], [2], ..."""
    lines = [reply.text]
    if reply.facts:
        width = max(len(f.label) for f in reply.facts)
        lines += [f"  {f.label.ljust(width)}  {f.value}" for f in reply.facts]
    for table in reply.tables:
        lines.append("")
        lines += _table(table)
    for c in reply.citations:
        lines.append(f'  Policy: {c.document}, {c.section}: "{c.quote}"')
    lines += [f"  [{i}] {b.label}" for i, b in enumerate(choices(reply), start=1)]
    return "\n".join(lines)


def choices(reply: Reply) -> list[Button]:
    """The buttons a console reader can pick by number, in order."""
    return list(reply.buttons)
