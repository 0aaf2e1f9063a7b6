"""Answers about a team: who I supervise, who is overdue, how my service is doing."""

from __future__ import annotations

from collections import Counter

from handlers.chat.common import fmt_day, fmt_when
from handlers.chat.request import ChatContext, ChatRequest
from handlers.replies import Fact, Reply, Table
from handlers.status import PersonStatus, state_of, statuses
from storage import chat_queries as q

STATUS_COLUMNS = ("Name", "Role", "Next due", "Next booked", "Status")


def _state(st: PersonStatus) -> str:
    """The status table's state (handlers.status), with overdue in capitals to stand out."""
    state = state_of(st)
    return state.upper() if state == "overdue" else state


def role_title(ctx: ChatContext, role: str) -> str:
    """The pack's title for a role id ("social_worker" -> "Social worker ...")."""
    found = ctx.pack.roles.get(role)
    return str(found.title) if found is not None else role.replace("_", " ")


def status_rows(ctx: ChatContext, sts: list[PersonStatus]) -> tuple[tuple[str, ...], ...]:
    """Overdue people first (oldest due first), then by due date."""
    ordered = sorted(sts, key=lambda s: (not s.overdue, s.next_due, s.name))
    return tuple(
        (
            s.name,
            role_title(ctx, s.role),
            fmt_day(s.next_due),
            fmt_when(s.next_session, ctx.asker.timezone),
            _state(s),
        )
        for s in ordered
    )


def team_statuses(ctx: ChatContext, person_ids: list[str]) -> list[PersonStatus]:
    return statuses(ctx.session, ctx.pack, ctx.now, person_ids) if person_ids else []


def my_supervisees(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Who you supervise, with when each is due (overdue first)."""
    people = q.supervisees_of(ctx.session, ctx.asker.id)
    if not people:
        return Reply(text="No one is recorded as your supervisee.")
    sts = team_statuses(ctx, [p.id for p in people])
    names = ", ".join(p.name for p in people)
    overdue = sum(1 for s in sts if s.overdue)
    text = f"You supervise {len(people)}: {names}."
    if overdue:
        text += f" {overdue} overdue."
    return Reply(
        text=text, tables=[Table(STATUS_COLUMNS, status_rows(ctx, sts), title="Your supervisees")]
    )


def team_overdue(ctx: ChatContext, req: ChatRequest) -> Reply:
    """Who is overdue among the people you supervise (or manage)."""
    # Everyone the asker supervises, and for a line manager the people of their supervisors too.
    people = q.people_under_manager(ctx.session, ctx.asker.id)
    if not people:
        return Reply(
            text="You don't supervise anyone, so there is no one overdue to show you. Ask "
            "\"am I overdue?\" for your own supervision."
        )
    sts = [s for s in team_statuses(ctx, [p.id for p in people]) if s.overdue]
    if not sts:
        return Reply(text=f"No one in your team of {len(people)} is overdue.")
    rows = status_rows(ctx, sts)
    text = f"{len(sts)} of {len(people)} in your team overdue: " + ", ".join(r[0] for r in rows)
    return Reply(text=text, tables=[Table(STATUS_COLUMNS, rows, title="Overdue")])


def service_status(ctx: ChatContext, req: ChatRequest) -> Reply:
    """How your service is doing: everyone under the supervisors you manage (admins: everyone)."""
    people = (
        q.active_people(ctx.session)
        if ctx.is_admin
        else q.people_under_manager(ctx.session, ctx.asker.id)
    )
    if not people:
        return Reply(
            text="You don't manage any supervisors, so I have no service to report on. "
            'Ask "who do I supervise" for your own team.'
        )
    by_id = {p.id: p for p in people}
    sts = statuses(ctx.session, ctx.pack, ctx.now, None if ctx.is_admin else list(by_id))
    overdue = [s for s in sts if s.overdue]
    unbooked = [s for s in sts if not s.overdue and s.next_session is None]
    per_sup: Counter[str] = Counter()
    per_sup_over: Counter[str] = Counter()
    for s in sts:
        key = s.supervisor_id or "-"
        per_sup[key] += 1
        per_sup_over[key] += s.overdue
    sup_names = {sid: (by_id[sid].name if sid in by_id else _name(ctx, sid)) for sid in per_sup}
    sup_rows = tuple(
        (sup_names[sid], str(n), str(per_sup_over[sid]))
        for sid, n in sorted(
            per_sup.items(), key=lambda kv: (-per_sup_over[kv[0]], sup_names[kv[0]])
        )
    )
    pct = 100 * (len(sts) - len(overdue)) // len(sts) if sts else 100
    text = (
        f"Your service: {len(sts)} people with supervision due under the policy; "
        f"{len(overdue)} overdue, {len(unbooked)} not yet booked; {pct}% up to date."
    )
    tables = [Table(("Supervisor", "People", "Overdue"), sup_rows, title="By supervisor")]
    if overdue:
        tables.append(Table(STATUS_COLUMNS, status_rows(ctx, overdue), title="Overdue"))
    facts = [
        Fact("People", str(len(sts))),
        Fact("Overdue", str(len(overdue))),
        Fact("Not booked", str(len(unbooked))),
        Fact("Up to date", f"{pct}%"),
    ]
    return Reply(text=text, facts=facts, tables=tables)


def _name(ctx: ChatContext, person_id: str) -> str:
    if person_id == "-":
        return "(no supervisor)"
    p = q.get_person(ctx.session, person_id)
    return p.name if p else person_id
