"""Trust III, what the other groups found: a prune keeps what a built book plays, the book
folder's lexicon is read by every build, the lexicon a build was given is used again by
the studio and --only, control characters from metadata and lexicons never reach an
engine, every YAML and JSON file narrate reads is capped, and a short book narrate made
passes narrate's own check."""

from __future__ import annotations

import json
import os

import pytest
from test_reliability import one_line_error, run

import narrate
from narrate.errors import NarrateError
from narrate.fileio import MAX_METADATA_BYTES, MAX_YAML_BYTES
from narrate.manifest import MAX_MANIFEST_BYTES
from narrate.metadata import MAX_LEXICON_BYTES, book_lexicon, lexicon_files


def _two_lines(folder):
    source = folder / "b.md"
    source.write_text("# One\n\nThe first chapter.\n\nA second line here.\n")
    (folder / "b.yaml").write_text("title: B\nauthor: A. Writer\n")
    return source


# ---- 1. a prune keeps what the built book plays ------------------------------------------------

def test_a_prune_keeps_the_retakes_and_edits_the_built_book_plays(tmp_path):
    """The prune used to keep the keys of a fresh conversion of the source: it deleted the
    retake (`--only`) and the hand-edited say the book in output/ plays."""
    _two_lines(tmp_path)
    cache = tmp_path / "c"
    assert run("build", "b.md", "--cache", cache, cwd=tmp_path).returncode == 0
    assert run("build", "b.md", "--cache", cache, "--only", "01.001.1",
               cwd=tmp_path).returncode == 0  # its take 2
    script = tmp_path / "output" / "b" / "script.yaml"
    script.write_text(script.read_text().replace("say: A second line here.",
                                                 "say: A second line, said my way."))
    assert run("build", "b.md", "--cache", cache, cwd=tmp_path).returncode == 0
    played = set(json.loads((script.parent / "manifest.json").read_text())["segments"].values())
    assert run("cache", "--prune", "b.md", "--cache", cache, cwd=tmp_path).returncode == 0
    assert played <= {p.stem for p in cache.glob("??/*.wav")}
    dry = run("build", "b.md", "--cache", cache, "--dry-run", cwd=tmp_path)
    assert "would render 0 segments" in dry.stdout, dry.stdout


def test_a_prune_of_a_book_folder_keeps_what_it_plays(tmp_path):
    """A book built with --out is named by its folder (or the source with the same --out)."""
    source = _two_lines(tmp_path)
    cache, out = tmp_path / "c", tmp_path / "elsewhere"
    assert run("build", source, "--cache", cache, "--out", out).returncode == 0
    assert run("build", source, "--cache", cache, "--out", out, "--only", "01.001.1"
               ).returncode == 0
    played = set(json.loads((out / "b" / "manifest.json").read_text())["segments"].values())
    for named in ([out / "b"], [source, "--out", out]):
        pruned = run("cache", "--prune", *named, "--cache", cache)
        assert pruned.returncode == 0, pruned.stderr
        assert played <= {p.stem for p in cache.glob("??/*.wav")}, named


# ---- 2. the book folder's lexicon is read by every build ---------------------------------------

RIVERS = "# Rivers\n\nEvery boat on the Volga is loud.\n\nThe sea is wide and grey.\n"


def _spoken(folder) -> dict[str, str]:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {ident: line["say"] for ident, line in data["spoken"].items()}


def test_a_studio_pronunciation_survives_a_rebuild_of_the_source(tmp_path):
    """The studio wrote the word to lexicon.yaml in the book's folder (its metadata names no
    lexicon), which no build read: a line the source gained said it the old way."""
    source = tmp_path / "rivers.md"
    source.write_text(RIVERS, encoding="utf-8")
    (tmp_path / "rivers.yaml").write_text("title: Rivers\nauthor: A. Writer\n")
    options = {"voices": "espeak", "cache": tmp_path / "c", "out": tmp_path / "out"}
    with narrate.open_studio(source, **options).session as session:
        session.pronounce("Volga", "Vol-gah")
    assert (tmp_path / "out" / "rivers" / "lexicon.yaml").is_file()
    source.write_text(RIVERS + "\nThe Volga runs to the sea.\n", encoding="utf-8")
    built = narrate.build(source, progress=False, **options)
    said = [say for say in _spoken(built.folder).values() if "Vol" in say]
    assert len(said) == 2 and all("Vol-gah" in say for say in said), said
    assert "Vol-gah" in narrate.script(source, out=tmp_path / "out").chapters[0].sections[-1] \
        .segments[0].say  # the script of the source, as the build reads it
    script = built.folder / "script.yaml"  # a text edited by hand is said by the same rules
    script.write_text(script.read_text().replace("text: The sea is wide and grey.",
                                                 "text: The Volga sea is wide."))
    narrate.build(source, progress=False, **options)
    assert "The Vol-gah sea is wide." in _spoken(built.folder).values()


