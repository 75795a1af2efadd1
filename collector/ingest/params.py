"""Turning the bytes of a tracking request into parameter sets.

The query string is the largest single cost of a beacon, so it is split by hand and
unquoted only where a piece needs it (same result as ``urllib.parse.parse_qsl``, about
twice as fast). Bytes that are not UTF-8 are decoded with the page charset (``cs``)
when it names a known codec, else as Windows-1252, so no input raises.
"""

from __future__ import annotations

import codecs
from codecs import escape_decode
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

import orjson

Params = dict[str, str]

MAX_NAME = 64  # longer parameter names are ignored: none of the protocol's are near it
MAX_VALUE = 8192  # any value is cut here; fields are cut further where they are stored


class BadRequest(ValueError):
    """The request cannot be read; the reply is a 400 with this message."""


def _unquote(text: str) -> bytes:
    """``urllib.parse.unquote_to_bytes``, several times faster on the usual input.

    Every ``%XX`` becomes ``\\xXX`` for the C escape decoder (backslashes are doubled
    first, so nothing else is an escape); a ``%`` not followed by two hex digits makes
    it fail, and such rare input takes the standard library's path."""
    data = text.encode()
    if b"\\" in data:
        data = data.replace(b"\\", b"\\\\")
    try:
        return escape_decode(data.replace(b"%", b"\\x"))[0]
    except ValueError:
        return unquote_to_bytes(text)


def _decode(piece: str, qs: str) -> str:
    """One name or value: ``+`` is a space, ``%XX`` a byte, the bytes UTF-8 or else the
    page charset (``cs`` of the whole query ``qs``)."""
    if "+" in piece:
        piece = piece.replace("+", " ")
    if "%" not in piece:
        return piece
    raw = _unquote(piece)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode(_fallback_charset(_raw_cs(qs)), errors="replace")
        except (UnicodeError, ValueError, LookupError):
            return raw.decode("cp1252", errors="replace")


def _raw_cs(qs: str) -> str | None:
    """The last ``cs`` value of a query, undecoded (only looked for when needed)."""
    cs: str | None = None
    for part in qs.split("&"):
        name, _, value = part.partition("=")
        if name == "cs":
            cs = value
    return cs


# Codecs that are not page charsets or that can produce unstorable text (lone surrogates).
_NOT_CHARSETS = frozenset(
    {
        "idna",
        "punycode",
        "unicode-escape",
        "raw-unicode-escape",
        "utf-7",
        "unicode_escape",
        "raw_unicode_escape",
        "utf_7",
    }
)


def _fallback_charset(raw_cs: str | None) -> str:
    """The page charset named by ``cs`` if it is a real text encoding, else Windows-1252."""
    if raw_cs:
        try:
            info = codecs.lookup(raw_cs.strip().replace("\x00", ""))
        except (LookupError, ValueError):
            return "cp1252"
        if getattr(info, "_is_text_encoding", True) and info.name not in _NOT_CHARSETS:
            return info.name
    return "cp1252"


def parse_query(qs: str, into: Params | None = None) -> Params:
    """Parse ``a=1&b=2``; a name already in ``into`` keeps its value (first wins)."""
    if qs[:1] == "?":
        qs = qs[1:]
    if into is None and qs and len(qs) <= MAX_VALUE:
        # The usual beacon: plain names, each once; only the values holding "%" or "+"
        # are decoded (a few of twenty-odd). Anything else takes the general path.
        pairs = [part.partition("=") for part in qs.split("&")]
        out = {
            name: _decode(value, qs) if "%" in value or "+" in value else value for name, _, value in pairs
        }
        if len(out) == len(pairs) and "" not in out:
            names = "".join(out)
            if (
                "%" not in names
                and "+" not in names
                and (len(names) <= MAX_NAME or max(map(len, out)) <= MAX_NAME)
            ):
                return out
    return _parse_query(qs, {} if into is None else into)


def _parse_query(qs: str, out: Params) -> Params:
    """The general path of :func:`parse_query` (any input, into any dict)."""
    for part in qs.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if len(name) > MAX_NAME:
            continue
        if "%" in name or "+" in name:
            name = _decode(name, qs)
        if name in out:
            continue
        if "%" in value or "+" in value:
            value = _decode(value[: MAX_VALUE * 3], qs)
        out[name] = value[:MAX_VALUE]
    return out


def params_from_object(item: Mapping[str, Any]) -> Params:
    """A bulk item given as a JSON object: scalars become strings, the rest JSON text."""
    out: Params = {}
    for key, value in item.items():
        name = str(key)
        if len(name) > MAX_NAME:
            continue
        if value is None:
            continue
        if isinstance(value, bool):
            text = "1" if value else "0"
        elif isinstance(value, str | int | float):
            text = str(value)
        else:
            try:
                text = orjson.dumps(value).decode()
            except orjson.JSONEncodeError:  # nested past orjson's depth limit: no parameter
                continue
        out[name] = text[:MAX_VALUE]
    return out


def looks_like_bulk(body: bytes) -> bool:
    """Matomo detects bulk from the body, whatever the Content-Type."""
    return b'"requests"' in body


def parse_bulk(body: bytes, max_items: int) -> tuple[list[Params | None], Params]:
    """Split a bulk body into per-item parameters (None for an unreadable item) and the
    top-level parameters (``token_auth``, ``send_image``)."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("bulk body is not valid JSON") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("requests"), list):
        raise BadRequest('bulk body must be an object with a "requests" list')
    requests = doc["requests"]
    if len(requests) > max_items:
        raise BadRequest(f"too many bulk requests: {len(requests)} > {max_items}")
    items: list[Params | None] = []
    for item in requests:
        if isinstance(item, str):
            items.append(parse_query(item.lstrip("?") if "?" in item[:1] else _after_q(item)))
        elif isinstance(item, dict):
            items.append(params_from_object(item))
        else:
            items.append(None)
    top = params_from_object({k: v for k, v in doc.items() if k != "requests"})
    return items, top


def _after_q(item: str) -> str:
    """A bulk item may be a full URL (``/matomo.php?idsite=1…``): keep its query."""
    _, sep, rest = item.partition("?")
    return rest if sep else item
