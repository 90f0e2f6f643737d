"""Untrusted files: XML parsers that fetch and expand nothing, and a zip reader with caps.

An EPUB or a web page from the internet may carry an external entity (XXE), an
entity bomb ("billion laughs") or a zip bomb. The parsers here never load a DTD,
never resolve an entity and never touch the network; zip members are read by name
into memory (never written to disk under their own names) after their sizes and
compression ratios are checked, and reading stops at the cap whatever the header says.
"""

from __future__ import annotations

import zipfile

from lxml import etree, html

from narrate.errors import InputError

MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one file inside a zip
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # all of them
MAX_RATIO = 100  # uncompressed : compressed, for members over 1 MB


def xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True)


def html_parser() -> html.HTMLParser:
    return html.HTMLParser(no_network=True, remove_comments=True, default_doctype=False)


def parse_xml(data: bytes, name: str) -> etree._Element:
    """Parse XML; entities stay unexpanded. A document with a DTD that declares entities
    is refused: narrate has no use for them and they are how XML bombs are built."""
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{name}: not well-formed XML ({exc.msg}, line {exc.lineno}); "
                         "repair the file or convert the book again") from None
    if root is None:
        raise InputError(f"{name}: an empty XML document; repair the file")
    doctype = root.getroottree().docinfo.internalDTD
    if doctype is not None and any(True for _ in doctype.iterentities()):
        raise InputError(f"{name}: declares XML entities (a DTD with <!ENTITY>), which "
                         "narrate refuses to expand; remove the DOCTYPE's entity declarations")
    return root


class SafeZip:
    """A zip file whose members are read with size and ratio caps."""

    def __init__(self, path: str, data: bytes | None = None):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise InputError(f"{path}: not a complete zip archive (truncated or damaged); "
                             "download or export the book again") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        self.names = set(self.zip.namelist())
        self._check_sizes()

    def _check_sizes(self) -> None:
        total = 0
        for info in self.zip.infolist():
            total += info.file_size
            ratio = info.file_size / max(1, info.compress_size)
            if info.file_size > MAX_MEMBER_BYTES or (info.file_size > 2**20 and ratio > MAX_RATIO):
                raise InputError(f"{self.path}: member {info.filename!r} inflates to "
                                 f"{info.file_size / 2**20:.0f} MB (ratio {ratio:.0f}:1); "
                                 "refused as a possible zip bomb")
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
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
            raise InputError(f"{self.path}: {name!r} cannot be unpacked ({exc}); the archive "
                             "is damaged — export the book again") from None
        if len(data) > MAX_MEMBER_BYTES:
            raise InputError(f"{self.path}: {name!r} is larger than its header says; refused")
        return data

    def close(self) -> None:
        self.zip.close()
