"""The studio's Undo: what each Keep changed (script.yaml, and the lexicon a pronunciation
went into), as it was before, newest last."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from narrate.errors import NarrateError
from narrate.fileio import atomic_write_bytes

UNDO_LIMIT = 50


@dataclass(frozen=True)
class Snapshot:
    """What a Keep changed, as it was before: the script's bytes, and the lexicon's (None
    when the Keep made the file)."""
    script: bytes
    lexicon: Path | None = None
    lexicon_bytes: bytes | None = None


class History:
    """The Keeps that Undo can take back, at most UNDO_LIMIT."""

    def __init__(self) -> None:
        self._kept: list[Snapshot] = []

    def __len__(self) -> int:
        return len(self._kept)

    def push(self, before: Snapshot) -> None:
        self._kept = [*self._kept, before][-UNDO_LIMIT:]

    def pop(self) -> Snapshot:
        """The last Keep's snapshot, its lexicon put back as it was."""
        if not self._kept:
            raise NarrateError("nothing to undo")
        before = self._kept.pop()
        if before.lexicon is not None:
            restore(before.lexicon, before.lexicon_bytes)
        return before


def restore(path: Path, data: bytes | None) -> None:
    """Put back a file as it was: its bytes, or none (None: the file was made since)."""
    if data is None:
        path.unlink(missing_ok=True)
    else:
        atomic_write_bytes(path, data)
