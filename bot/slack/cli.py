"""`supervision-bot serve`: the Slack app over HTTP or Socket Mode, with the reminder loop."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from bot import cli_org
from bot.cli_org import DatabaseUrl, Policy, user_errors
from bot.clock import Clock, SystemClock
from bot.settings import MissingConfiguration, Settings
from bot.slack.app import SlackBot, build_app
from bot.slack.client import make_client
from bot.slack.server import serve_http, serve_socket, start_background
from bot.slack.transport import SlackTransport
from bot.transport import Transport
from handlers.chat.dispatch import ChatService

log = logging.getLogger(__name__)

HOW_TO_CREATE = (
    "Create the Slack app from app_manifest.yaml (api.slack.com/apps > Create New App > "
    "From an app manifest), install it to your workspace, then copy the Bot User OAuth Token "
    "(xoxb-...) to SLACK_BOT_TOKEN and, for --http, the Signing Secret (Basic Information) to "
    "SLACK_SIGNING_SECRET."
)
HOW_TO_SOCKET = (
    "For --socket, set socket_mode_enabled: true in the manifest, then under Basic Information "
    "> App-Level Tokens create a token with the connections:write scope and set SLACK_APP_TOKEN "
    "(xapp-...). Socket Mode needs no signing secret and no public URL."
)


def check_config(settings: Settings, *, socket: bool) -> None:
    """One clear message naming every missing variable, and how to get them.

    HTTP needs the bot token and the signing secret; Socket Mode the bot token and
    the app-level token (the WebSocket is authenticated by it, nothing is signed).
    """
    if socket:
        settings.require(
            "slack_bot_token", "slack_app_token", hint=HOW_TO_CREATE + " " + HOW_TO_SOCKET
        )
        if not str(settings.slack_app_token).startswith("xapp-"):
            raise MissingConfiguration(
                "SLACK_APP_TOKEN is not an App-Level Token: those start with xapp- (the bot "
                "token, xoxb-..., belongs in SLACK_BOT_TOKEN). " + HOW_TO_SOCKET
            )
        return
    settings.require("slack_bot_token", "slack_signing_secret", hint=HOW_TO_CREATE)


def _delivery(
    settings: Settings, engine: Engine, clock: Clock, slack: SlackTransport
) -> Transport:
    """Slack alone, or Teams and Slack when Teams is registered too: then every replica's
    loop, Slack's or Teams', reaches each person on the platform they use, in the same
    order as `serve --teams` (the outbox key sends each message once whichever wakes)."""
    from bot.teams.server import configured_teams_transport
    from bot.teams.transport import CompositeTransport

    teams = configured_teams_transport(settings, engine, clock)
    return slack if teams is None else CompositeTransport([teams, slack])


def _start_reminders(service: ChatService, transport: Transport, settings: Settings) -> None:
    """The engine's live loop in a background thread, delivering through Slack."""
    from bot.scheduler import run_forever

    def loop() -> None:
        try:
            run_forever(service.engine, service.pack, service.clock, transport, settings=settings)
        except Exception:
            log.exception("the reminder loop stopped")

    start_background(loop, "reminders")


@user_errors
def serve(
    http: Annotated[
        bool, typer.Option("--http", help="Serve Slack over HTTP (POST /slack/events).")
    ] = False,
    socket: Annotated[
        bool, typer.Option("--socket", help="Use Socket Mode (SLACK_APP_TOKEN).")
    ] = False,
    teams: Annotated[
        bool, typer.Option("--teams", help="Serve Microsoft Teams (POST /api/messages).")
    ] = False,
    port: Annotated[
        int | None, typer.Option("--port", help="HTTP port (Slack 3000, Teams 3978).")
    ] = None,
    host: Annotated[str, typer.Option("--host", help="HTTP address to bind.")] = "0.0.0.0",
    reminders: Annotated[bool, typer.Option(help="Also run the reminder loop.")] = True,
    insecure_dev: Annotated[
        bool,
        typer.Option(
            "--insecure-dev",
            help="Teams local development only: accept unauthenticated requests "
            "when TEAMS_APP_ID/TEAMS_APP_PASSWORD/TEAMS_TENANT_ID are not set.",
        ),
    ] = False,
    database_url: DatabaseUrl = None,
    policy: Policy = None,
) -> None:
    """Run the chat app and the reminder loop: Slack over HTTP or Socket Mode, or Teams.

    Slack over --http needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET; --socket needs
    SLACK_BOT_TOKEN and SLACK_APP_TOKEN; SLACK_API_URL overrides the Web API base URL. Teams needs
    TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID. DATABASE_URL picks the store.
    """
    if sum((http, socket, teams)) != 1:
        raise cli_org.fail("Choose one of --http, --socket (Slack) or --teams.")
    if teams:
        from bot.cli_teams import serve as serve_teams_command

        serve_teams_command(
            port=port or 3978,
            host=host,
            insecure_dev=insecure_dev,
            reminders=reminders,
            database_url=database_url,
            policy=policy,
        )
        return
    settings = Settings()
    try:
        check_config(settings, socket=socket)
    except MissingConfiguration as exc:
        raise cli_org.fail(str(exc)) from None
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    engine = cli_org.database(database_url)
    clock = SystemClock()
    service = ChatService(
        engine, clock, cli_org.choose_pack(engine, policy), frozenset(settings.admin_ids)
    )
    client = make_client(settings)
    transport = SlackTransport(client, engine, clock, service.admin_ids)
    # Socket Mode runs without a signing secret: the app then refuses any HTTP request.
    secret = None if socket else str(settings.slack_signing_secret)
    app = build_app(SlackBot(service, client, transport), secret)
    if reminders:
        _start_reminders(service, _delivery(settings, engine, clock, transport), settings)
    if socket:
        serve_socket(app, str(settings.slack_app_token))
    else:
        serve_http(app, host, port or 3000)
