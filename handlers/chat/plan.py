"""Plan the next months: working-day dates that meet the cadence, confirmed with a button."""

from __future__ import annotations

from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from bot.clock import local_date, zone
from handlers.chat import access, diary
from handlers.chat.booking import check_instant
from handlers.chat.common import fmt_when, resolve_person
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Button, Reply, Table
from handlers.status import statuses
from policy.engine import PolicyError, cadence_on, plan_dates
from storage import chat_diary as d_
from storage import chat_queries as q
from storage.models import Person
from storage.roles import role_held

MAX_PEOPLE = 20


def _proposal(
    ctx: ChatContext, person: Person, last_held: date | None, until: date, after: date | None = None
) -> list[date]:
    """The dates to propose: the cadence from the last session booked (or held), or from
    `after`, a date already proposed."""
    booked = q.upcoming_sessions(ctx.session, person.id, ctx.now, limit=50)
    mine = [
        local_date(r.scheduled_at, person.timezone) for r in booked if r.supervisee_id == person.id
    ]
    if after is not None:
        mine.append(after)
    base = max(mine) if mine else last_held
    start = ctx.today + relativedelta(days=1)
    if base is not None and base >= start:
        start = base + relativedelta(days=1)
    role, since = role_held(ctx.session, person, ctx.today_of(person))
    return plan_dates(
        ctx.pack,
        role,
        since,
        base,
        start,
        until,
        override=person.cadence_override,
        override_since=person.cadence_override_since,
    )


def plan(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Propose session dates for the next three months for your supervisees (or NAME)."""
    months = int(req.args.get("months") or 3)
    name = req.args.get("person")
    left_out: list[Person] = []
    if name:
        found = resolve_person(ctx, str(name), access.visible_ids(ctx))
        if isinstance(found, Reply):
            return found
        if not access.can_see(ctx, found) or found.id == ctx.asker.id:
            return access.refusal()
        people = [found]
    else:
        everyone = q.supervisees_of(ctx.session, ctx.asker.id)
        people = everyone[:MAX_PEOPLE]
        left_out = everyone[MAX_PEOPLE:]
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
    taken: set[datetime] = set()  # slots proposed to earlier supervisees in this plan
    tz = ctx.asker.timezone
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
        slots: list[datetime] = []
        while days:
            slot = diary.free_slot(ctx, [p.id, p.supervisor_id or ""], days[0], tz, taken)
            if slot is None:
                break
            taken.add(slot)
            slots.append(slot)
            landed = local_date(slot, tz)
            # Moved later (an absence, a full diary): the rest follow from where it landed,
            # so two due dates pushed past an absence never become two sessions on one day.
            days = days[1:] if landed == days[0] else _proposal(ctx, p, held[p.id], until, landed)
        if not slots:
            rows.append((p.name, "no free slots found"))
            continue
        rows.append((p.name, ", ".join(fmt_when(s, tz) for s in slots)))
        value = (
            p.id + "|" + ",".join(s.astimezone(zone(tz)).strftime("%Y-%m-%dT%H:%M") for s in slots)
        )
        buttons.append(
            Button(f"Book {len(slots)} for {p.name}"[:75], "confirm_plan", value, "primary")
        )
    if not buttons:
        return Reply(
            text=f"Nothing to plan: sessions for the next {months} months are covered."
            + _more(left_out),
            tables=[Table(("Supervisee", "Proposed dates"), tuple(rows))] if rows else [],
        )
    return Reply(
        text=f"Proposed sessions for the next {months} months (working days, meeting each "
        "cadence, in free slots of your diary). Confirm to book them; you can rearrange any "
        "afterwards." + _assumed(ctx, people) + _more(left_out),
        tables=[Table(("Supervisee", "Proposed dates"), tuple(rows), "Plan")],
        buttons=buttons,
    )


def _more(left_out: list[Person]) -> str:
    """Say who a plan left out (one plan covers at most MAX_PEOPLE) and how to plan them."""
    if not left_out:
        return ""
    names = ", ".join(p.name for p in left_out[:10]) + (", ..." if len(left_out) > 10 else "")
    return (
        f" This plan covers the first {MAX_PEOPLE} of your supervisees by name; "
        f'{len(left_out)} more ({names}) are not in it: ask "plan for NAME" for each of them.'
    )


def _assumed(ctx: ChatContext, people: list[Person]) -> str:
    """The assumed-default notes of the cadence rules behind a plan (once each)."""
    notes: list[str] = []
    for p in people:
        try:
            today = ctx.today_of(p)
            role, since = role_held(ctx.session, p, today)
            c = cadence_on(ctx.pack, role, since, today, p.cadence_override)
        except PolicyError:
            continue
        note = diary.assumed_note(c)
        if note and note not in notes:
            notes.append(note)
    return "".join(notes)


def confirm_plan(ctx: ChatContext, value: str, fields: dict[str, object]) -> Reply:
    """Book the proposed sessions of one supervisee (a second press books nothing new)."""
    pid, _, slots_text = value.partition("|")
    person = q.get_person(ctx.session, pid)
    if person is None or person.id == ctx.asker.id or not access.can_see(ctx, person):
        return access.refusal()
    tz = ctx.asker.timezone
    if not person.supervisor_id:
        return Reply(text=f"No supervisor is recorded for {person.name}; ask your admin.")
    try:
        parts = [s for s in slots_text.split(",") if s]
        slots = [datetime.fromisoformat(s).replace(tzinfo=zone(tz)) for s in parts if len(s) > 10]
        days = [date.fromisoformat(s) for s in parts if len(s) == 10]  # plans from before times
    except ValueError:
        return Reply(text="That plan is no longer valid; ask me to plan again.")
    for d in days:
        existing = d_.sessions_on(ctx.session, person.id, d, tz)
        slot = existing or diary.free_slot(ctx, [person.id, person.supervisor_id], d, tz, set())
        if slot is not None and local_date(slot, tz) == d:
            slots.append(slot)
    booked: list[str] = []
    skipped: list[str] = []
    for at in slots:
        if check_instant(ctx, at, [person.id, person.supervisor_id]) is not None:
            skipped.append(fmt_when(at, tz))
            continue
        if q.session_at(ctx.session, person.id, at) is not None:
            continue
        if diary.clash(ctx, [person.id, person.supervisor_id], at) is not None:
            skipped.append(fmt_when(at, tz))
            continue
        q.book_session(
            ctx.session,
            supervisee_id=person.id,
            supervisor_id=person.supervisor_id,
            at=at,
            booked_at=ctx.now,
        )
        booked.append(fmt_when(at, tz))
    text = (
        f"Booked {len(booked)} session(s) for {person.name}: " + "; ".join(booked) + "."
        if booked
        else f"Those sessions for {person.name} were already booked."
    )
    if skipped:
        text += (
            " Not booked (they clash with other sessions or are no longer possible): "
            + "; ".join(skipped)
            + "."
        )
    return Reply(text=text)
