"""The compliance table `status` prints: one row per person, with the facts that need a
manager's eye (assumed cadences, yearly minimums not met, supervisors over the ratio)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session

from bot.clock import zone
from handlers.replies import Fact, Reply, Table
from handlers.status import STATES, PersonStatus, state_of, statuses
from policy.engine import PolicyPack
from storage import status_queries as q


def _day(d: date | None) -> str:
    return d.strftime("%d %b %y") if d else "-"


def status_report(
    session: Session,
    pack: PolicyPack,
    as_of: datetime,
    rows: Sequence[PersonStatus] | None = None,
) -> Reply:
    """The compliance table: one row per person, overloaded supervisors as facts."""
    rows = list(rows) if rows is not None else statuses(session, pack, as_of)
    names = {r.id: r.name for r in rows}
    missing = {r.supervisor_id for r in rows if r.supervisor_id and r.supervisor_id not in names}
    names.update({p.id: p.name for p in q.people_by_id(session, missing).values()})
    order = sorted(
        rows, key=lambda r: (r.team or "", names.get(r.supervisor_id or "", ""), r.name, r.id)
    )
    table_rows = tuple(
        (
            r.name,
            pack.roles[r.role].title if r.role in pack.roles else r.role.replace("_", " "),
            names.get(r.supervisor_id, r.supervisor_id) if r.supervisor_id else "(none)",
            _day(r.last_held),
            _day(r.next_due) + ("*" if r.due.assumed else ""),
            r.next_session.astimezone(zone(r.timezone)).strftime("%d %b %H:%M")
            if r.next_session
            else "-",
            state_of(r),
        )
        for r in order
    )
    counts = {s: sum(1 for r in rows if state_of(r) == s) for s in STATES}
    text = (
        f"{len(rows)} people under the {pack.name} policy as of "
        f"{as_of.astimezone(zone(None)):%a %d %b %Y %H:%M}: {counts['overdue']} overdue, "
        f"{counts['to book'] + counts['booked late']} with nothing booked by their due date"
        + (f" ({counts['booked late']} booked after it)" if counts["booked late"] else "")
        + "."
    )
    reply = Reply(
        text=text,
        tables=[
            Table(
                columns=(
                    "Person",
                    "Role",
                    "Supervisor",
                    "Last held",
                    "Next due",
                    "Booked",
                    "State",
                ),
                rows=table_rows,
            )
        ],
    )
    assumed = sorted({r.due.cadence.label for r in rows if r.due.assumed})
    assumed_roles = sorted({pack.roles[r.role].title for r in rows if r.due.assumed})
    if assumed_roles:
        reply.facts.append(
            Fact(
                "* Assumed",
                f"due dates for {', '.join(assumed_roles)} follow a cadence the {pack.name} "
                f"policy leaves to local agreement ({', '.join(assumed)}): a default, not "
                f"policy. See `supervision-bot policy show {pack.name}`.",
            )
        )
    short = [(r, [m for m in r.minimums if not m.met]) for r in order]
    short = [(r, ms) for r, ms in short if ms]
    if short:
        shown = "; ".join(
            f"{r.name}: " + ", ".join(f"{m.held} of {m.required} {m.what}" for m in ms)
            for r, ms in short[:8]
        )
        more = f"; and {len(short) - 8} more people (see status --json)" if len(short) > 8 else ""
        cite = short[0][1][0].citation
        reply.facts.append(
            Fact(
                "Below a yearly minimum",
                f"{shown}{more}. Counted over the last twelve months ({cite.document}, "
                f"section {cite.section}).",
            )
        )
    limit = pack.ratio.max_supervisees
    load: dict[str, int] = {}
    for r in rows:
        if r.supervisor_id:
            load[r.supervisor_id] = load.get(r.supervisor_id, 0) + 1
    for sid, n in sorted(load.items(), key=lambda kv: (-kv[1], kv[0])):
        if limit is not None and n > limit:
            cite = pack.ratio.citation
            reply.facts.append(
                Fact(
                    "Over the ratio",
                    f"{names.get(sid, sid)} supervises {n} people; the {pack.name} policy's "
                    f"guide is at most {limit} ({cite.document}, section {cite.section}).",
                )
            )
    return reply
