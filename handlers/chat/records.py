"""Outcomes and records: mark a session held, share its record, sign it, and what is owed."""

from __future__ import annotations

from collections.abc import Callable

from bot.clock import local_date
from handlers.chat import access
from handlers.chat.common import (
    SESSION_COLUMNS,
    fmt_day,
    fmt_when,
    resolve_person,
    session_line,
    with_whom,
)
from handlers.chat.diary import assumed_note
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Button, Reply, Table
from policy.duties import record_share_by
from storage import chat_queries as q
from storage import chat_records as r_
from storage.models import Person, SupervisionSession

NOT_FOUND = (
    "I can't find session {sid} among your sessions. Say \"what's my next session\" to see them."
)


def _pick(
    ctx: ChatContext,
    req: ChatRequest,
    rows: list[SupervisionSession],
    allowed: Callable[[ChatContext, SupervisionSession], bool],
    waiting: str,
    action: str,
) -> SupervisionSession | Reply | None:
    """The session a message means: by number, else the one of `rows` (with the named person).

    `waiting` completes "no session with NAME is ..." when the person has none in `rows`;
    when several could be meant, the reply asks which, with an `action` button for each.
    """
    sid = req.args.get("session_id")
    if sid is not None:
        row = q.get_session(ctx.session, int(sid))
        if row is None or not allowed(ctx, row):
            # The same words whether or not it exists: others' sessions stay private.
            return Reply(text=NOT_FOUND.format(sid=sid), ephemeral=True)
        return row
    name = req.args.get("person")
    if name:
        ids = {r.supervisee_id for r in rows} | {r.supervisor_id for r in rows if r.supervisor_id}
        person = resolve_person(ctx, str(name), sorted(ids))
        if isinstance(person, Reply):
            known = resolve_person(ctx, str(name), access.visible_ids(ctx))
            if isinstance(known, Reply):
                return known
            return _none_waiting(ctx, known, waiting)
        rows = [r for r in rows if person.id in (r.supervisee_id, r.supervisor_id)]
    if len(rows) > 1:
        return Reply(
            text=f"Which session do you mean? {len(rows)} could fit; choose one:",
            buttons=[Button(_label(ctx, r)[:75], action, str(r.id)) for r in rows[:5]],
            ephemeral=True,
        )
    return rows[0] if rows else None


def _label(ctx: ChatContext, row: SupervisionSession) -> str:
    other = with_whom(ctx, row, ctx.asker.id)
    return f"#{row.id} {_when(ctx, row)}" + (f" with {other}" if other else "")


def _none_waiting(ctx: ChatContext, person: Person, waiting: str) -> Reply:
    """No session with a person the asker may name is in this state: say what is possible."""
    text = f"No session with {person.name} is {waiting}."
    buttons: list[Button] = []
    upcoming = [
        r
        for r in q.upcoming_sessions(ctx.session, ctx.asker.id, ctx.now)
        if person.id in (r.supervisee_id, r.supervisor_id)
    ]
    if upcoming:
        nxt = upcoming[0]
        text += f" Your next session with them is {_when(ctx, nxt)} (#{nxt.id})"
        text += (
            "; you can mark it held once it has happened, or rearrange it."
            if access.may_record_outcome(ctx, nxt)
            else "."
        )
        buttons.append(Button("Rearrange", "session_rearrange", str(upcoming[0].id)))
    elif access.can_see(ctx, person) and person.id != ctx.asker.id:
        text += " No session with them is booked either."
        buttons.append(Button("Book a session", "book_open", person.id, "primary"))
    return Reply(text=text, buttons=buttons, ephemeral=True)


def _when(ctx: ChatContext, row: SupervisionSession) -> str:
    return fmt_when(row.scheduled_at, ctx.asker.timezone)


def held(ctx: ChatContext, row: SupervisionSession) -> Reply:
    if not access.may_record_outcome(ctx, row):
        return access.refusal()
    if row.scheduled_at > ctx.now:
        return Reply(
            text=f"Session #{row.id} is on {_when(ctx, row)}; mark it held once it has happened."
        )
    result = q.mark_held(ctx.session, row, ctx.now)
    if not result.changed:
        state = "held" if row.held_at else "cancelled"
        return Reply(
            text=f"Session #{row.id} on {_when(ctx, row)} was already recorded as {state}."
        )
    n = ctx.pack.records.share_within_working_days
    buttons = [Button("Record shared", "record_share", str(row.id), "primary")]
    if row.prep_shared_at is not None:
        buttons.append(Button("Read shared preparation", "prep_read", str(row.id)))
    return Reply(
        text=f"Recorded session #{row.id} on {_when(ctx, row)} as held. Please share the record "
        f"within {n} working days." + assumed_note(ctx.pack.records),
        buttons=buttons,
    )


