"""A user's edits of script.yaml are kept when the source is built again (narrate.edits):
every path — script then source, source then script, both on one paragraph, a segment
deleted, a paragraph inserted — and the build's one line on a conflict."""

from __future__ import annotations

import pytest
from test_reliability import one_line_error, run

from narrate import build
from narrate import script as convert
from narrate.edits import base_path, compose, keep_script
from narrate.errors import NarrateError
from narrate.scriptfile import END, load_script, write_script

TEXT = ("Notes\n\nFirst, the swans came over the hill.\n\nThen, the geese.\n\n"
        "Last of all, the ducks walked home.\n")


@pytest.fixture
def book(tmp_path):
    """A source and the script narrate wrote from it (with its base)."""
    source = tmp_path / "notes.md"
    source.write_text(TEXT)
    script = tmp_path / "script.yaml"
    keep_script(convert(source), convert(source), script)
    return source, script


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def _says(book) -> list[str]:
    return [s.say for s in book.segments]


@pytest.mark.unit
def test_an_edit_is_kept_when_the_source_is_converted_again(book):
    source, script = book
    _edit(script, "say: Then, the geese.", "say: And then, the geese.")
    composed, lines = compose(convert(source), script)
    assert "And then, the geese." in _says(composed) and not lines  # nothing else changed


@pytest.mark.unit
def test_script_then_source_on_other_paragraphs_both_are_kept(book):
    source, script = book
    _edit(script, "say: Then, the geese.", "say: And then, the geese.")
    _edit(source, "First, the swans", "At first, the white swans")
    composed, lines = compose(convert(source), script)
    assert _says(composed)[1:] == ["At first, the white swans came over the hill.",
                                   "And then, the geese.", "Last of all, the ducks walked home."]
    assert "your edits to 1 part of the script are kept" in lines[0]


@pytest.mark.unit
def test_source_then_script_the_edit_of_the_new_text_is_kept(book):
    source, script = book
    _edit(source, "Then, the geese.", "Then, the grey geese.")
    keep_script(*compose(convert(source), script)[:1], convert(source), script)  # a build
    _edit(script, "say: Then, the grey geese.", "say: Then, the grey gheese.")
    composed, _ = compose(convert(source), script)
    assert "Then, the grey gheese." in _says(composed)


@pytest.mark.unit
def test_both_on_one_paragraph_stops_naming_the_segment_and_both_versions(book):
    source, script = book
    _edit(script, "say: Then, the geese.", "say: And then, the geese.")
    _edit(source, "Then, the geese.", "Then, the grey geese.")
    with pytest.raises(NarrateError) as caught:
        compose(convert(source), script)
    line = caught.value.message("cli")
    assert "01.003.1" in line and "And then, the geese." in line and \
        "Then, the grey geese." in line and "--prefer script" in line and \
        "--prefer source" in line
    mine, _ = compose(convert(source), script, prefer="script")
    theirs, _ = compose(convert(source), script, prefer="source")
    assert "And then, the geese." in _says(mine) and "Then, the grey geese." in _says(theirs)


@pytest.mark.unit
def test_a_segment_deleted_in_the_script_stays_deleted(book):
    source, script = book
    text = script.read_text()
    start = text.index("  - id: '01.002'")
    script.write_text(text[:start] + text[text.index("  - id: '01.003'"):])
    _edit(source, "Last of all", "Last of all, at dusk,")
    composed, _ = compose(convert(source), script)
    assert not any("swans" in say for say in _says(composed))
    assert "Last of all, at dusk, the ducks walked home." in _says(composed)


@pytest.mark.unit
def test_a_paragraph_inserted_in_the_source_keeps_edits_after_it(book):
    source, script = book
    _edit(script, "say: Last of all, the ducks walked home.", "say: Last, the ducks walked home.")
    _edit(source, "Then, the geese.", "Then, the geese.\n\nA heron stood still.")
    composed, _ = compose(convert(source), script)
    assert _says(composed)[1:] == ["First, the swans came over the hill.", "Then, the geese.",
                                   "A heron stood still.", "Last, the ducks walked home."]
    ids = [s.id for s in composed.segments]
    assert len(ids) == len(set(ids))


@pytest.mark.unit
def test_a_segment_added_in_the_script_stays_after_its_neighbour(book):
    source, script = book
    _edit(script, "    - id: 01.003.1\n      role: narrator\n      text: Then, the geese.\n"
          "      say: Then, the geese.\n",
          "    - id: 01.003.1\n      role: narrator\n      text: Then, the geese.\n"
          "      say: Then, the geese.\n    - id: 01.003.2\n      role: quote\n"
          "      text: Honk.\n      say: Honk!\n")
    _edit(source, "First, the swans", "At first, the swans")
    composed, _ = compose(convert(source), script)
    assert _says(composed)[2:4] == ["Then, the geese.", "Honk!"]


@pytest.mark.unit
def test_a_moved_section_is_one_line_not_a_silent_loss(book):
    source, script = book
    text = script.read_text()
    swans = text[text.index("  - id: '01.002'"):text.index("  - id: '01.003'")]
    script.write_text(text.replace(swans, "") + swans)  # after the ducks
    with pytest.raises(NarrateError, match="01.002 was moved"):
        compose(convert(source), script)


