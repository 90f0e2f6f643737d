"""Editing the text of a script narrate wrote, the way a person does: one field of one
entry replaced, lines cut, bytes spliced. Entries are found by their `id:` line."""

from __future__ import annotations

import re

import yaml

from .values import Value, quoted


def line_ids(script: str) -> dict[str, list[str]]:
    """The ids of the script's spoken lines: {"body": segments, "credits": …,
    "announce": chapter titles}, and its "chapters" and "sections"."""
    data = yaml.safe_load(script)
    chapters = data["chapters"]
    return {"body": [s["id"] for c in chapters for sec in c["sections"] for s in sec["segments"]],
            "credits": [s["id"] for s in data.get("credits") or []],
            "announce": [c["announce"]["id"] for c in chapters if c.get("announce")],
            "chapters": [c["id"] for c in chapters],
            "sections": [sec["id"] for c in chapters for sec in c["sections"]]}


def set_field(script: str, ident: str, key: str, value: Value) -> str:
    """`script` with the entry `ident`'s `key` (its continuation lines too) replaced by
    `value`, or added at the end of the entry's own keys when it has none."""
    lines = script.split("\n")
    start = _entry(lines, ident)
    indent = _indent(lines[start]) + (2 if lines[start].lstrip().startswith("- ") else 0)
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) >= indent):
        end += 1
    at = next((i for i in range(start + 1, end) if _indent(lines[i]) == indent
               and lines[i].lstrip().startswith(f"{key}:")), None)
    if at is None:  # no such key: add it after the entry's first line
        return "\n".join(lines[:start + 1] + value.lines(key, " " * indent) + lines[start + 1:])
    stop = at + 1
    while stop < len(lines) and lines[stop].strip() and _indent(lines[stop]) > indent:
        stop += 1
    return "\n".join(lines[:at] + value.lines(key, " " * indent) + lines[stop:])


def _entry(lines: list[str], ident: str) -> int:
    pattern = re.compile(rf"^\s*(- )?id: '?{re.escape(ident)}'?$")
    return next(i for i, line in enumerate(lines) if pattern.match(line))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def chapter_blocks(script: str) -> tuple[str, list[str]]:
    """(everything before the first chapter, each chapter's lines as one text)."""
    head, _, body = script.partition("\nchapters:\n")
    blocks = re.split(r"(?m)^(?=- id: )", body)
    return head + "\nchapters:\n" + blocks[0], [b for b in blocks[1:] if b]


def many_sections(script: str, count: int) -> tuple[str, dict[str, str]]:
    """`count` one-line sections added to the last chapter: (script, their id -> say)."""
    chapter = line_ids(script)["chapters"][-1]
    says, added = {}, []
    for n in range(count):
        section, say = f"{chapter}.{9000 + n}", f"Line number {n} of the added ones."
        says[f"{section}.1"] = say
        added += [f"  - id: '{section}'", "    segments:", f"    - id: {section}.1",
                  "      role: narrator", f"      text: {say}", f"      say: {say}"]
    return script.rstrip("\n") + "\n" + "\n".join(added) + "\n", says


def read_back(text: str) -> tuple[dict, dict[str, str], str]:
    """A script narrate wrote, read back: (its data as any YAML reader types it, each
    line's say as typed, what is wrong with it). Narrate reads a say as the characters
    written; a say that YAML types otherwise (a plain `No`), or a file it cannot read,
    is what is wrong: narrate must quote what YAML would retype."""
    typed = says_in(yaml.load(text, Loader=yaml.BaseLoader))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return {}, typed, f"YAML cannot read it ({str(exc).splitlines()[0]})"
    says = says_in(data)
    retyped = next((i for i in typed if says.get(i) != typed[i]), None)
    wrong = f"the say of {retyped} reads as {says.get(retyped)!r} in YAML, not " \
        f"{typed[retyped][:40]!r}" if retyped else ""
    return data, typed, wrong


def says_in(data) -> dict[str, str]:
    """id -> say of every line in a script's data as read back by PyYAML."""
    lines = list(data.get("credits") or [])
    for chapter in data.get("chapters") or []:
        lines += [chapter["announce"]] if chapter.get("announce") else []
        lines += [s for sec in chapter.get("sections") or [] for s in sec.get("segments") or []]
    return {str(s["id"]): _text(s.get("say")) for s in lines}


def _text(say) -> str:
    """A say as text; one of another type shown as that type (None is an empty say)."""
    if say is None or isinstance(say, str):
        return say or ""
    return f"<{type(say).__name__} {say!r}>"


def text_value(text: str) -> Value:
    return Value("new words", quoted(text), text)
