"""narrate says what is true: the messages a new user met that misled them, each fixed
(issue 26's list), and text that was refused or misread as headings."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from test_reliability import one_line_error, run

import narrate
from narrate.errors import NarrateError
from narrate.fileio import load_yaml
from narrate.qa.report import rebuild_fix

SCRIPT = """narrate_script: 1
book:
  title: Birds
chapters:
- id: '01'
  title: Birds
  sections:
  - id: '01.001'
    segments:
    - id: 01.001.1
      role: {voice}
      text: The geese came.
      say: The geese came.
"""


@pytest.mark.unit
def test_a_mistyped_script_path_is_no_such_file_not_an_unreadable_format(tmp_path):
    one_line_error(run("build", tmp_path / "output/nosuch/script.yaml"), "script.yaml: no such file")


@pytest.mark.unit
def test_a_trailing_comma_in_formats_is_named_as_such(tmp_path):
    (tmp_path / "a.txt").write_text("One sentence here.\n")
    one_line_error(run("build", tmp_path / "a.txt", "--formats", "mp3,"), "a comma too many")


@pytest.mark.unit
def test_debug_works_after_the_command_name_too(tmp_path):
    result = run("build", tmp_path / "nosuch.txt", "--debug")
    assert result.returncode == 2 and "Traceback" in result.stderr
    assert "No such option" not in result.stderr


@pytest.mark.unit
def test_an_output_folder_narrate_cannot_make_is_one_line(tmp_path):
    """(A read-only filesystem gave a 40-line traceback: every OSError is one line.)"""
    (tmp_path / "a.txt").write_text("One sentence here.\n")
    (tmp_path / "file").write_text("not a folder")
    one_line_error(run("build", tmp_path / "a.txt", "--out", tmp_path / "file" / "books",
                       "--cache", tmp_path / "c"), "file", "check the path")


@pytest.mark.unit
def test_a_misspelt_role_names_the_script_line_and_the_nearest_role(tmp_path):
    script = tmp_path / "s.yaml"
    script.write_text(SCRIPT.format(voice="narator"))
    one_line_error(run("build", script, "--dry-run"), "s.yaml:11", "'narator'",
                   "did you mean 'narrator'")


@pytest.mark.unit
def test_a_yaml_syntax_error_names_the_line_of_the_break(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text('title: "Birds\nauthor: Anon\n')  # the quote never closes on line 1
    with pytest.raises(NarrateError, match=r"m\.yaml:1: YAML syntax error in lines 1-3"):
        load_yaml(path)


@pytest.mark.unit
def test_check_fixes_name_the_out_the_book_was_built_into(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    manifest = SimpleNamespace(book="book", source="book.txt")  # what a fix reads of it
    fix = "narrate build SOURCE"
    assert rebuild_fix(fix, tmp_path / "output" / "book", manifest) == "narrate build book.txt"
    assert rebuild_fix(fix, tmp_path / "books" / "book", manifest) == \
        f"narrate build book.txt --out {tmp_path / 'books'}"


@pytest.mark.unit
def test_a_failing_verify_suggests_cli_syntax():
    from narrate.pipeline import BuildResult
    from narrate.render.retake import RetakeReport

    report = RetakeReport(checked=3, failing={"credits": "silent"})
    lines = BuildResult._verify_summary(report)
    assert "1 still failing" in lines[0] and "`--only credits`" in lines[1]
    assert "only=" not in " ".join(lines)


@pytest.mark.unit
@pytest.mark.parametrize("line", [
    "Part 2. The weather was fine and we walked to the sea. Then we came home.",
    "Chapter 1. It was a dark and stormy night, and the rain fell in torrents."])
def test_a_label_followed_by_sentences_is_prose(tmp_path, line):
    source = tmp_path / "a.txt"
    source.write_text(line + "\n")
    book = narrate.script(source)
    assert [s.text for s in book.segments if s.role == "narrator"][-1].endswith(
        line.split(". ", 1)[1])
    assert book.chapters[0].title_source == "opening"  # not a heading's title


@pytest.mark.unit
def test_a_label_with_a_title_is_still_a_heading(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("Lecture I: The present dilemma in philosophy\n\nSome text here. More.\n\n"
                      "CHAPTER IV. THE EXILE.\n\nHe went away.\n")
    titles = [c.title for c in narrate.script(source).chapters]
    assert titles == ["The present dilemma in philosophy", "THE EXILE"]


@pytest.mark.e2e
def test_a_rebuild_without_readalong_removes_the_epub_and_an_unchanged_one_writes_nothing(
        tmp_path):
    from narrate import build

    source = tmp_path / "a.txt"
    source.write_text("The geese came over the hill. There were 1,250 birds.\n")
    args = {"cache": tmp_path / "c", "out": tmp_path / "out", "progress": False}
    folder = build(source, readalong=True, **args).folder
    assert list(folder.glob("*.epub"))
    source.write_text("The geese came over the hill. There were 1,300 birds.\n")
    build(source, **args)
    assert not list(folder.glob("*.epub"))  # it said 1,250 where the page says 1,300
    manifest = folder / "manifest.json"
    before = manifest.stat().st_mtime_ns
    build(source, **args)
    assert manifest.stat().st_mtime_ns == before  # same bytes: not written again


@pytest.mark.unit
def test_a_preview_played_to_the_end_leaves_no_file(tmp_path, monkeypatch):
    from narrate import audition

    monkeypatch.setattr(audition, "has_audio_device", lambda: True)
    monkeypatch.setattr(audition, "PLAYERS", [["true"]])  # a player that plays at once
    monkeypatch.setattr(audition.tempfile, "tempdir", str(tmp_path))
    result, _ = audition.preview(text="The geese came.", cache=tmp_path / "c")
    assert result.player == "true" and not result.wav.exists()
    assert not list(tmp_path.glob("narrate-preview-*"))
