"""Line parsers, one per access-log format, and autodetection from the first lines.

Every parser returns a :class:`LogRecord` or ``None`` (unparseable: the importer counts
it); none raises on any text. ``meta`` consumes a format's header lines (W3C ``#Fields``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol
from urllib.parse import unquote

from collector.logimport.jsonlogs import CaddyJson, NginxJson
from collector.logimport.records import (
    LogRecord,
    clf_parts,
    dash_none,
    iso_time,
    origin_form,
    request_line,
    status_code,
)


class Parser(Protocol):
    name: str

    def meta(self, line: str) -> bool:
        """True when ``line`` is a header or comment of the format (not a request)."""
        ...

    def parse(self, line: str) -> LogRecord | None: ...


_QUOTED = r'"([^"\\]*(?:\\.[^"\\]*)*)"'  # unrolled: a backslash escapes the next character
# client, ident, user, [day:h:m:s offset], "METHOD target PROTOCOL" (or anything quoted:
# the request line read the slow way), status, size
_CLF = (
    r"(\S+) \S+ (?:\S+|\"[^\"]*\") \[(\d\d/[A-Za-z]{3}/\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\] "
    r'"(?:([A-Za-z]{1,20}) ([^\s"\\]+)(?: HTTP/[\d.]{1,5})?"|' + _QUOTED + r") (\d{3}) (?:\d+|-)"
)
_VHOST = r"([^\s:]+)(?::\d+)? "
_REF_UA = r" " + _QUOTED + " " + _QUOTED


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\\\", "\\") if "\\" in text else text


class ClfParser:
    """Apache/nginx common and combined, with or without a leading ``%v[:%p]`` vhost."""

    def __init__(self, name: str, vhost: bool, combined: bool) -> None:
        self.name = name
        self._vhost = vhost
        self._combined = combined
        self._re = re.compile((_VHOST if vhost else "") + _CLF + (_REF_UA if combined else ""))

    def meta(self, line: str) -> bool:
        return False

    def parse(self, line: str) -> LogRecord | None:
        m = self._re.match(line)
        if m is None:
            return None
        groups = m.groups()
        host: str | None = None
        if self._vhost:
            host, groups = groups[0].lower(), groups[1:]
        day, hour, minute, second, offset_text, method, target, raw, status_text = groups[1:10]
        ts, offset = clf_parts(day, hour, minute, second, offset_text)
        if method is not None:
            path = origin_form(target)
            request: tuple[str, str] | None = (method.upper(), path) if path is not None else None
        else:
            request = request_line(_unescape(raw))
        status = int(status_text)
        if ts is None or request is None or not 100 <= status <= 599:
            return None
        referrer = dash_none(_unescape(groups[10])) if self._combined else None
        agent = _unescape(groups[11]) if self._combined else ""
        agent = "" if agent == "-" else agent
        return LogRecord(ts, offset, groups[0], request[0], request[1], status, referrer, agent, host)


# CloudFront's standard log fields, used until a ``#Fields:`` line says otherwise
CLOUDFRONT_FIELDS = [
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
]


def _w3c_decode(text: str) -> str:
    """CloudFront percent-encodes spaces and some characters (sometimes twice)."""
    if "%" not in text:
        return text
    once = unquote(text, errors="replace")
    return unquote(once, errors="replace") if "%25" in text else once


class W3CParser:
    """The W3C extended format (CloudFront, and IIS-like files): fields from ``#Fields:``,
    separated by tabs (or by spaces when a line has no tab)."""

    name = "cloudfront"

    def __init__(self) -> None:
        self._set_fields(CLOUDFRONT_FIELDS)

    def _set_fields(self, fields: Sequence[str]) -> None:
        index = {f.lower(): i for i, f in enumerate(fields)}
        self._width = len(fields)
        self._at: dict[str, int] = index

    def meta(self, line: str) -> bool:
        if not line.startswith("#"):
            return False
        if line.startswith("#Fields:"):
            fields = line[len("#Fields:") :].split()
            if fields:
                self._set_fields(fields)
        return True

    def _get(self, parts: Sequence[str], *names: str) -> str | None:
        for name in names:
            i = self._at.get(name)
            if i is not None and i < len(parts):
                value = dash_none(parts[i])
                if value is not None:
                    return value
        return None

    def parse(self, line: str) -> LogRecord | None:
        parts = line.rstrip("\r\n").split("\t") if "\t" in line else line.split()
        if len(parts) < min(self._width, 9):
            return None
        day, clock = self._get(parts, "date"), self._get(parts, "time")
        stem, status_text = self._get(parts, "cs-uri-stem"), self._get(parts, "sc-status")
        client = self._get(parts, "c-ip")
        if day is None or clock is None or stem is None or status_text is None or client is None:
            return None
        if len(day) != 10 or not 7 <= len(clock) <= 15 or not stem.startswith("/"):
            return None
        time = iso_time(f"{day}T{clock}")
        status = status_code(status_text)
        if time is None or status is None:
            return None
        query = self._get(parts, "cs-uri-query")
        referrer = self._get(parts, "cs(referer)", "cs(referrer)")
        agent = self._get(parts, "cs(user-agent)")
        host = self._get(parts, "x-host-header", "cs(host)", "cs-host")
        return LogRecord.at(
            time=time,
            client=client,
            method=(self._get(parts, "cs-method") or "GET").upper(),
            target=stem + ("?" + query if query else ""),
            status=status,
            referrer=_w3c_decode(referrer) if referrer else None,
            user_agent=_w3c_decode(agent) if agent else "",
            host=host.lower() if host else None,
        )


FORMATS: dict[str, Callable[[], Parser]] = {
    "vhost-combined": lambda: ClfParser("vhost-combined", vhost=True, combined=True),
    "combined": lambda: ClfParser("combined", vhost=False, combined=True),
    "vhost-common": lambda: ClfParser("vhost-common", vhost=True, combined=False),
    "common": lambda: ClfParser("common", vhost=False, combined=False),
    "nginx-json": NginxJson,
    "caddy-json": CaddyJson,
    "cloudfront": W3CParser,
}
DETECT_LINES = 50


def detect(lines: Sequence[str]) -> Parser | None:
    """The most specific format (the table's order) that parses at least 80 % as many of
    ``lines`` as the best one does (so a combined log with a few short lines stays
    combined), or None when none parses any. A ``#Fields:`` header counts as a line."""
    scored: list[tuple[int, Parser]] = []
    for make in FORMATS.values():
        parser = make()
        score = 0
        for line in lines[:DETECT_LINES]:
            if parser.meta(line):
                score += 1 if line.startswith("#Fields:") else 0
            elif parser.parse(line) is not None:
                score += 1
        scored.append((score, parser))
    best = max(score for score, _ in scored)
    if best == 0:
        return None
    return next(parser for score, parser in scored if score >= 0.8 * best)
