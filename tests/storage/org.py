"""Small helpers to build an organisation in a test database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from storage.models import Person, SupervisionSession, SupervisorChange

LONDON = ZoneInfo("Europe/London")
RECORDED = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)


def london(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


def person(
    s: Session,
    pid: str,
    role: str = "social_worker",
    supervisor: str | None = None,
    start: date = date(2024, 1, 1),
    since: date | None = None,
    **extra: object,
) -> Person:
    p = Person(id=pid, name=pid.title(), role=role, role_start=start, **extra)  # type: ignore[arg-type]
    s.add(p)
    s.flush()
    if supervisor is not None:
        p.supervisor_id = supervisor
        s.add(SupervisorChange(person_id=pid, supervisor_id=supervisor,
                               effective=since or start, recorded_at=RECORDED))
        s.flush()
    return p


def session_row(
    s: Session,
    supervisee: str,
    at: datetime,
    *,
    booked: datetime | None = None,
    held: datetime | None = None,
    cancelled: datetime | None = None,
    kind: str = "individual",
) -> SupervisionSession:
    row = SupervisionSession(
        supervisee_id=supervisee,
        scheduled_at=at,
        booked_at=booked or RECORDED,
        held_at=held,
        cancelled_at=cancelled,
        cancel_reason="sickness" if cancelled else None,
        kind=kind,
    )
    s.add(row)
    s.flush()
    return row
