"""Organisation commands: init, import, status (people in bot/cli_people.py, demo in bot/demo.py).

Every command takes `--database-url` (or DATABASE_URL; default from settings,
sqlite:///supervision.db). Commands that need a policy pack take `--policy`
(or SUPERVISION_POLICY), which overrides the pack stored by `init`; the
default is leeds. Errors a person can cause print one clear message on
stderr and exit with code 1, never a traceback.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot.clock import (
    FIRST_YEAR,
    LAST_YEAR,
    Clock,
    SystemClock,
    local_date,
    local_instant,
    plausible_year,
    zone,
)
from bot.settings import MissingConfiguration, Settings
from handlers.replies import Reply, Table
from handlers.status import (
    no_cadence_footnote,
    statuses,
    unknown_roles,
    without_cadence,
)
from handlers.status_report import status_report
from policy.engine import PolicyError, PolicyPack, load_pack
from policy.loader import available_packs, parse_text
from storage.db import (
    DatabaseUrlError,
    get_setting,
    is_memory_sqlite,
    make_engine,
    put_setting,
    safe_url,
    session_scope,
    sqlite_file,
)
from storage.importer import (
    ImportResult,
    import_absences,
    import_agreements,
    import_people,
    import_sessions,
)
from storage.migrate import SchemaNotReady, current_revision, require_current, upgrade
from storage.packs import forget_stored_pack, store_pack_text, stored_pack_text
from storage.people import OrgError, teams_named

CLOCK: Clock = SystemClock()  # the only clock the CLI reads; tests put a FixedClock here
DEFAULT_POLICY = "leeds"
POLICY_KEY = "policy"
WIDTH = 100  # human output fits a 100-column terminal
SHORT_COLUMN = 12

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="DATABASE_URL", show_envvar=True,
                 help="SQLAlchemy URL of the store (default sqlite:///supervision.db)."),
]  # fmt: skip
Policy = Annotated[
    str | None,
    typer.Option("--policy", envvar="SUPERVISION_POLICY", show_envvar=True,
                 help="Policy pack name or YAML path; overrides the pack stored by init."),
]  # fmt: skip

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `message` for a person on stderr; raise the returned Exit."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[red]Error:[/red] {escape(message)}"
    )
    return typer.Exit(code=code)


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors a person can cause into a clear message and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (OrgError, PolicyError, MissingConfiguration, SchemaNotReady,
                DatabaseUrlError) as exc:
            raise fail(str(exc)) from None
        except OperationalError as exc:
            reason = str(exc.orig or exc).strip().splitlines()[0]
            raise fail(f"Cannot use the database: {reason}") from None
        except SQLAlchemyError as exc:
            reason = str(exc).strip().splitlines()[0]
            raise fail(f"The database refused the change: {reason}") from None

    return wrapper


def out() -> Console:
    """Console for human output, at most 100 columns wide."""
    console = Console(highlight=False)
    width = min(console.width, WIDTH) if console.is_terminal else WIDTH
    return Console(highlight=False, width=width)


def database(url: str | None, *, ready: bool = True) -> Engine:
    """An engine for `url` (or the configured one); `ready` requires an up-to-date schema.

    With `ready`, a SQLite file that does not exist is an error, not a new empty file
    (connecting would create one, so a mistyped path would leave a stray database).
    """
    url = url or Settings().database_url
    path = sqlite_file(url)
    if path is None and is_memory_sqlite(url):
        raise OrgError(
            f"{url} is an in-memory database, gone when the command ends; give a file, "
            "e.g. sqlite:///supervision.db"
        )
    if ready and path is not None and not path.exists():
        raise OrgError(f"No database at {path}; run `supervision-bot init` first.")
    if path is not None and not path.parent.is_dir():
        raise OrgError(f"No folder {path.parent} for the database file {path.name}; create it "
                       "first, or give another path.")
    engine = make_engine(url)
    if ready:
        require_current(engine)
    return engine


def choose_pack(engine: Engine | None, override: str | None) -> PolicyPack:
    """--policy / SUPERVISION_POLICY, else the pack stored by init, else leeds."""
    ref = override or Settings().supervision_policy
    if ref or engine is None or current_revision(engine) is None:
        return load_pack(ref or DEFAULT_POLICY)
    with session_scope(engine) as session:
        stored = get_setting(session, POLICY_KEY)
        text = stored_pack_text(session) if stored and stored not in available_packs() else None
    if text is not None:
        origin, body = text
        return parse_text(body, f"{origin} (as stored by `supervision-bot init`)")
    try:
        return load_pack(stored or DEFAULT_POLICY)
    except PolicyError as exc:
        raise PolicyError(
            f"{exc} (the pack `supervision-bot init` recorded for this database). Put the file "
            "back, or choose a pack again with `supervision-bot init --policy NAME_OR_FILE`."
        ) from None


def org_timezone() -> str:
    return Settings().default_timezone


def parse_day(value: str, option: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise OrgError(f"{option}: '{value}' is not a date; expected YYYY-MM-DD") from None
    _plausible(day, value, option)
    return day


def _plausible(day: date, value: str, option: str) -> None:
    if not plausible_year(day.year):
        raise OrgError(
            f"{option}: '{value}' is not a plausible date; expected a year from {FIRST_YEAR} "
            f"to {LAST_YEAR}"
        )


def parse_as_of(value: str | None, tz: str) -> datetime:
    """A date (the end of that day, local) or a date-time (local unless it has an offset)."""
    if value is None:
        return CLOCK.now()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            _plausible(day, value, "--as-of")
            return local_instant(day + timedelta(days=1), time(0), tz) - timedelta(microseconds=1)
        at = datetime.fromisoformat(value)
    except ValueError:
        raise OrgError(
            f"--as-of: '{value}' is not a date; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    _plausible(at.date(), value, "--as-of")
    return at if at.tzinfo is not None else at.replace(tzinfo=zone(tz))


@user_errors
def init(
    policy: Policy = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create or upgrade the database schema and store the organisation's policy pack."""
    asked = policy or Settings().supervision_policy
    if asked and asked.strip() not in available_packs():
        load_pack(asked)  # an unknown name or a bad file is refused before anything is made
    engine = database(database_url, ready=False)
    upgrade(engine)
    with session_scope(engine) as session:
        stored = get_setting(session, POLICY_KEY)
        kept = stored_pack_text(session)
        ref = asked or stored or DEFAULT_POLICY
        if ref.strip() in available_packs():
            pack = load_pack(ref)
            forget_stored_pack(session)
            note = None
        elif not asked and kept is not None:
            # A re-run with no --policy keeps the stored text (the file may be long gone).
            pack, note = parse_text(kept[1], kept[0]), f"kept the text stored from {kept[0]}"
        else:
            pack = load_pack(ref)  # an unknown name or an unreadable file: a clear error
            path = Path(ref.strip()).expanduser().resolve()
            ref = str(path)
            store_pack_text(session, ref, path.read_text(encoding="utf-8"), CLOCK.now())
            note = (
                f"its text is stored in the database (every replica uses it); after editing "
                f"{path.name}, run `supervision-bot init --policy {path}` again"
            )
        put_setting(session, POLICY_KEY, ref)
        unknown = unknown_roles(session, pack)  # people imported under another pack
    revision = current_revision(engine)
    console = out()
    console.print(f"Database ready at {safe_url(str(engine.url))} (schema {revision}).")
    console.print(f"Policy: {pack.name} - {pack.title} ({pack.version}).")
    if note:
        console.print(f"Policy file: {note}.")
    warn_unknown_roles(pack, unknown)


