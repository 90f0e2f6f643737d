"""What a source, a device or an engine can do (issue 35, Trust III): a book held twice,
text that is all notation or punctuation, HTML entities under an EPUB 2 DOCTYPE, devices
and pipes named as files, a huge contents, a `say` longer than an engine takes, and
notes that are read said to be read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from test_readers import PROSE_P, _epub
from test_reliability import one_line_error, run

import narrate

OEB_DOCTYPE = ('<!DOCTYPE package PUBLIC "+//ISBN 0-9673008-1-9//DTD OEB 1.2 Package//EN" '
               '"http://openebook.org/dtds/oeb-1.2/oebpkg12.dtd">')
XHTML_DOCTYPE = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
                 '"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">')


def _rewrite(path, name: str, change) -> None:
    """Replace one member of a zip with `change(its text)`."""
    with zipfile.ZipFile(path) as archive:
        data = {n: archive.read(n) for n in archive.namelist()}
    data[name] = change(data[name].decode()).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for member, content in data.items():
            archive.writestr(member, content)


# ---- HTML entities under a DOCTYPE ---------------------------------------------------------------

def _epub2_with_entities(tmp_path, publisher: str, body: str):
    path = _epub(tmp_path, {"a.xhtml": "<?xml version='1.0'?>" + XHTML_DOCTYPE
                            + '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title>'
                            f"</head><body>{body}</body></html>"},
                 opf_extra=f"<dc:publisher>{publisher}</dc:publisher>")
    _rewrite(path, "OEBPS/content.opf",
             lambda opf: opf.replace('<?xml version="1.0"?>', '<?xml version="1.0"?>' + OEB_DOCTYPE))
    return path


@pytest.mark.unit
def test_an_epub2_package_and_part_with_a_doctype_and_html_entities_are_read(tmp_path):
    path = _epub2_with_entities(tmp_path, "Hand&nbsp;&amp;&nbsp;Made &copy; 1907",
                                "<p>Some words&nbsp;of real prose &mdash; enough of them to "
                                "be read aloud as a paragraph.</p>")
    book = narrate.script(path)
    assert book.extra["publisher"] == "Hand & Made © 1907"
    assert "of real prose — enough" in " ".join(s.text for s in book.segments)


@pytest.mark.unit
def test_an_entity_html_does_not_name_is_one_line_naming_it(tmp_path):
    path = _epub2_with_entities(tmp_path, "Hand&madeup;Made", PROSE_P)
    opf = zipfile.ZipFile(path).read("OEBPS/content.opf").decode()
    line = opf[:opf.index("&madeup;")].count("\n") + 1
    one_line_error(run("script", path, "-o", "-"), "content.opf", "&madeup;", f"line {line}:")


# ---- devices and pipes named as files ------------------------------------------------------------

DEVICE_CASES = {  # name -> (the file, the arguments after the command, with {f} for it)
    "a pipe as the source": ("book-pipe.txt", ["script", "{f}", "-o", "-"]),
    "a pipe named .epub as the source": ("book-pipe.epub", ["script", "{f}", "-o", "-"]),
    "/dev/zero as the source": ("/dev/zero", ["script", "{f}", "-o", "-"]),
    "/dev/urandom as the source": ("/dev/urandom", ["script", "{f}", "-o", "-"]),
    "a pipe as --meta": ("data-pipe.yaml", ["script", "b.txt", "--meta", "{f}", "-o", "-"]),
    "/dev/zero as --meta": ("/dev/zero", ["script", "b.txt", "--meta", "{f}", "-o", "-"]),
    "/dev/urandom as --meta": ("/dev/urandom", ["build", "b.txt", "--meta", "{f}", "--dry-run"]),
    "a pipe as --lexicon": ("data-pipe.yaml", ["script", "b.txt", "--lexicon", "{f}", "-o", "-"]),
    "/dev/zero as --lexicon": ("/dev/zero", ["script", "b.txt", "--lexicon", "{f}", "-o", "-"]),
    "a pipe as the metadata's lexicon:": ("data-pipe.yaml", ["script", "m.txt", "-o", "-"]),
    "/dev/zero as the metadata's lexicon:": ("/dev/zero", ["build", "z.txt", "--dry-run"]),
    "/dev/zero as the metadata's cover:": ("/dev/zero", ["build", "c.txt", "--dry-run"]),
    "a pipe as a voice profile in --voices": ("cast/narrator.yaml",
                                              ["build", "b.txt", "--voices", "cast", "--dry-run"]),
    "a pipe as the script to build": ("pipe-script.yaml", ["build", "{f}", "--dry-run"]),
}


@pytest.mark.unit
@pytest.mark.parametrize("case", DEVICE_CASES)
def test_a_pipe_or_a_device_named_as_a_file_is_refused_in_one_line(tmp_path, monkeypatch, case):
    """A pipe waited for a writer and /dev/zero never ended (a hang, or a MemoryError at
    1.5 GB): each is refused, naming it, before anything reads it. The subprocess's
    timeout is only a safety net."""
    import os

    name, args = DEVICE_CASES[case]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cast").mkdir()
    for fifo in ("book-pipe.txt", "book-pipe.epub", "data-pipe.yaml", "cast/narrator.yaml",
                 "pipe-script.yaml"):
        os.mkfifo(fifo)
    for stem, meta in (("b", ""), ("m", "lexicon: data-pipe.yaml\n"), ("c", "cover: /dev/zero\n"),
                       ("z", "lexicon: /dev/zero\n")):
        (tmp_path / f"{stem}.txt").write_text("A few words of a book, read aloud.\n")
        if meta:
            (tmp_path / f"{stem}.yaml").write_text(f"title: T\nauthor: A\n{meta}")
    result = run(*[a.format(f=name) for a in args], env={"NARRATE_CACHE": str(tmp_path / "c")})
    one_line_error(result, name.rsplit("/", 1)[-1], "is not a regular file")


@pytest.mark.unit
def test_a_file_read_is_capped_at_its_limit_even_when_its_size_says_nothing(tmp_path):
    """/proc files say they are empty and are not: at most limit + 1 bytes are read."""
    from narrate.errors import NarrateError
    from narrate.fileio import read_checked

    assert read_checked("/proc/self/maps", limit=2**20).startswith(b"")
    with pytest.raises(NarrateError, match="more than narrate reads as a lexicon"):
        read_checked("/proc/self/maps", "lexicon", limit=16)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: b\n" * 100)
    with pytest.raises(NarrateError, match=r"big.yaml: .*more than narrate reads"):
        read_checked(big, "lexicon", limit=64)


# ---- nothing left out silently ---------------------------------------------------------------

@pytest.mark.unit
@pytest.mark.parametrize("text", ["___ ... ___\n", "_x _x _x _x _x\n", "[4 8 4 4 8]\n\n— … —\n",
                                  "[sic]\n"])
def test_a_text_of_marks_underscores_or_notation_is_no_text_to_read_aloud(tmp_path, text):
    """It gave a script whose one `say` was empty, and exit 0."""
    source = tmp_path / "marks.txt"
    source.write_text(text)
    one_line_error(run("script", source, "-o", "-"), "marks.txt", "no text to read aloud")


@pytest.mark.unit
def test_a_paragraph_left_out_as_notation_is_a_warning_naming_its_line(tmp_path):
    """100,000 `_x` tokens read as notation: left out, said by lint, script and build."""
    source = tmp_path / "xs.txt"
    source.write_text("A first paragraph, with words.\n\n" + " ".join(["_x"] * 100_000)
                      + "\n\n___ ... ___\n\nA last paragraph, with words.\n")
    warnings: list = []
    book = narrate.script(source, warnings=warnings)
    assert [s.say for s in book.segments] == ["A first paragraph, with words.",
                                              "A last paragraph, with words."]
    left_out = [w for w in warnings if getattr(w, "code", "") == "left-out"]
    assert [(w.line, w.severity) for w in left_out] == [(3, "warning")]
    assert "left out" in left_out[0].message and "100,000" in left_out[0].message
    linted = run("lint", source)
    assert "line 3: warning: a paragraph of 100,000 words is left out" in linted.stdout
    for command in (["script", source, "-o", tmp_path / "s.yaml"],
                    ["build", source, "--dry-run", "--out", tmp_path / "out"]):
        said = run(*command)
        assert said.returncode == 0, said.stderr
        assert "line 3: warning: a paragraph of 100,000 words is left out" in said.stderr


@pytest.mark.unit
def test_script_and_build_say_the_first_few_places_left_out_and_how_many_more(tmp_path):
    from narrate.problems import SHOWN_A_KIND, about_the_book

    source = tmp_path / "many.txt"
    source.write_text("Words of prose to read.\n\n" + "\n\n".join(["4 8 4 4 8 8"] * 12) + "\n")
    warnings: list = []
    narrate.script(source, warnings=warnings)
    lines = [line for line in about_the_book(warnings) if "left out" in line or "more" in line]
    assert len(lines) == SHOWN_A_KIND + 1
    assert lines[-1].startswith(f"warning: … and {12 - SHOWN_A_KIND} more like these")


# ---- a book held twice ---------------------------------------------------------------------------

EXCERPT = Path(__file__).parent / "fixtures" / "corpus" / "krehbiel-excerpt.txt"


def _says(path) -> list[str]:
    return [s.say for s in narrate.script(path).segments]


@pytest.mark.unit
def test_a_gutenberg_file_held_twice_reads_both_copies_and_says_so(tmp_path):
    """The second copy came after the first's END line: it was left out as its licence,
    exit 0, and lint said nothing. Now both are read, and a warning names the copy."""
    twice = tmp_path / "twice.txt"
    twice.write_bytes(EXCERPT.read_bytes() * 2)
    assert _says(twice) == _says(EXCERPT) * 2
    second = EXCERPT.read_bytes().count(b"\n") + 1
    warnings: list = []
    narrate.script(twice, warnings=warnings)
    [repeat] = [w for w in warnings if getattr(w, "code", "") == "repeated-text"]
    assert repeat.severity == "warning" and second <= repeat.line < second + 30
    for command in (["lint", twice], ["build", twice, "--dry-run", "--out", tmp_path / "o"]):
        said = run(*command)
        assert f"line {repeat.line}: warning: the text from here repeats" in said.stdout + said.stderr


@pytest.mark.unit
def test_a_body_repeated_three_times_in_one_wrapper_reads_every_copy_s_chapters(tmp_path):
    """The first copy's contents took the later copies' chapters for its entries: one copy
    was read of three."""
    lines = EXCERPT.read_text(encoding="latin-1").split("\n")
    start = next(n for n, line in enumerate(lines) if line.startswith("*** START")) + 1
    end = next(n for n, line in enumerate(lines) if line.startswith("End of the Project"))
    thrice = tmp_path / "thrice.txt"
    thrice.write_text("\n".join(lines[:start] + lines[start:end] * 3 + lines[end:]),
                      encoding="latin-1")
    once = narrate.script(EXCERPT)
    book = narrate.script(thrice, warnings=(warnings := []))
    assert [c.title for c in book.chapters] == [c.title for c in once.chapters] * 3
    assert [s.say for s in book.segments] == [s.say for s in once.segments] * 3
    assert len([w for w in warnings if getattr(w, "code", "") == "repeated-text"]) == 2


@pytest.mark.unit
def test_a_kind_not_read_that_holds_much_of_the_text_is_a_warning(tmp_path):
    """Text after Project Gutenberg's END line is its licence: a long one is said."""
    story = "\n\n".join(f"Paragraph {n} of a story that goes on after the end line, read "
                        "by no one at all." for n in range(400))
    source = tmp_path / "after.txt"
    source.write_text("*** START OF THIS PROJECT GUTENBERG EBOOK A TALE ***\n\nA short tale "
                      "that is told here, in a few words.\n\n*** END OF THIS PROJECT GUTENBERG "
                      f"EBOOK A TALE ***\n\n{story}\n")
    warnings: list = []
    narrate.script(source, warnings=warnings)
    [much] = [w for w in warnings if getattr(w, "code", "") == "left-out"]
    assert much.severity == "warning" and much.message.startswith("boilerplate: ")
    assert "7,220 words not read (against 11 read aloud)" in much.message


