"""Untrusted files: XML and HTML parsers that fetch and expand nothing, and a zip reader
with caps.

An EPUB or a web page from the internet may carry an external entity (XXE), an
entity bomb ("billion laughs") or a zip bomb. The parsers here never load a DTD,
never resolve an entity and never touch the network; zip members are read by name
into memory (never written to disk under their own names) after their sizes and
compression ratios are checked, and reading stops at the cap whatever the header says.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from html.entities import html5 as HTML_CHARACTERS

from lxml import etree, html

from narrate.errors import InputError
from narrate.read.files import open_source

MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one file inside a zip
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # all of them
MAX_RATIO = 100  # uncompressed : compressed, for members over 1 MB


def xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True)


def html_parser(encoding: str | None = None) -> html.HTMLParser:
    return html.HTMLParser(no_network=True, remove_comments=True, default_doctype=False,
                           encoding=encoding)


def libxml2_said(message: str) -> str:
    """libxml2's message in narrate's words: one line, without its parser options."""
    message = " ".join((message or "").split())
    if "Excessive depth" in message:
        return f"elements nested more than {MAX_DEPTH} deep, past which narrate cannot read"
    if "amplification" in message.lower() or "entit" in message.lower():
        return "entities that expand too far (an XML bomb), which narrate refuses"
    if "XML_PARSE_HUGE" in message:
        return "a part larger than narrate reads (libxml2's limit for one document)"
    return message[:200]


def check_html_depth(parser, name: str) -> None:
    """The HTML parser stops at MAX_DEPTH nested elements and drops the rest: a refusal
    that says where, rather than a book that silently ends there."""
    for entry in parser.error_log:
        if "Excessive depth" in entry.message:
            raise InputError(f"{name}: line {entry.line}: {libxml2_said(entry.message)}; the "
                             "rest of the page would be lost — flatten its nesting")


MAX_DEPTH = 256  # libxml2's limit on nested elements


_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}


def _html_entity_as_number(match: re.Match) -> bytes:
    """&nbsp; -> &#160;: HTML's named characters, which EPUB 2 packages and parts use
    under a DOCTYPE narrate never loads, as the numbers XML knows without one."""
    name = match.group(1)
    text = HTML_CHARACTERS.get(name.decode("ascii") + ";")
    if name in _XML_ENTITIES or text is None:
        return match.group()
    return "".join(f"&#{ord(c)};" for c in text).encode("ascii")


def _ascii_based(data: bytes) -> bool:
    """UTF-8 or a one-byte encoding, where `&name;` is those ASCII bytes (not UTF-16)."""
    return not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in data[:4]


def parse_xml(data: bytes, name: str) -> etree._Element:
    """Parse XML; HTML's named characters (&nbsp;) are read as the characters they name,
    any other entity stays unexpanded and is refused. A document with a DTD that declares
    entities is refused: narrate has no use for them and they are how XML bombs are built."""
    if _ascii_based(data):
        data = _NAMED_ENTITY.sub(_html_entity_as_number, data)
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{name}: not well-formed XML ({libxml2_said(exc.msg)}, line "
                         f"{exc.lineno}); repair the file or convert the book again") from None
    if root is None:
        raise InputError(f"{name}: an empty XML document; repair the file")
    doctype = root.getroottree().docinfo.internalDTD
    if doctype is not None and any(True for _ in doctype.iterentities()):
        raise InputError(f"{name}: declares XML entities (a DTD with <!ENTITY>), which "
                         "narrate refuses to expand; remove the DOCTYPE's entity declarations")
    unknown = next(root.iter(etree.Entity), None)  # kept as nodes under a DOCTYPE
    if unknown is not None:
        raise InputError(f"{name}: line {unknown.sourceline}: the entity {unknown.text} is not "
                         "one of HTML's named characters; write the character itself")
    return root


_DECLARED = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]{1,40})""",
                       re.IGNORECASE)


