"""What a new user found (issue 35, Trust III): a small Markdown book built from the
README with the quick espeak cast, and the places it lost or misled them."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
from conftest import alive_in_group, stop_group, wait_until
from test_reliability import NARRATE, one_line_error, run

import narrate
from narrate.edits import compose, keep_script
from narrate.errors import NarrateError
from narrate.scriptfile import load_script, to_yaml

TEXT = "# One\n\nFirst, the swans came over the hill.\n\nThen, a quotation from the geese.\n"


@pytest.mark.unit
def test_a_retaken_line_still_hears_a_later_lexicon(tmp_path):
    """A `take:` is a delivery, not the words: a line taken again says what narrate
    derives with the lexicon the next build gives, as its neighbours do."""
    source, script = tmp_path / "book.md", tmp_path / "script.yaml"
    source.write_text(TEXT)
    keep_script(narrate.script(source), narrate.script(source), script)
    script.write_text(script.read_text().replace("say: Then, a quotation from the geese.\n",
                                                 "say: Then, a quotation from the geese.\n"
                                                 "      take: 3\n"))
    mine = tmp_path / "mine.yaml"
    mine.write_text("quotation: kwo-tay-shun\n")
    composed, _ = compose(narrate.script(source, lexicon=mine), script, lexicon=mine)
    retaken = composed.segments[-1]
    assert (retaken.say, retaken.take) == ("Then, a kwo-tay-shun from the geese.", 3)
    # and the script the build writes says so: the next build does not take the old say
    # for an edit of the user's
    keep_script(composed, narrate.script(source, lexicon=mine), script, lexicon=mine)
    assert load_script(script, []).segments[-1].say == "Then, a kwo-tay-shun from the geese."
    composed, _ = compose(narrate.script(source), script)  # the lexicon no longer given
    assert composed.segments[-1].say == "Then, a quotation from the geese."
    # in a book's own lexicon (book.yaml) too
    (tmp_path / "book.yaml").write_text("title: B\nauthor: A\nlexicon: mine.yaml\n")
    composed, _ = compose(narrate.script(source), script)
    assert (composed.segments[-1].say, composed.segments[-1].take) == (
        "Then, a kwo-tay-shun from the geese.", 3)


@pytest.mark.unit
def test_a_lexicon_given_to_a_script_build_respells_its_says(tmp_path):
    source, script = tmp_path / "book.md", tmp_path / "script.yaml"
    source.write_text(TEXT)
    keep_script(narrate.script(source), narrate.script(source), script)
    mine = tmp_path / "mine.yaml"
    mine.write_text("quotation: kwo-tay-shun\n")
    said = [s.say for s in narrate.script(script, lexicon=mine).segments]
    assert said[-1] == "Then, a kwo-tay-shun from the geese."
    assert "quotation" in script.read_text()  # the script itself is not rewritten


@pytest.mark.e2e
def test_a_rebuild_without_voices_keeps_the_cast_the_book_was_built_with(tmp_path, monkeypatch):
    """Built with --voices espeak, built again with no --voices: the espeak book is kept
    (said in one line), not re-rendered in the default natural voice; --voices wins."""
    source = tmp_path / "book.md"
    source.write_text(TEXT)
    out = tmp_path / "output"
    monkeypatch.delenv("NARRATE_VOICES", raising=False)
    narrate.build(source, out=out, voices="espeak", cache=tmp_path / "cache")
    warnings: list = []
    again = narrate.build(source, out=out, cache=tmp_path / "cache", dry_run=True,
                          warnings=warnings)
    assert again.plan is not None and again.plan.render == [], again.plan
    assert [w for w in warnings if "espeak" in str(w) and "--voices" in str(w)], warnings
    other = narrate.build(source, out=out, voices="natural", cache=tmp_path / "cache",
                          dry_run=True)
    assert other.plan is not None and other.plan.render  # the cast asked for wins


@pytest.mark.unit
def test_prefer_script_writes_the_kept_say_into_the_script(tmp_path):
    """`say: No` edited, the paragraph changed in the source, then --prefer script: the
    script shows what is spoken ("No"), not the source's new wording."""
    source, script = tmp_path / "book.md", tmp_path / "script.yaml"
    source.write_text(TEXT)
    keep_script(narrate.script(source), narrate.script(source), script)
    script.write_text(script.read_text().replace("say: First, the swans came over the hill.",
                                                 "say: 'No'"))
    source.write_text(TEXT.replace("First, the swans", "At first, the grey swans"))
    converted = narrate.script(source)
    with pytest.raises(NarrateError):
        compose(converted, script)
    book, _ = compose(converted, script, prefer="script")
    keep_script(book, converted, script)
    kept = next(s for s in load_script(script, []).segments if s.id == book.segments[0].id)
    assert (kept.text, kept.say) == ("No", "No")
    assert narrate.script(script).segments[0].say == "No"  # as it is built
    again, _ = compose(narrate.script(source), script)  # the next build keeps it
    assert again.segments[0].say == "No"


BOOK = ("# One\n\nThe first chapter opens here.\n\n# Two\n\nThe second chapter follows.\n\n"
        "# Three\n\nThe third one ends it.\n")


