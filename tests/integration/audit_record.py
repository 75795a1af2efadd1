"""What the privacy audit records: every reply it got, and every file written (the
server's data directory and the database server's folders) while running and at the end;
and its calls of the opt-out and stats APIs, whose replies are scanned too."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.integration.audit_backends import Storage
from tests.integration.audit_markers import CLIENTS, COOKIES, OPTED_OUT_UID
from tests.integration.server import Server


@dataclass
class Reply:
    label: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    path: str = ""

    def raw(self) -> bytes:
        head = "\n".join(f"{k}: {v}" for k, v in self.headers)
        return f"{self.status}\n{head}\n\n".encode() + self.body


@dataclass
class Audit:
    server: Server
    storage: Storage
    admin_token: str
    stats_token: str
    optout_token: str
    replies: list[Reply] = field(default_factory=list)
    snapshots: dict[str, bytes] = field(default_factory=dict)  # "<phase>/<file name>" → bytes

    def files(self) -> dict[str, bytes]:
        """Every file written now (the server's data directory, the database server's
        folders), plus the snapshots taken while running."""
        return {**self.snapshots, **files_of(self, "final")}

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.storage.rows(sql)


def files_of(audit: Audit, phase: str) -> dict[str, bytes]:
    found = {}
    for n, folder in enumerate([audit.server.data_dir, *audit.storage.folders]):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                found[f"{phase}/{n}/{path.relative_to(folder)}"] = path.read_bytes()
    return found


def snapshot(audit: Audit, phase: str) -> None:
    audit.snapshots.update(files_of(audit, phase))


def send(
    audit: Audit,
    client: httpx.Client,
    label: str,
    method: str,
    path: str,
    *,
    headers: list[tuple[str, str]] | None = None,
    **kwargs: Any,
) -> Reply:
    reply = client.request(method, path, headers=headers, **kwargs)
    record = Reply(label, reply.status_code, list(reply.headers.multi_items()), reply.content, path)
    audit.replies.append(record)
    return record


def api_calls(audit: Audit, client: httpx.Client) -> None:
    """The opt-out API (its user_ref is a uid) and the stats API, whose replies are scanned."""
    auth = [
        ("Authorization", f"Bearer {audit.optout_token}"),
        *COOKIES.items(),
        ("X-Forwarded-For", CLIENTS[0][0][0]),
    ]
    for method in ("PUT", "GET"):
        reply = send(
            audit,
            client,
            f"optout {method}",
            method,
            f"/api/v1/sites/1/optouts/{OPTED_OUT_UID}",
            headers=auth,
        )
        assert reply.status in (200, 204), reply.body


def stats_calls(audit: Audit, client: httpx.Client) -> None:
    auth = [("Authorization", f"Bearer {audit.stats_token}"), ("X-Forwarded-For", CLIENTS[1][0][0])]
    for report in (
        "summary",
        "breakdown/pages",
        "breakdown/referrers",
        "breakdown/outlinks",
        "breakdown/downloads",
        "breakdown/searches",
        "breakdown/events",
        "dropped",
    ):
        send(audit, client, f"stats {report}", "GET", f"/api/v1/sites/1/{report}", headers=auth)
