"""A read-along EPUB 3: the book's text with its narration, joined by Media Overlays.

One XHTML document per chapter (a span per segment, its text as written), one SMIL file
per chapter with a <par> per segment: the span, and the stretch of the chapter's MP3
that speaks it. The times are the assembled timeline's, exact to the sample (the MP3s
decode sample for sample), so there is no alignment step. Reading systems with Media
Overlays (Thorium, Apple Books, Readest …) highlight each segment as it is read.

The text is the book's and untrusted: everything is escaped, and characters XML 1.0
forbids are dropped.
"""

from __future__ import annotations

import hashlib
import re
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from narrate.fileio import atomic_path
from narrate.stitch.library import xml_attr, xml_text

if TYPE_CHECKING:
    from narrate.stitch.records import ChapterRecord

ACTIVE_CLASS = "-epub-media-overlay-active"
CSS = (f"body {{ font-family: serif; line-height: 1.5; margin: 1em; }}\n"
       f".{ACTIVE_CLASS} {{ background-color: #ffe08a; }}\n"
       "p.credit { font-style: italic; }\n")


def segment_anchor(segment_id: str) -> str:
    """An XML id for a segment id ("02.014.3" starts with a digit, which an id cannot)."""
    return "s" + re.sub(r"[^\w-]", "-", segment_id)


