"""One pass of the reminder engine: the single function the live loop and the simulation call.

`dispatch_due` plans people whose facts changed, then claims every due outbox row (FOR
UPDATE SKIP LOCKED on PostgreSQL), checks it is still true and still useful, commits the
claim, and sends each message between two commits ("sending", then "sent"), so it goes
out at most once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from bot.clock import Clock
from bot.delivery import DispatchReport, decide_row, recover, send_all
from bot.settings import Settings
from bot.transport import Transport
from handlers.reminders.agenda import (
    EngineConfig,
    PassStart,
    Recipients,
    advance_watermark,
    changed_since_last_pass,
    enqueue_planned,
    fallback_recipients,
    params_at,
    plan_and_enqueue,
)
from handlers.reminders.candidate import Candidate
from handlers.reminders.context import PlanParams
from handlers.reminders.planner import plan_people
from policy.engine import PolicyPack
from storage import agenda_rows, outbox, outbox_claims
from storage.db import session_scope
from storage.fact_changes import FactAgenda
from storage.models import Person
from storage.status_queries import people_by_id
from storage.timeline import SteadyFacts

log = logging.getLogger("supervision.engine")
T = TypeVar("T")


@dataclass
class PlanMemo:
    """Plans kept between passes for people whose facts did not change (see `dispatch_due`).

    A plan covers candidates up to the horizon plus one replan period ahead of when it
    was made, so it is kept for at most `keep` (inside the replan period). `built` holds
    the earliest due instant each plan was built from: a row due before it needs a new one.
    `steady` holds the facts no pass changes (people, supervisor history, agreements),
    looked up once for every plan of the replay (and `people`, the recipients); `facts`,
    when each fact becomes known.
    """

    keep: timedelta = timedelta(days=13)
    plans: dict[str, list[Candidate]] = field(default_factory=dict)
    made: dict[str, datetime] = field(default_factory=dict)
    built: dict[str, datetime] = field(default_factory=dict)
    recipients: Recipients | None = None
    steady: SteadyFacts = field(default_factory=SteadyFacts)
    facts: FactAgenda | None = None
    people: dict[str, Person] = field(default_factory=dict)  # recipients, as looked up

    def for_pass(self, now: datetime, changed: set[str]) -> dict[str, list[Candidate]]:
        stale = set(changed)
        for person, at in self.made.items():  # oldest first (see `note`)
            if now - at <= self.keep:
                break
            stale.add(person)
        for person in stale:
            self.plans.pop(person, None)
            self.made.pop(person, None)
            self.built.pop(person, None)
        return self.plans

    def note(self, people: list[str], now: datetime) -> None:
        for person in people:  # passes come in time order: `made` stays oldest first
            self.made.pop(person, None)
            self.made[person] = now


def recipients_for(engine: Engine, settings: Settings | None) -> Recipients:
    with session_scope(engine) as session:
        return fallback_recipients(
            session,
            settings.escalation_fallback_id if settings else None,
            settings.admin_ids if settings else [],
        )


def dispatch_due(
    engine: Engine,
    pack: PolicyPack,
    clock: Clock,
    transport: Transport,
    worker_id: str,
    *,
    settings: Settings | None = None,
    config: EngineConfig | None = None,
    sweep: bool = False,
    memo: PlanMemo | None = None,
) -> DispatchReport:
    """Plan what changed, then send every due message that is still true and useful.

    One pass: (1) release claims of stopped replicas and report rows a crash left
    "sending"; (2) note who changed since the last pass (and on a sweep, who was never
    planned and whose rows are new); (3) claim due rows in batches, plan each person
    concerned once per pass (from before the earliest claimed row, so a late row is never
    mistaken for one that no longer applies), decide each row and commit the claims; then
    send each message on its own: marked "sending" and committed before the transport
    is called, "sent" and committed after, so a message goes out at most once whatever
    fails; (4) enqueue the fresh plans of changed people; (5) advance the watermark.

    `memo` keeps plans between passes of the same day for people whose facts did not
    change. Only the simulation passes one: there every fact is seen at its own
    instant. The live loop plans afresh each pass, so a fact written with an earlier
    instant (an import, a backdated outcome) can never leave a stale message behind.
    """
    cfg = config or EngineConfig()
    if memo is not None and memo.keep >= cfg.replan_every:
        # A kept plan sees candidates up to when it was made plus the horizon and one
        # replan period; kept longer, the next planning it books would already be past.
        raise ValueError("a plan memo must keep plans for less than the replan period")
    now = clock.now()
    who = memo.recipients if memo and memo.recipients else recipients_for(engine, settings)
    report = DispatchReport()
    _retrying(partial(recover, engine, now, cfg, report))
    facts = memo.facts if memo is not None else None
    start = _retrying(partial(_changes, engine, now, cfg, sweep, facts))
    todo, window, first, epoch = start.people, start.window, start.first, start.epoch
    if first or sweep:
        report.planned += _unplanned(engine, pack, now, who, cfg, window, epoch)
        with session_scope(engine) as session:
            agenda_rows.purge_agenda(session, now - timedelta(days=2))
    plans: dict[str, list[Candidate]] = {}
    built: dict[str, datetime] = {}
    if memo is not None:
        plans = memo.for_pass(now, todo)
        built = memo.built
        memo.recipients = who
    while True:
        changed: set[str] = set()
        with session_scope(engine) as session:
            rows = outbox_claims.claim_due(session, now, cfg.claim_batch)
            messages = [r for r in rows if r.kind != outbox.REPLAN]
            settlement = outbox_claims.Settlement()
            for r in rows:
                if r.kind == outbox.REPLAN:
                    settlement.settle(r, outbox.DONE)
                    todo.add(r.recipient_id)
            subjects = {r.about_id for r in messages if r.about_id}
            # Plan from before the earliest claimed row: a row due long ago (downtime,
            # a retry) must be judged on a plan that includes it.
            earliest = min([window, *(r.due_at for r in messages)])
            need = sorted(
                p
                for p in subjects | todo
                if p not in plans or built.get(p, now) > (earliest if p in subjects else window)
            )
            if need:
                steady = memo.steady if memo is not None else None
                params = params_at(now, who, cfg, earliest, epoch, steady)
                _plan_into(plans, session, pack, params, need, cfg)
                for p in need:
                    built[p] = earliest
                if memo is not None:
                    memo.note(need, now)
            fresh = {c.key: c for p in subjects for c in plans.get(p, [])}
            people = _recipients(session, {r.recipient_id for r in messages}, memo)
            jobs = [
                job
                for row in messages
                if (
                    job := decide_row(
                        row, fresh, people, transport, now, report, changed, settlement
                    )
                )
            ]
            settlement.apply(session)
            outbox_claims.claim(session, [j.row_id for j in jobs], worker_id, clock.now())
        send_all(engine, jobs, transport, worker_id, clock, now, cfg, report)
        due_now = False  # rows written already due (a lapse learnt late) go out this pass
        if todo:
            batch = {p: plans[p] for p in todo if p in plans}
            made = {p: memo.made.get(p, now) for p in batch} if memo is not None else None
            written = _retrying(
                partial(_enqueue, engine, batch, now, who, cfg, window, epoch, made)
            )
            report.planned += len(written)
            due_now = any(c.due_at <= now for c in written)
        for p in changed:  # a side effect (deemed agreed) changed their facts: plan again
            plans.pop(p, None)
        # A batch short of the limit held every row due (what it put off is due later),
        # so only rows this iteration made due, or people it changed, need another.
        if (not rows or len(rows) < cfg.claim_batch) and not changed and not due_now:
            break
        todo = set(changed)
    _retrying(partial(_advance, engine, now))
    return report


def _recipients(session: Session, ids: set[str], memo: PlanMemo | None) -> dict[str, Person]:
    """The people messages go to (those a memo knows from earlier passes, unread)."""
    if memo is None:
        return people_by_id(session, ids)
    known = memo.people
    known.update(people_by_id(session, ids - known.keys()))
    return {pid: known[pid] for pid in ids if pid in known}


def _plan_into(
    plans: dict[str, list[Candidate]],
    session: Session,
    pack: PolicyPack,
    params: PlanParams,
    ids: list[str],
    cfg: EngineConfig,
) -> None:
    for i in range(0, len(ids), cfg.chunk):
        part = ids[i : i + cfg.chunk]
        for p in part:
            plans[p] = []
        for c in plan_people(session, pack, params, part):
            plans.setdefault(c.about_id, []).append(c)


def _changes(
    engine: Engine, now: datetime, cfg: EngineConfig, sweep: bool, facts: FactAgenda | None
) -> PassStart:
    with session_scope(engine) as session:
        changes = facts.changed if facts is not None else None
        return changed_since_last_pass(session, now, cfg, sweep=sweep, changes=changes)


def _advance(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        advance_watermark(session, now)


def _unplanned(
    engine: Engine,
    pack: PolicyPack,
    now: datetime,
    who: Recipients,
    cfg: EngineConfig,
    window: datetime,
    epoch: datetime,
) -> int:
    """Plan people never planned (everyone on the store's first pass, newcomers on sweeps),
    one chunk per transaction so a large first pass commits as it goes."""
    enqueued = 0
    while True:
        done = _retrying(partial(_unplanned_chunk, engine, pack, now, who, cfg, window, epoch))
        if done is None:
            return enqueued
        enqueued += done


def _unplanned_chunk(
    engine: Engine,
    pack: PolicyPack,
    now: datetime,
    who: Recipients,
    cfg: EngineConfig,
    window: datetime,
    epoch: datetime,
) -> int | None:
    with session_scope(engine) as session:
        fresh = agenda_rows.unplanned_people(session, cfg.chunk)
        if not fresh:
            return None
        params = params_at(now, who, cfg, window, epoch)
        return plan_and_enqueue(session, pack, params, fresh, cfg, window)


def _enqueue(
    engine: Engine,
    planned: dict[str, list[Candidate]],
    now: datetime,
    who: Recipients,
    cfg: EngineConfig,
    window: datetime,
    epoch: datetime,
    made: dict[str, datetime] | None = None,
) -> list[Candidate]:
    with session_scope(engine) as session:
        params = params_at(now, who, cfg, window, epoch)
        return enqueue_planned(session, planned, params, cfg, window, made)


def _retrying(work: Callable[[], T], attempts: int = 4) -> T:
    """Planning is idempotent: when replicas collide (deadlock, serialisation, a racing
    insert), run it again rather than fail the pass."""
    for attempt in range(attempts):
        try:
            return work()
        except (OperationalError, IntegrityError) as exc:
            if attempt == attempts - 1:
                raise
            log.info("planning collided with another replica (%s); retrying", type(exc).__name__)
    raise AssertionError("unreachable")


def next_due(engine: Engine) -> datetime | None:
    """When the earliest pending outbox row falls due."""
    with session_scope(engine) as session:
        return outbox.next_due_instant(session)
