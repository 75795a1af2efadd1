"""Password throttling: failed attempts counted over a sliding window (15 minutes), so
guessing is slow while the rightful user is not locked out by someone else's failures.

Each throttle has its own namespace (``scope``): the sign-in form (and the password
change, which checks the same accounts' passwords) counts in ``login``, the password of
a shared link in ``share``. A key is a tuple that starts with its namespace, so a failed
login for a user called ``share link 3`` never counts against shared link 3.

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

Kept in memory, per process: with several workers each counts on its own, which still
bounds guessing to a few attempts a minute per worker.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

WINDOW_S = 15 * 60
KNOWN_S = 30 * 24 * 3600
MAX_KEYS = 10_000
MAX_KNOWN = 10_000
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
Key = tuple[str, str, str]  # (namespace, kind, value)


class LoginThrottle:
    def __init__(self, rules: Rules = RULES) -> None:
        self._rules = rules
        self._failures: dict[Key, deque[float]] = {}
        self._known: dict[Key, float] = {}  # (namespace, name, address) → last success

    @staticmethod
    def _name(user: str) -> str:
        return user.strip().lower()

    @classmethod
    def _keys(cls, scope: str, user: str, ip: str) -> tuple[Key, Key, Key]:
        name = cls._name(user)
        return (scope, "pair", f"{name}\0{ip}"), (scope, "address", ip), (scope, "name", name)

    def _recent(self, key: Key, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self._rules.window_s:
            times.popleft()
        return times

    def _is_known(self, scope: str, user: str, ip: str, now: float) -> bool:
        since = self._known.get((scope, self._name(user), ip))
        return since is not None and now - since < self._rules.known_s

    def retry_after(self, user: str, ip: str, now: float, scope: str = LOGIN) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        rules = self._rules
        pair, address, name = self._keys(scope, user, ip)
        wait = 0.0
        for key, limit in ((pair, rules.pair), (address, rules.address)):
            times = self._recent(key, now)
            if len(times) >= limit:
                wait = max(wait, times[-limit] + rules.window_s - now)
        times = self._recent(name, now)
        beyond = len(times) - rules.name_free
        if beyond >= 0 and not self._is_known(scope, user, ip, now):
            delay = min(rules.name_max_delay_s, 2 ** min(beyond, 30))
            wait = max(wait, times[-1] + delay - now)
        return max(0, math.ceil(wait))

    def failed(self, user: str, ip: str, now: float, scope: str = LOGIN) -> None:
        if len(self._failures) >= MAX_KEYS:
            self._prune(now)
        for key in self._keys(scope, user, ip):
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times

    def succeeded(self, user: str, ip: str, now: float, scope: str = LOGIN) -> None:
        """The pair's failures are forgotten and the address becomes the name's own."""
        pair, _, _ = self._keys(scope, user, ip)
        self._failures.pop(pair, None)
        known = (scope, self._name(user), ip)
        self._known.pop(known, None)  # re-inserted last: the dict stays oldest first
        while len(self._known) >= MAX_KNOWN:
            del self._known[next(iter(self._known))]
        self._known[known] = now

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        while len(self._failures) >= MAX_KEYS:  # still full: forget the oldest entries
            del self._failures[next(iter(self._failures))]
