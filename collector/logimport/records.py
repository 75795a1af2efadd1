"""What a parsed access-log line is, whatever its format; and the shared small parsers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_OFFSETS: dict[str, timezone] = {}


@dataclass(slots=True)  # not frozen: one per line, where a frozen __init__ is slow (bench/README.md)
class LogRecord:
    """One request as the server logged it (nothing minimised yet: the pipeline does that).
    Never changed once made."""

    ts: float  # Unix seconds
    offset_s: int  # the line's own UTC offset, in seconds
    client: str  # the client address, as logged
    method: str
    target: str  # path and query string (origin form)
    status: int
    referrer: str | None
    user_agent: str
    host: str | None = None

    @property
    def time(self) -> datetime:
        """The line's time, aware, at the line's own offset."""
        return datetime.fromtimestamp(self.ts, timezone(timedelta(seconds=self.offset_s)))

    @classmethod
    def at(
        cls,
        time: datetime,
        client: str,
        method: str,
        target: str,
        status: int,
        referrer: str | None,
        user_agent: str,
        host: str | None = None,
    ) -> LogRecord:
        offset = time.utcoffset()
        seconds = int(offset.total_seconds()) if offset is not None else 0
        return cls(time.timestamp(), seconds, client, method, target, status, referrer, user_agent, host)


def _offset(text: str) -> timezone | None:
    """``+0100`` / ``-0700`` / ``+01:00`` / ``Z`` → a fixed offset."""
    tz = _OFFSETS.get(text)
    if tz is not None:
        return tz
    if text in ("Z", "z", "+0000", "-0000", "+00:00"):
        tz = UTC
    else:
        raw = text.replace(":", "")
        if len(raw) != 5 or raw[0] not in "+-" or not raw[1:].isdigit():
            return None
        minutes = int(raw[1:3]) * 60 + int(raw[3:5])
        if minutes >= 24 * 60:
            return None
        tz = timezone(timedelta(minutes=-minutes if raw[0] == "-" else minutes))
    if len(_OFFSETS) < 256:
        _OFFSETS[text] = tz
    return tz


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAYS: dict[str, int | None] = {}  # "10/Oct/2000" → days since 1970-01-01


def _day_number(text: str) -> int | None:
    found = _DAYS.get(text, -1)
    if found != -1:
        return found
    month = MONTHS.get(text[3:6])
    number: int | None = None
    digits = text[0:2] + text[7:11]
    if month is not None and digits.isdigit() and digits.isascii() and 1970 <= int(text[7:11]) <= 9998:
        try:
            number = date(int(text[7:11]), month, int(text[0:2])).toordinal() - _EPOCH_ORDINAL
        except ValueError:
            number = None
    if len(_DAYS) > 4096:
        _DAYS.clear()
    _DAYS[text] = number
    return number


def clf_ts(text: str) -> tuple[float, int] | None:
    """Apache's ``%t`` without its brackets (``10/Oct/2000:13:55:36 -0700``) → (Unix
    seconds, UTC offset in seconds), by arithmetic: the hot path of a text log."""
    if len(text) != 26 or text[2] != "/" or text[6] != "/" or text[11] != ":" or text[20] != " ":
        return None
    day = _day_number(text[0:11])
    tz = _offset(text[21:])
    clock = text[12:14] + text[15:17] + text[18:20]
    if (
        day is None
        or tz is None
        or text[14] != ":"
        or text[17] != ":"
        or not clock.isdigit()
        or not clock.isascii()
    ):
        return None
    hour, minute, second = int(clock[0:2]), int(clock[2:4]), int(clock[4:6])
    if hour > 23 or minute > 59 or second > 59:
        return None
    offset = tz.utcoffset(None)
    offset_s = int(offset.total_seconds()) if offset is not None else 0
    return float(day * 86400 + hour * 3600 + minute * 60 + second - offset_s), offset_s


_OFFSET_S: dict[str, int | None] = {}


def clf_parts(day: str, hour: str, minute: str, second: str, offset: str) -> tuple[float | None, int]:
    """The pieces of a CLF time, digits already checked by the caller's pattern
    (``10/Oct/2000``, ``13``, ``55``, ``36``, ``-0700``) → (Unix seconds or None, offset)."""
    number = _day_number(day)
    offset_s = _OFFSET_S.get(offset, -1)
    if offset_s == -1:
        tz = _offset(offset)
        delta = tz.utcoffset(None) if tz is not None else None
        offset_s = int(delta.total_seconds()) if delta is not None else None
        if len(_OFFSET_S) < 256:
            _OFFSET_S[offset] = offset_s
    h, m, s = int(hour), int(minute), int(second)
    if number is None or offset_s is None or h > 23 or m > 59 or s > 59:
        return None, 0
    return float(number * 86400 + h * 3600 + m * 60 + s - offset_s), offset_s


def clf_time(text: str) -> datetime | None:
    """:func:`clf_ts` as an aware datetime."""
    found = clf_ts(text)
    if found is None:
        return None
    try:
        return datetime.fromtimestamp(found[0], timezone(timedelta(seconds=found[1])))
    except (OverflowError, OSError, ValueError):
        return None


def iso_time(text: str) -> datetime | None:
    """ISO 8601 (``2026-11-30T13:55:36+01:00``, ``…Z``, fractions); naive means UTC."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def unix_time(value: float) -> datetime | None:
    if value != value or not 0 <= value < 32503680000:  # NaN, or past the year 3000
        return None
    return datetime.fromtimestamp(value, UTC)


def request_line(text: str) -> tuple[str, str] | None:
    """``GET /path?q HTTP/1.1`` → (method, target); an absolute URL keeps path and query."""
    parts = text.split(" ")
    if len(parts) == 3:
        method, target = parts[0], parts[1]
    elif len(parts) == 2:  # HTTP/0.9
        method, target = parts
    else:
        return None
    path = origin_form(target)
    if not method.isalpha() or not method.isascii() or path is None:
        return None
    return method.upper(), path


def origin_form(target: str) -> str | None:
    """The path and query of a request target; an absolute URL's, or None when it is no
    path (``*``, a bare word)."""
    if target.startswith("/"):
        return target
    if target.startswith(("http://", "https://")):
        slash = target.find("/", target.find("//") + 2)
        return target[slash:] if slash >= 0 else "/"
    return None


def status_code(text: str) -> int | None:
    if len(text) != 3 or not text.isdigit() or not text.isascii():
        return None
    code = int(text)
    return code if 100 <= code <= 599 else None


def dash_none(text: str | None) -> str | None:
    return None if text is None or text in ("", "-") else text
