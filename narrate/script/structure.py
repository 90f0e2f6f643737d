"""Split clean text into chapters of paragraphs.

Chapters come from, in order of precedence: Markdown headings; heading lines
(`CHAPTER IV`, `IV.`, `Lecture 3`, a roman numeral alone above a title line);
runs of two or more blank lines; scene-break markers (`***`, `* * *`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ROMAN = r"[IVXLCDM]+"
_NUMBER_WORD = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty")
_HEADING_LINE = re.compile(
    rf"^(?:(?:chapter|lecture|part|book|section|act)\s+(?:\d+|{_ROMAN}|{_NUMBER_WORD})\b"
    rf"|{_ROMAN}\.(?=\s|$)|\d{{1,3}}\.(?=\s*$))[.:]?\s*.*$",
    re.IGNORECASE,
)
_ROMAN_ALONE = re.compile(rf"^{_ROMAN}\.?$")
_SCENE_BREAK = re.compile(r"^(?:[*#~=_-]\s*){3,}$|^[⁂※§]\s*$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
_MD_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+\S")
_HEADING_MAX_CHARS = 100


@dataclass
class Paragraph:
    text: str
    line: int  # 1-based first line in the source
    blockquote: bool = False


@dataclass
class RawChapter:
    heading: str | None = None  # heading text as written (no Markdown marks)
    line: int = 1
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class _Block:
    lines: list[str]
    line: int
    blanks_before: int
    md_level: int = 0  # Markdown heading level, 0 when not a heading


def split_chapters(text: str, markdown: bool = False) -> list[RawChapter]:
    blocks = _blocks(text, markdown)
    if markdown and any(b.md_level for b in blocks):
        chapters = _by_markdown_headings(blocks)
    elif any(_is_heading_block(b, blocks, i) for i, b in enumerate(blocks)):
        chapters = _by_heading_lines(blocks, markdown)
    elif any(b.blanks_before >= 2 for b in blocks[1:]):
        chapters = _split_where(blocks, lambda b, i: i > 0 and b.blanks_before >= 2, markdown)
    else:
        chapters = _split_where(blocks, lambda b, i: i > 0 and _is_scene_break(blocks[i - 1]),
                                markdown)
    return _merge_empty(chapters)


def _blocks(text: str, markdown: bool) -> list[_Block]:
    """Runs of non-blank lines, with the count of blank lines before each."""
    blocks: list[_Block] = []
    current: list[str] = []
    blanks = 0
    start = 1

    def flush():
        nonlocal current, blanks
        if current:
            blocks.extend(_split_md_headings(current, start, blanks) if markdown
                          else [_Block(current, start, blanks)])
            blanks = 0
        current = []

    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        else:
            if current:
                flush()
            blanks += 1
    flush()
    return blocks


def _split_md_headings(lines: list[str], start: int, blanks: int) -> list[_Block]:
    """Markdown headings may touch the text around them: give each its own block."""
    out: list[_Block] = []
    pending: list[str] = []
    pending_start = start
    for offset, line in enumerate(lines):
        atx = _MD_HEADING.match(line)
        setext = (offset > 0 and _MD_SETEXT.match(line) and pending and len(pending) >= 1
                  and not _MD_LIST_ITEM.match(pending[-1]))
        if atx or setext:
            if setext:
                title = pending.pop()
                level = 1 if line.strip().startswith("=") else 2
            else:
                title, level = atx.group(2), len(atx.group(1))
            if pending:
                out.append(_Block(pending, pending_start, blanks if not out else 0))
            out.append(_Block([title], start + offset, blanks if not out else 0, level))
            pending, pending_start = [], start + offset + 1
        else:
            if not pending:
                pending_start = start + offset
            pending.append(line)
    if pending:
        out.append(_Block(pending, pending_start, blanks if not out else 0))
    return out


def _is_scene_break(block: _Block) -> bool:
    return len(block.lines) == 1 and bool(_SCENE_BREAK.match(block.lines[0].strip()))


def _is_heading_block(block: _Block, blocks: list[_Block], index: int) -> bool:
    first = block.lines[0].strip()
    if len(block.lines) > 2 or sum(len(l) for l in block.lines) > _HEADING_MAX_CHARS:
        return False
    if _ROMAN_ALONE.match(first):
        # a roman numeral alone on a line, with a title line under it (same or next block)
        if len(block.lines) == 2:
            return True
        nxt = blocks[index + 1] if index + 1 < len(blocks) else None
        return nxt is not None and len(nxt.lines) == 1 and len(nxt.lines[0]) <= 80
    return bool(_HEADING_LINE.match(first)) and not first.endswith((",", ";"))


def _heading_text(blocks: list[_Block], index: int) -> tuple[str, int]:
    """The heading's text and how many blocks it uses (a title line may be its own block)."""
    block = blocks[index]
    lines = [l.strip() for l in block.lines]
    if len(lines) == 1 and _ROMAN_ALONE.match(lines[0]) and index + 1 < len(blocks):
        return f"{lines[0]} {blocks[index + 1].lines[0].strip()}", 2
    return " ".join(lines), 1


