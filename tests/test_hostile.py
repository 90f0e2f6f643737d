"""Hostile input (issue 26's fuzzer findings): every reader and text rule takes time in
proportion to its input, a damaged zip or XML part is one line naming it, and a limit
that would drop text says so. Times are compared with a normal input of the same size
converted in the same run (CPU time, a generous ratio: the quadratic cases were
100-1000x slower), never with a number of seconds."""

from __future__ import annotations

import struct
import time
import zipfile
from pathlib import Path

import pytest
from test_readers import PROSE_P, _epub
from test_reliability import one_line_error, run

import narrate
from narrate.errors import NarrateError

SENTENCE = "The geese came over the hill and the swans followed them home. "
SIZE = 400_000


def _prose(size: int) -> str:
    return "\n\n".join(SENTENCE * 8 for _ in range(size // (len(SENTENCE) * 8)))


def _html(paragraphs: str) -> str:
    return f"<html><body>{paragraphs}</body></html>"


HOSTILE = {  # name -> (suffix, text)
    "a 1 MB line": ("txt", SENTENCE * (1_000_000 // len(SENTENCE))),
    "100,000 lines, no blank one": ("txt", "The geese.\n" * 100_000),
    "50,000 'Mr. '": ("txt", "Some prose. " + "Mr. " * 50_000),
    "50,000 '_x '": ("txt", "Some prose. " + "_x " * 50_000),
    "50,000 unclosed quotes": ("txt", "Some prose. " + "“word " * 50_000),
    "a 400 kB word": ("txt", "Some prose. " + "a" * SIZE + ". Next one here."),
    "50,000 '['": ("txt", "Some prose. " + "[" * 50_000),
    "markdown: 10,000 nested quotes": ("md", "> " * 10_000 + "deep.\n\n" + _prose(SIZE // 2)),
    "markdown: 2,000 nested lists": ("md", "".join("  " * i + "- item\n" for i in range(2000))),
    "markdown: 50,000 '*x '": ("md", "Some prose. " + "*x " * 50_000),
    "html: 10,000 nested divs": ("html", _html("<div>" * 10_000 + "<p>deep</p>")),
    "html: 50,000 unclosed <b>": ("html", _html("<p>Some prose. " + "<b>x " * 50_000 + "</p>")),
}


def _cpu_seconds(path: Path) -> float:
    started = time.process_time()
    try:
        narrate.script(path, warnings=[])
    except NarrateError:
        pass  # a refusal is an answer too: what is measured is that it comes soon
    return time.process_time() - started


@pytest.mark.slow
@pytest.mark.parametrize("name", HOSTILE)
def test_each_reader_takes_time_in_proportion_to_hostile_input(tmp_path, name, monkeypatch):
    monkeypatch.setenv("NARRATE_CACHE", str(tmp_path / "cache"))  # no conversion kept
    suffix, text = HOSTILE[name]
    normal = tmp_path / f"normal.{suffix}"
    prose = _prose(len(text.encode()))
    normal.write_text(_html("".join(f"<p>{p}</p>" for p in prose.split("\n\n")))
                      if suffix == "html" else prose)
    hostile = tmp_path / f"hostile.{suffix}"
    hostile.write_text(text)
    reference = max(_cpu_seconds(normal), 0.05)
    assert _cpu_seconds(hostile) < 10 * reference, name


# ---- damaged parts: one line each, naming the part ------------------------------------------

def _patched_epub(tmp_path: Path, name: str, patch) -> Path:
    """A deflated EPUB with `patch(bytes, central directory offset of a.xhtml)` applied."""
    plain = _epub(tmp_path, {"a.xhtml": PROSE_P}, name="plain.epub")
    path = tmp_path / name
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w",
                                                           zipfile.ZIP_DEFLATED) as out:
        for member in source.namelist():
            out.writestr(member, source.read(member))
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02")
    while entry != -1:
        length = struct.unpack("<H", data[entry + 28:entry + 30])[0]
        if data[entry + 46:entry + 46 + length] == b"OEBPS/a.xhtml":
            patch(data, entry)
        entry = data.find(b"PK\x01\x02", entry + 4)
    path.write_bytes(bytes(data))
    return path


def _corrupt_stream(data: bytearray, entry: int) -> None:
    local = struct.unpack("<I", data[entry + 42:entry + 46])[0]
    start = local + 30 + struct.unpack("<H", data[local + 26:local + 28])[0] + \
        struct.unpack("<H", data[local + 28:local + 30])[0]
    data[start:start + 20] = b"\xff" * 20


def _encrypted(data: bytearray, entry: int) -> None:
    data[entry + 8] |= 1


def _unknown_version(data: bytearray, entry: int) -> None:
    data[entry + 6:entry + 8] = struct.pack("<H", 99)


def _name_not_utf8(data: bytearray, entry: int) -> None:
    data[entry + 9] |= 0x08
    data[entry + 46 + 6] = 0xFF


@pytest.mark.unit
@pytest.mark.parametrize(("patch", "needle"), [
    (_corrupt_stream, "'OEBPS/a.xhtml' cannot be unpacked"),
    (_encrypted, "'OEBPS/a.xhtml' is encrypted"),
    (_unknown_version, "version 9.9"),
    (_name_not_utf8, "not a complete zip archive")])
def test_a_damaged_zip_member_is_one_line_naming_it(tmp_path, patch, needle):
    path = _patched_epub(tmp_path, "book.epub", patch)
    one_line_error(run("script", path, "-o", "-"), "book.epub", needle)


@pytest.mark.unit
def test_an_html_tag_with_a_prefix_or_a_control_byte_is_read_past(tmp_path):
    page = tmp_path / "word.html"
    page.write_text(_html("<p>Exported from Word, as people do.<o:p></o:p></p>"
                          "<p>And on \x01 it <a\x02b>goes</a\x02b>, to the end.</p>"))
    says = " ".join(s.say for s in narrate.script(page).segments)
    assert "Exported from Word" in says and "to the end" in says


@pytest.mark.unit
def test_html_nested_past_the_parser_s_limit_is_refused_naming_the_line(tmp_path):
    page = tmp_path / "deep.html"
    page.write_text(_html("<p>Before.</p>" + "<div>" * 300 + "<p>deep</p>" + "</div>" * 300))
    one_line_error(run("script", page, "-o", "-"), "deep.html: line 1",
                   "nested more than 256 deep")


@pytest.mark.unit
def test_markdown_nested_past_the_limit_warns_naming_the_line(tmp_path):
    page = tmp_path / "deep.md"
    page.write_text("Some prose before the list, read aloud.\n\n" +
                    "".join("  " * i + f"- item {i}\n" for i in range(60)))
    warnings: list = []
    narrate.script(page, warnings=warnings)
    assert any(getattr(w, "code", "") == "nested-too-deep" and w.line == 27 for w in warnings)


@pytest.mark.unit
@pytest.mark.parametrize("front", [
    "title: " + "[" * 600 + "]" * 600,  # a RecursionError
    ("authors: &a [&b [&c [lol, lol, lol, lol, lol, lol, lol, lol], *c, *c, *c, *c, *c, *c, *c],"
    " *b, *b, *b, *b, *b, *b, *b]")])  # billion laughs: aliases are not expanded
def test_hostile_front_matter_is_a_warning_not_a_crash(tmp_path, front):
    page = tmp_path / "front.md"
    page.write_text(f"---\n{front}\n---\n\nSome prose here, to read aloud.\n")
    warnings: list = []
    book = narrate.script(page, warnings=warnings)
    assert "Some prose here" in book.segments[-1].say
    assert any(getattr(w, "code", "") == "front-matter" for w in warnings)


@pytest.mark.unit
def test_an_svg_cover_with_a_damaged_picture_is_a_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no rsvg-convert: the embedded picture
    from narrate.read.cover import _from_svg

    svg = (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,A==='
           b'x" /></svg>')
    data, _suffix, problems = _from_svg("cover.svg", svg)
    assert data == b"" and "damaged" in problems[0].message


# ---- amplification, lying charsets, unclear refusals ----------------------------------------

@pytest.mark.unit
def test_a_spine_naming_one_file_10000_times_reads_it_once(tmp_path):
    path = _epub(tmp_path, {"a.xhtml": PROSE_P}, spine='<itemref idref="a.xhtml"/>' * 10_000)
    warnings: list = []
    book = narrate.script(path, warnings=warnings)
    assert sum("real prose" in s.say for s in book.segments) == 1
    assert any(getattr(w, "code", "") == "spine-repeat" for w in warnings)


@pytest.mark.unit
def test_a_nav_with_20000_links_into_one_chapter_reads_the_chapter_s_ids_once(tmp_path,
                                                                            monkeypatch):
    from narrate.read.safe import SafeZip

    body = "".join(f'<p id="p{n}">Paragraph {n} of real prose, read aloud.</p>' for n in range(50))
    links = "".join(f'<li><a href="a.xhtml#p{n % 50}">Part {n}</a></li>' for n in range(20_000))
    path = _epub(tmp_path, {"a.xhtml": body}, links=links)
    reads: list[str] = []
    original = SafeZip.read
    monkeypatch.setattr(SafeZip, "read", lambda self, name, part="": reads.append(name) or
                        original(self, name, part))
    narrate.script(path)
    assert reads.count("OEBPS/a.xhtml") <= 3  # its ids, its text, its ssml:ph: not once a link


@pytest.mark.unit
def test_many_small_members_that_inflate_far_are_refused_as_a_zip_bomb(tmp_path):
    path = _epub(tmp_path, {"a.xhtml": PROSE_P})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        for n in range(40):  # each exactly 1 MiB of one byte: under the per-member check
            archive.writestr(f"OEBPS/pad{n}.css", b"\0" * 2**20)
    one_line_error(run("script", path, "-o", "-"), "zip bomb")


@pytest.mark.unit
@pytest.mark.parametrize("declared", ["us-ascii", "utf-7", "iso-2022-jp"])
def test_a_meta_charset_that_lies_about_a_utf8_page_does_not_cut_it(tmp_path, declared):
    page = tmp_path / "lie.html"
    page.write_bytes(f'<html><head><meta charset="{declared}"></head><body><p>Café au lait, '
                     'then the rest of the page.</p><p>The second paragraph, read too.</p>'
                     '</body></html>'.encode())
    says = " ".join(s.say for s in narrate.script(page).segments)
    assert "Café au lait" in says and "second paragraph" in says


@pytest.mark.unit
@pytest.mark.parametrize("declared", ["UTF-16", "cp037"])
def test_a_gutenberg_header_declaring_a_charset_its_bytes_are_not_is_not_believed(tmp_path,
                                                                                 declared):
    source = tmp_path / "pg.txt"
    source.write_bytes(f"The Project Gutenberg EBook of Caf\xe9s\n\nCharacter set encoding: "
                       f"{declared}\n\n*** START OF THIS PROJECT GUTENBERG EBOOK ***\n\nThe caf\xe9 "
                       "was open late, and we sat there.\n\n*** END OF THIS PROJECT GUTENBERG "
                       "EBOOK ***\n".encode("latin-1"))
    says = " ".join(s.say for s in narrate.script(source).segments)
    assert "The café was open late" in says


@pytest.mark.unit
@pytest.mark.parametrize("start", ["ID3 tags and what they hold", "RIFF and what it means"])
def test_a_text_that_starts_like_an_audio_file_s_magic_is_text(tmp_path, start):
    source = tmp_path / "a.txt"
    source.write_text(f"{start}: a short guide, read aloud.\n")
    assert "a short guide" in narrate.script(source).segments[-1].say


@pytest.mark.unit
def test_a_contents_link_to_a_web_address_or_to_itself_is_not_a_missing_chapter(tmp_path):
    links = ('<li><a href="a.xhtml">One</a></li><li><a href="#">Top</a></li>'
             '<li><a href="https://example.org/">Web</a></li>')
    book = narrate.script(_epub(tmp_path, {"a.xhtml": PROSE_P}, links=links))
    assert any("real prose" in s.say for s in book.segments)


@pytest.mark.unit
def test_an_itemref_without_idref_is_named_as_such(tmp_path):
    path = _epub(tmp_path, {"a.xhtml": PROSE_P}, spine='<itemref idref="a.xhtml"/><itemref/>')
    one_line_error(run("script", path, "-o", "-"), "without an idref")
