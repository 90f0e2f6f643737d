"""A book's metadata file (`book.yaml` beside `book.txt`) as a person writes it (issue 35,
what the fuzzer still found): its text read as typed, its warnings naming it, a folder or a
narrate script in its place said plainly."""

from __future__ import annotations

import pytest
import yaml
from test_reliability import one_line_error, run

from narrate import script

pytestmark = pytest.mark.unit

BOOK = "Chapter 1\n\nThe geese came over the hill.\n\nChapter 2\n\nThen they went away again.\n"


def _book(tmp_path, meta: str | None = None):
    source = tmp_path / "book.txt"
    source.write_text(BOOK)
    if meta is not None:
        (tmp_path / "book.yaml").write_text(meta)
    return source


@pytest.mark.parametrize("chapters, titles", [
    ("[No, 12:30, '010']", ["No", "12:30"]),
    ("[010, 0x1F]", ["010", "0x1F"]),
    ("\n  - title: Yes\n  - title: 1_000", ["Yes", "1_000"]),
])
def test_the_metadata_s_chapter_titles_are_read_as_typed(tmp_path, chapters, titles):
    """`chapters: [No, 12:30, 010]` titled the chapters "False" and "750"."""
    source = _book(tmp_path, f"title: T\nauthor: A\nchapters: {chapters}\n")
    assert [c.title for c in script(source).chapters] == titles


@pytest.mark.parametrize("key, typed", [("title", "No"), ("author", "010"), ("narrator", "On"),
                                        ("language", "no"), ("year", "2001-12-14"),
                                        ("isbn", "0123"), ("series", "~x")])
def test_the_metadata_s_text_fields_are_read_as_typed(tmp_path, key, typed):
    """`title: No` was the book "False", `language: no` (Norwegian) false; `isbn:
    0123` was 83 (an octal number)."""
    fields = {"title": "T", "author": "A", key: typed}  # each written plain, as typed
    source = _book(tmp_path, "".join(f"{k}: {v}\n" for k, v in fields.items()))
    book = script(source)
    value = getattr(book, key) if key in ("title", "author", "narrator", "language") \
        else book.extra[key]
    assert value == typed


def test_metadata_that_is_not_text_is_still_its_type(tmp_path):
    """Only text is read as typed: `credits: no` is still false, a null title none."""
    source = _book(tmp_path, "title: ~\nauthor: A\ncredits: no\nseries_index: 2\n")
    book = script(source)
    assert book.title == "Book" and book.extra["credits"] is False


def test_a_chapters_warning_names_the_metadata_file_and_its_line(tmp_path):
    """It said `narrate: line 4: warning: …`: the line, but not of which file."""
    source = _book(tmp_path, "title: T\nauthor: A\n\nchapters: [One, Two, Three]\n")
    result = run("script", source, "-o", "-")
    assert result.returncode == 0, result.stderr
    [warning] = [line for line in result.stderr.splitlines() if "chapters:" in line]
    assert "book.yaml" in warning and "line 4" in warning, warning


def test_a_script_written_beside_its_source_is_not_read_as_the_book_s_metadata(tmp_path):
    """`narrate script book.txt -o book.yaml` wrote the script where narrate looks for the
    book's metadata: every later run stopped at "unknown key 'narrate_script'". It is
    passed over, with a warning naming it and how to build it."""
    source = _book(tmp_path)
    assert run("script", source, "-o", tmp_path / "book.yaml").returncode == 0
    for args in (["script", source, "-o", "-"], ["build", source, "--dry-run",
                                                  "--out", tmp_path / "out"]):
        result = run(*args, env={"NARRATE_CACHE": str(tmp_path / "cache")})
        assert result.returncode == 0, result.stderr
        assert "book.yaml: warning: a narrate script, not the metadata of book.txt" \
            in result.stderr and "narrate build " in result.stderr, result.stderr
    written = tmp_path / "book.yaml"
    written.write_text(written.read_text().replace("say: Then they went away", "say: They left"))
    result = run("script", source, "-o", written)  # written again: the edit is kept
    assert result.returncode == 0, result.stderr
    says = [s["say"] for c in yaml.safe_load(written.read_text())["chapters"]
            for sec in c["sections"] for s in sec["segments"]]
    assert "They left again." in says


@pytest.mark.parametrize("flag, what", [("--meta", "metadata file"), ("--lexicon", "lexicon")])
@pytest.mark.parametrize("command", [["script", "{source}", "-o", "-"],
                                     ["build", "{source}", "--dry-run"]])
def test_a_folder_named_as_meta_or_lexicon_is_one_line_naming_it(tmp_path, flag, what, command):
    """click's three-line usage error ("Usage: … Try … Error: … is a directory") is one
    line naming the folder: the file is opened by narrate, which says what it is not."""
    source = _book(tmp_path)
    (tmp_path / "a-folder").mkdir()
    result = run(*[a.format(source=source) for a in command], flag, tmp_path / "a-folder",
                 env={"NARRATE_CACHE": str(tmp_path / "cache")})
    one_line_error(result, "a-folder: is a folder", f"name the {what} itself")
