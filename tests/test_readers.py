"""Readers: real books (excerpts in tests/fixtures/corpus) and hand-made shapes, into one
document model; every block kept and classified."""

import zipfile
from pathlib import Path

import pytest

from narrate.convert import convert, convert_document
from narrate.errors import InputError
from narrate.read import read_document
from narrate.read.document import (
    BACK_MATTER,
    BOILERPLATE,
    CODE,
    CONTENTS,
    FIGURE,
    FRONT_MATTER,
    INDEX,
    LIST_ITEM,
    NOTE,
    PARAGRAPH,
    PROSE,
    QUOTE,
    SIDENOTE,
    TABLE,
)
from narrate.read.text import read_text

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
KREHBIEL_CHAPTERS = ["Introduction", "Recognition of Musical Elements",
                     "The Content and Kinds of Music"]


def chapters(path):
    book, _ = convert_document(read_document(path))
    return book


def zip_folder(folder: Path, out: Path) -> Path:
    """An .epub of an unpacked tree: mimetype first and stored, as the spec asks."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(folder / "mimetype", "mimetype", compress_type=zipfile.ZIP_STORED)
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != "mimetype":
                archive.write(path, path.relative_to(folder).as_posix())
    return out


@pytest.fixture
def pragmatism(tmp_path):
    return zip_folder(CORPUS / "pragmatism-epub", tmp_path / "pragmatism.epub")


# ---- Project Gutenberg text ---------------------------------------------------------------------

def test_gutenberg_text_chapters_titles_and_metadata():
    book = chapters(CORPUS / "krehbiel-excerpt.txt")
    assert [c.title for c in book.chapters] == KREHBIEL_CHAPTERS + ["The Modern Orchestra"]
    assert [c.label for c in book.chapters] == ["I", "II", "III", "IV"]
    assert book.title == "How to Listen to Music, 7th ed."
    assert book.author == "Henry Edward Krehbiel"
    assert book.extra["subtitle"] == "Hints and Suggestions to Untaught Lovers of the Art"


def test_gutenberg_text_classifies_what_is_not_prose():
    document = read_document(CORPUS / "krehbiel-excerpt.txt")
    assert document.encoding.lower() in ("iso-8859-1", "latin-1")  # as its header declares
    kinds = {b.kind for b in document.blocks}
    assert {BOILERPLATE, FRONT_MATTER, CONTENTS, SIDENOTE, FIGURE, NOTE, INDEX} <= kinds
    spoken = " ".join(b.text for b in document.blocks if b.kind in PROSE)
    for junk in ("Project Gutenberg", "Produced by", "Sidenote", "Illustration",
                 "CHARLES SCRIBNER", "Page 3", "Purpose and scope", "FOOTNOTES",
                 "Adagio, in symphony"):
        assert junk not in spoken, junk
    # the footnote mark leaves the sentence and is kept as a reference to the note
    [quote] = [b for b in document.blocks if "fifty-six notes" in b.text]
    assert quote.kind == QUOTE and quote.refs == ("A",) and "[A]" not in quote.text
    [note] = [b for b in document.blocks if b.kind == NOTE and b.note_id == "A"]
    assert "Beethoven and His Nine Symphonies" in note.text
    # a numbered list inside a chapter ("II. Scene by the brook.") is not a chapter
    assert any(b.kind in PROSE and "Scene by the brook" in b.text for b in document.blocks)


def test_two_line_roman_heading_and_chapter_with_title_lines():
    body = "This chapter has enough words in it to be a chapter of a real book."
    text = (f"XVIII\n\nTHE OPERA AND ITS\nHISTORY IN ITALY\n\n{body}\n\n\n\n"
            f"CHAPTER XIX.\nTHE SONG\nAND THE SINGER\n\n{body}\n\n\n\n"
            f"CHAPTER XX\n\n_The Last Word_\n\n{body}\n")
    book, _ = convert(text)
    assert [(c.label, c.title) for c in book.chapters] == [
        ("XVIII", "THE OPERA AND ITS HISTORY IN ITALY"), ("CHAPTER XIX", "THE SONG AND THE SINGER"),
        ("CHAPTER XX", "The Last Word")]
    assert all(len(c.sections) == 1 for c in book.chapters)  # no title read as a paragraph


def test_a_song_list_is_not_chapters():
    body = "The chapter's text goes on long enough here to be a real chapter of prose."
    songs = "\n\n".join(f"Book I, Ch. {n}." for n in range(10, 20))
    text = f"CHAPTER I\n\n{body}\n\nThe songs:\n\n{songs}\n\n{body}\n\nCHAPTER II\n\n{body}\n"
    book, _ = convert(text)
    assert [c.heading for c in book.chapters] == ["CHAPTER I", "CHAPTER II"]
    assert "Book I, Ch. 15." in [s.text for s in book.chapters[0].segments]


def test_contents_lines_that_look_like_chapters_are_the_contents():
    body = "A paragraph of the chapter, with more than enough words to count as prose."
    text = ("CONTENTS\n\nCHAPTER I. The Start\n\nCHAPTER II. The Middle\n\n"
            "CHAPTER III. The End\n\n\n\n"
            + "\n\n\n\n".join(f"CHAPTER {n}. {t}\n\n{body}"
                              for n, t in (("I", "The Start"), ("II", "The Middle"),
                                           ("III", "The End"))) + "\n")
    document = read_text(text)
    assert [b.kind for b in document.blocks][:4] == [CONTENTS] * 4
    assert [c.title for c in convert(text)[0].chapters] == ["The Start", "The Middle", "The End"]


def test_gutenberg_licence_variants_and_end_line():
    text = ("The Project Gutenberg EBook of A Tale\n\nTitle: A Tale\n\nAuthor: Some One\n\n"
            "Language: French\n\n***START OF THE PROJECT GUTENBERG EBOOK A TALE***\n\n"
            "Produced by Volunteers\n\nIt was a fine day for a walk in the park.\n\n"
            "End of Project Gutenberg's A Tale, by Some One\n\nLicence text.\n")
    document = read_text(text)
    assert document.metadata == {"title": "A Tale", "author": "Some One", "language": "fr"}
    assert [b.text for b in document.blocks if b.kind in PROSE] == [
        "It was a fine day for a walk in the park."]


# ---- HTML ---------------------------------------------------------------------------------------

def test_gutenberg_html_gives_the_same_chapters_as_the_text():
    html_book = chapters(CORPUS / "krehbiel-excerpt.html")
    assert [c.title for c in html_book.chapters] == KREHBIEL_CHAPTERS
    assert (html_book.title, html_book.author) == ("How to Listen to Music, 7th ed.",
                                                    "Henry Edward Krehbiel")
    text_book = chapters(CORPUS / "krehbiel-excerpt.txt")
    # chapter I is whole in both excerpts: the same opening words are read
    assert html_book.chapters[0].segments[0].text[:60] == text_book.chapters[0].segments[0].text[:60]


def test_gutenberg_html_classifies_page_numbers_sidenotes_notes_and_ads():
    document = read_document(CORPUS / "krehbiel-excerpt.html")
    spoken = " ".join(b.text for b in document.blocks if b.kind in PROSE)
    for junk in ("[Pg", "Project Gutenberg", "The book's appeal", "SOME MUSICAL BOOKS", "LISZT",
                 "Adagio, in symphony", "CONTENTS", "decoration"):
        assert junk not in spoken, junk
    kinds = {b.kind for b in document.blocks}
    assert {BOILERPLATE, SIDENOTE, NOTE, INDEX, BACK_MATTER, CONTENTS, FRONT_MATTER} <= kinds
    [with_ref] = [b for b in document.blocks if b.refs]
    assert with_ref.refs == ("Footnote_A_1",) and "[A]" not in with_ref.text
    assert all(b.line for b in document.blocks)  # every block says where it came from


def test_html_elements_and_their_kinds(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("""<html><head><title>T</title><script>alert(1)</script></head><body>
<h1>The Page</h1><p>An opening paragraph with <a href="http://x.org">a link</a>.</p>
<h2>First</h2><p>Text<sup><a href="#fn1">1</a></sup> here.</p>
<blockquote><p>A quoted passage of several words.</p></blockquote>
<ul><li>one item</li><li>another item</li></ul><pre>code here</pre>
<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>
<figure><img src="x.png" alt="x"/><figcaption>A caption</figcaption></figure>
<h2>Second</h2><p>More text.</p><aside id="fn1"><p>The note.</p></aside>
</body></html>""", encoding="utf-8")
    document = read_document(page)
    kinds = [(b.kind, b.text) for b in document.blocks]
    assert (PARAGRAPH, "Text here.") in kinds and (QUOTE, "A quoted passage of several words.") in kinds
    assert (LIST_ITEM, "one item") in kinds and (CODE, "code here") in kinds
    assert (TABLE, "a | b\n1 | 2") in [(b.kind, b.text) for b in document.blocks]
    assert (FIGURE, "A caption") in kinds
    assert document.metadata["title"] == "The Page"
    assert [c.title for c in convert_document(document)[0].chapters] == [
        "An opening paragraph with a link", "First", "Second"]
    assert not any("alert" in b.text for b in document.blocks)


# ---- EPUB ---------------------------------------------------------------------------------------

def test_epub3_reading_order_titles_metadata_and_matter(pragmatism):
    document = read_document(pragmatism)
    book, _problems = convert_document(document)
    assert [c.title for c in book.chapters] == ["Preface", "The Present Dilemma in Philosophy",
                                                "What Pragmatism Means"]
    assert [c.label for c in book.chapters] == [None, "Lecture I", "Lecture II"]
    assert (book.title, book.author) == ("Pragmatism", "William James")
    assert book.extra["subtitle"] == "A New Name for Some Old Ways of Thinking"
    assert book.language == "en-GB" and book.extra["publisher"] == "Standard Ebooks"
    assert "series" not in book.extra  # a "set" collection is not a series
    spoken = " ".join(s.text for s in book.segments)
    for junk in ("Standard Ebooks", "Uncopyright", "Table of Contents", "↩"):
        assert junk not in spoken, junk
    # the endnote is read, in the note voice, right after the paragraph that cites it
    sections = book.chapters[1].sections
    [at] = [i for i, s in enumerate(sections) if s.kind == "note"]
    assert sections[at].segments[0].text.startswith("Note: Morrison I. Swift, Human Submission")
    assert {s.role for s in sections[at].segments} == {"note"}
    assert "Cleveland workingman" in sections[at - 1].text
    kinds = {b.kind for b in document.blocks}
    assert {FRONT_MATTER, BACK_MATTER, NOTE} <= kinds
    notes = [b for b in document.blocks if b.kind == NOTE and b.note_id]
    assert [n.note_id for n in notes] == ["note-1", "note-2"]
    assert any(b.refs == ("note-1",) for b in document.blocks)
    assert all(b.part.startswith("epub/text/") for b in document.blocks)
    name, data = document.cover
    assert name == "cover.svg" and data.startswith(b"<?xml")


def _epub(tmp_path, files: dict, name="book.epub", opf_extra="", spine=None, nav=True,
          links=None) -> Path:
    """A hand-made EPUB: `files` maps names under OEBPS/ to XHTML bodies."""
    spine = spine if spine is not None else "".join(
        f'<itemref idref="{n}"/>' for n in files)
    manifest = "".join(f'<item id="{n}" href="{n}" media-type="application/xhtml+xml"/>'
                       for n in files)
    toc = ("" if not nav else '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml"'
           ' properties="nav"/>')
    opf = f"""<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"
    unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">x</dc:identifier><dc:title>Hand Made</dc:title>
    <dc:creator id="a">A. Writer</dc:creator><dc:language>en</dc:language>{opf_extra}</metadata>
    <manifest>{manifest}{toc}</manifest><spine>{spine}</spine></package>"""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", """<?xml version="1.0"?><container
        xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0"><rootfiles>
        <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
        </rootfiles></container>""")
        archive.writestr("OEBPS/content.opf", opf)
        links = links or "".join(f'<li><a href="{n}">Title of {n}</a></li>' for n in files)
        if nav:
            archive.writestr("OEBPS/nav.xhtml", xhtml(f'<nav epub:type="toc"><ol>{links}</ol></nav>'))
        for n, body in files.items():
            archive.writestr(f"OEBPS/{n}", xhtml(body) if not body.startswith("<?xml") else body)
    return path


def xhtml(body: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>t</title></head>'
            f"<body>{body}</body></html>")


PROSE_P = "<p>Some words of real prose, enough of them to be read aloud as a paragraph.</p>"


def test_epub2_with_only_an_ncx_and_linear_no(tmp_path):
    path = _epub(tmp_path, {"a.xhtml": PROSE_P, "b.xhtml": "<h1>Own B</h1>" + PROSE_P,
                            "notes.xhtml": PROSE_P},
                 spine='<itemref idref="a.xhtml"/><itemref idref="notes.xhtml" linear="no"/>'
                       '<itemref idref="b.xhtml"/>', nav=False)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("OEBPS/toc.ncx", """<?xml version="1.0"?><ncx
        xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>
        <navPoint id="p1"><navLabel><text>Chapter 1: From the NCX</text></navLabel>
        <content src="a.xhtml"/></navPoint><navPoint id="p2"><navLabel><text>The B Chapter</text>
        </navLabel><content src="b.xhtml#top"/></navPoint></navMap></ncx>""")
    # point the OPF at the NCX the EPUB 2 way
    data = {n: zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()}
    opf = data["OEBPS/content.opf"].decode().replace(
        "</manifest>", '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        "</manifest>").replace("<spine>", '<spine toc="ncx">').replace('version="3.0"',
                                                                         'version="2.0"')
    data["OEBPS/content.opf"] = opf.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for n, d in data.items():
            archive.writestr(n, d)
    book, problems = convert_document(read_document(path))
    assert [(c.label, c.title) for c in book.chapters] == [("Chapter 1", "From the NCX"),
                                                          (None, "The B Chapter")]
    assert any(p.code == "not-linear" for p in problems)
    assert any(p.code == "toc-link" for p in problems)  # b.xhtml has no id "top"


@pytest.mark.parametrize("change, message", [
    ("drm", "DRM-protected"),
    ("not-epub", "not an EPUB"),
    ("broken-xhtml", "not well-formed XML"),
    ("truncated", "not a complete zip archive"),
    ("missing-spine-item", "missing from the archive"),
    ("no-spine", "no spine"),
    ("nav-missing-file", "points at 'gone.xhtml'"),
    ("xxe", "declares XML entities"),
    ("billion-laughs", "entit"),  # refused by libxml2 or by narrate, never expanded
    ("zip-bomb", "zip bomb"),
])
def test_broken_and_hostile_epubs_get_one_line(tmp_path, change, message):
    files = {"a.xhtml": "<h1>A</h1>" + PROSE_P}
    if change == "broken-xhtml":
        files["a.xhtml"] = "<h1>A</h1><p>unclosed"
    if change == "xxe":
        files["a.xhtml"] = ('<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM '
                            '"file:///etc/passwd">]><html xmlns="http://www.w3.org/1999/xhtml">'
                            "<body><p>&xxe;</p></body></html>")
    if change == "billion-laughs":
        entities = '<!ENTITY a0 "ha">' + "".join(
            f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
        files["a.xhtml"] = (f'<?xml version="1.0"?><!DOCTYPE html [{entities}]><html '
                            'xmlns="http://www.w3.org/1999/xhtml"><body><p>&a9;</p></body></html>')
    spine = '<itemref idref="gone"/>' if change == "missing-spine-item" else None
    opf_extra = ""
    if change == "no-spine":
        spine = ""
    links = '<li><a href="gone.xhtml">Gone</a></li>' if change == "nav-missing-file" else None
    path = _epub(tmp_path, files, spine=spine, opf_extra=opf_extra, links=links)
    if change == "missing-spine-item":  # in the manifest, not in the zip
        data = {n: zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()}
        data["OEBPS/content.opf"] = data["OEBPS/content.opf"].replace(
            b"</manifest>", b'<item id="gone" href="gone.xhtml" media-type="application/'
                            b'xhtml+xml"/></manifest>')
        with zipfile.ZipFile(path, "w") as archive:
            for n, d in data.items():
                archive.writestr(n, d)
    with zipfile.ZipFile(path, "a") as archive:
        if change == "drm":
            archive.writestr("META-INF/encryption.xml", """<encryption
            xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><EncryptedData
            xmlns="http://www.w3.org/2001/04/xmlenc#"><EncryptionMethod
            Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/></EncryptedData></encryption>""")
        if change == "zip-bomb":
            archive.writestr("OEBPS/bomb.xhtml", b"\0" * (4 * 2**20), zipfile.ZIP_DEFLATED)
    if change == "not-epub":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "just a zip")
    if change == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(InputError, match=message) as caught:
        read_document(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)
    assert "root:" not in str(caught.value)


def test_zip_member_names_are_never_paths_on_disk(tmp_path):
    path = _epub(tmp_path, {"a.xhtml": "<h1>A</h1>" + PROSE_P})
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("../../escaped.xhtml", xhtml(PROSE_P))
        archive.writestr("/tmp/absolute-narrate-test.xhtml", xhtml(PROSE_P))
    read_document(path)
    assert not (tmp_path.parent / "escaped.xhtml").exists()
    assert not Path("/tmp/absolute-narrate-test.xhtml").exists()


def test_html_page_with_entities_is_read_as_text_and_fetches_nothing(tmp_path):
    page = tmp_path / "x.html"
    page.write_text('<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><html><body>'
                    "<p>Before &xxe; after, and some more words here.</p></body></html>")
    document = read_document(page)
    assert not any("root:" in b.text for b in document.blocks)


# ---- Markdown -----------------------------------------------------------------------------------

def test_markdown_guide_chapters_from_second_level_headings():
    book = chapters(CORPUS / "art-of-command-line-excerpt.md")
    assert book.title == "The Art of Command Line"
    assert [c.title for c in book.chapters[1:]] == ["Meta", "Basics", "One-liners",
                                                    "Windows only", "License"]
    document = read_document(CORPUS / "art-of-command-line-excerpt.md")
    assert {CODE, FIGURE, LIST_ITEM} <= {b.kind for b in document.blocks}
    spoken = " ".join(s.text for s in book.segments)
    assert "sort a b | uniq" not in spoken  # code blocks are kept, not read
    assert "Ways to obtain Unix tools under Windows" in spoken  # ### headings are sections
    assert "- Learn" not in spoken and "https://" not in spoken


def test_markdown_front_matter_setext_nested_headings_and_footnotes(tmp_path):
    page = tmp_path / "notes.md"
    page.write_text("---\ntitle: Lecture Notes\nauthor: A. Teacher\n---\n\n"
                    "Part One\n========\n\nIntro text.[^1]\n\nSub part\n--------\n\n"
                    "Sub text.\n\n#### Deeper\n\nDeep text.\n\nPart Two\n========\n\n"
                    "Second text.\n\n[^1]: The footnote.\n", encoding="utf-8")
    document = read_document(page)
    book, _ = convert_document(document)
    assert (book.title, book.author) == ("Lecture Notes", "A. Teacher")
    assert [c.title for c in book.chapters] == ["Part One", "Part Two"]
    assert [s.text for s in book.chapters[0].segments] == [
        "Intro text.", "Note: The footnote.", "Sub part", "Sub text.", "Deeper", "Deep text."]
    assert [s.kind for s in book.chapters[0].sections] == ["", "note", "heading", "", "heading",
                                                           ""]
    [note] = [b for b in document.blocks if b.kind == NOTE]
    assert note.text == "The footnote." and note.note_id == "1"
    assert any(b.refs == ("1",) for b in document.blocks)


# ---- refused input ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, data, message", [
    ("data.json", b'{"a": 1}', "cannot read .json files"),
    ("doc.rtf", b"{\\rtf1 hello}", "cannot read .rtf files"),
    ("doc.docx", b"PK\x03\x04", "not a complete zip archive"),
    ("doc.odt", b"PK\x03\x04", "not a complete zip archive"),
    ("doc.odp", b"PK\x03\x04", "cannot read .odp files"),
    ("cover.png", b"\x89PNG", "cannot read .png files"),
    ("only-code.md", b"```\ncode\n```\n\n    more code\n", "no text to read aloud"),
    ("headings.txt", b"CHAPTER I\n\nCHAPTER II\n\nCHAPTER III\n", "no text to read aloud"),
    ("empty.html", b"<html><body><img src='x.png'/></body></html>", "no text to read aloud"),
])
def test_unreadable_input_is_one_line(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as caught:
        read_document(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.html"
    with path.open("wb") as handle:
        handle.truncate(50 * 2**20)  # sparse: costs no disk and is never read
    with pytest.raises(InputError, match="more than narrate reads"):
        read_document(path)


def test_a_book_with_no_author_is_warned_at_script_time(tmp_path):
    import subprocess
    import sys

    source = tmp_path / "anon.txt"
    source.write_text("A short text with no author named anywhere.\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "narrate", "script", str(source), "-o",
                             str(tmp_path / "s.yaml")], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0
    assert "no author" in result.stderr and f"author: NAME` to {tmp_path / 'anon.yaml'}" \
        in result.stderr


# ---- end to end: an EPUB into an audiobook, with the real engine and ffmpeg ---------------------

@pytest.mark.e2e
def test_an_epub_builds_with_its_titles_metadata_and_cover(tmp_path):
    from mutagen.id3 import ID3
    from mutagen.mp4 import MP4

    from narrate import build

    svg = (CORPUS / "pragmatism-epub" / "epub" / "images" / "cover.svg").read_text()
    path = _epub(tmp_path, {"one.xhtml": "<h2>I</h2><p>The first chapter is short.</p>",
                            "two.xhtml": "<p>The second has no heading of its own.</p>"},
                 opf_extra='<meta name="cover" content="cover"/>')
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("OEBPS/cover.svg", svg)
    data = {n: zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()}
    data["OEBPS/content.opf"] = data["OEBPS/content.opf"].replace(
        b"</manifest>", b'<item id="cover" href="cover.svg" media-type="image/svg+xml"/></manifest>')
    with zipfile.ZipFile(path, "w") as archive:
        for n, d in data.items():
            archive.writestr(n, d)
    result = build(path, cache=tmp_path / "c", out=tmp_path / "out", progress=False)
    mp3s = sorted(result.folder.glob("*.mp3"))
    assert [p.name for p in mp3s] == ["01 - Title of one.xhtml.mp3", "02 - Title of two.xhtml.mp3"]
    tags = ID3(str(mp3s[0]))
    assert str(tags["TALB"]) == "Hand Made" and str(tags["TPE1"]) == "A. Writer"
    cover = tags.getall("APIC")[0]
    assert cover.data.startswith(b"\x89PNG")  # the SVG drawn by rsvg-convert
    assert bytes(MP4(str(result.export.m4b)).tags["covr"][0]) == cover.data


def test_lint_and_show_report_what_is_not_read(tmp_path):
    import subprocess
    import sys

    source = CORPUS / "krehbiel-excerpt.txt"
    for command in ("lint", "show"):
        result = subprocess.run([sys.executable, "-m", "narrate", command, str(source)],
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        for kind in ("index", "contents", "sidenote", "boilerplate", "front matter"):
            assert f"{kind}: " in result.stdout and "not read" in result.stdout, (command, kind)


def test_a_large_drawn_cover_is_made_a_jpeg(tmp_path):
    """Every chapter file carries the cover: a multi-megabyte PNG is re-encoded."""
    import subprocess

    from narrate.read.cover import MAX_COVER_BYTES, _compact

    png = tmp_path / "cover.png"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "mandelbrot=s=1400x2100", "-frames:v", "1", str(png)], check=True)
    assert png.stat().st_size > MAX_COVER_BYTES
    data, suffix, _ = _compact(png)
    assert suffix == ".jpg" and data.startswith(b"\xff\xd8\xff") and len(data) < MAX_COVER_BYTES


def test_a_markdown_table_that_lays_out_pictures_is_pictures_not_a_table():
    """hyperfine's README: `| ![](histogram.png) | ![](whisker.png) |` was "A table follows
    in the text." (issue 38)."""
    from narrate.read.markdown import read_markdown

    source = ("# Plots\n\nThe plots show the runs.\n\n| ![](doc/histogram.png) | "
              "![](doc/whisker.png) |\n|---:|---:|\n\n| Tool | Time |\n|---|---|\n| fd | 1 s |\n")
    document = read_markdown(source, "plots.md")
    assert [b.kind for b in document.blocks if b.kind in (TABLE, FIGURE)] == [FIGURE, TABLE]
    book, _ = convert_document(document)
    assert "table follows" not in " ".join(s.say for s in book.spoken)


