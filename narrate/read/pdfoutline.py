"""A PDF's outline (bookmarks) as its chapters and sections, and where on its pages
their headings go: before the line that prints the title (that line, and a number such
as "CHAPTER ONE" printed above it, not read twice), else at the top of the page.

A top entry is a chapter; in an outline with parts (top entries whose entries have
entries of their own) a part and its chapters are chapters and their entries sections.
"Chapter 1: Creators" and "2: …" are numbered chapters; a title typed in capitals is
written in title case.
"""

from __future__ import annotations

import re

from narrate.read import sections
from narrate.read.pdfblocks import Outlined, Paragraphs, clean
from narrate.read.pdflayout import Line

MAX_OUTLINE = 5000  # outline entries read; depth is capped at 8
MAX_PRINTED = 50  # entries on one page looked for among its lines (the rest: at its top)


_NUMBERED = re.compile(r"^(?:(chapter|part|lecture|book|section)\s+)?(\d{1,3}|[IVXLC]{1,6})"
                       r"\s*[:.]\s+(\S.*)$", re.IGNORECASE)


def outline_headings(document, count: int) -> list[Outlined]:
    entries = []
    for item in document.get_toc(max_depth=8):
        dest = item.get_dest()
        index = dest.get_index() if dest is not None else None
        title = _as_written(item.get_title() or "")
        if index is not None and 0 <= index < count and title:
            entries.append((item.level, title, index + 1))
        if len(entries) >= MAX_OUTLINE:
            break
    outlined, unit, part = [], "", False
    parts = any(depth >= 2 for depth, _, _ in entries)  # parts hold chapters, which hold sections
    for i, (depth, title, page) in enumerate(entries):
        part = parts and _has_entries(entries, i) if depth == 0 else part
        level = 1 if depth == 0 else min(3, depth + (0 if part else 1))
        numbered = _NUMBERED.match(title)
        if numbered:
            unit = (numbered.group(1) or unit or "Chapter").capitalize()
            label, title = f"{unit} {numbered.group(2)}", numbered.group(3)
        else:
            label, title = sections.split_label(title)
        outlined.append(Outlined(title, level, label, page))
    return outlined


def _as_written(title: str) -> str:
    """An outline's title as a book prints it: curly quotes, and words in capitals (a
    bookmark typed as "PREFACE") in title case."""
    title = re.sub(r'"([^"]*)"', "“\\1”", " ".join(clean(title).split()))
    if title.isupper():
        title = re.sub(r"[A-Z][A-Z'’]*", lambda m: m.group()[0] + m.group()[1:].lower(), title)
    return title


def _has_entries(entries: list[tuple[int, str, int]], start: int) -> bool:
    """Whether a top entry has entries under it (in an outline with parts: a part)."""
    return start + 1 < len(entries) and entries[start + 1][0] > 0


def printed_titles(entries: list[Outlined], lines: list[Line], reader: Paragraphs
                    ) -> dict[int, Outlined | None]:
    """id of the line that prints each entry's title -> the entry, and of a number printed
    above it ("CHAPTER ONE") -> None: neither is read, the entry's heading says them. An
    entry whose title the page does not print is placed at the page's top at once."""
    printed: dict[int, Outlined | None] = {}
    ordered = sorted(lines, key=lambda line: -line.top)
    for entry in entries[MAX_PRINTED:]:  # an outline naming one page a thousand times
        reader.heading(entry)
    for entry in entries[:MAX_PRINTED]:
        title = letters(entry.title)
        at = next((i for i, line in enumerate(ordered) if id(line) not in printed and title
                   and letters(line.text).endswith(title)
                   and len(letters(line.text)) <= len(title) + 24), None)
        if at is None:
            reader.heading(entry)
            continue
        printed[id(ordered[at])] = entry
        if at and sections.is_label_only(ordered[at - 1].text):
            printed[id(ordered[at - 1])] = None
    return printed


def place_headings(printed: dict[int, Outlined | None], region: list[Line],
                    reader: Paragraphs) -> list[Line]:
    """Each outline entry's heading where its title is printed (the printed lines are not
    read twice): the region's lines that are left after the last of them."""
    kept: list[Line] = []
    for line in region:
        if id(line) not in printed:
            kept.append(line)
            continue
        if kept:
            reader.region(kept)
            kept = []
        entry = printed[id(line)]
        if entry is not None:
            reader.heading(entry)
    return kept


def letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())
