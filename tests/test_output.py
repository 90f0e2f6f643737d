"""Trust III, output folders, names and check: names that fit any file system, a check
that reads a broken folder in one line, a prune that leaves a running build alone, and a
summary that says what was made."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import unicodedata
import wave

import pytest
from conftest import wait_until
from mutagen.mp3 import MP3
from test_reliability import NARRATE, one_line_error, run

from narrate.names import NAME_BYTES, TITLE_BYTES, legacy_slug, safe_filename, slug
from narrate.plan import book_folder
from narrate.qa import check_book
from narrate.render.cache import Cache

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


# ---- 2, 3. check reads a damaged file in one finding, bounded -------------------------------

TWO_CHAPTERS = ("# One\n\nThe first chapter has a sentence or two in it.\n\n# Two\n\n"
                "The second chapter has its own sentence too.\n")
SPARSE = 2 * 2**30  # a 2 GB file of holes: no disk used, 103 s and 1.35 GB to decode


def write_book(folder):
    (folder / "b.md").write_text(TWO_CHAPTERS)
    (folder / "b.yaml").write_text("title: B\nauthor: A. Writer\n")
    return folder / "b.md"


@pytest.fixture(scope="module")
def small_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    assert run("build", write_book(folder), "--out", folder / "out", "--cache",
               folder / "cache").returncode == 0
    return folder / "out" / "b"


def damage(path, how: str) -> None:
    path.unlink()
    if how == "sparse":
        with open(path, "wb") as handle:
            handle.truncate(SPARSE)
    else:
        path.write_bytes({"empty": b"", "text": b"I am not an MP3, only a note.\n"}[how])


def peak_check(folder) -> tuple[subprocess.CompletedProcess, int]:
    """`narrate check FOLDER` in a process of its own, and the peak resident memory (kB) of
    it and every process it ran."""
    script = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], "
              "capture_output=True, text=True); print(r.returncode); print(r.stdout); "
              "print(r.stderr, file=sys.stderr); "
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", script, *NARRATE, "check", str(folder)],
                          capture_output=True, text=True, timeout=300, check=False)
    lines = done.stdout.splitlines()
    return subprocess.CompletedProcess(NARRATE, int(lines[0]), "\n".join(lines[1:-1]),
                                       done.stderr), int(lines[-1])


@pytest.mark.parametrize("how, said", [("empty", "is empty (0 bytes)"),
                                       ("text", "ffprobe cannot read it"),
                                       ("sparse", "is 2.1 GB, more than 0:")])
def test_a_damaged_chapter_file_is_one_line_and_the_rest_is_checked(small_book, tmp_path, how,
                                                                      said):
    book = tmp_path / "b"
    shutil.copytree(small_book, book)
    damage(book / "01 - One.mp3", how)
    result, peak_kb = peak_check(book)
    assert result.returncode == 1 and not result.stderr.strip(), result.stderr
    found = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert len(found) == 1 and found[0].startswith(f"FAIL 01 - One.mp3: {said}"), result.stdout
    assert "narrate build" in found[0]
    assert "02 - Two.mp3" in result.stdout and "B.m4b" in result.stdout  # the rest, measured
    assert peak_kb < 500_000  # never decoded: it took 1.35 GB


@pytest.mark.parametrize("name", ["01 - One.mp3", "m4b/B.m4b"])
def test_a_chapter_file_or_the_m4b_cut_short_is_one_finding_naming_it(small_book, tmp_path,
                                                                       name):
    """The m4b cut to 43 % of its bytes (its chapter list, at the front, whole) passed the
    check: it decoded to 0:18 of the 0:45 the manifest says. A file whose audio is shorter
    than the manifest's is cut short, one finding naming it."""
    book = tmp_path / "b"
    shutil.copytree(small_book, book)
    path = book / name
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size * 43 // 100)
    result, _ = peak_check(book)
    assert result.returncode == 1 and not result.stderr.strip(), result.stderr
    found = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert found and found[0].startswith(f"FAIL {path.name}: decodes to "), result.stdout
    assert "the manifest says" in found[0] and "cut short" in found[0], found[0]


