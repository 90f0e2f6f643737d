"""The PDF reader on PDFs made in the test (tests/pdfmaker.py): columns, running heads,
broken words, footnotes, an outline, and the PDFs it refuses."""

import os
import zlib

import pytest
from pdfmaker import (
    new_pdf,
    parted_pdf,
    put_lines,
    raised,
    raw_pdf,
    running_heads,
    save,
    to_unicode_map,
    width,
)

from narrate.convert import convert_document
from narrate.errors import InputError
from narrate.processes import worker_context
from narrate.read import read_document
from narrate.read.document import FIGURE, HEADING, LIST_ITEM, NOTE, PARAGRAPH, PROSE, TABLE
from narrate.read.pdfblocks import clean
from narrate.read.pdfguard import read_apart

pytestmark = pytest.mark.unit


def prose(document) -> list[str]:
    return [b.text for b in document.blocks if b.kind in PROSE]


def spoken(document) -> str:
    book, _ = convert_document(document)
    return " ".join(s.say for s in book.spoken)


def test_two_columns_are_read_column_by_column_and_a_sentence_runs_on(tmp_path):
    pdf = new_pdf()
    pdf.add_page()
    left = ["The left column starts here and its", "words run down the page line by",
            "line until the column ends in the", "middle of a sentence that goes"]
    right = ["on at the top of the right column.", "The right column has its own lines",
             "that a reader takes after the left", "column, never across the gutter."]
    put_lines(pdf, 30, 80, left)
    put_lines(pdf, 230, 80, right)
    document = read_document(save(pdf, tmp_path / "columns.pdf"))
    assert prose(document) == [
        ("The left column starts here and its words run down the page line by line until "
        "the column ends in the middle of a sentence that goes on at the top of the right "
        "column. The right column has its own lines that a reader takes after the left "
        "column, never across the gutter.")]


def test_running_heads_page_numbers_and_footers_are_never_spoken(tmp_path):
    pdf = new_pdf()
    for number in range(1, 5):
        pdf.add_page()
        running_heads(pdf, "A GUIDE TO QUIET ROOMS", number)
        put_lines(pdf, 60, 100, [f"Room {number} is one more quiet room on the list.",
                                 "It has a window and a chair in it."])
    document = read_document(save(pdf, tmp_path / "heads.pdf"))
    text = spoken(document)
    assert "GUIDE" not in text.upper()
    assert text.count("quiet room") == 4
    for block in document.blocks:
        assert block.text.strip() not in {"1", "2", "3", "4"}


def test_a_page_taller_than_letter_whose_size_its_page_tree_gives_is_read_whole(tmp_path):
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(420, 1000))  # fpdf2 sets the size on the page tree
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.text(40, 60, "The first line is set near the top of a tall page.")
    pdf.text(40, 900, "The last line is set near its foot.")
    text = spoken(read_document(save(pdf, tmp_path / "tall.pdf")))
    assert "The first line is set near the top of a tall page." in text  # was cut off
    assert "The last line is set near its foot." in text


def test_a_first_page_s_masthead_in_the_words_of_the_running_head_is_not_spoken(tmp_path):
    pdf = new_pdf()
    for number in range(1, 5):
        pdf.add_page()
        if number == 1:  # the head's words set apart, small, at the top right
            put_lines(pdf, 280, 30, ["Gazette of Rooms", "Vol. 3, No. 12", "May 4, 2020"], size=8,
                      leading=10)
        else:
            put_lines(pdf, 60, 40, ["Gazette of Rooms / Vol. 3, No. 12 / May 4, 2020"], size=8)
        put_lines(pdf, 60, 100, [f"Room {number} is one more quiet room on the list.",
                                 "It has a window and a chair in it."])
    put_lines(pdf, 60, 140, ["The rooms of May are listed in the gazette."])
    text = spoken(read_document(save(pdf, tmp_path / "masthead.pdf")))
    assert "Gazette of Rooms" not in text and "Vol." not in text and "May 4" not in text
    assert text.count("quiet room") == 4 and "The rooms of May are listed" in text


