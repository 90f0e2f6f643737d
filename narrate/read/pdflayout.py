"""A PDF page's characters as lines, in reading order (pypdfium2: PDFium in the wheel).

PDFium gives each character with its box; narrate makes the lines itself, so that it
can tell what a reader of the page sees: a space where words are set apart without a
space character ("inception of"), a small raised number that marks a note (left out of
the text, kept as a reference), the size and weight a heading is set in, and where the
columns are. Characters outside the page's trim box (printers' marks, line numbers in
the bleed) are not on the page a reader holds and are dropped.

Columns are found by cutting the page at its empty gaps (an XY cut): the widest gap
that runs down the whole region splits it into columns, read left to right; else the
widest gap across it splits it into bands, read top to bottom.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2.raw as pdfium_c

MAX_CHARS_PER_PAGE = 200_000  # more than ten pages of small print: a bomb, not a page
MAX_CUT_DEPTH = 12  # nested column and band cuts on one page
_SPACE_GAP = 0.08  # a gap wider than this (in line heights) between letters is a space
_COLUMN_GAP = 1.6  # ... wider than this inside a line: the next column
_NOTE_MARKS = "*†‡§¶"
_UNMAPPED = frozenset(map(chr, [*range(0xE000, 0xF900), 0xFFFD]))  # glyphs with no letter


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    bottom: float
    top: float
    size: float  # the body characters' height: the size the line is set in
    page: int
    bold: bool = False
    marks: list[str] = field(default_factory=list)  # raised note marks taken out
    lead: str = ""  # a raised mark the line starts with: a footnote's own number

    @property
    def width(self) -> float:
        return self.x1 - self.x0


# A character: (letter, left, right, bottom, top, height, index in the text page, whether
# a space came before it). Tuples, not objects: a book has a million of them.
_Char = tuple[str, float, float, float, float, float, int, bool]


def page_lines(textpage, page_number: int, trim: tuple[float, float, float, float]
               ) -> list[Line]:
    """The lines of one page, in the order PDFium read them (not yet in reading order)."""
    count = pdfium_c.FPDFText_CountChars(textpage.raw)
    text = textpage.get_text_range() if count > 0 else ""
    if len(text) != count:  # a character past U+FFFF takes two UTF-16 units: ask one by one
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i) or 32)
                       for i in range(count))
    rect = pdfium_c.FS_RECTF()
    pointer, handle = ctypes.byref(rect), textpage.raw
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    left, bottom, right, top = trim
    lines: list[Line] = []
    run: list[_Char] = []
    space = broken = False
    last_x1 = last_bottom = last_top = last_height = 0.0
    for i, ch in enumerate(text[:MAX_CHARS_PER_PAGE]):
        if ch in "\r\n":  # PDFium's line break: kept only if the next letter is not beside
            broken = True  # this one (a note's raised number set apart from its words)
            continue
        if ch.isspace() or ch == "\x00":
            space = True
            continue
        loose_box(handle, i, pointer)
        x0, x1, y0, y1 = rect.left, rect.right, rect.bottom, rect.top
        if not (left <= (x0 + x1) / 2 <= right and bottom <= (y0 + y1) / 2 <= top):
            space = True
            continue
        height = y1 - y0
        if run:  # the same line: overlapping rows, and no jump back or across a gutter
            overlap = (min(last_top, y1)) - (max(last_bottom, y0))
            tallest = max(last_height, height)
            gap = x0 - last_x1
            reach = tallest if broken else _COLUMN_GAP * tallest
            if not (overlap >= 0.4 * min(height, last_height) and -tallest < gap < reach) or \
                    (broken and gap < -0.2 * tallest):
                _close(run, lines, textpage, page_number)
                run, space = [], False
            elif broken:
                space = True
        run.append((ch, x0, x1, y0, y1, height, i, space))
        space = broken = False
        last_x1, last_bottom, last_top, last_height = x1, y0, y1, height
    _close(run, lines, textpage, page_number)
    return lines


def _close(run: list[_Char], lines: list[Line], textpage, page_number: int) -> None:
    if not run:
        return
    body = _body_height(run)
    base = statistics.median_low(c[3] for c in run if c[5] >= 0.9 * body)
    small, raised_above = 0.85 * body, base + 0.2 * body
    spacing = _letter_spacing(run) + _SPACE_GAP * body
    parts: list[str] = []
    marks: list[str] = []
    mark = lead = ""
    previous_x1 = run[0][1]
    for ch, x0, x1, y0, _, height, _, space in run:
        if height < small and y0 > raised_above and (ch.isalnum() or ch in _NOTE_MARKS) \
                and len(mark) < 4:
            mark += ch
            previous_x1 = x1
            continue
        if mark and not parts:
            lead, mark = mark, ""
        elif mark:
            marks.append(mark)
            mark = ""
        if parts and (space or x0 - previous_x1 > spacing) and parts[-1] != " ":
            parts.append(" ")
        parts.append(ch)
        previous_x1 = x1
    if mark:
        marks.append(mark)
    text = "".join(parts).strip()
    if not any(ch.isalnum() or ch in _UNMAPPED for ch in text):
        return  # rules, ornaments, a bar code drawn in a symbol font: nothing to say
    upright = [c for c in run if c[5] >= 0.9 * body] or run
    sample = upright[len(upright) // 2]
    if abs(math.sin(pdfium_c.FPDFText_GetCharAngle(textpage.raw, sample[6]))) > 0.1:
        return  # turned text: a margin's note of where the page came from, not the page's text
    lines.append(Line(text, min(c[1] for c in run), max(c[2] for c in run), base,
                      max(c[4] for c in run), body, page_number,
                      all(_is_bold(textpage, c[6]) for c in (upright[0], sample, upright[-1])),
                      marks, lead))


def _letter_spacing(run: list[_Char]) -> float:
    """The usual gap between letters of a line (none, unless it is set letter-spaced)."""
    gaps = [b[1] - a[2] for a, b in itertools.pairwise(run) if not b[7]]
    return max(0.0, statistics.median_low(gaps)) if gaps else 0.0


def _body_height(run: list[_Char]) -> float:
    """The line's size: the largest height at least three of its letters share (a line
    partly in small capitals is the size of its other words; a drop capital is not the
    line's size), else the median."""
    heights = Counter(round(c[5], 1) for c in run)
    shared = [height for height, count in heights.items() if count >= 3]
    return max(shared) if shared else statistics.median_high(c[5] for c in run)


