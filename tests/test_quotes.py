"""Who speaks: quotations of eight words or more get the quote voice."""

from narrate.convert import convert


def voices(text, **meta):
    book, problems = convert(text)
    return [(s.role, s.text) for s in book.segments], [p.code for p in problems]


LONG = "this is a quotation of well over eight words in length"


def test_long_inline_quote_gets_quote_voice_short_one_does_not():
    runs, _ = voices(f"He said “{LONG}” and left. She was “the pen” of the party.")
    assert runs == [("narrator", "He said"), ("quote", f"“{LONG}”"),
                    ("narrator", "and left. She was “the pen” of the party.")]


def test_whole_paragraph_quote_is_quote_voice_even_when_short():
    runs, _ = voices("“Bloody Sunday.”\n\nThen it began.")
    assert runs[0] == ("quote", "“Bloody Sunday.”")


def test_straight_double_quotes():
    runs, _ = voices(f'He said "{LONG}" and left.')
    assert [v for v, _ in runs] == ["narrator", "quote", "narrator"]


def test_single_quotes_and_apostrophes_are_told_apart():
    text = (f"Trotsky’s workers’ union, ’tis said, began in the ’sixties and '60s. "
            f"Lenin declared: ‘{LONG}.’ Then rock ’n’ roll.")
    runs, problems = voices(text)
    assert [v for v, _ in runs] == ["narrator", "quote", "narrator"]
    assert runs[1][1] == f"‘{LONG}.’"
    assert problems == ["quote-convention"]  # only single marks open quotations here


def test_nested_single_inside_double_stays_quote():
    runs, problems = voices(f"He wrote “{LONG}, ‘a nested one’ and more words” today.")
    assert runs[1] == ("quote", f"“{LONG}, ‘a nested one’ and more words”")
    assert problems == []


def test_quote_closed_with_the_other_mark_at_paragraph_end():
    runs, problems = voices(f"“…{LONG} (34, 35)…’\n\nNarration follows here.")
    assert runs[0][0] == "quote" and runs[1] == ("narrator", "Narration follows here.")
    assert "quote-mismatch" in problems


def test_quote_running_over_paragraphs_closes_in_the_last():
    text = (f"Intro line.\n\n“{LONG}…\n\nStill quoted words go on here…\n\n"
            f"And the end of it (18, 19, Harman)…”\n\nNarrator again.")
    runs, problems = voices(text)
    assert [v for v, _ in runs] == ["narrator", "quote", "quote", "quote", "narrator"]
    assert "quote-run-on" in problems and "quote-stray-close" not in problems


def test_unclosed_quote_never_swallows_the_next_paragraph():
    text = f"“{LONG} and it never closes.\n\n“A new quote opens here and goes on and on and on.”\n\nPlain."
    runs, _problems = voices(text)
    assert [v for v, _ in runs] == ["quote", "quote", "narrator"]


def test_unclosed_quote_is_reported_and_ends_with_its_paragraph():
    paragraphs = [f"“{LONG} never closed."] + ["A plain paragraph of narration."] * 8
    runs, problems = voices("\n\n".join(paragraphs))
    assert [v for v, _ in runs] == ["quote"] + ["narrator"] * 8
    assert "quote-unclosed" in problems


def test_quote_at_the_end_of_a_truncated_text_runs_to_the_end():
    runs, problems = voices(f"Start.\n\n“{LONG}…\n\nThe party should beware\n\n…on 4 January he wrote that")
    assert [v for v, _ in runs] == ["narrator", "quote", "quote", "quote"]
    assert "quote-truncated" in problems and "ends-mid-sentence" in problems


def test_quote_min_words_is_configurable():
    from narrate.convert import ConvertOptions
    book, _ = convert("He said “one two three four” and left.", ConvertOptions(quote_min_words=3))
    assert [s.role for s in book.segments] == ["narrator", "quote", "narrator"]


def test_markdown_blockquote_is_quote_voice():
    from narrate.convert import ConvertOptions
    book, _ = convert("Intro.\n\n> Short.\n", ConvertOptions(markdown=True))
    assert [s.role for s in book.segments] == ["narrator", "quote"]


def test_leading_apostrophe_elisions_never_open_a_quotation():
    """'cello, 'ansom, 'gainst: no quote voice, and never spread into the next paragraph."""
    text = ("The 'cello sang while the 'ansom cab waited, four horses 'gainst the wind.\n\n"
            "He walked on through the long evening, and nothing else was said of it.\n\n"
            "The night fell and the town slept under the rain of the early winter.\n\n"
            f"Then she said “{LONG}” and left.")
    runs, problems = voices(text)
    assert [v for v, _ in runs] == ["narrator", "narrator", "narrator", "narrator", "quote",
                                    "narrator"]
    assert "quote-unclosed" not in problems


def test_an_unknown_elision_before_a_lowercase_word_is_an_apostrophe():
    runs, _ = voices("The boys went to the 'varsity match, and then home for tea and cake.")
    assert [v for v, _ in runs] == ["narrator"]


def test_british_single_quotes_run_over_paragraphs():
    text = (f"She began: ‘{LONG},\n\nand it went on for a second paragraph of words.’\n\n"
            f"He replied: ‘{LONG}.’ And ‘{LONG}.’")
    runs, problems = voices(text)
    assert runs[1] == ("quote", f"‘{LONG},")
    assert runs[2] == ("quote", "and it went on for a second paragraph of words.’")
    assert "quote-convention" in problems and "quote-run-on" in problems


def test_in_a_double_quoted_book_an_open_single_quote_stays_in_its_paragraph():
    text = (f"He said “{LONG}” twice. “{LONG}.”\n\nThen the ‘Old Guard of the party, never "
            "closed here.\n\nA new paragraph of plain narration follows after that one.")
    runs, _ = voices(text)
    assert runs[-1] == ("narrator", "A new paragraph of plain narration follows after that one.")
