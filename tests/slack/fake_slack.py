"""A small fake of Slack's Web API on localhost: records every call, answers real-shaped JSON.

Serves /api/<method> (GET query or POST form/JSON, like slack_sdk sends) and
/response/<id> (the response_url of a slash command or button press; ids starting
with "expired" answer 404 expired_url, as Slack does after 30 minutes or five uses).
`rate_limit_once(method)` answers the next call of `method` with HTTP 429 and
Retry-After: 1, as Slack does. chat.postEphemeral in a channel of `not_member`
fails with not_in_channel. apps.connections.open answers `socket_url` (Socket Mode).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    status: int = 200
    ok: bool = True  # what the body said


@dataclass
class FakeSlack:
    """The fake server; `users` maps Slack user id -> email."""

    users: dict[str, str] = field(default_factory=dict)
    undeliverable: set[str] = field(default_factory=set)  # conversations.open fails for these
    not_member: set[str] = field(default_factory=set)  # channels the bot was never added to
    socket_url: str = ""  # what apps.connections.open hands out
    calls: list[Call] = field(default_factory=list)
    _limited: set[str] = field(default_factory=set)
    _failing: dict[str, tuple[int, str]] = field(default_factory=dict)
    _gates: dict[str, threading.Event] = field(default_factory=dict)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlparse(self.path)
                fake._handle(self, url.path, {k: v[0] for k, v in parse_qs(url.query).items()})

            def do_POST(self) -> None:
                url = urlparse(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw).items()}
                args.update({k: v[0] for k, v in parse_qs(url.query).items()})
                if url.path.endswith("/apps.connections.open"):  # which token opened the socket
                    args["_authorization"] = self.headers.get("Authorization")
                fake._handle(self, url.path, args)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/response/{name}"

    def rate_limit_once(self, method: str) -> None:
        self._limited.add(method)

    def hold(self, method: str) -> threading.Event:
        """Calls of `method` wait until the returned event is set (to prove work runs after ack)."""
        gate = self._gates[method] = threading.Event()
        return gate

    def fail_once(self, method: str, status: int = 503, error: str = "fatal_error") -> None:
        """The next call of `method` fails: by default a transient server error; with
        status 200, Slack's usual `{"ok": false, "error": ...}` (the client won't retry)."""
        self._failing[method] = (status, error)

    # --- inspection -----------------------------------------------------------------------
    def of(self, method: str, *, ok_only: bool = True) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    def wait(
        self, method: str, count: int = 1, timeout: float = 10.0, *, ok_only: bool = True
    ) -> list[Call]:
        """Block until `count` successful (or, ok_only=False, any) calls of `method` arrived
        (lazy listeners are async)."""
        with self._cond:
            self._cond.wait_for(
                lambda: len(self.of(method, ok_only=ok_only)) >= count, timeout=timeout
            )
        found = self.of(method, ok_only=ok_only)
        assert len(found) >= count, (
            f"expected {count} {method} call(s), got {len(found)}: {self.calls}"
        )
        return found

    # --- answering -------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler, path: str, args: dict[str, Any]) -> None:
        method = path.removeprefix("/api/") if path.startswith("/api/") else "response_url"
        gate = self._gates.get(method)
        if gate is not None:
            gate.wait(timeout=10)
        status, headers, body = 200, {}, self._answer(method, args)
        if method == "response_url":
            args = {**args, "_path": path}
            if path.removeprefix("/response/").startswith("expired"):
                status, body = 404, {"ok": False, "error": "expired_url"}
        with self._cond:
            if method in self._limited:
                self._limited.discard(method)
                status, headers, body = (
                    429,
                    {"Retry-After": "1"},
                    {"ok": False, "error": "ratelimited"},
                )
            elif method in self._failing:
                status, error = self._failing.pop(method)
                body = {"ok": False, "error": error}
            self.calls.append(Call(method, args, status, bool(body.get("ok"))))
            self._cond.notify_all()
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://council.slack.com/",
                "team": "Council",
                "user": "supervision",
                "team_id": "T0001",
                "user_id": "UBOT",
                "bot_id": "B0001",
            }
        if method == "chat.postMessage":
            return {
                "ok": True,
                "channel": args.get("channel"),
                "ts": f"1775635200.{len(self.calls):06d}",
                "message": {"text": args.get("text"), "user": "UBOT"},
            }
        if method == "chat.postEphemeral":
            if args.get("channel") in self.not_member:
                return {"ok": False, "error": "not_in_channel"}
            return {"ok": True, "message_ts": f"1775635200.{len(self.calls):06d}"}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if method == "conversations.open":
            user = str(args.get("users"))
            if user in self.undeliverable:
                return {"ok": False, "error": "user_disabled"}
            return {"ok": True, "channel": {"id": "D" + user.removeprefix("U"), "is_im": True}}
        if method == "users.info":
            user = str(args.get("user"))
            if user not in self.users:
                return {"ok": False, "error": "user_not_found"}
            return {
                "ok": True,
                "user": {"id": user, "name": user.lower(), "profile": {"email": self.users[user]}},
            }
        if method == "users.lookupByEmail":
            email = str(args.get("email"))
            for uid, known in self.users.items():
                if known == email:
                    return {"ok": True, "user": {"id": uid, "profile": {"email": email}}}
            return {"ok": False, "error": "users_not_found"}
        if method == "views.open" and str(args.get("trigger_id")).startswith("expired"):
            return {"ok": False, "error": "expired_trigger_id"}
        if method in ("views.publish", "views.open"):
            view = args.get("view")
            return {"ok": True, "view": {"id": "V0001", **(view if isinstance(view, dict) else {})}}
        if method == "response_url":
            return {"ok": True}
        return {"ok": False, "error": "unknown_method"}