def test_damaged_sidecars_are_one_finding_each_and_never_read_whole(small_book, tmp_path):
    book = tmp_path / "b"
    shutil.copytree(small_book, book)
    damage(book / "chapters.json", "sparse")
    (book / "B.cue").write_bytes(b"FILE \xff\xfe\x00 MP3\n")
    (book / "02 - Two.vtt").write_bytes(b"WEBVTT\n\n\x80\x81")
    result, peak_kb = peak_check(book)
    assert result.returncode == 1 and not result.stderr.strip(), result.stderr
    found = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert [line.split(" — ")[0] for line in found] == [
        "FAIL chapters.json: is 2.1 GB, more than narrate writes (67.1 MB at most): not read",
        "FAIL B.cue: is not UTF-8 text (byte 5)",
        "FAIL 02 - Two.vtt: is not UTF-8 text (byte 8)"], result.stdout
    assert peak_kb < 500_000


def test_the_fix_for_a_sparse_chapter_and_m4b_rebuilds_them(tmp_path):
    write_book(tmp_path)
    args = ["--out", tmp_path / "out", "--cache", tmp_path / "cache"]
    assert run("build", tmp_path / "b.md", *args).returncode == 0
    folder = tmp_path / "out" / "b"
    damage(folder / "02 - Two.mp3", "sparse")
    damage(folder / "m4b" / "B.m4b", "sparse")
    report = check_book(folder, picture=False)
    assert sorted(f.where for f in report.failures) == ["02 - Two.mp3", "B.m4b"]
    fix = report.failures[0].fix
    command = shlex.split(fix[fix.index("narrate build"):])
    assert run(*command[1:], "--cache", tmp_path / "cache").returncode == 0
    assert check_book(folder, picture=False).passed


# ---- 4. check says a thing once, in words, and where it looked ------------------------------

@pytest.mark.unit
def test_a_finding_said_of_many_files_is_one_line_with_the_files():
    from narrate.qa.report import CheckReport, Finding

    same = [Finding("warn", f"{n:02d} - Part.mp3", "the artist tag is empty", "add author")
            for n in range(1, 11)]
    report = CheckReport("book", "default", findings=[*same, Finding("fail", "B.m4b", "missing")])
    lines = report.summary()
    warned = [line for line in lines if line.startswith("WARN")]
    assert warned == [("WARN 01 - Part.mp3, 02 - Part.mp3 and 8 more: the artist tag is empty "
                       "— add author")]
    assert lines.index(warned[0]) > lines.index("FAIL B.m4b: missing")  # failures first
    assert "FAILED (1 problem)" in lines[-2]


def test_a_book_without_an_author_is_warned_about_once_in_words(tmp_path):
    write_book(tmp_path)
    (tmp_path / "b.yaml").write_text("title: B\n")
    args = ["--out", tmp_path / "out", "--cache", tmp_path / "cache"]
    assert run("build", tmp_path / "b.md", *args).returncode == 0
    result = run("check", tmp_path / "out" / "b")
    assert result.returncode in (0, 1) and not result.stderr, result.stderr
    warned = [line for line in result.stdout.splitlines() if line.startswith("WARN")]
    assert len(warned) == 1 and "TPE1" not in warned[0], result.stdout
    assert warned[0].startswith("WARN 01 - One.mp3, 02 - Two.mp3, B.m4b: the artist tag is "
                                "empty: the book names no author")


def test_an_m4b_that_lost_its_artist_fails_naming_the_m4b_tag(small_book, tmp_path):
    from mutagen.mp4 import MP4

    book = tmp_path / "b"
    shutil.copytree(small_book, book)
    m4b = MP4(str(book / "m4b" / "B.m4b"))
    del m4b.tags["\xa9ART"]
    m4b.save()
    report = check_book(book, picture=False)
    assert [(f.where, f.what) for f in report.failures] == \
        [("B.m4b", "the artist tag (©ART) is missing")]  # it said the book names no author


def test_check_without_a_folder_checks_the_one_here_or_says_where_it_looked(small_book,
                                                                            tmp_path):
    here = run("check", cwd=small_book)  # in a book's folder: that book
    assert here.returncode == 0 and f"wrote {small_book / 'check'}/check.json" in here.stdout, \
        here.stdout + here.stderr
    one_line_error(run("check", cwd=tmp_path), f"{tmp_path / 'output'}: no built book here",
                   "narrate check FOLDER", "--out DIR")


# ---- 6. the build says what it made ----------------------------------------------------------