@pytest.mark.unit
def test_a_script_written_before_bases_were_kept_is_never_silently_replaced(book):
    source, script = book
    base_path(script).unlink()
    _edit(script, "say: Then, the geese.", "say: And then, the geese.")
    with pytest.raises(NarrateError, match="no record of what it wrote"):
        compose(convert(source), script)
    assert _says(compose(convert(source), script, prefer="script")[0])[2] == "And then, the geese."


@pytest.mark.unit
def test_a_replaced_edited_script_is_kept_as_a_backup(book):
    source, script = book
    _edit(script, "say: Then, the geese.", "say: And then, the geese.")
    edited = script.read_text()
    _edit(source, "Then, the geese.", "Then, the grey geese.")
    keep_script(compose(convert(source), script, "source")[0], convert(source), script)
    assert "Then, the grey geese." in script.read_text()
    assert (script.parent / "script.yaml~").read_text() == edited


@pytest.mark.e2e
def test_the_build_keeps_an_edit_heard_and_stops_on_a_conflict_before_any_work(tmp_path):
    """The issue's case: edit, build the script, build the source: the edit stays."""
    source = tmp_path / "notes.md"
    source.write_text(TEXT)
    args = {"cache": tmp_path / "c", "out": tmp_path / "out", "progress": False}
    first = build(source, **args)
    script = first.folder / "script.yaml"
    _edit(script, "say: Then, the geese.", "say: And then, the geese.")
    assert build(script, **args).render.rendered == ["01.003.1"]
    again = build(source, **args)
    assert "And then, the geese." in script.read_text() and again.render.rendered == []
    _edit(source, "Then, the geese.", "Then, the grey geese.")
    before = sorted(p.name for p in first.folder.iterdir())
    cli = ("build", source, "--out", tmp_path / "out", "--cache", tmp_path / "c")
    one_line_error(run(*cli), "segment 01.003.1 was edited", "--prefer script")
    assert sorted(p.name for p in first.folder.iterdir()) == before  # nothing was done
    assert run(*cli, "--prefer", "source").returncode == 0
    assert "Then, the grey geese." in script.read_text()


@pytest.mark.unit
def test_the_script_command_credits_the_reader_as_the_build_does(tmp_path, monkeypatch):
    """`narrate script` wrote `narrator: ''` where a build wrote the cast's name: a script
    made first then built looked edited."""
    monkeypatch.setenv("NARRATE_VOICES", "natural")
    source = tmp_path / "notes.md"
    source.write_text(TEXT)
    book = convert(source)
    assert book.narrator == "Heart, a synthetic voice"
    assert any("Read by Heart" in s.say for s in book.credits)
    assert convert(source, voices="espeak").narrator == ""


@pytest.mark.unit
def test_an_edited_text_is_said_and_still_follows_after_the_script_is_rewritten(book):
    """Only `text:` edited: said from the new text; when narrate rewrites the script (the
    source changed elsewhere) the say stays as the user left it, so the next text edit is
    heard too; a say edited with its text is kept as typed."""
    source, script = book
    _edit(script, "text: Then, the geese.", "text: Then, 3 geese.")
    assert "Then, three geese." in _says(compose(convert(source), script)[0])
    _edit(source, "First, the swans", "At first, the swans")
    composed, _ = compose(convert(source), script)
    assert keep_script(composed, convert(source), script)  # rewritten: the source changed
    written = script.read_text()
    assert "text: At first, the swans" in written and "text: Then, 3 geese.\n" \
        "      say: Then, the geese." in written
    _edit(script, "text: Then, 3 geese.", "text: Then, 4 geese.")
    assert _says(compose(convert(source), script)[0])[2] == "Then, four geese."
    _edit(script, "say: Then, the geese.", "say: Then, a few geese.")
    assert _says(compose(convert(source), script)[0])[2] == "Then, a few geese."


@pytest.mark.unit
def test_a_script_written_before_end_lines_is_not_taken_for_one_cut_short(book):
    """Scripts and bases an earlier narrate wrote have no end line: built from the source
    (the base written again, with one), the edited script is still not "cut short"."""
    source, script = book
    for path in (script, base_path(script)):
        path.write_text(path.read_text().removesuffix(END + "\n"))
    _edit(script, "say: Then, the geese.", "say: And then, the geese.")
    for _ in range(2):  # two builds: the first writes the base again
        composed, _ = compose(convert(source), script)
        keep_script(composed, convert(source), script)
        assert "And then, the geese." in _says(composed)
    script.write_text(script.read_text() + END + "\n")  # once it has the line, it counts
    keep_script(compose(convert(source), script)[0], convert(source), script)
    script.write_text(script.read_text().removesuffix(END + "\n"))
    with pytest.raises(NarrateError, match="cut short"):
        compose(convert(source), script)


@pytest.mark.unit
def test_a_conflict_shows_the_words_that_differ(tmp_path):
    """Both versions were cut at twelve words, before the words that differ."""
    source = tmp_path / "long.md"
    source.write_text("Notes\n\nOne, two, three, four, five, six, seven, eight, nine, ten, eleven, "
                      "twelve, thirteen: the swans came home at dusk.\n")
    script = tmp_path / "script.yaml"
    keep_script(convert(source), convert(source), script)
    mine = load_script(script)
    mine.segments[-1].say = mine.segments[-1].say.replace("the swans", "the white swans")
    write_script(mine, script)
    _edit(source, "came home at dusk", "came home at dawn")
    with pytest.raises(NarrateError) as caught:
        compose(convert(source), script)
    line = caught.value.message("cli")
    assert "the white swans came home" in line and "came home at dawn" in line, line
