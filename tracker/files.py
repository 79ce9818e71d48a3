"""Files the app writes (the SQLite database, backups, exports): readable by their owner only.

Modes are given when a file is created, never fixed afterwards, so no other local user can
open the file in between; the umask can only take permissions away from 0600.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

# The checkout: migrations/, templates/ and static/ sit beside the package.
ROOT = Path(__file__).resolve().parent.parent

PRIVATE = 0o600
PRIVATE_FOLDER = 0o700


def create_private_file(path: str | os.PathLike) -> None:
    """Create an empty owner-only file at `path`, unless something is there already.

    SQLite gives a database's -wal and -shm files the database file's permissions, so a
    database file created here keeps all three away from other local users."""
    # Already there, or no such folder: SQLite then opens it, or reports the error itself.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))


def create_new_private_file(path: Path) -> None:
    """Create an empty owner-only file; FileExistsError when `path` exists (even a link)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` as an owner-only file, replacing any file there in one step.

    The data goes to a new 0600 file beside it, which then takes the name: a reader never
    sees a half-written export, and one who had the old file open never reads the new data.
    A device or pipe (`-o /dev/stdout`) is written to directly."""
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        special = False
    if special:
        with open(path, "wb") as fh:
            fh.write(data)
        return
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:  # mkstemp: O_EXCL, mode 0600
            fh.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_new_private(path: Path, data: bytes) -> bool:
    """Create `path` as an owner-only file holding `data`, unless something is there already
    (then False, and it is left as it is).

    The data goes to a new 0600 file beside it, which is then linked to the name: the file is
    never seen empty or half-written, nor with a wider mode, and of two processes starting
    at once, only one writes it (the other reads what the first wrote)."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:  # mkstemp: O_EXCL, mode 0600
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(temp, path)
    except FileExistsError:
        return False
    finally:
        Path(temp).unlink(missing_ok=True)
    return True


def tighten(path: str | os.PathLike, *, folder: bool = False) -> bool:
    """Take group and other permissions away from an existing file or folder of ours that an
    older version created readable by them (True when it was changed).

    A symbolic link is never followed nor changed (the change itself refuses one, so none can
    be swapped in after the check), nor is anything another user owns. The file is never
    opened: closing any descriptor of a database file would drop the SQLite locks that this
    process holds on it."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    kind = stat.S_ISDIR if folder else stat.S_ISREG
    if not kind(info.st_mode) or info.st_uid != os.geteuid() or not info.st_mode & 0o077:
        return False
    try:
        os.chmod(
            path,
            stat.S_IMODE(info.st_mode) & (PRIVATE_FOLDER if folder else PRIVATE),
            follow_symlinks=False,
        )
    except (NotImplementedError, OSError):  # a link now, or gone: nothing of ours to change
        return False
    return True


def tighten_sqlite_files(database: str | os.PathLike) -> None:
    """An existing SQLite database file and its -wal and -shm: owner-only (0600)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        tighten(f"{os.fspath(database)}{suffix}")
