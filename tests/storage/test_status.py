"""Compliance status as of an instant, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from handlers.status import status_of, statuses, unknown_roles
from storage import status_queries
from storage.models import Person, SupervisorChange
from tests.storage.org import london, person, session_row


def _org(s: Session) -> None:
    person(s, "hos", role="head_of_service")
    person(s, "dd", role="deputy_director")
    person(s, "tm", role="team_manager", supervisor="hos")
    person(s, "tm2", role="team_manager", supervisor="hos")
    person(s, "sw", supervisor="tm", start=date(2024, 1, 15))
    person(s, "new", supervisor="tm", start=date(2026, 3, 2))
    person(s, "alone", start=date(2026, 1, 5))
    person(s, "odd", role="wizard", supervisor="tm")


def test_last_held_next_due_and_overdue(engine: Engine, leeds: Any) -> None:
    with Session(engine) as s:
        _org(s)
        session_row(s, "sw", london(2026, 2, 10), held=london(2026, 2, 10, 11, 30))
        session_row(s, "sw", london(2026, 3, 10), held=london(2026, 3, 10, 11, 30))
        session_row(s, "sw", london(2026, 4, 14))  # booked, not yet held
        s.commit()
        # Before the March session was held: February counts; March is next.
        st = status_of(s, leeds, "sw", london(2026, 3, 9, 12))
        assert st is not None
        assert (st.last_held, st.next_due) == (date(2026, 2, 10), date(2026, 3, 10))
        assert st.next_session == london(2026, 3, 10)
        assert (st.supervisor_id, st.line_manager_id) == ("tm", "hos")
        assert not st.overdue
        assert st.due.rule_id.startswith("roles.social_worker")
        # After it: March counts, April is booked.
        st = status_of(s, leeds, "sw", london(2026, 3, 20))
        assert st is not None
        assert (st.last_held, st.next_due) == (date(2026, 3, 10), date(2026, 4, 10))
        assert st.next_session == london(2026, 4, 14)
        # 11 April: due date passed with nothing held.
        st = status_of(s, leeds, "sw", london(2026, 4, 11, 9))
        assert st is not None and st.overdue


def test_who_is_listed(engine: Engine, leeds: Any) -> None:
    with Session(engine) as s:
        _org(s)
        s.commit()
        rows = statuses(s, leeds, london(2026, 3, 20))
        ids = [r.id for r in rows]
        # deputy_director has no cadence; 'wizard' is unknown to the pack.
        assert ids == ["alone", "hos", "new", "sw", "tm", "tm2"]
        by_id = {r.id: r for r in rows}
        assert by_id["alone"].supervisor_id is None
        assert by_id["alone"].next_due == date(2026, 2, 5)  # role start + 1 month
        assert by_id["alone"].overdue
        assert by_id["new"].next_due == date(2026, 4, 2)  # role start + 1 month
        assert by_id["tm"].line_manager_id is None
        assert unknown_roles(s, leeds) == {"wizard": ["odd"]}


def test_future_facts_do_not_count(engine: Engine, leeds: Any) -> None:
    as_of = london(2026, 3, 1, 12)
    with Session(engine) as s:
        _org(s)
        # Held after as_of; booked after as_of; cancelled before; cancelled after.
        session_row(s, "sw", london(2026, 2, 27), held=london(2026, 3, 2))
        session_row(s, "sw", london(2026, 3, 5), booked=london(2026, 3, 2))
        session_row(s, "sw", london(2026, 3, 6), booked=london(2026, 2, 1),
                    cancelled=london(2026, 2, 20))
        session_row(s, "sw", london(2026, 3, 9), booked=london(2026, 2, 1),
                    cancelled=london(2026, 3, 3))
        session_row(s, "sw", london(2026, 3, 4), kind="group")  # groups never count
        # Supervisor changes to tm2 from 2 March: not yet on 1 March.
        s.add(SupervisorChange(person_id="sw", supervisor_id="tm2",
                               effective=date(2026, 3, 2), recorded_at=london(2026, 2, 1)))
        s.commit()
        st = status_of(s, leeds, "sw", as_of)
        assert st is not None
        assert st.last_held is None
        assert st.next_due == date(2024, 2, 15)
        assert st.next_session == london(2026, 3, 9)
        assert st.supervisor_id == "tm"
        later = status_of(s, leeds, "sw", london(2026, 3, 2, 12))
        assert later is not None
        assert later.supervisor_id == "tm2"
        assert later.last_held == date(2026, 3, 2)  # the day it was held


def test_local_dates_across_dst(engine: Engine, leeds: Any) -> None:
    with Session(engine) as s:
        _org(s)
        # 23:30 UTC on 31 March 2026 is 00:30 BST on 1 April.
        held = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
        session_row(s, "sw", held, held=held)
        s.commit()
        st = status_of(s, leeds, "sw", datetime(2026, 4, 2, tzinfo=UTC))
        assert st is not None
        assert st.last_held == date(2026, 4, 1)
        assert st.next_due == date(2026, 5, 1)


def test_no_supervisor_before_first_recorded_change(engine: Engine, leeds: Any) -> None:
    with Session(engine) as s:
        person(s, "hos", role="head_of_service")
        person(s, "sw", supervisor="hos", since=date(2026, 1, 1))
        s.commit()
        early = status_of(s, leeds, "sw", london(2025, 12, 1))
        assert early is not None and early.supervisor_id is None
        assert status_of(s, leeds, "nobody", london(2025, 12, 1)) is None


def test_constant_number_of_queries(
    engine: Engine, leeds: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status_queries, "CHUNK", 1000)
    with Session(engine) as s:
        person(s, "hos", role="head_of_service")
        person(s, "tm", role="team_manager", supervisor="hos")
        for i in range(60):
            person(s, f"sw{i:02d}", supervisor="tm")
            session_row(s, f"sw{i:02d}", london(2026, 2, 10), held=london(2026, 2, 10))
        s.commit()

    def count(n_people: int) -> int:
        seen: list[str] = []

        def record(*args: Any) -> None:
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", record)
        try:
            with Session(engine) as s:
                rows = statuses(s, leeds, london(2026, 3, 20),
                                [f"sw{i:02d}" for i in range(n_people)])
                assert len(rows) == n_people
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(seen)

    assert count(3) == count(60)
    # Chunked IN lists: the answer is the same with tiny chunks.
    monkeypatch.setattr(status_queries, "CHUNK", 7)
    with Session(engine) as s:
        rows = statuses(s, leeds, london(2026, 3, 20), [f"sw{i:02d}" for i in range(60)])
        assert {r.last_held for r in rows} == {date(2026, 2, 10)}
        assert {r.line_manager_id for r in rows} == {"hos"}


def test_many_ids_scan_once_with_the_same_answer(
    engine: Engine, leeds: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as s:
        person(s, "hos", role="head_of_service")
        person(s, "tm", role="team_manager", supervisor="hos")
        person(s, "tm2", role="team_manager", supervisor="hos")
        for i in range(12):
            person(s, f"sw{i:02d}", supervisor="tm" if i % 2 else "tm2")
            session_row(s, f"sw{i:02d}", london(2026, 2, 1 + i), held=london(2026, 2, 1 + i))
            session_row(s, f"sw{i:02d}", london(2026, 4, 1 + i))
        s.commit()
        wanted = [f"sw{i:02d}" for i in range(0, 12, 3)]
        as_of = london(2026, 3, 20)
        by_chunks = statuses(s, leeds, as_of, wanted)
        monkeypatch.setattr(status_queries, "WHOLE_TABLE_ABOVE", 2)
        by_scan = statuses(s, leeds, as_of, wanted)
        assert by_scan == by_chunks
        assert [r.id for r in by_scan] == wanted
        assert statuses(s, leeds, as_of) == statuses(s, leeds, as_of, None)


def test_supervisor_history_agrees_with_the_status_query(engine: Engine) -> None:
    from storage.sessions import SupervisorHistory

    with Session(engine) as s:
        person(s, "a", role="team_manager")
        person(s, "b", role="team_manager")
        person(s, "sw", supervisor="a", since=date(2026, 1, 10))
        person(s, "plain", supervisor=None)
        plain = s.get(Person, "plain")
        assert plain is not None
        plain.supervisor_id = "b"  # set directly, with no history rows
        s.add(SupervisorChange(person_id="sw", supervisor_id="b", effective=date(2026, 2, 1),
                               recorded_at=london(2026, 1, 1)))
        s.add(SupervisorChange(person_id="sw", supervisor_id=None, effective=date(2026, 3, 1),
                               recorded_at=london(2026, 1, 1)))
        s.commit()
        history = SupervisorHistory(s, ["sw", "plain"])
        for day in (date(2026, 1, 9), date(2026, 1, 10), date(2026, 1, 31), date(2026, 2, 1),
                    date(2026, 2, 28), date(2026, 3, 1)):
            query = status_queries.supervisors_on(s, {"sw": day, "plain": day})
            assert query == {"sw": history.supervisor_on("sw", day),
                             "plain": history.supervisor_on("plain", day)}
        assert [history.supervisor_on("sw", d) for d in (date(2026, 1, 9), date(2026, 1, 10),
                                                         date(2026, 2, 1), date(2026, 3, 1))] == [
            None, "a", "b", None]
        assert history.supervisor_on("plain", date(2020, 1, 1)) == "b"
