"""The takes a studio plays: each segment said one way, copied into the book's own folder
(its .studio dot folder, which libraries skip) so that the page is served only that folder."""

from __future__ import annotations

import shutil
import wave
from dataclasses import dataclass
from pathlib import Path

from narrate.fileio import atomic_path

STUDIO = ".studio"  # the session's own files (takes heard)


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
    if not dest.is_file():
        dest.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(dest) as partial:
            shutil.copyfile(path, partial)
    with wave.open(str(dest), "rb") as take:
        seconds = take.getnframes() / take.getframerate()
    return Take(ident, key, dest.relative_to(folder).as_posix(), seconds)
