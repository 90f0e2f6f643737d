"""Batch builds: several books in one run through the real engine and ffmpeg; one broken
book is reported and the others are built; a second run resumes; a paragraph two books
share is rendered once."""

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

import narrate
from narrate.batch import build_many, sources_in, summary_table

NARRATE = [sys.executable, "-m", "narrate"]
SHARED = "A paragraph that both lectures share, word for word, is rendered only once."


@pytest.fixture
def lectures(tmp_path):
    folder = tmp_path / "lectures"
    folder.mkdir()
    (folder / "one.md").write_text(f"# Rivers\n\nThe first lecture is about rivers.\n\n{SHARED}\n")
    (folder / "two.txt").write_text(f"The second lecture is about hills.\n\n{SHARED}\n")
    (folder / "two.yaml").write_text("title: Hills\nauthor: Ada Writer\n")  # metadata, no book
    (folder / "broken.epub").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # not a book either
    return folder


def duration(path) -> float:
    return float(json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-of", "json", str(path)],
        capture_output=True, text=True, check=True).stdout)["format"]["duration"])


@pytest.mark.slow  # a whole build: the full suite runs it, not the quick tier
def test_a_folder_of_books_builds_all_but_the_broken_one_and_resumes(lectures, tmp_path):
    args = NARRATE + ["build", str(lectures), "--out", str(tmp_path / "library"),
                      "--cache", str(tmp_path / "cache"), "--check"]
    first = subprocess.run(args, capture_output=True, text=True, check=False)
    assert first.returncode == 1, first.stderr
    table = first.stdout.splitlines()
    assert table[0].split() == ["book", "chapters", "duration", "rendered/reused", "result"]
    rows = {line.split()[0]: line for line in table[1:-1]}
    assert list(rows) == ["broken.epub", "one.md", "two.txt"]
    assert "failed: " in rows["broken.epub"] and "zip" in rows["broken.epub"]
    assert rows["one.md"].endswith("built, check passed")
    assert rows["two.txt"].endswith("built, check passed")
    assert table[-1].startswith("2 of 3 books built")
    assert "Traceback" not in first.stderr
    two = tmp_path / "library" / "two"
    assert duration(next(two.glob("01 - *.mp3"))) > 2
    assert json.loads((two / "metadata.json").read_text())["title"] == "Hills"
    assert not (tmp_path / "library" / "broken").exists()

    (lectures / "broken.epub").unlink()  # the user removes the bad file and runs it again
    again = subprocess.run(args, capture_output=True, text=True, check=True)
    rendered = {line.split()[0]: line.split()[3] for line in again.stdout.splitlines()[1:-1]}
    assert rendered == {"one.md": "0/5", "two.txt": "0/4"}  # all from the cache
    assert again.stdout.splitlines()[-1] == "2 of 2 books built"


def test_a_paragraph_two_books_share_is_rendered_once(lectures, tmp_path):
    (lectures / "broken.epub").unlink()
    entries = narrate.build_many([lectures], out=tmp_path / "out", cache=tmp_path / "cache")
    one, two = (e.result for e in entries)
    assert one.render and two.render
    shared = [s.id for s in two.book.segments if s.text == SHARED]
    assert shared and set(shared) <= set(two.render.reused)
    assert all(e.ok for e in entries)


@pytest.mark.unit
def test_books_that_would_share_a_folder_are_refused_and_sources_are_found(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "intro.md").write_text("# Intro\n\nWords.\n")
    (tmp_path / "a" / "notes.yaml").write_text("title: Notes\n")
    (tmp_path / "a" / ".hidden.md").write_text("# Hidden\n\nWords.\n")
    assert sources_in([tmp_path / "a", tmp_path / "b"]) == \
        [tmp_path / "a" / "intro.md", tmp_path / "b" / "intro.md"]
    built = []

    def build_one(source):  # what the batch does with a book is pipeline.build's own test
        built.append(source)
        return SimpleNamespace(render=None, export=None)

    entries = build_many([tmp_path / "a", tmp_path / "b"], build_one)
    assert built == [tmp_path / "a" / "intro.md"] and entries[0].ok
    assert entries[1].failure is not None and "same folder as" in str(entries[1].failure)
    assert summary_table(entries)[-1] == "1 of 2 books built; run again to resume the others"
    (tmp_path / "empty").mkdir()
    with pytest.raises(narrate.NarrateError, match="no book to build"):
        sources_in([tmp_path / "empty"])
    with pytest.raises(narrate.NarrateError, match="meta"):
        narrate.build_many([tmp_path / "a"], meta=tmp_path / "a" / "notes.yaml")


@pytest.mark.unit
def test_only_names_a_part_of_one_book(tmp_path):
    (tmp_path / "a.md").write_text("# A\n\nWords.\n")
    (tmp_path / "b.md").write_text("# B\n\nWords.\n")
    result = subprocess.run(NARRATE + ["build", str(tmp_path / "a.md"), str(tmp_path / "b.md"),
                                       "--only", "01.001"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2 and "--only" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