@pytest.mark.unit
def test_the_layers_are_narrates_the_books_its_folders_then_the_given(tmp_path):
    book, given = tmp_path / "book.yaml", tmp_path / "given.yaml"
    folder = tmp_path / "out" / "b"
    folder.mkdir(parents=True)
    book.write_text("volga: Book-volga\nneva: Book-neva\noka: Book-oka\n")
    (folder / "lexicon.yaml").write_text("volga: Folder-volga\nneva: Folder-neva\n")
    given.write_text("volga: Given-volga\n")
    files = lexicon_files(book, given, folder)
    assert list(files) == ["narrate", "book", "folder", "given"]
    said = book_lexicon(book, given, folder).apply("volga neva oka")
    assert said == "Given-volga Folder-neva Book-oka"
    assert list(lexicon_files(book, book, tmp_path / "none")) == ["narrate", "book"]


# ---- 3. the lexicon a build was given is used again by the studio and --only -------------------

def test_the_studio_and_only_use_the_lexicon_the_build_was_given(tmp_path):
    """The manifest did not record --lexicon: a studio Keep (and `--only`) planned without it,
    so every line it respelled (here the credits, which say the title) rendered again."""
    source = tmp_path / "volga.md"
    source.write_text(RIVERS, encoding="utf-8")
    (tmp_path / "volga.yaml").write_text("title: The Volga\nauthor: A. Writer\n")
    given = tmp_path / "mine.yaml"
    given.write_text("Volga: Vol-gah\n", encoding="utf-8")
    options = {"voices": "espeak", "cache": tmp_path / "c", "out": tmp_path / "out"}
    first = narrate.build(source, lexicon=given, progress=False, **options)
    assert json.loads((first.folder / "manifest.json").read_text())["lexicons"]["given"] == \
        str(given.resolve())
    assert "Vol-gah" in _spoken(first.folder)["credits"]
    again = narrate.build(source, only="01.002.1", progress=False, **options)
    assert again.render.rendered == ["01.002.1"]
    with narrate.open_studio(first.folder, **options).session as session:
        kept = session.keep("01.002.1", text="The Volga is wide and grey.")
        assert kept.render.rendered == ["01.002.1"]
        assert "Vol-gah" in _spoken(first.folder)["01.002.1"]
        retaken = session.retake("01.001.1")
        assert retaken.render.rendered == ["01.001.1"]
        with pytest.raises(NarrateError, match="mine.yaml: already respells 'Volga'"):
            session.pronounce("volga", "Vol-gaah")  # the given file's entry would win
        assert not (first.folder / "lexicon.yaml").exists()
    given.unlink()
    gone = run("build", source, "--only", "01.001.1", "--voices", "espeak", "--cache",
               tmp_path / "c", "--out", tmp_path / "out")
    one_line_error(gone, str(given), "--lexicon")


# ---- 4. control characters from metadata and lexicons never reach an engine --------------------

CONTROLS = "\x00\x07\x1b\x7f"


def test_control_characters_in_metadata_and_a_lexicon_are_removed_and_warned_of(tmp_path):
    """`title: "Bi\\x1berds"` in book.yaml and a respelling "Vol\\x1bgah" reached the engine
    through the credits and the spoken text."""
    (tmp_path / "b.md").write_text("# One\n\nThe Volga is wide.\n")
    (tmp_path / "b.yaml").write_text('language: en\ntitle: "Bi\\x1berds"\n'
                                     'author: "A.\\x07 Writer"\ndescription: "d\\x00x"\n'
                                     'chapters: ["On\\x1be"]\nlexicon: lex.yaml\n')
    (tmp_path / "lex.yaml").write_text('oka: Oka\nVolga: {say: "Vol\\x1bgah", hibari: "v\\x00"}\n')
    result = run("script", tmp_path / "b.md", "-o", tmp_path / "s.yaml")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert [line for line in lines if "b.yaml:2" in line and "control characters" in line
            and "(and 3 more)" in line], lines
    assert [line for line in lines if "lex.yaml:2" in line and "'Volga'" in line
            and "control characters" in line], lines
    book = narrate.script(tmp_path / "b.md")
    texts = [book.title, book.author, str(book.extra), book.chapters[0].title,
             *[segment.say for segment in book.spoken]]
    assert not [text for text in texts if set(text) & set(CONTROLS)], texts
    assert book.title == "Bierds" and book.author == "A. Writer"
    assert "Volgah" in book.spoken[-1].say
    spoken_as = book_lexicon(tmp_path / "lex.yaml")
    assert spoken_as.phonemes["hibari"]["Volgah"][0] == "v"


