"""Lexicons: a few ordinary entries (words of the book respelled) beside hostile ones (a
blank key, a key YAML retypes, a key that is a regular expression, a respelling that is a
list or 100 kB long), 100,000 entries, or a file that is not a regular file (a FIFO,
/dev/zero, a folder), given as `--lexicon FILE` or as the metadata's `lexicon:`. The book
is converted with it (`narrate script`) and, for a sample, planned (`build --dry-run`).
A loss: an ordinary entry not applied, a word spoken that neither the book nor a
respelling of a word in its line has, or a word of the book gone that no entry names
(the shipped lexicon's respellings undone)."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import scriptfile, values
from .book import METADATA, SOURCE, Base, words
from .running import OK, Runner, Verdict
from .values import Value

ORDINARY = ["prophets", "vienna", "workers", "mission", "terror", "boy", "steppe", "revival"]
SPECIAL = {"a FIFO": "fifo", "/dev/zero": "/dev/zero", "/dev/urandom": "/dev/urandom",
           "a folder": "folder", "/dev/null": "/dev/null"}


@dataclass
class Entry:
    key: Value
    respelling: Value

    def line(self) -> str:
        return "\n".join(self.respelling.lines(_key(self.key), ""))


def _key(key: Value) -> str:
    return key.yaml if "\n" not in key.yaml else values.quoted(key.typed)


@dataclass
class Lexicon:
    label: str
    entries: list[Entry] = field(default_factory=list)
    filler: int = 0  # ordinary entries of words the book lacks
    special: str = ""  # a path that is not a regular file, instead of the entries
    via_metadata: bool = False
    plan: bool = False  # build --dry-run too

    def text(self) -> str:
        lines = [entry.line() for entry in self.entries]
        lines += [f"filler{n}: fillerspoken{n}" for n in range(self.filler)]
        return "\n".join(lines) + "\n"


_KEYS = [Value(f"key `{k}`", k, k) for k in ("No", "Yes", "010", "12:30", "~", "null")] + [
    Value("a blank key", '""', "", "blank"), Value("a key of spaces", '"   "', "   ", "blank"),
    *[Value(f"key `{k}`", values.quoted(k), k) for k in (".*", "(", "\\b", "a.b", "[", "the|a",
                                                         "o", "-", "'")],
    Value("a 100 kB key", values.quoted("x" * 100_000), "x" * 100_000),
    Value("a key with a NUL", values.quoted("vie\x00nna"), "vie\x00nna"),
    Value("a key with a lone surrogate", values.quoted("vie\ud800nna"), "vie\ud800nna"),
]
_ENGINE = [Value("{say: [a]}", "{say: [a, b]}", "", "other"),
           Value("{espeak: 12}", "{espeak: 12}", "", "other"),
           Value("{hibari: ''}", "{hibari: ''}", "", "other"),
           Value("{say: No}", "{say: No}", "No")]


def make(rng: random.Random, base: Base) -> Lexicon:
    lexicon = Lexicon("", via_metadata=rng.random() < 0.3, plan=rng.random() < 0.3)
    for n, word in enumerate(rng.sample(ORDINARY, rng.randint(1, 3))):
        respelt = f"zork{'aeiou'[n]}n"  # letters only: digits would be read as words
        lexicon.entries.append(Entry(Value(word, word, word), Value("", respelt, respelt)))
    hostile = rng.choice(["key", "respelling", "engine", "huge", "filler", "special"])
    if hostile == "key":
        entry = Entry(rng.choice(_KEYS), Value("", "Nope", "Nope"))
    elif hostile == "respelling":
        entry = Entry(Value("vienna", "vienna", "vienna"), values.pick(rng))
    elif hostile == "engine":
        entry = Entry(Value("vienna", "vienna", "vienna"), rng.choice(_ENGINE))
    elif hostile == "huge":
        entry = Entry(Value("vienna", "vienna", "vienna"), values.huge(rng))
    if hostile in ("key", "respelling", "engine", "huge"):
        lexicon.entries.append(entry)
        hostile = f"{entry.key.name or entry.key.typed}: {entry.respelling.name or 'Nope'}"
    elif hostile == "filler":
        lexicon.filler = rng.choice([1_000, 100_000])
        hostile = f"{lexicon.filler:,} entries"
    else:
        name = rng.choice(list(SPECIAL))
        lexicon.special, hostile = SPECIAL[name], f"the lexicon is {name}"
        lexicon.entries = []
    lexicon.label = f"lexicon ({'metadata' if lexicon.via_metadata else '--lexicon'}): {hostile}"
    return lexicon


def trial(narrate: Runner, base: Base, lexicon: Lexicon, folder: Path) -> Verdict:
    base.copy(folder, folder=False)
    path = _write(lexicon, folder)
    given: tuple[str, ...] = ("--lexicon", str(path))
    if lexicon.via_metadata:
        with (folder / METADATA).open("a", encoding="utf-8") as meta:
            meta.write(f"lexicon: {values.quoted(str(path))}\n")
        given = ()
    if lexicon.plan:
        verdict = narrate.verdict(narrate("build", SOURCE, "--dry-run", *given, cwd=folder))
        if verdict.outcome != "ok":
            return verdict
    run = narrate("script", SOURCE, "-o", "-", *given, cwd=folder)
    verdict = narrate.verdict(run)
    if verdict.outcome != "ok":
        return verdict
    _, heard, wrong = scriptfile.read_back(run.out)
    return Verdict("loss", f"narrate wrote a script where {wrong}") if wrong \
        else judge(base, lexicon, heard)


def _write(lexicon: Lexicon, folder: Path) -> Path:
    path = folder / "words.yaml"
    if lexicon.special == "fifo":
        os.mkfifo(path)
    elif lexicon.special == "folder":
        path.mkdir()
    elif lexicon.special:
        path.symlink_to(lexicon.special)
    else:
        path.write_text(lexicon.text(), encoding="utf-8", errors="surrogatepass")
    return path


@dataclass
class _Line:
    ident: str
    heard: str
    used: list[Entry]  # the entries whose key is in the line
    now: list[str]  # its words as spoken with the lexicon
    then: list[str]  # as the book spoke them
    written: set[str]  # as its text has them


def judge(base: Base, lexicon: Lexicon, heard: dict[str, str]) -> Verdict:
    """The hostile entries' losses first; an earlier respelling undone (the shipped
    lexicon's, by a lexicon that replaces it) last, so that it hides nothing."""
    texts, lines = _texts(base), []
    for ident, before in base.says.items():
        if ident not in texts:
            continue  # credits and titles
        if ident not in heard:
            return Verdict("loss", f"{ident} is not spoken")
        line = " " + " ".join(words(texts[ident] + " " + before)) + " "
        used = [e for e in lexicon.entries if words(e.key.typed)
                and f" {' '.join(words(e.key.typed))} " in line]
        lines.append(_Line(ident, heard[ident], used, words(heard[ident]), words(before),
                           set(words(texts[ident]))))
    for check in (_not_refused, _not_applied, _unexplained, _undone):
        for line in lines:
            if found := check(line):
                return Verdict("loss", f"{line.ident}: {found}: {line.heard[:80]!r}")
    return OK


