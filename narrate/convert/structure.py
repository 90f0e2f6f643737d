"""A Document's blocks -> chapters of paragraphs, by the reading policy.

Chapters start, in order of precedence: at chapter-level headings (the readers found
them: Markdown and HTML levels, `CHAPTER IV`, a roman numeral above a title, an
EPUB's spine documents); at runs of two or more blank lines; at scene breaks
(`***`, `* * *`).

What is read (ReadingPolicy): prose (paragraphs, quotations, list items) and the
headings of sections inside a chapter; notes after the paragraph that cites them
(or at the chapter's end, or not at all), in the note voice; small tables row by row;
a short cue for code and large tables. Every other block (contents, index, licence,
page numbers, sidenotes, figures, notation …) is counted, not read.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import ClassVar

from narrate.convert.speech import is_notation
from narrate.model import NARRATOR, NOTE, QUOTE
from narrate.read.document import (
    BREAK,
    CODE,
    HEADING,
    LIST_ITEM,
    PARAGRAPH,
    PROSE,
    SIDENOTE,
    TABLE,
    Block,
    Document,
)
from narrate.read.document import NOTE as NOTE_BLOCK
from narrate.read.document import QUOTE as QUOTE_BLOCK
from narrate.read.sections import named_kind

CODE_CUE = "A code example follows in the text."
TABLE_CUE = "A table follows in the text."
NOTATION = "notation"  # a paragraph of digits, symbols and single letters: not prose
NOTES_HEADING = "notes heading"  # "FOOTNOTES:", "Endnotes": the notes under it may be read


@dataclass
class ReadingPolicy:
    """What is read of the blocks that are not plain prose."""
    code: str = "mention"  # mention (one short cue) | skip
    notes: str = "after-paragraph"  # after-paragraph | chapter-end | skip
    tables: str = "read"  # read (up to 6 columns and 20 rows; larger mentioned) | mention | skip

    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"code": ("mention", "skip"), "notes": ("after-paragraph", "chapter-end", "skip"),
               "tables": ("read", "mention", "skip")}


@dataclass
class Paragraph:
    text: str
    line: int | None  # 1-based first line in the source (None for an EPUB part)
    role: str | None = None  # one voice for all of it (a quotation, a note); None: find quotes
    where: str = ""  # "line 12", or "text/chapter-1.xhtml#p-3"
    kind: str = ""  # "" for prose; "list item", "heading", "note", "table", "cue"
    say: str | None = None  # what is spoken, when it is not the text (headings)
    title: str = ""  # the sidenote that heads it: its chapter marker's title
    language: str = ""  # when it is not the book's: its markup's, or its script's


@dataclass
class RawChapter:
    heading: str | None = None  # the heading as written: number and title
    line: int | None = 1
    paragraphs: list[Paragraph] = field(default_factory=list)
    title: str | None = None  # the heading's title, without its number
    label: str | None = None  # the heading's number: "CHAPTER II", "Lecture I"
    from_metadata: bool = False  # the title is the metadata's `chapters:` entry
    outlined: bool = False  # the file's outline names it: kept even with no text


@dataclass
class Unread:
    """The blocks of one kind that are not read: how many, their words, the first one
    (and for notation, a paragraph the reader took for prose, every one)."""
    first: Block
    blocks: int = 0
    words: int = 0
    every: list[Block] = field(default_factory=list)


def split_chapters(document: Document, policy: ReadingPolicy | None = None
                   ) -> tuple[list[RawChapter], dict[str, Unread]]:
    """The chapters, and the blocks left unread by kind."""
    policy = policy or ReadingPolicy()
    unread: dict[str, Unread] = {}
    notes = _notes_by_id(document.blocks)
    read_notes: set[int] = set()  # the notes' places among the blocks
    chapters = [RawChapter(line=_first_line(document.blocks))]
    pending: list[Paragraph] = []  # notes for the end of the chapter
    sidenotes: list[str] = []  # margin notes waiting for the paragraph they head

    def flush_notes():
        chapters[-1].paragraphs.extend(pending)
        pending.clear()

    def skip(block: Block, kind: str | None = None):
        entry = unread.setdefault(kind or block.kind, Unread(block))
        entry.blocks += 1
        entry.words += len(block.text.split())
        if kind == NOTATION:
            entry.every.append(block)

    starts = _chapter_starts(document)
    from narrate.convert.headings import acronyms

    kept = acronyms(b.text for b in document.blocks if b.kind in PROSE)
    for i, block in enumerate(document.blocks):
        if block.kind == HEADING and block.level <= 1 and document.chapter_level:
            flush_notes()
            chapters.append(RawChapter(block.heading, block.line, title=block.text or None,
                                       label=block.label or None, outlined=block.outlined))
            continue
        if i in starts:
            flush_notes()
            chapters.append(RawChapter(line=block.line))
        paragraphs = _read(block, policy, chapters[-1].paragraphs, kept)
        if paragraphs is None:
            if block.kind not in (BREAK, NOTE_BLOCK):
                skip(block, NOTATION if block.kind == PARAGRAPH else None)
            if block.kind == SIDENOTE:
                sidenotes.append(block.text.strip().rstrip("."))
            continue
        if sidenotes and paragraphs:
            paragraphs[0].title = "; ".join(sidenotes)
            sidenotes.clear()
        chapters[-1].paragraphs.extend(paragraphs)
        for ref in block.refs:
            cited = _cited(notes.get(ref), i)
            if cited and cited[0] not in read_notes and policy.notes != "skip":
                read_notes.add(cited[0])
                note = _note(cited[1])
                (chapters[-1].paragraphs if policy.notes == "after-paragraph"
                 else pending).append(note)
    flush_notes()
    for place, block in (entry for entries in notes.values() for entry in entries):
        if place not in read_notes:
            skip(block)
    for block in document.blocks:
        if block.kind == NOTE_BLOCK and not block.note_id:  # "FOOTNOTES:" is no note
            skip(block, NOTES_HEADING if named_kind(block.text) == NOTE_BLOCK else None)
    return _merge_empty(chapters), unread


def _read(block: Block, policy: ReadingPolicy, before: list[Paragraph],
          kept: frozenset[str] = frozenset()) -> list[Paragraph] | None:
    """The paragraphs a block is read as; None when it is not read (`kept`: the acronyms a
    heading in capitals keeps)."""
    where = block.where()
    if block.kind == PARAGRAPH and is_notation(block.text):
        return None
    if block.kind in (PARAGRAPH, QUOTE_BLOCK, LIST_ITEM):
        return [Paragraph(block.text, block.line, QUOTE if block.kind == QUOTE_BLOCK else None,
                          where, "list item" if block.kind == LIST_ITEM else "",
                          language=block.language)]
    if block.kind == HEADING:
        from narrate.convert.headings import spoken_heading

        return [Paragraph(block.heading, block.line, NARRATOR, where, "heading",
                          spoken_heading(block.label or None, block.text or None, kept=kept))]
    if block.kind == CODE and policy.code == "mention" and short_command(block.text):
        return [Paragraph(f"`{short_command(block.text)}`", block.line, NARRATOR, where, "cue")]
    if block.kind == CODE and policy.code == "mention":
        if before and before[-1].text == CODE_CUE:
            return []  # one cue for a run of code blocks
        return [Paragraph(CODE_CUE, block.line, NARRATOR, where, "cue")]
    if block.kind == TABLE and policy.tables != "skip":
        rows = [r.split(" | ") for r in block.text.split("\n") if r.strip()]
        if policy.tables == "read" and 2 <= len(rows) <= 21 and max(map(len, rows)) <= 6:
            return [Paragraph(table_sentences(rows), block.line, NARRATOR, where, "table")]
        return [Paragraph(TABLE_CUE, block.line, NARRATOR, where, "cue")]
    return None


def short_command(code: str) -> str:
    """A code block that is one short command (`brew install hyperfine`), without its
    prompt: said as code, where a longer block gets the cue. "" for any other block."""
    lines = [line.strip() for line in code.strip().splitlines() if line.strip()]
    command = lines[0].removeprefix("$ ").strip() if len(lines) == 1 else ""
    simple = len(command) <= 60 and len(command.split()) <= 6 and "://" not in command
    return command if simple and "`" not in command and re.search(r"[A-Za-z]", command) else ""


def table_sentences(rows: list[list[str]]) -> str:
    """A small table read row by row as "header: value" pairs, a sentence a row."""
    header, body = rows[0], rows[1:]
    sentences = []
    for row in body:
        pairs = [f"{h}: {v}" if h else v for h, v in zip(header, row) if v.strip()]
        sentence = "; ".join(pairs)
        sentences.append(sentence if re.search(r"[.!?]$", sentence) else sentence + ".")
    return " ".join(sentences)


def _notes_by_id(blocks: list[Block]) -> dict[str, list[tuple[int, Block]]]:
    """Note bodies by id, each with its place: an id may be used again (footnotes numbered
    from 1 in each chapter, a book held twice)."""
    notes: dict[str, list[tuple[int, Block]]] = {}
    for place, block in enumerate(blocks):
        if block.kind == NOTE_BLOCK and block.note_id:
            notes.setdefault(block.note_id, []).append((place, block))
    return notes


def _cited(notes: list[tuple[int, Block]] | None, at: int) -> tuple[int, Block] | None:
    """The note a citation at block `at` names: the first of its id after it (notes follow
    the text that cites them), else the last before it."""
    if not notes:
        return None
    after = bisect.bisect_right(notes, at, key=lambda entry: entry[0])
    return notes[after] if after < len(notes) else notes[-1]


def _note(block: Block) -> Paragraph:
    text = block.text.strip()
    return Paragraph(f"Note: {text}", block.line, NOTE, block.where(), "note")


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
    """A heading with no text under it joins the next chapter's heading, unless the file's
    outline names it (a part's title page: the outline's chapters are the listener's)."""
    out: list[RawChapter] = []
    carry: RawChapter | None = None
    for chapter in chapters:
        if carry is not None:
            headings = [h for h in (carry.heading, chapter.heading) if h]
            chapter = RawChapter(" — ".join(headings) or None, carry.line, chapter.paragraphs,
                                 chapter.title or carry.title, chapter.label or carry.label)
            carry = None
        if chapter.paragraphs or (chapter.outlined and chapter.heading):
            out.append(chapter)
        elif chapter.heading:
            carry = chapter
    if carry is not None:  # a heading at the very end: speak it as a paragraph
        paragraph = Paragraph(carry.heading or "", carry.line)
        if out:
            out[-1].paragraphs.append(paragraph)
        else:
            out.append(RawChapter(None, carry.line, [paragraph]))
    return out
