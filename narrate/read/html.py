"""An HTML page as a Document: its elements as blocks (narrate.read.elements), then the
page's own conventions — a Gutenberg licence at either end, its header's fields or the
page's <title> and <meta>, a numeral heading above its title — and the book's named
sections, title page and heading levels."""

from __future__ import annotations

import itertools
import re

from narrate.read import sections
from narrate.read.document import (
    BOILERPLATE,
    CODE,
    FRONT_MATTER,
    HEADING,
    PAGE_NUMBER,
    PARAGRAPH,
    PROSE,
    Block,
    Document,
)
from narrate.read.elements import body_blocks, local
from narrate.read.files import normalise
from narrate.read.gutenberg import gutenberg_header
from narrate.read.safe import parse_html

# ---- a whole HTML page --------------------------------------------------------------------------

_START = re.compile(r"\*{3}\s*START OF (?:THE |THIS )?PROJECT GUTENBERG", re.IGNORECASE)
_END = re.compile(r"\*{3}\s*END OF (?:THE |THIS )?PROJECT GUTENBERG|^End of (?:the )?Project "
                  r"Gutenberg", re.IGNORECASE)


def read_html(data: bytes, name: str = "<html>") -> Document:
    root = parse_html(data, name)
    blocks = body_blocks(root)
    metadata = _page_metadata(root, blocks)
    _mark_gutenberg(blocks)
    merge_numbered_headings(blocks)
    title = sections.settle_heading_levels(blocks)
    classify_book_sections(blocks)
    if title and "title" not in metadata:
        metadata["title"] = title
    problems = []
    for block in blocks:
        block.text, found = normalise(block.text)
        problems += found
    level = 1 if any(b.kind == HEADING for b in blocks) else None
    return Document(blocks, metadata, level, problems=problems, source=name)


def merge_numbered_headings(blocks: list[Block]) -> None:
    """<h2>I</h2><h2>Introduction</h2>, or <h2>CHAPTER II</h2><p>THE TITLE</p>: one heading
    with a label and a title. The merged block becomes a page number (kept, not read)."""
    for block, following in itertools.pairwise(blocks):
        if block.kind != HEADING or block.label or not sections.is_label_only(block.text):
            continue
        label = sections.split_label(block.text)[0]
        if following.kind == HEADING or (following.kind == PARAGRAPH
                                         and sections.looks_like_title([following.text])):
            block.label, block.text = label, following.text
            following.kind, following.text = PAGE_NUMBER, ""
        else:
            block.label, block.text = label, ""
    blocks[:] = [b for b in blocks if b.kind != PAGE_NUMBER or b.text or b.anchor]


def classify_book_sections(blocks: list[Block]) -> None:
    """Named sections (contents, index …), title pages and list-like headings, as the
    plain-text reader finds them."""
    from narrate.read.text import _WORD, _prose_words

    sections.mark_named_sections(blocks)
    sections.demote_list_headings(blocks, _prose_words)
    sections.mark_title_page(blocks, _WORD.findall)


def _mark_gutenberg(blocks: list[Block]) -> None:
    """Everything up to the START line and from the END line on is the licence."""
    start = next((i for i, b in enumerate(blocks) if _START.search(b.text)), None)
    end = next((i for i, b in enumerate(blocks) if (start is None or i > start)
                and _END.search(b.text)), None)
    if start is not None:
        for block in blocks[:start + 1]:
            block.kind = BOILERPLATE
    if end is not None:
        for block in blocks[end:]:
            block.kind = BOILERPLATE
    if start is None:  # older Gutenberg HTML: the licence in <pre> blocks at both ends
        for block in blocks:
            if block.kind == BOILERPLATE:
                continue
            if block.kind == CODE and "gutenberg" in block.text.lower():
                block.kind = BOILERPLATE
            break
    # "Produced by" and transcriber's notes ahead of the book
    for block in blocks:
        if block.kind == HEADING:
            break
        if block.kind in PROSE and re.match(r"^(?:e-?text )?(?:produced|prepared) by|"
                                            r"^transcriber'?s? notes?", block.text, re.IGNORECASE):
            block.kind = FRONT_MATTER


def _page_metadata(root, blocks: list[Block]) -> dict:
    """A Gutenberg page's header fields, else the page's <title> and author <meta>."""
    metadata: dict = {}
    for block in blocks:
        if "Title:" in block.text and ("Author:" in block.text or "gutenberg" in block.text.lower()):
            metadata, _, _ = gutenberg_header(block.text.split("\n") + [("*** START OF THE PROJECT "
                                                                   "GUTENBERG EBOOK")])
            break
    for meta in root.iter():
        if local(meta) != "meta":
            continue
        name = (meta.get("name") or "").lower()
        content = (meta.get("content") or "").strip()
        if name in ("author", "dc.creator") and content and "author" not in metadata:
            metadata["author"] = content
        if name in ("dc.title",) and content and "title" not in metadata:
            metadata["title"] = content
        if name in ("dc.language", "language") and content and "language" not in metadata:
            metadata["language"] = content
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang and "language" not in metadata:
        metadata["language"] = lang
    return metadata