def test_a_word_broken_at_a_line_end_is_joined_and_a_real_hyphen_kept(tmp_path):
    pdf = new_pdf()
    pdf.add_page()
    put_lines(pdf, 40, 80, ["It is impor-", "tant that the well-known road to Soekarno-",
                            "Hatta airport runs past the well-", "known school, a regulation-",
                            "minimizing school: minimizing every regulation."])
    document = read_document(save(pdf, tmp_path / "hyphens.pdf"))
    assert prose(document) == [("It is important that the well-known road to Soekarno-Hatta "
                                "airport runs past the well-known school, a regulation-"
                                "minimizing school: minimizing every regulation.")]


def test_words_set_apart_without_a_space_are_two_words(tmp_path):
    pdf = new_pdf()
    pdf.add_page()
    pdf.text(40, 80, "Since the inception")
    pdf.text(40 + width(pdf, "Since the inception") + 3, 80, "of the law, people read.")
    document = read_document(save(pdf, tmp_path / "spaces.pdf"))
    assert prose(document) == ["Since the inception of the law, people read."]


@pytest.mark.parametrize(("typeset", "letters"), [("ﬁnd the ﬂag", "find the flag"),
                                                  ("caf\u00e9 cafe\u0301", "café café"),
                                                  ("‘‘quoted’’", "“quoted”")])
def test_ligatures_and_accents_are_letters(typeset, letters):
    assert clean(typeset) == letters


def test_a_footnote_is_a_note_and_its_mark_is_not_spoken(tmp_path):
    pdf = new_pdf()
    pdf.add_page()
    last = "which was high that spring."
    put_lines(pdf, 40, 80, ["Everyone in the town went down to see the river,", last])
    raised(pdf, 40 + width(pdf, last) + 1, 80 + 14, "1")
    raised(pdf, 40, 520, "1", size=5)
    put_lines(pdf, 45, 520, ["The town records say it rose four feet above the bank."],
              size=8, leading=10)
    document = read_document(save(pdf, tmp_path / "footnote.pdf"))
    paragraph = next(b for b in document.blocks if b.kind == PARAGRAPH)
    assert paragraph.text == ("Everyone in the town went down to see the river, which was "
                              "high that spring.")
    note = next(b for b in document.blocks if b.kind == NOTE)
    assert note.text == "The town records say it rose four feet above the bank."
    assert paragraph.refs == (note.note_id,)
    book, _ = convert_document(document)
    says = [s.say for s in book.spoken]
    assert not any("spring 1" in say or "spring. 1" in say or "spring.1" in say
                   for say in says)
    assert any(s.role == "note" and "four feet" in s.text for s in book.spoken)


def test_the_outline_gives_the_chapters_and_their_titles(tmp_path):
    pdf = new_pdf(title="The Two Walks", author="A. Walker")
    for number, title in ((1, "The Morning Walk"), (2, "The Evening Walk")):
        pdf.add_page()
        pdf.start_section(f"Chapter {number}: {title}")
        put_lines(pdf, 100, 80, [f"CHAPTER {number}", title], size=14, leading=20)
        put_lines(pdf, 40, 150, [f"This is the {title.lower()} and it is long enough to",
                                 "be a paragraph that the listener hears in full."])
    document = read_document(save(pdf, tmp_path / "outline.pdf"))
    headings = [(b.label, b.text, b.level) for b in document.blocks if b.kind == HEADING]
    assert headings == [("Chapter 1", "The Morning Walk", 1), ("Chapter 2", "The Evening Walk", 1)]
    assert document.metadata["title"] == "The Two Walks"
    assert document.metadata["author"] == "A. Walker"
    book, _ = convert_document(document)
    assert [c.title for c in book.chapters] == ["The Morning Walk", "The Evening Walk"]
    assert "CHAPTER 1" not in " ".join(prose(document))


