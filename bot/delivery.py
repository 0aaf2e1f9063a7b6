"""Delivering the messages a pass has claimed: decide each row, send it at most once.

`decide_row` runs in the claim's transaction: postpone, drop or fail the row, or return
the message to send. `send_all` then sends each message between two commits ("sending"
before the transport is called, "sent" after, with the next message's "sending"), so a
crash or a failed commit can never send it twice; `recover` fails rows a crash left
"sending" (they may have arrived) and releases claims a stopped replica never sent. The
per-message updates run on one plain connection: they are the hot path of a busy morning
and of the simulation, and need nothing of the ORM.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.clock import Clock
from bot.transport import DeliveryFailed, OutgoingMessage, Transport
from handlers.reminders.agenda import EngineConfig, decide
from handlers.reminders.candidate import EFFECT_DEEM_AGREED, Candidate
from storage import outbox, outbox_claims
from storage.chat_queries import notice_once
from storage.db import session_scope
from storage.models import Outbox, Person

log = logging.getLogger("supervision.engine")


@dataclass
class DispatchReport:
    """What one pass did."""

    planned: int = 0
    sent: list[OutgoingMessage] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (key, why)
    failed: list[tuple[str, str]] = field(default_factory=list)
    retrying: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    """A row decided "send" and claimed: what to hand to the transport after the commit."""

    row_id: int
    person: Person
    message: OutgoingMessage
    attempts: int
    useful_until: datetime | None


def recover(engine: Engine, now: datetime, cfg: EngineConfig, report: DispatchReport) -> None:
    """Claims of a replica that stopped before sending are released; rows it left
    "sending" may or may not have arrived: they are failed, logged and admins told,
    never sent again."""
    older = now - cfg.claim_timeout
    with session_scope(engine) as session:
        if not outbox_claims.any_stale(session, older):
            return
        released = outbox_claims.release_stale_claims(session, older)
        if released:
            log.warning("released %d claimed messages a stopped replica never sent", released)
        for row in outbox_claims.interrupted_sends(session, older):
            why = "interrupted while sending: it may not have arrived, and is not sent again"
            outbox_claims.mark(row, outbox.FAILED, now, why)
            report.failed.append((row.key, why))
            log.error("%s was %s", row.key, why)
            notice_once(
                session,
                f"engine.interrupted:{row.key}",
                f"The bot stopped while sending a {row.kind.replace('_', ' ')} to "
                f"{row.recipient_id} (due {row.due_at:%Y-%m-%d %H:%M} UTC). It may not have "
                "arrived and will not be sent again: please check with them.",
                now,
            )


_SESSIONS: Any = SQLModel.metadata.tables["supervision_session"]
# A record not signed (nor deemed agreed already) is deemed agreed at the message's due
# instant; built once (building a statement costs more than running it), on the table
# itself (a Core statement: run for many sessions at once).
_DEEM_AGREED = (
    update(_SESSIONS)
    .where(
        _SESSIONS.c.id == bindparam("session_id"),
        _SESSIONS.c.record_signed_at.is_(None),
        _SESSIONS.c.record_deemed_agreed_at.is_(None),
    )
    .values(record_deemed_agreed_at=bindparam("at"))
)


def decide_row(
    row: outbox_claims.DueRow,
    fresh: dict[str, Candidate],
    people: dict[str, Person],
    transport: Transport,
    now: datetime,
    report: DispatchReport,
    changed: set[str],
    settlement: outbox_claims.Settlement,
) -> Job | None:
    """Postpone, drop or fail the row (through `settlement`, written in the claim's
    transaction), or return the message to send once the claim is committed. A record
    state change a message announces (deemed agreed) is written with the claim, whether
    or not the message can be delivered."""
    verdict = decide(row.key, fresh, now)
    if verdict.action == "later":
        assert verdict.candidate is not None
        settlement.postpone(row, verdict.candidate.due_at)
        return None
    if verdict.action == "drop":
        settlement.settle(row, outbox.DROPPED, verdict.why)
        log.info("dropped %s: %s", row.key, verdict.why)
        report.dropped.append((row.key, verdict.why))
        return None
    c = verdict.candidate
    assert c is not None
    if c.effect == EFFECT_DEEM_AGREED and c.session_id is not None:
        settlement.effect(_DEEM_AGREED, {"session_id": c.session_id, "at": c.due_at})
        changed.add(c.about_id)
    person = people.get(row.recipient_id)
    if person is None or not person.active or not transport.can_reach(person):
        settlement.settle(row, outbox.FAILED, "recipient cannot be reached")
        report.failed.append((row.key, "recipient cannot be reached"))
        log.warning("cannot reach %s for %s", row.recipient_id, row.key)
        return None
    message = OutgoingMessage(
        key=c.key,
        kind=c.kind,
        recipient_id=c.recipient_id,
        about_id=c.about_id,
        session_id=c.session_id,
        session_at=c.session_at,
        reason=c.reason,
        due_at=c.due_at,
        reply=c.reply,
        sent_at=now,
    )
    return Job(row.id, person, message, row.attempts, c.useful_until)


def send_all(
    engine: Engine,
    jobs: list[Job],
    transport: Transport,
    worker_id: str,
    clock: Clock,
    now: datetime,
    cfg: EngineConfig,
    report: DispatchReport,
) -> None:
    """Send claimed messages in order, each at most once.

    Messages are marked "sending" and committed before the transport is called, `cfg.
    send_batch` at a time; once the transport has taken them, they are marked "sent" in
    the transaction that marks the next ones "sending" (one commit per batch, on one
    connection). A crash or a failed commit leaves at most the batch in hand "sending":
    reported, never sent twice. The live loop sends one at a time, so a crash leaves at
    most one message in doubt; the simulation, which has no crash to survive, whole batches.
    """
    if not jobs:
        return
    delivered: list[Job] = []  # taken by the transport, not yet marked sent
    size = max(cfg.send_batch, 1)
    with engine.connect() as conn:
        try:
            for i in range(0, len(jobs), size):
                group = jobs[i : i + size]
                with conn.begin():
                    outbox_claims.mark_sent(conn, _sent(delivered), now)
                    started = outbox_claims.start_sending(
                        conn, [j.row_id for j in group], worker_id, clock.now()
                    )
                delivered = []
                for job in group:
                    if job.row_id not in started:
                        log.info(
                            "the claim on %s was released before sending; another pass has it",
                            job.message.key,
                        )
                    elif _deliver(engine, job, transport, now, cfg, report):
                        delivered.append(job)
        finally:
            if delivered:
                try:
                    with conn.begin():
                        outbox_claims.mark_sent(conn, _sent(delivered), now)
                except Exception:
                    log.exception(
                        "%s sent but not marked sent; left 'sending', never resent",
                        ", ".join(j.message.key for j in delivered),
                    )


def _sent(jobs: list[Job]) -> list[tuple[int, int]]:
    return [(j.row_id, j.attempts + 1) for j in jobs]


def _deliver(
    engine: Engine,
    job: Job,
    transport: Transport,
    now: datetime,
    cfg: EngineConfig,
    report: DispatchReport,
) -> bool:
    """Hand one message (already "sending") to the transport: True if it took it."""
    try:
        transport.send(job.person, job.message)
    except DeliveryFailed as exc:
        _failed(engine, job, now, cfg, report, str(exc), permanent=exc.permanent)
        return False
    except Exception as exc:  # any failure of one message must not undo the others
        log.exception("sending %s raised", job.message.key)
        _failed(engine, job, now, cfg, report, f"{type(exc).__name__}: {exc}", permanent=False)
        return False
    report.sent.append(job.message)
    return True


def retry_at(attempts: int, now: datetime, cfg: EngineConfig) -> datetime:
    """When to try again after `attempts` failed deliveries: exponential back-off, capped."""
    return now + min(cfg.retry_delay * 2 ** max(attempts - 1, 0), cfg.retry_max_delay)


def _failed(
    engine: Engine,
    job: Job,
    now: datetime,
    cfg: EngineConfig,
    report: DispatchReport,
    why: str,
    *,
    permanent: bool,
) -> None:
    """Retry while the message is still useful (escalations and other messages useful
    however late: for `retry_for`); otherwise it has failed."""
    key, attempts = job.message.key, job.attempts + 1
    again = retry_at(attempts, now, cfg)
    until = job.useful_until or job.message.due_at + cfg.retry_for
    with session_scope(engine) as session:
        row = session.get(Outbox, job.row_id)
        if row is None:
            return
        row.attempts, row.error, row.claimed_by = attempts, why[:2000], None
        if permanent or again >= until:
            row.status = outbox.FAILED
            report.failed.append((key, why))
            log.warning("delivery of %s failed after %d attempts: %s", key, attempts, why)
        else:
            row.status, row.due_at = outbox.PENDING, again
            report.retrying.append((key, why))
            log.warning(
                "delivery of %s failed (%s); attempt %d, retrying at %s",
                key,
                why,
                attempts,
                again.isoformat(),
            )
