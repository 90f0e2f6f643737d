"""Edits, merges and what the user is told about them (issue 35, "Trust III"): an edited
text is heard, a script cut short is said, conflicts show the words that differ, and the
chapter files follow the script's order. Real engine (the espeak cast), real ffmpeg."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from mutagen.id3 import ID3
from test_reliability import one_line_error, run

from narrate import build

BOOK = """# One

The first chapter opens here, with a sentence of narration.

# Two

The middle chapter has a paragraph of its own.

# Three

The last chapter is short and closes the book.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("told")
    (work / "book.md").write_text(BOOK, encoding="utf-8")
    build(work / "book.md", cache=work / "cache", out=work / "out", progress=False)
    return work


@pytest.fixture
def work(built, tmp_path):
    """A private copy of the first build: source, cache and outputs."""
    for name in ("book.md", "cache", "out"):
        (shutil.copytree if (built / name).is_dir() else shutil.copy2)(built / name,
                                                                       tmp_path / name)
    return tmp_path


def rebuild(work, target=None, **kw):
    return build(target or work / "book.md", cache=work / "cache", out=work / "out",
                 progress=False, **kw)


def _chapter_block(text: str, ident: str) -> str:
    start = text.index(f"- id: '{ident}'\n  title:")
    end = text.find("\n- id: '", start + 1)
    return text[start:] if end < 0 else text[start:end + 1]


# ---- chapters reordered in the script --------------------------------------------------------------

@pytest.mark.e2e
def test_reordered_chapters_are_numbered_in_the_scripts_order(work):
    """Moving chapter 03 before 02 in script.yaml kept the files "02 - Two.mp3" and
    "03 - Three.mp3": a player sorting by name played the old order."""
    folder = work / "out" / "book"
    script = folder / "script.yaml"
    text = script.read_text()
    two, three = _chapter_block(text, "02"), _chapter_block(text, "03")
    script.write_text(text.replace(two + three, three + two))
    result = rebuild(work, script)
    mp3s = sorted(p.name for p in folder.glob("*.mp3"))
    assert mp3s == ["01 - One.mp3", "02 - Three.mp3", "03 - Two.mp3"]  # the old ones gone
    assert sorted(p.name for p in folder.glob("*.vtt")) == [n[:-4] + ".vtt" for n in mp3s]
    assert [ID3(folder / n)["TIT2"].text[0] for n in mp3s] == ["One", "Three", "Two"]
    assert [ID3(folder / n)["TRCK"].text[0] for n in mp3s] == ["1/3", "2/3", "3/3"]
    m4b = next(folder.glob("m4b/*.m4b"))
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(m4b)],
                           capture_output=True, text=True, check=True).stdout
    assert [c["tags"]["title"] for c in json.loads(probe)["chapters"]] == ["One", "Three", "Two"]
    assert [c.stem for c in result.export.chapters] == [n[:-4] for n in mp3s]
    playlist = next(folder.glob("*.m3u8")).read_text()
    assert [line for line in playlist.splitlines() if line.endswith(".mp3")] == mp3s


# ---- what the user is told --------------------------------------------------------------------------

ONE = re.compile(r"(?<![\d.,])1 (segment|chapter|marker|part|section|warning|note|entrie)s\b")


