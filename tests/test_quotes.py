"""Who speaks: quotations of eight words or more get the quote voice."""

from narrate.script import convert


def voices(text, **meta):
    book, problems = convert(text)
    return [(s.voice, s.text) for s in book.segments], [p.code for p in problems]


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
    assert problems == []


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
    runs, problems = voices(text)
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
    from narrate.script import ConvertOptions
    book, _ = convert("He said “one two three four” and left.", ConvertOptions(quote_min_words=3))
    assert [s.voice for s in book.segments] == ["narrator", "quote", "narrator"]


def test_markdown_blockquote_is_quote_voice():
    from narrate.script import ConvertOptions
    book, _ = convert("Intro.\n\n> Short.\n", ConvertOptions(markdown=True))
    assert [s.voice for s in book.segments] == ["narrator", "quote"]
