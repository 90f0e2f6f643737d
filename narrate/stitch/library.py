"""What audiobook libraries read beside the audio: Audiobookshelf's `metadata.json` and
an OPF package document (`metadata.opf`), which Audiobookshelf, calibre and others read.

Audiobookshelf reads a flat metadata.json: `authors`, `narrators` and `genres` as lists,
`series` as "Name #sequence" strings, `chapters` as {id, start, end, title} in seconds.
The OPF carries the same in Dublin Core: `dc:creator` with the roles aut and nrt
(opf:role, and an EPUB 3 `role` refinement), and calibre's series meta.
"""

from __future__ import annotations

import json
import re

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: str) -> str:
    """Text for XML: escaped, and the characters XML 1.0 forbids dropped (a book's text
    is untrusted)."""
    return _escape(_NOT_XML.sub("", value))


def xml_attr(value: str) -> str:
    """A quoted XML attribute value, likewise."""
    value = _escape(_NOT_XML.sub("", value)).translate(_ATTR_WHITESPACE)
    if '"' not in value:
        return f'"{value}"'
    return f"'{value}'" if "'" not in value else '"' + value.replace('"', "&quot;") + '"'


# xml.sax.saxutils' escape and quoteattr, without the import of urllib.request it brings
_ATTR_WHITESPACE = str.maketrans({"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def series_position(value) -> str:
    """A series position as written: 2, 2.5; never 2.0."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def abs_metadata(info, chapters: list[tuple[str, float, float]]) -> str:
    """Audiobookshelf's metadata.json for the book; `chapters`: (title, start, end) s."""
    series = [f"{info.series} #{series_position(info.series_index)}" if info.series_index not in
              (None, "") else info.series] if info.series else []
    data = {
        "tags": [], "title": info.title, "subtitle": info.subtitle or None,
        "authors": [info.author] if info.author else [],
        "narrators": [info.narrator] if info.narrator else [],
        "series": series, "genres": [info.genre] if info.genre else [],
        "publishedYear": str(info.year) if info.year else None, "publishedDate": None,
        "publisher": info.publisher or None, "description": info.comment or None,
        "isbn": info.isbn or None, "asin": None, "language": info.language or None,
        "explicit": False, "abridged": False,
        "chapters": [{"id": n, "start": round(start, 3), "end": round(end, 3), "title": title}
                     for n, (title, start, end) in enumerate(chapters)],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def opf_metadata(info, identifier: str) -> str:
    """An OPF 3 package document of the book's metadata (no manifest of its own: it sits
    beside the audio, as libraries expect)."""
    meta = [f"<dc:identifier id=\"id\">{xml_text(identifier)}</dc:identifier>",
            f"<dc:title>{xml_text(info.title)}</dc:title>",
            f"<dc:language>{xml_text(info.language or 'en')}</dc:language>"]
    people = [("aut", name) for name in [info.author] if name] + \
             [("nrt", name) for name in [info.narrator] if name]
    for n, (role, name) in enumerate(people, start=1):
        meta += [f"<dc:creator id=\"c{n}\" opf:role=\"{role}\">{xml_text(name)}</dc:creator>",
                 f"<meta refines=\"#c{n}\" property=\"role\" scheme=\"marc:relators\">{role}</meta>"]
    optional = [("dc:date", info.year), ("dc:publisher", info.publisher),
                ("dc:description", info.comment), ("dc:subject", info.genre)]
    meta += [f"<{tag}>{xml_text(str(value))}</{tag}>" for tag, value in optional if value]
    if info.subtitle:
        meta.append(f"<meta property=\"dcterms:alternative\">{xml_text(info.subtitle)}</meta>")
    if info.isbn:
        meta.append(f"<dc:identifier opf:scheme=\"ISBN\">{xml_text(info.isbn)}</dc:identifier>")
    if info.series:
        meta.append(f"<meta name=\"calibre:series\" content={xml_attr(info.series)}/>")
        if info.series_index not in (None, ""):
            meta.append(f"<meta name=\"calibre:series_index\" "
                        f"content={xml_attr(series_position(info.series_index))}/>")
    body = "\n    ".join(meta)
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" "
            "unique-identifier=\"id\">\n"
            "  <metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
            "xmlns:opf=\"http://www.idpf.org/2007/opf\">\n"
            f"    {body}\n  </metadata>\n</package>\n")
