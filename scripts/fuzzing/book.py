"""The book every input but the readers' starts from: two short chapters (a quote, a
number, a word the shipped lexicon respells, "No" and "Yes" as words), with metadata,
built once at the start with the espeak cast; each input works on a copy of it."""

from __future__ import annotations

import json
import shutil
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .running import Runner

TEXT = """\
CHAPTER I. The Steppe

No one knew the prophets of old, wrote Deutscher. The boy studied at Zimmerwald in 1905 \
with 30 friends.

He said, “There is now no one except me to carry out the mission.” Then he left for Vienna.

CHAPTER II. The Exile

The years of reaction were over; the terror had spent itself.

Yes, the movement was experiencing a new revival, and the workers struck.
"""
META = """\
title: The Steppe and the Exile
author: Anne Example
language: en
"""
SOURCE, METADATA, NAME = "book.txt", "book.yaml", "book"
FOLDER = Path("output") / NAME  # the built book, in a copy
SCRIPT = FOLDER / "script.yaml"


@dataclass(frozen=True)
class Base:
    root: Path  # book.txt, book.yaml and output/book/, built
    says: dict[str, str]  # every spoken line's id -> its say, as the manifest has it
    script: str  # the script.yaml narrate wrote beside the audio
    warnings: frozenset[str]  # what the build of the book said anyway

    def copy(self, to: Path, folder: bool = True) -> Path:
        """A fresh copy of the book in `to`: the source and metadata, and the built
        folder unless `folder` is false."""
        to.mkdir(parents=True)
        for name in (SOURCE, METADATA):
            shutil.copy(self.root / name, to / name)
        if folder:
            shutil.copytree(self.root / FOLDER, to / FOLDER)
        return to


def build_base(narrate: Runner, root: Path) -> Base:
    root.mkdir(parents=True)
    (root / SOURCE).write_text(TEXT, encoding="utf-8")
    (root / METADATA).write_text(META, encoding="utf-8")
    run = narrate("build", SOURCE, cwd=root)
    if run.code != 0:
        raise SystemExit(f"fuzz: the book every input starts from did not build:\n{run.err}")
    return Base(root, spoken(root / FOLDER), (root / SCRIPT).read_text(encoding="utf-8"),
                frozenset(run.warnings()))


def spoken(folder: Path) -> dict[str, str]:
    """id -> say of every line the manifest in `folder` says was spoken."""
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {ident: line["say"] for ident, line in data["spoken"].items()}


def speakable(text: str) -> str:
    """The letters and digits of `text` in order, compatibility-normalised: what must
    survive from what a person typed to what is spoken. Spacing, punctuation, control
    characters and anything narrate may rightly clean away do not count."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def words(text: str) -> list[str]:
    """Lower-case words of letters and digits."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch if ch.isalnum() else " " for ch in folded).split()


def copy_kept(source: Path, to: Path, limit: int = 10 << 20) -> None:
    """Copy an input's folder to keep it: regular files up to `limit` bytes only (a
    FIFO would block, a sparse 2 GB MP3 would fill a disk); the rest are listed."""
    skipped = []
    for path in sorted(source.rglob("*")):
        kept = to / path.relative_to(source)
        mode = path.lstat().st_mode
        if stat.S_ISDIR(mode):
            kept.mkdir(parents=True, exist_ok=True)
        elif stat.S_ISREG(mode) and path.lstat().st_size <= limit:
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, kept)
        else:
            skipped.append(f"{path.relative_to(source)}: {_kind(mode, path)}")
    if skipped:
        (to / "NOT-COPIED.txt").write_text("\n".join(skipped) + "\n", encoding="utf-8")


def _kind(mode: int, path: Path) -> str:
    if stat.S_ISLNK(mode):
        return f"a link to {path.readlink()}"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    return f"{path.lstat().st_size} bytes"
