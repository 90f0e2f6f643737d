"""The studio's Undo: what each Keep changed (script.yaml, and the lexicon a pronunciation
went into), as it was before, newest last. Kept in the book's .studio/history, written
before the change it takes back, so a studio started again after a crash or a kill can
still undo. A Keep is undone only while the files are as it left them: one changed
since (by hand, by a build) is never silently put back."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from narrate.errors import NarrateError
from narrate.fileio import atomic_write_bytes, atomic_write_text
from narrate.studio.takes import STUDIO

UNDO_LIMIT = 50


@dataclass(frozen=True)
class Snapshot:
    """What a Keep changed, as it was before: the script's bytes, and the lexicon's (None
    when the Keep made the file)."""
    script: bytes
    lexicon: Path | None = None
    lexicon_bytes: bytes | None = None


def digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()[:16]


class History:
    """The Keeps that Undo can take back (at most UNDO_LIMIT), in `folder`/.studio/history:
    for each, N.json (what the Keep left, to check before undoing), N.script and
    N.lexicon (the bytes before)."""

    def __init__(self, folder: Path) -> None:
        self.where = folder / STUDIO / "history"

    def push(self, before: Snapshot, script: bytes, lexicon: bytes | None = None) -> None:
        """Remember `before`, for a Keep about to write `script` (and `lexicon`)."""
        entries = self._entries()
        number = int(entries[-1].stem) + 1 if entries else 1
        stem = self.where / f"{number:06}"
        atomic_write_bytes(stem.with_suffix(".script"), before.script)
        if before.lexicon_bytes is not None:
            atomic_write_bytes(stem.with_suffix(".lexicon"), before.lexicon_bytes)
        atomic_write_text(stem.with_suffix(".json"), json.dumps({  # last: the entry is whole
            "before": digest(before.script), "after": digest(script),
            "lexicon": str(before.lexicon) if before.lexicon else None,
            "lexicon_before": digest(before.lexicon_bytes), "lexicon_after": digest(lexicon)}))
        for old in entries[:max(0, len(entries) + 1 - UNDO_LIMIT)]:
            _remove(old)

    def count(self, script: bytes) -> int:
        """How many Keeps Undo can take back from `script` as it is, one after another."""
        now, count = digest(script), 0
        for entry in reversed(self._entries(script)):
            record = _record(entry)
            if record is None or record["after"] != now:
                break
            now, count = record["before"], count + 1
        return count

    def last(self, script: bytes) -> Snapshot:
        """The last Keep's snapshot, when the files are as that Keep left them."""
        entries = self._entries(script)
        record = _record(entries[-1]) if entries else None
        if record is None:
            raise NarrateError("nothing to undo")
        if record["after"] != digest(script):
            raise NarrateError("script.yaml changed since the last Keep (by hand, or a build); "
                               "nothing was written", hint="undo it by hand, in the file")
        lexicon = Path(record["lexicon"]) if record["lexicon"] else None
        if lexicon is not None and digest(_bytes(lexicon)) != record["lexicon_after"]:
            raise NarrateError(f"{lexicon}: changed since the pronunciation was kept; nothing "
                               "was written", hint="undo it by hand, in the file")
        before = entries[-1].with_suffix(".lexicon")
        return Snapshot(entries[-1].with_suffix(".script").read_bytes(), lexicon,
                        before.read_bytes() if record["lexicon_before"] else None)

    def drop(self) -> None:
        """Forget the last Keep (undone, or never written)."""
        entries = self._entries()
        if entries:
            _remove(entries[-1])

    def _entries(self, script: bytes | None = None) -> list[Path]:
        """The entries, oldest first; with `script` (as it is now), the last ones whose Keep
        never reached it (cut short before writing) forgotten first."""
        entries = sorted(self.where.glob("*.json")) if self.where.is_dir() else []
        while script is not None and entries:
            record = _record(entries[-1])
            if record is None or record["after"] == digest(script) or \
                    record["before"] != digest(script):
                break
            _remove(entries.pop())
        return entries


def _record(entry: Path) -> dict | None:
    try:
        record = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _remove(entry: Path) -> None:
    entry.unlink(missing_ok=True)  # first: without it, the rest is no entry
    for suffix in (".script", ".lexicon"):
        entry.with_suffix(suffix).unlink(missing_ok=True)


def restore(path: Path, data: bytes | None) -> None:
    """Put back a file as it was: its bytes, or none (None: the file was made since)."""
    if data is None:
        path.unlink(missing_ok=True)
    else:
        atomic_write_bytes(path, data)
