"""Keeping the outbox up to date: who to plan, which candidates to enqueue, and whether a
due row is still worth sending.

The outbox holds what falls due within a horizon (15 days by default); each person
also has an agenda row (`_replan`) that brings them back for planning before their
next candidate beyond the horizon, and at least fortnightly. People whose facts changed
since the last pass (the watermark, advanced only once a pass has enqueued), people a
writer asked to be planned again (`agenda_rows.request_replan`), and on sweeps people with
rows added since the previous sweeps (whatever instants those rows carry) are planned
again on the next pass.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.clock import ceil_hour
from handlers.reminders.candidate import ESCALATION, Candidate
from handlers.reminders.context import PlanParams
from handlers.reminders.planner import plan_people
from policy.engine import PolicyPack
from storage import agenda_rows, engine_instants, outbox
from storage.fact_changes import changed_people, new_rows_since
from storage.models import OrgSetting
from storage.timeline import SteadyFacts

log = logging.getLogger("supervision.engine")


@dataclass(frozen=True)
class EngineConfig:
    """Tuning of the engine (not policy: the pack decides what is due)."""

    horizon: timedelta = timedelta(days=15)
    replan_every: timedelta = timedelta(days=14)
    min_lookback: timedelta = timedelta(days=2)
    # After a gap between passes (downtime), the window reaches back to the previous pass,
    # so what fell due meanwhile is still judged. A replay's gaps are jumps of its clock
    # over instants when nothing happens, not downtime: there the window stays fixed, as
    # in a live loop that never stopped (which passes at least hourly).
    catch_up: bool = True
    chunk: int = 500
    claim_batch: int = 200
    # Messages marked "sending" per commit: a crash leaves at most these in doubt (sent or
    # not), never sent again. One in the live loop; the simulation never crashes.
    send_batch: int = 1
    unplanned_batch: int = 20_000
    # Delivery retries back off exponentially from `retry_delay` up to `retry_max_delay`,
    # while the message is still useful; messages useful however late (escalations,
    # overdue notices) keep retrying for `retry_for`.
    retry_delay: timedelta = timedelta(minutes=5)
    retry_max_delay: timedelta = timedelta(hours=2)
    retry_for: timedelta = timedelta(days=7)
    # A claimed row not yet handed to a transport after this long belongs to a replica that
    # stopped: it is released. A row left "sending" this long is reported, never resent.
    claim_timeout: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.claim_batch < 1 or self.chunk < 1:
            raise ValueError("the engine claims and plans at least one row at a time")


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


def params_at(
    now: datetime,
    recipients: Recipients,
    config: EngineConfig,
    window_start: datetime,
    epoch: datetime,
    steady: SteadyFacts | None = None,
) -> PlanParams:
    """Planning parameters at `now`: only candidates a pass can use are built, due from
    `window_start` up to the horizon plus one replan period. `epoch`: the engine's epoch, as
    the pass read it (`changed_since_last_pass`; it never moves once set)."""
    return PlanParams(
        as_of=now,
        epoch=epoch,
        fallback_id=recipients.fallback_id,
        admin_ids=recipients.admin_ids,
        earliest=window_start,
        latest=now + config.horizon + config.replan_every,
        steady=steady,
    )


def enqueue_planned(
    session: Session,
    planned: dict[str, list[Candidate]],
    params: PlanParams,
    config: EngineConfig,
    window_start: datetime,
    made: dict[str, datetime] | None = None,
) -> list[Candidate]:
    """Enqueue the planned candidates that fall due in [window_start, now + horizon]
    (escalations however early: their key sends each lapse once, and a lapse learnt of late
    must still be raised), and book each person's next planning: the midnight (UTC) before
    their next candidate beyond the horizon enters it, and at least every `replan_every`
    from when the plan was made (`made`, default now: a kept plan sees candidates only up
    to its own `latest`, so the next planning must come before what it cannot see)."""
    now = params.as_of
    limit = now + config.horizon
    start = max(window_start, params.epoch)
    lead = config.horizon - timedelta(days=1)
    soon: list[Candidate] = []
    replan: dict[str, datetime] = {}
    for person, candidates in planned.items():
        at = (made.get(person, now) if made else now) + config.replan_every
        for c in candidates:
            if c.due_at > limit:
                at = min(at, c.due_at - lead)
            elif c.due_at >= start or c.kind == ESCALATION:
                soon.append(c)
        replan[person] = _midnight(at)
    written = outbox.enqueue(session, soon, now)
    agenda_rows.schedule_replans(session, replan, now)
    return written


def plan_and_enqueue(
    session: Session,
    pack: PolicyPack,
    params: PlanParams,
    person_ids: Sequence[str],
    config: EngineConfig,
    window_start: datetime,
) -> int:
    """Plan `person_ids` chunk by chunk and enqueue what falls due soon."""
    ids = sorted(set(person_ids))
    enqueued = 0
    for i in range(0, len(ids), config.chunk):
        part = ids[i : i + config.chunk]
        planned: dict[str, list[Candidate]] = {p: [] for p in part}
        for c in plan_people(session, pack, params, part):
            planned.setdefault(c.about_id, []).append(c)
        enqueued += len(enqueue_planned(session, planned, params, config, window_start))
    return enqueued


@dataclass(frozen=True)
class PassStart:
    """What a pass starts from: who changed, the window to enqueue from, whether this is
    the store's first pass (which set the epoch), and the epoch."""

    people: set[str]
    window: datetime
    first: bool
    epoch: datetime


