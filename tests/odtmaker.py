"""Small OpenDocument texts written by hand in the tests: a content.xml of the elements each
test asks for, and a meta.xml with a title, an author and a language."""

from __future__ import annotations

import zipfile
from pathlib import Path

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')
META = (f'<office:document-meta {NS}><office:meta><dc:title>A Talk on Bridges</dc:title>'
        '<meta:initial-creator>Bea Builder</meta:initial-creator><dc:language>en-GB'
        '</dc:language></office:meta></office:document-meta>')


def odt(path: Path | str, body: str, prologue: str = "") -> str:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", f'{prologue}<office:document-content {NS}><office:body>'
                                        f'<office:text>{body}</office:text></office:body>'
                                        '</office:document-content>')
        archive.writestr("meta.xml", META)
    return str(path)


def h(text: str, level: int = 1) -> str:
    return f'<text:h text:outline-level="{level}">{text}</text:h>'


def p(text: str) -> str:
    return f"<text:p>{text}</text:p>"
