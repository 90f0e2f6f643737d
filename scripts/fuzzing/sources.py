"""Sources for the readers: the test fixtures (a Gutenberg text and HTML page, a Markdown
page, an EPUB), a PDF, a Word document and a FictionBook made here, and small hand-made
shapes, mutated: bytes flipped, inserted or deleted, a stretch repeated thousands of
times, a structure nested deep, blank lines removed, an EPUB's or a Word document's member
damaged or its zip header bits set; each read by `narrate script FILE -o -`."""

from __future__ import annotations

import functools
import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .running import Runner, Verdict

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "corpus"


@dataclass
class Source:
    label: str
    suffix: str
    data: bytes


def make(rng: random.Random, base=None) -> Source:
    suffix, data = rng.choice(seeds())
    mutated = mutate(suffix, data, rng)
    return Source(f"a mutated {suffix} of {len(mutated):,} bytes", suffix, mutated)


def trial(narrate: Runner, base, source: Source, folder: Path) -> Verdict:
    folder.mkdir(parents=True)
    path = folder / f"book{source.suffix}"
    path.write_bytes(source.data)
    return narrate.verdict(narrate("script", path.name, "-o", "-", cwd=folder))


@functools.cache
def seeds() -> list[tuple[str, bytes]]:
    """(suffix, bytes) of each seed book."""
    found = [(p.suffix, p.read_bytes()) for p in sorted(FIXTURES.glob("*"))
             if p.suffix in (".txt", ".md", ".html")]
    epub = io.BytesIO()
    with zipfile.ZipFile(epub, "w", zipfile.ZIP_DEFLATED) as archive:
        folder = FIXTURES / "pragmatism-epub"
        archive.writestr(_member("mimetype", zipfile.ZIP_STORED), (folder / "mimetype").read_bytes())
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and name != "mimetype":
                archive.writestr(_member(name), path.read_bytes())
    found.append((".epub", epub.getvalue()))
    found += _pdf_word_and_fb2_seeds()
    found += [(".md", b"---\ntitle: T\n---\n\n# One\n\n> A quote, said.\n\n- a\n  - b\n\nText.\n"),
              (".html", (b"<html><body><h1>T</h1><p>Some <b>words</b>.</p><table><tr><td>1"
                        b"</td></tr></table></body></html>"))]
    return found


def _pdf_word_and_fb2_seeds() -> list[tuple[str, bytes]]:
    """A PDF with an outline, two columns, a running head and a footnote, its pages drawn
    uncompressed so that mutations reach the drawing's operators; a Word document with a
    heading, a footnote and a comment, and an OpenDocument text of the same
    (tests/pdfmaker.py, docxmaker.py, odtmaker.py); a
    FictionBook with a note and a poem. Stamped with fixed times: the same bytes each run."""
    import datetime
    import sys
    import tempfile

    sys.path.insert(0, str(FIXTURES.parents[1]))  # tests/: the makers the tests use
    import docxmaker as word
    import odtmaker
    import pdfmaker

    pdf = pdfmaker.new_pdf(title="Seed", author="Fuzz")
    pdf.set_compression(False)
    pdf.set_creation_date(datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc))
    for number in (1, 2):
        pdf.add_page()
        pdf.start_section(f"Chapter {number}: Rivers")
        pdfmaker.running_heads(pdf, "A BOOK OF RIVERS", number)
        pdfmaker.put_lines(pdf, 30, 80, ["The left column runs down the page and", "ends in impor-"])
        pdfmaker.put_lines(pdf, 230, 80, ["tant words in the right column.", "Then it ends."])
        pdfmaker.raised(pdf, 330, 94, "1")
        pdfmaker.put_lines(pdf, 36, 540, ["A note at the foot of the page."], size=8)
        pdfmaker.raised(pdf, 30, 540, "1", size=5)
    body = (word.paragraph("Rivers", "Heading1")
            + word.paragraph("The river rose.", runs=word.footnote_mark(1)))
    with tempfile.TemporaryDirectory() as folder:
        made = word.docx(Path(folder) / "seed.docx", body, {
            "styles": word.styles(), "footnotes": word.footnotes({1: "By four feet."}),
            "comments": word.comments({0: "A comment."})})
        with zipfile.ZipFile(made) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(_member(name), data)
    fb2 = (b'<?xml version="1.0"?><FictionBook xmlns:l="http://www.w3.org/1999/xlink"><body>'
           b"<section><title><p>One</p></title><p>Words<a l:href=\"#n1\" type=\"note\">1</a>."
           b"</p><poem><stanza><v>A line</v></stanza></poem></section></body><body name="
           b'"notes"><section id="n1"><p>A note.</p></section></body></FictionBook>')
    note = ('<text:note><text:note-citation>1</text:note-citation><text:note-body>'
            + odtmaker.p("By four feet.") + "</text:note-body></text:note>")
    with tempfile.TemporaryDirectory() as folder:
        made = odtmaker.odt(Path(folder) / "seed.odt", odtmaker.h("Rivers") + odtmaker.p(
            f"The river rose.{note}<office:annotation>{odtmaker.p('A comment.')}"
            "</office:annotation>"))
        with zipfile.ZipFile(made) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(_member(name), data)
    return [(".pdf", bytes(pdf.output())), (".docx", docx.getvalue()), (".odt", odt.getvalue()),
            (".fb2", fb2)]


