"""`supervision-bot serve`: clear configuration errors, and the real process serving HTTP
or Socket Mode (against local fakes of the Web API and the Socket Mode WebSocket)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import MissingConfiguration, Settings
from bot.slack.cli import check_config
from storage.db import make_engine
from storage.migrate import upgrade
from tests.chat.org import seed
from tests.slack.fake_slack import FakeSlack
from tests.slack.fake_socket import FakeSocketMode

EMPTY = {"SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": ""}


def test_missing_configuration_names_every_variable_and_the_manifest(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["serve", "--http", "--database-url", f"sqlite:///{tmp_path / 'x.db'}"], env=EMPTY
    )
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "Missing configuration: set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET." in text
    assert "app_manifest.yaml" in text and "Traceback" not in text
    socket_mode = CliRunner().invoke(
        app,
        ["serve", "--socket"],
        env={**EMPTY, "SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "y"},
    )
    assert socket_mode.exit_code == 1 and "SLACK_APP_TOKEN" in " ".join(socket_mode.output.split())
    # Socket Mode needs the bot token and the app-level token, and no signing secret.
    no_app_token = CliRunner().invoke(
        app, ["serve", "--socket"], env={**EMPTY, "SLACK_BOT_TOKEN": "x"}
    )
    text = " ".join(no_app_token.output.split())
    assert no_app_token.exit_code == 1
    assert "Missing configuration: set SLACK_APP_TOKEN." in text
    assert "SLACK_SIGNING_SECRET" not in text.split(".")[0] and "connections:write" in text
    nothing = CliRunner().invoke(app, ["serve", "--socket"], env=EMPTY)
    assert "set SLACK_BOT_TOKEN, SLACK_APP_TOKEN." in " ".join(nothing.output.split())
    both = CliRunner().invoke(app, ["serve", "--http", "--socket"], env=EMPTY)
    assert both.exit_code == 1 and "one of --http, --socket" in both.output


def test_socket_mode_configuration() -> None:
    def settings(**values: str | None) -> Settings:
        base: dict[str, str | None] = {
            "slack_bot_token": None,
            "slack_signing_secret": None,
            "slack_app_token": None,
        }
        return Settings(**{**base, **values}, _env_file=None)  # type: ignore[arg-type]

    check_config(settings(slack_bot_token="xoxb-1", slack_app_token="xapp-1-A1"), socket=True)
    with pytest.raises(MissingConfiguration, match="xapp-") as wrong:
        check_config(settings(slack_bot_token="xoxb-1", slack_app_token="xoxb-2"), socket=True)
    assert "xoxb-2" not in str(wrong.value)  # a token is never echoed back
    with pytest.raises(MissingConfiguration, match="SLACK_SIGNING_SECRET"):
        check_config(settings(slack_bot_token="xoxb-1", slack_app_token="xapp-1"), socket=False)


def test_serve_teams_names_the_teams_variables(tmp_path: Path) -> None:
    env = {**EMPTY, "TEAMS_APP_ID": "", "TEAMS_APP_PASSWORD": "", "TEAMS_TENANT_ID": ""}
    result = CliRunner().invoke(
        app, ["serve", "--teams", "--database-url", f"sqlite:///{tmp_path / 'x.db'}"], env=env
    )
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "TEAMS_APP_ID" in text and "--insecure-dev" in text and "Traceback" not in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_serve_http_runs_waitress_with_healthz(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'org.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine)
    engine.dispose()
    fake = FakeSlack().start()
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s3cret",
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": url,
        "SUPERVISION_POLICY": "leeds",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "serve",
            "--http",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--no-reminders",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        pause = threading.Event()
        for _ in range(150):  # up to ~15 s for the process to start listening
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                pause.wait(0.1)
        assert _get(f"http://127.0.0.1:{port}/healthz") == 200
        forged = urllib.request.Request(
            f"http://127.0.0.1:{port}/slack/events",
            data=b'{"type":"event_callback"}',
            headers={
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": "1",
                "X-Slack-Signature": "v0=00",
            },
            method="POST",
        )
        try:
            urllib.request.urlopen(forged, timeout=5)
            status = 200
        except urllib.error.HTTPError as exc:
            status = exc.code
        assert status == 401
        assert fake.calls == []
    finally:
        proc.terminate()
        out = proc.communicate(timeout=10)[0].decode()
        fake.stop()
    assert "Traceback" not in out


def test_serve_socket_connects_and_answers_without_a_signing_secret(tmp_path: Path) -> None:
    """The real `serve --socket` process: apps.connections.open on SLACK_API_URL, then a DM
    arrives over the (local, fake) WebSocket and is answered through the Web API."""
    url = f"sqlite:///{tmp_path / 'org.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine)
    engine.dispose()
    ws = FakeSocketMode().start()
    fake = FakeSlack(users={"UALEX": "alex@example.org"}, socket_url=ws.url).start()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "",
        "SLACK_APP_TOKEN": "xapp-1-A0001-test",
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": url,
        "SUPERVISION_POLICY": "leeds",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--socket", "--no-reminders"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        ws.wait_connected(timeout=20)
        [opened] = fake.of("apps.connections.open")
        assert opened.args["_authorization"] == "Bearer xapp-1-A0001-test"
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": "DALEX",
            "user": "UALEX",
            "text": "help",
            "ts": "1775635200.000100",
        }
        envelope = {
            "envelope_id": "env-serve",
            "type": "events_api",
            "accepts_response_payload": False,
            "payload": {"type": "event_callback", "event_id": "EvServe", "event": event},
        }
        ws.send_envelope(envelope)
        assert ws.wait_ack("env-serve") == {"envelope_id": "env-serve"}
        [posted] = fake.wait("chat.postMessage", timeout=20)
        assert posted.args["channel"] == "DALEX"
        assert posted.args["text"].startswith("Here's what I can help")
    finally:
        proc.terminate()
        out = proc.communicate(timeout=10)[0].decode()
        ws.stop()
        fake.stop()
    assert "Traceback" not in out
