"""Authenticated mode: the SDK validates Bot Framework JWTs against the signing keys it fetches.

The fake connector serves the OpenID metadata and JWKS (TEAMS_OPENID_METADATA_URL
points the SDK there); tokens are signed with a locally generated RSA key.
Outbound calls carry the app token from the configured token provider.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import jwt
import pytest
from sqlalchemy.engine import Engine

from bot.settings import MissingConfiguration
from bot.teams.app import TeamsConfig
from storage.db import session_scope
from storage.models import Person
from tests.teams.conftest import APP_ID, TENANT, Endpoint, settings, start_endpoint
from tests.teams.fakes import FakeConnector, TokenMint, activity


def outbound_token(fake: FakeConnector) -> str:
    """The app token the bot presents to the connector (what Entra would issue it)."""
    return fake.mint.token("https://api.botframework.com", "", appid=APP_ID, kind="outbound")


@pytest.fixture
def auth_endpoint(org: Engine, connector: FakeConnector) -> Iterator[Endpoint]:
    config = TeamsConfig.from_settings(
        settings(
            teams_app_id=APP_ID,
            teams_app_password="not-used-with-a-token-provider",
            teams_tenant_id=TENANT,
            teams_openid_metadata_url=connector.openid_url,
        )
    )
    assert not config.dev_mode
    with session_scope(org) as s:
        alex = s.get(Person, "sw1")
        assert alex is not None
        alex.teams_user_id = "aad-alex"
    app_token = outbound_token(connector)
    endpoint = start_endpoint(org, connector, config, token=lambda scope, tenant: app_token)
    try:
        yield endpoint
    finally:
        endpoint.server.stop()


def _message(fake: FakeConnector) -> dict:
    return activity(
        "message", service_url=fake.url, aad="aad-alex", user_id="29:alex", text="am I overdue?"
    )


def test_valid_token_is_accepted_and_reply_carries_the_app_token(auth_endpoint: Endpoint) -> None:
    fake = auth_endpoint.connector
    token = fake.mint.token(APP_ID, fake.url)
    status, _ = auth_endpoint.post(_message(fake), token=token)
    assert status == 200
    [posted] = fake.posted
    assert posted.authorization is not None and posted.authorization.startswith("Bearer ")
    claims = jwt.decode(
        posted.authorization.removeprefix("Bearer "), options={"verify_signature": False}
    )
    assert claims["kind"] == "outbound" and claims["appid"] == APP_ID
    assert "overdue" in str(posted.activity)


def test_missing_token_is_rejected(auth_endpoint: Endpoint) -> None:
    status, body = auth_endpoint.post(_message(auth_endpoint.connector))
    assert status == 401 and body == {"error": "Unauthorized"}
    assert auth_endpoint.connector.posted == []


def test_token_signed_by_another_key_is_rejected(auth_endpoint: Endpoint) -> None:
    fake = auth_endpoint.connector
    forged = TokenMint(kid="test-key").token(APP_ID, fake.url)  # same kid, wrong key
    assert auth_endpoint.post(_message(fake), token=forged)[0] == 401
    assert fake.posted == []


def test_token_for_another_bot_is_rejected(auth_endpoint: Endpoint) -> None:
    fake = auth_endpoint.connector
    other = fake.mint.token("00000000-0000-0000-0000-000000000000", fake.url)
    assert auth_endpoint.post(_message(fake), token=other)[0] == 401


def test_token_for_another_service_url_is_rejected(auth_endpoint: Endpoint) -> None:
    """A token minted for one service URL cannot redirect replies to another."""
    fake = auth_endpoint.connector
    token = fake.mint.token(APP_ID, "https://smba.trafficmanager.net/emea/")
    assert auth_endpoint.post(_message(fake), token=token)[0] == 401


def test_expired_token_is_rejected(auth_endpoint: Endpoint) -> None:
    fake = auth_endpoint.connector
    token = fake.mint.token(
        APP_ID, fake.url, iat=1_600_000_000, nbf=1_600_000_000, exp=1_600_000_600
    )
    assert auth_endpoint.post(_message(fake), token=token)[0] == 401


def test_no_credentials_and_no_dev_flag_is_a_clear_configuration_error() -> None:
    with pytest.raises(MissingConfiguration, match="TEAMS_APP_ID, TEAMS_APP_PASSWORD"):
        TeamsConfig.from_settings(settings())


def test_partial_credentials_name_what_is_missing() -> None:
    with pytest.raises(MissingConfiguration, match="TEAMS_TENANT_ID"):
        TeamsConfig.from_settings(settings(teams_app_id=APP_ID, teams_app_password="x"))


def test_credentials_win_over_the_dev_flag() -> None:
    config = TeamsConfig.from_settings(
        settings(teams_app_id=APP_ID, teams_app_password="x", teams_tenant_id=TENANT),
        insecure_dev=True,
    )
    assert not config.dev_mode


def test_dev_mode_is_loudly_logged(
    org: Engine, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    config = TeamsConfig.from_settings(settings(), insecure_dev=True)
    assert config.dev_mode
    with caplog.at_level(logging.WARNING, logger="bot.teams.server"):
        endpoint = start_endpoint(org, connector, config)
        endpoint.server.stop()
    banner = [r for r in caplog.records if "NOT authenticated" in r.getMessage()]
    assert banner and banner[0].levelno == logging.WARNING
