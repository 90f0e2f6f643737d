"""One build of a book at a time: a lock file in its output folder, holding the pid.

The lock is an OS file lock (flock), so the kernel releases it when the holder dies,
even by SIGKILL: a stale lock file from a crash never blocks the next build.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

from narrate.errors import NarrateError

LOCK_NAME = ".narrate.lock"


@contextlib.contextmanager
def book_lock(folder: Path, wait_seconds: float = 0.0, name: str = LOCK_NAME,
              what: str = "build"):
    """Hold `folder`'s lock `name` (a build's; a studio's is another) while in the block."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 -- held for the lock's life, closed below
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                handle.close()
                raise NarrateError(f"{folder}: another {what} of this book is running "
                                   f"({holder}); wait for it to finish, then run again") from None
            time.sleep(0.2)
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, since {time.strftime('%H:%M:%S')}")
        handle.flush()
        yield path
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
