"""Queries and writes the chat handlers need: people, who sees whom, sessions and records.

Every write takes the instant it happens (from the injected clock) and is
idempotent where a button may be pressed twice: booking the same person at the
same instant, cancelling a cancelled session or signing a signed record changes
nothing and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import AdminNotice, Person, ProcessedEvent, SupervisionSession


def get_person(session: Session, person_id: str) -> Person | None:
    return session.get(Person, person_id)


def person_by_slack_id(session: Session, slack_user_id: str) -> Person | None:
    return session.exec(select(Person).where(Person.slack_user_id == slack_user_id)).first()


def person_by_email(session: Session, email: str) -> Person | None:
    """The active person with this email (case-insensitive), if exactly one."""
    rows = session.exec(
        select(Person).where(func.lower(Person.email) == email.strip().lower(), Person.active)
    ).all()
    return rows[0] if len(rows) == 1 else None


def link_slack_user(session: Session, person_id: str, slack_user_id: str) -> None:
    """Remember a person's Slack user id (found by email) so the next lookup is direct."""
    person = session.get(Person, person_id)
    if person is not None and person.slack_user_id != slack_user_id:
        person.slack_user_id = slack_user_id
        session.add(person)
        session.flush()


def supervisees_of(session: Session, supervisor_id: str) -> list[Person]:
    """Active people whose current supervisor is `supervisor_id`, by name."""
    stmt = (
        select(Person)
        .where(Person.supervisor_id == supervisor_id, Person.active)
        .order_by(Person.name)
    )
    return list(session.exec(stmt).all())


def people_under_manager(session: Session, manager_id: str) -> list[Person]:
    """Everyone a line manager oversees: the supervisors they manage and their people."""
    supervisor = aliased(Person)
    second = (
        select(Person)
        .join(supervisor, col(Person.supervisor_id) == supervisor.id)
        .where(supervisor.supervisor_id == manager_id, Person.active)
    )
    people = {p.id: p for p in supervisees_of(session, manager_id)}
    for p in session.exec(second).all():
        people.setdefault(p.id, p)
    return sorted(people.values(), key=lambda p: p.name)


def active_people(session: Session) -> list[Person]:
    return list(session.exec(select(Person).where(Person.active).order_by(Person.name)).all())


def people_named(session: Session, name: str, among: Sequence[str] | None) -> list[Person]:
    """Active people whose full name, a word of their name, or id is `name` (case-insensitive).

    `among`: only these ids (None: anyone). Exact full-name or id matches win over word matches.
    """
    wanted = " ".join(name.strip().lower().split())
    if not wanted or (among is not None and not among):
        return []
    lname = func.lower(Person.name)
    stmt = select(Person).where(
        Person.active,
        (lname == wanted)
        | (func.lower(Person.id) == wanted)
        | lname.like(f"{wanted} %")
        | lname.like(f"% {wanted}")
        | lname.like(f"% {wanted} %"),
    )
    if among is not None:
        stmt = stmt.where(col(Person.id).in_(list(among)))
    rows = list(session.exec(stmt.order_by(Person.name).limit(50)).all())
    exact = [p for p in rows if p.name.lower() == wanted or p.id.lower() == wanted]
    return exact or rows


def _involving(person_id: str) -> object:
    return (SupervisionSession.supervisee_id == person_id) | (
        SupervisionSession.supervisor_id == person_id
    )


def upcoming_sessions(
    session: Session, person_id: str, now: datetime, *, limit: int = 10
) -> list[SupervisionSession]:
    """Booked, not cancelled, not yet held sessions from `now` on, involving the person."""
    stmt = (
        select(SupervisionSession)
        .where(
            _involving(person_id),  # type: ignore[arg-type]
            SupervisionSession.scheduled_at >= now,
            col(SupervisionSession.cancelled_at).is_(None),
            col(SupervisionSession.held_at).is_(None),
        )
        .order_by(col(SupervisionSession.scheduled_at))
        .limit(limit)
    )
    return list(session.exec(stmt).all())


@dataclass(frozen=True)
class WriteResult:
    """What a write did: `changed` is False when it had already been done (a second press)."""

    session: SupervisionSession
    changed: bool


def book_session(
    session: Session,
    *,
    supervisee_id: str,
    supervisor_id: str | None,
    at: datetime,
    booked_at: datetime,
    duration_minutes: int = 90,
    rearranged_from_id: int | None = None,
) -> WriteResult:
    """Book a session; booking the same supervisee at the same instant again changes nothing."""
    existing = session_at(session, supervisee_id, at)
    if existing is not None:
        return WriteResult(existing, False)
    row = SupervisionSession(
        supervisee_id=supervisee_id,
        supervisor_id=supervisor_id,
        scheduled_at=at,
        booked_at=booked_at,
        duration_minutes=duration_minutes,
        rearranged_from_id=rearranged_from_id,
    )
    session.add(row)
    session.flush()
    _replan(session, row, booked_at)
    return WriteResult(row, True)


