"""The reading policy: notes, code, tables, lists, links and notation as a listener
expects them, with the knobs in the CLI and the metadata."""

import json
import subprocess
import sys

import pytest

from narrate.convert import ConvertOptions, ReadingPolicy, convert, convert_document
from narrate.convert.speech import to_say
from narrate.convert.structure import CODE_CUE, TABLE_CUE, is_notation
from narrate.read.document import Block, Document

GUIDE = """# Guide

## Lists

Some items follow.[^1] And a [link](https://example.org/page) to see.

- one thing to say
- another thing to say

```sh
sudo dnf config-manager --set-enabled crb
sudo dnf install ripgrep
```

```sh
ls -la
cd ..
```

| Tool | Use |
|------|-----|
| grep | search text |
| sed  | edit streams |

## More

Text of the second part.[^2]

[^1]: A note about the items.
[^2]: The second note.
"""


def guide(**policy):
    return convert(GUIDE, ConvertOptions(markdown=True, policy=ReadingPolicy(**policy)))[0]


def texts(book):
    return [(sec.kind, " ".join(s.text for s in sec.segments)) for ch in book.chapters
            for sec in ch.sections]


def test_the_default_policy_reads_notes_after_their_paragraph_and_cues_code():
    book = guide()
    assert book.title == "Guide"
    assert texts(book) == [
        ("", "Some items follow. And a link to see."),
        ("note", "Note: A note about the items."),
        ("list item", "one thing to say"), ("list item", "another thing to say"),
        ("cue", CODE_CUE),  # one cue for two code blocks in a row
        ("table", "Tool: grep; Use: search text. Tool: sed; Use: edit streams."),
        ("", "Text of the second part."), ("note", "Note: The second note.")]
    notes = [s for s in book.segments if s.text.startswith("Note:")]
    assert {s.role for s in notes} == {"note"}
    assert not any("dnf" in s.say or "1" == s.say for s in book.segments)


def test_notes_at_the_chapter_end_or_not_at_all_and_code_skipped():
    at_end = texts(guide(notes="chapter-end", code="skip", tables="mention"))
    assert at_end == [
        ("", "Some items follow. And a link to see."),
        ("list item", "one thing to say"), ("list item", "another thing to say"),
        ("cue", TABLE_CUE), ("note", "Note: A note about the items."),
        ("", "Text of the second part."), ("note", "Note: The second note.")]
    skipped = texts(guide(notes="skip", tables="skip"))
    assert not any(kind in ("note", "table") for kind, _ in skipped)


def test_a_large_table_is_mentioned():
    rows = "\n".join("| a | b |" for _ in range(30))
    book, _ = convert(f"Text before.\n\n| x | y |\n|---|---|\n{rows}\n", ConvertOptions(markdown=True))
    assert texts(book)[-1] == ("cue", TABLE_CUE)


def test_note_marks_are_never_spoken_and_unreferenced_notes_are_reported():
    document = Document([Block("paragraph", "A claim.", line=1, refs=("n1",)),
                         Block("note", "The source.", line=3, note_id="n1"),
                         Block("note", "An orphan note.", line=4, note_id="n9")])
    book, problems = convert_document(document)
    assert [s.text for s in book.segments] == ["A claim.", "Note: The source."]
    assert any(p.code == "not-read" and p.message.startswith("note: 1 block") for p in problems)


@pytest.mark.parametrize("text, notation", [
    ("4 8 4 4 8 8 8 4", True),
    ("+ - + - + - C D E", True),
    ("1. e4 e5 2. Nf3 Nc6 3. Bb5 a6", True),
    ("The symphony in C minor, opus 67, was played twice.", False),
    ("In 1896 he wrote 3 books.", False),
])
def test_notation_is_told_from_prose(text, notation):
    assert is_notation(text) is notation


def test_notation_paragraphs_and_inline_illustrations_are_not_read():
    text = ("A sentence of prose about music.\n\n4 8 4 4 8 8 8 4 4 8\n\n"
            "Here is the tune [Music illustration] and [Illustration: A Bird] then more.\n")
    book, problems = convert(text)
    assert [s.text for s in book.segments] == ["A sentence of prose about music.",
                                               "Here is the tune and then more."]
    assert any(p.message.startswith("notation: 1 block") for p in problems)


