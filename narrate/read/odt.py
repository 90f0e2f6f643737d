"""An OpenDocument text (.odt: LibreOffice, Google Docs) as a Document: its content.xml,
plain XML, turned into the HTML narrate's HTML reader reads (as FictionBook is).

Headings (`text:h`, by outline level) make chapters and sections; paragraphs, lists and
tables come through as their HTML; a footnote or endnote (`text:note`) is a note, its
mark not spoken; a text box's paragraphs are read after the paragraph that holds it.
Comments (`office:annotation`) are never read, nor tracked deletions (`text:tracked-
changes` holds them); a table of contents is contents, not read. The archive is opened as
EPUBs are (read.safe: sizes and ratios capped, a zip bomb refused) and its XML parsed
with nothing fetched or expanded. Title, author and language come from meta.xml.
"""

from __future__ import annotations

from lxml import etree

from narrate.errors import InputError
from narrate.read.document import Document
from narrate.read.elements import local
from narrate.read.html import read_html
from narrate.read.safe import SafeZip, parse_xml

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_SKIPPED = {"annotation", "annotation-end", "tracked-changes", "note-citation", "bookmark",
            "bookmark-start", "bookmark-end", "soft-page-break", "sequence-decls"}
_CONTENTS = {"table-of-content", "alphabetical-index", "illustration-index", "table-index"}
_META = {"title": "title", "initial-creator": "author", "creator": "author",
         "language": "language"}
MAX_DEPTH = 64  # lists and sections inside one another: past this, read as one level


def read_odt(path: str) -> Document:
    archive = SafeZip(path)
    try:
        if "content.xml" not in archive.names:
            raise InputError(f"{path}: a zip archive but not an OpenDocument text (no "
                             "content.xml); pass an .odt file")
        content = archive.read("content.xml")
        meta = archive.read("meta.xml") if "meta.xml" in archive.names else b""
    finally:
        archive.close()
    root = parse_xml(content, f"{path}: content.xml")
    text = next((e for e in root.iter() if local(e) == "text" and e.tag.startswith("{urn:oasis")
                 and local(e.getparent()) == "body"), None)
    if text is None:
        raise InputError(f"{path}: an OpenDocument with no text body (a spreadsheet or a "
                         "drawing?); pass a text document (.odt)")
    page = etree.Element("html")
    body = etree.SubElement(page, "body")
    notes: list = []
    _blocks(text, body, notes, 0)
    body.extend(notes)
    document = read_html(etree.tostring(page, encoding="utf-8"), path)
    document.metadata.update(_metadata(path, meta))
    document.source = path
    return document


def _blocks(element, out, notes: list, depth: int) -> None:
    """The block elements under `element` as HTML blocks appended to `out`."""
    for child in element:
        tag = local(child)
        if tag == "h":
            level = child.get(f"{{{_TEXT}}}outline-level") or "1"
            level = int(level) if level.isdigit() else 1
            _paragraph(child, etree.SubElement(out, f"h{min(max(level, 1), 6)}"), out, notes,
                       depth)
        elif tag == "p":
            _paragraph(child, etree.SubElement(out, "p"), out, notes, depth)
        elif tag == "list" and depth < MAX_DEPTH:
            items = etree.SubElement(out, "ul")
            for item in (e for e in child if local(e) in ("list-item", "list-header")):
                _blocks(item, etree.SubElement(items, "li"), notes, depth + 1)
        elif tag == "table":
            _table(child, etree.SubElement(out, "table"), notes, depth)
        elif tag in _CONTENTS:
            _blocks(child, etree.SubElement(out, "nav"), notes, depth + 1)
        elif tag in ("section", "index-body", "text-box") and depth < MAX_DEPTH:
            _blocks(child, out, notes, depth + 1)


def _table(table, out, notes: list, depth: int) -> None:
    for row in (r for r in table.iter() if local(r) == "table-row"):
        cells = etree.SubElement(out, "tr")
        for cell in (c for c in row if local(c) == "table-cell"):
            into = etree.SubElement(cells, "td")
            for paragraph in (p for p in cell if local(p) in ("p", "h")):
                _append(into, " ")
                _inline(paragraph, into, notes, depth)


def _paragraph(element, out, after, notes: list, depth: int) -> None:
    """A paragraph's words into `out`, its text boxes' paragraphs after it."""
    _inline(element, out, notes, depth)
    for frame in element.iter():
        if local(frame) == "text-box" and depth < MAX_DEPTH:
            _blocks(frame, after, notes, depth + 1)


def _inline(element, out, notes: list, depth: int) -> None:
    """The words of a paragraph's inline content appended to `out`; a note as its mark."""
    _append(out, element.text)
    for child in element:
        tag = local(child)
        if tag == "s":
            count = child.get(f"{{{_TEXT}}}c") or "1"
            _append(out, " " * min(int(count) if count.isdigit() else 1, 8))
        elif tag in ("tab", "line-break"):
            _append(out, " ")
        elif tag == "note":
            _note(child, out, notes, depth)
        elif tag not in _SKIPPED and tag != "frame":
            _inline(child, out, notes, depth)
        _append(out, child.tail)


def _append(out, text: str | None) -> None:
    if not text:
        return
    if len(out):
        out[-1].tail = (out[-1].tail or "") + text
    else:
        out.text = (out.text or "") + text


def _note(note, out, notes: list, depth: int) -> None:
    """A note's mark in `out`; its body kept for the end, as a note the mark refers to."""
    ident = f"note-{len(notes) + 1}"
    citation = next((e for e in note if local(e) == "note-citation"), None)
    written = " ".join("".join(citation.itertext()).split()) if citation is not None else ""
    link = etree.SubElement(etree.SubElement(out, "sup"), "a", {"href": f"#{ident}"})
    link.text = f"[{(written or str(len(notes) + 1))[:3]}]"
    kept = etree.Element("p", {"class": "footnote", "id": ident})
    notes.append(kept)
    held = etree.Element("div")
    body = next((e for e in note if local(e) == "note-body"), None)
    if body is not None and depth < MAX_DEPTH:
        _blocks(body, held, notes, depth + 1)
    kept.text = " ".join(" ".join(held.itertext()).split())


def _metadata(path: str, data: bytes) -> dict:
    if not data:
        return {}
    found: dict = {}
    for element in parse_xml(data, f"{path}: meta.xml").iter():
        key = _META.get(local(element))
        text = " ".join("".join(element.itertext()).split())
        if key and text and key not in found:
            found[key] = text
    return found