def clock(seconds: float) -> str:
    """A SMIL full clock value, to the millisecond: 0:01:02.345."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def paragraphs_of(cues: list[dict]) -> list[tuple[str, list[dict]]]:
    """A chapter's cues as (kind, cues) in reading order: a paragraph per section (kind:
    its id), the spoken title ("title") and the credits ("credit")."""
    paragraphs: list[tuple[str, list[dict]]] = []
    for cue in cues:
        kind = cue["section"] or ("title" if cue["id"].endswith(".000") else "credit")
        if paragraphs and paragraphs[-1][0] == kind:
            paragraphs[-1][1].append(cue)
        else:
            paragraphs.append((kind, [cue]))
    return paragraphs


def _span(cue: dict) -> str:
    return f"<span id=\"{segment_anchor(cue['id'])}\">{xml_text(cue['text'])}</span>"


def _chapter_xhtml(title: str, language: str, paragraphs: list[tuple[str, list[dict]]]) -> str:
    spoken = [cues[0] for kind, cues in paragraphs if kind == "title"]
    body = [f"<h1>{_span(spoken[0]) if spoken else xml_text(title)}</h1>"]
    for kind, cues in paragraphs:
        if kind != "title":
            css = ' class="credit"' if kind == "credit" else ""
            body.append(f"<p{css}>{' '.join(_span(c) for c in cues)}</p>")
    lang = xml_attr(language)
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
            f"<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/"
            f"2007/ops\" xml:lang={lang} lang={lang}>\n<head><meta charset=\"UTF-8\"/>"
            f"<title>{xml_text(title)}</title><link rel=\"stylesheet\" type=\"text/css\" "
            "href=\"../style.css\"/></head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def _chapter_smil(number: str, audio: str, cues: list[dict], rate: int) -> str:
    pars = [f"<par id=\"p{segment_anchor(c['id'])}\"><text src=\"../text/c{number}.xhtml#"
            f"{segment_anchor(c['id'])}\"/><audio src=\"../audio/{audio}\" "
            f"clipBegin=\"{clock(c['start'] / rate)}\" clipEnd=\"{clock(c['end'] / rate)}\"/></par>"
            for c in cues]
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<smil xmlns=\"http://www.w3.org/ns/"
            "SMIL\" xmlns:epub=\"http://www.idpf.org/2007/ops\" version=\"3.0\">\n<body>\n"
            f"<seq id=\"seq{number}\" epub:textref=\"../text/c{number}.xhtml\">\n"
            + "\n".join(pars) + "\n</seq>\n</body>\n</smil>\n")


def _nav(title: str, language: str, chapters: list[tuple[str, str]]) -> str:
    items = "\n".join(f"<li><a href=\"text/c{n}.xhtml\">{xml_text(t)}</a></li>" for n, t in chapters)
    lang = xml_attr(language)
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
            "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/"
            f"ops\" xml:lang={lang} lang={lang}>\n<head><meta charset=\"UTF-8\"/><title>"
            f"{xml_text(title)}</title></head>\n<body>\n<nav epub:type=\"toc\" id=\"toc\"><h1>"
            f"{xml_text(title)}</h1>\n<ol>\n{items}\n</ol>\n</nav>\n</body>\n</html>\n")


def _package(info, chapters: list[tuple[str, str, float]], total: float, cover: str | None,
             identifier: str) -> str:
    language = info.language or "en"
    modified = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    meta = [f"<dc:identifier id=\"bookid\">{xml_text(identifier)}</dc:identifier>",
            f"<dc:title>{xml_text(info.title)}</dc:title>",
            f"<dc:language>{xml_text(language)}</dc:language>",
            f"<meta property=\"dcterms:modified\">{modified}</meta>",
            f"<meta property=\"media:duration\">{clock(total)}</meta>",
            f"<meta property=\"media:active-class\">{ACTIVE_CLASS}</meta>"]
    for k, (role, name) in enumerate([("aut", info.author), ("nrt", info.narrator)], start=1):
        if name:
            meta += [f"<dc:creator id=\"creator{k}\">{xml_text(name)}</dc:creator>",
                     (f"<meta refines=\"#creator{k}\" property=\"role\" "
                     f"scheme=\"marc:relators\">{role}</meta>")]
            if role == "nrt":
                meta.append(f"<meta property=\"media:narrator\">{xml_text(name)}</meta>")
    meta += [f"<meta refines=\"#smil{n}\" property=\"media:duration\">{clock(seconds)}</meta>"
             for n, _, seconds in chapters]
    items = [("<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" "
             "properties=\"nav\"/>"),
             "<item id=\"css\" href=\"style.css\" media-type=\"text/css\"/>"]
    for n, audio, _ in chapters:
        items += [(f"<item id=\"c{n}\" href=\"text/c{n}.xhtml\" media-type=\"application/"
                  f"xhtml+xml\" media-overlay=\"smil{n}\"/>"),
                  (f"<item id=\"smil{n}\" href=\"smil/c{n}.smil\" media-type=\"application/"
                  "smil+xml\"/>"),
                  f"<item id=\"audio{n}\" href=\"audio/{audio}\" media-type=\"audio/mpeg\"/>"]
    if cover:
        kind = "image/png" if cover.endswith(".png") else "image/jpeg"
        items.append(f"<item id=\"cover\" href=\"{cover}\" media-type=\"{kind}\" "
                     "properties=\"cover-image\"/>")
    spine = "\n".join(f"<itemref idref=\"c{n}\"/>" for n, _, _ in chapters)
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<package xmlns=\"http://www.idpf.org/"
            "2007/opf\" version=\"3.0\" unique-identifier=\"bookid\" xml:lang="
            f"{xml_attr(language)} prefix=\"media: http://www.idpf.org/epub/vocab/overlays/#\">\n"
            "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n" + "\n".join(meta)
            + "\n</metadata>\n<manifest>\n" + "\n".join(items) + "\n</manifest>\n<spine>\n"
            + spine + "\n</spine>\n</package>\n")


CONTAINER = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container version=\"1.0\" xmlns="
             "\"urn:oasis:names:tc:opendocument:xmlns:container\">\n<rootfiles>\n<rootfile "
             "full-path=\"OEBPS/package.opf\" media-type=\"application/oebps-package+xml\"/>\n"
             "</rootfiles>\n</container>\n")


def write_readalong(dest: Path, info, chapters: list[tuple[str, Path, ChapterRecord]],
                    cover: bytes | None = None) -> Path:
    """The EPUB at `dest`. `chapters`: (title, the chapter's MP3, its ChapterRecord)."""
    from narrate.stitch.tags import image_mime

    language = info.language or "en"
    digest = hashlib.sha256(f"{info.title}\x1f{info.author}".encode()).hexdigest()
    identifier = f"urn:uuid:{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-" \
                 f"{digest[20:32]}"
    width = max(2, len(str(len(chapters))))
    listed, total = [], 0.0
    with atomic_path(dest) as tmp, zipfile.ZipFile(tmp, "w") as epub:
        epub.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip",
                      compress_type=zipfile.ZIP_STORED)  # first and stored, as EPUB requires
        epub.writestr("META-INF/container.xml", CONTAINER, zipfile.ZIP_DEFLATED)
        epub.writestr("OEBPS/style.css", CSS, zipfile.ZIP_DEFLATED)
        for index, (title, mp3, record) in enumerate(chapters, start=1):
            number = str(index).zfill(width)
            audio = f"{number}.mp3"
            cues = [c for c in record.cues if c["text"].strip()]
            epub.writestr(f"OEBPS/text/c{number}.xhtml",
                          _chapter_xhtml(title, language, paragraphs_of(cues)),
                          zipfile.ZIP_DEFLATED)
            epub.writestr(f"OEBPS/smil/c{number}.smil",
                          _chapter_smil(number, audio, cues, record.rate), zipfile.ZIP_DEFLATED)
            epub.write(mp3, f"OEBPS/audio/{audio}", zipfile.ZIP_STORED)
            seconds = record.samples / record.rate
            listed.append((number, audio, seconds, title))
            total += seconds
        cover_name = None
        if cover and image_mime(cover):
            cover_name = "cover.png" if image_mime(cover) == "image/png" else "cover.jpg"
            epub.writestr(f"OEBPS/{cover_name}", cover, zipfile.ZIP_STORED)
        epub.writestr("OEBPS/nav.xhtml", _nav(info.title, language,
                                              [(n, t) for n, _, _, t in listed]),
                      zipfile.ZIP_DEFLATED)
        epub.writestr("OEBPS/package.opf", _package(
            info, [(n, a, s) for n, a, s, _ in listed], total, cover_name, identifier),
            zipfile.ZIP_DEFLATED)
    return dest