def test_the_build_says_what_it_made_and_what_it_reused(tmp_path):
    source = write_book(tmp_path)
    args = ["--out", tmp_path / "out", "--cache", tmp_path / "cache"]

    def last_line() -> str:
        result = run("build", source, *args)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()[-1]

    assert re.match(r"rendered \d+ segments \(0:\d\d of speech\) and exported 2 chapters "
                    r"\(all 0:\d\d\) in [\d.]+ s -> ", last_line())
    assert last_line().startswith("nothing to render or export: 0:")  # it said "made 0:19"
    source.write_text(TWO_CHAPTERS.replace("its own sentence", "a sentence of its own"))
    edited = last_line()
    assert edited.startswith("rendered 1 segment (0:0") and \
        "and exported 1 chapter (0:" in edited and "of the book's 0:" in edited
    (tmp_path / "out" / "b" / "m4b" / "B.m4b").unlink()
    assert last_line().startswith("joined the m4b again (0:")


# ---- 5. a prune leaves a running build alone --------------------------------------------------

def test_a_prune_while_another_book_builds_keeps_what_that_build_made_and_uses(tmp_path):
    """Book A's build holds after its third new take (a fault point, not a guess at a
    time); book B's prune runs then; A's build goes on and finishes. The prune used to
    delete A's new takes, and A's build failed asking to check the folder's permissions."""
    cache, hold = tmp_path / "cache", tmp_path / "held"
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    write_book(a)
    (b / "other.md").write_text("# Other\n\nAnother book entirely, with words of its own.\n")
    stray = Cache(cache).path("ab" * 16)  # a take no book uses: the prune still deletes it
    stray.parent.mkdir(parents=True)
    with wave.open(str(stray), "wb") as take:
        take.setnchannels(1), take.setsampwidth(2), take.setframerate(22050)
        take.writeframes(b"\1\0" * 2205)
    env = {"NARRATE_HOLD_AT": "render:3", "NARRATE_HOLD_FILE": str(hold)}
    building = subprocess.Popen(
        [*NARRATE, "build", str(a / "b.md"), "--out", str(tmp_path / "out"), "--cache",
         str(cache)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **env})
    try:
        assert wait_until(hold.exists, 120, building), building.communicate()
        pruned = run("cache", "--prune", b / "other.md", "--cache", cache)
        assert pruned.returncode == 0, pruned.stderr
        hold.unlink()  # the build goes on
        _out, err = building.communicate(timeout=300)  # a guard against a hang
    finally:
        building.kill()
    assert building.returncode == 0, err
    assert pruned.stdout.startswith("pruned 1 entries") and not stray.exists()
    assert not list((cache / ".live").glob("*"))  # the build's file of keys went with it
    assert check_book(tmp_path / "out" / "b", picture=False).passed


@pytest.mark.unit
def test_a_file_read_while_writing_another_is_named_not_the_one_written(tmp_path):
    """A take gone while a chapter was written said "<chapter>.pcm: cannot write …; check
    the folder's permissions"."""
    from narrate.fileio import atomic_path

    gone = tmp_path / "take.wav"
    with pytest.raises(FileNotFoundError) as raised, atomic_path(tmp_path / "01.pcm"):
        gone.read_bytes()
    assert raised.value.filename == str(gone) and not list(tmp_path.iterdir())


@pytest.mark.unit
def test_a_conversion_that_cannot_be_kept_still_converts(tmp_path):
    """A prune deletes every kept conversion, the one a build is writing too: keeping it
    failing cost the build (it was an error, "cannot write")."""
    from narrate.fileio import default_cache_dir
    from narrate.plan import load_book

    books = default_cache_dir() / "books"  # this test's own cache (conftest)
    books.parent.mkdir(parents=True, exist_ok=True)
    books.write_text("not a folder: no conversion can be kept here")
    book = load_book(write_book(tmp_path))
    assert [c.title for c in book.chapters] == ["One", "Two"]


@pytest.mark.unit
def test_the_keys_of_a_build_that_died_do_not_keep_takes_from_a_prune(tmp_path):
    cache = Cache(tmp_path)
    take = cache.path("cd" * 16)
    take.parent.mkdir(parents=True)
    take.write_bytes(b"a take")
    with cache.in_use([take.stem]):
        assert cache.prune(set()) == (0, 0) and take.exists()  # held: kept
        (tmp_path / ".live" / "4242.dead.keys").write_text(take.stem)  # no lock held on it
    assert cache.prune(set()) == (1, len(b"a take")) and not take.exists()
    assert not list((tmp_path / ".live").iterdir())
