"""Small PDFs made in the tests, with fpdf2: lines placed where a typesetter would put them
(columns, running heads, raised note marks, an outline), so that each shape the PDF
reader must undo is made on purpose and nothing is copied from a real book."""

from __future__ import annotations

import zlib
from pathlib import Path

from fpdf import FPDF

BODY = 11
LEADING = 14


def new_pdf(title: str = "", author: str = "") -> FPDF:
    pdf = FPDF(unit="pt", format=(420, 600))
    pdf.set_auto_page_break(False)
    pdf.set_font("helvetica", size=BODY)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    return pdf


def put_lines(pdf: FPDF, x: float, y: float, texts: list[str], size: float = BODY,
              leading: float = LEADING, style: str = "") -> float:
    """Each text on its own line from (x, y) down (y is the first baseline, from the
    top); the baseline after the last."""
    pdf.set_font("helvetica", style=style, size=size)
    for text in texts:
        pdf.text(x, y, text)
        y += leading
    pdf.set_font("helvetica", size=BODY)
    return y


def raised(pdf: FPDF, x: float, y: float, mark: str, size: float = 6.5) -> None:
    """A note mark set small above the baseline at (x, y)."""
    pdf.set_font("helvetica", size=size)
    pdf.text(x, y - 4, mark)
    pdf.set_font("helvetica", size=BODY)


def width(pdf: FPDF, text: str, size: float = BODY) -> float:
    pdf.set_font("helvetica", size=size)
    found = pdf.get_string_width(text)
    pdf.set_font("helvetica", size=BODY)
    return found


def running_heads(pdf: FPDF, head: str, number: int) -> None:
    """A running head at the top of the page and its number at the foot."""
    put_lines(pdf, 60, 40, [f"{head}   {number}" if number % 2 else f"{number}   {head}"],
              size=8)
    put_lines(pdf, 200, 570, [str(number)], size=9)


def parted_pdf(path: Path) -> Path:
    """An outline of parts: the second part's title page holds nothing but its title."""
    pdf = new_pdf(title="Walks")
    for part, chapters in (("Hills", ["The Ridge"]), ("Shores", ["The Bay", "The Cliffs"])):
        pdf.add_page()
        pdf.start_section(part, level=0)
        put_lines(pdf, 140, 200, [part.upper()], size=20)
        if part == "Hills":
            put_lines(pdf, 40, 260, ["A part about hills begins with a page of its own words."])
        for title in chapters:
            pdf.add_page()
            pdf.start_section(title, level=1)
            put_lines(pdf, 40, 80, [title], size=16)
            put_lines(pdf, 40, 120, [f"We walked to {title.lower()} and came home again."])
        pdf.start_section("At Dusk", level=2)  # sections in chapters: the top entries are parts
        put_lines(pdf, 40, 160, ["At dusk the light was low and we walked slowly."])
    return save(pdf, path)



def save(pdf: FPDF, path: Path) -> Path:
    pdf.output(str(path))
    return path


def raw_pdf(path: Path, content: bytes, font: str = "", extra: list[bytes] | None = None
            ) -> Path:
    """A one-page PDF written by hand: `content` its page's drawing, `font` the font
    dictionary's entries beyond the base font (e.g. a /ToUnicode reference), `extra` more
    objects numbered from 6."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 400] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>"),
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica " + font.encode() + b" >>"]
    objects += extra or []
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def to_unicode_map(codes: range, first_target: int) -> bytes:
    """A /ToUnicode stream object mapping each code to a character from `first_target` on."""
    entries = b"".join(b"<%02X> <%04X>\n" % (code, first_target + i)
                       for i, code in enumerate(codes))
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"1 begincodespacerange <00> <FF> endcodespacerange\n"
            b"%d beginbfchar\n" % len(codes) + entries + b"endbfchar\nendcmap\n"
            b"CMapName currentdict /CMap defineresource pop end end")
    packed = zlib.compress(cmap)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + \
        b"\nendstream"
