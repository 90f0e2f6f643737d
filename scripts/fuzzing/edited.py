"""Hand-edited scripts: the built book's script.yaml edited as a person might (a hostile
`say:`, a wrong type in another field, a new `text:`, the file cut short, bytes spliced
in, thousands of sections, chapters swapped), then built again, from the script or from
the source (which carries the edits), with --dry-run; a sample is built for real and
checked. What each line was meant to say is compared with what narrate would speak (the
manifest's spoken text after a build, the script as narrate reads it after a dry run):
a line that differs, or vanished without a word, is a loss."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from . import scriptfile, values
from .book import FOLDER, SCRIPT, SOURCE, Base, speakable, spoken, words
from .running import OK, Runner, Verdict, worst
from .values import Value

REAL = 0.3  # the share of inputs built for real and checked
REAL_MOST = 5_000  # characters of new speech: more takes longer than a limit to speak


@dataclass
class Edit:
    label: str
    data: bytes  # the script as edited
    target: str  # what is built: the script, or the source (the edits carried)
    real: bool
    meant: dict[str, Value] = field(default_factory=dict)  # id -> what that line should say
    new_text: dict[str, str] = field(default_factory=dict)  # id -> its edited `text:`
    cut: bool = False  # lines may go, if narrate says so
    added: dict[str, str] = field(default_factory=dict)  # new lines' id -> say
    renamed: str = ""  # a line whose id was edited: spoken under another


def make(rng: random.Random, base: Base) -> Edit:
    script, ids = base.script, scriptfile.line_ids(base.script)
    target = rng.choice([str(SCRIPT), SOURCE])
    edit = Edit("", b"", target, rng.random() < REAL)
    kind = rng.choice(["say", "say", "say", "field", "text", "shape"])
    if kind == "say":
        spoken_ids = ids["body"] + ids["credits"] + ids["announce"]
        for ident in rng.sample(spoken_ids, rng.choice([1, 1, 2])):
            edit.meant[ident] = value = values.pick(rng)
            script = scriptfile.set_field(script, ident, "say", value)
        edit.label = "; ".join(f"say of {i}: {v.name}" for i, v in edit.meant.items())
    elif kind == "text":
        ident = rng.choice(ids["body"])
        edit.new_text[ident] = text = "Then the old man walked slowly down to the river."
        script = scriptfile.set_field(script, ident, "text", scriptfile.text_value(text))
        edit.label = f"text of {ident} edited, its say left"
        edit.real = True  # the script keeps the old say: the build says what is spoken
    elif kind == "field":
        script = _field(rng, script, ids, edit)
    else:
        return _small_enough(_shape(rng, script, edit))
    edit.data = script.encode()
    return _small_enough(edit)


def _small_enough(edit: Edit) -> Edit:
    """Only an input with little new speech is built for real: speaking 100 kB is work
    past any time limit, not a hang (what the dry run reads is still compared)."""
    new = sum(len(v.typed) for v in edit.meant.values()) + sum(map(len, edit.added.values()))
    edit.real = edit.real and new <= REAL_MOST
    return edit


_FIELDS = {  # key -> which ids hold it
    "role": "body", "citation": "body", "id": "body", "label": "chapters", "announce": "chapters",
    "title": "chapters", "kind": "sections",
}
_ROLES = [Value(f"role `{r}`", r, r) for r in ("narator", "Quote", "No", "[quote]", "''", "note")]
_OTHERS = [Value("hello", "hello", "hello"), Value("a list holding a mapping", "[{a: 1}]", ""),
           Value("a mapping", "{say: No}", "")]


def _field(rng: random.Random, script: str, ids: dict, edit: Edit) -> str:
    key = rng.choice(list(_FIELDS))
    ident = rng.choice(ids[_FIELDS[key]])
    value = rng.choice(_ROLES if key == "role" else _OTHERS + values.RETYPED[:6]
                       + values.COLLECTIONS + [values.pick(rng)])
    edit.label, edit.renamed = f"{key} of {ident}: {value.name}", ident if key == "id" else ""
    return scriptfile.set_field(script, ident, key, value)


def _shape(rng: random.Random, script: str, edit: Edit) -> Edit:
    shape = rng.choice(["cut", "nul", "surrogate", "bom crlf", "tab", "version", "sections",
                        "swap", "twice"])
    data = script.encode()
    if shape == "cut":
        lines = script.split("\n")
        edit.cut, at = True, rng.randrange(len(lines) // 3, len(lines))
        data, shape = "\n".join(lines[:at]).encode(), f"cut after line {at} of {len(lines)}"
    elif shape in ("nul", "surrogate"):
        at = rng.randrange(len(data))
        data = data[:at] + (b"\x00" if shape == "nul" else b"\xed\xa0\x80") + data[at:]
        shape = f"a raw {'NUL byte' if shape == 'nul' else 'UTF-8 surrogate'} at byte {at}"
    elif shape == "bom crlf":
        data = b"\xef\xbb\xbf" + script.replace("\n", "\r\n").encode()
    elif shape == "tab":
        lines = script.split("\n")
        at = rng.randrange(len(lines))
        lines[at] = lines[at].replace("  ", "\t", 1)
        data, shape = "\n".join(lines).encode(), f"a tab indenting line {at + 1}"
    elif shape == "version":
        data = script.replace("narrate_script: 1", rng.choice(["narrate_script: 2", "",
                                                               "narrate_script: No"])).encode()
    elif shape == "sections":
        count = rng.choice([200, 2_000, 20_000])
        text, edit.added = scriptfile.many_sections(script, count)
        data, shape = text.encode(), f"{count:,} one-line sections added"
    elif shape in ("swap", "twice"):
        head, chapters = scriptfile.chapter_blocks(script)
        chapters = chapters[::-1] if shape == "swap" else chapters + chapters[-1:]
        data = (head + "".join(c if c.endswith("\n") else c + "\n" for c in chapters)).encode()
        shape = "chapters swapped" if shape == "swap" else "the last chapter twice"
    edit.label, edit.data = f"script: {shape}", data
    return edit


def trial(narrate: Runner, base: Base, edit: Edit, folder: Path) -> Verdict:
    base.copy(folder)
    (folder / SCRIPT).write_bytes(edit.data)
    run = narrate("build", edit.target, "--dry-run", cwd=folder)
    verdict = narrate.verdict(run)
    if verdict.outcome != "ok":
        return verdict
    warned = [run]
    if edit.real:
        run = narrate("build", edit.target, cwd=folder)
        verdict = narrate.verdict(run)
        if verdict.outcome != "ok" or run.code != 0:  # exit 1 names the lines that failed
            return verdict
        warned.append(run)
        heard, verdict = spoken(folder / FOLDER), _files_in_order(folder / FOLDER)
        checked = narrate("check", FOLDER, cwd=folder)
        verdict = worst(verdict, narrate.verdict(checked), _cut_short(folder / FOLDER, edit))
    else:
        heard, verdict = _read(narrate, edit, folder, warned)
        if verdict.outcome != "ok":
            return verdict
    said = "\n".join(run.err for run in warned)
    return worst(verdict, judge(base, edit, heard, said))


def _read(narrate: Runner, edit: Edit, folder: Path, warned: list) -> tuple[dict, Verdict]:
    """What the dry run would speak: the script as narrate reads it, written out by
    narrate (or, from the source, the script it writes with the edits carried). A script
    narrate kept as the user wrote it ("unchanged:": it says what narrate would write) is
    theirs, not narrate's writing: what narrate reads of it is what counts."""
    if edit.target == SOURCE:
        run = narrate("script", SOURCE, cwd=folder)
        written = (folder / SCRIPT).read_text(encoding="utf-8", errors="replace")
        if run.code == 0 and "unchanged:" in run.out:
            warned.append(run)
            run = narrate("script", SCRIPT, "-o", "-", cwd=folder)
            written = run.out
    else:
        run = narrate("script", SCRIPT, "-o", "-", cwd=folder)
        written = run.out
    warned.append(run)
    verdict = narrate.verdict(run)
    if verdict.outcome != "ok" or run.code != 0:
        return {}, verdict
    _, heard, wrong = scriptfile.read_back(written)
    return heard, Verdict("loss", f"narrate wrote a script where {wrong}") if wrong else verdict


