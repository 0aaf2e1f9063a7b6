"""`supervision-bot serve`: clear configuration errors, and the real process serving HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from storage.db import make_engine
from storage.migrate import upgrade
from tests.chat.org import seed
from tests.slack.fake_slack import FakeSlack

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
    both = CliRunner().invoke(app, ["serve", "--http", "--socket"], env=EMPTY)
    assert both.exit_code == 1 and "one of --http, --socket" in both.output


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