_FONT_NAME = ctypes.create_string_buffer(128)


def _is_bold(textpage, index: int) -> bool:
    weight = pdfium_c.FPDFText_GetFontWeight(textpage.raw, index)
    if weight >= 600:
        return True
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, _FONT_NAME, len(_FONT_NAME),
                                  ctypes.byref(flags))
    name = _FONT_NAME.value.decode("latin-1", "replace").lower()
    return any(word in name for word in ("bold", "black", "heavy", "semibold", "demi"))


# ---- reading order --------------------------------------------------------------------------


def reading_order(lines: list[Line]) -> list[list[Line]]:
    """The page's lines as regions (columns and bands), each top to bottom, in the order
    a reader takes them."""
    regions: list[list[Line]] = []
    _cut(lines, regions, 0)
    return regions


def _cut(lines: list[Line], regions: list[list[Line]], depth: int) -> None:
    if not lines:
        return
    size = statistics.median(line.size for line in lines)
    if depth < MAX_CUT_DEPTH and len(lines) > 1:
        table = _table_columns(lines, size)
        if len(table) > 1:  # read whole, never cut into bands
            regions.extend(sorted(column, key=lambda line: -line.top) for column in table)
            return
        for parts in (_columns(lines, size), _bands(lines, size)):
            if len(parts) > 1:
                for part in parts:
                    _cut(part, regions, depth + 1)
                return
    regions.append(sorted(lines, key=lambda line: (-line.top, line.x0)))


def _table_columns(lines: list[Line], size: float) -> list[list[Line]]:
    """A table's columns, whole, when the lines are only that: columns of short lines that
    share their top row (cut into bands, a table with space between its rows was read
    column by column, each cell a paragraph)."""
    if not _cells(lines):  # prose: no table (and no more work)
        return [lines]
    columns, ragged = [lines], True
    while ragged and len(columns) <= 24:  # each cut gives one more column
        ragged = False
        for i, column in enumerate(columns):
            parts = _columns(column, size)
            if len(parts) > 1:
                columns[i:i + 1], ragged = parts, True
                break
    if len(columns) < 2 or not all(_cells(column) for column in columns):
        return [lines]
    tops = [max(line.top for line in column) for column in columns]
    return columns if max(tops) - min(tops) < 0.5 * size else [lines]


