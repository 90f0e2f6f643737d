"""FictionBook (.fb2, written in the test) and Kindle books (through Calibre's
ebook-convert, refused in one line when it is not installed)."""

import pytest

from narrate.convert import convert_document
from narrate.errors import InputError
from narrate.read import read_document
from narrate.read.document import NOTE, PARAGRAPH, QUOTE

pytestmark = pytest.mark.unit

FB2 = """<?xml version="1.0" encoding="utf-8"?>
<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0"
             xmlns:l="http://www.w3.org/1999/xlink">
 <description><title-info><author><first-name>Anna</first-name><last-name>Teller</last-name>
  </author><book-title>Two Winters</book-title><lang>en</lang></title-info></description>
 <body>
  <title><p>Two Winters</p></title>
  <section><title><p>The First Winter</p></title>
   <epigraph><p>Snow remembers every step.</p></epigraph>
   <p>The lake froze in a night<a l:href="#n1" type="note">1</a>, and we walked on it.</p>
  </section>
  <section><title><p>The Second Winter</p></title>
   <poem><stanza><v>White on white,</v><v>the fields sleep.</v></stanza></poem>
   <p>No snow came at all that year.</p>
  </section>
 </body>
 <body name="notes"><section id="n1"><title><p>1</p></title><p>It was December.</p></section></body>
 <binary id="cover.jpg" content-type="image/jpeg">AAAA</binary>
</FictionBook>
"""


def test_a_fictionbook_reads_as_chapters_with_notes_and_quotations(tmp_path):
    path = tmp_path / "winters.fb2"
    path.write_text(FB2, encoding="utf-8")
    document = read_document(path)
    assert (document.metadata["title"], document.metadata["author"]) == (
        "Two Winters", "Anna Teller")
    book, _ = convert_document(document)
    assert [c.title for c in book.chapters] == ["The First Winter", "The Second Winter"]
    paragraph = next(b for b in document.blocks if b.kind == PARAGRAPH)
    note = next(b for b in document.blocks if b.kind == NOTE)
    assert paragraph.text == "The lake froze in a night, and we walked on it."
    assert paragraph.refs == ("n1",) and note.note_id == "n1" and note.text == "It was December."
    assert [b.text for b in document.blocks if b.kind == QUOTE] == [
        "Snow remembers every step.", "White on white,", "the fields sleep."]


def test_a_fictionbook_with_an_entity_is_refused(tmp_path):
    path = tmp_path / "entity.fb2"
    path.write_text('<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    + FB2.split("?>", 1)[1].replace("every step", "&x;"), encoding="utf-8")
    with pytest.raises(InputError, match="entities"):
        read_document(path)


@pytest.mark.parametrize("name", ["book.mobi", "book.azw3"])
def test_a_kindle_book_without_calibre_is_one_line_saying_what_to_install(tmp_path, monkeypatch,
                                                                           name):
    monkeypatch.setenv("PATH", str(tmp_path))  # no ebook-convert on it
    path = tmp_path / name
    path.write_bytes(b"BOOKMOBI" + bytes(100))
    with pytest.raises(InputError) as caught:
        read_document(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert "Calibre" in message and "ebook-convert" in message