def test_a_readme_s_sponsors_section_is_not_read():
    """hyperfine's README: "Warp, the intelligent terminal Available on MacOS…" was read
    (issue 38)."""
    from narrate.read.markdown import read_markdown

    source = ("# tool\n\nA command-line tool.\n\n### Sponsors\n\nA special *thank you* goes to "
              "our sponsor:<br>\n\n<a href=\"https://example.com\">\n  <img src=\"logo.png\" "
              "alt=\"Warp\">\n  <strong>Warp, the terminal</strong>\n</a>\n\n## Features\n\n"
              "* It measures.\n\n## Usage\n\nRun it.\n")
    book, _ = convert_document(read_markdown(source, "README.md"))
    said = " ".join(s.say for s in book.spoken)
    assert "Warp" not in said and "thank you" not in said
    assert "It measures." in said and [c.title for c in book.chapters][-2:] == ["Features", "Usage"]


def test_two_commands_of_a_table_running_one_program_are_told_apart():
    """hyperfine's table: `find . -iregex …` and `find . -iname …` were both "Command:
    find" (issue 38)."""
    from narrate.read.markdown import read_markdown

    source = ("# Results\n\n| Command | Mean [s] |\n|:---|---:|\n"
              "| `find . -iregex '.*[0-9]\\.jpg$'` | 2.275 |\n| `find . -iname '*.jpg'` | 1.427 |\n"
              "| `fd -e jpg` | 0.232 |\n")
    book, _ = convert_document(read_markdown(source, "results.md"))
    said = " ".join(s.say for s in book.spoken)
    assert "Command: find dash iregex;" in said and "Command: find dash iname;" in said
    assert "Command: fd;" in said
