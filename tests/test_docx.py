"""Word documents (.docx, written by hand in tests/docxmaker.py) read through mammoth into
the HTML reader: headings, notes, comments, tracked changes, tables; hostile archives
refused as EPUBs are."""

import zipfile

import pytest
from docxmaker import comments, docx, footnote_mark, footnotes, paragraph, styles

from narrate.convert import convert_document
from narrate.errors import InputError
from narrate.read import read_document
from narrate.read.document import NOTE, PARAGRAPH, TABLE

pytestmark = pytest.mark.unit

CORE = ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>A Talk on '
        'Bridges</dc:title><dc:creator>Bea Builder</dc:creator><dc:language>en-GB'
        '</dc:language></cp:coreProperties>')


def spoken(document) -> list:
    book, _ = convert_document(document)
    return book


def test_heading_styles_make_chapters_and_core_properties_the_credits(tmp_path):
    body = (paragraph("The Old Bridge", "Heading1") + paragraph("It was built of stone.")
            + paragraph("The New Bridge", "Heading1") + paragraph("It is built of steel.")
            + paragraph("Its Cables", "Heading2") + paragraph("They sing in the wind."))
    document = read_document(docx(tmp_path / "talk.docx", body, {"styles": styles()}, CORE))
    book = spoken(document)
    assert [c.title for c in book.chapters] == ["The Old Bridge", "The New Bridge"]
    assert (document.metadata["title"], document.metadata["author"]) == (
        "A Talk on Bridges", "Bea Builder")
    assert document.metadata["language"] == "en-GB"


def test_a_footnote_is_a_note_and_its_mark_is_not_spoken(tmp_path):
    body = paragraph("The river rose.", runs=footnote_mark(1))
    document = read_document(docx(tmp_path / "notes.docx", body,
                                  {"footnotes": footnotes({1: "By four feet."})}))
    text = next(b for b in document.blocks if b.kind == PARAGRAPH)
    note = next(b for b in document.blocks if b.kind == NOTE)
    assert text.text == "The river rose." and note.text == "By four feet."
    assert text.refs == (note.note_id,)
    lines = [(s.role, s.text) for s in spoken(document).spoken]
    assert ("note", "Note: By four feet.") in lines
    assert not any("[1]" in t or "↑" in t for _, t in lines)


def test_comments_are_never_spoken_and_tracked_deletions_not_read(tmp_path):
    runs = ('<w:commentRangeStart w:id="0"/><w:r><w:t>kept words</w:t></w:r>'
            '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>'
            '<w:del w:id="1" w:author="Ed"><w:r><w:delText> struck words</w:delText></w:r>'
            '</w:del><w:ins w:id="2" w:author="Ed"><w:r><w:t xml:space="preserve"> added '
            'words</w:t></w:r></w:ins>')
    body = f"<w:p><w:r><w:t xml:space=\"preserve\">Some </w:t></w:r>{runs}</w:p>"
    document = read_document(docx(tmp_path / "review.docx", body,
                                  {"comments": comments({0: "Cut this paragraph?"})}))
    text = " ".join(s.text for s in spoken(document).spoken)
    assert "Some kept words added words" in text
    assert "struck" not in text and "Cut this" not in text


def test_a_table_is_a_table(tmp_path):
    cell = "<w:tc>{}</w:tc>"
    rows = "".join("<w:tr>" + "".join(cell.format(paragraph(t)) for t in row) + "</w:tr>"
                   for row in (("Span", "Length"), ("Main", "120 m")))
    body = paragraph("Above.") + f"<w:tbl>{rows}</w:tbl>" + paragraph("Below.")
    document = read_document(docx(tmp_path / "table.docx", body))
    table = next(b for b in document.blocks if b.kind == TABLE)
    assert table.text == "Span | Length\nMain | 120 m"


def refusal(path) -> str:
    with pytest.raises(InputError) as caught:
        read_document(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def test_an_external_entity_is_refused(tmp_path):
    path = docx(tmp_path / "xxe.docx", paragraph("Hello &xxe;"))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/document.xml"] = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM '
                                  b'"file:///etc/passwd">]>' + parts["word/document.xml"]
                                  .split(b"?>", 1)[1])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert "entities" in refusal(path)


def test_a_zip_bomb_is_refused(tmp_path):
    path = docx(tmp_path / "bomb.docx", paragraph("Hello."))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/huge.xml", b"\0" * (80 * 2**20))
    assert "zip bomb" in refusal(path)


def test_a_zip_that_is_not_a_word_document_is_refused(tmp_path):
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not a Word document" in refusal(path)

