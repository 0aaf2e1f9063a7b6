"""Fixtures: the reference organisation, a fake Bot Connector, and the real Teams endpoint."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.clock import FixedClock
from bot.settings import Settings
from bot.teams.app import TeamsConfig
from bot.teams.handlers_core import HandlersCore
from bot.teams.server import TeamsServer
from policy.engine import load_pack
from tests.chat.org import ADMINS, NOW, seed
from tests.teams.fakes import FakeConnector

APP_ID = "8f0d3c1e-5b7a-4c2e-9d1f-2a3b4c5d6e7f"
TENANT = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
CLOCK = FixedClock(NOW)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Endpoint:
    """The running Teams endpoint and how to post to it."""

    server: TeamsServer
    connector: FakeConnector

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def post(
        self, body: Any, *, token: str | None = None, raw: bytes | None = None
    ) -> tuple[int, Any]:
        data = raw if raw is not None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}/api/messages", data=data, method="POST")
        req.add_header("Content-Type", "application/json")
        if token is not None:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=20) as resp:
                text = resp.read()
                return resp.status, json.loads(text) if text else None
        except urllib.error.HTTPError as err:
            text = err.read()
            return err.code, json.loads(text) if text else None

    def get(self, path: str) -> tuple[int, Any]:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as resp:
            return resp.status, json.loads(resp.read())


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def org(engine: Engine) -> Engine:
    seed(engine)
    return engine


def settings(**values: Any) -> Settings:
    return Settings(admins=",".join(sorted(ADMINS)), _env_file=None, **values)


def core(engine: Engine) -> HandlersCore:
    return HandlersCore(engine, CLOCK, load_pack("leeds"), settings())


def start_endpoint(
    engine: Engine, connector: FakeConnector, config: TeamsConfig, token: Any = None
) -> Endpoint:
    server = TeamsServer(
        config,
        engine,
        CLOCK,
        core(engine),
        sorted(ADMINS),
        host="127.0.0.1",
        port=free_port(),
        token=token,
    )
    server.start()
    return Endpoint(server, connector)


@pytest.fixture
def dev_endpoint(org: Engine, connector: FakeConnector) -> Iterator[Endpoint]:
    """The endpoint in explicit local-development mode (no inbound authentication)."""
    config = TeamsConfig.from_settings(settings(), insecure_dev=True)
    endpoint = start_endpoint(org, connector, config)
    try:
        yield endpoint
    finally:
        endpoint.server.stop()


def pytest_configure(config: pytest.Config) -> None:
    # The SDK builds its deprecated bot client on every API client; nothing here uses it.
    config.addinivalue_line(
        "filterwarnings", "ignore:The bot client is deprecated:DeprecationWarning"
    )
