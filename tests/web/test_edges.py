"""Input at the edges that once gave a 500 with a traceback: ids past 64 bits, dates at
the calendar's ends, bulk bodies nested past the JSON encoder's depth, a client that
leaves mid-body. Each is a 4xx (or nothing, for the client that left) and logs no error."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from collector.auth.passwords import hash_password
from collector.clock import FrozenClock
from collector.model import Site
from collector.storage.sqlite import SqliteStore
from tests.dashboard.conftest import PASSWORD, log_in

pytestmark = pytest.mark.both_backends  # the same behaviour on SQLite and PostgreSQL

HUGE = "9223372036854775808"  # 2**63: no SQLite integer


@pytest.fixture
async def admin(store: SqliteStore, clock: FrozenClock) -> str:
    await store.add_user("alice", hash_password(PASSWORD), True, clock())
    return "alice"


@pytest.fixture(autouse=True)
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.WARNING)
    yield
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors


@pytest.mark.parametrize("site_id", [HUGE, "9" * 40, "0", "-1", "abc"])
async def test_the_privacy_statement_of_no_such_site_is_404(client: httpx.AsyncClient, site_id: str) -> None:
    reply = await client.get(f"/privacy/{site_id}")
    assert reply.status_code == 404 and reply.json()["error"] == "not found"


@pytest.mark.parametrize(
    "path", [f"/sites/{HUGE}", f"/sites/{HUGE}/settings", "/sites/1/tokens/" + HUGE + "/revoke"]
)
async def test_huge_ids_on_admin_pages_are_404(app: Starlette, admin: str, site: Site, path: str) -> None:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        await log_in(browser, admin)
        reply = await browser.get(path)
    assert reply.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "from=9999-12-01&to=9999-12-31",
        "to=9999-12-31",
        "from=0001-01-01&to=0001-01-31",
        "from=0001-01-01&to=0001-01-01&interval=month",
    ],
)
@pytest.mark.parametrize("report", ["summary", "timeseries", "breakdown/pages", "dropped"])
async def test_dates_at_the_calendars_ends_are_400(
    client: httpx.AsyncClient, site: Site, stats_token: str, query: str, report: str
) -> None:
    reply = await client.get(
        f"/api/v1/sites/{site.id}/{report}?{query}", headers={"Authorization": f"Bearer {stats_token}"}
    )
    assert reply.status_code == 400 and "between 1970-01-01 and 2999-12-31" in reply.json()["detail"]


@pytest.mark.parametrize("query", ["from=9999-12-01&to=9999-12-31", "from=0001-01-01&to=0001-01-31"])
async def test_dates_at_the_calendars_ends_on_the_dashboard_are_not_5xx(
    app: Starlette, admin: str, site: Site, query: str
) -> None:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        await log_in(browser, admin)
        for path in (f"/sites/{site.id}", f"/sites/{site.id}/csv/pages"):
            reply = await browser.get(f"{path}?period=custom&{query}")
            assert reply.status_code < 500, (path, reply.status_code)


async def test_a_bulk_item_nested_past_the_encoders_depth_is_invalid_not_500(
    client: httpx.AsyncClient, site: Site
) -> None:
    deep = b'{"a":' * 300 + b"1" + b"}" * 300
    body = (
        b'{"requests": [{"idsite": "1", "rec": "1", "x": '
        + deep
        + b'}, "?idsite=1&rec=1"], "y": '
        + deep
        + b"}"
    )
    reply = await client.post("/matomo.php", content=body)
    assert reply.status_code == 200
    assert reply.json()["invalid"] + reply.json()["tracked"] == 2


async def test_a_client_that_leaves_mid_body_gets_no_traceback(app: Starlette, site: Site) -> None:
    messages: Any = None
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    for path in ("/matomo.php", "/login"):
        messages = iter(
            [{"type": "http.request", "body": b"a=1", "more_body": True}, {"type": "http.disconnect"}]
        )
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded")],
            "client": ("203.0.113.1", 1),
            "server": ("testserver", 80),
            "app": app,
        }
        await app(scope, receive, send)
        assert all(m.get("status", 400) < 500 for m in sent if m["type"] == "http.response.start")


@pytest.mark.parametrize(
    "path", ["/login/", "/sites/1/", "/matomo.php/", "/demo/x/", "/api/v1/sites/1/summary/"]
)
async def test_no_redirect_is_built_from_the_host_header(client: httpx.AsyncClient, path: str) -> None:
    reply = await client.get(path, headers={"Host": "evil.example"})
    assert reply.status_code == 404
    assert "location" not in reply.headers