def test_without_an_outline_larger_type_makes_the_chapters(tmp_path):
    pdf = new_pdf()
    for title in ("First Things", "Second Things"):
        pdf.add_page()
        put_lines(pdf, 40, 80, [title], size=18)
        put_lines(pdf, 40, 120, [f"The {title.lower()} are told here in a paragraph of",
                                 "plain words that a listener hears."])
    document = read_document(save(pdf, tmp_path / "sizes.pdf"))
    book, _ = convert_document(document)
    assert [c.title for c in book.chapters] == ["First Things", "Second Things"]


def test_bullets_make_list_items(tmp_path):
    pdf = new_pdf()
    pdf.add_page()
    put_lines(pdf, 40, 80, ["Bring these things:", "- a map of the hills", "- a flask of water"])
    document = read_document(save(pdf, tmp_path / "list.pdf"))
    assert [b.text for b in document.blocks if b.kind == LIST_ITEM] == [
        "a map of the hills", "a flask of water"]


# ---- refused ---------------------------------------------------------------------------------


def refusal(path) -> str:
    with pytest.raises(InputError) as caught:
        read_document(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def test_a_pdf_locked_with_a_password_is_refused_and_an_empty_password_is_tried(tmp_path):
    for user, name in (("secret", "locked.pdf"), ("", "open.pdf")):
        pdf = new_pdf()
        pdf.add_page()
        put_lines(pdf, 40, 80, ["A sentence that only the right reader may see."])
        pdf.set_encryption(owner_password="owner", user_password=user)
        save(pdf, tmp_path / name)
    assert "password" in refusal(tmp_path / "locked.pdf")
    assert prose(read_document(tmp_path / "open.pdf")) == [
        "A sentence that only the right reader may see."]


def test_a_pdf_without_a_text_layer_is_refused(tmp_path):
    pdf = new_pdf()
    pdf.add_page()
    pdf.rect(40, 40, 300, 400, style="F")  # a page that is a picture, as a scan is
    message = refusal(save(pdf, tmp_path / "scan.pdf"))
    assert "no text layer" in message and "OCR" in message


def test_fonts_that_map_glyphs_to_no_letters_are_refused(tmp_path):
    content = b"BT /F1 12 Tf 40 300 Td (" + bytes(range(65, 91)) * 4 + b") Tj ET"
    path = raw_pdf(tmp_path / "glyphs.pdf", content, font="/ToUnicode 6 0 R",
                   extra=[to_unicode_map(range(65, 91), 0xE000)])
    assert "map glyphs to no letters" in refusal(path)


@pytest.mark.parametrize("data", [b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF",
                                  b"%PDF-1.4\n" + b"\x00\xff" * 500,
                                  b"not a pdf at all, just words"])
def test_a_damaged_or_false_pdf_is_refused_in_one_line(tmp_path, data):
    path = tmp_path / "damaged.pdf"
    path.write_bytes(data)
    refusal(path)


def test_a_hand_made_pdf_with_a_font_that_maps_to_letters_reads(tmp_path):
    """The control for the refusal above: the same page with its codes mapped to letters."""
    content = b"BT /F1 12 Tf 40 300 Td (Plain words on a plain page.) Tj ET"
    path = raw_pdf(tmp_path / "plain.pdf", content)
    assert prose(read_document(path)) == ["Plain words on a plain page."]



def test_a_decompression_bomb_is_refused_before_pdfium_inflates_it(tmp_path):
    packer = zlib.compressobj(9)
    packed = b"".join(packer.compress(b"0 0 m " * 2**20) for _ in range(24)) + packer.flush()
    path = raw_pdf(tmp_path / "bomb.pdf", b"")
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed
    path.write_bytes(path.read_bytes().replace(b"<< /Length 0 >>\nstream\n", stream))
    assert "decompression bomb" in refusal(path)


def _crash(path):
    os.abort()  # as PDFium does when it meets what it cannot survive


def _flood(path):
    return bytearray(4 * 2**30)  # past the child's memory cap


@pytest.mark.parametrize("reader", [_crash, _flood])
def test_pdfium_crashing_or_flooding_its_process_is_one_line_not_a_dead_narrate(tmp_path, reader):
    path = tmp_path / "hostile.pdf"
    with pytest.raises(InputError) as caught:
        read_apart(reader, str(path), worker_context())
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


def test_an_outline_typed_in_capitals_titles_its_chapters_as_a_book_prints_them(tmp_path):
    pdf = new_pdf()
    for title in ("PREFACE", '"PIRACY"'):
        pdf.add_page()
        pdf.start_section(title)
        put_lines(pdf, 40, 120, ["A paragraph that is long enough to be read aloud here."])
    book, _ = convert_document(read_document(save(pdf, tmp_path / "capitals.pdf")))
    assert [c.title for c in book.chapters] == ["Preface", "“Piracy”"]


def test_a_damaged_page_is_left_out_with_a_warning_and_the_rest_is_read(tmp_path):
    pdf = new_pdf()
    pdf.set_compression(False)
    for words in ("The first page is damaged.", "The second page reads well."):
        pdf.add_page()
        put_lines(pdf, 40, 80, [words])
    path = save(pdf, tmp_path / "damaged-page.pdf")
    data = path.read_bytes()
    assert data.count(b"/Type /Page\n") == 2
    path.write_bytes(data.replace(b"/Type /Page\n", b"/Type /Pag\xcd\n", 1))
    document = read_document(path)
    assert prose(document) == ["The second page reads well."]
    assert [p.code for p in document.problems] == ["pdf-page"]
    assert "page 1" in document.problems[0].message


def test_scanned_pages_among_text_pages_are_a_warning_naming_the_first(tmp_path):
    pdf = new_pdf()
    for number in range(1, 7):
        pdf.add_page()
        if number <= 2:
            put_lines(pdf, 40, 80, [f"Page {number} has words a listener hears."])
        else:
            pdf.rect(40, 40, 300, 400, style="F")  # a scanned page: a picture, no text
    document = read_document(save(pdf, tmp_path / "half-scanned.pdf"))
    assert " ".join(prose(document)) == ("Page 1 has words a listener hears. Page 2 has words "
                                         "a listener hears.")
    [problem] = [p for p in document.problems if p.code == "pdf-no-text"]
    assert "4 of 6 pages" in problem.message and "first page 3" in problem.message


def test_a_paragraph_of_many_lines_is_joined_in_linear_time():
    from narrate.read.pdfblocks import Vocabulary

    vocabulary = Vocabulary([])
    lines = ["a line that ends in a broken word impor-", "tant and goes on"] * 50_000
    joined = vocabulary.join(lines)
    assert joined.count("important") == 50_000 and "impor-" not in joined


def test_a_page_count_past_the_limit_is_refused(tmp_path):
    path = raw_pdf(tmp_path / "many.pdf", b"BT /F1 12 Tf 40 300 Td (Words on a page.) Tj ET")
    path.write_bytes(path.read_bytes().replace(
        b"/Kids [3 0 R] /Count 1", b"/Kids [" + b"3 0 R " * 6000 + b"] /Count 6000"))
    assert "6000 pages" in refusal(path)


def test_objects_nested_a_hundred_thousand_deep_are_read_past(tmp_path):
    path = raw_pdf(tmp_path / "deep.pdf", b"BT /F1 12 Tf 40 300 Td (Words on a page.) Tj ET")
    path.write_bytes(path.read_bytes().replace(
        b"/Resources <<", b"/Deep " + b"[" * 100_000 + b"]" * 100_000 + b" /Resources <<"))
    assert prose(read_document(path)) == ["Words on a page."]


def test_a_half_title_page_is_not_read_as_a_heading(tmp_path):
    pdf = new_pdf(title="Quiet Rooms")
    pdf.add_page()
    pdf.start_section("Preface")
    put_lines(pdf, 40, 80, ["A preface of a few words, long enough to be read."])
    pdf.add_page()
    put_lines(pdf, 120, 300, ["QUIET ROOMS"], size=20)
    pdf.add_page()
    pdf.start_section("Introduction")
    put_lines(pdf, 40, 80, ["An introduction of a few words, long enough as well."])
    document = read_document(save(pdf, tmp_path / "half-title.pdf"))
    assert [b.text for b in document.blocks if b.kind == HEADING] == ["Preface", "Introduction"]


def test_a_figure_s_caption_is_not_read_and_prose_naming_a_figure_is(tmp_path):
    pdf = new_pdf()
    pdf.add_page()
    put_lines(pdf, 40, 80, ["The river is drawn in the map below, as figure 2 shows."])
    pdf.rect(40, 100, 300, 200)
    put_lines(pdf, 40, 320, ["Figure 2: The river from its spring to the sea, 1921."], size=9)
    put_lines(pdf, 40, 360, ["After the map the story goes on for a while."])
    document = read_document(save(pdf, tmp_path / "figure.pdf"))
    assert prose(document) == ["The river is drawn in the map below, as figure 2 shows.",
                               "After the map the story goes on for a while."]
    assert [b.text for b in document.blocks if b.kind == FIGURE] == [
        "Figure 2: The river from its spring to the sea, 1921."]


def test_a_grid_of_short_cells_is_a_table_and_is_read_as_one(tmp_path):
    pdf = new_pdf()
    pdf.add_page()
    put_lines(pdf, 40, 80, ["The rivers compared, by length and by sea, are set out below."])
    for x, column in ((40, ["River", "Rhine", "Loire"]), (160, ["Length", "1,230 km", "1,006 km"]),
                      (280, ["Sea", "North Sea", "Atlantic"])):
        put_lines(pdf, x, 120, column)
    put_lines(pdf, 40, 200, ["Both rivers are long enough for a week of walking."])
    document = read_document(save(pdf, tmp_path / "table.pdf"))
    [table] = [b for b in document.blocks if b.kind == TABLE]
    assert table.text == ("River | Length | Sea\nRhine | 1,230 km | North Sea\n"
                          "Loire | 1,006 km | Atlantic")
    book, _ = convert_document(document)
    said = " ".join(s.say for s in book.spoken)
    assert "River: Rhine; Length: one thousand two hundred thirty kilometers" in said


def test_a_part_whose_page_holds_only_its_title_is_a_chapter_of_the_outline(tmp_path):
    book, _ = convert_document(read_document(parted_pdf(tmp_path / "parts.pdf")))
    assert [c.title for c in book.chapters] == ["Hills", "The Ridge", "Shores", "The Bay",
                                                "The Cliffs"]
    assert book.chapters[2].announce.say == "Shores."


def test_a_table_with_space_between_its_rows_and_cells_of_two_lines_is_read_row_by_row(tmp_path):
    pdf = new_pdf()
    pdf.add_page()
    put_lines(pdf, 40, 80, ["The rivers compared, by length and by what is seen, are set out below."])
    rows = [("River", "Length", ["What you see"]), ("Rhine", "1,230 km", ["Castles on the hills",
            "and vineyards"]), ("Loire", "1,006 km", ["Chateaux and", "sandbanks in summer"]),
            ("Seine", "777 km", ["Paris and", "its bridges"])]
    y = 120
    for river, length, seen in rows:
        for x, cell in ((40, [river]), (140, [length]), (240, seen)):
            put_lines(pdf, x, y, cell, leading=13)
        y += 13 * (len(seen) - 1) + 22  # rows set further apart than a cell's lines
    put_lines(pdf, 40, y + 30, ["All three rivers are long enough for a week of walking."])
    document = read_document(save(pdf, tmp_path / "table.pdf"))
    [table] = [b for b in document.blocks if b.kind == TABLE]
    assert table.text.split("\n") == [
        "River | Length | What you see", "Rhine | 1,230 km | Castles on the hills and vineyards",
        "Loire | 1,006 km | Chateaux and sandbanks in summer", "Seine | 777 km | Paris and its bridges"]
    assert prose(document) == [
        "The rivers compared, by length and by what is seen, are set out below.",
        "All three rivers are long enough for a week of walking."]