def share(ctx: ChatContext, row: SupervisionSession) -> Reply:
    if not access.may_record_outcome(ctx, row):
        return access.refusal()
    if row.held_at is None:
        return Reply(
            text=f"Session #{row.id} isn't recorded as held yet, so it has no record to share."
        )
    result = q.share_record(ctx.session, row, ctx.now)
    if not result.changed:
        return Reply(text=f"The record of session #{row.id} was already shared.")
    return Reply(
        text=f"Noted: the record of session #{row.id} ({_when(ctx, row)}) is shared for signing."
    )


def sign(ctx: ChatContext, row: SupervisionSession) -> Reply:
    if not access.may_sign(ctx, row):
        return access.refusal()
    if row.record_shared_at is None:
        return Reply(text=f"The record of session #{row.id} hasn't been shared with you yet.")
    result = q.sign_record(ctx.session, row, ctx.now)
    if not result.changed:
        return Reply(text=f"You had already signed the record of session #{row.id}.")
    return Reply(text=f"Thank you: you signed the record of session #{row.id} ({_when(ctx, row)}).")


def mark_held(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Record that a session took place (the supervisor)."""
    rows = r_.awaiting_outcome(ctx.session, ctx.asker.id, ctx.now)
    row = _pick(
        ctx,
        req,
        rows,
        access.may_record_outcome,
        "in the past and waiting for an outcome",
        "session_held",
    )
    if row is None:
        return Reply(text="You have no past session waiting for an outcome.")
    return row if isinstance(row, Reply) else held(ctx, row)


def share_record(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Record that you shared a session's record with the supervisee (the supervisor)."""
    rows = r_.records_owed(ctx.session, ctx.asker.id)
    row = _pick(
        ctx,
        req,
        rows,
        access.may_record_outcome,
        "held with its record still to share",
        "record_share",
    )
    if row is None:
        return Reply(text="You owe no records: every held session's record is shared.")
    return row if isinstance(row, Reply) else share(ctx, row)


def sign_record(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Sign the record of your session that your supervisor shared (the supervisee)."""
    rows = r_.records_to_sign(ctx.session, ctx.asker.id)
    row = _pick(ctx, req, rows, access.may_sign, "waiting for your signature", "record_sign")
    if row is None:
        return Reply(text="You have no records waiting for your signature.")
    return row if isinstance(row, Reply) else sign(ctx, row)


def to_sign(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Which of your supervision records are waiting for your signature."""
    rows = r_.records_to_sign(ctx.session, ctx.asker.id)
    if not rows:
        return Reply(text="Nothing to sign: you have no shared records waiting for your signature.")
    return Reply(
        text=f"{len(rows)} record(s) waiting for your signature.",
        tables=[Table(SESSION_COLUMNS, tuple(session_line(ctx, r) for r in rows), "To sign")],
        buttons=[Button(f"Sign #{r.id}", "record_sign", str(r.id), "primary") for r in rows[:5]],
    )


LATE = " (LATE)"


def _share_by(ctx: ChatContext, row: SupervisionSession) -> str:
    """The policy's share-by date for a held session's record, flagged when it has passed."""
    held = local_date(row.held_at or row.scheduled_at, ctx.asker.timezone)
    deadline = record_share_by(ctx.pack, held)
    return fmt_day(deadline.date) + (LATE if ctx.today > deadline.date else "")


def records_owed(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Records you owe as a supervisor: held but not shared, and past sessions with no outcome."""
    owed = r_.records_owed(ctx.session, ctx.asker.id)
    pending = r_.awaiting_outcome(ctx.session, ctx.asker.id, ctx.now)
    if not owed and not pending:
        if not q.supervisees_of(ctx.session, ctx.asker.id):
            return to_sign(ctx, req)  # "any outstanding records?" from a supervisee: theirs to sign
        return Reply(text="You owe no records and every past session has an outcome.")
    parts, tables, buttons = [], [], []
    if owed:
        n = ctx.pack.records.share_within_working_days
        rows = tuple((*session_line(ctx, r), _share_by(ctx, r)) for r in owed)
        late = sum(1 for row in rows if row[-1].endswith(LATE))
        parts.append(
            f"{len(owed)} record(s) to share (the policy asks within {n} working days"
            + (f"; {late} late)" if late else ")")
        )
        tables.append(Table((*SESSION_COLUMNS, "Share by"), rows, "To share"))
        buttons += [Button(f"Shared #{r.id}", "record_share", str(r.id)) for r in owed[:5]]
    if pending:
        parts.append(f"{len(pending)} past session(s) with no outcome recorded")
        tables.append(
            Table(SESSION_COLUMNS, tuple(session_line(ctx, r) for r in pending), "No outcome yet")
        )
        for r in pending[:3]:
            buttons += [
                Button(f"#{r.id} held", "session_held", str(r.id), "primary"),
                Button(f"#{r.id} cancelled", "session_cancel", str(r.id)),
            ]
    return Reply(text="You have " + " and ".join(parts) + ".", tables=tables, buttons=buttons)
