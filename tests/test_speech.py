"""What the narrator says: citations out, numbers and abbreviations spelled, pauses."""

import random
import re

import pytest

from narrate.convert import ConvertOptions, convert
from narrate.convert.speech import Lexicon, speak_citation, to_say


@pytest.mark.parametrize("citation", [
    "(15)", "(21, 22)", "(p. 135, 36)", "(p. 161-63)", "(18, 19, Harman)",
    "(440, footnote 1)", "(Engels, The Peasant War in Germany, p. 135, 36)",
])
def test_citations_at_quote_ends_are_kept_out_of_speech(citation):
    text = f"He wrote: “the crowd was raging and the words go on at length {citation}…”"
    book, _ = convert(text)
    quote = book.segments[-1]
    assert quote.role == "quote"
    assert quote.citation == citation
    assert citation not in quote.say and "(" not in quote.say
    assert quote.say.endswith("at length")


def test_citation_in_short_quote_is_also_dropped():
    book, _ = convert("He was “a sort of library (p. 9)…” then.")
    assert book.segments[0].citation == "(p. 9)"
    assert "page" not in book.segments[0].say and "nine" not in book.segments[0].say


def test_parenthetical_asides_are_not_citations():
    book, _ = convert("Lev (or Leon) Bronstein and the (Dilemma 1: Isolation.) text.")
    assert book.segments[0].citation is None
    assert "or Leon" in book.segments[0].say


def test_citations_can_be_spoken():
    assert speak_citation("(p. 135, 36)") == "pages one hundred thirty-five, thirty-six"
    assert speak_citation("(15)") == "page fifteen"
    book, _ = convert("“a quote of many words that is surely long enough here (15)…”",
                      ConvertOptions(speak_citations=True))
    assert book.segments[0].say.endswith("page fifteen")


@pytest.mark.parametrize("text, said", [
    ("On October 26, 1879, Lev was born.", "On October twenty-sixth, eighteen seventy-nine, Lev was born."),
    ("It was 3 July.", "It was the third of July."),
    ("He spoke on October 15th.", "He spoke on October fifteenth."),
    ("on 4 January 1923 he wrote", "on the fourth of January, nineteen twenty-three he wrote"),
    ("The years 1918-1919 saw it.", "The years nineteen eighteen to nineteen nineteen saw it."),
    ("Held 24-25 October.", "Held the twenty-fourth to the twenty-fifth of October."),
    ("A strike of 30,000 workers.", "A strike of thirty thousand workers."),
    ("It cost 2.5 million deaths.", "It cost two point five million deaths."),
    ("In 1905 the first revolution.", "In nineteen oh-five the first revolution."),
    ("The 1860s were hard.", "The eighteen sixties were hard."),
    ("Nicholas II ruled; World War II came.", "Nicholas the Second ruled; World War two came."),
    ("Malcolm X and I went.", "Malcolm X and I went."),
    ("the 21st century", "the twenty-first century"),
    ("a 5% rise and $300", "a five percent rise and three hundred dollars"),
    ("Stages (e.g. feudal) and i.e. Marxist.", "Stages, for example feudal, and that is Marxist."),
    ("Mr. Smith met Dr. Jones on St. Peter's day.", "Mister Smith met Doctor Jones on Saint Peter's day."),
    ("See p. 135 and pp. 20-24.", "See page one hundred thirty-five and pages twenty to twenty-four."),
    ("A number 1234567890123456789012345678901234567890 here.",
     "A number " + " ".join(["one", "two", "three", "four", "five", "six", "seven", "eight",
                             "nine", "zero"] * 4) + " here."),
    ("the U.S.S.R. fell", "the U S S R fell"),
])
def test_numbers_dates_and_abbreviations(text, said):
    assert to_say(text) == said


@pytest.mark.parametrize("text, said", [
    ("“…The cottage was built…During his childhood…”", "The cottage was built. During his childhood"),
    ("wait… and then", "wait … and then"),  # inside a clause: a pause, not a comma
    ("Wait... Then", "Wait. Then"),
    ("Trotsky – having escaped – arrived", "Trotsky, having escaped, arrived"),
    ("the man-of-many-lives", "the man-of-many-lives"),
    ("a\u00a0non-breaking   space", "a non-breaking space"),
    ("Trotsky’s and workers’ rights", "Trotsky's and workers rights"),
    ("**bold** and [a link](http://x.org) and `code`", "bold and a link and code"),
])
def test_pauses_marks_and_spaces(text, said):
    assert to_say(text) == said


def test_lexicon_is_whole_word_and_case_aware():
    lexicon = Lexicon({"Deutscher": "Doytcher", "tsar": "zar", "US": "you ess"})
    assert lexicon.apply("Deutscher’s book; Deutschers.") == "Doytcher’s book; Deutschers."
    assert lexicon.apply("The Tsar and the tsar") == "The Zar and the zar"
    assert lexicon.apply("US and us") == "you ess and us"


def test_seed_lexicon_covers_the_hard_names(seed_book):
    from narrate.metadata import load_lexicon
    lexicon = load_lexicon(None)
    for name in ["Menshiviks", "Sokolovskaya", "Shvigovsky", "Nikolayev", "Deutscher",
                 "Zimmerwald", "Nashe Slovo"]:
        assert name in lexicon.entries
        assert lexicon.apply(name) != name
    book, _ = seed_book
    assert not any("Menshiviks" in s.say for s in book.segments)
    assert any("Mensheviks" in s.say for s in book.segments)


# the rule as a pattern: it tried every later place for each opening mark (a run of 5,000
# backticks took 8.5 s of a Hear, 20,000 over 300 s); the runs of marks are 1 to 3 long
EMPHASIS_AS_A_PATTERN = re.compile(r"(\*{1,3}|_{1,3}|`{1,3})(?=\S)(.+?)(?<=\S)\1")


def test_emphasis_marks_come_out_as_the_pattern_took_them_out():
    from narrate.convert.speech import emphasis_out

    chance = random.Random(37)
    for _ in range(5000):
        text = "".join(chance.choice("**__``  ab\n.") for _ in range(chance.randrange(1, 30)))
        assert emphasis_out(text) == EMPHASIS_AS_A_PATTERN.sub(r"\2", text), repr(text)
    assert emphasis_out("It was **very** _quiet_ and `ls -la` said ***so***.") == \
        "It was very quiet and ls -la said so."


@pytest.mark.parametrize("hostile, left", [
    ("`" * 20_000, "`" * 2_858),  # ``` ` ``` said as `, seven marks at a time
    ("*a " * 7_000, "*a " * 7_000), ("_a " * 7_000, "_a " * 7_000)])  # no mark closes one
def test_runs_of_emphasis_marks_are_taken_out_in_one_pass(hostile, left):
    """Each took seconds to minutes as a pattern (the backticks: over 300 s)."""
    from narrate.convert.speech import emphasis_out

    assert emphasis_out(hostile) == left
    assert to_say(hostile + " **and** on.").endswith("and on.")
