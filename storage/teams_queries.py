"""Queries and writes the Teams adapter needs: who a Teams user is, where to reach them.

A person is matched by `teams_user_id` (the AAD object id, or the Teams
channel id "29:..."), else by email / user principal name, and the match is
remembered. The conversation reference (JSON, as Teams sent it) is what a
proactive message needs; people without one cannot be reached on Teams yet.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from storage.models import AdminNotice, ConversationRef, Person

PLATFORM = "teams"


def person_by_teams_ids(session: Session, ids: Iterable[str | None]) -> Person | None:
    """The person whose stored `teams_user_id` is any of `ids` (AAD object id or Teams id)."""
    wanted = [i for i in ids if i]
    if not wanted:
        return None
    stmt = select(Person).where(col(Person.teams_user_id).in_(wanted))
    return session.exec(stmt).first()


def person_by_email(session: Session, addresses: Iterable[str | None]) -> Person | None:
    """The single active person whose email is one of `addresses` (case-insensitive:
    emails are stored in lower case, so the lookup uses the email index)."""
    wanted = sorted({a.strip().lower() for a in addresses if a and "@" in a})
    if not wanted:
        return None
    rows = session.exec(
        select(Person).where(col(Person.email).in_(wanted), col(Person.active))
    ).all()
    return rows[0] if len(rows) == 1 else None


def link_teams_user(session: Session, person: Person, teams_user_id: str) -> None:
    """Remember the person's Teams identity so the next lookup is direct."""
    if person.teams_user_id == teams_user_id:
        return
    holder = session.exec(select(Person).where(Person.teams_user_id == teams_user_id)).first()
    if holder is not None and holder.id != person.id:
        return  # another person already holds this id: an admin must sort out the data
    person.teams_user_id = teams_user_id
    session.add(person)
    session.flush()


def save_reference(
    session: Session, person_id: str, reference: dict[str, Any], at: datetime
) -> bool:
    """Store (or refresh) where to reach `person_id` on Teams; True when it is new or changed."""
    text = json.dumps(reference, sort_keys=True)
    row = session.get(ConversationRef, (person_id, PLATFORM))
    if row is not None and row.reference == text:
        return False
    if row is None:
        row = ConversationRef(person_id=person_id, platform=PLATFORM, reference=text, updated_at=at)
    else:
        row.reference = text
        row.updated_at = at
    session.add(row)
    session.flush()
    return True


def forget_reference(session: Session, person_id: str) -> None:
    """Drop the stored reference (the person removed the app)."""
    row = session.get(ConversationRef, (person_id, PLATFORM))
    if row is not None:
        session.delete(row)
        session.flush()


def get_reference(session: Session, person_id: str) -> dict[str, Any] | None:
    row = session.get(ConversationRef, (person_id, PLATFORM))
    return json.loads(row.reference) if row is not None else None


def has_reference(session: Session, person_id: str) -> bool:
    return session.get(ConversationRef, (person_id, PLATFORM)) is not None


def _unreachable_filter() -> Any:
    return and_(col(Person.active), col(ConversationRef.person_id).is_(None))


def _join_refs() -> Any:
    return and_(
        col(ConversationRef.person_id) == col(Person.id), col(ConversationRef.platform) == PLATFORM
    )


def unreachable_people(
    session: Session, *, without_slack: bool = False, limit: int = 200, offset: int = 0
) -> list[Person]:
    """Active people with no Teams conversation reference, by name (one page).

    `without_slack`: only those Slack cannot reach either (reachable nowhere).
    """
    stmt = (
        select(Person)
        .join(ConversationRef, _join_refs(), isouter=True)
        .where(_unreachable_filter())
    )
    if without_slack:
        stmt = stmt.where(col(Person.slack_user_id).is_(None))
    stmt = stmt.order_by(Person.name, Person.id).limit(limit).offset(offset)
    return list(session.exec(stmt).all())


def count_unreachable(session: Session, *, without_slack: bool = False) -> int:
    stmt = (
        select(func.count())
        .select_from(Person)
        .join(ConversationRef, _join_refs(), isouter=True)
        .where(_unreachable_filter())
    )
    if without_slack:
        stmt = stmt.where(col(Person.slack_user_id).is_(None))
    return int(session.exec(stmt).one())


def notices(session: Session, prefix: str, *, limit: int = 200) -> list[AdminNotice]:
    """Admin notices whose key starts with `prefix`, newest first."""
    stmt = (
        select(AdminNotice)
        .where(col(AdminNotice.key).startswith(prefix))
        .order_by(col(AdminNotice.created_at).desc())
        .limit(limit)
    )
    return list(session.exec(stmt).all())
