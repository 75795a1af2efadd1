"""The dashboard's account data behind ``Store.accounts()``: users, per-site grants, API
tokens as listed in the dashboard, shared read-only links and stored login sessions.

Secrets are never stored: tokens, shared-link secrets and session ids as SHA-256 hashes,
passwords as scrypt hashes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

ROLES = ("admin", "viewer")


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    name: str
    is_admin: bool
    created_at: int


@dataclass(frozen=True, slots=True)
class GrantInfo:
    user_id: int
    user_name: str
    site_id: int
    site_name: str
    role: str  # one of ROLES


@dataclass(frozen=True, slots=True)
class TokenListing:
    id: int
    site_id: int
    scope: str
    label: str
    created_at: int
    revoked_at: int | None


@dataclass(frozen=True, slots=True)
class SharedLink:
    id: int
    site_id: int
    label: str
    password_hash: str | None
    created_by: str
    created_at: int
    revoked_at: int | None


@dataclass(frozen=True, slots=True)
class StoredSession:
    user_name: str | None
    fingerprint: str
    issued: int
    expires: int


class AccountStore(Protocol):
    # users and grants
    async def list_users(self) -> list[UserInfo]: ...
    async def user_by_id(self, user_id: int) -> UserInfo | None: ...
    async def set_password(self, user_id: int, password_hash: str) -> None: ...
    async def grants_of(self, user_id: int) -> Mapping[int, str]: ...
    async def list_grants(self) -> list[GrantInfo]: ...
    async def set_grant(self, user_id: int, site_id: int, role: str, now: float) -> None: ...
    async def revoke_grant(self, user_id: int, site_id: int) -> bool: ...

    # API tokens (created with Store.add_token)
    async def list_tokens(self, site_id: int) -> list[TokenListing]: ...
    async def revoke_token(self, site_id: int, token_id: int, now: float) -> bool: ...

    # shared links
    async def add_share(
        self,
        site_id: int,
        secret_hash: bytes,
        label: str,
        password_hash: str | None,
        created_by: str,
        now: float,
    ) -> int: ...
    async def list_shares(self, site_id: int) -> list[SharedLink]: ...
    async def find_share(self, secret_hash: bytes) -> SharedLink | None: ...
    async def revoke_share(self, site_id: int, share_id: int, now: float) -> bool: ...

    # login sessions
    async def save_session(self, sid_hash: bytes, session: StoredSession) -> None: ...
    async def get_session(self, sid_hash: bytes, now: float) -> StoredSession | None: ...
    async def delete_session(self, sid_hash: bytes) -> None: ...
    async def delete_user_sessions(self, user_name: str) -> int: ...
    async def delete_expired_sessions(self, now: float) -> int: ...
