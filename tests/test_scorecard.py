"""The corpus scorecard on the excerpts: no junk spoken, no prose lost."""


import pytest
from conftest import SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_readers import CORPUS, zip_folder

from narrate.convert import convert_document
from narrate.convert.scorecard import (
    junk_words,
    kept_share,
    prose_words,
    score,
    words_of,
)
from narrate.metadata import load_lexicon
from narrate.plan import load_book
from narrate.read import read_document
from narrate.read.text import read_text


@pytest.fixture(params=["krehbiel-excerpt.txt", "krehbiel-excerpt.html", "pragmatism.epub",
                        "art-of-command-line-excerpt.md", "seed"])
def source(request, tmp_path):
    if request.param == "seed":
        return SEED
    if request.param.endswith(".epub"):
        return zip_folder(CORPUS / "pragmatism-epub", tmp_path / request.param)
    return CORPUS / request.param


def test_no_junk_is_spoken_and_no_prose_is_lost(source):
    problems: list = []
    book = load_book(source, warnings=problems)
    card = score(read_document(source), book, problems, load_lexicon(book.extra.get("lexicon")))
    assert card.junk_share <= 0.005, card.junk
    assert card.prose_kept >= 0.99 and card.worst_chapter_kept >= 0.99


def test_the_junk_detector_finds_what_it_should():
    from narrate.model import Book, Chapter, Section, Segment

    says = ["four eight four four eight eight eight", "see https colon", "Project Gutenberg-tm"]
    texts = ["notes", "see", "a claim.[12] and [Pg 3], impor- tant, pre- and post-war"]
    segments = [Segment(f"01.001.{i}", "narrator", t, s) for i, (t, s) in
                enumerate(zip(texts, says), 1)]
    book = Book("t", chapters=[Chapter("01", "c", sections=[Section("01.001", segments)])])
    assert junk_words(book) == {"notation": 7, "web address": 1, "gutenberg": 1,
                                "note mark": 1, "page number": 1, "broken word": 1}


PROSE = st.lists(st.sampled_from(["The", "music", "of", "Beethoven", "was", "heard", "again,",
                                  "and", "“so", "it", "went”", "(15)", "1896", "Mr.", "Smith",
                                  "—", "…", "\n\n", "\n\n\n", "IV.", "CHAPTER", "e.g.", "30%"]),
                 min_size=1, max_size=80).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PROSE)
def test_property_every_prose_word_is_in_some_say(text):
    document = read_text(text)
    book, _ = convert_document(document)
    says = [w for s in book.spoken for w in words_of(s.say)]
    assert kept_share(prose_words(document), says) >= 0.99
