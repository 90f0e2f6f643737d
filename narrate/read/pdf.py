"""A PDF's text layer as a Document, with pypdfium2 (PDFium in the wheel; Apache-2.0/BSD).

Chapters come from the outline (bookmarks) when the PDF has one, else from headings set
larger than the body text; title and author from the document's information. Running
heads, page numbers and printers' slugs are taken off (pdfpages), columns are read in
order (pdflayout), lines are joined into paragraphs with broken words mended
(pdfblocks), and footnotes become notes that the body's raised marks refer to.

Refused in one line: a file that is not a PDF or is damaged past repair, a PDF locked
with a password (an empty password is tried), one without a text layer (scanned pages:
narrate does no OCR), one whose fonts map their glyphs to no letters, and one past the
limits on size and pages.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from narrate.errors import InputError
from narrate.problems import WARNING, Problem
from narrate.processes import worker_context
from narrate.read import sections
from narrate.read.document import FRONT_MATTER, HEADING, NOTE, Block, Document
from narrate.read.files import read_bytes
from narrate.read.pdfblocks import Outlined, Paragraphs, Vocabulary, clean, settle_levels
from narrate.read.pdfguard import check_streams, read_apart
from narrate.read.pdflayout import Line, Table, find_tables, page_lines, reading_order
from narrate.read.pdfoutline import letters, outline_headings, place_headings, printed_titles
from narrate.read.pdfpages import (
    Footnote,
    note_text,
    pages_by_mark,
    resolve_ref,
    strip_furniture,
    take_footnotes,
)

MAX_PDF_BYTES = 256 * 1024 * 1024
MAX_PAGES = 5000
_ERRORS = {1: "is not a PDF narrate can open (PDFium reads no document in it)",
           2: "cannot be found or opened", 3: "is not a PDF, or is damaged past repair "
           "(no readable cross-reference table or objects)",
           5: "uses a security handler narrate cannot open (DRM)", 6: "has no pages"}
_GARBAGE = re.compile(r"[\ue000-\uf8ff\ufffd\x00-\x08\x0e-\x1f]|/g\d+|\(cid:\d+\)")


def read_pdf(path: str) -> Document:
    """The PDF's Document, read by PDFium in a child process (pdfguard)."""
    data = read_bytes(path, MAX_PDF_BYTES)
    if b"%PDF-" not in data[:1024]:
        raise InputError(f"{path}: not a PDF (no %PDF- header); check it is the right file")
    check_streams(data, path)
    document = read_apart(read_pdf_here, path, worker_context())
    assert isinstance(document, Document)
    return document


def read_pdf_here(path: str) -> Document:
    """The PDF's Document, read in this process."""
    data = read_bytes(path, MAX_PDF_BYTES)
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _refusal(path, exc.err_code) from None
    try:
        return _read(path, document)
    finally:
        document.close()


def _refusal(path: str, code: int | None) -> InputError:
    if code == 4:
        return InputError(f"{path}: is locked with a password (it is encrypted); open it in a "
                          "PDF reader and save or print a copy without one")
    what = _ERRORS.get(code or 0, "cannot be read by PDFium")
    return InputError(f"{path}: {what}; export or download the PDF again")


