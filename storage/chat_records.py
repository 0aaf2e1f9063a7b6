"""Queries about session outcomes and records for chat: what waits for an outcome, records
owed and to sign, and sessions whose preparation was shared. Indexed by person."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import SupervisionSession


def awaiting_outcome(
    session: Session, supervisor_id: str, now: datetime, *, limit: int = 20
) -> list[SupervisionSession]:
    """Sessions a supervisor ran whose time has passed with no outcome recorded, newest first."""
    stmt = (
        select(SupervisionSession)
        .where(
            SupervisionSession.supervisor_id == supervisor_id,
            SupervisionSession.scheduled_at <= now,
            col(SupervisionSession.cancelled_at).is_(None),
            col(SupervisionSession.held_at).is_(None),
        )
        .order_by(col(SupervisionSession.scheduled_at).desc())
        .limit(limit)
    )
    return list(session.exec(stmt).all())


def records_owed(
    session: Session, supervisor_id: str, *, limit: int = 50
) -> list[SupervisionSession]:
    """Held sessions whose record the supervisor has not shared yet, oldest first."""
    stmt = (
        select(SupervisionSession)
        .where(
            SupervisionSession.supervisor_id == supervisor_id,
            col(SupervisionSession.held_at).is_not(None),
            col(SupervisionSession.record_shared_at).is_(None),
        )
        .order_by(col(SupervisionSession.held_at))
        .limit(limit)
    )
    return list(session.exec(stmt).all())


def records_to_sign(
    session: Session, supervisee_id: str, *, limit: int = 50
) -> list[SupervisionSession]:
    """Shared records the supervisee has not signed (nor been deemed to agree), oldest first."""
    stmt = (
        select(SupervisionSession)
        .where(
            SupervisionSession.supervisee_id == supervisee_id,
            col(SupervisionSession.record_shared_at).is_not(None),
            col(SupervisionSession.record_signed_at).is_(None),
            col(SupervisionSession.record_deemed_agreed_at).is_(None),
        )
        .order_by(col(SupervisionSession.record_shared_at))
        .limit(limit)
    )
    return list(session.exec(stmt).all())


def shared_prep_sessions(
    session: Session, supervisee_id: str, supervisor_id: str, *, limit: int = 5
) -> list[SupervisionSession]:
    """Sessions of the pair whose preparation the supervisee shared, latest first."""
    stmt = (
        select(SupervisionSession)
        .where(
            SupervisionSession.supervisee_id == supervisee_id,
            SupervisionSession.supervisor_id == supervisor_id,
            col(SupervisionSession.prep_shared_at).is_not(None),
            col(SupervisionSession.cancelled_at).is_(None),
        )
        .order_by(col(SupervisionSession.scheduled_at).desc())
        .limit(limit)
    )
    return list(session.exec(stmt).all())