def session_at(session: Session, supervisee_id: str, at: datetime) -> SupervisionSession | None:
    """The supervisee's booked (not cancelled) session starting exactly at `at`."""
    return session.exec(
        select(SupervisionSession).where(
            SupervisionSession.supervisee_id == supervisee_id,
            SupervisionSession.scheduled_at == at,
            col(SupervisionSession.cancelled_at).is_(None),
        )
    ).first()


def get_session(session: Session, session_id: int) -> SupervisionSession | None:
    return session.get(SupervisionSession, session_id)


def _save(session: Session, row: SupervisionSession, at: datetime) -> WriteResult:
    session.add(row)
    session.flush()
    _replan(session, row, at)
    return WriteResult(row, True)


def _replan(session: Session, row: SupervisionSession, at: datetime) -> None:
    """Tell the engine, in this transaction, that the supervisee's facts changed (a fact
    dated before the engine's last pass, such as a session marked held afterwards, would
    otherwise wait for the person's next planned instant)."""
    from storage.agenda_rows import request_replan

    request_replan(session, [row.supervisee_id], at)


def cancel_session(
    session: Session, row: SupervisionSession, reason: str, at: datetime
) -> WriteResult:
    if row.cancelled_at is not None or row.held_at is not None:
        return WriteResult(row, False)
    row.cancelled_at = at
    row.cancel_reason = reason[:500]
    return _save(session, row, at)


def rearrange_session(
    session: Session, row: SupervisionSession, new_at: datetime, at: datetime
) -> WriteResult:
    """Cancel `row` as 'rearranged' and book its replacement (the original date stays on record).

    Rearranging an already rearranged session to the same time returns the replacement.
    """
    if row.cancelled_at is not None and row.cancel_reason == "rearranged":
        replacement = session.exec(
            select(SupervisionSession).where(SupervisionSession.rearranged_from_id == row.id)
        ).first()
        if replacement is not None:
            return WriteResult(replacement, False)
    if row.cancelled_at is not None or row.held_at is not None:
        return WriteResult(row, False)
    row.cancelled_at = at
    row.cancel_reason = "rearranged"
    session.add(row)
    return book_session(
        session,
        supervisee_id=row.supervisee_id,
        supervisor_id=row.supervisor_id,
        at=new_at,
        booked_at=at,
        duration_minutes=row.duration_minutes,
        rearranged_from_id=row.id,
    )


def mark_held(
    session: Session, row: SupervisionSession, at: datetime | None = None
) -> WriteResult:
    """Record that the session took place (at its scheduled instant); `at` is when this
    was said (default: the session's start)."""
    if row.held_at is not None or row.cancelled_at is not None:
        return WriteResult(row, False)
    row.held_at = row.scheduled_at
    return _save(session, row, at or row.scheduled_at)


def share_record(session: Session, row: SupervisionSession, at: datetime) -> WriteResult:
    if row.record_shared_at is not None or row.held_at is None:
        return WriteResult(row, False)
    row.record_shared_at = at
    return _save(session, row, at)


def sign_record(session: Session, row: SupervisionSession, at: datetime) -> WriteResult:
    if row.record_shared_at is None or row.record_signed_at is not None:
        return WriteResult(row, False)
    row.record_signed_at = at
    return _save(session, row, at)


def release_event(session: Session, platform: str, event_key: str) -> None:
    """Forget a claimed event whose handling failed, so the platform's retry is handled."""
    row = session.get(ProcessedEvent, (platform, event_key[:300]))
    if row is not None:
        session.delete(row)
        session.flush()


def claim_event(session: Session, platform: str, event_key: str, at: datetime) -> bool:
    """Record an inbound event as handled; False when it already was (a retry or second press)."""
    if session.get(ProcessedEvent, (platform, event_key[:300])) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(platform=platform, event_key=event_key[:300], handled_at=at))
    except IntegrityError:
        return False
    return True


def notice_once(session: Session, key: str, text: str, at: datetime) -> bool:
    """Record an admin notice; False when the same notice was already given."""
    if session.get(AdminNotice, key[:300]) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(AdminNotice(key=key[:300], text=text[:4000], created_at=at))
    except IntegrityError:
        return False
    return True


def purge_processed_events(session: Session, before: datetime) -> int:
    """Forget inbound events handled before `before` (platform retries come within minutes)."""
    result = session.exec(delete(ProcessedEvent).where(col(ProcessedEvent.handled_at) < before))
    return int(result.rowcount or 0)
