"""Signed session cookies and the CSRF tokens derived from them.

The cookie holds a small JSON payload (session id, user name, issue and expiry times, a
fingerprint of the user's password hash) and an HMAC-SHA256 signature under a key derived
from the instance secret. Nothing in it is secret, nothing in it can be changed. A new
password invalidates every session of the user (the fingerprint no longer matches), and
logout revokes the session id until it would have expired anyway.

A visitor who opens the login page gets an anonymous session (no user) so that the login
form has a CSRF token bound to this browser; logging in replaces it with a new session id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import orjson

COOKIE = "collector_session"
SESSION_SECONDS = 12 * 3600
ANONYMOUS_SECONDS = 2 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class Session:
    sid: str
    user: str | None
    issued: int
    expires: int
    fingerprint: str = ""


class Signer:
    """Signs and checks session cookies, derives CSRF tokens; one per application."""

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode(), b"collector dashboard session v1", hashlib.sha256).digest()
        self._revoked: dict[str, int] = {}

    def _mac(self, purpose: bytes, data: bytes) -> bytes:
        return hmac.new(self._key, purpose + b"\0" + data, hashlib.sha256).digest()

    def new(self, user: str | None, password_hash: str, now: float) -> Session:
        seconds = SESSION_SECONDS if user is not None else ANONYMOUS_SECONDS
        fingerprint = self.fingerprint(password_hash) if user is not None else ""
        return Session(secrets.token_urlsafe(18), user, int(now), int(now) + seconds, fingerprint)

    def fingerprint(self, password_hash: str) -> str:
        return _b64(self._mac(b"password", password_hash.encode()))[:22]

    def dumps(self, session: Session) -> str:
        payload = _b64(orjson.dumps([session.sid, session.user, session.issued, session.expires,
                                     session.fingerprint]))
        return f"{payload}.{_b64(self._mac(b'cookie', payload.encode()))}"

    def loads(self, cookie: str | None, now: float) -> Session | None:
        """The session in a cookie, or None when it is missing, forged, expired or revoked."""
        if not cookie or len(cookie) > 1024 or "." not in cookie:
            return None
        payload, _, signature = cookie.partition(".")
        try:
            valid = hmac.compare_digest(_unb64(signature), self._mac(b"cookie", payload.encode()))
            if not valid:
                return None
            sid, user, issued, expires, fingerprint = orjson.loads(_unb64(payload))
        except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
            return None
        session = Session(str(sid), None if user is None else str(user), int(issued), int(expires),
                          str(fingerprint))
        if session.expires <= now or session.sid in self._revoked:
            return None
        return session

    def revoke(self, session: Session, now: float) -> None:
        self._revoked = {sid: exp for sid, exp in self._revoked.items() if exp > now}
        self._revoked[session.sid] = session.expires

    def share_pass(self, link_id: int, password_hash: str, expires: int) -> str:
        """A cookie value saying: this browser gave shared link ``link_id``'s password (bound
        to that password's hash, valid until ``expires``)."""
        payload = f"{link_id}.{expires}"
        return f"{payload}.{_b64(self._mac(b'share', f'{payload}.{password_hash}'.encode()))}"

    def check_share_pass(self, value: str | None, link_id: int, password_hash: str, now: float) -> bool:
        if not value or len(value) > 200 or value.count(".") != 2:
            return False
        found_id, expires, _ = value.split(".")
        if found_id != str(link_id) or not expires.isdigit() or int(expires) <= now:
            return False
        return hmac.compare_digest(value, self.share_pass(link_id, password_hash, int(expires)))

    def csrf_token(self, session: Session) -> str:
        return _b64(self._mac(b"csrf", session.sid.encode()))

    def check_csrf(self, session: Session | None, token: str | None) -> bool:
        if session is None or not token:
            return False
        return hmac.compare_digest(token.encode(), self.csrf_token(session).encode())
