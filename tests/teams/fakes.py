"""A local fake of the Bot Connector service and of the Bot Framework signing keys.

`FakeConnector` answers on localhost what Teams' Bot Connector would:
POST /v3/conversations/{id}/activities (recorded), GET
/v3/conversations/{id}/members/{user} (from `members`), and the OpenID
metadata + JWKS the SDK fetches to validate inbound tokens. `TokenMint` signs
tokens with a locally generated RSA key, as the Bot Framework would.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"


@dataclass
class Posted:
    conversation_id: str
    activity: dict[str, Any]
    authorization: str | None


TOKEN_ISSUED_AT = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
TOKEN_EXPIRES_AT = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())


class TokenMint:
    """Signs Bot Framework-shaped JWTs with a local RSA key; `jwks` publishes the public key."""

    def __init__(self, kid: str = "test-key") -> None:
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @property
    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [public]}

    def token(self, audience: str, service_url: str, **claims: Any) -> str:
        # The SDK checks iat/nbf/exp against the real clock (PyJWT, 300 s leeway), which
        # tests must not read: the tokens are issued at a fixed past instant and stay
        # valid until a fixed far-future one, so they verify whenever the suite runs.
        payload = {
            "iss": ISSUER,
            "aud": audience,
            "serviceurl": service_url,
            "iat": TOKEN_ISSUED_AT,
            "nbf": TOKEN_ISSUED_AT,
            "exp": TOKEN_EXPIRES_AT,
            **claims,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})


@dataclass
class FakeConnector:
    """The fake service; start() binds a free localhost port."""

    mint: TokenMint = field(default_factory=TokenMint)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    posted: list[Posted] = field(default_factory=list)
    fail_status: int | None = None  # answer activity POSTs with this status instead
    refuse: set[str] = field(default_factory=set)  # conversations that answer 403 (app removed)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def openid_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    def start(self) -> FakeConnector:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = [unquote(p) for p in self.path.split("?")[0].strip("/").split("/")]
                if self.path.startswith("/v1/.well-known/openidconfiguration"):
                    self._json(
                        200, {"issuer": ISSUER, "jwks_uri": f"{fake.url}/v1/.well-known/keys"}
                    )
                elif self.path.startswith("/v1/.well-known/keys"):
                    self._json(200, fake.mint.jwks)
                elif (
                    len(parts) == 5
                    and parts[:2] == ["v3", "conversations"]
                    and parts[3] == "members"
                ):
                    member = fake.members.get(parts[4])
                    if member is None:
                        self._json(404, {"error": {"code": "MemberNotFound"}})
                    else:
                        self._json(200, member)
                else:
                    self._json(404, {"error": {"code": "NotFound"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                parts = [unquote(p) for p in self.path.split("?")[0].strip("/").split("/")]
                if (
                    len(parts) == 4
                    and parts[:2] == ["v3", "conversations"]
                    and parts[3] == "activities"
                ):
                    if fake.fail_status is not None:
                        self._json(fake.fail_status, {"error": {"code": "Refused"}})
                        return
                    if parts[2] in fake.refuse:
                        self._json(403, {"error": {"code": "BotNotInConversationRoster"}})
                        return
                    fake.posted.append(Posted(parts[2], body, self.headers.get("Authorization")))
                    self._json(201, {"id": uuid.uuid4().hex})
                else:
                    self._json(404, {"error": {"code": "NotFound"}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def to(self, conversation_id: str) -> list[dict[str, Any]]:
        return [p.activity for p in self.posted if p.conversation_id == conversation_id]


def activity(
    kind: str,
    *,
    service_url: str,
    user_id: str = "29:user-1",
    aad: str | None = "aad-1",
    user_name: str = "Sam Supervisee",
    conversation_id: str = "a:personal-1",
    conversation_type: str = "personal",
    bot_id: str = "28:bot-id",
    activity_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A real-shaped Teams activity as the Bot Connector posts it."""
    sender: dict[str, Any] = {"id": user_id, "name": user_name}
    if aad:
        sender["aadObjectId"] = aad
    return {
        "type": kind,
        "id": activity_id or uuid.uuid4().hex,
        "timestamp": "2026-04-14T09:00:00.000Z",
        "localTimestamp": "2026-04-14T10:00:00.000+01:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": sender,
        "conversation": {
            "id": conversation_id,
            "conversationType": conversation_type,
            "tenantId": "tenant-1",
        },
        "recipient": {"id": bot_id, "name": "Supervision"},
        "channelData": {"tenant": {"id": "tenant-1"}},
        "locale": "en-GB",
        **extra,
    }
