"""Test organisations built directly from SQLModel rows (no CSV importer)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from storage.db import session_scope
from storage.models import (
    Absence,
    ActionItem,
    Agreement,
    OrgSetting,
    Person,
    SupervisionSession,
    SupervisorChange,
)

LONDON = ZoneInfo("Europe/London")
RECORDED = datetime(2025, 1, 1, tzinfo=UTC)


def local(day: date, hh: int = 10, mm: int = 0, tz: str = "Europe/London") -> datetime:
    """An aware instant at wall-clock hh:mm on `day` in `tz`."""
    return datetime.combine(day, time(hh, mm), tzinfo=ZoneInfo(tz))


class Org:
    """Adds rows one at a time, each in its own transaction, and returns ids."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def person(
        self,
        pid: str,
        *,
        role: str = "social_worker",
        supervisor: str | None = None,
        role_start: date = date(2024, 1, 8),
        tz: str = "Europe/London",
        name: str | None = None,
    ) -> str:
        with session_scope(self.engine) as s:
            s.add(
                Person(
                    id=pid,
                    name=name or pid.replace("_", " ").title(),
                    role=role,
                    supervisor_id=supervisor,
                    role_start=role_start,
                    timezone=tz,
                )
            )
        return pid

    def team(self, manager: str = "mia", head: str | None = "hana", size: int = 1) -> list[str]:
        """A head of service (optional), a team manager under them, and `size` workers."""
        if head:
            self.person(head, role="head_of_service")
        self.person(manager, role="team_manager", supervisor=head)
        return [self.person(f"w{i}", supervisor=manager) for i in range(1, size + 1)]

    def session(
        self,
        supervisee: str,
        when: datetime,
        *,
        supervisor: str | None = "mia",
        booked: datetime | None = None,
        held: datetime | None = None,
        cancelled: datetime | None = None,
        reason: str | None = None,
        rearranged_from: int | None = None,
        shared: datetime | None = None,
        signed: datetime | None = None,
        kind: str = "individual",
        minutes: int = 60,
    ) -> int:
        with session_scope(self.engine) as s:
            row = SupervisionSession(
                supervisee_id=supervisee,
                supervisor_id=supervisor,
                kind=kind,
                scheduled_at=when,
                duration_minutes=minutes,
                booked_at=booked or when - timedelta(days=30),
                held_at=held,
                cancelled_at=cancelled,
                cancel_reason=reason,
                rearranged_from_id=rearranged_from,
                record_shared_at=shared,
                record_signed_at=signed,
            )
            s.add(row)
            s.flush()
            assert row.id is not None
            return row.id

    def held(self, supervisee: str, when: datetime, **kw: object) -> int:
        """A session held as booked, record shared and signed soon after."""
        end = when + timedelta(hours=1)
        return self.session(
            supervisee,
            when,
            held=end,
            shared=end + timedelta(hours=1),
            signed=end + timedelta(hours=2),
            **kw,  # type: ignore[arg-type]
        )

    def absence(self, pid: str, first: date, last: date, reason: str = "sickness") -> None:
        with session_scope(self.engine) as s:
            s.add(
                Absence(
                    person_id=pid,
                    first_day=first,
                    last_day=last,
                    reason=reason,
                    recorded_at=local(first, 8),
                )
            )

    def agreement(self, supervisee: str, supervisor: str, signed_on: date) -> None:
        with session_scope(self.engine) as s:
            s.add(
                Agreement(
                    supervisee_id=supervisee,
                    supervisor_id=supervisor,
                    signed_on=signed_on,
                    recorded_at=local(signed_on, 12),
                )
            )

    def change(self, pid: str, supervisor: str | None, effective: date) -> None:
        with session_scope(self.engine) as s:
            s.add(
                SupervisorChange(
                    person_id=pid,
                    supervisor_id=supervisor,
                    effective=effective,
                    recorded_at=local(effective, 8),
                )
            )
            person = s.get(Person, pid)
            assert person is not None
            person.supervisor_id = supervisor

    def action(
        self,
        supervisee: str,
        owner: str,
        text: str,
        due_on: date,
        created: datetime,
        session_id: int | None = None,
    ) -> int:
        with session_scope(self.engine) as s:
            row = ActionItem(
                session_id=session_id,
                supervisee_id=supervisee,
                owner_id=owner,
                text=text,
                due_on=due_on,
                created_at=created,
            )
            s.add(row)
            s.flush()
            assert row.id is not None
            return row.id

    def setting(self, key: str, value: str) -> None:
        with session_scope(self.engine) as s:
            s.add(OrgSetting(key=key, value=value))
