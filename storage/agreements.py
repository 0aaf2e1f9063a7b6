"""Supervision agreements: recording one signed (an import, or a button in chat)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from storage.agenda_rows import request_replan
from storage.models import Agreement


def record_agreement(
    session: Session, supervisee_id: str, supervisor_id: str, signed_on: date, now: datetime
) -> bool:
    """Record that `supervisee_id` and `supervisor_id` signed an agreement on `signed_on`
    (recorded at `now`); False when that agreement is on record already. The engine plans
    them again (an agreement reminder may no longer apply)."""
    found = session.exec(
        select(Agreement.id).where(
            col(Agreement.supervisee_id) == supervisee_id,
            col(Agreement.supervisor_id) == supervisor_id,
            col(Agreement.signed_on) == signed_on,
        )
    ).first()
    if found is not None:
        return False
    session.add(
        Agreement(
            supervisee_id=supervisee_id,
            supervisor_id=supervisor_id,
            signed_on=signed_on,
            recorded_at=now,
        )
    )
    session.flush()
    request_replan(session, [supervisee_id], now)
    return True
