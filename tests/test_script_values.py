"""A script edited by hand (issue 35, "hand-edited script values"): whatever a person types
in script.yaml is read as text, cleaned before an engine hears it, or refused in one line
naming the file, the line and the key, before any work."""

from __future__ import annotations

import json
import subprocess

import pytest
from test_reliability import one_line_error, run

from narrate import build
from narrate.model import Book, Chapter, Section, Segment
from narrate.scriptfile import load_script, to_yaml

SCRIPT = """narrate_script: 1
book: {title: Birds, author: Anon}
chapters:
- id: '01'
  title: Birds
  sections:
  - id: '01.001'
    segments:
    - id: 01.001.1
      role: narrator
      text: The geese came over the hill, and then they went away again.
      say: The geese came over the hill, and then they went away again.
"""
LINE = "The geese came over the hill, and then they went away again."


def _say(typed: str) -> str:
    """SCRIPT with its `say` (line 12) written as `typed`."""
    return SCRIPT.replace(f"say: {LINE}", f"say: {typed}")


def _script(tmp_path, text: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _seconds(mp3) -> float:
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-of", "json", str(mp3)],
                           capture_output=True, text=True, check=True)
    return float(json.loads(probe.stdout)["format"]["duration"])


@pytest.mark.e2e
def test_a_nul_or_a_control_character_in_a_say_is_removed_before_the_engine_hears_it(tmp_path):
    """A NUL cut the speech there (4.19 s of text, 1.2 s of audio); ESC and BEL reached the
    engine. Removed with one warning naming the line, the line is spoken whole."""
    dirty = _script(tmp_path, _say('"The geese\\0 came\\e over\\a the hill, and then they went '
                                   'away again."'))
    clean = _script(tmp_path, SCRIPT, "clean.yaml")
    common = ("--cache", tmp_path / "cache", "--formats", "mp3")
    built = run("build", dirty, "--out", tmp_path / "dirty", *common)
    assert built.returncode == 0, built.stderr
    assert "s.yaml:12: `say` held control characters" in built.stderr
    manifest = json.loads((tmp_path / "dirty" / "birds" / "manifest.json").read_text())
    assert manifest["spoken"]["01.001.1"]["say"] == LINE
    again = run("build", clean, "--out", tmp_path / "clean", *common)
    assert "segments: 0 rendered" in again.stdout  # the very speech of the clean line
    [one], [two] = ((tmp_path / side / "birds").glob("01 - *.mp3") for side in ("dirty", "clean"))
    assert _seconds(one) == pytest.approx(_seconds(two), abs=0.05) and _seconds(one) > 2.5


@pytest.mark.unit
def test_control_characters_in_a_spoken_title_and_the_credits_are_removed_too(tmp_path):
    text = SCRIPT.replace("book: {title: Birds, author: Anon}", """book: {title: Birds, author: Anon}
credits:
- {id: credits, role: narrator, text: Birds., say: "Bi\\x07rds."}""").replace(
        "  title: Birds\n", '  title: "Bi\\x1brds"\n  announce: {id: 01.000, role: narrator, '
        'text: Birds, say: "Bir\\x00ds"}\n')
    warnings: list = []
    book = load_script(_script(tmp_path, text), warnings)
    assert [s.say for s in book.spoken] == ["Birds.", "Birds", LINE]
    assert book.chapters[0].title == "Birds"
    assert warnings == [(f"{tmp_path / 's.yaml'}:4: `say` held control characters (and 2 more): "
                         "removed, never spoken; delete them from the script")]


@pytest.mark.unit
def test_a_lone_surrogate_in_a_say_is_one_line_before_any_work(tmp_path):
    """It was a UnicodeEncodeError traceback, with --dry-run too."""
    path = _script(tmp_path, _say('"The geese \\ud800 came."'))
    one_line_error(run("build", path, "--dry-run", "--out", tmp_path / "out"), "s.yaml:12:")
    assert not (tmp_path / "out").exists()


@pytest.mark.unit
@pytest.mark.parametrize("change, needles", [
    (("  title: Birds\n", "  title: Birds\n  label: [a, {b: c}]\n"),
     ("s.yaml:6:", "`label` must be text, not a list")),
    (("  title: Birds\n", "  title: Birds\n  announce: hello\n"),
     ("s.yaml:6:", "`announce` must hold the spoken title", "not the value 'hello'")),
    (("    segments:\n", "    segments:\n    - hello\n"),
     ("s.yaml:8:", "`segments` must hold segments, not the value 'hello'")),
])
def test_a_value_of_the_wrong_shape_is_one_line_naming_its_key_before_any_work(
        tmp_path, change, needles):
    """A label holding a list with a mapping failed writing the script, after rendering;
    `announce: hello` was "unknown key 'h'"."""
    path = _script(tmp_path, SCRIPT.replace(*change))
    one_line_error(run("build", path, "--dry-run", "--out", tmp_path / "out"), *needles)


