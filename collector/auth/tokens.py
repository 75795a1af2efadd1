"""API tokens: random, shown once, stored as a SHA-256 hash, scoped to one site."""

from __future__ import annotations

import hashlib
import secrets

SCOPES = ("stats", "optout", "admin")


def new_token() -> str:
    return "col_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
