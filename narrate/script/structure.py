"""A Document's blocks -> chapters of paragraphs.

Chapters start, in order of precedence: at chapter-level headings (the readers found
them: Markdown and HTML levels, `CHAPTER IV`, a roman numeral above a title, an
EPUB's spine documents); at runs of two or more blank lines; at scene breaks
(`***`, `* * *`). Only prose (paragraphs, quotations, list items) and the headings
of sections inside a chapter are read; every other block is counted, not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from narrate.read.document import BREAK, HEADING, PROSE, QUOTE, Block, Document


@dataclass
class Paragraph:
    text: str
    line: int | None  # 1-based first line in the source (None for an EPUB part)
    blockquote: bool = False
    where: str = ""  # "line 12", or "text/chapter-1.xhtml#p-3"


@dataclass
class RawChapter:
    heading: str | None = None  # the heading as written: number and title
    line: int | None = 1
    paragraphs: list[Paragraph] = field(default_factory=list)
    title: str | None = None  # the heading's title, without its number
    label: str | None = None  # the heading's number: "CHAPTER II", "Lecture I"


@dataclass
class Unread:
    """The blocks of one kind that are not read: how many, their words, the first one."""
    first: Block
    blocks: int = 0
    words: int = 0


def split_chapters(document: Document) -> tuple[list[RawChapter], dict[str, Unread]]:
    """The chapters, and the blocks left unread by kind."""
    unread: dict[str, Unread] = {}
    chapters = [RawChapter(line=_first_line(document.blocks))]
    starts = _chapter_starts(document)
    for i, block in enumerate(document.blocks):
        if block.kind == HEADING and block.level <= 1 and document.chapter_level:
            chapters.append(RawChapter(block.heading, block.line, title=block.text or None,
                                       label=block.label or None))
            continue
        if i in starts:
            chapters.append(RawChapter(line=block.line))
        if block.kind in PROSE or block.kind == HEADING:
            chapters[-1].paragraphs.append(Paragraph(block.heading if block.kind == HEADING
                                                     else block.text, block.line,
                                                     block.kind == QUOTE, block.where()))
        elif block.kind != BREAK:
            entry = unread.setdefault(block.kind, Unread(block))
            entry.blocks += 1
            entry.words += len(block.text.split())
    return _merge_empty(chapters), unread


def _first_line(blocks: list[Block]) -> int | None:
    return blocks[0].line if blocks else 1


def _chapter_starts(document: Document) -> set[int]:
    """Without headings: blocks after two or more blank lines, else after scene breaks."""
    if document.chapter_level:
        return set()
    read = [i for i, b in enumerate(document.blocks) if b.kind in PROSE]
    gaps, after_break = {}, set()
    for n, i in enumerate(read):
        before = document.blocks[(read[n - 1] + 1 if n else 0):i + 1]
        gaps[i] = max(b.gap for b in before)
        if any(b.kind == BREAK for b in before[:-1]):
            after_break.add(i)
    by_gaps = {i for n, i in enumerate(read) if n > 0 and gaps[i] >= 2}
    return by_gaps or {i for n, i in enumerate(read) if n > 0 and i in after_break}


def _merge_empty(chapters: list[RawChapter]) -> list[RawChapter]:
    """A heading with no text under it joins the next chapter's heading."""
    out: list[RawChapter] = []
    carry: RawChapter | None = None
    for chapter in chapters:
        if carry is not None:
            headings = [h for h in (carry.heading, chapter.heading) if h]
            chapter = RawChapter(" — ".join(headings) or None, carry.line, chapter.paragraphs,
                                 chapter.title or carry.title, chapter.label or carry.label)
            carry = None
        if chapter.paragraphs:
            out.append(chapter)
        elif chapter.heading:
            carry = chapter
    if carry is not None:  # a heading at the very end: speak it as a paragraph
        paragraph = Paragraph(carry.heading, carry.line)
        if out:
            out[-1].paragraphs.append(paragraph)
        else:
            out.append(RawChapter(None, carry.line, [paragraph]))
    return out