@pytest.mark.unit
def test_chapters_reordered_in_the_script_stay_in_that_order_when_the_source_changes(tmp_path):
    source, script = tmp_path / "book.md", tmp_path / "script.yaml"
    source.write_text(BOOK)
    keep_script(narrate.script(source), narrate.script(source), script)
    mine = load_script(script, [])
    mine.chapters = [mine.chapters[1], mine.chapters[0], mine.chapters[2]]
    script.write_text(to_yaml(mine))
    source.write_text(BOOK.replace("opens here", "opens right here"))
    book, _ = compose(narrate.script(source), script)
    assert [c.title for c in book.chapters] == ["Two", "One", "Three"]
    assert "opens right here" in book.chapters[1].sections[0].text  # the source's change
    # a source that adds a chapter too: one line naming the chapters and what to do
    source.write_text(BOOK + "\n# Four\n\nA fourth.\n")
    with pytest.raises(NarrateError) as refused:
        compose(narrate.script(source), script)
    assert "chapter" in str(refused.value) and "section" not in str(refused.value)


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["b.md", "/dev/null"])
def test_check_of_a_file_says_it_is_not_a_book_folder_in_one_line(tmp_path, name):
    path = tmp_path / name if not name.startswith("/") else name
    if name == "b.md":
        (tmp_path / name).write_text(TEXT)
    result = run("check", path, cwd=tmp_path)
    one_line_error(result, f"{path}: is a file, not a book folder")
    assert "Errno" not in result.stderr


@pytest.mark.e2e
def test_checks_fixes_on_a_renamed_book_folder_rebuild_that_folder(tmp_path):
    """A book folder copied under another name: each fix check prints, run as printed,
    makes the folder checked again (not a new one beside it), and it then passes."""
    import shlex
    import shutil
    import subprocess

    from narrate.qa import check_book

    source = tmp_path / "book.md"
    source.write_text(TEXT)
    (tmp_path / "book.yaml").write_text("title: B\nauthor: A. Writer\n")
    assert run("build", source, "--out", tmp_path / "output").returncode == 0
    folder = tmp_path / "x" / "mine"
    shutil.copytree(tmp_path / "output" / "book", folder)
    (folder / "chapters.json").write_text("{}")
    fixes = {f.fix for f in check_book(folder, picture=False).findings}
    assert fixes
    for fix in fixes:
        # the folder named as a build names it, built, and given its name back
        for step in fix[fix.index("mv "):].split(" && "):
            command = shlex.split(step)
            if command[0] == "narrate":
                assert run(*command[1:]).returncode == 0, fix
            else:
                subprocess.run(command, check=True)
    rebuilt = check_book(folder, picture=False)
    assert rebuilt.passed and not rebuilt.findings, [(f.where, f.what) for f in rebuilt.findings]


@pytest.mark.unit
def test_show_of_a_source_shows_the_edits_its_build_will_speak(tmp_path, monkeypatch):
    """The script.yaml beside the book (edited there) is what `build SOURCE` speaks, so
    `show SOURCE` shows it, not the plain conversion."""
    source = tmp_path / "book.md"
    source.write_text(TEXT)
    folder = tmp_path / "output" / "book"
    folder.mkdir(parents=True)
    script = folder / "script.yaml"
    keep_script(narrate.script(source), narrate.script(source), script)
    script.write_text(script.read_text().replace("say: Then, a quotation from the geese.",
                                                 "say: Then, the geese honked."))
    monkeypatch.chdir(tmp_path)  # where a build without --out writes: ./output
    shown = narrate.show(source)
    said = [s.say for _, sections in shown.chapters for _, segments in sections for s in segments]
    assert "Then, the geese honked." in said
    assert "Then, a quotation from the geese." not in said


@pytest.mark.e2e
def test_a_very_long_title_is_cut_in_the_credits_and_the_book_passes_its_check(tmp_path):
    from narrate.qa import check_book

    title = " ".join(["Lorem ipsum dolor sit amet"] * 185)  # about 5,000 characters
    source = tmp_path / "book.md"
    source.write_text(f"---\ntitle: {title}\nauthor: A. Writer\n---\n\n{TEXT}")
    result = narrate.build(source, out=tmp_path / "output", cache=tmp_path / "cache")
    credits = next(s for s in result.book.credits if s.id == "credits")
    assert len(credits.say) < 300 and credits.say.startswith("Lorem ipsum dolor sit amet Lorem")
    report = check_book(result.folder, picture=False)
    assert report.passed, [(f.where, f.what) for f in report.findings]


@pytest.mark.e2e
def test_sigterm_stops_a_build_like_ctrl_c_without_scratch(small_book, tmp_path):
    """SIGTERM (a service stopping, `kill`) while encoding: the running encodes stopped,
    .parts' scratch removed, one line, exit 143 (it left ~30 temporary files silently)."""
    hold = tmp_path / "held"
    env = {**os.environ, "NARRATE_HOLD_AT": "encode-aac:1", "NARRATE_HOLD_FILE": str(hold)}
    process = subprocess.Popen(
        NARRATE + ["build", str(small_book), "--out", str(tmp_path / "out"), "--cache",
                   str(tmp_path / "c")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True, env=env)
    try:
        assert wait_until(hold.exists, 120, process), process.communicate()
        os.kill(process.pid, signal.SIGTERM)
        _out, err = process.communicate(timeout=60)  # a guard against a hang, not a timing
        assert process.returncode == 143
        assert err.strip().splitlines() == ["narrate: terminated; finished work is kept"], err
        assert not list((tmp_path / "out").rglob("*.pcm"))
        assert not list((tmp_path / "out").rglob("*.tmp*"))
        assert wait_until(lambda: not alive_in_group(process.pid), 30)
    finally:
        stop_group(process.pid)
