"""What is due, for whom, when: every planner applied to a batch of people.

`plan_people` is the one entry point the scheduler and the simulation use. It is
pure given the contexts: the same facts give the same candidates and the same keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from sqlmodel import Session

from handlers.reminders import cadence, escalations, minimums, records, sessions
from handlers.reminders.candidate import Candidate
from handlers.reminders.context import PersonContext, PlanParams, load_contexts
from handlers.reminders.windows import calendar_of
from policy.calendar import WorkingCalendar
from policy.engine import PolicyPack

Planner = Callable[[PersonContext, PolicyPack, WorkingCalendar, PlanParams], Iterator[Candidate]]

# Every planner, in the order of the message kinds (the registry of what the engine sends).
PLANNERS: tuple[Planner, ...] = (
    sessions.session_reminders,
    sessions.outcome_checks,
    records.record_due_reminders,
    records.signing_reminders,
    cadence.action_reminders,
    cadence.booking_nudges,
    cadence.overdue_notices,
    cadence.agreement_reminders,
    minimums.minimum_reminders,
    escalations.missed_sessions,
    escalations.overdue,
    escalations.supervisor_absent,
    escalations.ratio,
)


def plan_contexts(
    contexts: Iterable[PersonContext], pack: PolicyPack, params: PlanParams
) -> list[Candidate]:
    """Every candidate about each context's person; one per key (the earliest due wins)."""
    cal = calendar_of(pack.nation)
    best: dict[str, Candidate] = {}
    for ctx in contexts:
        found: list[Candidate] = []
        for planner in PLANNERS:
            found.extend(planner(ctx, pack, cal, params))
        for c in found:
            if c.recipient_id == ctx.person.id and c.kind == "escalation" and c.reason == "ratio":
                continue  # never escalate to a supervisor about their own lapse
            held = best.get(c.key)
            if held is None or c.due_at < held.due_at:
                best[c.key] = c
    return sorted(best.values(), key=lambda c: (c.due_at, c.key))


def plan_people(
    session: Session, pack: PolicyPack, params: PlanParams, person_ids: Sequence[str]
) -> list[Candidate]:
    """Candidates about the given people, as known at `params.as_of`."""
    return plan_contexts(load_contexts(session, pack, params, person_ids), pack, params)
