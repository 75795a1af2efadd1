"""Password throttling: failed attempts counted over a sliding window (15 minutes), so
guessing is slow while the rightful user is not locked out by someone else's failures.

Each throttle has its own namespace (``scope``): the sign-in form (and the password
change, which checks the same accounts' passwords) counts in ``login``, the password of
a shared link in ``share``. Every key is kept within its namespace, so a failed login for
a user called ``share link 3`` never counts against shared link 3.

Within a namespace, for a name (a user name, a shared link) tried from a masked address:

- **pair**: 5 failures of that name from that masked address → that pair waits until the
  oldest of those 5 leaves the window. Only whoever failed waits.
- **address**: 50 failures from that masked address, whatever the names → that address
  waits (one network trying many names).
- **name**: failures of the name from every address never lock it. Once 20 are in the
  window, each further attempt from an address that is not the name's own waits a growing
  delay after the latest failure (1, 2, 4 … seconds, at most 60), so a guesser spread over
  many networks gets about one guess a minute per name. An address the name signed in from
  successfully in the last 30 days is its own and skips this rule: the owner at their
  usual address is never refused for failures elsewhere, and from a new address waits at
  most a minute.

Kept in the store (``Store.throttle()``, :mod:`collector.storage.throttle_base`), so every
worker and every node counts the same failures. What is stored: masked addresses, and a
name only as its SHA-256 digest (a password typed into the name field is not written down
readable; the digest also bounds the length). Failures leave the store once out of the
window and successes after 30 days (each process prunes at most once a minute).
:func:`wait_for` is the rules alone, over the failure times.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from collector.storage.throttle_base import Key, ThrottleStore

WINDOW_S = 15 * 60
KNOWN_S = 30 * 24 * 3600
PRUNE_EVERY_S = 60
LOGIN = "login"
SHARE = "share"


@dataclass(frozen=True, slots=True)
class Rules:
    """The limits (see the module docstring)."""

    pair: int = 5  # failures of a name from a masked address
    address: int = 50  # failures from a masked address, any name
    name_free: int = 20  # failures of a name from anywhere before attempts are spaced
    name_max_delay_s: int = 60  # the longest spacing between attempts for a name
    window_s: int = WINDOW_S
    known_s: int = KNOWN_S  # how long a successful sign-in makes an address the name's own


RULES = Rules()


@dataclass(frozen=True, slots=True)
class Failures:
    """The failure times of one attempt's keys: the name from this address, this address
    with any name, the name from any address."""

    pair: Sequence[float] = ()
    address: Sequence[float] = ()
    name: Sequence[float] = ()


def wait_for(failures: Failures, known_since: float | None, now: float, rules: Rules = RULES) -> int:
    """Seconds until another attempt is allowed (0: allowed now), by the rules alone.
    ``known_since``: the name's last success from this address (None: never)."""

    def recent(times: Sequence[float]) -> list[float]:
        return sorted(t for t in times if t > now - rules.window_s)

    wait = 0.0
    for times, limit in ((recent(failures.pair), rules.pair), (recent(failures.address), rules.address)):
        if len(times) >= limit:
            wait = max(wait, times[-limit] + rules.window_s - now)
    times = recent(failures.name)
    beyond = len(times) - rules.name_free
    known = known_since is not None and now - known_since < rules.known_s
    if beyond >= 0 and not known:
        delay = min(rules.name_max_delay_s, 2 ** min(beyond, 30))
        wait = max(wait, times[-1] + delay - now)
    return max(0, math.ceil(wait))


def _name(user: str) -> str:
    """The name as stored: its digest (the same for ``Alice`` and ``alice ``)."""
    return hashlib.sha256(user.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()


def _keys(user: str, ip: str) -> tuple[Key, Key, Key]:
    """pair, address, name (a masked address has no space: the pair's value is unambiguous)."""
    name = _name(user)
    return ("pair", f"{ip} {name}"), ("address", ip), ("name", name)


class LoginThrottle:
    def __init__(self, store: ThrottleStore, rules: Rules = RULES) -> None:
        self._store = store
        self._rules = rules
        self._pruned_at: float | None = None

    async def retry_after(self, user: str, ip: str, now: float, scope: str = LOGIN) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        keys = pair, address, name = _keys(user, ip)
        found = await self._store.recent(scope, keys, now - self._rules.window_s)
        known = await self._store.known_since(scope, name[1], ip)
        failures = Failures(found.get(pair, ()), found.get(address, ()), found.get(name, ()))
        return wait_for(failures, known, now, self._rules)

    async def failed(self, user: str, ip: str, now: float, scope: str = LOGIN) -> None:
        await self._store.record(scope, _keys(user, ip), now)
        await self._prune(now)

    async def succeeded(self, user: str, ip: str, now: float, scope: str = LOGIN) -> None:
        """The pair's failures are forgotten and the address becomes the name's own."""
        pair, _, name = _keys(user, ip)
        await self._store.forget(scope, pair)
        await self._store.mark_known(scope, name[1], ip, now)
        await self._prune(now)

    async def _prune(self, now: float) -> None:
        """Failures out of the window and successes older than ``known_s`` leave the store,
        at most once every ``PRUNE_EVERY_S`` in this process."""
        if self._pruned_at is not None and 0 <= now - self._pruned_at < PRUNE_EVERY_S:
            return
        self._pruned_at = now
        await self._store.prune(now - self._rules.window_s, now - self._rules.known_s)