def today_local() -> date:
    return local_date(CLOCK.now(), org_timezone())


def json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


import_app = typer.Typer(
    name="import", no_args_is_help=True,
    help="Load HR exports (CSV). Each file is one transaction: any bad row and nothing is written.",
)  # fmt: skip

CsvPath = Annotated[Path, typer.Argument(help="The CSV file.", show_default=False)]


def _report(what: str, result: ImportResult) -> None:
    console = out()
    console.print(
        f"{what}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged"
        + (f", {result.supervisor_changes} supervisor changes recorded."
           if result.supervisor_changes else ".")
    )
    warn = Console(stderr=True, highlight=False, soft_wrap=True)
    for w in result.warnings:
        warn.print(f"[yellow]Note:[/yellow] {escape(w)}")


@import_app.command("people")
@user_errors
def import_people_cmd(
    file: CsvPath, policy: Policy = None, database_url: DatabaseUrl = None
) -> None:
    """Import people.csv: id,name,email,role,supervisor_id,start_date [slack_user_id,
    teams_user_id,team,timezone,supervisor_since]."""
    engine = database(database_url)
    pack = choose_pack(engine, policy)
    result = import_people(engine, pack, file, CLOCK.now(), org_timezone())
    _report(file.name, result)


@import_app.command("sessions")
@user_errors
def import_sessions_cmd(file: CsvPath, database_url: DatabaseUrl = None) -> None:
    """Import sessions.csv: supervisee_id,scheduled_at,status [booked_on,held_on,cancelled_on,
    cancel_reason,record_shared_on,record_signed_on]."""
    engine = database(database_url)
    _report(file.name, import_sessions(engine, file, CLOCK.now(), org_timezone()))


