"""The person's home view (Slack App Home, console `home`): own status, then their team."""

from __future__ import annotations

from dataclasses import replace

from handlers.chat.common import cite, fmt_day, fmt_when
from handlers.chat.diary import assumed_note
from handlers.chat.request import ChatContext
from handlers.chat.team import STATUS_COLUMNS, status_rows, team_statuses
from handlers.reflect import actions
from handlers.replies import Button, Fact, Reply, Table
from handlers.status import status_of
from storage import chat_queries as q
from storage import chat_records as r_


def home(ctx: ChatContext) -> Reply:
    """Your supervision at a glance; supervisors and line managers also see their people."""
    me = ctx.asker
    st = status_of(ctx.session, ctx.pack, me.id, ctx.now)
    facts: list[Fact] = []
    citations = []
    if st is not None:
        state = "overdue" if st.overdue else "up to date"
        text = f"Hello {me.name.split()[0]}: your supervision is {state}."
        facts = [
            Fact("Next due", fmt_day(st.next_due)),
            Fact("Next booked", fmt_when(st.next_session, me.timezone)),
            Fact("Last held", fmt_day(st.last_held)),
            Fact("Cadence", st.due.cadence.label),
        ]
        citations.append(cite(st.due.citation))
        text += assumed_note(st.due.cadence)
    else:
        text = f"Hello {me.name.split()[0]}."
    buttons: list[Button] = []
    to_sign = r_.records_to_sign(ctx.session, me.id)
    if to_sign:
        facts.append(Fact("Records to sign", str(len(to_sign))))
        buttons += [
            Button(f"Sign #{r.id}", "record_sign", str(r.id), "primary") for r in to_sign[:3]
        ]
    owed = r_.records_owed(ctx.session, me.id)
    if owed:
        facts.append(Fact("Records to share", str(len(owed))))
    tables: list[Table] = []
    direct = q.supervisees_of(ctx.session, me.id)
    if direct:
        rows = status_rows(ctx, team_statuses(ctx, [p.id for p in direct]))
        tables.append(Table(STATUS_COLUMNS, rows, title="People you supervise (overdue first)"))
        buttons.append(Button("Book a session", "book_open", ""))
    wider = [p for p in q.people_under_manager(ctx.session, me.id) if p.supervisor_id != me.id]
    if wider:
        rows = status_rows(ctx, team_statuses(ctx, [p.id for p in wider]))
        tables.append(Table(STATUS_COLUMNS, rows, title="Your service (overdue first)"))
    mine = actions.my_actions(ctx.session, me.id, ctx.clock)
    if mine.tables:
        facts.append(Fact("Open actions", str(len(mine.tables[0].rows))))
        tables.append(replace(mine.tables[0], title="Your open actions from supervision"))
        buttons += mine.buttons[:3]
    if direct:
        overdue = actions.overdue_actions(ctx.session, me.id, ctx.clock)
        if overdue.tables:
            tables.append(
                replace(overdue.tables[0], title="Overdue actions of the people you supervise")
            )
    return Reply(text=text, facts=facts, tables=tables, buttons=buttons, citations=citations)
