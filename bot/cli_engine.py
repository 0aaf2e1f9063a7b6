"""Engine commands: `simulate` (replay a period) and `run` (the live reminder loop)."""

from __future__ import annotations

import signal
import textwrap
import threading
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from bot import cli_org
from bot.clock import local_instant, zone
from bot.settings import Settings
from bot.transport import ConsoleTransport
from storage.db import session_scope
from storage.status_queries import people_by_id

if TYPE_CHECKING:
    from bot.simulate import SimulatedMessage

FromDay = Annotated[str, typer.Option("--from", help="First day to simulate (YYYY-MM-DD).")]
ToDay = Annotated[str, typer.Option("--to", help="Last day to simulate (YYYY-MM-DD), inclusive.")]
AsJson = Annotated[
    bool, typer.Option("--json", help="Print one JSON array sorted by 'at' instead of a timeline.")
]

Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Processes replaying the supervision trees side by side (default: one per CPU "
        "for organisations of 300 people or more, else 1). The messages are the same.",
    ),
]


def _bounds(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    start = local_instant(first, time(0), tz)
    end = local_instant(last + timedelta(days=1), time(0), tz) - timedelta(microseconds=1)
    return start, end


@cli_org.user_errors
def simulate_cmd(
    from_: FromDay,
    to: ToDay,
    as_json: AsJson = False,
    database_url: cli_org.DatabaseUrl = None,
    policy: cli_org.Policy = None,
    workers: Workers = None,
    forecast: Annotated[bool, typer.Option(
        "--forecast", help="Take sessions booked after now, with no outcome yet, as held when "
        "booked (for days ahead: otherwise they read as missed).")] = False,
) -> None:
    """Replay the store's history between two days and show every message the bot would send.

    Each fact counts from the instant it was recorded; nothing is written to the store.
    Days ahead of today have no outcomes recorded yet: with --forecast, the sessions booked
    for them are taken as held.
    """
    from bot.simulate import simulate, to_json

    first = cli_org.parse_day(from_, "--from")
    last = cli_org.parse_day(to, "--to")
    if last < first:
        raise cli_org.fail(f"--to {last} is before --from {first}")
    if (last - first).days > 3 * 366:
        raise cli_org.fail("simulate at most three years at a time")
    engine = cli_org.database(database_url)
    pack = cli_org.choose_pack(engine, policy)
    settings = Settings()
    tz = cli_org.org_timezone()
    start, end = _bounds(first, last, tz)
    messages = simulate(
        engine, pack, start, end, settings=settings, workers=workers,
        assume_held_after=cli_org.CLOCK.now() if forecast else None,
    )  # fmt: skip
    if as_json:
        typer.echo(to_json(messages))
        return
    with session_scope(engine) as session:
        names = {
            pid: p.name
            for pid, p in people_by_id(
                session, {m.recipient_id for m in messages} | {m.about_id or "" for m in messages}
            ).items()
        }
    console = cli_org.out()
    if not messages:
        console.print(f"No messages between {first} and {last}.")
        return
    print_timeline(console, messages, names, tz)
    console.print(f"\n{len(messages)} messages between {first} and {last}.")


def print_timeline(
    console: Console, messages: Sequence[SimulatedMessage], names: Mapping[str, str], tz: str
) -> None:
    """Messages by day: time, recipient, kind (and reason) and whom it is about, then the
    text as the person would read it, wrapped under an indent."""
    day: date | None = None
    indent = " " * 8
    for m in messages:
        local = m.at.astimezone(zone(tz))
        if local.date() != day:
            day = local.date()
            console.print(f"\n[bold]{local:%a} {local.day} {local:%b %Y}[/bold]")
        kind = m.kind.replace("_", " ") + (f", {m.reason.replace('_', ' ')}" if m.reason else "")
        about = f" about {names.get(m.about_id, m.about_id)}" if m.about_id else ""
        console.print(
            f"  {local:%H:%M} to {escape(names.get(m.recipient_id, m.recipient_id))}"
            f" [dim]({escape(kind)}{escape(about)})[/dim]"
        )
        text = textwrap.fill(" ".join(m.text.split()), width=cli_org.WIDTH,
                             initial_indent=indent, subsequent_indent=indent)
        console.print(text, markup=False, highlight=False)


@cli_org.user_errors
def run_cmd(
    database_url: cli_org.DatabaseUrl = None,
    policy: cli_org.Policy = None,
    once: Annotated[
        bool,
        typer.Option("--once", help="Run a single pass (plan and send what is due), then exit."),
    ] = False,
    worker_id: Annotated[
        str | None, typer.Option("--worker-id", help="Name of this replica in the outbox.")
    ] = None,
) -> None:
    """Run the live reminder loop; with no chat platform configured, messages print here."""
    from bot.dispatch import dispatch_due
    from bot.scheduler import default_worker_id, run_forever

    engine = cli_org.database(database_url)
    pack = cli_org.choose_pack(engine, policy)
    settings = Settings()
    transport: Any = ConsoleTransport()
    clock = cli_org.CLOCK
    if once:
        report = dispatch_due(
            engine,
            pack,
            clock,
            transport,
            worker_id or default_worker_id(),
            settings=settings,
            sweep=True,
        )
        cli_org.out().print(
            f"{len(report.sent)} sent, {len(report.dropped)} dropped, {len(report.failed)} failed."
        )
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    cli_org.out().print("Reminder loop running (Ctrl-C to stop); messages print below.")
    run_forever(engine, pack, clock, transport, settings=settings, worker_id=worker_id, stop=stop)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("simulate")(simulate_cmd)
    app.command("run")(run_cmd)
