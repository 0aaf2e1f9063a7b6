"""Who supervised a session: the supervisee's supervisor on the session's local date.

Sessions store every state change with its instant (see storage/models.py);
the session importer uses `SupervisorHistory` to give each session the
supervisor in post on its day, from the supervisor-change history.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, col, select

from storage.models import Person, SupervisorChange
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
