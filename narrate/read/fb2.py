"""FictionBook 2 (.fb2): plain XML, turned into the HTML narrate's HTML reader reads.

A <section> is a chapter (nested sections are its sections) titled by its <title>;
<p> paragraphs, <epigraph> and <cite> quotations, <poem> stanzas (a line a paragraph,
in the quote voice), <subtitle> headings, <empty-line/> breaks, <table> tables; a
link of type "note" is a note reference, and the sections of the body named "notes" or
"comments" are the notes. Title, author and language come from <title-info>. The file
is parsed as every XML file is (read.safe: no DTD, no entities, nothing fetched); its
pictures (<binary>) are never decoded.
"""

from __future__ import annotations

from lxml import etree

from narrate.errors import InputError
from narrate.read.document import Document
from narrate.read.elements import local
from narrate.read.html import read_html
from narrate.read.safe import parse_xml

_XLINK = "{http://www.w3.org/1999/xlink}href"
_BLOCKS = {"p": "p", "subtitle": "h6", "text-author": "p", "v": "p"}
_QUOTES = {"epigraph", "cite", "poem", "stanza"}
MAX_DEPTH = 64  # sections inside sections: past this they are read as one level


def read_fb2(data: bytes, name: str) -> Document:
    root = parse_xml(data, name)
    if local(root) != "fictionbook":
        raise InputError(f"{name}: not a FictionBook (its root is <{local(root)}>); pass an "
                         ".fb2 book")
    bodies = [e for e in root if local(e) == "body"]
    if not bodies:
        raise InputError(f"{name}: a FictionBook with no <body>; the book is incomplete")
    page = etree.Element("html")
    html_body = etree.SubElement(page, "body")
    for body in bodies:
        notes = body.get("name", "").lower() in ("notes", "comments", "footnotes")
        _convert(body, html_body, 1, notes)
    document = read_html(etree.tostring(page, encoding="utf-8"), name)
    document.metadata.update(_metadata(root))
    return document


def _convert(element, out, depth: int, notes: bool) -> None:
    for child in element:
        tag = local(child)
        if tag == "section" and notes and child.get("id"):
            note = etree.SubElement(out, "p", {"class": "footnote", "id": child.get("id")})
            note.text = " ".join(" ".join(_text(p) for p in child if local(p) == "p").split())
        elif tag == "section":
            _convert(child, etree.SubElement(out, "section"), min(depth + 1, MAX_DEPTH), notes)
        elif tag == "title" and not notes:
            heading = etree.SubElement(out, f"h{min(depth, 6)}")
            heading.text = " ".join(_text(p) for p in child if local(p) == "p")
        elif tag in _QUOTES:
            _convert(child, out if tag == "stanza" else etree.SubElement(out, "blockquote"),
                     depth, notes)
        elif tag in _BLOCKS and not notes:
            _inline(child, etree.SubElement(out, _BLOCKS[tag]))
        elif tag == "empty-line":
            etree.SubElement(out, "hr")
        elif tag == "table":
            table = etree.SubElement(out, "table")
            for row in (r for r in child if local(r) == "tr"):
                cells = etree.SubElement(table, "tr")
                for cell in row:
                    _inline(cell, etree.SubElement(cells, "th" if local(cell) == "th" else "td"))


def _inline(element, out) -> None:
    """The words of a paragraph, a note link as a note mark the HTML reader knows."""
    out.text = element.text or ""
    for child in element:
        if local(child) == "a" and child.get("type") == "note":
            mark = etree.SubElement(out, "sup")
            link = etree.SubElement(mark, "a", {"href": child.get(_XLINK) or child.get("href") or ""})
            link.text = "[" + ("".join(child.itertext()).strip(" []") or "*")[:3] + "]"
            mark.tail = child.tail
        else:
            span = etree.SubElement(out, "span")
            span.text, span.tail = "".join(child.itertext()), child.tail


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _metadata(root) -> dict:
    info = next((e for e in root.iter() if local(e) == "title-info"), None)
    if info is None:
        return {}
    found: dict = {}
    authors = []
    for child in info:
        tag = local(child)
        if tag == "book-title" and _text(child):
            found["title"] = _text(child)
        elif tag == "author":
            parts = [_text(p) for p in child if local(p) in ("first-name", "middle-name",
                                                            "last-name")]
            if any(parts):
                authors.append(" ".join(p for p in parts if p))
        elif tag == "lang" and _text(child):
            found["language"] = _text(child)
    if authors:
        found["author"] = ", ".join(authors)
    return found