@pytest.mark.e2e
def test_counts_of_one_are_singular(work):
    """"your edits to 1 parts", "1 chapters", "would keep 1 chapters", "1 markers"."""
    source, script = work / "book.md", work / "out" / "book" / "script.yaml"
    script.write_text(script.read_text().replace("say: The middle chapter has a paragraph",
                                                 "say: The middle chapter holds a paragraph"))
    source.write_text(source.read_text().replace("# Three\n\nThe last chapter is short",
                                                 "# Three\n\nThe last chapter is very short"))
    warnings: list = []
    lines = rebuild(work, dry_run=True).summary() + rebuild(work, warnings=warnings).summary()
    assert "would keep 1 chapter unchanged (01)" in "\n".join(lines)
    warnings = [w for w in warnings if isinstance(w, str)]  # the book's lines, not the text's
    assert any("your edits to 1 part of the script are kept" in w for w in warnings), warnings
    alone = work / "alone.md"
    alone.write_text("One chapter, one paragraph, one marker.\n")
    one = build(alone, cache=work / "cache", out=work / "out", progress=False)
    lines += warnings + one.summary() + one.render.summary()
    assert "1 chapter;" in "\n".join(lines) and "1 marker" in "\n".join(lines)
    lines += run("lint", alone).stdout.splitlines()
    assert not [line for line in lines if ONE.search(line)], lines


# ---- an edited text is heard -------------------------------------------------------------------------

def _spoken(folder) -> dict[str, str]:
    return {k: v["say"] for k, v in json.loads((folder / "manifest.json").read_text())
            ["spoken"].items()}


@pytest.mark.e2e
def test_an_edited_text_is_spoken_and_diffed(work):
    """Only `text:` edited in script.yaml: the captions showed the new words, the audio
    said the old ones, `narrate diff` saw nothing."""
    source, folder = work / "book.md", work / "out" / "book"
    script = folder / "script.yaml"
    rebuild(work)  # the script names the copied source
    script.write_text(script.read_text().replace(
        "text: The middle chapter has a paragraph of its own.",
        "text: The middle chapter has 2 pages of its own."))
    edited = script.read_bytes()
    result = rebuild(work)
    assert result.render.rendered == ["02.001.1"] and result.export.exported == ["02"]
    assert _spoken(folder)["02.001.1"] == "The middle chapter has two pages of its own."
    assert "2 pages" in (folder / "02 - Two.vtt").read_text()
    assert script.read_bytes() == edited  # the user's file as they left it
    diff = run("diff", source, script)
    assert diff.returncode == 0 and "changed" in diff.stdout and "02.001" in diff.stdout
    assert "1 changed" in diff.stdout, diff.stdout
    # edited again (its say still the one narrate wrote): heard again; the script built too
    script.write_text(script.read_text().replace("has 2 pages", "has three pages"))
    assert rebuild(work, script).render.rendered == ["02.001.1"]
    assert _spoken(folder)["02.001.1"] == "The middle chapter has three pages of its own."
    assert rebuild(work).render.rendered == []


@pytest.mark.e2e
def test_a_say_edited_with_its_text_is_spoken_as_typed(work):
    folder = work / "out" / "book"
    script = folder / "script.yaml"
    script.write_text(script.read_text().replace(
        "text: The middle chapter has a paragraph of its own.\n"
        "      say: The middle chapter has a paragraph of its own.",
        "text: The middle chapter has 2 pages of its own.\n"
        "      say: The middle chapter has a couple of pages."))
    assert rebuild(work).render.rendered == ["02.001.1"]
    assert _spoken(folder)["02.001.1"] == "The middle chapter has a couple of pages."


# ---- a script cut short ------------------------------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.parametrize("cut", ["- id: '03'", "say: The last chapter is"])
def test_a_script_cut_short_is_refused_in_one_line(work, cut):
    """Still valid YAML (cut at a chapter, or inside a line): it built the chapters it had,
    without a word."""
    folder = work / "out" / "book"
    script = folder / "script.yaml"
    text = script.read_text()
    script.write_text(text[:text.index(cut) + len(cut)])
    before = sorted(p.name for p in folder.iterdir())
    for target in (script, work / "book.md"):
        result = run("build", target, "--out", work / "out", "--cache", work / "cache")
        one_line_error(result, str(script), "cut short", "3 chapters")
    assert sorted(p.name for p in folder.iterdir()) == before
    assert script.read_text() == text[:text.index(cut) + len(cut)]  # never replaced


