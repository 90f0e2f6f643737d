"""Plain text (decoded by narrate.read.files) read into a Document.

Blocks are runs of non-blank lines. Project Gutenberg's header, licence and
`Title:`/`Author:` lines, its transcribers' notes, bracketed sidenotes,
illustrations and footnotes, named sections (contents, index …), title pages and
chapter headings (`CHAPTER I` and title lines, a roman numeral above a title that
may wrap) are recognised and classified; nothing is dropped.
"""

from __future__ import annotations

import re

from narrate.patterns import regex
from narrate.problems import INFO, Problem
from narrate.read import sections
from narrate.read.document import (
    BOILERPLATE,
    BREAK,
    CONTENTS,
    FIGURE,
    FRONT_MATTER,
    HEADING,
    NOTE,
    PAGE_NUMBER,
    PARAGRAPH,
    PROSE,
    QUOTE,
    SIDENOTE,
    Block,
    Document,
)
from narrate.read.files import normalise
from narrate.read.gutenberg import book_spans, gutenberg_header, mark_front
from narrate.read.repeats import copies, repeat_problems, repeats

# ---- reading: text -> Document ------------------------------------------------------------------

# Lines of web junk that end a text pasted from a page.
_TRAILING_JUNK = regex(
    r"^(show more|read more|continue reading|see more|load more|share this:?|"
    r"click here to .*|advertisement|\[?(?:back to top|top)\]?)$",
    re.IGNORECASE,
)
_SCENE_BREAK = regex(r"^(?:[*#~=_-]\s*){3,}$|^[⁂※§]\s*$")
# Bracketed blocks: [Sidenote: …], [Illustration: …], [Footnote 3: …], [Transcriber's Note: …]
_BRACKETED = [(regex(r"^\[\s*sidenote\s*:", re.IGNORECASE), SIDENOTE),
              (regex(r"^\[\s*(?:[\w ]*?illustration|figure|plate)\b", re.IGNORECASE), FIGURE),
              (regex(r"^\[\s*footnote\b", re.IGNORECASE), NOTE),
              (regex(r"^\[\s*transcriber'?s? note", re.IGNORECASE), FRONT_MATTER)]
_NOTE_BODY = regex(r"^\[(?:Footnote\s+)?(?P<id>\d{1,3}|[A-Z])(?:\]\s*|\s*:\s*)")
_NOTE_REF = regex(r"(?<=[\w.,;:!?”\"’')\]])\[(?P<id>\d{1,3}|[A-Z])\]")
_PAGE_MARK = regex(r"^(?:\{\s*\d+\s*\}|\[(?:Pg|Page|p\.)\s*[\divxlc]+\]|_?Page \d+_?)$", re.IGNORECASE)
# marks inside a paragraph that are not its words: page numbers, illustrations
_INLINE_MARK = regex(r"\s*\[(?:Pg|Page)\s*[\divxlc]+\]\s*|\s*\{\s*\d{1,4}\s*\}\s*"
                          r"|\s*\[(?:[\w ]*?illustration|sidenote|figure)\b[^\]]*\]\s*", re.IGNORECASE)
# an italic run holds no underscore: each opening one is matched against the next
# underscore only (with any character, `_x _x _x …` was quadratic)
_ITALIC = regex(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])", re.DOTALL)
_WORD = regex(r"\w+")


class _Raw:
    """A run of non-blank lines, before it is classified."""

    def __init__(self, lines: list[str], line: int, gap: int):
        self.lines, self.line, self.gap = lines, line, gap


def read_text(text: str, name: str = "<text>") -> Document:
    """A plain text (already decoded) as a Document."""
    text, problems = normalise(text)
    lines = text.split("\n")
    metadata, header_end, footer_start = gutenberg_header(lines)
    bodies = book_spans(lines, header_end, footer_start)
    raws = _raw_blocks(lines)
    blocks = []
    i = body = 0
    while i < len(raws):
        raw = raws[i]
        while body < len(bodies) - 1 and raw.line >= bodies[body][1]:
            body += 1  # the blocks come in order: each span is passed once
        if not bodies[body][0] < raw.line < bodies[body][1]:
            blocks.append(_block(BOILERPLATE, raw, raw.lines))
            i += 1
            continue
        used, block = _bracketed(raws, i) or _heading(raws, i) or (1, _plain_block(raw))
        blocks.append(block)
        i += used
    for block in blocks:
        block.emphasis = bool(_ITALIC.fullmatch(block.text.rstrip(".")))
        block.text = _ITALIC.sub(r"\1", block.text)
    mark_front(blocks, [start for start, _ in bodies])
    found = repeats(blocks)
    for copy in copies(blocks, found):  # a book held twice: each copy's sections its own
        sections.mark_named_sections(copy)
        sections.demote_list_headings(copy, _prose_words)
        sections.keep_numbered_sequence(copy)
        sections.mark_title_page(copy, _WORD.findall)
    _mark_notes(blocks)
    _mark_trailing_junk(blocks)
    level = 1 if any(b.kind == HEADING for b in blocks) else None
    problems += repeat_problems(blocks, found)
    if header_end:
        problems.append(Problem("junk", "the header (Project Gutenberg's, or Title: and Author: "
                                "lines): not read", INFO, line=1))
    return Document(blocks, metadata, level, problems=problems, source=name)


