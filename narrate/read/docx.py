"""A Word document (.docx) as a Document: mammoth (BSD-2) turns it into semantic HTML,
which narrate's HTML reader reads as it reads any page.

Heading styles become headings (chapters and sections); lists, tables and footnotes and
endnotes (notes, their marks not spoken) come through as their HTML; comments are never
read and tracked deletions are not (mammoth leaves both out; insertions are read). The
archive is opened as EPUBs are (read.safe: sizes and ratios capped, a zip bomb refused)
and an XML part that declares entities or a DOCTYPE is refused before mammoth parses it.
Title, author and language come from docProps/core.xml.
"""

from __future__ import annotations

import io
import re
import zipfile

import mammoth

from narrate.errors import InputError
from narrate.read.document import Document
from narrate.read.elements import local
from narrate.read.html import read_html
from narrate.read.safe import SafeZip, parse_xml

_NOTE_ITEM = re.compile(r'<li id="((?:foot|end)note-\d{1,9})">')
_BACKLINK = re.compile(r' ?<a href="#(?:foot|end)note-ref-\d{1,9}">↑</a>')
# a picture's words (its alt text, from the document), never its bytes: they are not kept
_NO_PICTURE = mammoth.images.img_element(lambda image: {"src": ""})
_CORE = {"title": "title", "creator": "author", "language": "language"}


def read_docx(path: str) -> Document:
    archive = SafeZip(path)
    try:
        if "word/document.xml" not in archive.names and not any(
                name.endswith("document.xml") for name in archive.names):
            raise InputError(f"{path}: a zip archive but not a Word document (no "
                             "word/document.xml); pass a .docx file")
        parts = {name: archive.read(name) for name in sorted(archive.names)
                 if name.endswith((".xml", ".rels"))}
    finally:
        archive.close()
    for name, data in parts.items():
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
            raise InputError(f"{path}: {name} declares a DOCTYPE or XML entities, which a "
                             "Word document never needs; refused — save the document again")
    html = _html(path, parts)
    document = read_html(html.encode("utf-8"), path)
    document.metadata.update(_core_properties(path, parts.get("docProps/core.xml")))
    document.source = path
    return document


def _html(path: str, parts: dict[str, bytes]) -> str:
    """The document as HTML, its notes marked as notes and their back links left out."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as rebuilt:  # only the parts checked above; no media
        for name, data in parts.items():
            rebuilt.writestr(name, data)
    try:
        body = mammoth.convert_to_html(packed, convert_image=_NO_PICTURE).value
    except Exception as exc:  # mammoth's word for a part it cannot read  # noqa: BLE001
        raise InputError(f"{path}: Word document cannot be read ({type(exc).__name__}: "
                         f"{' '.join(str(exc).split())[:120]}); save it again from Word") \
            from None
    body = _BACKLINK.sub("", body)
    body = _NOTE_ITEM.sub(r'<li class="footnote" id="\1">', body)
    return f"<html><body>{body}</body></html>"


def _core_properties(path: str, data: bytes | None) -> dict:
    if not data:
        return {}
    found: dict = {}
    for element in parse_xml(data, f"{path}: docProps/core.xml").iter():
        key = _CORE.get(local(element))
        text = " ".join("".join(element.itertext()).split())
        if key and text and key not in found:
            found[key] = text
    return found
