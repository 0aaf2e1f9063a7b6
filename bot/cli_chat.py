"""Chat commands: `ask` and `chat` (console adapter) and `serve` (Slack)."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

import typer

from bot import cli_org
from bot.cli_org import DatabaseUrl, Policy, user_errors
from bot.clock import Clock, FixedClock, SystemClock, local_instant
from bot.console import follow, run_chat
from bot.render_text import render_text
from bot.settings import Settings
from handlers.chat.dispatch import ChatService
from storage.db import session_scope
from storage.people import get_person

As = Annotated[str, typer.Option("--as", help="Person id to ask as (their access rules apply).")]
Today = Annotated[
    str | None,
    typer.Option("--today", help="Pretend today is DATE (YYYY-MM-DD), at 09:00 local time."),
]


def make_clock(today: str | None, tz: str) -> Clock:
    """The system clock, or a fixed 09:00 local on --today."""
    if today is None:
        return SystemClock()
    day: date = cli_org.parse_day(today, "--today")
    return FixedClock(local_instant(day, time(9, 0), tz))


def make_service(
    database_url: str | None, policy: str | None, clock: Clock, as_person: str
) -> ChatService:
    """The chat service, for a person on record (an admin testing as someone mistyped is
    told so, rather than shown what a stranger in Slack would see)."""
    settings = Settings()
    engine = cli_org.database(database_url)
    pack = cli_org.choose_pack(engine, policy)
    with session_scope(engine) as session:
        get_person(session, as_person)
    return ChatService(engine, clock, pack, frozenset(settings.admin_ids))


@user_errors
def ask(
    question: Annotated[str, typer.Argument(help="What to ask, in your own words.")],
    as_person: As,
    today: Today = None,
    database_url: DatabaseUrl = None,
    policy: Policy = None,
) -> None:
    """Print the answer PERSON_ID would get to QUESTION (same handlers and access rules)."""
    clock = make_clock(today, Settings().default_timezone)
    service = make_service(database_url, policy, clock, as_person)
    reply = follow(service, as_person, service.text(as_person, question), _prompt, typer.echo)
    if reply.text:
        typer.echo(render_text(reply))
    if not reply.ok:  # a refusal, or someone the bot does not know: scripts can tell
        raise typer.Exit(1)


@user_errors
def chat(
    as_person: As,
    today: Today = None,
    database_url: DatabaseUrl = None,
    policy: Policy = None,
) -> None:
    """Talk to the assistant as PERSON_ID; buttons become numbered choices."""
    clock = make_clock(today, Settings().default_timezone)
    service = make_service(database_url, policy, clock, as_person)
    run_chat(service, as_person, _prompt, typer.echo)


def _prompt(text: str) -> str:
    return input(text)


def register(app: typer.Typer) -> None:
    """Add `ask`, `chat` and `serve` to the main app."""
    from bot.slack.cli import serve

    app.command("ask")(ask)
    app.command("chat")(chat)
    app.command("serve")(serve)
