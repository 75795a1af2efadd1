"""Login sessions kept in the database, the cookie that names them, and CSRF tokens.

A signed-in browser's cookie holds a random session id and an HMAC-SHA256 signature under a
key derived from the instance secret (``SID.u.MAC``). The database keeps only the SHA-256
of the id, with the user, a fingerprint of their password hash, the time of login and the
expiry (``Store.accounts()``, table ``dashboard_sessions``): a copy of the database opens no
session, and every worker process sees the same sessions, so a logout or a new password in
one worker is honoured by all of them at once, and sessions survive a restart.

A session ends after ``IDLE_SECONDS`` without a request, and ``SESSION_SECONDS`` after the
login whatever happens. The idle expiry is pushed forward at most every ``TOUCH_SECONDS``
(one small write, not one per request). A new password ends every session of the user, a
login replaces the browser's session id with a new one (rotation), a logout deletes it.

A visitor who opens the login page gets an anonymous session so that the login form has a
CSRF token bound to this browser. It gives no access and is not stored (nobody can fill the
table by fetching the login page): its expiry is in the signed cookie (``SID.aEXPIRES.MAC``).

The CSRF token of a session is an HMAC of its id under the instance key: it changes with
the session id, and neither the cookie alone nor the database gives it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace

from collector.storage.accounts_base import AccountStore, StoredSession

COOKIE = "collector_session"
SESSION_SECONDS = 12 * 3600  # absolute: from the login
IDLE_SECONDS = 2 * 3600  # without a request
TOUCH_SECONDS = 5 * 60  # how stale the idle expiry may get before it is pushed forward
ANONYMOUS_SECONDS = 2 * 3600
MAX_COOKIE = 200


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sid_hash(sid: str) -> bytes:
    """What the database keeps instead of the session id."""
    return hashlib.sha256(sid.encode()).digest()


@dataclass(frozen=True, slots=True)
class Session:
    sid: str
    user: str | None  # None: anonymous (the login form's CSRF binding)
    issued: int
    expires: int  # when it ends unless used (a signed-in session) or at all (anonymous)
    fingerprint: str = ""

    @property
    def ends(self) -> int:
        """The latest moment the session can last (the cookie's lifetime)."""
        return self.issued + SESSION_SECONDS if self.user is not None else self.expires


class Signer:
    """Signs and checks cookie values and derives CSRF tokens; one per application."""

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode(), b"collector dashboard session v2", hashlib.sha256).digest()

    def _mac(self, purpose: bytes, data: bytes) -> bytes:
        return hmac.new(self._key, purpose + b"\0" + data, hashlib.sha256).digest()

    def fingerprint(self, password_hash: str) -> str:
        return _b64(self._mac(b"password", password_hash.encode()))[:22]

    def dumps(self, session: Session) -> str:
        tag = "u" if session.user is not None else f"a{session.expires}"
        payload = f"{session.sid}.{tag}"
        return f"{payload}.{_b64(self._mac(b'cookie', payload.encode()))}"

    def parse(self, cookie: str | None) -> tuple[str, int | None] | None:
        """``(session id, None)`` for a signed-in session's cookie, ``(session id, expiry)``
        for an anonymous one, None for anything not signed by this key."""
        if not cookie or len(cookie) > MAX_COOKIE or cookie.count(".") != 2 or not cookie.isascii():
            return None
        sid, tag, signature = cookie.split(".")
        if not hmac.compare_digest(signature, _b64(self._mac(b"cookie", f"{sid}.{tag}".encode()))):
            return None
        if tag == "u":
            return sid, None
        if tag[:1] == "a" and tag[1:].isdigit():
            return sid, int(tag[1:])
        return None

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


class Sessions:
    """The sessions of one application: the signer and the stored sessions."""

    def __init__(self, signer: Signer, accounts: AccountStore) -> None:
        self.signer = signer
        self._accounts = accounts

    def anonymous(self, now: float) -> Session:
        return Session(secrets.token_urlsafe(32), None, int(now), int(now) + ANONYMOUS_SECONDS)

    async def start(self, user: str, password_hash: str, now: float) -> Session:
        """A new signed-in session, stored."""
        moment = int(now)
        session = Session(
            secrets.token_urlsafe(32),
            user,
            moment,
            moment + min(IDLE_SECONDS, SESSION_SECONDS),
            self.signer.fingerprint(password_hash),
        )
        await self._accounts.save_session(
            sid_hash(session.sid),
            StoredSession(session.user, session.fingerprint, session.issued, session.expires),
        )
        return session

    async def load(self, cookie: str | None, now: float) -> Session | None:
        """The session a cookie names, or None: missing, forged, expired, ended."""
        parsed = self.signer.parse(cookie)
        if parsed is None:
            return None
        sid, anonymous_until = parsed
        if anonymous_until is not None:
            if not 0 < anonymous_until - now <= ANONYMOUS_SECONDS:
                return None
            return Session(sid, None, anonymous_until - ANONYMOUS_SECONDS, anonymous_until)
        stored = await self._accounts.get_session(sid_hash(sid), now)
        if stored is None or stored.user_name is None or stored.issued + SESSION_SECONDS <= now:
            return None
        return Session(sid, stored.user_name, stored.issued, stored.expires, stored.fingerprint)

    async def touch(self, session: Session, now: float) -> Session:
        """Push a signed-in session's idle expiry forward (when it has aged ``TOUCH_SECONDS``).

        ``save_session`` inserts or, for an existing id, changes only the expiry. The row
        written here has no user, so if a logout in another worker deleted the session
        meanwhile, what it inserts is no signed-in session: a logout is never undone."""
        target = min(int(now) + IDLE_SECONDS, session.issued + SESSION_SECONDS)
        if session.user is None or target - session.expires < TOUCH_SECONDS:
            return session
        await self._accounts.save_session(
            sid_hash(session.sid), StoredSession(None, "", session.issued, target)
        )
        return replace(session, expires=target)

    async def end(self, session: Session) -> None:
        if session.user is not None:
            await self._accounts.delete_session(sid_hash(session.sid))

    async def end_all(self, user: str) -> int:
        """End every session of ``user`` (a new password)."""
        return await self._accounts.delete_user_sessions(user)

    async def delete_expired(self, now: float) -> int:
        return await self._accounts.delete_expired_sessions(now)