def mutate(suffix: str, data: bytes, rng: random.Random) -> bytes:
    if suffix in (".epub", ".docx", ".odt") and rng.random() < 0.6:
        return _mutate_epub(data, rng)
    return rng.choice(_MUTATIONS)(bytearray(data), rng)


def _flip(data: bytearray, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 20)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def _insert(data: bytearray, rng: random.Random) -> bytes:
    token = rng.choice([b"\x00", b"\xff\xfe", b"<", b"</", b"&", b"[", b"_", b"*", b"\xe2\x80\x9c",
                        b"Mr. ", b"\n", b"\n\n", b"# ", b"> ", b"- ", b"<div>", b"<o:p>",
                        b"\xef\xbb\xbf", b"\r", b"\t", b"CHAPTER I", b"---\n"])
    at = rng.randrange(len(data) + 1)
    return bytes(data[:at] + token * rng.choice([1, 10, 1000, 20000]) + data[at:])


def _delete(data: bytearray, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return bytes(data[:at] + data[at + rng.randint(1, 5000):])


def _repeat(data: bytearray, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    piece = data[at:at + rng.randint(1, 200)]
    return bytes(data[:at] + piece * rng.choice([10, 1000, 5000]) + data[at:])


def _nest(data: bytearray, rng: random.Random) -> bytes:
    depth = rng.choice([30, 300, 3000])
    opening, closing = rng.choice([(b"> ", b""), (b"<div>", b"</div>"), (b"[", b"]"),
                                   (b"  - ", b"")])
    at = rng.randrange(len(data) + 1)
    return bytes(data[:at] + opening * depth + b"deep words" + closing * depth + data[at:])


def _no_blank_lines(data: bytearray, rng: random.Random) -> bytes:
    return bytes(data).replace(b"\n\n", b"\n").replace(b"\r\n\r\n", b"\r\n")


_MUTATIONS = [_flip, _insert, _delete, _repeat, _nest, _no_blank_lines]


def _mutate_epub(data: bytes, rng: random.Random) -> bytes:
    """Mutate one member and zip it again, or damage the zip's own headers."""
    if rng.random() < 0.3:  # the zip's bytes: a flag, a version, a size, a stream
        raw = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(raw))
            raw[at] = rng.randrange(256)
        return bytes(raw)
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    victim = rng.choice(names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            content = source.read(name)
            if name == victim:
                content = rng.choice(_MUTATIONS)(bytearray(content), rng)
            archive.writestr(_member(name), content)
    return out.getvalue()


def _member(name: str, compression: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    """A member stamped with a fixed time: the same seed makes the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = compression
    return info
