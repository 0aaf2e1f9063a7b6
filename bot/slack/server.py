"""Serving the Bolt app: HTTP with waitress (POST /slack/events, GET /healthz) or Socket Mode."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]


def wsgi_app(app: App) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Bolt's WSGI adapter on POST /slack/events, plus GET /healthz answering 200."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in (
            "GET",
            "HEAD",
        ):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


def make_http_server(app: App, host: str, port: int, threads: int = 8, **adjust: Any) -> Any:
    """A waitress server (not yet running); `.run()` serves, `.close()` stops.

    `adjust`: further waitress settings (e.g. asyncore_loop_timeout for quick shutdown in tests).
    """
    from waitress.server import create_server

    return create_server(
        wsgi_app(app), host=host, port=port, threads=threads, ident="supervision-bot", **adjust
    )


def stop_http_server(server: Any) -> None:
    """Stop a running waitress server from another thread (its loop closes its own sockets).

    The worker threads finish first: a worker that finished a response pulls the loop's
    trigger, which must not be closed under it (EBADF)."""

    def close_all() -> None:
        for dispatcher in list(server._map.values()):
            dispatcher.close()

    server.task_dispatcher.shutdown()
    server.trigger.pull_trigger(close_all)


def serve_http(app: App, host: str, port: int) -> None:
    server = make_http_server(app, host, port)
    log.info("serving Slack events on http://%s:%s%s", host, port, EVENTS_PATH)
    server.run()


def socket_handler(app: App, app_token: str) -> Any:
    """Bolt's Socket Mode handler (not yet connected); `.connect()`, `.close()`.

    It asks apps.connections.open for the WebSocket address through the app's own
    WebClient, so SLACK_API_URL applies here too.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, app_token, web_client=app.client)


def serve_socket(app: App, app_token: str) -> None:
    """Socket Mode: no public endpoint needed (an outbound WebSocket to Slack)."""
    log.info("connecting to Slack in Socket Mode")
    socket_handler(app, app_token).start()


def start_background(target: Callable[[], None], name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
