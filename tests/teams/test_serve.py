"""Where the Teams endpoint listens: never on every interface by accident in dev mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.teams import server as teams_server
from bot.teams.server import listen_host
from storage.db import make_engine
from storage.migrate import upgrade

# None unsets a variable for the command (CliRunner), so the machine's own settings stay out.
NO_TEAMS: dict[str, str | None] = {
    "TEAMS_APP_ID": None, "TEAMS_APP_PASSWORD": None, "TEAMS_TENANT_ID": None,
    "TEAMS_INSECURE_DEV": None, "TEAMS_DEV_LISTEN_ALL": None, "SLACK_BOT_TOKEN": None,
}  # fmt: skip


@pytest.mark.parametrize(
    ("host", "dev_mode", "listen_all", "expected"),
    [
        (None, False, False, "0.0.0.0"),
        ("10.0.0.5", False, False, "10.0.0.5"),
        (None, True, False, "127.0.0.1"),
        ("0.0.0.0", True, False, "127.0.0.1"),  # `serve --teams` passes this by default
        ("::", True, False, "127.0.0.1"),
        ("192.168.1.20", True, False, "192.168.1.20"),  # a specific address is a choice
        ("0.0.0.0", True, True, "0.0.0.0"),
        (None, True, True, "0.0.0.0"),
    ],
)
def test_listen_host(host: str | None, dev_mode: bool, listen_all: bool, expected: str) -> None:
    assert listen_host(host, dev_mode=dev_mode, listen_all=listen_all) == expected


@pytest.fixture
def bound(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The host each started Teams server was configured with (nothing is served)."""
    hosts: list[str] = []

    def record(self: teams_server.TeamsServer) -> None:
        hosts.append(self.uvicorn.config.host)

    monkeypatch.setattr(teams_server.TeamsServer, "serve_forever", record)
    return hosts


def _db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'org.db'}"
    upgrade(make_engine(url))
    return url


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["teams", "serve", "--insecure-dev"], {}, "127.0.0.1"),
        (["serve", "--teams", "--insecure-dev"], {}, "127.0.0.1"),
        (["teams", "serve", "--insecure-dev", "--host", "0.0.0.0"], {}, "127.0.0.1"),
        (["teams", "serve", "--insecure-dev", "--dev-listen-all"], {}, "0.0.0.0"),
        (["serve", "--teams", "--insecure-dev"], {"TEAMS_DEV_LISTEN_ALL": "1"}, "0.0.0.0"),
    ],
)
def test_dev_mode_listens_on_loopback_unless_asked(
    tmp_path: Path,
    bound: list[str],
    caplog: pytest.LogCaptureFixture,
    args: list[str],
    env: dict[str, str | None],
    expected: str,
) -> None:
    command = [*args, "--no-reminders", "--database-url", _db(tmp_path)]
    result = CliRunner().invoke(app, command, env={**NO_TEAMS, **env})
    assert result.exit_code == 0, result.output
    assert bound == [expected]
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert f"Teams endpoint on http://{expected}:3978/api/messages" in logged
    if expected == "127.0.0.1":
        assert "listening on 127.0.0.1 only" in logged


def test_authenticated_mode_keeps_listening_on_all_interfaces(
    tmp_path: Path, bound: list[str]
) -> None:
    env = {
        **NO_TEAMS,
        "TEAMS_APP_ID": "8f0d3c1e-5b7a-4c2e-9d1f-2a3b4c5d6e7f",
        "TEAMS_APP_PASSWORD": "secret",
        "TEAMS_TENANT_ID": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
    }
    command = ["teams", "serve", "--no-reminders", "--database-url", _db(tmp_path)]
    result = CliRunner().invoke(app, command, env=env)
    assert result.exit_code == 0, result.output
    assert bound == ["0.0.0.0"]
