"""What a PDF's pages carry besides the text: running heads and footers, page numbers and
footnotes.

A running head is a line at the top or the foot of a page that recurs, numbers aside,
at the same end of several pages ("Federal Register / Vol. 85, No. 152 / …", "20 FREE
CULTURE", a printer's slug); a page number is a bare number there. Neither is spoken.
A footnote is a run of lines set smaller than the body at the end of a column, starting
at a raised mark: it becomes a note with an id, and the same mark raised in the body
text refers to it.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from narrate.patterns import regex
from narrate.read.pdflayout import Line

_END_ROWS = 2  # rows at each end of a page where running heads are looked for
_HEADS = 20  # the running heads most often printed, whose words a masthead is looked for in
_PAGE_NUMBER = regex(r"^(?:page\s+)?(?:\d{1,5}|[ivxlcdm]{1,8})(?:\s+of\s+\d{1,5})?$|"
                     r"^[-–—]\s*\d{1,5}\s*[-–—]$", re.IGNORECASE)
_NUMBERS = regex(r"\d+|\b[ivxlcdm]{1,8}\b")
SMALLER = 0.88  # a line set below this fraction of the body size is small print


def strip_furniture(pages: list[list[Line]], body: float,
                    margins: list[tuple[float, float]]) -> int:
    """Take running heads, footers and page numbers off every page (each page's
    `margins`: the heights below and above which its head and foot are set); how many
    lines went."""
    ends = [[(end, line) for end, line in _end_lines(lines, body)
             if line.size < 0.95 * body or not low < line.bottom < line.top < high]
            for lines, (low, high) in zip(pages, margins)]
    seen: Counter = Counter()
    for found in ends:
        seen.update({(end, _key(line.text)) for end, line in found})
    repeated = 2 if len(pages) <= 5 else 3
    heads = {key for key, count in seen.items() if count >= repeated and len(pages) > 1}
    common = {key for key, _ in seen.most_common(_HEADS) if key in heads}
    removed = 0
    for lines, found, margin in zip(pages, ends, margins):
        furniture = {id(line) for end, line in found
                     if _PAGE_NUMBER.match(line.text) or (end, _key(line.text)) in heads}
        furniture |= _masthead(lines, common, body, margin)
        if furniture:
            lines[:] = [line for line in lines if id(line) not in furniture]
            removed += len(furniture)
    return removed


def _masthead(lines: list[Line], heads: set[tuple[str, str]], body: float,
              margin: tuple[float, float]) -> set[int]:
    """The lines in a page's margins, set no larger than the body, whose words are a running
    head's, set apart (a first page's masthead: "Federal Register" over "Vol. 85, No. 152"
    where later pages print "Federal Register / Vol. 85, No. 152 / …" in one line)."""
    if not heads:
        return set()
    words = [(end, set(key.split())) for end, key in heads]
    low, high = margin
    found = set()
    for line in lines:
        end = "top" if line.bottom >= high else "foot" if line.top <= low else ""
        mine = set(_key(line.text).split())
        if end and line.size <= body and len(mine) >= 2 and any(
                end == where and mine <= head for where, head in words):
            found.add(id(line))
    return found


def _key(text: str) -> str:
    """A running head's words in any order, numbers as #: "xiv PREFACE" is "PREFACE xv"."""
    return " ".join(sorted(_NUMBERS.sub("#", text.lower()).split()))


def _end_lines(lines: list[Line], body: float) -> list[tuple[str, Line]]:
    """The lines of the top row and the bottom row, each with its end; and of the row
    inside those when it is set smaller than the body or is a page number (a head over a
    rule, a printer's line under the folio)."""
    if not lines:
        return []
    found: list[tuple[str, Line]] = []
    for end, ordered in (("top", sorted(lines, key=lambda l: -l.top)),
                         ("foot", sorted(lines, key=lambda l: l.bottom))):
        rows = 0
        reach: float | None = None
        for line in ordered:
            middle = (line.top + line.bottom) / 2
            if reach is None or (middle < reach if end == "top" else middle > reach):
                rows += 1
                if rows > _END_ROWS:
                    break
                reach = line.bottom if end == "top" else line.top
            if rows == 1 or line.size < 0.95 * body or _PAGE_NUMBER.match(line.text):
                found.append((end, line))
    return found


@dataclass
class Footnote:
    mark: str
    page: int
    lines: list[Line]


def take_footnotes(region: list[Line], body: float, notes: list[Footnote]) -> list[Line]:
    """The region without the footnotes at its end; those are added to `notes`. Small lines
    before the first mark continue the note before (a note runs on into the next column)."""
    start = len(region)
    while start > 0 and region[start - 1].size < SMALLER * body:
        start -= 1
    small = region[start:]
    first = next((i for i, line in enumerate(small) if line.lead), None)
    if first is None:
        return region
    if first and notes:
        notes[-1].lines += small[:first]
        first = 0
    for line in small[first:]:
        if line.lead:
            notes.append(Footnote(line.lead, line.page, [line]))
        else:
            notes[-1].lines.append(line)
    return region[:start] + small[:first]


def note_text(note: Footnote) -> str:
    return " ".join(line.text for line in note.lines)


def note_ids(notes: list[Footnote]) -> dict[tuple[str, int], str]:
    """(mark, page) -> the note's id; numbered notes' ids are unique however they repeat."""
    ids: dict[tuple[str, int], str] = {}
    for note in notes:
        ids.setdefault((note.mark, note.page), f"note-{note.page}-{note.mark}")
    return ids


def resolve_ref(mark: str, page: int, by_mark: dict[str, list[int]]) -> str:
    """A raised mark in the text -> the id of the note it refers to: the note with that mark
    on the same page, else on the nearest page after it, else ""."""
    pages = by_mark.get(mark, [])
    at = bisect.bisect_left(pages, page)
    return f"note-{pages[at]}-{mark}" if at < len(pages) else ""


def pages_by_mark(notes: list[Footnote]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for note in notes:
        found[note.mark].append(note.page)
    return {mark: sorted(pages) for mark, pages in found.items()}
