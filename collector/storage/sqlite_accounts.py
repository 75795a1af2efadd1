""":class:`collector.storage.accounts_base.AccountStore` on SQLite: reads on the store's
read-only connection, writes on its writing connection under its lock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from collector.storage.accounts_base import (
    GrantInfo,
    SharedLink,
    StoredSession,
    TokenListing,
    UserInfo,
)
from collector.storage.sqlite_role import SqliteRole


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _share(r: Sequence[Any]) -> SharedLink:
    return SharedLink(
        int(r[0]),
        int(r[1]),
        str(r[2]),
        None if r[3] is None else str(r[3]),
        str(r[4]),
        int(r[5]),
        _opt_int(r[6]),
    )


class SqliteAccounts(SqliteRole):
    folder = "accounts"

    async def _write(self, name: str, args: Sequence[Any]) -> int:
        """Rows changed (an INSERT: the new row's id)."""
        (cursor,) = await self._transaction([(name, args)])
        if name.startswith("insert"):
            return int(cursor.lastrowid or 0)
        return int(cursor.rowcount)

    # -- users and grants ----------------------------------------------------------------
    async def list_users(self) -> list[UserInfo]:
        rows = await self._rows("list_users", ())
        return [UserInfo(int(r[0]), str(r[1]), bool(r[2]), int(r[3])) for r in rows]

    async def user_by_id(self, user_id: int) -> UserInfo | None:
        rows = await self._rows("get_user_by_id", (user_id,))
        return UserInfo(int(rows[0][0]), str(rows[0][1]), bool(rows[0][3]), 0) if rows else None

    async def set_password(self, user_id: int, password_hash: str) -> None:
        await self._write("set_password", (password_hash, user_id))

    async def grants_of(self, user_id: int) -> Mapping[int, str]:
        return {int(r[0]): str(r[1]) for r in await self._rows("grants_of_user", (user_id,))}

    async def list_grants(self) -> list[GrantInfo]:
        return [
            GrantInfo(int(r[0]), str(r[1]), int(r[2]), str(r[3]), str(r[4]))
            for r in await self._rows("list_grants", ())
        ]

    async def set_grant(self, user_id: int, site_id: int, role: str, now: float) -> None:
        await self._write("set_grant", (user_id, site_id, role, int(now)))

    async def revoke_grant(self, user_id: int, site_id: int) -> bool:
        return await self._write("revoke_grant", (user_id, site_id)) > 0

    # -- tokens --------------------------------------------------------------------------
    async def list_tokens(self, site_id: int) -> list[TokenListing]:
        return [
            TokenListing(int(r[0]), int(r[1]), str(r[2]), str(r[3]), int(r[4]), _opt_int(r[5]))
            for r in await self._rows("list_tokens", (site_id,))
        ]

    async def revoke_token(self, site_id: int, token_id: int, now: float) -> bool:
        return await self._write("revoke_token", (int(now), site_id, token_id)) > 0

    # -- shared links --------------------------------------------------------------------
    async def add_share(
        self,
        site_id: int,
        secret_hash: bytes,
        label: str,
        password_hash: str | None,
        created_by: str,
        now: float,
    ) -> int:
        return await self._write(
            "insert_share", (site_id, secret_hash, label, password_hash, created_by, int(now))
        )

    async def list_shares(self, site_id: int) -> list[SharedLink]:
        return [_share(r) for r in await self._rows("list_shares", (site_id,))]

    async def find_share(self, secret_hash: bytes) -> SharedLink | None:
        rows = await self._rows("find_share", (secret_hash,))
        return _share(rows[0]) if rows else None

    async def revoke_share(self, site_id: int, share_id: int, now: float) -> bool:
        return await self._write("revoke_share", (int(now), site_id, share_id)) > 0

    # -- sessions ------------------------------------------------------------------------
    async def save_session(self, sid_hash: bytes, session: StoredSession) -> None:
        await self._write(
            "save_session",
            (sid_hash, session.user_name, session.fingerprint, session.issued, session.expires),
        )

    async def get_session(self, sid_hash: bytes, now: float) -> StoredSession | None:
        rows = await self._rows("get_session", (sid_hash, int(now)))
        if not rows:
            return None
        r = rows[0]
        return StoredSession(None if r[0] is None else str(r[0]), str(r[1]), int(r[2]), int(r[3]))

    async def delete_session(self, sid_hash: bytes) -> None:
        await self._write("delete_session", (sid_hash,))

    async def delete_user_sessions(self, user_name: str) -> int:
        return await self._write("delete_user_sessions", (user_name,))

    async def delete_expired_sessions(self, now: float) -> int:
        return await self._write("delete_expired_sessions", (int(now),))
