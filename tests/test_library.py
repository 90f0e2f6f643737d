"""Audiobookshelf-ready output: one book per folder, and every field a library reads, read
back from the files with mutagen, ffprobe, lxml and json."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4

from narrate import build
from narrate.errors import NarrateError
from narrate.qa import check_book
from narrate.stitch.library import abs_metadata, opf_metadata
from narrate.stitch.records import BookInfo

IMAGES = {".png", ".jpg", ".jpeg", ".webp"}
AUDIO = {".mp3", ".m4b", ".m4a", ".aac", ".flac", ".ogg", ".opus", ".wav", ".wma", ".mp4"}
META = """title: The Two Rivers
subtitle: A Lecture in Two Parts
author: Ada Writer
narrator: Ben Reader
series: River Lectures
series_index: 2
year: 1931
publisher: Small Press
description: Two short talks about two rivers.
isbn: "9780000000002"
language: en
genre: Lectures
cover: cover-art.png
"""


def library_books(root: Path) -> dict[str, list[str]]:
    """Audiobookshelf's grouping, as its scanner does it (server/utils/scandir.js and
    fileUtils.recurseFiles): dot files and folders are skipped, so is every folder that
    holds a file named .ignore, and each folder with audio is a book that takes in the
    audio of the folders below it."""
    audio = sorted(scanned(root, AUDIO), key=lambda p: len(p.parts))
    books: dict[str, list[str]] = {}
    for path in audio:
        owner = next((book for book in books if Path(book) in path.parents), None)
        books.setdefault(owner or str(path.parent), []).append(path.name)
    return books


def scanned(root: Path, suffixes: set[str]) -> list[Path]:
    """The files of these kinds the scanner sees below root."""
    ignored = {p.parent for p in root.rglob(".ignore") if p.parent != root}
    return [p for p in root.rglob("*") if p.suffix.lower() in suffixes
            and not any(part.startswith(".") for part in p.relative_to(root).parts)
            and not any(folder in p.parents for folder in ignored)]


def library_cover(folder: Path) -> str | None:
    """The image Audiobookshelf takes for a book's cover: one in its folder, a file named
    cover first (its book scanner guide, v2.5.0 and on)."""
    images = sorted(p.relative_to(folder).as_posix() for p in scanned(folder, IMAGES))
    return next((i for i in images if Path(i).stem == "cover"), images[0] if images else None)


def png(path: Path, colour: str = "red") -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"color=c={colour}:s=64x64",
                    "-frames:v", "1", "-y", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("library")
    source = folder / "rivers.md"
    source.write_text("# The Two Rivers\n\n## The First River\n\nThe first river runs north "
                      "through the hills.\n\n## The Second River\n\nThe second river runs "
                      "south to the sea.\n", encoding="utf-8")
    (folder / "rivers.yaml").write_text(META, encoding="utf-8")
    png(folder / "cover-art.png")
    return build(source, cache=folder / "cache", out=folder / "out", progress=False)


def test_audiobookshelf_sees_one_book_of_chapter_files(book):
    books = library_books(book.folder.parent)
    assert list(books) == [str(book.folder)]
    assert books[str(book.folder)] == ["01 - The First River.mp3", "02 - The Second River.mp3"]
    assert (book.export.m4b.parent / ".ignore").exists() and book.export.m4b.exists()


def test_metadata_json_has_every_field_and_the_m4b_chapters(book):
    data = json.loads((book.folder / "metadata.json").read_text(encoding="utf-8"))
    assert data["title"] == "The Two Rivers" and data["subtitle"] == "A Lecture in Two Parts"
    assert data["authors"] == ["Ada Writer"] and data["narrators"] == ["Ben Reader"]
    assert data["series"] == ["River Lectures #2"] and data["genres"] == ["Lectures"]
    assert data["publishedYear"] == "1931" and data["publisher"] == "Small Press"
    assert data["description"] == "Two short talks about two rivers."
    assert data["isbn"] == "9780000000002" and data["language"] == "en"
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(book.export.m4b)],
        capture_output=True, text=True, check=True).stdout)["chapters"]
    assert [c["title"] for c in data["chapters"]] == [c["tags"]["title"] for c in probe] == \
        ["The First River", "The Second River"]
    for ours, theirs in zip(data["chapters"], probe):
        assert abs(ours["start"] - float(theirs["start_time"])) < 0.002
        assert abs(ours["end"] - float(theirs["end_time"])) < 0.002


def test_opf_names_author_and_narrator_by_role_and_the_series(book):
    tree = etree.parse(str(book.folder / "metadata.opf"))
    ns = {"dc": "http://purl.org/dc/elements/1.1/", "opf": "http://www.idpf.org/2007/opf"}
    roles = {c.get("{http://www.idpf.org/2007/opf}role"): c.text
             for c in tree.iterfind(".//dc:creator", ns)}
    assert roles == {"aut": "Ada Writer", "nrt": "Ben Reader"}
    metas = {m.get("name"): m.get("content") for m in tree.iterfind(".//opf:meta", ns)
             if m.get("name")}
    assert metas == {"calibre:series": "River Lectures", "calibre:series_index": "2"}
    assert tree.findtext(".//dc:title", namespaces=ns) == "The Two Rivers"


def test_mp3_tags_carry_subtitle_series_and_narrator(book):
    tags = MP3(str(book.folder / "01 - The First River.mp3")).tags
    assert str(tags["TIT3"]) == "A Lecture in Two Parts"
    assert str(tags["TXXX:SERIES"]) == "River Lectures" and str(tags["MVNM"]) == "River Lectures"
    assert str(tags["TXXX:SERIES-PART"]) == "2" and str(tags["MVIN"]) == "2"
    assert str(tags["TCOM"]) == "Ben Reader" and str(tags["TXXX:NARRATOR"]) == "Ben Reader"


def test_m4b_atoms_carry_subtitle_and_series(book):
    tags = MP4(str(book.export.m4b)).tags
    assert tags["----:com.apple.iTunes:SUBTITLE"][0].decode() == "A Lecture in Two Parts"
    assert tags["----:com.apple.iTunes:SERIES"][0].decode() == "River Lectures"
    assert tags["----:com.apple.iTunes:SERIES-PART"][0].decode() == "2"
    assert tags["\xa9grp"] == ["River Lectures"] and tags["\xa9wrt"] == ["Ben Reader"]
    probed = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-of", "json", str(book.export.m4b)],
        capture_output=True, text=True, check=True).stdout)["format"]["tags"]
    assert probed["SERIES"] == "River Lectures" and probed["SUBTITLE"] == "A Lecture in Two Parts"


def test_the_library_takes_the_books_cover_not_the_checks_picture(book, tmp_path):
    check_book(book.folder)
    assert (book.folder / "check" / "check.png").exists()
    assert library_cover(book.folder) == "cover.png"
    assert (book.folder / "cover.png").read_bytes() == (
        book.folder.parent.parent / "cover-art.png").read_bytes()
    source = tmp_path / "plain.md"
    source.write_text("# Plain\n\nA book with no cover at all.\n", encoding="utf-8")
    plain = build(source, cache=tmp_path / "cache", out=tmp_path / "out",
                  progress=False)
    check_book(plain.folder)
    assert library_cover(plain.folder) is None  # its chapters' tags carry no picture either


def test_each_format_alone_is_one_book_and_switching_leaves_nothing_behind(book, tmp_path):
    source = book.folder.parent.parent / "rivers.md"
    cache, out = book.folder.parent.parent / "cache", tmp_path / "out"
    chapters = ["01 - The First River.mp3", "02 - The Second River.mp3"]
    for formats, seen in [("m4b", ["The Two Rivers.m4b"]), ("mp3,m4b", chapters),
                          ("mp3", chapters), ("m4b", ["The Two Rivers.m4b"])]:
        result = build(source, cache=cache, out=out, progress=False, formats=formats)
        folder = result.folder
        assert library_books(out) == {str(folder): seen}, formats
        everywhere = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.m4b"))
        expected = {"m4b": ["The Two Rivers.m4b"], "mp3": [],
                    "mp3,m4b": ["m4b/The Two Rivers.m4b"]}[formats]
        assert everywhere == expected, formats
        assert bool(list(folder.glob("*.vtt"))) == (formats != "m4b")
        assert (folder / "index.html").exists() == (formats != "m4b")
        cue = (folder / "The Two Rivers.cue").read_text(encoding="utf-8")
        assert cue.count("TRACK") == 2 and cue.count("FILE") == (1 if formats == "m4b" else 2)
        report = check_book(folder, picture=False)
        assert report.passed, report.summary()
        assert json.loads((folder / "manifest.json").read_text())["formats"] == \
            formats.split(",")
    probe = json.loads(subprocess.run(  # the m4b alone still has its chapters at the cues
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json",
         str(folder / "The Two Rivers.m4b")], capture_output=True, text=True,
        check=True).stdout)["chapters"]
    second = re.search(r"TRACK 02.*?INDEX 01 (\d\d):(\d\d):(\d\d)", cue, re.DOTALL)
    assert second is not None
    minutes, seconds, frames = map(int, second.groups())
    assert abs(minutes * 60 + seconds + frames / 75 - float(probe[1]["start_time"])) < 1 / 75


def test_a_format_narrate_does_not_make_is_refused_before_any_work(tmp_path):
    source = tmp_path / "a.md"
    source.write_text("# A\n\nWords.\n", encoding="utf-8")
    with pytest.raises(NarrateError, match="ogg is not a format"):
        build(source, cache=tmp_path / "cache", out=tmp_path / "out", formats="ogg")
    with pytest.raises(NarrateError, match="--readalong: .* add mp3"):
        build(source, cache=tmp_path / "cache", out=tmp_path / "out", formats="m4b",
              readalong=True)
    assert not (tmp_path / "out").exists() and not (tmp_path / "cache").exists()


@pytest.mark.unit
def test_library_files_escape_markup_and_write_series_positions_as_given():
    info = BookInfo("A <b>&</b> \"B\"", author="C & D", series="S <1>", series_index="2.0")
    opf = opf_metadata(info, "narrate:x")
    tree = etree.fromstring(opf.encode())
    assert tree.findtext(".//{http://purl.org/dc/elements/1.1/}title") == "A <b>&</b> \"B\""
    data = json.loads(abs_metadata(info, []))
    assert data["series"] == ["S <1> #2"] and data["narrators"] == []
    assert json.loads(abs_metadata(BookInfo("T", series="S", series_index="2.5"), []))[
        "series"] == ["S #2.5"]