def _read(path: str, document) -> Document:
    count = len(document)
    if count == 0:
        raise InputError(f"{path}: has no pages; export the PDF again")
    if count > MAX_PAGES:
        raise InputError(f"{path}: {count} pages, more than narrate reads in one book "
                         f"({MAX_PAGES}); split the PDF")
    pages, margins, problems = _pages(document, count)
    _require_text(path, pages)
    blank = [i + 1 for i, lines in enumerate(pages) if not lines]
    if len(blank) > max(2, count // 10):  # more than covers and blank pages
        problems.append(Problem("pdf-no-text", f"{len(blank)} of {count} pages have no text "
                                f"layer (scanned pages?), first page {blank[0]}; not read — "
                                "run an OCR tool such as ocrmypdf on the PDF", WARNING))
    body = _body_size(pages)
    strip_furniture(pages, body, margins)
    outline = outline_headings(document, count)
    vocabulary = Vocabulary(line for lines in pages for line in lines)
    reader = Paragraphs(body, vocabulary)
    reader.body_bold = _body_bold(pages)
    notes: list[Footnote] = []
    by_page: dict[int, list[Outlined]] = {}
    for entry in outline:
        by_page.setdefault(entry.page, []).append(entry)
    for number, lines in enumerate(pages, start=1):
        printed = printed_titles(by_page.get(number, []), lines, reader)
        for region in find_tables(reading_order(lines)):
            if isinstance(region, Table):
                reader.table(region)
                continue
            region = take_footnotes(region, body, notes)
            if printed and region:
                region = place_headings(printed, region, reader)
            if region:
                reader.region(region)
        reader.end_page()
    reader.finish()
    blocks = reader.blocks
    _link_notes(blocks, notes)
    chapter_level = settle_levels(blocks, reader.sizes, body, bool(outline))
    sections.mark_named_sections(blocks)
    _front_matter(blocks)
    metadata = _metadata(document)
    if not metadata.get("title"):
        metadata["title"] = next((b.text for b in blocks if b.kind == FRONT_MATTER), "")
    for block in blocks:  # a half-title page: the book's title alone, set large
        if block.kind == HEADING and letters(block.text) == letters(metadata["title"]):
            block.kind = FRONT_MATTER
    return Document(blocks, {k: v for k, v in metadata.items() if v}, chapter_level,
                    problems=problems, source=path)


def _pages(document, count: int) -> tuple[list[list[Line]], list[tuple[float, float]],
                                          list[Problem]]:
    """Every page's lines and margins; a page PDFium cannot load is a warning."""
    pages, margins, problems = [], [], []
    for i in range(count):
        try:
            lines, margin = _lines(document, i)
        except pdfium.PdfiumError as exc:  # one damaged page: the others are still read
            problems.append(Problem("pdf-page", f"page {i + 1} is damaged ({exc}); not read",
                                    WARNING, part=f"page {i + 1}"))
            lines, margin = [], (0.0, 0.0)
        pages.append(lines)
        margins.append(margin)
    return pages, margins, problems


def _lines(document, index: int) -> tuple[list[Line], tuple[float, float]]:
    """A page's lines, and the heights below and above which its margins are (an eighth
    of the page at each end: where running heads and page numbers are set)."""
    page = document[index]
    try:
        # the box the page is shown in (get_bbox: its crop box, inherited from the page tree
        # as PDF allows; get_cropbox gave US Letter for a box set on the tree)
        trim = page.get_trimbox() if _has_box(page, "TrimBox") else page.get_bbox()
        margin = (trim[3] - trim[1]) / 8
        textpage = page.get_textpage()
        try:
            return page_lines(textpage, index + 1, trim), (trim[1] + margin, trim[3] - margin)
        finally:
            textpage.close()
    finally:
        page.close()


def _has_box(page, name: str) -> bool:
    getter = getattr(pdfium_c, f"FPDFPage_Get{name}")
    values = [ctypes.c_float() for _ in range(4)]
    return bool(getter(page.raw, *(ctypes.byref(v) for v in values)))


def _require_text(path: str, pages: list[list[Line]]) -> None:
    text = "".join(line.text for lines in pages for line in lines)
    if len(text) < 20 and not re.search(r"\w{3}", text):
        raise InputError(f"{path}: has no text layer (its pages are pictures, as a scan "
                         "is); narrate does no OCR — run an OCR tool such as ocrmypdf first")
    garbage = sum(len(m.group()) for m in _GARBAGE.finditer(text))
    letters = sum(ch.isalpha() for ch in text)
    if garbage > 0.2 * len(text) or letters < 0.3 * len(text):
        raise InputError(f"{path}: its fonts map glyphs to no letters (the text layer reads "
                         "as codes, not words); narrate cannot read it — export the PDF again "
                         "with fonts embedded as text, or run OCR on it")


def _body_size(pages: list[list[Line]]) -> float:
    sizes: Counter = Counter()
    for lines in pages:
        for line in lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _body_bold(pages: list[list[Line]]) -> bool:
    weight: Counter = Counter()
    for lines in pages:
        for line in lines:
            weight[line.bold] += len(line.text)
    return weight[True] > weight[False]


# ---- notes, front matter, metadata ----------------------------------------------------------


def _link_notes(blocks: list[Block], notes) -> None:
    """Footnotes as note blocks; the raised marks in the text as references to them."""
    by_mark = pages_by_mark(notes)
    for block in blocks:
        if block.refs:
            page = int(block.part.split()[-1])
            found = (resolve_ref(mark, page, by_mark) for mark in block.refs)
            block.refs = tuple(dict.fromkeys(r for r in found if r))
    seen: set[str] = set()
    for note in notes:
        note_id = f"note-{note.page}-{note.mark}"
        if note_id in seen:
            continue
        seen.add(note_id)
        blocks.append(Block(NOTE, clean(note_text(note)), part=f"page {note.page}",
                            note_id=note_id))


def _front_matter(blocks: list[Block]) -> None:
    """An outline's "Cover" or "Title page": not read."""
    inside = False
    for block in blocks:
        if block.kind == HEADING and block.level == 1:
            inside = bool(re.fullmatch(r"cover|title page|half title", block.text.strip().lower()))
        if inside:
            block.kind = FRONT_MATTER


def _metadata(document) -> dict:
    info = document.get_metadata_dict(skip_empty=True)
    found = {"title": " ".join(info.get("Title", "").split()),
             "author": " ".join(info.get("Author", "").split())}
    size = pdfium_c.FPDFCatalog_GetLanguage(document.raw, None, 0)
    if 2 < size <= 64:
        buffer = (ctypes.c_ushort * (size // 2))()
        pdfium_c.FPDFCatalog_GetLanguage(document.raw, buffer, size)
        found["language"] = bytes(buffer)[:size - 2].decode("utf-16-le", "replace")
    return found
