"""Running the Teams endpoint: `serve_teams` for the CLI, `TeamsServer` for tests and embedding.

uvicorn (through the SDK's FastAPI adapter) is the production server. The
server's event loop is private to this module; everything else stays sync.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import uvicorn
from fastapi import FastAPI
from microsoft_teams.apps import App, FastAPIAdapter
from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.settings import Settings
from bot.teams.app import (
    DEV_MODE_BANNER,
    TeamsBot,
    TeamsConfig,
    TokenFunc,
    add_http_guards,
    build_sdk_app,
)
from bot.teams.core import ChatCore
from bot.teams.loop import LoopThread
from bot.teams.transport import CompositeTransport, TeamsTransport
from bot.teams.turns import Turns
from bot.transport import Transport

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
ALL_INTERFACES = ("0.0.0.0", "::", "")
DEV_LISTEN_ALL_ENV = "TEAMS_DEV_LISTEN_ALL"


def listen_host(host: str | None, *, dev_mode: bool, listen_all: bool = False) -> str:
    """Where the endpoint listens: all interfaces normally, loopback only in dev mode.

    An unauthenticated endpoint must not be reachable from the network by
    accident: in local-development mode no host, or the all-interfaces
    address `serve --teams` passes by default, becomes 127.0.0.1 unless
    `listen_all` (--dev-listen-all / TEAMS_DEV_LISTEN_ALL=1) asks for it.
    """
    if not dev_mode or listen_all:
        return host or "0.0.0.0"
    if host is None or host in ALL_INTERFACES:
        return LOOPBACK
    return host


class TeamsServer:
    """The Teams bot endpoint on `host:port`, in the foreground or in a background thread."""

    def __init__(
        self,
        config: TeamsConfig,
        engine: Engine,
        clock: Clock,
        core: ChatCore,
        admin_ids: list[str],
        *,
        host: str = "0.0.0.0",
        port: int = 3978,
        token: TokenFunc | None = None,
    ) -> None:
        self.port = port
        if config.dev_mode:
            log.warning(DEV_MODE_BANNER)
        api = FastAPI(title="supervision-bot Teams endpoint", docs_url=None, redoc_url=None)
        add_http_guards(api)
        self.uvicorn = uvicorn.Server(
            uvicorn.Config(app=api, host=host, port=port, log_level="warning", access_log=False)
        )
        adapter = FastAPIAdapter(app=api, server_factory=lambda _fa: self.uvicorn)
        self.app: App = build_sdk_app(config, token=token, adapter=adapter)
        self.bot = TeamsBot(self.app, Turns(engine, clock, core, admin_ids))
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def serve_forever(self) -> None:
        """Serve until interrupted (Ctrl-C / SIGTERM)."""
        asyncio.run(self.app.start(self.port))

    def start(self, timeout: float = 15.0) -> None:
        """Serve in a background thread; return once the port accepts connections."""
        self._loop = asyncio.new_event_loop()
        loop = self._loop

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.app.start(self.port))

        self._thread = threading.Thread(target=run, name="teams-server", daemon=True)
        self._thread.start()
        ready = threading.Event()

        def wait() -> None:
            while not self.uvicorn.started and self._thread is not None and self._thread.is_alive():
                ready.wait(0.02)
            ready.set()

        wait_thread = threading.Thread(target=wait, daemon=True)
        wait_thread.start()
        if not ready.wait(timeout) or not self.uvicorn.started:
            raise RuntimeError(f"Teams endpoint did not start on port {self.port}")

    def stop(self) -> None:
        self.uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._loop is not None and not self._loop.is_running():
            self._loop.close()


def build_transport(
    settings: Settings,
    engine: Engine,
    clock: Clock,
    *,
    insecure_dev: bool = False,
    token: TokenFunc | None = None,
) -> TeamsTransport:
    """The Teams transport for the engine's scheduler (its own SDK client and loop)."""
    config = TeamsConfig.from_settings(settings, insecure_dev=insecure_dev)
    app = build_sdk_app(config, token=token)
    return TeamsTransport(engine, clock, app, LoopThread(), admin_ids=settings.admin_ids)


def configured_teams_transport(
    settings: Settings, engine: Engine, clock: Clock
) -> TeamsTransport | None:
    """A Teams transport for a Slack process's reminder loop, when Teams is registered too
    (app id, password and tenant), so the loop reaches Teams users as well; else None."""
    if not (settings.teams_app_id and settings.teams_app_password and settings.teams_tenant_id):
        return None
    return build_transport(settings, engine, clock)


def delivery_transport(
    settings: Settings, engine: Engine, clock: Clock, teams: TeamsTransport
) -> Transport:
    """Teams alone, or Teams and Slack together when Slack is configured too.

    With both, each message goes to the platform the person uses (see
    `CompositeTransport`); `serve --http` and `--socket` build the same pair.
    """
    if not settings.slack_bot_token:
        return teams
    from bot.slack.client import make_client
    from bot.slack.transport import SlackTransport

    slack = SlackTransport(make_client(settings), engine, clock, frozenset(settings.admin_ids))
    return CompositeTransport([teams, slack])


def serve_teams(
    settings: Settings,
    engine: Engine,
    pack: Any,
    clock: Clock,
    port: int,
    *,
    host: str | None = None,
    insecure_dev: bool = False,
    reminders: bool = True,
    listen_all: bool = False,
) -> None:
    """Serve POST /api/messages and GET /healthz until interrupted, with the reminder loop.

    Raises `MissingConfiguration` (a message for people) when Teams is not
    configured and local-development mode was not asked for. In that mode the
    endpoint listens on 127.0.0.1 only (see `listen_host`).
    """
    from bot.scheduler import ReminderLoop
    from bot.teams.handlers_core import HandlersCore

    config = TeamsConfig.from_settings(settings, insecure_dev=insecure_dev)
    bind = listen_host(host, dev_mode=config.dev_mode, listen_all=listen_all)
    if config.dev_mode and bind == LOOPBACK and host != LOOPBACK:
        log.warning(
            "Local-development mode: listening on %s only, so other machines cannot reach "
            "this unauthenticated endpoint. Set %s=1 (or pass --dev-listen-all) to listen "
            "on all interfaces anyway, e.g. inside a container.",
            LOOPBACK, DEV_LISTEN_ALL_ENV,
        )  # fmt: skip
    core = HandlersCore(engine, clock, pack, settings)
    server = TeamsServer(config, engine, clock, core, settings.admin_ids, host=bind, port=port)
    mode = "LOCAL DEVELOPMENT (unauthenticated)" if config.dev_mode else "authenticated"
    log.warning("Teams endpoint on http://%s:%d/api/messages (%s)", bind, port, mode)
    loop: ReminderLoop | None = None
    teams: TeamsTransport | None = None
    if reminders:
        teams = TeamsTransport(
            engine, clock, build_sdk_app(config), LoopThread(), admin_ids=settings.admin_ids
        )
        transport = delivery_transport(settings, engine, clock, teams)
        loop = ReminderLoop(engine, pack, clock, transport, settings=settings)
        loop.start()
    try:
        server.serve_forever()
    finally:
        if loop is not None:
            loop.shutdown()
        if teams is not None:
            teams.close()
