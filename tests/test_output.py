"""Trust III, output folders, names and check: names that fit any file system, a check
that reads a broken folder in one line, a prune that leaves a running build alone, and a
summary that says what was made."""

import json
import unicodedata

import pytest
from mutagen.mp3 import MP3
from test_reliability import run

from narrate.names import NAME_BYTES, TITLE_BYTES, legacy_slug, safe_filename, slug
from narrate.plan import book_folder
from narrate.qa import check_book

LONG_CJK = "書" * 200
EMOJI = "😀" * 100
TEMPORARY = len(".") + len(".abcd1234.tmp") + len(".m3u8")  # fileio.atomic_path's name


def utf8(name: str) -> int:
    return len(name.encode("utf-8"))


# ---- 1. names cut by bytes ------------------------------------------------------------------

@pytest.mark.unit
@pytest.mark.parametrize("title", [LONG_CJK, EMOJI, "x" * 300, "é" * 120, "e\u0301" * 100,
                                   "ab" + "😀" * 60 + "\u20e3"],
                         ids=["cjk", "emoji", "ascii", "accents", "combining", "keycap"])
def test_a_long_title_is_cut_by_bytes_between_characters(title):
    name = safe_filename(title)
    head, _, digest = name.rpartition("~")
    assert utf8(name) <= TITLE_BYTES and len(digest) == 6
    assert utf8(f"000001 - {name}") + TEMPORARY <= NAME_BYTES
    assert unicodedata.normalize("NFC", title).startswith(head)
    assert not unicodedata.category(head[-1]).startswith("M")  # no mark without its letter


@pytest.mark.unit
def test_two_long_titles_that_begin_alike_keep_distinct_names():
    assert safe_filename(LONG_CJK + "一") != safe_filename(LONG_CJK + "二")
    assert safe_filename("x" * 300 + "a") != safe_filename("x" * 300 + "b")
    assert slug(LONG_CJK + "一") != slug(LONG_CJK + "二")
    assert safe_filename("A short title") == "A short title"  # a name that fits is kept


@pytest.mark.unit
def test_a_long_named_book_built_before_keeps_its_folder(tmp_path):
    """narrate 0.2.0 cut a long folder name without a digest: the edits in that folder are
    still the book's."""
    from narrate.model import Book

    source = tmp_path / f"{'the complete works ' * 5}volume one.txt"
    book = Book(title="Works", source=str(source))
    assert book_folder(book, tmp_path) == tmp_path / slug(source.stem)
    older = tmp_path / legacy_slug(source.stem)
    older.mkdir()
    (older / "manifest.json").write_text(json.dumps({"source": str(source)}))
    assert older != tmp_path / slug(source.stem) and book_folder(book, tmp_path) == older
    other = tmp_path / f"{source.stem} and two.txt"  # begins alike: not that book's folder
    assert book_folder(Book(title="Works", source=str(other)), tmp_path) == \
        tmp_path / slug(other.stem)


def test_a_book_of_long_cjk_and_emoji_titles_builds_and_checks(tmp_path):
    source = tmp_path / "long.md"
    source.write_text(f"# {LONG_CJK}\n\nThe prophets of old studied their texts.\n\n"
                      f"# {EMOJI}\n\nAnd so did the young Russians.\n", encoding="utf-8")
    (tmp_path / "long.yaml").write_text(f"title: {LONG_CJK}\nauthor: A. Writer\n",
                                        encoding="utf-8")
    result = run("build", source, "--out", tmp_path / "out", "--cache", tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "long"
    names = [p.name for p in folder.rglob("*")]
    assert names and max(map(utf8, names)) <= NAME_BYTES
    mp3s = sorted(folder.glob("*.mp3"))
    assert len(mp3s) == 2 and MP3(str(mp3s[0])).tags["TIT2"].text == [LONG_CJK]
    report = check_book(folder, picture=False)  # every file found and read back
    assert {f["file"] for f in report.files} == {p.name for p in [*mp3s, *folder.rglob("*.m4b")]}
    # markers, tags, the cue sheet, captions and chapters.json all agree; espeak spelling
    # 200 ideographs in the credits is judged as speech, not as names
    assert not [f for f in report.failures if " segment " not in f.where
                and "room tone" not in f.what]