@import_app.command("absences")
@user_errors
def import_absences_cmd(file: CsvPath, database_url: DatabaseUrl = None) -> None:
    """Import absences.csv: person_id,first_day,last_day,reason (sickness|annual_leave|other)."""
    engine = database(database_url)
    _report(file.name, import_absences(engine, file, CLOCK.now()))


@import_app.command("agreements")
@user_errors
def import_agreements_cmd(file: CsvPath, database_url: DatabaseUrl = None) -> None:
    """Import agreements.csv: supervisee_id,signed_on [,supervisor_id (default: the supervisor
    on that day)]."""
    engine = database(database_url)
    _report(file.name, import_agreements(engine, file, CLOCK.now(), org_timezone()))


@user_errors
def status(
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="A date (end of that day) or date-time; default now.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array.")] = False,
    team: Annotated[str | None, typer.Option(help="Only this team.")] = None,
    policy: Policy = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Supervision status of everyone: last held, next due, next booked, overdue."""
    engine = database(database_url)
    pack = choose_pack(engine, policy)
    instant = parse_as_of(as_of, org_timezone())
    with session_scope(engine) as session:
        teams = teams_named(session, team) if team is not None else None
        rows = [r for r in statuses(session, pack, instant) if teams is None or r.team in teams]
        others = [
            r for r in without_cadence(session, pack, instant) if teams is None or r.team in teams
        ]
        unknown = unknown_roles(session, pack)
        if as_json:
            objects = [(r.id, r.as_json()) for r in rows] + [(r.id, r.as_json()) for r in others]
            typer.echo(json_text([obj for _, obj in sorted(objects, key=lambda o: o[0])]))
        else:
            print_reply(status_report(session, pack, instant, rows))
            footnote = no_cadence_footnote(pack, others)
            if footnote:
                out().print(escape(footnote))
    warn_unknown_roles(pack, unknown)


def warn_unknown_roles(pack: PolicyPack, unknown: dict[str, list[str]]) -> None:
    """A note on stderr for each role people hold that `pack` does not know."""
    warn = Console(stderr=True, highlight=False, soft_wrap=True)
    for role, ids in sorted(unknown.items()):
        warn.print(f"[yellow]Note:[/yellow] role '{escape(role)}' is not in the {pack.name} "
                   f"policy; left out: {escape(', '.join(ids[:10]))}"
                   + (f" and {len(ids) - 10} more" if len(ids) > 10 else ""))


def render_table(table: Table, width: int = WIDTH) -> RichTable:
    """A rich table within `width` columns: short columns (dates, states) keep their width,
    long ones (names, roles) share the rest and are cut with an ellipsis."""
    rich = RichTable(box=box.SIMPLE_HEAD, pad_edge=False, title=table.title)
    natural = [
        max([len(name), *(len(row[i]) for row in table.rows)])
        for i, name in enumerate(table.columns)
    ]
    short = [n for n in natural if n <= SHORT_COLUMN]
    n_long = len(natural) - len(short)
    # Between columns: one space of padding each side and the box's (blank) divider; the
    # box's blank edge on either side.
    budget = width - sum(short) - 3 * (len(natural) - 1) - 2
    share = max(8, budget // n_long) if n_long else 0
    for name, n in zip(table.columns, natural, strict=True):
        if n <= SHORT_COLUMN:
            rich.add_column(name, no_wrap=True, min_width=n)
        else:
            rich.add_column(name, no_wrap=True, overflow="ellipsis", max_width=min(n, share))
    for row in table.rows:
        rich.add_row(*(_styled(cell) for cell in row))
    return rich


def _styled(cell: str) -> str:
    style = {
        "overdue": "bold red", "to book": "yellow", "booked late": "yellow", "booked": "green"
    }.get(cell)  # fmt: skip
    return f"[{style}]{escape(cell)}[/{style}]" if style else escape(cell)


def print_reply(reply: Reply) -> None:
    """Render a handler's Reply as console text and tables."""
    console = out()
    for table in reply.tables:
        console.print(render_table(table))
    console.print(escape(reply.text))
    for fact in reply.facts:
        console.print(f"[bold]{escape(fact.label)}:[/bold] {escape(fact.value)}")


def register(app: typer.Typer) -> None:
    """Add init, import, people (bot/cli_people.py), status and demo to the main app."""
    from bot import cli_people, demo

    app.command("init")(init)
    app.add_typer(import_app)
    app.add_typer(cli_people.people_app)
    app.command("status")(status)
    demo.register(app)