# ---- 5. every YAML and JSON file narrate reads is capped ---------------------------------------

def _sparse(path, size: int, head: bytes = b"") -> None:
    """A file of `size` bytes that costs no disk: `head`, then a hole."""
    path.write_bytes(head)
    os.truncate(path, size)


@pytest.mark.unit
def test_a_metadata_file_of_100000_lines_is_one_line_naming_it_and_the_limit(tmp_path):
    """A 100,000-line metadata YAML beside a source was parsed whole before it failed."""
    (tmp_path / "b.md").write_text("# One\n\nThe first chapter.\n")
    (tmp_path / "b.yaml").write_text("title: B\nauthor: A\nchapters:\n" + "".join(
        f"- Chapter number {n}\n" for n in range(100_000)))
    one_line_error(run("script", tmp_path / "b.md", "-o", tmp_path / "s.yaml"),
                   str(tmp_path / "b.yaml"), "more than narrate reads as a metadata file (1 MB)")


@pytest.mark.unit
@pytest.mark.parametrize("name, size", [("lexicon", MAX_LEXICON_BYTES),
                                        ("profile", MAX_METADATA_BYTES),
                                        ("script", MAX_YAML_BYTES)])
def test_a_lexicon_profile_or_script_too_big_is_one_line_before_it_is_read(tmp_path, name, size):
    source = tmp_path / "b.md"
    source.write_text("# One\n\nThe first chapter.\n")
    big = tmp_path / {"lexicon": "big.yaml", "profile": "cast/narrator.yaml",
                      "script": "script.yaml"}[name]
    big.parent.mkdir(exist_ok=True)
    _sparse(big, size + 1, b"narrate_script: 1\n" if name == "script" else b"")
    args = {"lexicon": ["script", source, "--lexicon", big, "-o", tmp_path / "s.yaml"],
            "profile": ["show", source, "--voices", big.parent],
            "script": ["show", big]}[name]
    one_line_error(run(*args), str(big), "more than narrate reads as a")


def test_a_manifest_too_big_is_one_line_and_a_build_writes_it_again(tmp_path):
    """read_manifest read manifest.json whole, whatever its size."""
    source = _two_lines(tmp_path)
    args = ("--out", tmp_path / "out", "--cache", tmp_path / "c")
    assert run("build", source, *args).returncode == 0
    manifest = tmp_path / "out" / "b" / "manifest.json"
    _sparse(manifest, MAX_MANIFEST_BYTES + 1, manifest.read_bytes())
    one_line_error(run("check", manifest.parent), str(manifest),  # read whole, 64 MB of JSON
                   "more than narrate reads as a manifest (64 MB)")  # then "not readable"
    assert run("build", source, *args).returncode == 0  # taken as no manifest: written again
    assert json.loads(manifest.read_text())["book"] == "B"


def test_a_studio_request_too_big_is_refused_unread_and_the_studio_goes_on(tmp_path):
    """A request's JSON was read whole, whatever its size."""
    import http.client

    source = _two_lines(tmp_path)
    running = narrate.open_studio(source, voices="espeak", cache=tmp_path / "c",
                                  out=tmp_path / "out").start()
    try:
        body = json.dumps({"id": "01.001.1", "say": "x" * (2 * 2**20)}).encode()
        for chunked in (False, True):
            connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=60)
            headers = {"X-Narrate-Token": running.token, "Content-Type": "application/json"}
            connection.request("POST", "/api/keep", iter([body]) if chunked else body, headers,
                               encode_chunked=chunked)
            answer = connection.getresponse()
            error = json.loads(answer.read())["error"]
            connection.close()
            assert answer.status == 413 and "\n" not in error and "at most 1 MB" in error
        connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=60)
        connection.request("GET", "/api/book", headers={"X-Narrate-Token": running.token})
        assert json.loads(connection.getresponse().read())["title"] == "B"
        connection.close()
    finally:
        running.stop()


