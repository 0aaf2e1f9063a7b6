"""Keeping the outbox up to date: who to plan, which candidates to enqueue, and whether a
due row is still worth sending.

The outbox holds what falls due within a horizon (8 days by default); each person
also has an agenda row (`_replan`) that brings them back for planning before their
next candidate beyond the horizon, and at least weekly. People whose facts changed
since the last pass (the watermark) are planned again on the next pass.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from handlers.reminders.candidate import Candidate
from handlers.reminders.context import PlanParams
from handlers.reminders.planner import plan_people
from policy.engine import PolicyPack
from storage import outbox
from storage.models import OrgSetting
from storage.timeline import changed_people

log = logging.getLogger("supervision.engine")


@dataclass(frozen=True)
class EngineConfig:
    """Tuning of the engine (not policy: the pack decides what is due)."""

    horizon: timedelta = timedelta(days=8)
    replan_every: timedelta = timedelta(days=7)
    min_lookback: timedelta = timedelta(days=2)
    chunk: int = 500
    claim_batch: int = 200
    unplanned_batch: int = 20_000
    retry_delay: timedelta = timedelta(minutes=5)
    max_attempts: int = 5


@dataclass(frozen=True)
class Recipients:
    """Where escalations go when a supervisor has no line manager."""

    fallback_id: str | None = None
    admin_ids: tuple[str, ...] = ()


def fallback_recipients(
    session: Session, fallback_id: str | None, admins: Sequence[str]
) -> Recipients:
    """Settings first, then the organisation's stored `escalation_fallback_id`."""
    if not fallback_id:
        row = session.get(OrgSetting, "escalation_fallback_id")
        fallback_id = row.value if row is not None and row.value else None
    return Recipients(fallback_id, tuple(admins))


def params_at(session: Session, now: datetime, recipients: Recipients) -> PlanParams:
    epoch = outbox.get_instant(session, outbox.EPOCH) or now
    return PlanParams(
        as_of=now, epoch=epoch, fallback_id=recipients.fallback_id, admin_ids=recipients.admin_ids
    )


def plan_and_enqueue(
    session: Session,
    pack: PolicyPack,
    params: PlanParams,
    person_ids: Sequence[str],
    config: EngineConfig,
    window_start: datetime,
) -> int:
    """Plan `person_ids` and enqueue what falls due in [window_start, now + horizon]."""
    now = params.as_of
    limit = now + config.horizon
    start = max(window_start, params.epoch)
    ids = sorted(set(person_ids))
    enqueued = 0
    for i in range(0, len(ids), config.chunk):
        part = ids[i : i + config.chunk]
        candidates = plan_people(session, pack, params, part)
        soon = [c for c in candidates if start <= c.due_at <= limit]
        enqueued += outbox.enqueue(session, soon, now)
        replan = dict.fromkeys(part, now + config.replan_every)
        for c in candidates:
            if c.due_at > limit:
                replan[c.about_id] = min(
                    replan.get(c.about_id, c.due_at), c.due_at - config.horizon
                )
        outbox.schedule_replans(session, replan, now)
    return enqueued


def refresh(
    session: Session,
    pack: PolicyPack,
    now: datetime,
    recipients: Recipients,
    config: EngineConfig,
    *,
    sweep: bool = False,
) -> int:
    """Plan everyone whose facts changed since the last pass (and, on a sweep, anyone never
    planned). The first pass of a store sets the engine's epoch and plans everyone."""
    first = outbox.get_instant(session, outbox.EPOCH) is None
    if first:
        outbox.set_instant(session, outbox.EPOCH, now)
    mark = outbox.get_instant(session, outbox.WATERMARK)
    params = params_at(session, now, recipients)
    lookback = max(config.min_lookback, now - mark) if mark is not None else config.min_lookback
    people: set[str] = set()
    if mark is not None and mark < now:
        people |= changed_people(session, mark, now)
    if mark is None or mark < now:
        outbox.set_instant(session, outbox.WATERMARK, now)
    window = now - lookback
    enqueued = plan_and_enqueue(session, pack, params, sorted(people), config, window)
    while first or sweep:
        # People never planned: everyone on the first pass, newcomers on each sweep.
        fresh = outbox.unplanned_people(session, config.unplanned_batch)
        if not fresh:
            break
        enqueued += plan_and_enqueue(session, pack, params, fresh, config, window)
        if not first:
            break
    return enqueued


@dataclass(frozen=True)
class Verdict:
    action: str  # "send" | "drop" | "later"
    why: str = ""
    candidate: Candidate | None = None


def decide(key: str, fresh: dict[str, Candidate], now: datetime) -> Verdict:
    """Whether a due outbox row is still true now, still useful, and due."""
    c = fresh.get(key)
    if c is None:
        return Verdict("drop", "no longer applies")
    if c.due_at > now:
        return Verdict("later", f"now due {c.due_at.isoformat()}", c)
    if c.useful_until is not None and now >= c.useful_until:
        return Verdict("drop", f"too late: useful until {c.useful_until.isoformat()}", c)
    return Verdict("send", "", c)
