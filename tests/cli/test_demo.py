"""`supervision-bot demo` and the demo organisation it seeds."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import local_instant
from bot.demo_seed import LAPSED, MOVED, TO_BOOK, generate, write
from handlers.status import state_of, statuses
from tests.cli.conftest import Run

TODAY = date(2026, 3, 16)


def test_demo_prints_status_and_coming_messages(run: Run, tmp_path: Path) -> None:
    args = ("demo", "--today", "2026-03-16", "--weeks", "1")
    first = run(*args)
    assert first.exit_code == 0, first.stderr
    assert (tmp_path / "supervision-demo.db").exists()  # the default, in the current directory
    out = first.stdout
    assert "Demo organisation: 40 people" in out
    assert "39 people under the leeds policy as of Mon 16 Mar 2026 09:00" in out
    assert "has no supervision cadence in the leeds pack: Farrah Khan (deputy director)." in (
        " ".join(out.split()))
    assert "Over the ratio: Priya Sharma supervises 12 people" in out
    assert "Messages the bot would send in the next 1 week (" in out
    assert max(len(line) for line in out.splitlines()) <= 100
    # The SQLite file is recreated: a second run gives the same output.
    assert run(*args).stdout == out


def test_demo_status_json_has_one_object_per_person(run: Run, tmp_path: Path) -> None:
    assert run("demo", "--today", "2026-03-16", "--weeks", "1").exit_code == 0
    url = f"sqlite:///{tmp_path / 'supervision-demo.db'}"
    result = run("status", "--json", "--as-of", "2026-03-16", "--database-url", url)
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 40 == len({r["id"] for r in rows})
    dd = next(r for r in rows if r["id"] == "dd")
    assert (dd["next_due"], dd["overdue"], dd["note"]) == (
        None, False, "role has no supervision cadence in the pack")
    assert all(r["next_due"] is not None for r in rows if r["id"] != "dd")


def test_demo_refuses_a_database_with_people(run: Run, db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("a SQLite demo file is recreated on every run (tested above)")
    args = ("demo", "--today", "2026-03-16", "--weeks", "1", "--database-url", db_url)
    assert run(*args).exit_code == 0
    again = run(*args)
    assert again.exit_code == 1
    assert "already has people in it" in again.stderr


def test_seeded_organisation_tells_the_intended_story(engine: Engine, leeds: Any) -> None:
    now = local_instant(TODAY, time(9), "Europe/London")
    data = generate(leeds, TODAY, now)
    again = generate(leeds, TODAY, now)
    assert [(s.supervisee_id, s.scheduled_at) for s in data.sessions] == [
        (s.supervisee_id, s.scheduled_at) for s in again.sessions]
    assert len(data.people) == 40
    assert {p.role for p in data.people} >= {"team_manager", "social_worker", "nqsw", "student"}
    write(engine, data)
    with Session(engine) as s:
        rows = {r.id: r for r in statuses(s, leeds, now)}
    load = Counter(r.supervisor_id for r in rows.values())
    assert load["tm1"] == 12 > leeds.ratio.max_supervisees
    assert all(rows[p].overdue and rows[p].next_session is None for p in LAPSED)
    assert all(state_of(rows[p]) in ("to book", "overdue") for p in TO_BOOK)
    assert rows[MOVED[0]].supervisor_id == MOVED[1]
    cancelled = [s for s in data.sessions if s.cancelled_at is not None]
    assert cancelled and any(s.cancel_reason and s.cancel_reason.startswith("rearranged")
                             for s in cancelled)
    assert any(s.held_at and s.shared_at and not s.signed_at for s in data.sessions)
    assert any(s.held_at and not s.shared_at for s in data.sessions)
    assert all(s.booked_at <= s.scheduled_at for s in data.sessions)
    assert all(s.held_at is None or s.held_at < now for s in data.sessions)
    assert {a.reason for a in data.absences} == {"sickness", "annual_leave"}


def test_demo_needs_a_pack_with_the_leeds_roles(run: Run, tmp_path: Path) -> None:
    result = run("demo", "--policy", "warwickshire")
    assert result.exit_code == 1
    assert "The demo organisation is built on the Leeds roles" in result.stderr
    assert not (tmp_path / "supervision-demo.db").exists()
