"""A change of role keeps the role held before: the status as of a past day, the engine's
plans and the replay use the role held that day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.clock import local_date
from handlers.reminders.candidate import BOOKING_NUDGE, ESCALATION, OVERDUE_NOTICE
from handlers.status import status_of, statuses
from policy.engine import PolicyPack
from storage.db import session_scope
from storage.fact_changes import FactAgenda, changed_people
from storage.importer import import_people
from storage.models import RoleChange
from storage.people import set_role
from storage.timeline import Timeline
from tests.engine.conftest import sim
from tests.engine.org import Org, local
from tests.storage.csvs import people_csv

NQ_START = date(2026, 1, 5)
QUALIFIED = date(2026, 3, 2)  # a Monday


def _qualify(engine: Engine, leeds: PolicyPack, pid: str, role: str = "social_worker") -> None:
    with session_scope(engine) as s:
        set_role(s, leeds, pid, role, QUALIFIED, local(QUALIFIED, 9))


def _history(engine: Engine, pid: str) -> list[tuple[date, str]]:
    with session_scope(engine) as s:
        rows = s.exec(select(RoleChange).where(RoleChange.person_id == pid)).all()
        return sorted((r.role_start, r.role) for r in rows)


def test_a_new_role_keeps_the_one_held_before_for_the_days_before_it(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    org.team(size=0)
    org.person("nq", role="nqsw", supervisor="mia", role_start=NQ_START)
    _qualify(engine, leeds, "nq")
    assert _history(engine, "nq") == [(NQ_START, "nqsw"), (QUALIFIED, "social_worker")]
    with session_scope(engine) as s:
        before = status_of(s, leeds, "nq", local(date(2026, 2, 2)))
        after = status_of(s, leeds, "nq", local(date(2026, 3, 9)))
        assert before is not None and after is not None
        assert before.role == "nqsw" and after.role == "social_worker"
        assert before.due.cadence.label != after.due.cadence.label
        # The planners read the person through the timeline: the same answer.
        assert Timeline(s, local(date(2026, 2, 2))).people(["nq"])["nq"].role == "nqsw"
        moved = Timeline(s, local(date(2026, 3, 2), 0, 1)).people(["nq"])["nq"]
        assert (moved.role, moved.role_start) == ("social_worker", QUALIFIED)
        # The first day of the new role is a fact the engine sees (and plans them again).
        sunday = local(date(2026, 3, 1), 12)
        assert FactAgenda.of(s, sunday, local(QUALIFIED, 12)).next_after(sunday) == local(
            QUALIFIED, 0
        )
        assert "nq" in changed_people(s, sunday, local(QUALIFIED, 1))


def test_a_change_dated_on_or_before_recorded_roles_corrects_them(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    org.team(size=0)
    org.person("nq", role="nqsw", supervisor="mia", role_start=NQ_START)
    _qualify(engine, leeds, "nq")
    _qualify(engine, leeds, "nq", "senior_social_worker")  # the same day: a correction
    assert _history(engine, "nq") == [(NQ_START, "nqsw"), (QUALIFIED, "senior_social_worker")]
    with session_scope(engine) as s:
        set_role(s, leeds, "nq", "social_worker", date(2025, 12, 1), local(QUALIFIED, 10))
    assert _history(engine, "nq") == [(date(2025, 12, 1), "social_worker")]
    with session_scope(engine) as s:
        st = status_of(s, leeds, "nq", local(date(2026, 1, 12)))
        assert st is not None and st.role == "social_worker"
        # Nothing changes, nothing is recorded.
        set_role(s, leeds, "nq", "social_worker", date(2025, 12, 1), local(QUALIFIED, 11))
    assert len(_history(engine, "nq")) == 1


def test_an_hr_import_records_a_change_of_role(
    engine: Engine, leeds: PolicyPack, tmp_path: Path
) -> None:
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    org = [
        ("tm", "Tom Manager", "tom@example.org", "team_manager", "", "2020-01-06"),
        ("nq", "Nia Quinn", "nia@example.org", "nqsw", "tm", NQ_START.isoformat()),
    ]
    import_people(engine, leeds, people_csv(tmp_path / "a.csv", org), now, "Europe/London")
    assert _history(engine, "nq") == []  # one role so far: nothing to keep
    org[1] = (*org[1][:3], "social_worker", "tm", QUALIFIED.isoformat())
    import_people(engine, leeds, people_csv(tmp_path / "b.csv", org), now, "Europe/London")
    import_people(engine, leeds, people_csv(tmp_path / "c.csv", org), now, "Europe/London")
    assert _history(engine, "nq") == [(NQ_START, "nqsw"), (QUALIFIED, "social_worker")]
    with session_scope(engine) as s:
        roles = {st.id: st.role for st in statuses(s, leeds, local(date(2026, 2, 16)))}
        assert roles == {"tm": "team_manager", "nq": "nqsw"}


def test_the_replay_follows_the_role_held_each_day(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    org.team(size=0)
    org.person("nq", role="nqsw", supervisor="mia", role_start=NQ_START)
    _qualify(engine, leeds, "nq")
    replay = sim(engine, leeds, date(2026, 1, 5), date(2026, 4, 30))
    due = [
        (local_date(m.at, None), m.kind, m.recipient_id, m.reason)
        for m in replay
        if m.about_id == "nq" and m.kind in (BOOKING_NUDGE, OVERDUE_NOTICE, ESCALATION)
    ]
    # As a newly qualified worker: weekly from the start of the role, so due by 12 Jan.
    january = [m.text for m in replay if m.about_id == "nq" and m.at < local(date(2026, 2, 1))]
    assert any("due on Mon 12 Jan 2026 (weekly)" in t for t in january)
    # Qualified from 2 March: monthly from then, so due by 2 April, overdue, then escalated.
    assert (date(2026, 3, 19), BOOKING_NUDGE, "mia", None) in due
    assert (date(2026, 4, 7), OVERDUE_NOTICE, "nq", None) in due
    assert (date(2026, 4, 14), ESCALATION, "hana", "overdue") in due
    spring = [m.text for m in replay if m.about_id == "nq" and m.at > local(QUALIFIED, 0)]
    assert any("Thu 2 Apr 2026 (monthly)" in t for t in spring)
    assert not any("(weekly)" in t or "fortnightly" in t for t in spring)


def test_who_had_no_cadence_on_a_day_follows_the_roles_held_then(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    from handlers.status import without_cadence

    org.team(size=0)
    org.person("dd", role="deputy_director", role_start=date(2024, 1, 8))
    _qualify(engine, leeds, "dd")  # a social worker from 2 March
    with session_scope(engine) as s:
        february, march = local(date(2026, 2, 2)), local(date(2026, 3, 9))
        assert [p.id for p in without_cadence(s, leeds, february)] == ["dd"]
        assert without_cadence(s, leeds, march) == []
        assert "dd" not in {st.id for st in statuses(s, leeds, february)}
        assert "dd" in {st.id for st in statuses(s, leeds, march)}


def test_a_new_role_is_not_a_new_supervisor(engine: Engine, org: Org, leeds: PolicyPack) -> None:
    org.team(size=0)
    org.person("nq", role="nqsw", supervisor="mia", role_start=date(2025, 6, 2))
    org.agreement("nq", "mia", date(2025, 6, 10))
    org.held("nq", local(date(2026, 2, 20)))
    _qualify(engine, leeds, "nq")
    with session_scope(engine) as s:
        tl = Timeline(s, local(QUALIFIED, 10))
        person = tl.people(["nq"])["nq"]
        assert person.role_start == QUALIFIED  # the cadence follows the new role
        assert tl.supervisor_since([person]) == {"nq": date(2025, 6, 2)}  # Mia since 2025
    replay = sim(engine, leeds, date(2026, 2, 1), date(2026, 4, 30))
    assert not [m for m in replay if m.kind == "agreement_reminder" and m.about_id == "nq"]


def test_the_latest_role_given_again_from_another_day_moves_its_start(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    org.team(size=0)
    org.person("nq", role="nqsw", supervisor="mia", role_start=NQ_START)
    _qualify(engine, leeds, "nq")
    with session_scope(engine) as s:  # the start date was a typo: 9 March
        set_role(s, leeds, "nq", "social_worker", date(2026, 3, 9), local(QUALIFIED, 10))
    assert _history(engine, "nq") == [(NQ_START, "nqsw"), (date(2026, 3, 9), "social_worker")]
    with session_scope(engine) as s:
        st = status_of(s, leeds, "nq", local(date(2026, 3, 4)))
        assert st is not None and st.role == "nqsw"


def test_giving_the_role_held_before_cancels_a_later_change(
    engine: Engine, org: Org, leeds: PolicyPack
) -> None:
    org.team(size=0)
    org.person("nq", role="nqsw", supervisor="mia", role_start=date(2024, 9, 2))
    org.held("nq", local(date(2026, 2, 10)))
    _qualify(engine, leeds, "nq")  # recorded to start on 2 March ...
    with session_scope(engine) as s:  # ... and called off before it does
        set_role(s, leeds, "nq", "nqsw", date(2026, 2, 20), local(date(2026, 2, 20), 9))
    assert _history(engine, "nq") == [(date(2024, 9, 2), "nqsw")]
    with session_scope(engine) as s:
        st = status_of(s, leeds, "nq", local(date(2026, 3, 9)))
        assert st is not None and st.role == "nqsw" and st.due.cadence.label == "monthly"
        person = Timeline(s, local(date(2026, 3, 9))).people(["nq"])["nq"]
        assert person.role_start == date(2024, 9, 2)
