"""The takes a studio plays: each segment said one way, copied into the book's own folder
(its .studio dot folder, which libraries skip) so that the page is served only that folder.
The copies are bounded (MOST_TAKES, MOST_TAKE_BYTES): the least recently asked go first
(selecting each sentence of a long book once copied 167 MB)."""

from __future__ import annotations

import os
import shutil
import wave
from dataclasses import dataclass
from pathlib import Path

from narrate.fileio import atomic_path

STUDIO = ".studio"  # the session's own files (takes heard)
MOST_TAKES = 200
MOST_TAKE_BYTES = 100_000_000


@dataclass(frozen=True)
class Take:
    """A segment said one way: its cache key and the file (in the book's folder) to play."""
    id: str
    key: str
    file: str  # relative to the book's folder
    seconds: float


def kept_take(folder: Path, ident: str, key: str, path: Path) -> Take:
    """The take at `path` (the cache's) copied into `folder`, once per cache key."""
    dest = folder / STUDIO / "takes" / f"{key}.wav"
    if dest.is_file():
        os.utime(dest)  # asked again: the last to go
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(dest) as partial:
            shutil.copyfile(path, partial)
        _trim(dest.parent, dest)
    with wave.open(str(dest), "rb") as take:
        seconds = take.getnframes() / take.getframerate()
    return Take(ident, key, dest.relative_to(folder).as_posix(), seconds)


def _trim(takes: Path, newest: Path) -> None:
    """Remove the least recently asked takes past the bounds (never `newest`)."""
    found = []
    for take in takes.glob("*.wav"):
        try:
            stat = take.stat()
        except FileNotFoundError:  # removed meanwhile
            continue
        found.append((stat.st_mtime, stat.st_size, take))
    count = size = 0
    for _, bytes_, take in sorted(found, key=lambda f: (f[2] != newest, -f[0])):
        count, size = count + 1, size + bytes_
        if take != newest and (count > MOST_TAKES or size > MOST_TAKE_BYTES):
            take.unlink(missing_ok=True)
