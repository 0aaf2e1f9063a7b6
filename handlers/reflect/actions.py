"""Actions agreed in supervision: what, who is responsible, by when (Leeds 2023 s4.13).

The supervisee or their supervisor records them; the owner, supervisee and
supervisor can mark them done; the supervisor's line manager can read them.
Open actions come back in the next preparation prompt and App Home; overdue ones
are listed for the supervisor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.clock import MAX_YEARS_AHEAD, Clock, local_date
from handlers.reflect.access import Access, action_access, supervision_access
from handlers.reflect.checks import confirmed, find_flags, warning_reply
from handlers.reflect.common import ACTION_DONE, day, name_of
from handlers.replies import Button, Citation, Fact, Form, Reply, Table
from policy.reflection.child_details import ChildDetailPatterns, default_child_patterns
from storage import reflect_queries as q
from storage.models import ActionItem, Person, SupervisionSession

MAX_TEXT = 2000
MAX_BUTTONS = 10
LEEDS_413_ACTIONS = Citation(
    document="Leeds City Council, 'Making a Difference' Supervision Framework (2023)",
    section="4.13",
    quote="Any agreed actions will include - who will take responsibility and the timescale "
    "for carrying out these actions",
)


def _status(action: ActionItem, today: date) -> str:
    if action.done_at is not None:
        return "done"
    if action.due_on < today:
        return f"overdue ({(today - action.due_on).days} days)"
    if action.due_on == today:
        return "due today"
    return "open"


def actions_table(
    db: Session, actions: Sequence[ActionItem], today: date, title: str = "Actions"
) -> Table:
    rows = tuple(
        (str(a.id), a.text, name_of(db, a.owner_id), day(a.due_on), _status(a, today))
        for a in actions
    )
    return Table(columns=("No.", "Action", "Who", "Due", "Status"), rows=rows, title=title)


def _today(db: Session, person_id: str, clock: Clock) -> date:
    person = db.get(Person, person_id)
    return local_date(clock.now(), person.timezone if person else None)


def add_action(
    db: Session,
    actor_id: str,
    supervisee_id: str,
    text: str,
    owner_id: str,
    due_on: date,
    clock: Clock,
    session_id: int | None = None,
    *,
    patterns: ChildDetailPatterns | None = None,
    form: Form | None = None,
    values: Mapping[str, Any] | None = None,
) -> Reply:
    """Record an action agreed in supervision: what, who is responsible, and by when.

    The owner is the supervisee, their supervisor or the supervisor's line manager: the
    people in that supervision. Text that looks like it identifies a child gets the same
    warning as a note (Leeds 4.13): with `form`, the form comes back to edit or confirm
    (`values` holds what was submitted, including the choice to save as written).
    """
    if db.get(Person, actor_id) is None:
        return Reply(f"I don't know anyone with the id {actor_id}.", ok=False, ephemeral=True)
    supervisee = db.get(Person, supervisee_id)
    if supervisee is None:
        return Reply(f"I don't know anyone with the id {supervisee_id}.", ok=False, ephemeral=True)
    if supervision_access(db, actor_id, supervisee_id) is not Access.WRITE:
        return Reply(
            f"Only {supervisee.name} and their supervisor can record actions for "
            f"{supervisee.name}'s supervision.",
            ok=False,
            ephemeral=True,
        )
    owner = db.get(Person, owner_id)
    if owner is None or not owner.active:
        return Reply(
            f"I can't find an active member of staff with the id {owner_id} to "
            "take responsibility for this action.",
            ok=False,
            ephemeral=True,
        )
    supervisor = db.get(Person, supervisee.supervisor_id) if supervisee.supervisor_id else None
    in_supervision = {supervisee.id, supervisee.supervisor_id,
                      supervisor.supervisor_id if supervisor else None} - {None}
    if owner_id not in in_supervision:
        names = [supervisee.name] + ([supervisor.name] if supervisor else [])
        return Reply(
            f"An action from {supervisee.name}'s supervision is owned by someone in it: "
            f"{' or '.join(names)}, or the supervisor's line manager.",
            ok=False,
            ephemeral=True,
        )
    text = " ".join(text.split())
    if not text:
        return Reply(
            "Say what the action is, e.g. “Book the safeguarding refresher”.",
            ok=False,
            ephemeral=True,
        )
    if len(text) > MAX_TEXT:
        return Reply(
            f"That action is {len(text)} characters long; please keep it under {MAX_TEXT}.",
            ok=False,
            ephemeral=True,
        )
    today = _today(db, actor_id, clock)
    flags = find_flags(patterns or default_child_patterns(), {"text": text}, today)
    if flags and not confirmed(values or {}):
        if form is not None:
            return warning_reply(flags, form, {"text": text}, {"text": "Action agreed"})
        found = "; ".join(f"“{f.snippet}” looks like {f.label}" for _, f in flags)
        return Reply(
            f"Nothing is recorded yet: {found}. Children's details belong on the child's own "
            "record, not in supervision actions. Reword the action, or confirm that nothing "
            "in it identifies a child.",
            ok=False,
            ephemeral=True,
        )
    if due_on < today:
        return Reply(
            f"The due date {day(due_on)} has already passed; choose today or a later day.",
            ok=False,
            ephemeral=True,
        )
    if due_on.year > today.year + MAX_YEARS_AHEAD:
        return Reply(
            f"The due date {day(due_on)} is too far ahead; an action agreed in supervision is "
            f"due within {MAX_YEARS_AHEAD} years.",
            ok=False,
            ephemeral=True,
        )
    now = clock.now()
    if session_id is not None:
        sess = db.get(SupervisionSession, session_id)
        if sess is None or sess.supervisee_id != supervisee_id:
            return Reply(
                f"Session {session_id} is not one of {supervisee.name}'s sessions.",
                ok=False,
                ephemeral=True,
            )
    else:
        latest = q.latest_session_started(db, supervisee_id, now)
        session_id = latest.id if latest else None
    action = ActionItem(
        session_id=session_id,
        supervisee_id=supervisee_id,
        owner_id=owner_id,
        text=text,
        due_on=due_on,
        created_at=now,
    )
    db.add(action)
    db.flush()
    return Reply(
        f"Recorded action {action.id}: “{text}” — {owner.name}, by {day(due_on)}.",
        facts=[
            Fact("Who", owner.name),
            Fact("Due", day(due_on)),
            Fact("Supervision of", supervisee.name),
        ],
        citations=[LEEDS_413_ACTIONS],
    )


def my_actions(db: Session, person_id: str, clock: Clock) -> Reply:
    """Your open actions: ones you own and ones agreed in your supervision (App Home too)."""
    if db.get(Person, person_id) is None:
        return Reply(f"I don't know anyone with the id {person_id}.", ok=False, ephemeral=True)
    actions = q.actions_involving(db, person_id)
    today = _today(db, person_id, clock)
    if not actions:
        return Reply("You have no open actions from supervision.", ephemeral=True)
    overdue = sum(1 for a in actions if a.due_on < today)
    text = f"You have {len(actions)} open action{'s' if len(actions) != 1 else ''}" + (
        f", {overdue} overdue." if overdue else "."
    )
    buttons = [
        Button(f"Done: {a.id}", ACTION_DONE, str(a.id))
        for a in actions[:MAX_BUTTONS]
        if action_access(db, person_id, a) is Access.WRITE
    ]
    return Reply(
        text,
        tables=[actions_table(db, actions, today, "Open actions")],
        buttons=buttons,
        ephemeral=True,
    )


def supervisee_actions(
    db: Session, viewer_id: str, supervisee_id: str, clock: Clock, include_done: bool = False
) -> Reply:
    """Actions agreed in one supervisee's supervision (supervisee, supervisor, line manager)."""
    supervisee = db.get(Person, supervisee_id)
    if supervisee is None or supervision_access(db, viewer_id, supervisee_id) is Access.NONE:
        return Reply(f"You can't see actions for {supervisee_id}.", ok=False, ephemeral=True)
    actions = [
        a
        for a in q.actions_involving(db, supervisee_id, include_done=include_done)
        if a.supervisee_id == supervisee_id
    ]
    today = _today(db, viewer_id, clock)
    if not actions:
        return Reply(
            f"No {'' if include_done else 'open '}actions for {supervisee.name}.", ephemeral=True
        )
    return Reply(
        f"Actions agreed in {supervisee.name}'s supervision.",
        tables=[actions_table(db, actions, today, supervisee.name)],
        ephemeral=True,
    )


