"""Small Word documents written by hand in the tests: the few parts a .docx needs, and the
paragraphs, notes, comments and tracked changes each test asks for (WordprocessingML)."""

from __future__ import annotations

import zipfile
from pathlib import Path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
          'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
          'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
          '"application/xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="word/document.xml"/></Relationships>')
_PART_TYPES = {"footnotes": "footnotes", "comments": "comments", "styles": "styles"}


def paragraph(text: str, style: str = "", runs: str = "") -> str:
    """A paragraph of one run of `text` (and any raw `runs` after it)."""
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r>{runs}</w:p>"


def footnote_mark(number: int) -> str:
    return f'<w:r><w:footnoteReference w:id="{number}"/></w:r>'


def styles() -> str:
    headings = "".join(f'<w:style w:type="paragraph" w:styleId="Heading{n}"><w:name '
                       f'w:val="heading {n}"/></w:style>' for n in (1, 2))
    return f'<w:styles xmlns:w="{W}">{headings}</w:styles>'


def footnotes(notes: dict[int, str]) -> str:
    body = "".join(f'<w:footnote w:id="{n}">{paragraph(text)}</w:footnote>'
                   for n, text in notes.items())
    return f'<w:footnotes xmlns:w="{W}">{body}</w:footnotes>'


def comments(notes: dict[int, str]) -> str:
    body = "".join(f'<w:comment w:id="{n}" w:author="Ed">{paragraph(text)}</w:comment>'
                   for n, text in notes.items())
    return f'<w:comments xmlns:w="{W}">{body}</w:comments>'


def docx(path: Path, body: str, parts: dict[str, str] | None = None,
         core: str = "") -> Path:
    """A .docx whose document body is `body`; `parts`: "footnotes", "comments", "styles"
    -> their XML; `core`: docProps/core.xml."""
    parts = parts or {}
    links = "".join(f'<Relationship Id="r{name}" Type="{R}/{_PART_TYPES[name]}" '
                    f'Target="{name}.xml"/>' for name in parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?>'
                         f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body}'
                         "</w:body></w:document>")
        archive.writestr("word/_rels/document.xml.rels",
                         '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
                         'schemas.openxmlformats.org/package/2006/relationships">'
                         f"{links}</Relationships>")
        for name, xml in parts.items():
            archive.writestr(f"word/{name}.xml", xml)
        if core:
            archive.writestr("docProps/core.xml", core)
    return path