def _not_refused(line: _Line) -> str:
    return next((f"the entry {e.key.typed!r} has {e.respelling.name}, not refused"
                 for e in line.used if e.respelling.kind == "other"), "")


def _not_applied(line: _Line) -> str:
    return next((f"the entry {e.key.typed}: {e.respelling.typed} is not applied"
                 for e in line.used if e.key.typed in ORDINARY
                 and not set(said(e.respelling.typed)) <= set(line.now)), "")


def said(respelling: str) -> list[str]:
    """The words a respelling is spoken as: its own, but for digits, which narrate reads
    as number words (`010` "zero one zero", YAML's 8 "eight"): those are narrate's reading
    of the characters typed, the one thing the fuzzer takes from narrate itself."""
    if not any(ch.isdigit() for ch in respelling):
        return words(respelling)
    from narrate.convert.speech import to_say

    return words(to_say(respelling))


def _unexplained(line: _Line) -> str:
    respelt = {w for e in line.used for w in words(e.respelling.typed) + said(e.respelling.typed)}
    new = [w for w in line.now if w not in line.then and w not in respelt
           and w not in line.written]
    return f"{new[0]!r} is spoken, which no respelling of a word of the line has" if new else ""


def _undone(line: _Line) -> str:
    named = {w for e in line.used for w in words(e.key.typed)}
    gone = [w for w in line.then if w not in line.now and w not in named]
    return f"{gone[0]!r} is no longer spoken, and no entry names it" if gone else ""


def _texts(base: Base) -> dict[str, str]:
    data = yaml.safe_load(base.script)
    return {s["id"]: s["text"] for c in data["chapters"] for sec in c["sections"]
            for s in sec["segments"]}
