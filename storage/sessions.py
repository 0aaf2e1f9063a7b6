"""Supervision sessions: every state change stored with the instant it happened.

Booking, holding, cancelling, rearranging and the record's sharing and signing
each set one instant on the row, so the organisation's state as of any instant
is derived from the same rows. The supervisor of a session is the supervisee's
supervisor on the session's local date, from the supervisor-change history.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from bot.clock import local_date, require_aware
from storage.models import Person, SupervisionSession, SupervisorChange
from storage.people import OrgError
from storage.status_queries import chunks


class SupervisorHistory:
    """Who supervised whom on which day, loaded once for a set of people."""

    def __init__(self, session: Session, person_ids: Iterable[str]) -> None:
        ids = sorted(set(person_ids))
        self._changes: dict[str, list[tuple[date, int, str | None]]] = {}
        self._current: dict[str, str | None] = {}
        for part in chunks(ids):
            for ch in session.exec(
                select(SupervisorChange).where(col(SupervisorChange.person_id).in_(part))
            ):
                self._changes.setdefault(ch.person_id, []).append(
                    (ch.effective, ch.id or 0, ch.supervisor_id)
                )
            for pid, sup in session.exec(
                select(Person.id, Person.supervisor_id).where(col(Person.id).in_(part))
            ):
                self._current[pid] = sup
        for changes in self._changes.values():
            changes.sort(key=lambda c: (c[0], c[1]))

    def supervisor_on(self, person_id: str, day: date) -> str | None:
        """The supervisor on `day`: the latest change effective by then (see status_queries)."""
        changes = self._changes.get(person_id)
        if not changes:
            return self._current.get(person_id)
        i = bisect_right([c[0] for c in changes], day)
        return changes[i - 1][2] if i > 0 else None


def book(
    session: Session,
    supervisee: Person,
    scheduled_at: datetime,
    booked_at: datetime,
    *,
    supervisor_id: str | None = None,
    kind: str = "individual",
    duration_minutes: int = 90,
    rearranged_from_id: int | None = None,
) -> SupervisionSession:
    """Book a session; the supervisor defaults to the supervisee's on that local day."""
    require_aware(scheduled_at)
    require_aware(booked_at)
    if supervisor_id is None:
        day = local_date(scheduled_at, supervisee.timezone)
        supervisor_id = SupervisorHistory(session, [supervisee.id]).supervisor_on(
            supervisee.id, day
        )
    row = SupervisionSession(
        supervisee_id=supervisee.id,
        supervisor_id=supervisor_id,
        kind=kind,
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        booked_at=booked_at,
        rearranged_from_id=rearranged_from_id,
    )
    session.add(row)
    session.flush()
    return row


def _open(row: SupervisionSession, what: str) -> None:
    if row.cancelled_at is not None:
        raise OrgError(f"Session {row.id} was cancelled; it cannot be {what}.")


def mark_held(session: Session, row: SupervisionSession, at: datetime) -> SupervisionSession:
    """Record that the session took place (`at` is when that became known)."""
    require_aware(at)
    _open(row, "held")
    row.held_at = at
    session.add(row)
    session.flush()
    return row


def cancel(
    session: Session, row: SupervisionSession, at: datetime, reason: str
) -> SupervisionSession:
    """Cancel a session that has not been held."""
    require_aware(at)
    if row.held_at is not None:
        raise OrgError(f"Session {row.id} was held; it cannot be cancelled.")
    row.cancelled_at = at
    row.cancel_reason = reason
    session.add(row)
    session.flush()
    return row


def rearrange(
    session: Session, row: SupervisionSession, new_time: datetime, at: datetime
) -> SupervisionSession:
    """Cancel `row` (reason 'rearranged') and book its replacement at `new_time`."""
    cancel(session, row, at, "rearranged")
    supervisee = session.get(Person, row.supervisee_id)
    if supervisee is None:  # pragma: no cover - foreign key guarantees it
        raise OrgError(f"Session {row.id} has no supervisee.")
    return book(
        session,
        supervisee,
        new_time,
        at,
        supervisor_id=row.supervisor_id,
        kind=row.kind,
        duration_minutes=row.duration_minutes,
        rearranged_from_id=row.id,
    )


def share_record(session: Session, row: SupervisionSession, at: datetime) -> SupervisionSession:
    require_aware(at)
    if row.held_at is None:
        raise OrgError(f"Session {row.id} has not been held; there is no record to share.")
    row.record_shared_at = at
    session.add(row)
    session.flush()
    return row


def sign_record(session: Session, row: SupervisionSession, at: datetime) -> SupervisionSession:
    require_aware(at)
    if row.held_at is None:
        raise OrgError(f"Session {row.id} has not been held; there is no record to sign.")
    row.record_signed_at = at
    session.add(row)
    session.flush()
    return row


def end_of(row: SupervisionSession) -> datetime:
    """When the session is planned to end."""
    return row.scheduled_at + timedelta(minutes=row.duration_minutes)