def overdue_actions(db: Session, supervisor_id: str, clock: Clock) -> Reply:
    """Overdue actions agreed in the supervision of the people you supervise."""
    today = _today(db, supervisor_id, clock)
    rows = q.overdue_actions_for_supervisor(db, supervisor_id, today)
    if not rows:
        return Reply("None of your supervisees has an overdue action.", ephemeral=True)
    table = Table(
        columns=("No.", "Supervisee", "Action", "Who", "Due", "Status"),
        rows=tuple(
            (str(a.id), p.name, a.text, name_of(db, a.owner_id), day(a.due_on), _status(a, today))
            for a, p in rows
        ),
        title="Overdue actions",
    )
    return Reply(
        f"{len(rows)} overdue action{'s' if len(rows) != 1 else ''} in your "
        "supervisees' supervision.",
        tables=[table],
        ephemeral=True,
    )


def mark_action_done(db: Session, actor_id: str, action_id: int, clock: Clock) -> Reply:
    """Mark an agreed action done."""
    action = db.get(ActionItem, action_id)
    if action is None or action_access(db, actor_id, action) is Access.NONE:
        return Reply(f"I can't find action {action_id} of yours.", ok=False, ephemeral=True)
    if action_access(db, actor_id, action) is not Access.WRITE:
        return Reply(
            "You can read this action but only the people in that supervision can mark it done.",
            ok=False,
            ephemeral=True,
        )
    if action.done_at is None:
        action.done_at = clock.now()
        db.add(action)
        db.flush()
        return Reply(f"Done: “{action.text}”.", ephemeral=True)
    return Reply(f"Action {action_id} was already marked done.", ephemeral=True)
