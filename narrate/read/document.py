"""The document model: what a reader makes of a file, before any reading policy.

A Document is an ordered list of Blocks, each with a kind and the place it came
from. Readers keep every block and classify it; nothing is dropped here. Which
kinds are spoken, and how, is decided by `narrate.convert`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from narrate.problems import Problem

# Kinds of block.
HEADING = "heading"
PARAGRAPH = "paragraph"
QUOTE = "quote"  # a block quotation
LIST_ITEM = "list item"
CODE = "code"
TABLE = "table"
NOTE = "note"  # a footnote or endnote body; references are Block.refs
FIGURE = "figure"  # an illustration, image or caption
PAGE_NUMBER = "page number"
SIDENOTE = "sidenote"
CONTENTS = "contents"  # tables of contents, lists of illustrations or plates
INDEX = "index"
FRONT_MATTER = "front matter"  # title page, imprint, dedication, transcriber's notes
BACK_MATTER = "back matter"  # colophon, licence, plates, advertisements
BOILERPLATE = "boilerplate"  # e-text headers and licences, web junk
BREAK = "scene break"  # a marker that separates (`* * *`), never spoken

KINDS = (HEADING, PARAGRAPH, QUOTE, LIST_ITEM, CODE, TABLE, NOTE, FIGURE, PAGE_NUMBER,
         SIDENOTE, CONTENTS, INDEX, FRONT_MATTER, BACK_MATTER, BOILERPLATE, BREAK)
PROSE = (PARAGRAPH, QUOTE, LIST_ITEM)  # the kinds that carry the book's running text


@dataclass
class Block:
    kind: str
    text: str  # inline markup removed; note references removed (see `refs`)
    line: int | None = None  # 1-based line in a text source
    part: str = ""  # the file inside an EPUB
    anchor: str = ""  # the element's id in an (X)HTML source
    level: int = 0  # heading level, 1 the highest
    label: str = ""  # a heading's number as written: "CHAPTER II", "Lecture I", "IV"
    refs: tuple[str, ...] = ()  # ids of the notes this block references
    note_id: str = ""  # a note body's id
    gap: int = 0  # blank lines before the block (plain text: two or more part chapters)
    emphasis: bool = False  # all of it in italics (title pages, epigraphs)
    language: str = ""  # the language its markup gives it (`lang`, `xml:lang`), if any
    outlined: bool = False  # a heading the file's own outline names: a chapter even when
    # nothing is under it (a part's title page), as the outline lists it

    def where(self) -> str:
        if self.part or self.anchor:
            return self.part + (f"#{self.anchor}" if self.anchor else "")
        return f"line {self.line}" if self.line is not None else ""

    @property
    def heading(self) -> str:
        """A heading as written: its number and its title."""
        if self.label and self.text:
            return f"{self.label}: {self.text}" if self.label[-1:].isalnum() else \
                f"{self.label} {self.text}"
        return self.label or self.text


@dataclass
class Document:
    blocks: list[Block]
    metadata: dict = field(default_factory=dict)  # the format's own: title, author, ...
    chapter_level: int | None = None  # headings at or above it start chapters; None: none do
    cover: tuple[str, bytes] | None = None  # (file name, image bytes)
    problems: list[Problem] = field(default_factory=list)
    source: str = ""
    encoding: str = "utf-8"

    def count(self, kind: str) -> int:
        return sum(1 for b in self.blocks if b.kind == kind)
