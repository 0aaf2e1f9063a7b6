"""The live reminder loop: APScheduler wakes the process; the outbox decides what is sent.

APScheduler only wakes us: a date job armed at the next due instant (re-armed after each
pass of `bot.dispatch.dispatch_due`) and an hourly sweep on the hour, which also runs
the daily housekeeping (the preparation-note retention purge).
"""

from __future__ import annotations

import logging
import socket
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from sqlalchemy.engine import Engine

from bot.clock import Clock, ceil_hour
from bot.delivery import DispatchReport
from bot.dispatch import dispatch_due, next_due
from bot.settings import Settings
from bot.transport import Transport
from handlers.reflect.notes import purge_expired_notes
from handlers.reminders.agenda import EngineConfig
from policy.engine import PolicyPack
from storage import engine_instants
from storage.db import session_scope

log = logging.getLogger("supervision.engine")
NOTES_PURGED = "engine.notes_purged"


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{threading.get_native_id()}"


class ReminderLoop:
    """The live loop: a date job at the next wake-up (re-armed after every pass) and an
    hourly sweep on the hour, both named and deduplicated in one BackgroundScheduler."""

    DISPATCH_JOB = "engine-dispatch"
    SWEEP_JOB = "engine-sweep"

    def __init__(
        self,
        engine: Engine,
        pack: PolicyPack,
        clock: Clock,
        transport: Transport,
        *,
        worker_id: str | None = None,
        settings: Settings | None = None,
        config: EngineConfig | None = None,
        scheduler: BackgroundScheduler | None = None,
    ) -> None:
        self.engine, self.pack, self.clock, self.transport = engine, pack, clock, transport
        self.worker_id = worker_id or default_worker_id()
        self.settings, self.config = settings, config or EngineConfig()
        self.scheduler = scheduler or BackgroundScheduler(timezone=UTC)
        self._lock = threading.Lock()

    def tick(self, *, sweep: bool = False) -> DispatchReport:
        """One pass (serialised within this process), then re-arm the wake-up."""
        with self._lock:
            report = dispatch_due(
                self.engine,
                self.pack,
                self.clock,
                self.transport,
                self.worker_id,
                settings=self.settings,
                config=self.config,
                sweep=sweep,
            )
            self.arm()
        if report.sent or report.dropped or report.failed:
            log.info(
                "engine pass: %d sent, %d dropped, %d failed",
                len(report.sent),
                len(report.dropped),
                len(report.failed),
            )
        return report

    def sweep(self) -> DispatchReport:
        """The hourly sweep: a pass that also looks for newcomers and new rows, then the
        daily housekeeping."""
        report = self.tick(sweep=True)
        self.housekeeping()
        return report

    def housekeeping(self) -> int | None:
        """Once a day (the first sweep of each UTC day, across replicas): purge preparation
        notes older than `notes_retention_days`. Returns the notes deleted, None if not due."""
        now = self.clock.now()
        days = (
            self.settings.notes_retention_days
            if self.settings is not None
            else int(Settings.model_fields["notes_retention_days"].default)
        )
        with session_scope(self.engine) as session:
            last = engine_instants.get_instant(session, NOTES_PURGED)
            if last is not None and last.astimezone(UTC).date() >= now.astimezone(UTC).date():
                return None
            deleted = purge_expired_notes(session, self.clock, days)
            engine_instants.set_instant(session, NOTES_PURGED, now)
        log.info("retention purge: %d preparation notes older than %d days deleted", deleted, days)
        return deleted

    def next_wake(self) -> datetime | None:
        """The next instant this loop will run: the next due row, or the next hourly sweep."""
        due = next_due(self.engine)
        hour = ceil_hour(self.clock.now() + timedelta(microseconds=1))
        return min(due, hour) if due is not None else hour

    def arm(self) -> None:
        """(Re-)arm the dispatch job at the next due instant the outbox reports."""
        due = next_due(self.engine)
        if due is None:
            if self.scheduler.get_job(self.DISPATCH_JOB):
                self.scheduler.remove_job(self.DISPATCH_JOB)
            return
        self.scheduler.add_job(
            self.tick,
            DateTrigger(run_date=max(due, self.clock.now())),
            id=self.DISPATCH_JOB,
            name="send due reminders",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    def start(self, *, paused: bool = False) -> None:
        """Register the jobs and start the scheduler (the first pass runs at once)."""
        self.scheduler.add_job(
            self.sweep,
            CronTrigger(minute=0, timezone=UTC),
            id=self.SWEEP_JOB,
            name="hourly safety sweep",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.add_job(
            self.sweep,
            DateTrigger(run_date=self.clock.now()),
            id=self.DISPATCH_JOB,
            name="send due reminders",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        self.scheduler.start(paused=paused)

    def poke(self) -> None:
        """Run a pass now (the chat layer calls this after writing facts)."""
        self.scheduler.add_job(
            self.tick,
            DateTrigger(run_date=self.clock.now()),
            id=self.DISPATCH_JOB,
            replace_existing=True,
            misfire_grace_time=None,
        )

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)


def run_forever(
    engine: Engine,
    pack: PolicyPack,
    clock: Clock,
    transport: Transport,
    *,
    settings: Settings | None = None,
    worker_id: str | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run the live loop until `stop` is set (or Ctrl-C / SIGTERM in the CLI)."""
    loop = ReminderLoop(engine, pack, clock, transport, worker_id=worker_id, settings=settings)
    stop = stop or threading.Event()
    loop.start()
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        loop.shutdown()