@pytest.mark.unit
def test_a_front_matter_larger_than_a_metadata_file_is_not_parsed(tmp_path):
    source = tmp_path / "b.md"
    source.write_text("---\ntitle: Big\n" + "".join(f"k{n}: v\n" for n in range(200_000))
                      + "---\n\n# One\n\nThe first chapter.\n")
    problems: list = []
    book = narrate.script(source, warnings=problems)
    assert book.title != "Big" and book.chapters[0].sections[0].segments[0].text == \
        "The first chapter."
    assert [p for p in problems if "front matter is not read (more than 1 MB" in str(p)]


def test_a_huge_encoders_file_in_the_cache_is_not_read_but_written_again(tmp_path):
    """LAME's measured loss is kept in the user cache's encoders.json, which was read whole."""
    user_cache = tmp_path / "user"
    user_cache.mkdir()
    kept = user_cache / "encoders.json"
    kept.write_text(json.dumps({f"ffmpeg {n}": 0.5 for n in range(100_000)}))
    assert kept.stat().st_size > MAX_METADATA_BYTES
    built = run("build", _two_lines(tmp_path), "--out", tmp_path / "out", "--cache",
                tmp_path / "c", env={"NARRATE_CACHE": str(user_cache)})
    assert built.returncode == 0, built.stderr
    assert kept.stat().st_size < 10_000 and len(json.loads(kept.read_text())) == 1


# ---- 6. a short book narrate made passes narrate's own check -----------------------------------

def _speech_level(path) -> float:
    """The RMS of a decoded file's 10 ms windows louder than -50 dBFS, read here with ffmpeg
    and NumPy: the level of its speech, its pauses and room tone left out."""
    import subprocess

    import numpy as np

    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1",
                          "-"], capture_output=True, check=True).stdout
    pcm = np.frombuffer(raw, np.int16).astype(np.float64)
    width = 22050 // 100
    windows = (pcm[:len(pcm) // width * width] ** 2).reshape(-1, width).sum(axis=1)
    loud = windows[windows > width * (32768 * 10 ** (-50 / 20)) ** 2]
    return float(10 * np.log10(loud.sum() / (len(loud) * width) / 32768 ** 2))


def test_a_two_chapter_book_without_an_author_passes_the_default_check(tmp_path):
    """Chapter 1 of this book is three short lines in 7.5 s: 0.7 s of room tone, the credits'
    1.8 s pause, the title's, and 2 s of tail. Levelled as a whole file to -20 dB, it could
    not get there: the search gave up at +22.75 dB, the limiter crushing the speech to
    -14 dB, and the file measured -22.2 dB, failing the check every time."""
    source = tmp_path / "b.md"
    source.write_text("# One\n\nThe first chapter.\n\n# Two\n\nThe second chapter.\n")
    (tmp_path / "b.yaml").write_text("title: B\n")
    assert run("build", source, "--out", tmp_path / "out", "--cache", tmp_path / "c",
               "--voices", "espeak").returncode == 0
    checked = run("check", tmp_path / "out" / "b")
    assert checked.returncode == 0, checked.stdout
    assert "FAIL" not in checked.stdout and "PASSED" in checked.stdout
    for chapter in ("01 - One.mp3", "02 - Two.mp3"):
        assert abs(_speech_level(tmp_path / "out" / "b" / chapter) + 20) <= 0.3, chapter
    levels = json.loads((tmp_path / "out" / "b" / "check" / "check.json").read_text())
    assert max(s["rms_db"] for s in levels["segments"]) < -17.5  # not crushed: -14 to -18


def test_a_script_beside_the_audio_too_big_is_refused_never_replaced(tmp_path):
    """Read as text first to see whether it was edited: a script (and its base) too big to
    read were both 'nothing', so alike, and the build would write over the user's file."""
    from narrate.edits import base_path

    source = _two_lines(tmp_path)
    args = ("--out", tmp_path / "out", "--cache", tmp_path / "c")
    assert run("build", source, *args).returncode == 0
    script = tmp_path / "out" / "b" / "script.yaml"
    for path in (script, base_path(script)):
        _sparse(path, MAX_YAML_BYTES + 1, b"narrate_script: 1\n")
    one_line_error(run("build", source, *args), str(script), "more than narrate reads as a script")
    assert script.stat().st_size == MAX_YAML_BYTES + 1
