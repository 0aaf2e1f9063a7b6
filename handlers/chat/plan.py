"""Plan the next months: working-day dates that meet the cadence, confirmed with a button."""

from __future__ import annotations

from datetime import date, time

from dateutil.relativedelta import relativedelta

from bot.clock import local_date, local_instant
from handlers.chat import access
from handlers.chat.common import fmt_day, resolve_person
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Button, Reply, Table
from handlers.status import statuses
from policy.engine import PolicyError, plan_dates
from storage import chat_queries as q
from storage.models import Person

PLAN_TIME = time(10, 0)  # proposed start time; each booking can be rearranged afterwards
MAX_PEOPLE = 20


def _proposal(ctx: ChatContext, person: Person, last_held: date | None, until: date) -> list[date]:
    booked = q.upcoming_sessions(ctx.session, person.id, ctx.now, limit=50)
    mine = [
        local_date(r.scheduled_at, person.timezone) for r in booked if r.supervisee_id == person.id
    ]
    base = max(mine) if mine else last_held
    start = ctx.today + relativedelta(days=1)
    if base is not None and base >= start:
        start = base + relativedelta(days=1)
    return plan_dates(
        ctx.pack,
        person.role,
        person.role_start,
        base,
        start,
        until,
        override=person.cadence_override,
    )


def plan(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Propose session dates for the next three months for your supervisees (or NAME)."""
    months = int(req.args.get("months") or 3)
    name = req.args.get("person")
    if name:
        found = resolve_person(ctx, str(name), access.visible_ids(ctx))
        if isinstance(found, Reply):
            return found
        if not access.can_see(ctx, found) or found.id == ctx.asker.id:
            return access.refusal()
        people = [found]
    else:
        people = q.supervisees_of(ctx.session, ctx.asker.id)[:MAX_PEOPLE]
    if not people:
        return Reply(
            text="You supervise no one, so there is nothing to plan. "
            "Your supervisor plans your sessions."
        )
    until = ctx.today + relativedelta(months=months)
    held = {
        s.id: s.last_held for s in statuses(ctx.session, ctx.pack, ctx.now, [p.id for p in people])
    }
    rows: list[tuple[str, ...]] = []
    buttons: list[Button] = []
    for p in people:
        if p.id not in held:
            continue
        try:
            days = _proposal(ctx, p, held[p.id], until)
        except PolicyError as exc:
            rows.append((p.name, f"cannot plan: {exc}"))
            continue
        if not days:
            rows.append((p.name, "already covered by booked sessions"))
            continue
        rows.append((p.name, ", ".join(fmt_day(d) for d in days)))
        value = p.id + "|" + ",".join(d.isoformat() for d in days)
        buttons.append(
            Button(f"Book {len(days)} for {p.name}"[:75], "confirm_plan", value, "primary")
        )
    if not buttons:
        return Reply(
            text=f"Nothing to plan: sessions for the next {months} months are covered.",
            tables=[Table(("Supervisee", "Proposed dates"), tuple(rows))] if rows else [],
        )
    return Reply(
        text=f"Proposed dates for the next {months} months (working days, meeting each cadence), "
        f"at {PLAN_TIME:%H:%M}. Confirm to book them; you can rearrange any afterwards.",
        tables=[Table(("Supervisee", "Proposed dates"), tuple(rows), "Plan")],
        buttons=buttons,
    )


def confirm_plan(ctx: ChatContext, value: str, fields: dict[str, object]) -> Reply:
    """Book the proposed dates of one supervisee (a second press books nothing new)."""
    pid, _, days_text = value.partition("|")
    person = q.get_person(ctx.session, pid)
    if person is None or person.id == ctx.asker.id or not access.can_see(ctx, person):
        return access.refusal()
    try:
        days = [date.fromisoformat(d) for d in days_text.split(",") if d]
    except ValueError:
        return Reply(text="That plan is no longer valid; ask me to plan again.")
    if not person.supervisor_id:
        return Reply(text=f"No supervisor is recorded for {person.name}; ask your admin.")
    created = 0
    for d in days:
        at = local_instant(d, PLAN_TIME, person.timezone)
        if at <= ctx.now:
            continue
        created += q.book_session(
            ctx.session,
            supervisee_id=person.id,
            supervisor_id=person.supervisor_id,
            at=at,
            booked_at=ctx.now,
        ).changed
    if not created:
        return Reply(text=f"Those sessions for {person.name} were already booked.")
    return Reply(
        text=f"Booked {created} session(s) for {person.name}: "
        + ", ".join(fmt_day(d) for d in days)
        + f" at {PLAN_TIME:%H:%M}."
    )
