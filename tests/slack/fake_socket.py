"""A small fake of Slack's Socket Mode WebSocket on localhost (RFC 6455, text frames only).

The fake Web API's apps.connections.open hands out `url`; the app connects,
gets Slack's `hello`, and is then sent envelopes (`send_envelope`). The app's
acknowledgements (`{"envelope_id": ...}`) are collected in `acks`; pings are
answered with pongs, as Slack does. One connection at a time, enough for tests.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def _frame(opcode: int, data: bytes) -> bytes:
    """A final, unmasked frame (servers never mask)."""
    head = bytes([0x80 | opcode])
    if len(data) < 126:
        head += bytes([len(data)])
    elif len(data) < 1 << 16:
        head += bytes([126]) + struct.pack("!H", len(data))
    else:
        head += bytes([127]) + struct.pack("!Q", len(data))
    return head + data


def _read_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _read_frame(conn: socket.socket) -> tuple[int, bytes]:
    first, second = _read_exact(conn, 2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", _read_exact(conn, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", _read_exact(conn, 8))[0]
    mask = _read_exact(conn, 4) if second & 0x80 else b"\0\0\0\0"
    data = bytes(b ^ mask[i % 4] for i, b in enumerate(_read_exact(conn, length)))
    return first & 0x0F, data


@dataclass
class FakeSocketMode:
    acks: list[dict[str, Any]] = field(default_factory=list)
    upgrade_paths: list[str] = field(default_factory=list)
    _conn: socket.socket | None = None
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> FakeSocketMode:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(10)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket=t-1&app_id=A0001"

    def _serve(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return
        conn.settimeout(None)
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(1024)
        lines = request.decode().split("\r\n")
        headers = {
            k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
        }
        accept = base64.b64encode(
            hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest()
        ).decode()
        conn.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}}
        conn.sendall(_frame(TEXT, json.dumps(hello).encode()))
        with self._cond:
            self.upgrade_paths.append(lines[0].split()[1])
            self._conn = conn
            self._cond.notify_all()
        try:
            while True:
                opcode, data = _read_frame(conn)
                if opcode == PING:
                    conn.sendall(_frame(PONG, data))
                elif opcode == CLOSE:
                    conn.sendall(_frame(CLOSE, data[:2]))
                    return
                elif opcode == TEXT:
                    with self._cond:
                        self.acks.append(json.loads(data))
                        self._cond.notify_all()
        except (ConnectionError, OSError):
            return

    def wait_connected(self, timeout: float = 10.0) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self._conn is not None, timeout), "no connection"

    def send_envelope(self, envelope: dict[str, Any]) -> None:
        assert self._conn is not None
        self._conn.sendall(_frame(TEXT, json.dumps(envelope).encode()))

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        def found() -> list[dict[str, Any]]:
            return [a for a in self.acks if a.get("envelope_id") == envelope_id]

        with self._cond:
            self._cond.wait_for(lambda: bool(found()), timeout)
            acks = found()
        assert acks, f"no ack for {envelope_id}: {self.acks}"
        return acks[0]

    def stop(self) -> None:
        self._listener.close()
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.shutdown(socket.SHUT_RDWR)
            self._conn.close()
        self._thread.join(timeout=5)
