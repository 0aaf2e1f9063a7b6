"""Teams commands: serve the bot endpoint, list who Teams cannot reach, build the app package."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bot import cli_org
from bot.cli_org import DatabaseUrl, Policy, user_errors
from bot.settings import Settings

teams_app = typer.Typer(
    name="teams", help="Microsoft Teams: serve the bot, see who cannot be reached yet.",
    no_args_is_help=True,
)  # fmt: skip


@teams_app.command("serve")
@user_errors
def serve(
    port: Annotated[int, typer.Option("--port", help="TCP port for /api/messages.")] = 3978,
    host: Annotated[
        str | None,
        typer.Option(
            "--host",
            help="Interface to listen on. Default 0.0.0.0; 127.0.0.1 in local-development mode.",
        ),
    ] = None,
    insecure_dev: Annotated[
        bool,
        typer.Option(
            "--insecure-dev",
            help="Local development only: accept unauthenticated "
            "requests when TEAMS_APP_ID/PASSWORD/TENANT_ID are not set.",
        ),
    ] = False,
    reminders: Annotated[bool, typer.Option(help="Also run the reminder loop.")] = True,
    database_url: DatabaseUrl = None,
    policy: Policy = None,
    dev_listen_all: Annotated[
        bool,
        typer.Option(
            "--dev-listen-all",
            help="Local-development mode only: listen on all interfaces (0.0.0.0) "
            "instead of 127.0.0.1, e.g. inside a container. Also TEAMS_DEV_LISTEN_ALL=1.",
        ),
    ] = False,
) -> None:
    """Serve the Teams bot: POST /api/messages (JWT-validated), GET /healthz, reminders.

    With SLACK_BOT_TOKEN set too, reminders go to each person on the platform
    they use (run the reminder loop in one process only: --no-reminders elsewhere).
    Unauthenticated local-development mode listens on 127.0.0.1 only.
    """
    from bot.teams.app import TeamsConfig
    from bot.teams.server import DEV_LISTEN_ALL_ENV, serve_teams

    settings = Settings()
    TeamsConfig.from_settings(settings, insecure_dev=insecure_dev)  # fail fast, clearly
    engine = cli_org.database(database_url)
    pack = cli_org.choose_pack(engine, policy)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # `serve --teams` calls this function directly, so the environment is read here too.
    listen_all = dev_listen_all or _truthy(os.environ.get(DEV_LISTEN_ALL_ENV))
    serve_teams(
        settings, engine, pack, cli_org.CLOCK, port,
        host=host, insecure_dev=insecure_dev, reminders=reminders, listen_all=listen_all,
    )  # fmt: skip


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@teams_app.command("unreachable")
@user_errors
def unreachable(
    nowhere: Annotated[
        bool, typer.Option("--nowhere", help="Only people Slack cannot reach either.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many rows.")] = 200,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many rows.")] = 0,
    database_url: DatabaseUrl = None,
) -> None:
    """Who has no Teams chat with the bot yet (so gets no Teams reminders)."""
    from storage import teams_queries
    from storage.db import session_scope

    engine = cli_org.database(database_url)
    with session_scope(engine) as s:
        total = teams_queries.count_unreachable(s, without_slack=nowhere)
        people = teams_queries.unreachable_people(
            s, without_slack=nowhere, limit=limit, offset=offset
        )
    console = cli_org.out()
    where = "Teams or Slack" if nowhere else "Teams"
    if total == 0:
        console.print(f"Everyone active can be reached on {where}.")
        return
    table = Table(title=f"{total} people cannot be reached on {where} yet")
    for column in ("Person", "Name", "Email", "Team", "Slack"):
        table.add_column(column)
    for p in people:
        slack = "yes" if p.slack_user_id else "no"
        table.add_row(p.id, p.name, p.email or "-", p.team or "-", slack)
    console.print(table)
    if offset + len(people) < total:
        console.print(f"Showing {offset + 1}-{offset + len(people)}; use --offset for more.")
    console.print(
        "They need to open the supervision-bot app in Teams once (or an admin installs it "
        "for them) before Teams reminders can reach them."
    )


@user_errors
def teams_package(
    website_url: Annotated[
        str,
        typer.Option(
            "--website-url",
            help="https page about the bot for your staff "
            "(Teams shows it; also used for privacy and terms unless given).",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the zip.")] = Path(
        "supervision-bot-teams.zip"
    ),
    developer: Annotated[str, typer.Option("--developer", help="Publisher name.")] = (
        "supervision-bot"
    ),
    privacy_url: Annotated[str | None, typer.Option("--privacy-url")] = None,
    terms_url: Annotated[str | None, typer.Option("--terms-url")] = None,
    app_id: Annotated[
        str | None,
        typer.Option(
            "--app-id",
            envvar="TEAMS_MANIFEST_ID",
            help="The Teams app's own id (manifest id), when it differs from the bot's "
            "TEAMS_APP_ID. Default: the bot's id.",
        ),
    ] = None,
) -> None:
    """Write the Teams app package (manifest.json and icons) for upload to Teams."""
    from bot.teams.handlers_core import registry_commands
    from bot.teams.package import PackageError, write_package

    settings = Settings()
    try:
        path = write_package(
            out,
            settings.teams_app_id,
            registry_commands(),
            website_url=website_url,
            developer=developer,
            privacy_url=privacy_url,
            terms_url=terms_url,
            manifest_id=app_id or None,
        )
    except PackageError as exc:
        raise cli_org.fail(str(exc)) from None
    cli_org.out().print(
        f"Wrote {path}. Upload it in Teams (Apps > Manage your apps > Upload an app) "
        "or in the Teams admin centre."
    )


def register(app: typer.Typer) -> None:
    """Add the `teams` group and `teams-package` to the main app."""
    app.add_typer(teams_app)
    app.command("teams-package")(teams_package)