def _true_encoding(data: bytes) -> str | None:
    """UTF-8 for a page whose bytes are UTF-8 (with letters past ASCII) whatever its
    <meta charset> says: a page declaring us-ascii, utf-7 or iso-2022-jp over UTF-8 was
    cut at its first accented letter. None: the parser's own choice."""
    declared = _DECLARED.search(data[:8192])
    if not declared or declared.group(1).lower() in (b"utf-8", b"utf8") or data.isascii():
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "utf-8"


def parse_html(data: bytes, name: str, xhtml: bool = False):
    """The document's root. XHTML (an EPUB part) must be well-formed XML; an HTML page is
    parsed as browsers do."""
    if xhtml:
        return parse_xml(data, name)
    parser = html_parser(_true_encoding(data))
    try:
        root = etree.fromstring(data, parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"{name}: cannot be parsed as HTML ({exc}); check it is a web page") \
            from None
    check_html_depth(parser, name)
    if root is None:
        raise InputError(f"{name}: an empty HTML document; check it is the right file")
    return root


class SafeZip:
    """A zip file whose members are read with size and ratio caps."""

    def __init__(self, path: str):
        self.path = path
        self._file = open_source(path)  # a regular file: a pipe named book.epub would hang
        try:
            self.zip = zipfile.ZipFile(self._file)
        except (zipfile.BadZipFile, EOFError, UnicodeDecodeError, ValueError,
                NotImplementedError) as exc:  # a damaged directory, a name that is not UTF-8
            self._file.close()
            raise InputError(f"{path}: not a complete zip archive (truncated or damaged: "
                             f"{_short(exc)}); download or export the book again") from None
        except OSError as exc:
            self._file.close()
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        self.names = set(self.zip.namelist())
        self._check_sizes()

    def _check_sizes(self) -> None:
        total = packed = 0
        for info in self.zip.infolist():
            total += info.file_size
            packed += info.compress_size
            ratio = info.file_size / max(1, info.compress_size)
            if info.file_size > MAX_MEMBER_BYTES or (info.file_size >= 2**20 and ratio > MAX_RATIO):
                raise InputError(f"{self.path}: member {info.filename!r} inflates to "
                                 f"{info.file_size / 2**20:.0f} MB (ratio {ratio:.0f}:1); "
                                 "refused as a possible zip bomb")
        if total >= 16 * 2**20 and total / max(1, packed) > MAX_RATIO:  # many members
            raise InputError(f"{self.path}: inflates to {total / 2**20:.0f} MB from "  # each
                             f"{packed / 2**10:.0f} kB (ratio {total / max(1, packed):.0f}:1); "
                             "refused as a possible zip bomb")  # under the check above
        if total > MAX_TOTAL_BYTES:
            raise InputError(f"{self.path}: inflates to {total / 2**20:.0f} MB in all; refused "
                             "as a possible zip bomb")

    def read(self, name: str, part: str = "") -> bytes:
        """A member's bytes, reading no more than the cap whatever its header claims."""
        if name not in self.names:
            raise InputError(f"{self.path}: {part or name!r} is missing from the archive; "
                             "the book is incomplete — export it again")
        try:
            with self.zip.open(name) as handle:
                data = handle.read(MAX_MEMBER_BYTES + 1)
        except RuntimeError:  # zipfile's word for a member with the encryption bit
            raise InputError(f"{self.path}: {name!r} is encrypted (a password or DRM); narrate "
                             "reads only books without DRM") from None
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, zlib.error,
                ValueError) as exc:  # a damaged member, or one asking for an unknown method
            raise InputError(f"{self.path}: {name!r} cannot be unpacked ({_short(exc)}); the "
                             "archive is damaged — export the book again") from None
        if len(data) > MAX_MEMBER_BYTES:
            raise InputError(f"{self.path}: {name!r} is larger than its header says; refused")
        return data

    def close(self) -> None:
        self.zip.close()
        self._file.close()


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:120] or type(exc).__name__