@pytest.mark.unit
def test_notes_numbered_again_in_each_chapter_are_each_read_after_their_own_citation():
    """Notes were looked up by id alone: the first chapter read the second's note [1],
    and its own was neither read nor counted."""
    from narrate.convert import convert_document
    from narrate.read.document import Block, Document

    document = Document([Block("heading", "One", line=1, level=1),
                         Block("paragraph", "The first claim.", line=3, refs=("1",)),
                         Block("note", "The first source.", line=5, note_id="1"),
                         Block("heading", "Two", line=7, level=1),
                         Block("paragraph", "The second claim.", line=9, refs=("1",)),
                         Block("note", "The second source.", line=11, note_id="1")],
                        chapter_level=1)
    book, problems = convert_document(document)
    assert [s.text for s in book.segments if s.role == "note"] == [
        "Note: The first source.", "Note: The second source."]
    assert not any(getattr(p, "code", "") == "not-read" for p in problems)


# ---- notes that are read are said to be read --------------------------------------------------

@pytest.mark.unit
@pytest.mark.parametrize("notes, said", [
    (None, "in the note voice after the paragraph that cites each"),
    ("chapter-end", "in the note voice at the end of the chapter that cites each")])
def test_show_says_the_notes_are_read_and_only_their_heading_is_not(tmp_path, notes, said):
    """`show` and `lint` said "note: 1 block, not read" (the heading "Endnotes") of a book
    whose every note is read in the note voice."""
    from test_readers import zip_folder

    epub = zip_folder(EXCERPT.parent / "pragmatism-epub", tmp_path / "pragmatism.epub")
    options = {"notes": notes} if notes else {}
    read = sum(1 for s in narrate.script(epub, **options).sections if s.kind == "note")
    shown = narrate.show(epub, **options).not_read
    assert read > 0 and f"notes: {read} read, {said}" in shown
    assert not [line for line in shown if line.startswith("note:")]
    assert "notes heading: 1 block (1 word), not read" in shown  # not "1 words"
    linted = run("lint", epub, *(["--notes", notes] if notes else []))
    assert f"info: notes: {read} read, {said}" in linted.stdout


