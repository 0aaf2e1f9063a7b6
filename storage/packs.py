"""The organisation's custom policy pack, stored as text by `init --policy FILE`."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import StoredPack

KEY = "policy"


def store_pack_text(session: Session, origin: str, text: str, at: datetime) -> None:
    """Keep `text` (already validated) as the organisation's pack, read from `origin`."""
    row = session.get(StoredPack, KEY)
    if row is None:
        row = StoredPack(key=KEY, origin=origin, text=text, stored_at=at)
    row.origin, row.text, row.stored_at = origin, text, at
    session.add(row)
    session.flush()


def stored_pack_text(session: Session) -> tuple[str, str] | None:
    """(origin, text) of the stored custom pack, if `init` stored one."""
    row = session.get(StoredPack, KEY)
    return (row.origin, row.text) if row is not None else None


def forget_stored_pack(session: Session) -> None:
    """A built-in pack was chosen: no custom text is kept."""
    row = session.get(StoredPack, KEY)
    if row is not None:
        session.delete(row)
        session.flush()