def test_links_navigation_and_badges_are_not_read():
    text = ("*[Deutsch](README-de.md) ∙ [English](README.md) ∙ [Español](README-es.md)*\n\n"
            "# Title\n\n- [Meta](#meta)\n- [Basics](#basics)\n\n"
            "[![Build](https://ci/badge.svg)](https://ci)\n\n## Meta\n\nSee https://beyondgrep.com/"
            "feature-comparison/ or mail help@example.org today.\n\n## Basics\n\nText.\n")
    book, _ = convert(text, ConvertOptions(markdown=True))
    says = [s.say for s in book.segments]
    assert says == ["See beyondgrep dot com or mail help at example dot org today.", "Text."]


def test_reading_knobs_in_the_cli_and_the_metadata(tmp_path):
    source = tmp_path / "g.md"
    source.write_text(GUIDE, encoding="utf-8")
    (tmp_path / "g.yaml").write_text("author: A. Writer\nreading:\n  notes: skip\n")
    run = [sys.executable, "-m", "narrate", "script", str(source), "--json", "-o", "-"]
    rows = json.loads(subprocess.run(run, capture_output=True, text=True, check=True).stdout)
    assert not any(r["role"] == "note" for r in rows)  # the metadata's choice
    rows = json.loads(subprocess.run(run + ["--notes", "chapter-end", "--code", "skip"],
                                     capture_output=True, text=True, check=True).stdout)
    assert [r["role"] for r in rows].count("note") == 2  # the command line wins
    assert not any(r["text"] == CODE_CUE for r in rows)
    (tmp_path / "g.yaml").write_text("reading:\n  notes: sometimes\n")
    bad = subprocess.run(run, capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "g.yaml:2: reading: notes: 'sometimes'" in bad.stderr


def test_urls_are_read_as_their_site():
    assert to_say("Visit www.gutenberg.org for more.") == "Visit gutenberg dot org for more."


@pytest.mark.e2e
def test_list_items_get_the_short_pause_and_notes_the_note_voice(tmp_path):
    """The real engine and ffmpeg: the manifest's cues show the pauses the clips got."""
    from narrate import build

    source = tmp_path / "g.md"
    source.write_text("# G\n\nSome items follow.[^1]\n\n- one thing\n- another thing\n\n"
                      "The end.\n\n[^1]: A note.\n", encoding="utf-8")
    result = build(source, cache=tmp_path / "c", out=tmp_path / "out", progress=False)
    manifest = json.loads((result.folder / "manifest.json").read_text())
    cues = {c["text"]: c for c in manifest["chapters"][0]["cues"]}
    rate = manifest["chapters"][0]["rate"]
    gap = lambda a, b: (cues[b]["start"] - cues[a]["end"]) / rate
    assert gap("one thing", "another thing") == pytest.approx(0.5, abs=0.03)
    assert gap("another thing", "The end.") == pytest.approx(0.9, abs=0.03)
    assert manifest["spoken"]["01.002.1"]["role"] == "note"


def test_words_with_figures_are_still_prose():
    assert not is_notation(" ".join(f"word{i}" for i in range(20)))
    assert not is_notation("Use the x86 build of PCRE2 on Win95 machines today.")


@pytest.mark.e2e
def test_sidenotes_title_the_markers_of_the_sections_they_head(tmp_path):
    """Read back with ffprobe: the chapter file's markers carry the sidenotes' words."""
    from narrate import build

    source = tmp_path / "s.txt"
    source.write_text("[Sidenote: _The book's appeal._]\n\nThis book has a purpose.\n\n"
                      "[Sidenote: _Talent in listening._]\n\nListening is a talent.\n",
                      encoding="utf-8")
    book = build(source, cache=tmp_path / "c", out=tmp_path / "out", progress=False)
    assert [s.title for s in book.book.sections] == ["The book's appeal", "Talent in listening"]
    [mp3] = book.folder.glob("*.mp3")
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
                           capture_output=True, text=True, check=True)
    titles = [c["tags"]["title"] for c in json.loads(probe.stdout)["chapters"]]
    assert titles == ["The book's appeal", "Talent in listening"]
    spoken = " ".join(s.say for s in book.book.segments)
    assert "appeal" not in spoken and "Sidenote" not in spoken