@pytest.mark.unit
def test_a_mapping_in_the_book_s_metadata_is_written_back(tmp_path):
    """Metadata narrate does not read is kept as written (it could not be written back)."""
    path = _script(tmp_path, SCRIPT.replace("author: Anon}", "author: Anon, series: {a: b}}"))
    assert "series:\n    a: b\n" in to_yaml(load_script(path))


@pytest.mark.unit
def test_a_nul_byte_in_a_script_is_one_line_naming_its_line(tmp_path):
    """YAML refuses the byte itself: that was two lines, with a position, not a line."""
    path = _script(tmp_path, SCRIPT.replace("over the hill, and then", "over\0 the hill", 1))
    one_line_error(run("build", path, "--dry-run"), "s.yaml:11:", "U+0000", "delete it")


@pytest.mark.e2e
def test_a_misspelt_role_in_the_script_beside_the_audio_names_that_script_and_the_roles(tmp_path):
    """Rebuilt from its source, the edited script.yaml beside the audio was blamed on the
    source file, and its role called a voice."""
    source = tmp_path / "birds.txt"
    source.write_text("The geese came.\n\nThe ducks stayed on the pond all winter.\n")
    common = ("--out", tmp_path / "out", "--cache", tmp_path / "cache", "--formats", "mp3")
    assert run("build", source, *common).returncode == 0
    script = tmp_path / "out" / "birds" / "script.yaml"
    before, after = script.read_text().split("id: 01.002.1\n")
    script.write_text(f"{before}id: 01.002.1\n{after.replace('role: narrator', 'role: narator', 1)}")
    line = before.count("\n") + 2  # the role, under the id
    one_line_error(run("build", source, "--dry-run", *common),
                   f"{script}:{line}: segment 01.002.1's role 'narator' is not one of the cast's "
                   "(narrator|note|quote); did you mean 'narrator'")


@pytest.mark.e2e
def test_the_script_beside_the_audio_is_read_as_a_script_built_directly_is(tmp_path):
    """Rebuilt from its source, the edited script.yaml beside the audio is read by the same
    reader, and what it says about the script is said: its edit's control characters are
    removed with the warning, an empty `say` skipped with its."""
    source = tmp_path / "birds.txt"
    source.write_text("The geese came.\n\nThe ducks stayed on the pond all winter.\n")
    common = ("--out", tmp_path / "out", "--cache", tmp_path / "cache", "--formats", "mp3")
    assert run("build", source, *common).returncode == 0
    script = tmp_path / "out" / "birds" / "script.yaml"
    script.write_text(script.read_text()
                      .replace("say: The geese came.", 'say: "The geese\\0 came back."')
                      .replace("say: The ducks stayed on the pond all winter.", "say: ''"))
    built = run("build", source, "--dry-run", *common)
    assert built.returncode == 0, built.stderr
    assert f"{script}:" in built.stderr and "`say` held control characters" in built.stderr
    assert "segment 01.002.1 has an empty `say`; skipped" in built.stderr
    assert "would render 1 segment" in built.stdout  # the edit (the empty one is left out)


class CountingId(str):
    """An id that counts how often it is compared with another: a lookup in a set or a dict
    compares (almost) never, one in a list compares with every entry before it."""
    compared = 0

    def __eq__(self, other):
        CountingId.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


@pytest.mark.unit
def test_planning_a_dry_run_compares_ids_in_proportion_to_the_lines_not_their_square(tmp_path):
    """The dry run looked each line up in the list of lines to render: 2,000 lines were
    4,006,000 comparisons of ids (20,000 ran past a minute); now none."""
    count = 2_000
    book = Book("Big", author="A", chapters=[Chapter(CountingId("01"), "One", sections=[
        Section(CountingId(f"01.{n:05d}"), [Segment(CountingId(f"01.{n:05d}.1"), "narrator",
                                                    f"Line {n}.", f"Line {n}.")])
        for n in range(1, count + 1)])])
    CountingId.compared = 0
    result = build(book, dry_run=True, out=tmp_path / "out", cache=tmp_path / "cache")
    assert len(result.plan.render) == count + 2  # and the credits' two lines
    assert CountingId.compared < 10 * count


@pytest.mark.slow
def test_a_dry_run_of_20000_one_segment_sections_takes_seconds(tmp_path):
    """A smoke test of size, read from the script: it ran past a minute (the plan above,
    and PyYAML's own parser reading the script); about five seconds of CPU now."""
    count = 20_000
    lines = [SCRIPT.split("  sections:\n")[0] + "  sections:"]
    for n in range(1, count + 1):
        lines += [f"  - id: '01.{n:05d}'", "    segments:", f"    - id: 01.{n:05d}.1",
                  "      role: narrator", f"      text: Line {n}.", f"      say: Line {n}."]
    path = _script(tmp_path, "\n".join(lines) + "\n", "big.yaml")
    result = build(path, dry_run=True, out=tmp_path / "out", cache=tmp_path / "cache")
    assert len(result.plan.render) == count + 2  # and the credits' two lines
    assert result.plan.export == ["01"] and len(result.book.sections) == count
