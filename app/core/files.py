"""Files only the service user may read: the database, keys, rosters waiting to be applied.

They are created private (0600, folders 0700) instead of being narrowed after the fact, so
there is no moment in which another account on the server could open them.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def private_directory(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700; an existing one is narrowed to 0700."""
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    _narrow(path, DIRECTORY_MODE)
    return path


def write_private(path: Path, data: bytes | str) -> None:
    """Write ``data`` to a file that is 0600 from the moment it exists."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), FILE_MODE)  # an older file with wider rights is narrowed
        file.write(data)


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists as a private file (an empty file is a valid empty SQLite
    database, and SQLite gives its journal files the database file's permissions)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(descriptor)
    _narrow(path, FILE_MODE)
    return path


def _narrow(path: Path, mode: int) -> None:
    if path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
        path.chmod(mode)


def sqlite_path(uri: str) -> Path | None:
    """The file behind a ``sqlite:///…`` database URI (None for memory or other databases)."""
    prefix = "sqlite:///"
    if not uri.startswith(prefix):
        return None
    name = uri[len(prefix) :].split("?", 1)[0]
    return Path(name) if name and name != ":memory:" else None