def _raw_blocks(lines: list[str]) -> list[_Raw]:
    raws: list[_Raw] = []
    current: list[str] = []
    gap = start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
            continue
        if current:
            raws.append(_Raw(current, start, gap))
            current, gap = [], 0
        gap += 1
    if current:
        raws.append(_Raw(current, start, gap))
    return raws


_BROKEN_WORD = re.compile(r"[A-Za-z]-$")


def join_lines(lines: list[str]) -> str:
    """Join hard-wrapped lines; a word broken with a hyphen at a line end is rejoined."""
    parts: list[str] = []
    for line in lines:
        line = line.strip()
        # the line before, not the text so far: looking at the whole paragraph at every
        # line was quadratic (a book without blank lines took minutes)
        if parts and _BROKEN_WORD.search(parts[-1]) and line[:1].islower():
            parts.append(line)
        elif parts:
            parts += [" ", line]
        else:
            parts.append(line)
    return "".join(parts)


def _block(kind: str, raw: _Raw, lines: list[str], **fields) -> Block:
    return Block(kind, join_lines(lines), line=raw.line, gap=raw.gap, **fields)


def _plain_block(raw: _Raw) -> Block:
    first = raw.lines[0].strip()
    if len(raw.lines) == 1 and _SCENE_BREAK.match(first):
        return _block(BREAK, raw, raw.lines)
    if len(raw.lines) == 1 and _PAGE_MARK.match(first):
        return _block(PAGE_NUMBER, raw, raw.lines)
    indented = all(line.startswith(("    ", "\t")) for line in raw.lines)
    block = _block(QUOTE if indented else PARAGRAPH, raw, raw.lines)  # indented: a quotation
    block.text = _INLINE_MARK.sub(" ", block.text).strip() or block.text
    return block


def _bracketed(raws: list[_Raw], i: int) -> tuple[int, Block] | None:
    """[Sidenote: …] and its kin, which may run over several blocks until the bracket closes."""
    first = raws[i].lines[0].strip()
    kind = next((k for pattern, k in _BRACKETED if pattern.match(first)), None)
    if kind is None:
        return None
    lines: list[str] = []
    depth = 0
    for used, raw in enumerate(raws[i:i + 40], start=1):
        lines += raw.lines
        depth = sum(l.count("[") - l.count("]") for l in lines)
        if depth <= 0:
            break
    else:
        used = 1
        lines = raws[i].lines
    text = re.sub(r"^\[\s*(?:sidenote|[\w ]*?illustration|footnote\s*[\w]*|transcriber'?s? "
                  r"notes?)\s*:?\s*", "", " ".join(l.strip() for l in lines), flags=re.IGNORECASE)
    block = _block(kind, raws[i], [text.rstrip().removesuffix("]")])
    if kind == NOTE:
        match = re.match(r"^\[\s*footnote\s+(\w+)", first, re.IGNORECASE)
        block.note_id = match.group(1) if match else ""
    return used, block


def _heading(raws: list[_Raw], i: int) -> tuple[int, Block] | None:
    """A chapter heading: its number and title, which may wrap or sit in the next block."""
    raw = raws[i]
    first = raw.lines[0].strip()
    if first.endswith((",", ";")) or len(first) > 100:
        return None
    named = sections.named_kind(first) or sections.READ_NAMES.match(sections.plain(first))
    if named and len(raw.lines) == 1:
        return 1, _block(HEADING, raw, [first], level=1)
    label, title = sections.split_label(first)
    if not label or sections.reads_as_prose(first):
        return None
    title_lines, used = raw.lines[1:], 1
    if title_lines and not sections.looks_like_title(title_lines):
        return None  # a numbered paragraph, not a heading
    nxt = raws[i + 1] if i + 1 < len(raws) else None
    if not title and not title_lines and nxt is not None and sections.looks_like_title(nxt.lines):
        title_lines, used = nxt.lines, 2
    if sections.ROMAN_ALONE.match(sections.plain(label)) and not title and not title_lines:
        return None  # a bare numeral with nothing that names it
    title = " ".join([title] + [l.strip() for l in title_lines]).strip()
    block = _block(HEADING, raw, [title], level=1, label=label)
    return used, block


def _prose_words(block: Block) -> int:
    return len(_WORD.findall(block.text)) if block.kind in PROSE else 0


def _mark_notes(blocks: list[Block]) -> None:
    """Footnote bodies (`[A] text`, `[12] text`), and the references to them in the prose."""
    for block in blocks:
        match = _NOTE_BODY.match(block.text)
        if match and block.kind in (PARAGRAPH, QUOTE, NOTE, CONTENTS):
            block.kind, block.note_id = NOTE, match.group("id")
            block.text = block.text[match.end():]
    ids = {b.note_id for b in blocks if b.kind == NOTE and b.note_id}
    for block in blocks:
        if block.kind in PROSE or block.kind == HEADING:
            refs = [m.group("id") for m in _NOTE_REF.finditer(block.text) if m.group("id") in ids]
            if refs:
                block.refs = tuple(refs)
                block.text = _NOTE_REF.sub(lambda m: "" if m.group("id") in ids else m.group(),
                                           block.text)


def _mark_trailing_junk(blocks: list[Block]) -> None:
    for block in reversed(blocks):
        if block.kind == BOILERPLATE:
            continue
        if block.kind not in PROSE or not _TRAILING_JUNK.match(block.text.strip()):
            return
        block.kind = BOILERPLATE
