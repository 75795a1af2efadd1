"""Slow and idle clients against a real ``collector serve``: idle connections are closed
after the keep-alive timeout, and past the connection cap a request gets a 503 and its
connection is closed, so ``/healthz`` answers again on a new connection once the idle ones
are gone. (uvicorn has no timer for a request's headers: the front proxy bounds those,
README "Behind a reverse proxy".)"""

from __future__ import annotations

import argparse
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from collector.cli import commands
from collector.settings import Settings
from tests.integration.server import HOST, Server

CAP = 8
KEEP_ALIVE_S = 1
IDLE = 12  # more than the cap
REQUEST = b"GET /healthz HTTP/1.1\r\nHost: collector\r\n\r\n"


def _reply(sock: socket.socket) -> tuple[int, dict[str, str]]:
    """The status and headers of one reply (its body read and dropped)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a reply: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    while len(body) < int(headers.get("content-length", "0")):
        body += sock.recv(65536)
    return int(status_line.split()[1]), headers


def _closed_within(sock: socket.socket, timeout: float) -> bool:
    """True when the server closes ``sock`` (EOF or reset) within ``timeout`` seconds."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.mark.slow
def test_idle_connections_are_closed_and_the_cap_keeps_healthz_answering(tmp_path: Path) -> None:
    env = {
        "COLLECTOR_ACCESS_LOG": "false",
        "COLLECTOR_MAX_CONNECTIONS": str(CAP),
        "COLLECTOR_KEEP_ALIVE_S": str(KEEP_ALIVE_S),
    }
    started = time.monotonic()
    with Server(tmp_path / "data", env) as server:
        server.start()
        connections: list[socket.socket] = []
        try:
            statuses = []
            for _ in range(IDLE):  # one after the other: a request each, then idle (keep-alive)
                sock = socket.create_connection((HOST, server.port), timeout=5)
                connections.append(sock)
                sock.sendall(REQUEST)
                status, headers = _reply(sock)
                statuses.append(status)
                if status == 503:
                    assert headers["connection"] == "close"
            served = CAP - 1  # the cap counts every open connection, idle ones and its own
            assert statuses == [200] * served + [503] * (IDLE - served)
            for sock in connections[served:]:  # refused: closed at once
                assert _closed_within(sock, 1.0)
            with socket.create_connection((HOST, server.port), timeout=5) as extra:
                extra.sendall(REQUEST)
                assert _reply(extra)[0] == 503  # the idle ones still hold the cap
            replied = time.monotonic()
            for sock in connections[:served]:  # idle after a reply: closed by the server
                assert _closed_within(sock, KEEP_ALIVE_S + 2.0)
            waited = time.monotonic() - replied
            assert KEEP_ALIVE_S - 0.5 < waited < KEEP_ALIVE_S + 2.0
        finally:
            for sock in connections:
                sock.close()
        health = httpx.get(server.url + "/healthz", timeout=5)  # a new connection
        assert health.status_code == 200
    assert time.monotonic() - started < 20


def test_serve_passes_the_limits_to_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    monkeypatch.setattr(commands, "with_store", lambda settings, work: 0)
    args = argparse.Namespace(host=None, port=None, workers=None)
    settings = Settings(keep_alive_s=3, max_connections=0)
    assert commands.cmd_serve(args, settings) == 0
    assert seen["timeout_keep_alive"] == 3
    assert seen["limit_concurrency"] == commands.connection_limit(0)
    assert seen["h11_max_incomplete_event_size"] == commands.MAX_HEADER_BYTES
    commands.cmd_serve(args, Settings(max_connections=500))
    assert seen["limit_concurrency"] == 500


def test_the_default_cap_leaves_descriptors_for_the_rest() -> None:
    assert commands.connection_limit(0, 1024) == 1024 - 102  # a tenth
    assert commands.connection_limit(0, 200) == 200 - 64  # at least 64
    assert commands.connection_limit(0, 10) == 1
    assert commands.connection_limit(0, 1 << 20) == (1 << 20) - (1 << 20) // 10
    assert commands.connection_limit(7, 1024) == 7  # as configured
