"""Project Gutenberg's wrapping of a plain text: the header and its fields (title, author,
language, release year), the licence at the end, the spans between that hold a book (a
file may hold two books, or one twice), and the "Produced by" lines after a header."""

from __future__ import annotations

import math
import re

from narrate.patterns import regex
from narrate.read import languages, sections
from narrate.read.document import FRONT_MATTER, HEADING, PROSE, Block

_GUTENBERG_START = regex(r"^\*{3}\s*START OF (?:THE |THIS )?PROJECT GUTENBERG"
                         r"|^\*END\*THE SMALL PRINT", re.IGNORECASE)
_GUTENBERG_END = regex(r"^\*{3}\s*END OF (?:THE |THIS )?PROJECT GUTENBERG"
                       r"|^End of (?:the )?Project Gutenberg|^End of Project Gutenberg's",
                       re.IGNORECASE)
_GUTENBERG_FIELD = regex(r"^(Title|Author|Language|Release Date|Translator|Editor)\s*:\s*(.*)$")
_PRODUCED_BY = regex(r"^(?:E-?text )?(?:produced|prepared|transcribed) by\b", re.IGNORECASE)


def gutenberg_header(lines: list[str]) -> tuple[dict, int, int | None]:
    """The Gutenberg header's fields, its last line, and the first line of the footer."""
    start = next((i + 1 for i, l in enumerate(lines) if _GUTENBERG_START.match(l.strip())), 0)
    end = next((i + 1 for i, l in enumerate(lines)
                if i + 1 > start and _GUTENBERG_END.match(l.strip())), None)
    if not start:  # no Gutenberg header: `Title:` and `Author:` lines opening the text
        start = _field_lines(lines)
        if not start:
            return {}, 0, end
    metadata: dict = {}
    found: dict[str, list[str]] = {}  # a field's lines, joined once (not once a line)
    name = None
    for line in lines[:start]:
        match = _GUTENBERG_FIELD.match(line)
        if match:
            name = match.group(1).lower()
            found[name] = [match.group(2)]
        elif name and line.startswith((" ", "\t")) and line.strip():
            found[name].append(line.strip())
        else:
            name = None
    fields = {name: "\n".join(parts) for name, parts in found.items()}
    title, subtitle = sections.gutenberg_title(fields.get("title", ""))
    metadata.update({k: v for k, v in (("title", title), ("subtitle", subtitle)) if v})
    if fields.get("author"):
        metadata["author"] = " ".join(fields["author"].split())
    if languages.language_code(fields.get("language", "")):
        metadata["language"] = languages.language_code(fields["language"])
    year = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", fields.get("release date", ""))
    if year:
        metadata["release_year"] = year.group(1)
    return metadata, start, end


def book_spans(lines: list[str], header_end: int, footer_start: int | None
            ) -> list[tuple[int, float]]:
    """The spans of lines (each between its two numbers) that hold a book: after the header
    up to the footer, and after each START line past a footer up to the END after it — a
    file holding two Gutenberg books, or one book twice, reads both (the second copy was
    left out as the first's licence)."""
    bodies: list[tuple[int, float]] = [(header_end, footer_start or math.inf)]
    at = footer_start
    while at is not None:
        start = next((n + 1 for n in range(at, len(lines))
                      if _GUTENBERG_START.match(lines[n].strip())), None)
        if start is None:
            break
        at = next((n + 1 for n in range(start, len(lines))
                   if _GUTENBERG_END.match(lines[n].strip())), None)
        bodies.append((start, at or math.inf))
    return bodies


def _field_lines(lines: list[str]) -> int:
    """The last line of a text's opening block when every line of it is a field (`Title:
    A Christmas Carol`, `Author: Charles Dickens`) and it names the title or the author;
    0 when the text does not open so."""
    first = next((n for n, line in enumerate(lines[:50]) if line.strip()), None)
    if first is None:
        return 0
    end = next((n for n in range(first, min(len(lines), first + 20)) if not lines[n].strip()),
               None)
    block = lines[first:end]
    names = [m.group(1).lower() for m in map(_GUTENBERG_FIELD.match, block) if m]
    if end is None or len(names) != len(block) or not {"title", "author"} & set(names):
        return 0
    return end


def mark_front(blocks: list[Block], starts: list[int]) -> None:
    """"Produced by …" after a header, and transcriber's notes, are front matter: up to
    the first heading after each start of a book."""
    starts = starts[::-1]
    armed = False
    for block in blocks:
        while starts and (block.line or 0) > starts[-1]:
            starts.pop()
            armed = True
        if armed and block.kind in PROSE and (_PRODUCED_BY.match(block.text) or re.match(
                r"^transcriber'?s? notes?\b", block.text, re.IGNORECASE)):
            block.kind = FRONT_MATTER
        armed = armed and block.kind != HEADING
