"""JSON access logs, a JSON object a line: nginx (``log_format … escape=json``, with the
variable names as keys, or Matomo's documented ``nginx_json`` keys) and Caddy's own."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from collector.logimport.records import (
    LogRecord,
    clf_time,
    dash_none,
    iso_time,
    origin_form,
    request_line,
    status_code,
    unix_time,
)


def _object(line: str) -> dict[str, Any] | None:
    text = line.strip()
    if not text.startswith("{"):
        return None
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _text(data: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str):
            value = dash_none(value)
            if value is not None:
                return value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    return None


def _status(data: Mapping[str, Any]) -> int | None:
    value = data.get("status")
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 100 <= value <= 599 else None
    return status_code(value) if isinstance(value, str) else None


def _when(value: Any) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return unix_time(float(value))
    if not isinstance(value, str):
        return None
    parsed = clf_time(value) or iso_time(value)
    if parsed is None:
        try:
            return unix_time(float(value))
        except ValueError:
            return None
    return parsed


def _header(headers: Any, name: str) -> str | None:
    """Caddy logs headers as lists of values, under their canonical names."""
    if not isinstance(headers, dict):
        return None
    value = headers.get(name)
    if isinstance(value, list) and value and isinstance(value[0], str):
        return dash_none(value[0])
    return dash_none(value) if isinstance(value, str) else None


class NginxJson:
    name = "nginx-json"

    def meta(self, line: str) -> bool:
        return False

    def parse(self, line: str) -> LogRecord | None:
        data = _object(line)
        if data is None or isinstance(data.get("request"), dict):
            return None
        time = None
        for key in ("time_iso8601", "date", "time_local", "timestamp", "@timestamp", "time", "msec"):
            if key in data:
                time = _when(data[key])
                break
        client = _text(data, "remote_addr", "ip", "client_ip", "client")
        status = _status(data)
        method = _text(data, "request_method", "method")
        target = _text(data, "request_uri", "path", "uri")
        if target is not None:
            query = _text(data, "args", "query_string")
            if query and "?" not in target:
                target = f"{target}?{query}"
        else:
            request = _text(data, "request")
            parsed = request_line(request) if request else None
            if parsed is not None:
                method, target = method or parsed[0], parsed[1]
        path = origin_form(target) if target is not None else None
        if time is None or client is None or status is None or path is None:
            return None
        host = _text(data, "host", "http_host", "server_name")
        return LogRecord.at(
            time=time,
            client=client,
            method=(method or "GET").upper(),
            target=path,
            status=status,
            referrer=_text(data, "http_referer", "referrer", "referer"),
            user_agent=_text(data, "http_user_agent", "user_agent") or "",
            host=host.lower() if host else None,
        )


class CaddyJson:
    name = "caddy-json"

    def meta(self, line: str) -> bool:
        return False

    def parse(self, line: str) -> LogRecord | None:
        data = _object(line)
        request = data.get("request") if data is not None else None
        if data is None or not isinstance(request, dict):
            return None
        time = _when(data.get("ts"))
        client = _text(request, "client_ip", "remote_ip")
        if client is None:  # Caddy before 2.5: remote_addr is host:port
            addr = _text(request, "remote_addr")
            client = addr.rsplit(":", 1)[0].strip("[]") if addr and ":" in addr else addr
        status = _status(data)
        target = _text(request, "uri")
        path = origin_form(target) if target is not None else None
        if time is None or client is None or status is None or path is None:
            return None
        headers = request.get("headers")
        host = _text(request, "host")
        return LogRecord.at(
            time=time,
            client=client,
            method=(_text(request, "method") or "GET").upper(),
            target=path,
            status=status,
            referrer=_header(headers, "Referer"),
            user_agent=_header(headers, "User-Agent") or "",
            host=host.lower() if host else None,
        )