@pytest.mark.e2e
def test_a_chapter_deleted_on_purpose_is_an_edit_and_is_named(work):
    folder = work / "out" / "book"
    script = folder / "script.yaml"
    text = script.read_text()
    script.write_text(text.replace(_chapter_block(text, "02"), ""))
    for target in (script, work / "book.md"):
        result = run("build", target, "--out", work / "out", "--cache", work / "cache")
        assert result.returncode == 0, result.stderr
        assert "chapter 02 (“Two”)" in result.stderr and "not in the script" in result.stderr
        assert sorted(p.name for p in folder.glob("*.mp3")) == ["01 - One.mp3",
                                                                "02 - Three.mp3"]


# ---- --prefer, each side ------------------------------------------------------------------------------

@pytest.mark.e2e
def test_prefer_script_then_prefer_source_each_take_their_side(work):
    """After --prefer script, --prefer source with the source unchanged did nothing (exit
    0); and --prefer script kept the old text, so the captions showed neither version."""
    source, folder = work / "book.md", work / "out" / "book"
    script = folder / "script.yaml"
    script.write_text(script.read_text().replace(
        "say: The middle chapter has a paragraph", "say: The middle chapter holds a paragraph"))
    source.write_text(source.read_text().replace("has a paragraph", "has a long paragraph"))
    cli = ("build", source, "--out", work / "out", "--cache", work / "cache")
    one_line_error(run(*cli), "holds a paragraph", "has a long paragraph")
    assert run(*cli, "--prefer", "script").returncode == 0
    assert _spoken(folder)["02.001.1"] == "The middle chapter holds a paragraph of its own."
    captions = (folder / "02 - Two.vtt").read_text()
    assert "holds a paragraph" in captions and "has a paragraph" not in captions
    assert run(*cli).returncode == 0  # settled: no conflict now
    taken = run(*cli, "--prefer", "source")
    assert taken.returncode == 0 and "took the source's version" in taken.stderr, taken.stderr
    assert _spoken(folder)["02.001.1"] == "The middle chapter has a long paragraph of its own."
    assert "has a long paragraph" in (folder / "02 - Two.vtt").read_text()
    assert "holds" not in script.read_text() and "holds" in (folder / "script.yaml~").read_text()
    again = run(*cli, "--prefer", "script")  # nothing of yours left there to prefer
    assert again.returncode == 0 and "segments: 0 rendered" in again.stdout
    assert _spoken(folder)["02.001.1"] == "The middle chapter has a long paragraph of its own."


# ---- --only on a book not built yet ------------------------------------------------------------------

@pytest.mark.e2e
def test_only_on_a_book_not_built_yet_renders_only_that_part_and_says_so(tmp_path):
    """It rendered the whole book, saying nothing."""
    source = tmp_path / "book.md"
    source.write_text(BOOK, encoding="utf-8")
    args = {"cache": tmp_path / "cache", "out": tmp_path / "out", "progress": False}
    warnings: list = []
    dry = build(source, only="02.001", dry_run=True, warnings=warnings, **args)
    assert dry.plan.render == ["02.001.1"] and dry.plan.export == []
    result = build(source, only="02.001", warnings=warnings, **args)
    assert result.render.rendered == ["02.001.1"] and result.export is None
    assert not list((tmp_path / "out").glob("*/*.mp3"))
    told = [w for w in warnings if isinstance(w, str) and "not built yet" in w]
    assert len(told) == 2 and "only 02.001 was rendered" in told[1], told
    cli = run("build", source, "--only", "03.001", "--out", tmp_path / "out", "--cache",
              tmp_path / "cache")
    assert cli.returncode == 0 and "segments: 1 rendered" in cli.stdout, cli.stdout
    assert [line for line in cli.stderr.splitlines() if "--only 03.001" in line], cli.stderr
    whole = build(source, **args)  # then the book: what --only rendered is reused
    assert {"02.001.1", "03.001.1"} <= set(whole.render.reused) and whole.export
