"""Who may see and change what in reflective supervision: the one place these rules live.

- Preparation notes belong to the supervisee. The session's supervisor may read
  them only after the supervisee shared that session's notes; nobody else ever
  (not line managers, not admins): supervision is "private but not confidential"
  for records (Leeds 2023 s4.16), but preparation is the supervisee's own.
- Actions agreed in supervision: the supervisee, the owner and the supervisor may
  record and complete them; the supervisor's line manager may read them.
"""

from __future__ import annotations

from enum import Enum

from sqlmodel import Session

from storage.models import ActionItem, Person, SupervisionSession


class Access(Enum):
    NONE = "none"
    READ = "read"
    WRITE = "write"


def session_supervisor_id(db: Session, sess: SupervisionSession) -> str | None:
    """The supervisor of a session: the one booked with it, else the supervisee's current one."""
    if sess.supervisor_id:
        return sess.supervisor_id
    supervisee = db.get(Person, sess.supervisee_id)
    return supervisee.supervisor_id if supervisee else None


def can_read_prep(db: Session, viewer_id: str, sess: SupervisionSession) -> bool:
    """The supervisee always; the session's supervisor once shared; nobody else."""
    if viewer_id == sess.supervisee_id:
        return True
    return sess.prep_shared_at is not None and viewer_id == session_supervisor_id(db, sess)


def supervision_access(db: Session, viewer_id: str, supervisee_id: str) -> Access:
    """What `viewer_id` may do with actions agreed in `supervisee_id`'s supervision."""
    if viewer_id == supervisee_id:
        return Access.WRITE
    supervisee = db.get(Person, supervisee_id)
    if supervisee is None or supervisee.supervisor_id is None:
        return Access.NONE
    if supervisee.supervisor_id == viewer_id:
        return Access.WRITE
    supervisor = db.get(Person, supervisee.supervisor_id)
    if supervisor is not None and supervisor.supervisor_id == viewer_id:
        return Access.READ
    return Access.NONE


def action_access(db: Session, viewer_id: str, action: ActionItem) -> Access:
    """The owner and the session's supervisor may also complete an action."""
    if viewer_id == action.owner_id:
        return Access.WRITE
    if action.session_id is not None:
        sess = db.get(SupervisionSession, action.session_id)
        if sess is not None and sess.supervisor_id == viewer_id:
            return Access.WRITE
    return supervision_access(db, viewer_id, action.supervisee_id)
