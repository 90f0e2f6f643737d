"""A PDF's lines, in reading order, as blocks: paragraphs joined from their lines, headings
by their size and weight (or placed from the outline), list items by their bullets.

A paragraph ends where its last line stops short after a full stop, or where the next
line is indented after one; a column's or a page's end does not end it unless a
sentence ended there too. A word broken at a line's end is joined ("impor-" "tant") when
the document writes it whole elsewhere or has no hyphenated spelling of it; a real
hyphen ("non-normal", "Soekarno-Hatta", "regulation-minimizing": two words it writes on
their own) is kept. A caption ("Figure 2: …") is a figure and rows joined by dot
leaders a table, as narrate's policy reads those.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from narrate.patterns import regex
from narrate.read.document import (
    FIGURE,
    FRONT_MATTER,
    HEADING,
    LIST_ITEM,
    NOTE,
    PARAGRAPH,
    TABLE,
    Block,
)
from narrate.read.pdflayout import Line, Table

BIGGER = 1.15  # a line set this much larger than the body is a heading
_ENDS_SENTENCE = regex(r"[.!?][\"”’')\]]*$")
_BULLET = regex(r"^(?:[•◦▪‣●○■□➢►\uf0b7]|[-–*](?=\s))\s*")
_NUMBERED_ITEM = regex(r"^(?:\d{1,2}|[a-z])[.)]\s+\S")  # "1. Liste", "b) item": said with its number
_LINE_HYPHENS = "\ufffe\x02-\u00ad\u2010"  # PDFium marks a hyphen at a line's end \ufffe
_LEADERS = regex(r"\.{6,}|(?:\. ){6,}")  # dot leaders: a table's or a contents' rows
_CAPTION = regex(r"^(?:Figure|Fig\.|Table|Plate|Chart|Exhibit|Illustration)\s+[\dIVXLC]{1,4}"
                 r"(?:\.\d{1,3})?\s*(?:[.:—–-]|$)")
_WORDS = regex(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_TYPESET = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st",
                          "ﬆ": "st", "\ufffe": "-", "\x02": "-", "\u00ad": ""})
_SPACING_ACCENT = {"´": "\u0301", "`": "\u0300", "¨": "\u0308", "ˆ": "\u0302", "˜": "\u0303",
                   "¸": "\u0327", "˚": "\u030a"}
_ACCENTED = regex(r"(?<=[A-Za-z])[´`¨ˆ˜¸˚]|[´`¨ˆ˜¸˚](?=[A-Za-z])")


@dataclass
class Outlined:
    """A heading the outline puts here."""
    title: str
    level: int
    label: str = ""
    page: int = 0


class Vocabulary:
    """The words a document writes whole and those it writes with a hyphen, to mend the
    words its lines break."""

    def __init__(self, lines):
        self.whole: set[str] = set()
        self.hyphened: set[str] = set()
        broken = False  # the line before ended in a broken word: this one starts with its end
        for line in lines:
            words = _WORDS.findall(line.text.lower())
            ends_broken = line.text[-1:] in _LINE_HYPHENS
            for word in words[1 if broken else 0:len(words) - (1 if ends_broken else 0)]:
                (self.hyphened if "-" in word else self.whole).add(word)
            broken = ends_broken

    def join(self, lines: list[str]) -> str:
        """Lines' text as one paragraph's (linear: each joint looks at two lines only)."""
        pieces: list[str] = []
        for line in lines:
            if pieces:
                pieces[-1], space = self._joint(pieces[-1], line)
                pieces.append(space)
            pieces.append(line)
        return "".join(pieces)

    def _joint(self, before: str, after: str) -> tuple[str, str]:
        """The line before as it ends when `after` follows it, and what goes between."""
        if before[-1] in "—–/" or (before[-1] in _LINE_HYPHENS and not after[:1].isalpha()):
            return before, ""
        if before[-1] not in _LINE_HYPHENS or not before[-2:-1].isalpha():
            return before, " "
        head = re.search(r"[^\W\d_]+$", before[:-1])
        tail = re.match(r"[^\W\d_]+", after)
        if not head or not tail:
            return before[:-1] + "-", ""
        first, second = head.group().lower(), tail.group().lower()
        return before[:-1] + ("-" if self._hyphened(first, second, after[0]) else ""), ""

    def _hyphened(self, first: str, second: str, initial: str) -> bool:
        """Whether a word broken at a line's end is written with its hyphen: its second
        part starts with a capital (Soekarno-Hatta); else the document never writes it
        whole and writes it with a hyphen elsewhere, or both parts are words of four
        letters or more that it writes on their own (regulation-minimizing)."""
        if initial.isupper():
            return True
        if first + second in self.whole:
            return False
        return f"{first}-{second}" in self.hyphened or (
            min(len(first), len(second)) >= 4 and {first, second} <= self.whole)


def clean(text: str) -> str:
    """Ligatures as letters, accents set apart as one letter, Federal Register quotes."""
    text = text.translate(_TYPESET).replace("‘‘", "“").replace("’’", "”")
    if _ACCENTED.search(text):
        text = _ACCENTED.sub(lambda m: _SPACING_ACCENT[m.group()], text)
    return unicodedata.normalize("NFC", text)


class Paragraphs:
    """Lines in reading order -> blocks."""

    def __init__(self, body: float, vocabulary: Vocabulary):
        self.body, self.vocabulary = body, vocabulary
        self.blocks: list[Block] = []
        self.lines: list[Line] = []
        self.kind = PARAGRAPH
        self.edge = (0.0, 0.0)  # the left and right of the region being read
        self.sizes: dict[int, float] = {}  # id of a heading found by its type -> its size
        self.body_bold = False
        self.parked: tuple[list[Line], tuple[float, float]] | None = None

    def heading(self, outlined: Outlined) -> None:
        self.close()
        label, title = outlined.label, outlined.title
        self.blocks.append(Block(HEADING, title, part=f"page {outlined.page}",
                                 level=outlined.level, label=label, outlined=True))

    def table(self, table: Table) -> None:
        """A table the layout found: a row a line, its cells joined by " | "."""
        self.close()
        text = "\n".join(" | ".join(" ".join(clean(cell).split()) for cell in row)
                         for row in table.rows)
        self.blocks.append(Block(TABLE, text, part=f"page {table.page}"))

    def region(self, lines: list[Line]) -> None:
        left = min(line.x0 for line in lines)
        right = max(line.x1 for line in lines)
        self._resume(lines[0], left)
        last = self.lines[-1] if self.lines else None
        for i, line in enumerate(lines):
            kind = self._kind(line)
            if kind == PARAGRAPH and self.kind == LIST_ITEM and last is not None and (
                    line.x0 >= self.lines[0].x0 - 0.6 * self.body or last.x1 >= right - 2 * self.body):
                kind = LIST_ITEM  # a list item's next line: under its words, or after a full line
            if last is None or kind != self.kind or self._ends(last, line, left, right, i == 0):
                self._park_or_close(line, i == 0)
                self.kind = kind
            self.lines.append(line)
            last = line
        self.edge = (left, right)

    def _park_or_close(self, line: Line, first: bool) -> None:
        """A sentence left open at a column's end, when a heading, a caption or a page's
        masthead comes between it and the rest: set aside until the text resumes."""
        last = self.lines[-1] if self.lines else None
        if (first and last is not None and self.kind == PARAGRAPH and self.parked is None
                and abs(last.size - self.body) <= 0.08 * self.body
                and abs(line.size - last.size) > 0.08 * last.size
                and not _ENDS_SENTENCE.search(last.text)):
            self.parked, self.lines = (self.lines, self.edge), []
            return
        self.close()

    def _resume(self, first: Line, left: float) -> None:
        """The text set aside goes on here, or ends before another paragraph of its size."""
        if self.parked is None or abs(first.size - self.parked[0][-1].size) > 0.08 * first.size:
            return
        lines, edge = self.parked
        self.parked = None
        self.close()
        self.lines, self.edge, self.kind = lines, edge, PARAGRAPH
        if first.x0 > left + 0.6 * self.body or _BULLET.match(first.text) or first.bold:
            self.close()

    def _kind(self, line: Line) -> str:
        if self._set_as_heading(line):
            return HEADING
        return LIST_ITEM if _BULLET.match(line.text) or _NUMBERED_ITEM.match(line.text) \
            else PARAGRAPH

    def _set_as_heading(self, line: Line) -> bool:
        """A short line, no sentence, set larger than the body (or bold in a body that is not)."""
        words = len(line.text.split())
        return words <= 16 and not _ENDS_SENTENCE.search(line.text) and (
            line.size >= BIGGER * self.body or line.bold and not self.body_bold)

    def _ends(self, last: Line, line: Line, left: float, right: float, first: bool) -> bool:
        """Whether `line` starts a new block after `last`."""
        size = self.body
        if abs(line.size - last.size) > 0.08 * max(line.size, last.size) or line.bold != last.bold:
            return True
        if self.kind == HEADING:
            return first or last.bottom - line.top > 0.8 * line.size
        if _BULLET.match(line.text) or _NUMBERED_ITEM.match(line.text):
            return True
        ended = bool(_ENDS_SENTENCE.search(last.text))
        indented = line.x0 > left + 0.6 * size
        if first:  # a new column or page: a sentence running on continues
            last_right = self.edge[1]
            return ended and (indented or last.x1 < last_right - 2 * size)
        return ended and (indented or last.x1 < right - 2 * size)

    def end_page(self) -> None:
        """Text set aside on a page and not resumed there is a paragraph of its own."""
        if self.parked is not None:
            lines, kind = self.lines, self.kind
            self.lines, self.kind, self.parked = self.parked[0], PARAGRAPH, None
            self.close()
            self.lines, self.kind = lines, kind

    def finish(self) -> None:
        self.close()
        if self.parked is not None:
            self.lines, self.kind, self.parked = self.parked[0], PARAGRAPH, None
            self.close()

    def close(self) -> None:
        if not self.lines:
            return
        text = self.vocabulary.join([line.text for line in self.lines])
        first = self.lines[0]
        if self.kind == LIST_ITEM:
            text = _BULLET.sub("", text, count=1)
        text = " ".join(clean(text).split())
        kind = self.kind
        if kind == PARAGRAPH and len(_LEADERS.findall(text)) >= 2:
            kind = TABLE
        elif kind in (PARAGRAPH, HEADING) and _CAPTION.match(text):
            kind = FIGURE  # a figure's or a table's caption: not read, as pictures are not
        if text:
            marks = tuple(mark for line in self.lines for mark in line.marks)
            self.blocks.append(Block(kind, text, part=f"page {first.page}", refs=marks))
            if self.kind == HEADING:
                self.sizes[id(self.blocks[-1])] = max(first.size, self.body)
        self.lines = []


def settle_levels(blocks: list[Block], sizes: dict[int, float], body: float,
                  outlined: bool) -> int | None:
    """Heading levels from 1 (chapters) down, and the document's chapter level.

    With an outline, its headings are the chapters and sections, and headings found by
    their type are sections below them. Without one, headings are ranked by their size
    (bold at the body's size last); the largest size used for more than one heading makes
    the chapters, a single larger heading that opens the document is its title, and a
    document with no repeated larger heading is one chapter with sections."""
    found = [b for b in blocks if id(b) in sizes]
    if outlined:
        for block in found:
            block.level = 3
        return 1
    size_of = {id(b): round(sizes[id(b)] * 2) for b in found}  # to the half point
    ranked = sorted(set(size_of.values()), reverse=True)
    rank = {size: i + 1 for i, size in enumerate(ranked)}
    counts = Counter(size_of.values())
    chapter = next((rank[size] for size in ranked
                    if counts[size] > 1 and size > round(body * 2)), None)
    if found and counts[ranked[0]] == 1 and found[0] is next(b for b in blocks if b.kind != NOTE):
        found[0].kind = FRONT_MATTER  # the document's title
    for block in found:
        level = rank[size_of[id(block)]]
        block.level = max(1, level - chapter + 1) if chapter else level + 1
    return 1 if chapter else None
