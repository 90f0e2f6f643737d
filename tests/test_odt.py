"""OpenDocument text (.odt, written by hand in tests/odtmaker.py) read into the HTML reader:
headings, notes, comments, tracked deletions, lists, tables, text boxes, contents; hostile
archives refused as EPUBs are."""

import zipfile

import pytest
from odtmaker import h, odt, p

from narrate.convert import convert_document
from narrate.errors import InputError
from narrate.read import read_document
from narrate.read.document import CONTENTS, HEADING, LIST_ITEM, NOTE, TABLE

pytestmark = pytest.mark.unit

def test_headings_notes_lists_and_tables_are_read_and_comments_and_deletions_are_not(tmp_path):
    note = ('<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1'
            '</text:note-citation><text:note-body><text:p>Built in 1779 of cast iron.</text:p>'
            '</text:note-body></text:note>')
    body = (
        '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion>'
        '<text:p>A sentence the author struck out.</text:p></text:deletion></text:changed-region>'
        '</text:tracked-changes>'
        '<text:table-of-content><text:index-body>' + p("Arches 1") + '</text:index-body>'
        '</text:table-of-content>'
        + h("Arches") + p(f"The first iron bridge{note} still stands over the river.<office:"
                          "annotation><text:p>Check this date.</text:p></office:annotation>")
        + p('Its span is<text:s text:c="3"/>thirty metres.<text:line-break/>It was cast whole.')
        + h("Kinds", 2)
        + '<text:list><text:list-item>' + p("The beam bridge.") + '</text:list-item>'
        '<text:list-item>' + p("The arch bridge.") + '</text:list-item></text:list>'
        + '<table:table><table:table-row><table:table-cell>' + p("Bridge") + '</table:table-cell>'
        '<table:table-cell>' + p("Span") + '</table:table-cell></table:table-row>'
        '<table:table-row><table:table-cell>' + p("Iron Bridge") + '</table:table-cell>'
        '<table:table-cell>' + p("30 m") + '</table:table-cell></table:table-row></table:table>'
        + p('See the box.<draw:frame><draw:text-box>' + p("A box of its own words.")
            + '</draw:text-box></draw:frame>')
        + h("Cables") + p("A cable bridge hangs from its towers."))
    document = read_document(odt(tmp_path / "talk.odt", body))
    kinds = [(b.kind, b.text) for b in document.blocks]
    assert (HEADING, "Arches") in kinds and (HEADING, "Kinds") in kinds
    assert (LIST_ITEM, "The beam bridge.") in kinds
    assert [b.text for b in document.blocks if b.kind == TABLE] == [
        "Bridge | Span\nIron Bridge | 30 m"]
    assert [b.text for b in document.blocks if b.kind == NOTE] == ["Built in 1779 of cast iron."]
    assert any(b.kind == CONTENTS for b in document.blocks)
    assert document.metadata == {"title": "A Talk on Bridges", "author": "Bea Builder",
                                 "language": "en-GB"}
    book, _ = convert_document(document)
    assert [c.title for c in book.chapters] == ["Arches", "Cables"]
    said = " ".join(s.say for s in book.spoken)
    assert "The first iron bridge still stands over the river." in said
    assert "Built in seventeen seventy-nine of cast iron." in said  # the note, in its voice
    assert "Its span is thirty metres. It was cast whole." in said
    assert "A box of its own words." in said
    for unread in ("struck out", "Check this date", "Arches 1", "bridge1"):
        assert unread not in said


def refusal(path) -> str:
    with pytest.raises(InputError) as caught:
        read_document(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_an_external_entity_is_refused(tmp_path):
    path = odt(tmp_path / "xxe.odt", p("Hello &xxe;"),
               '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    assert "passwd" not in refusal(path)


def test_a_zip_bomb_and_an_archive_that_is_no_text_are_refused(tmp_path):
    path = odt(tmp_path / "bomb.odt", p("Hello."))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Pictures/huge.xml", b"\0" * (80 * 2**20))
    assert "zip bomb" in refusal(path)
    other = tmp_path / "other.odt"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not an OpenDocument text" in refusal(other)


def test_the_help_and_the_hints_name_the_formats_narrate_reads(tmp_path):
    from click.testing import CliRunner

    from narrate.cli import cli

    said = CliRunner().invoke(cli, ["script", "--help"]).output
    assert all(suffix in said for suffix in (".pdf", ".docx", ".odt", ".fb2"))  # said .epub last
    (tmp_path / "folder").mkdir()
    message = refusal(tmp_path / "folder")  # a folder given as the book: the hint lists them
    assert ".pdf" in message and ".odt" in message
