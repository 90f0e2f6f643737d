"""Metadata files: one field of the book's `book.yaml` given a hostile value (a wrong
type, a value YAML retypes, control characters, 200 CJK characters, a path to a device,
a FIFO or a folder for `cover:`, `lexicon:` or `voices:`), or `--meta` naming a file
that is not a regular file. The book is planned (`build --dry-run`) and converted
(`narrate script`); a sample is built for real and checked. A loss: a text field
(title, author, narrator, a chapter's title) that narrate's script does not carry as
it was typed, or reads back as another type."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

from . import scriptfile, values
from .book import FOLDER, METADATA, SOURCE, Base, speakable
from .edited import REAL_MOST
from .running import OK, Runner, Verdict
from .values import Value

TEXT_KEYS = ("title", "author", "narrator")
KEYS = ("title", "subtitle", "author", "narrator", "language", "year", "genre", "description",
        "publisher", "series", "series_index", "isbn", "credits", "chapters", "reading",
        "cover", "lexicon", "voices", "unknown")
PATHS = ("cover", "lexicon", "voices")
DEVICES = ["/dev/zero", "/dev/urandom", "/dev/null", "fifo", "folder", "book.txt", "/",
           "missing.png"]
LONG = [Value("200 CJK characters", "維" * 200, "維" * 200),
        Value("100 emoji", "👍" * 100, "👍" * 100),
        Value("a 250-letter title", "A" * 250, "A" * 250)]
REAL = 0.25


@dataclass
class Metadata:
    label: str
    key: str = ""
    value: Value | None = None
    device: str = ""  # for a path key, or for --meta when there is no key
    real: bool = False


def make(rng: random.Random, base: Base) -> Metadata:
    if rng.random() < 0.15:
        device = rng.choice(DEVICES[:5])
        return Metadata(f"--meta {device}", device=device)
    key = rng.choice(KEYS)
    real = rng.random() < REAL
    if key in PATHS and rng.random() < 0.7:
        device = rng.choice(DEVICES)
        return Metadata(f"metadata {key}: {device}", key, device=device, real=real)
    if key == "chapters":
        value = Value("titles YAML retypes", "[No, 12:30, 010]", "No|12:30|010")
        value = rng.choice([value, Value("a mapping", "{a: 1}", "", "other"),
                            Value("titles of lists", "[[a], {b: c}]", "", "other")])
    else:
        value = rng.choice([values.pick(rng), values.pick(rng), *LONG] if key == "title"
                           else [values.pick(rng)])
    return Metadata(f"metadata {key}: {value.name}", key, value,
                    real=real and len(value.typed) <= REAL_MOST)


def trial(narrate: Runner, base: Base, meta: Metadata, folder: Path) -> Verdict:
    base.copy(folder, folder=False)
    given: tuple[str, ...] = ()
    if meta.key:
        written = _device(meta.device, folder) if meta.device else None
        value = Value("", values.quoted(written), written) if written else meta.value
        lines = (folder / METADATA).read_text(encoding="utf-8").splitlines()
        lines = [line for line in lines if not line.startswith(f"{meta.key}:")]
        (folder / METADATA).write_text("\n".join(lines + value.lines(meta.key, "")) + "\n",
                                       encoding="utf-8")
    else:
        given = ("--meta", _device(meta.device, folder))
    verdict = narrate.verdict(narrate("build", SOURCE, "--dry-run", *given, cwd=folder))
    if verdict.outcome != "ok":
        return verdict
    run = narrate("script", SOURCE, "-o", "-", *given, cwd=folder)
    verdict = narrate.verdict(run)
    if verdict.outcome != "ok" or run.code != 0:
        return verdict
    data, _, wrong = scriptfile.read_back(run.out)
    if wrong:
        return Verdict("loss", f"narrate wrote a script where {wrong}")
    verdict = judge(meta, data, run.warnings())
    if meta.real and verdict.outcome == "ok":
        verdict = narrate.verdict(narrate("build", SOURCE, *given, cwd=folder))
        if verdict.outcome == "ok":
            verdict = narrate.verdict(narrate("check", FOLDER, cwd=folder))
    return verdict


def _device(device: str, folder: Path) -> str:
    if device == "fifo":
        os.mkfifo(folder / "fifo.yaml")
        return str(folder / "fifo.yaml")
    if device == "folder":
        (folder / "a-folder").mkdir()
        return str(folder / "a-folder")
    return device


def judge(meta: Metadata, script: dict, warnings: list[str]) -> Verdict:
    value = meta.value
    if value is None or meta.key not in (*TEXT_KEYS, "chapters"):
        return OK
    if meta.key == "chapters":
        titles = [c.get("title") for c in script.get("chapters") or []]
        if any(not isinstance(t, str) for t in titles) or value.kind == "other" and not any(
                "chapters" in line for line in warnings):
            return Verdict("loss", f"chapters: {value.yaml} made chapter titles {titles}, "
                                   "not refused, and no warning names it")
        typed = value.typed.split("|")
        if value.kind == "text" and titles[:len(typed)] != typed[:len(titles)]:
            return Verdict("loss", f"chapters: {value.yaml} made chapter titles {titles}")
        return OK
    got = (script.get("book") or {}).get(meta.key)
    if value.kind == "other":
        return Verdict("loss", f"{meta.key} ({value.name}) is taken as {got!r}, not refused")
    if not isinstance(got, str):
        return Verdict("loss", f"{meta.key} ({value.name}): the script holds {got!r}, "
                               f"a {type(got).__name__}")
    if value.kind == "text" and speakable(got) != speakable(value.typed):
        return Verdict("loss", f"{meta.key}: meant {value.typed[:60]!r}, the script has "
                               f"{got[:60]!r}")
    return OK
