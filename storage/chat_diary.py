"""Diary queries for chat: overlapping sessions (clash checks) and who is absent when.

Indexed lookups only: sessions by person and start instant, absences by person and days.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from bot.clock import local_instant
from storage.models import Absence, SupervisionSession

LONGEST_SESSION = timedelta(hours=4)  # sessions starting this long before `start` may still run


def clashing_sessions(
    session: Session,
    person_ids: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    ignore_id: int | None = None,
) -> list[SupervisionSession]:
    """Booked (not cancelled) sessions of any of `person_ids` that overlap [start, end)."""
    ids = [p for p in person_ids if p]
    if not ids:
        return []
    stmt = (
        select(SupervisionSession)
        .where(
            (col(SupervisionSession.supervisee_id).in_(ids))
            | (col(SupervisionSession.supervisor_id).in_(ids)),
            col(SupervisionSession.cancelled_at).is_(None),
            SupervisionSession.scheduled_at < end,
            SupervisionSession.scheduled_at > start - LONGEST_SESSION,
        )
        .order_by(col(SupervisionSession.scheduled_at))
    )
    rows = []
    for row in session.exec(stmt).all():
        finish = row.scheduled_at + timedelta(minutes=row.duration_minutes or 90)
        if row.id != ignore_id and finish > start:
            rows.append(row)
    return rows


def sessions_between(
    session: Session, person_ids: Sequence[str], start: datetime, end: datetime
) -> list[SupervisionSession]:
    """Booked (not cancelled) sessions of any of `person_ids` starting in [start, end)."""
    ids = [p for p in person_ids if p]
    if not ids:
        return []
    stmt = select(SupervisionSession).where(
        (col(SupervisionSession.supervisee_id).in_(ids))
        | (col(SupervisionSession.supervisor_id).in_(ids)),
        col(SupervisionSession.cancelled_at).is_(None),
        SupervisionSession.scheduled_at >= start,
        SupervisionSession.scheduled_at < end,
    )
    return list(session.exec(stmt).all())


def absence_on(session: Session, person_id: str, day: date) -> Absence | None:
    """The person's absence covering `day`, if any (the one ending latest)."""
    stmt = (
        select(Absence)
        .where(Absence.person_id == person_id, Absence.first_day <= day, Absence.last_day >= day)
        .order_by(col(Absence.last_day).desc())
    )
    return session.exec(stmt).first()


def sessions_on(session: Session, supervisee_id: str, day: date, tz_name: str) -> datetime | None:
    """The start of the supervisee's first booked session on `day` (local), if any."""
    start = local_instant(day, time(0, 0), tz_name)
    rows = sessions_between(session, [supervisee_id], start, start + timedelta(days=1))
    mine = sorted(r.scheduled_at for r in rows if r.supervisee_id == supervisee_id)
    return mine[0] if mine else None
