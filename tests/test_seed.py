"""The seed essay: four chapters, quotations in the quote voice, scare quotes not."""

import re

from conftest import SEED

from narrate.convert import words
from narrate.read import read_document
from narrate.read.document import PROSE
from narrate.read.files import read_source


def test_four_chapters_with_metadata_titles(seed_book):
    book, _ = seed_book
    assert len(book.chapters) == 4
    assert [c.title_source for c in book.chapters] == ["metadata"] * 4
    assert book.title == "The Prophet" and book.author
    assert not book.narrator  # the metadata leaves it to the narrator's voice profile


def test_no_word_is_lost_or_duplicated(seed_book):
    book, _ = seed_book
    document = read_document(SEED)
    prose = " ".join(b.text for b in document.blocks if b.kind in PROSE)
    assert words(" ".join(s.text for s in book.segments)) == words(prose)
    # the reader's only unread block is the web page's "Show more"
    assert [b.text for b in document.blocks if b.kind not in PROSE] == ["Show more"]
    assert words(prose) + ["Show", "more"] == words(read_source(SEED).text)


def _independent_long_quotes(text):
    """Balanced “…” pairs inside one paragraph, found without the converter."""
    for paragraph in text.split("\n"):
        for match in re.finditer(r"“([^“”]*)”", paragraph):
            inner = re.sub(r"\([^()]*\d[^()]*\)", " ", match.group(1))
            if len(words(inner)) >= 8:
                yield paragraph, match.group(0)


def test_every_long_quotation_is_in_the_quote_voice(seed_book):
    book, _ = seed_book
    quoted_words = " ".join(" ".join(words(s.text)) for s in book.segments if s.role == "quote")
    found = list(_independent_long_quotes(read_source(SEED).text))
    assert len(found) > 60
    for _, quote in found:
        assert " ".join(words(quote)) in quoted_words, quote[:60]


def test_scare_quotes_and_titles_stay_with_the_narrator(seed_book):
    book, _ = seed_book
    for phrase in ["“the pen”", "“vanguard”", "“Permanent Revolution”", "“Fascism”",
                   "“stages”", "‘pale’", "‘Trotsky’"]:
        holders = [s for s in book.segments if phrase in s.text]
        assert holders, phrase
        assert all(s.role == "narrator" for s in holders), phrase


def test_lint_lists_the_malformed_quotes(seed_book):
    _, problems = seed_book
    codes = [(p.code, p.chapter, p.paragraph) for p in problems if hasattr(p, "code")]
    mismatches = [c for c in codes if c[0] == "quote-mismatch"]
    assert len(mismatches) == 4
    assert ("quote-truncated", 4, 35) in codes
    assert sum(1 for c in codes if c[0] == "quote-run-on") == 4
    assert any(c[0] == "ends-mid-sentence" for c in codes)
    assert any(p.code == "not-read" and p.words == "Show more" for p in problems)


def test_show_more_junk_is_not_spoken(seed_book):
    book, _ = seed_book
    assert "Show more" not in book.segments[-1].text
