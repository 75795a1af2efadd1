"""Per-user opt-outs are matched by a keyed hash of the site's own user reference.

The raw ``user_ref`` (the tracker's ``uid``) is hashed with the site's secret and never
stored; the same function serves the tracking check and the opt-out API.
"""

from __future__ import annotations

import hashlib
import hmac


def user_ref_hash(site_secret: bytes, user_ref: str) -> str:
    return hmac.new(site_secret, user_ref.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]