def _columns(lines: list[Line], size: float) -> list[list[Line]]:
    """Split at the widest vertical gap no line crosses (a gutter: over half a line height)."""
    gap = _widest_gap([(line.x0, line.x1) for line in lines], 0.6 * size)
    if gap is None:
        return [lines]
    return [[line for line in lines if line.x1 <= gap], [line for line in lines if line.x0 >= gap]]


def _bands(lines: list[Line], size: float) -> list[list[Line]]:
    """Split at the widest horizontal gap no line crosses, top band first."""
    gap = _widest_gap([(-line.top, -line.bottom) for line in lines], 0.5 * size)
    if gap is None:
        return [lines]
    return [[line for line in lines if -line.top <= gap], [line for line in lines if -line.top > gap]]


def _widest_gap(spans: list[tuple[float, float]], least: float) -> float | None:
    """The middle of the widest gap between the spans (wider than `least`), or None."""
    best, where = least, None
    ordered = sorted(spans)
    reach = ordered[0][1]
    for start, end in ordered[1:]:
        if start - reach > best:
            best, where = start - reach, (start + reach) / 2
        reach = max(reach, end)
    return where


# ---- tables ---------------------------------------------------------------------------------

_CELL_WORDS = 4  # a table's cells are short; a column of prose has longer lines


@dataclass
class Table:
    rows: list[list[str]]  # each a list of cells
    page: int


def find_tables(regions: list[list[Line]]) -> list[list[Line] | Table]:
    """The regions, with each run of two or more side-by-side columns of short lines set
    on the same rows (a table's columns, as the cuts found them) made one table."""
    found: list[list[Line] | Table] = []
    i = 0
    while i < len(regions):
        end = i + 1
        while end < len(regions) and _beside(regions[end - 1], regions[end]):
            end += 1
        if end - i >= 2 and all(_cells(region) for region in regions[i:end]):
            found.append(Table(_rows(regions[i:end]), regions[i][0].page))
        else:
            found.extend(regions[i:end])
        i = end
    return found


def _cells(region: list[Line]) -> bool:
    return len(region) >= 2 and all(len(line.text.split()) <= _CELL_WORDS for line in region)


def _beside(left: list[Line], right: list[Line]) -> bool:
    """Two regions side by side whose lines sit on the same rows (the shorter one's, most
    of them: a cell of two lines has one line on a row of its own)."""
    if max(line.x1 for line in left) > min(line.x0 for line in right):
        return False
    size = max(line.size for line in left + right)
    bottoms = [line.bottom for line in right]
    shared = sum(1 for line in left if any(abs(line.bottom - b) < 0.3 * size for b in bottoms))
    return shared >= max(2, 0.6 * min(len(left), len(right)))


def _rows(columns: list[list[Line]]) -> list[list[str]]:
    """Cells row by row: each column's line on a row's baseline, or "" where it has none."""
    size = max(line.size for column in columns for line in column)
    baselines: list[float] = []
    for line in sorted((line for column in columns for line in column), key=lambda l: -l.bottom):
        if not baselines or baselines[-1] - line.bottom > 0.3 * size:
            baselines.append(line.bottom)
    rows = [[" ".join(line.text for line in column if abs(line.bottom - base) <= 0.3 * size)
             for column in columns] for base in baselines]
    return _cells_joined(rows, [a - b for a, b in itertools.pairwise(baselines)])


def _cells_joined(rows: list[list[str]], gaps: list[float]) -> list[list[str]]:
    """A cell's next lines joined to it: a row with empty cells set closer to the row above
    than full rows are set to theirs is that row's cells going on."""
    full = [gap for gap, row in zip(gaps, rows[1:]) if all(row)]
    if not full:
        return rows
    spacing = statistics.median(full)
    joined = [rows[0]]
    for gap, row in zip(gaps, rows[1:]):
        if not all(row) and gap < 0.85 * spacing:
            joined[-1] = [" ".join(filter(None, pair)) for pair in zip(joined[-1], row)]
        else:
            joined.append(row)
    return joined
