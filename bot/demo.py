"""`supervision-bot demo`: a demo organisation, its compliance status, and the
messages the bot would send over the coming weeks.

The demo writes to its own SQLite file (./supervision-demo.db, recreated on
every run) unless --database-url names another, empty, database. Everything is
relative to --today (default: today), so a run with --today is reproducible.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from sqlalchemy.engine import Engine, make_url
from sqlmodel import select

from bot import cli_org
from bot.clock import local_date, local_instant
from handlers.status import no_cadence_footnote, without_cadence
from handlers.status_report import status_report
from storage.db import make_engine, put_setting, safe_url, session_scope
from storage.migrate import upgrade
from storage.models import Person
from storage.people import OrgError

DEMO_URL = "sqlite:///supervision-demo.db"


def _fresh_database(url: str) -> Engine:
    """A migrated, empty database: the demo SQLite file is recreated; others must be empty."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database or "")
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        if session.exec(select(Person.id).limit(1)).first() is not None:
            raise OrgError(
                f"The database at {safe_url(url)} already has people in it; the demo only "
                "writes to its own SQLite file or to an empty database."
            )
    return engine


@cli_org.user_errors
def demo(
    database_url: Annotated[str, typer.Option(
        "--database-url", help="Where to put the demo (recreated when it is a SQLite file).",
    )] = DEMO_URL,
    today: Annotated[str | None, typer.Option(
        "--today", help="Pretend today is this date (YYYY-MM-DD), for a reproducible run.",
    )] = None,
    weeks: Annotated[int, typer.Option(
        min=1, max=26, help="How many weeks of messages to show.")] = 4,
    policy: cli_org.Policy = None,
) -> None:
    """Seed a demo organisation, print its supervision status and the coming weeks' messages."""
    from bot.demo_seed import generate, write

    tz = cli_org.org_timezone()
    if today is not None:
        day = cli_org.parse_day(today, "--today")
        now = local_instant(day, time(9, 0), tz)
    else:
        now = cli_org.CLOCK.now()
        day = local_date(now, tz)
    pack = cli_org.choose_pack(None, policy)
    data = generate(pack, day, now, tz)
    engine = _fresh_database(database_url)
    with session_scope(engine) as session:
        put_setting(session, cli_org.POLICY_KEY, policy or pack.name)
    write(engine, data)
    console = cli_org.out()
    console.print(
        f"[bold]Demo organisation[/bold]: {len(data.people)} people, {len(data.sessions)} "
        f"sessions, {len(data.absences)} absences in {safe_url(database_url)} "
        f"(today is {day:%a %d %b %Y})."
    )
    with session_scope(engine) as session:
        cli_org.print_reply(status_report(session, pack, now))
        footnote = no_cadence_footnote(pack, without_cadence(session, pack, now))
    if footnote:
        console.print(escape(footnote))
    console.print()
    _print_messages(engine, pack, now, now + timedelta(weeks=weeks), weeks)
    _print_next_steps(database_url, data.people)


def _print_next_steps(database_url: str, people: list[Any]) -> None:
    """How to talk to the bot as someone in the demo organisation."""
    supervisor = max(
        (p for p in people if any(q.supervisor_id == p.id for q in people)),
        key=lambda p: sum(1 for q in people if q.supervisor_id == p.id),
    )
    supervisee = next(p for p in people if p.supervisor_id == supervisor.id)
    console = cli_org.out()
    console.print()
    console.print(
        f"[bold]Try it[/bold] as {escape(supervisor.name)} ({supervisor.id}, a supervisor) or "
        f"{escape(supervisee.name)} ({supervisee.id}), with the answers people get in Slack "
        f"and Teams. First: export DATABASE_URL={escape(safe_url(database_url))}"
    )
    for who, question in (
        (supervisor, "who in my team is overdue?"),
        (supervisee, "when is my next supervision due?"),
        (supervisee, "why monthly?"),
    ):
        console.print(f"  supervision-bot ask --as {who.id} {question!r}",
                      markup=False, highlight=False)
    console.print(f"  supervision-bot chat --as {supervisor.id}", markup=False, highlight=False)


def _print_messages(engine: Engine, pack: Any, start: datetime, end: datetime,
                    weeks: int) -> None:
    from bot.cli_engine import print_timeline
    from bot.simulate import simulate

    console = cli_org.out()
    # A forecast: the sessions already booked are taken as held, as most will be.
    messages = simulate(engine, pack, start, end, assume_held=True)
    with session_scope(engine) as session:
        names = {p.id: p.name for p in session.exec(select(Person))}
    kinds = Counter(m.kind for m in messages)
    console.print(
        f"[bold]Messages the bot would send in the next {weeks} week{'s' * (weeks != 1)}"
        f"[/bold] ({len(messages)}: "
        + ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in kinds.most_common())
        + "), if the sessions already booked are held"
    )
    print_timeline(console, messages, names, cli_org.org_timezone())


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
