"""Damaged output folders: a built book's chapter MP3 or m4b cut short, emptied, replaced
by text or random bytes, made a 2 GB sparse file, or deleted; its manifest deleted, not
JSON, or holding wrong types; its chapters.json, a piece in .parts or its script damaged.
Then `narrate check`, a rebuild from the source and `narrate check` again. A loss: the
first check passes a folder whose audio or manifest is damaged, or the rebuild ends well
and leaves a folder that fails its check."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from .book import FOLDER, SOURCE, Base
from .running import Runner, Verdict

AUDIO = ("cut short", "emptied", "text", "random bytes", "a 2 GB sparse file", "deleted")
MANIFEST_TYPES = {  # a field of the manifest and a value of the wrong type
    "chapters": "x", "segments": [], "spoken": {"01.001.1": 5}, "mastering": None,
    "narrate_manifest": "1", "cache": 7, "formats": "mp3", "m4b_stamp": "x",
}
CHAPTER_TYPES = {"samples": "x", "stem": "../../escaped", "markers": [{"title": 5}],
                 "cues": None, "rate": 0, "pieces": [1]}


@dataclass
class Damage:
    label: str
    what: str  # "mp3", "m4b", "manifest", "chapters.json", "piece", "script"
    how: str
    caught: bool  # must the first check fail on it?
    seed: int


def make(rng: random.Random, base: Base) -> Damage:
    what = rng.choice(["mp3", "mp3", "m4b", "manifest", "manifest", "chapters.json", "piece",
                       "script"])
    if what in ("mp3", "m4b"):
        how = rng.choice(AUDIO)
    elif what == "manifest":
        how = rng.choice(["deleted", "not JSON", "a folder", "wrong type", "wrong type",
                          "a chapter's wrong type", "empty object"])
    else:
        how = rng.choice(["cut short", "random bytes", "deleted"])
    caught = what in ("mp3", "m4b", "manifest", "chapters.json")
    return Damage("", what, how, caught, rng.randrange(1 << 30))


def trial(narrate: Runner, base: Base, damage: Damage, folder: Path) -> Verdict:
    base.copy(folder)
    damage.label = _damage(folder / FOLDER, damage, random.Random(damage.seed))
    check = narrate("check", FOLDER, cwd=folder)
    verdict = narrate.verdict(check)
    if verdict.outcome not in ("ok", "refused"):
        return verdict
    if damage.caught and check.code == 0:
        return Verdict("loss", f"check passed a folder where {damage.label}")
    build = narrate("build", SOURCE, cwd=folder)
    verdict = narrate.verdict(build)
    if verdict.outcome != "ok" or build.code != 0:  # exit 1 names what failed
        return verdict
    again = narrate("check", FOLDER, cwd=folder)
    verdict = narrate.verdict(again)
    if verdict.outcome == "ok" and again.code != 0:
        findings = [line.strip() for line in again.out.splitlines()
                    if line.startswith(("FAIL", "  FAIL", "WARN"))] or again.out.splitlines()[-2:]
        return Verdict("loss", f"the rebuild ended well, but check then fails: "
                               f"{' | '.join(findings)[:300]}")
    return verdict


def _damage(book: Path, damage: Damage, rng: random.Random) -> str:
    """Damage the file and say what was done to it."""
    if damage.what == "mp3":
        path = rng.choice(sorted(book.glob("*.mp3")))
    elif damage.what == "m4b":
        path = next((book / "m4b").glob("*.m4b"))
    elif damage.what == "piece":
        path = rng.choice(sorted(p for p in (book / ".parts").rglob("*") if p.is_file()))
    else:
        path = book / {"manifest": "manifest.json", "chapters.json": "chapters.json",
                       "script": "script.yaml"}[damage.what]
    name = path.relative_to(book)
    how = damage.how
    if how == "wrong type":
        data = json.loads(path.read_text(encoding="utf-8"))
        key = rng.choice(list(MANIFEST_TYPES))
        data[key] = MANIFEST_TYPES[key]
        path.write_text(json.dumps(data), encoding="utf-8")
        return f"{name} has {key}: {MANIFEST_TYPES[key]!r}"
    if how == "a chapter's wrong type":
        data = json.loads(path.read_text(encoding="utf-8"))
        key = rng.choice(list(CHAPTER_TYPES))
        data["chapters"][0][key] = CHAPTER_TYPES[key]
        path.write_text(json.dumps(data), encoding="utf-8")
        return f"{name}'s first chapter has {key}: {CHAPTER_TYPES[key]!r}"
    size = path.stat().st_size
    if how == "cut short":
        keep = rng.randrange(1, max(2, size))
        with path.open("r+b") as handle:
            handle.truncate(keep)
        return f"{name} is cut to {keep:,} of {size:,} bytes"
    if how == "a 2 GB sparse file":
        with path.open("r+b") as handle:
            handle.truncate(2 << 30)
        return f"{name} is a 2 GB sparse file"
    path.unlink()
    if how == "a folder":
        path.mkdir()
    elif how != "deleted":
        path.write_bytes({"emptied": b"", "text": b"This is not audio.\n" * 50,
                          "random bytes": rng.randbytes(size), "not JSON": b'{"narrate',
                          "empty object": b"{}"}[how])
    return f"{name} is {_SAID.get(how, how)}"


_SAID = {"text": "replaced by text", "random bytes": "replaced by random bytes",
         "empty object": "{}"}