def judge(base: Base, edit: Edit, heard: dict[str, str], said: str) -> Verdict:
    """A loss: a line whose spoken words are not the ones meant, or a line that vanished
    without a warning naming it (a script cut short: without any new warning). A line
    whose text alone was edited is meant to say the new text."""
    new_warning = bool({line for line in said.splitlines() if line.strip()} - base.warnings)
    meant = {i: v.typed for i, v in edit.meant.items()}
    body = {i: s for i, s in base.says.items()  # credits may follow titles
            if i.count(".") == 2 and i != edit.renamed and i not in edit.new_text}
    expected = {**body, **edit.added, **meant}
    for ident, say in expected.items():
        value = edit.meant.get(ident)
        if not (heard.get(ident) or "").strip():  # not spoken: an empty say is skipped
            if not speakable(say) or (value and value.kind == "blank") or ident in said \
                    or (edit.cut and new_warning):
                continue
            if ident in edit.meant or ident in edit.added or not edit.cut:
                return Verdict("loss", f"{ident} ({_what(value)}) is not spoken, and no "
                                       "warning names it")
            return Verdict("loss", f"the script was cut short: {ident} and the lines after it "
                                   "are not spoken, and nothing says so")
        if value and value.kind == "other":
            return Verdict("loss", f"{ident} ({value.name}) is spoken as {heard[ident][:80]!r}, "
                                   "not refused")
        if speakable(heard[ident]) != speakable(say):
            return Verdict("loss", f"{ident} ({_what(value)}): meant {say[:60]!r}, spoken "
                                   f"{heard[ident][:60]!r}")
    for ident, text in edit.new_text.items():
        if ident in heard and words(heard[ident]) != words(text):
            return Verdict("loss", f"{ident}: its text was edited to {text!r}; still spoken "
                                   f"{heard[ident][:60]!r}")
    return OK


def _what(value: Value | None) -> str:
    return value.name if value else "not edited"


def _files_in_order(folder: Path) -> Verdict:
    """Players sort a book's files by name: they must sort in the order the book plays,
    and hold no chapter the book no longer has."""
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if "mp3" not in data.get("formats", ["mp3"]):
        return OK
    plays = [c["stem"] + ".mp3" for c in data["chapters"]]
    if sorted(plays) != plays:
        return Verdict("loss", f"the chapter files sort as {sorted(plays)}; the book plays "
                               f"{plays}")
    if left := sorted({p.name for p in folder.glob("*.mp3")} - set(plays)):
        return Verdict("loss", f"files of no chapter left in the folder: {left}")
    return OK


def _cut_short(book: Path, edit: Edit) -> Verdict:
    """`check` measures each edited line's audio against its words: a line cut short
    (a NUL ends the engine's text) is a loss the manifest cannot show."""
    report = book / "check" / "check.json"
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"] \
        if report.is_file() else []
    for found in findings:
        if any(found["where"].endswith(f"segment {i}") for i in edit.meant) and (
                "lasts" in found["what"] or "silent" in found["what"]):
            return Verdict("loss", f"check: {found['where']}: {found['what']}")
    return OK