def changed_since_last_pass(
    session: Session,
    now: datetime,
    config: EngineConfig,
    *,
    sweep: bool = False,
    changes: Callable[[datetime, datetime], set[str]] | None = None,
) -> PassStart:
    """People whose facts became known since the last pass, the start of the window to
    enqueue for them, and whether this is the store's first pass (which sets the epoch).

    The window opens `min_lookback` before the top of the pass's hour (and, catching up
    after downtime, no later than the previous pass). The watermark is not moved here:
    `advance_watermark` moves it once the pass has enqueued, so a pass that fails
    part-way leaves the changes for the next one. On a
    sweep, rows added since the previous sweeps are found by id (`new_rows_since`):
    the safety net for writers that date facts before the instant they write them.
    `changes` answers `changed_people` where it is known beforehand (a replay's agenda).
    """
    epoch, mark = engine_instants.get_instants(
        session, engine_instants.EPOCH, engine_instants.WATERMARK
    )
    first = epoch is None
    if epoch is None:
        epoch = now
        engine_instants.set_instant(session, engine_instants.EPOCH, now)
    # From the top of the hour: however a pass falls within its hour (a row due at 13:30,
    # the 14:00 sweep), it looks back on the same rows.
    window = ceil_hour(now) - config.min_lookback
    if mark is not None and config.catch_up:
        window = min(window, mark)
    people: set[str] = set()
    if mark is not None and mark < now:
        people = changes(mark, now) if changes else changed_people(session, mark, now)
    if sweep or first:
        people |= _new_rows(session)
    return PassStart(people, window, first, epoch)


def advance_watermark(session: Session, now: datetime) -> None:
    """Everything known by `now` has been planned and enqueued (never moves backwards)."""
    mark = engine_instants.get_instant(session, engine_instants.WATERMARK)
    if mark is None or mark < now:
        engine_instants.set_instant(session, engine_instants.WATERMARK, now)


ROW_MARKS = "engine.row_marks"


def _new_rows(session: Session) -> set[str]:
    """People concerned by rows added since the sweep before last (by primary key).

    Looking back two sweeps, not one, covers a long transaction (an import) whose rows
    took lower ids than rows another writer committed first. The first sweep only
    records where the tables stand.
    """
    row = session.get(OrgSetting, ROW_MARKS)
    marks = json.loads(row.value) if row is not None else None
    since = marks["prev"] if marks else None
    people, latest = new_rows_since(session, since)
    value = json.dumps({"prev": marks["seen"] if marks else latest, "seen": latest})
    if row is None or row.value != value:
        if row is None:
            session.add(OrgSetting(key=ROW_MARKS, value=value))
        else:
            row.value = value
    return people if since is not None else set()


def plan_unplanned(
    session: Session,
    pack: PolicyPack,
    params: PlanParams,
    config: EngineConfig,
    window_start: datetime,
    *,
    everyone: bool,
) -> int:
    """Plan people never planned: everyone on the store's first pass, newcomers on sweeps."""
    enqueued = 0
    while True:
        fresh = agenda_rows.unplanned_people(session, config.unplanned_batch)
        if not fresh:
            return enqueued
        enqueued += plan_and_enqueue(session, pack, params, fresh, config, window_start)
        if not everyone:
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


def _midnight(at: datetime) -> datetime:
    """The start of `at`'s UTC day."""
    from datetime import UTC

    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