def _by_heading_lines(blocks: list[_Block], markdown: bool) -> list[RawChapter]:
    chapters = [RawChapter(line=blocks[0].line)]
    i = 0
    while i < len(blocks):
        if _is_heading_block(blocks[i], blocks, i):
            heading, used = _heading_text(blocks, i)
            chapters.append(RawChapter(heading, blocks[i].line))
            i += used
            continue
        _add_block(chapters[-1], blocks[i], markdown)
        i += 1
    return chapters


def _by_markdown_headings(blocks: list[_Block]) -> list[RawChapter]:
    levels = [b.md_level for b in blocks if b.md_level]
    repeated = [lv for lv in sorted(set(levels)) if levels.count(lv) >= 2]
    chapter_level = repeated[0] if repeated else min(levels)
    chapters = [RawChapter(line=blocks[0].line)]
    for block in blocks:
        if block.md_level and block.md_level <= chapter_level:
            chapters.append(RawChapter(block.lines[0].strip(), block.line))
        else:
            _add_block(chapters[-1], block, True)
    return chapters


def _split_where(blocks: list[_Block], starts_chapter, markdown: bool) -> list[RawChapter]:
    chapters = [RawChapter(line=blocks[0].line if blocks else 1)]
    for i, block in enumerate(blocks):
        if starts_chapter(block, i):
            chapters.append(RawChapter(line=block.line))
        _add_block(chapters[-1], block, markdown)
    return chapters


def _add_block(chapter: RawChapter, block: _Block, markdown: bool) -> None:
    if _is_scene_break(block):
        return  # a marker, never spoken: it only separates
    if markdown:
        chapter.paragraphs.extend(_markdown_paragraphs(block))
    else:
        chapter.paragraphs.append(Paragraph(join_lines(block.lines), block.line))


def _markdown_paragraphs(block: _Block) -> list[Paragraph]:
    """Block quotes and list items are paragraphs of their own; deeper headings too."""
    if block.md_level:
        return [Paragraph(block.lines[0].strip(), block.line)]
    if all(_MD_QUOTE.match(l) for l in block.lines):
        lines = [_MD_QUOTE.sub("", l) for l in block.lines]
        return [Paragraph(join_lines(lines), block.line, blockquote=True)]
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    start = block.line
    for offset, line in enumerate(block.lines):
        if _MD_LIST_ITEM.match(line) and current:
            paragraphs.append(Paragraph(join_lines(current), start))
            current = []
        if not current:
            start = block.line + offset
        current.append(line)
    paragraphs.append(Paragraph(join_lines(current), start))
    return paragraphs


def join_lines(lines: list[str]) -> str:
    """Join hard-wrapped lines; a word broken with a hyphen at a line end is rejoined."""
    text = ""
    for line in lines:
        line = line.strip()
        if not text:
            text = line
        elif re.search(r"[A-Za-z]-$", text) and line[:1].islower():
            text += line
        else:
            text += " " + line
    return text


def _merge_empty(chapters: list[RawChapter]) -> list[RawChapter]:
    """A heading with no text under it joins the next chapter's heading."""
    out: list[RawChapter] = []
    carry: RawChapter | None = None
    for chapter in chapters:
        if carry is not None:
            headings = [h for h in (carry.heading, chapter.heading) if h]
            chapter = RawChapter(" — ".join(headings) or None, carry.line, chapter.paragraphs)
            carry = None
        if chapter.paragraphs:
            out.append(chapter)
        elif chapter.heading:
            carry = chapter
    if carry is not None:  # a heading at the very end: speak it as a paragraph
        if out:
            out[-1].paragraphs.append(Paragraph(carry.heading, carry.line))
        else:
            out.append(RawChapter(None, carry.line, [Paragraph(carry.heading, carry.line)]))
    return out