@pytest.mark.unit
def test_notes_the_policy_skips_are_said_to_be_skipped(tmp_path):
    from test_readers import zip_folder

    epub = zip_folder(EXCERPT.parent / "pragmatism-epub", tmp_path / "pragmatism.epub")
    shown = narrate.show(epub, notes="skip").not_read
    assert not [line for line in shown if line.startswith("notes:")]
    assert [line for line in shown if line.startswith("note: ")
            and line.endswith("not read (the reading policy skips notes)")]


# ---- a say longer than an engine takes -----------------------------------------------------------

@pytest.mark.e2e
def test_a_say_longer_than_espeak_takes_is_rendered_in_pieces(tmp_path):
    """espeak-ng crashed the process (SIGSEGV, exit 139, no message) on a `say` of 42,000
    characters without a full stop, and every rebuild crashed alike. A hand-edited say
    of 46,000 (its words spaced out, to keep the audio short) builds, every word heard."""
    from test_batch import duration

    from narrate.scriptfile import to_yaml

    words = [f"word{n}" for n in range(46)]
    built = {}
    for name, say in (("long", "".join(f"{w}{' ' * 995}" for w in words)),
                      ("short", " ".join(words))):
        source = tmp_path / f"{name}.txt"
        source.write_text("A short line of a book.\n")
        book = narrate.script(source)
        book.chapters[0].sections[0].segments[0].say = say
        script = tmp_path / name / "script.yaml"
        script.parent.mkdir()
        script.write_text(to_yaml(book), encoding="utf-8")
        done = run("build", script, "--out", tmp_path / "out", "--cache", tmp_path / "c",
                   "--formats", "mp3")
        assert done.returncode == 0, done.stderr[-2000:]
        [mp3] = (tmp_path / "out" / name).glob("*.mp3")
        built[name] = duration(mp3)
    assert len(built) == 2 and built["long"] >= 0.9 * built["short"] > 5


