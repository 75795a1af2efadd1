"""The instance secret: ``COLLECTOR_SECRET_KEY``, or a file generated in the data dir."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def ensure_secret_key(configured: str, data_dir: Path) -> str:
    if configured:
        return configured
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
