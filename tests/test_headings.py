"""Headings and credits as a narrator says them, and as script entries."""

import pytest

from narrate.convert import convert
from narrate.convert.headings import (
    book_unit,
    credit_lines,
    sentence_case,
    spoken_heading,
)
from narrate.convert.speech import Lexicon
from narrate.model import Book, Chapter


@pytest.mark.parametrize("label, title, unit, spoken", [
    ("CHAPTER II", None, None, "Chapter Two."),
    ("Lecture I", "The Present Dilemma in Philosophy", None,
     "Lecture One. The Present Dilemma in Philosophy."),
    ("XVIII", "OPERA", None, "Chapter Eighteen. Opera."),  # a bare numeral: the unit too
    ("IX", "At the Opera", "Lecture", "Lecture Nine. At the Opera."),
    ("IV", None, None, "Chapter Four."),
    ("Part IV", None, None, "Part Four."),
    ("CHAP. III", "THE SONG AND I", None, "Chapter Three. The song and I."),
    (None, "THE ORIGIN OF MUSIC", None, "The origin of music."),
    (None, "What Pragmatism Means", None, "What Pragmatism Means."),
    ("Book 12", "Is it?", None, "Book Twelve. Is it?"),
])
def test_headings_in_words(label, title, unit, spoken):
    assert spoken_heading(label, title, unit) == spoken


def test_sentence_case_keeps_the_pronoun_and_mixed_case():
    assert sentence_case("I THE ORIGIN OF MUSIC") == "I the origin of music"
    assert sentence_case("WHAT I SAW, I SAID") == "What I saw, I said"
    assert sentence_case("Musician, Critic and Public") == "Musician, Critic and Public"


def test_the_book_unit_is_what_most_labels_say():
    chapters = [Chapter("01", "a", label="LECTURE I")] + [
        Chapter(f"{n:02}", "b", label=numeral) for n, numeral in enumerate(["II", "III"], 2)]
    assert book_unit(chapters) is None  # one in three
    chapters += [Chapter("04", "c", label="Lecture IV"), Chapter("05", "d", label="Lecture V")]
    assert book_unit(chapters) == "Lecture"


def test_spoken_titles_and_credits_are_script_entries_with_the_lexicon():
    body = "A paragraph long enough to be the text of a chapter, and then some more words."
    lexicon = Lexicon({"Deutscher": "Doytcher"})
    text = f"CHAPTER I\n\n{body}\n\n\n\nCHAPTER II. DEUTSCHER AND I\n\n{body}\n"
    book, _ = convert(text, meta={"title": "On Deutscher", "author": "A. Writer"}, )
    assert [c.announce.say for c in book.chapters] == ["Chapter One.", "Chapter Two. Deutscher and I."]
    from narrate.convert import ConvertOptions
    book, _ = convert(text, ConvertOptions(lexicon=lexicon),
                      meta={"title": "On Deutscher", "author": "A. Writer"})
    assert book.chapters[1].announce.say == "Chapter Two. Doytcher and I."
    assert [s.id for s in book.credits] == ["credits", "closing"]
    assert book.credits[0].say == "On Doytcher. Written by A. Writer."
    assert book.credits[1].say == "This is the end of On Doytcher, by A. Writer."
    assert [c.announce.id for c in book.chapters] == ["01.000", "02.000"]


def test_chapters_titled_from_their_opening_words_are_not_announced():
    book, _ = convert("Just some text without any heading at all, read as it is.\n")
    assert book.chapters[0].announce is None


def test_credits_end_each_sentence_once():
    opening, closing = credit_lines(Book("How to Listen, 7th ed.", author="H. K."))
    assert opening == "How to Listen, 7th ed. Written by H. K."
    assert closing == "This is the end of How to Listen, 7th ed, by H. K."
