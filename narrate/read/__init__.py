"""Readers: a book file -> a Document (ordered, classified blocks), one module per format.

    document = read_document("book.epub")

Formats: plain text (.txt), Markdown (.md), HTML (.html, .htm, .xhtml), EPUB 2/3
(.epub), PDF with a text layer (.pdf), Word (.docx), OpenDocument text (.odt),
FictionBook (.fb2), and Kindle
books (.mobi, .azw3) when Calibre's ebook-convert is installed. Anything else is
refused with one line that lists these.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from narrate.errors import InputError
from narrate.patterns import WORD_CHARACTER
from narrate.read.document import PROSE, Block, Document

SOURCE_SUFFIXES = {".txt": "text", ".text": "text", "": "text", ".md": "markdown",
           ".markdown": "markdown", ".html": "html", ".htm": "html", ".xhtml": "html",
           ".epub": "epub", ".pdf": "pdf", ".docx": "docx", ".odt": "odt", ".fb2": "fb2",
           ".mobi": "kindle", ".azw3": "kindle", ".azw": "kindle"}
READS = ("plain text (.txt), Markdown (.md), HTML (.html), EPUB (.epub), PDF (.pdf), Word "
         "(.docx), OpenDocument (.odt), FictionBook (.fb2) or, with Calibre, Kindle books (.mobi, .azw3)")

__all__ = ["SOURCE_SUFFIXES", "Block", "Document", "kind_summary", "read_document"]


def read_document(path: str | Path) -> Document:
    """Read any supported file; bad or unsupported input is an InputError naming the file."""
    from narrate.read.files import open_source

    path = Path(path)
    kind = SOURCE_SUFFIXES.get(path.suffix.lower())
    open_source(path).close()  # one message for a missing file, a folder or a pipe, whatever its name
    if kind is None:
        raise InputError(f"{path}: narrate cannot read {path.suffix} files; it reads {READS} — "
                         "convert the book to one of these")
    if kind == "epub":
        from narrate.read.epub import read_epub

        document = read_epub(str(path))
    elif kind == "kindle":
        from narrate.read.kindle import read_kindle

        document = read_kindle(str(path))
    elif kind == "docx":
        from narrate.read.docx import read_docx

        document = read_docx(str(path))
    elif kind == "odt":
        from narrate.read.odt import read_odt

        document = read_odt(str(path))
    elif kind == "pdf":
        from narrate.read.pdf import read_pdf

        document = read_pdf(str(path))
    else:
        document = _read_file(path, kind)
    _require_prose(document, str(path))
    return document


def _read_file(path: Path, kind: str) -> Document:
    from narrate.read.files import MAX_HTML_BYTES, MAX_SOURCE_BYTES, decode, read_bytes
    from narrate.read.text import read_text

    data = read_bytes(path, MAX_HTML_BYTES if kind in ("html", "fb2") else MAX_SOURCE_BYTES)
    if kind == "fb2":
        from narrate.read.fb2 import read_fb2

        return read_fb2(data, str(path))
    if kind == "html":
        from narrate.read.html import read_html

        if not data.strip():
            raise InputError(f"{path}: the file is empty; give narrate a page with some words")
        return read_html(data, str(path))
    source = decode(data, str(path))
    if kind == "markdown":
        from narrate.read.markdown import read_markdown

        document = read_markdown(source.text, str(path))
    else:
        document = read_text(source.text, str(path))
    document.problems[:0] = source.problems
    document.encoding = source.encoding
    return document


def _require_prose(document: Document, name: str) -> None:
    if any(b.kind in PROSE and WORD_CHARACTER.search(b.text) for b in document.blocks):
        return
    found = kind_summary(document.blocks) or "nothing"
    raise InputError(f"{name}: no text to read aloud (found {found}); check it is the right "
                     "file, or that its text is not all headings or code")


def kind_summary(blocks: list[Block]) -> str:
    counts = Counter(b.kind for b in blocks)
    return ", ".join(f"{n} {kind}" + ("s" if n > 1 and not kind.endswith(("s", "matter"))
                                      else "") for kind, n in counts.most_common())
