"""Engine benchmarks: prints figures (never asserts).

    .venv/bin/python -m bench.bench_engine [--people 100000] [--sim-people 1000] [--sim-days 365]

1. seeds an organisation of --people in a SQLite file (a year of sessions);
2. the first pass: plan everyone and fill the outbox (the cost of a fresh install);
3. an idle pass and a pass after 100 people's facts changed (the steady state);
4. the 09:00 rush: claim, check and send every message due that morning;
5. simulates --sim-people over --sim-days with `simulate` (a separate store; one process
   per CPU, and with --one-process-too in a single process as well).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from bench.seed import seed
from bot.clock import FixedClock
from bot.dispatch import dispatch_due
from bot.simulate import available_cpus, simulate
from bot.transport import RecordingTransport
from policy.engine import load_pack
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Outbox, SupervisionSession

T = TypeVar("T")


def _store(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def _timed(label: str, work: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = work()
    print(f"  {label}: {time.perf_counter() - start:.2f} s")
    return result


def bench_live(people: int, folder: Path) -> None:
    print(f"Live engine, {people:,} people (SQLite file)")
    engine = _store(folder / "live.db")
    sessions = _timed("seed", lambda: seed(engine, people, date(2026, 1, 5), date(2026, 12, 31)))
    print(f"  sessions: {sessions:,}")
    pack = load_pack("leeds")
    t0 = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)  # Monday, before the morning rush
    sink = RecordingTransport()
    report = _timed(
        "first pass (plan everyone, fill the outbox)",
        lambda: dispatch_due(engine, pack, FixedClock(t0), sink, "bench", sweep=True),
    )
    with session_scope(engine) as s:
        rows = s.execute(select(func.count()).select_from(Outbox)).scalar()
    print(f"  outbox rows after first pass: {rows:,} (planned {report.planned:,})")
    _timed(
        "idle pass an hour later (nothing changed, nothing due)",
        lambda: dispatch_due(engine, pack, FixedClock(t0 + timedelta(hours=1)), sink, "bench"),
    )
    with session_scope(engine) as s:
        ids = (
            s.execute(
                select(col(SupervisionSession.id))
                .where(col(SupervisionSession.scheduled_at) > t0 + timedelta(days=3))
                .limit(100)
            )
            .scalars()
            .all()
        )
        s.execute(
            update(SupervisionSession)
            .where(col(SupervisionSession.id).in_(ids))
            .values(cancelled_at=t0 + timedelta(hours=1, minutes=30), cancel_reason="court")
        )
    _timed(
        "pass after 100 sessions were cancelled (re-plan those people)",
        lambda: dispatch_due(engine, pack, FixedClock(t0 + timedelta(hours=2)), sink, "bench"),
    )
    rush = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 in London
    sink = RecordingTransport()
    start = time.perf_counter()
    report = dispatch_due(engine, pack, FixedClock(rush), sink, "bench")
    took = time.perf_counter() - start
    sent = len(report.sent)
    print(
        f"  09:00 rush: {sent:,} sent, {len(report.dropped):,} dropped in {took:.2f} s"
        f" ({sent / took if took else 0:,.0f} messages/s claimed, checked and sent)"
    )
    engine.dispose()


def bench_simulation(people: int, days: int, folder: Path, *, compare: bool = False) -> None:
    print(f"Simulation, {people:,} people over {days} days")
    engine = _store(folder / "sim.db")
    seed(engine, people, date(2025, 12, 1), date(2027, 3, 31))
    pack = load_pack("leeds")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=days)
    for workers in (1, None) if compare else (None,):
        began = time.perf_counter()
        messages = simulate(engine, pack, start, end, workers=workers)
        took = time.perf_counter() - began
        how = "1 process" if workers == 1 else f"one process per CPU ({available_cpus()} CPUs)"
        print(f"  simulate, {how}: {took:.1f} s, {len(messages):,} messages")
    for kind, n in sorted(Counter(m.kind for m in messages).items()):
        print(f"    {kind}: {n:,}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--sim-people", type=int, default=1_000)
    parser.add_argument("--sim-days", type=int, default=365)
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument("--skip-sim", action="store_true")
    parser.add_argument(
        "--one-process-too", action="store_true", help="also time the simulation in one process"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_live:
            bench_live(args.people, Path(tmp))
        if not args.skip_sim:
            bench_simulation(
                args.sim_people, args.sim_days, Path(tmp), compare=args.one_process_too
            )


if __name__ == "__main__":
    main()