@pytest.mark.unit
@pytest.mark.parametrize("say", ["The geese came home. " * 300, "word, " * 2000, "a" * 5000,
                                 "word" + " " * 45_000 + "word", "short enough"])
def test_a_long_say_is_cut_where_a_reader_pauses_and_loses_nothing(say):
    from narrate.render.take import say_pieces

    pieces = say_pieces(say, 2000)
    assert all(0 < len(piece) <= 2000 for piece in pieces)
    assert "".join(pieces).replace(" ", "") == say.replace(" ", "")
    if "." in say:
        assert all(piece.endswith(".") for piece in pieces)


# ---- a contents of 20,000 documents --------------------------------------------------------------

class _CountedHref(str):
    """A document's name that counts how often it is compared with another."""
    compared = 0
    __hash__ = str.__hash__

    def __eq__(self, other):
        _CountedHref.compared += 1
        return str.__eq__(self, other)


def _spine_comparisons(count: int) -> int:
    """How many times reading an OPF spine of `count` documents (a nav linking to each by a
    #fragment named them all) compares one document's name with another: the archive stands
    in by its member names alone."""
    from types import SimpleNamespace

    from narrate.read.epub import _Epub
    from narrate.read.safe import parse_xml

    items = "".join(f'<item id="c{n}" href="c{n}.xhtml" media-type="application/xhtml+xml"/>'
                    for n in range(count))
    refs = "".join(f'<itemref idref="c{n}"/>' for n in range(count))
    opf = parse_xml(f'<package xmlns="http://www.idpf.org/2007/opf"><manifest>{items}</manifest>'
                    f"<spine>{refs}</spine></package>".encode(), "content.opf")
    epub = _Epub("book.epub", SimpleNamespace(names={f"c{n}.xhtml" for n in range(count)}))
    epub.base = ""
    manifest = epub._manifest(opf)
    for item in manifest.values():
        item["href"] = _CountedHref(item["href"])
    _CountedHref.compared = 0
    assert len(epub._spine(opf, manifest)) == count
    return _CountedHref.compared


@pytest.mark.unit
def test_a_spine_of_20000_documents_is_read_in_time_in_proportion():
    """Each document was looked for among those before it (a list): 20,000 documents took
    6 s of a conversion's 50. Counted, not timed: a document's name is compared with a few
    others, not with every one before it (a list made 2,000 documents 2 million)."""
    assert _spine_comparisons(2_000) <= 3 * 2_000
