"""Hard text a narrator must say right: each case reads the `say` the converter makes."""

import pytest

from narrate.convert import convert
from narrate.convert.speech import to_say


@pytest.mark.parametrize("text, said", [
    # currency with a magnitude, multipliers
    ("It cost £4m in all.", "It cost four million pounds in all."),
    ("A $1.2bn deal.", "A one point two billion dollars deal."),
    ("Only €5 each.", "Only five euros each."),
    ("It is 1.5x faster.", "It is one point five times faster."),
    ("A 10x gain.", "A ten times gain."),
    # units and degrees, fractions
    ("It was 25°C outside.", "It was twenty-five degrees Celsius outside."),
    ("Turn 90° left.", "Turn ninety degrees left."),
    ("A board 60 cm long.", "A board sixty centimeters long."),
    ("It weighs 5 kg.", "It weighs five kilograms."),
    ("Add 3/4 cup of flour.", "Add three quarters of a cup of flour."),
    ("Use ½ of it.", "Use one half of it."),
    ("A 2 km walk.", "A two kilometer walk."),
    # times
    ("Meet at 12:00.", "Meet at twelve o'clock."),
    ("Leave at 9:30 a.m. sharp.", "Leave at nine thirty A M sharp."),
    ("At 12:05 it rang.", "At twelve oh five it rang."),
    # ordinals with separators
    ("The 100,000th visitor.", "The one hundred thousandth visitor."),
    # alphanumerics
    ("An MP3 file.", "An M P three file."),
    ("A 3D film.", "A three D film."),
    ("PCRE2 syntax.", "P C R E two syntax."),
    ("On x86-64 chips.", "On x eighty-six sixty-four chips."),
    ("A 4K screen.", "A four K screen."),
    # not ranges: phone numbers, ISBNs, versions
    ("Call 555-1234 now.", "Call five five five, one two three four now."),
    ("ISBN 978-0-14-044913-6.",
     "I S B N nine seven eight, zero, one four, zero four four nine one three, six."),
    ("Version 14.1.1 is out.", "Version fourteen point one point one is out."),
    # symbols
    ("2 + 2 = 4", "two plus two equals four"),
    ("Salt & pepper.", "Salt and pepper."),
    ("It is #1 here.", "It is number one here."),
    ("See § 12.", "See section twelve."),
    ("A 5% fee.", "A five percent fee."),
    # abbreviations
    ("Born c. 1845 in Kent.", "Born circa eighteen forty-five in Kent."),
    ("Built ca. 1200.", "Built circa twelve hundred."),
    ("See vol. 2, ch. 3 and Fig. 4.", "See volume two, chapter three and figure four."),
    ("Others, viz. the rest.", "Others, namely the rest."),
    ("As before (ibid.).", "As before, ibidem."),
    ("Smith, op. cit., said so.", "Smith, in the work cited, said so."),
    ("It was in St. Louis.", "It was in Saint Louis."),
    ("The 7th ed. of it.", "The seventh edition of it."),
    # year ranges and regnal numerals in lists
    ("In 1852-3 it grew.", "In eighteen fifty-two to fifty-three it grew."),
    ("Louis XIV or XV ruled.", "Louis the Fourteenth or the Fifteenth ruled."),
    ("Henry VIII, Edward VI and Mary.", "Henry the Eighth, Edward the Sixth and Mary."),
])
def test_normalisation(text, said):
    assert to_say(text) == said


@pytest.mark.parametrize("text, said", [
    ("His father was “…illiterate…(a) hard-working farmer…”",
     "His father was illiterate … a hard-working farmer"),
    ("“He had, [a] gift for organization.”", "He had, a gift for organization."),
    ("“[He] began to write.”", "He began to write."),
    ("“The Tsar’s Manifesto…is only a scrap of paper.”",
     "The Tsar's Manifesto … is only a scrap of paper."),
    ("It was [sic] wrong.", "It was wrong."),
    ("Lev (or Leon) Bronstein", "Lev, or Leon, Bronstein"),
])
def test_editorial_marks_and_ellipses_inside_quotations(text, said):
    assert to_say(text) == said


def test_the_lexicon_or_script_overrides_an_ambiguous_case():
    from narrate.convert import ConvertOptions
    from narrate.convert.speech import Lexicon

    book, _ = convert("He works at 3M.", ConvertOptions(lexicon=Lexicon({"3M": "three M"})))
    assert book.segments[0].say == "He works at three M."


def test_a_word_in_parentheses_is_read_without_pauses():
    assert to_say("“The prison was alive…(He) began to write (46)…”") == \
        "The prison was alive … He began to write, forty-six"


@pytest.mark.parametrize("text, said", [
    ("The motive [4 8 4 4 8] returns here.", "The motive returns here."),
    ("It goes (+ - + -) on.", "It goes on."),
    ("Build it with --release today.", "Build it with dash dash release today."),
])
def test_inline_notation_and_flags(text, said):
    assert to_say(text) == said


def test_snake_case_names_are_words_not_emphasis():
    assert to_say("such as an acct_id value, for each acct_id:") == \
        "such as an acct id value, for each acct id"


@pytest.mark.unit
@pytest.mark.parametrize("text, said", [
    # Pragmatism's preface: a list of roman numerals is numbers, not letters
    ("The essays numbered I, V, VI, VII, XVIII and XIX in this volume.",
     "The essays numbered one, five, six, seven, eighteen and nineteen in this volume."),
    ("See chapters II and IV.", "See chapters two and four."),
    ("Parts I or II.", "Parts one or two."),
    # ... and a lone I, or a list of letters only, stays as it is
    ("I went home, V said.", "I went home, V said."),
    ("I, I and I.", "I, I and I."),
    ("Mix and DIV or VI.", "Mix and DIV or VI."),
    ("Henry VIII and Louis XIV or XV.", "Henry the Eighth and Louis the Fourteenth or the Fifteenth."),
    # a French ordinal in an English book ("4me Série" was "four m e Série")
    ("Revue de Métaphysique, 4me Série.", "Revue de Métaphysique, fourth Série."),
    ("The 1er janvier.", "The first janvier."),
    # a number with thousands separators before a unit (a PDF's table: "1,230 km")
    ("It is 1,230 km long.", "It is one thousand two hundred thirty kilometers long."),
])
def test_roman_numerals_in_a_list_and_french_ordinals(text, said):
    assert to_say(text) == said


@pytest.mark.parametrize("text, said", [
    # a section's lettered paragraph: its letter, not a word run into the number
    ("Authority: 49 U.S.C. 106(g), 40113.",
     "Authority: forty-nine U S C one hundred six, g, forty thousand one hundred thirteen."),
    # ranges, in either dash, and their short forms
    ("Read pages 12–15 and 1-100.", "Read pages twelve to fifteen and one to one hundred."),
    ("In 1990–95 and 112–18 it grew.",
     "In nineteen ninety to nineteen ninety-five and one hundred twelve to eighteen it grew."),
    # numbers an en dash joins that are no range: codes, ZIP+4, scores, phone numbers
    ("Items 22–10–01B and 27–41–01 apply.",
     "Items twenty-two, ten, one B and twenty-seven, forty-one, zero one apply."),
    ("FR Doc. 2020–17221 was filed.",
     "FR Doc. two thousand twenty, seventeen thousand two hundred twenty-one was filed."),
    ("Seal Beach, CA 90740–5600.",
     "Seal Beach, CA ninety thousand seven hundred forty, five thousand six hundred."),
    ("They won 6–4.", "They won six, four."),
    ("Call (816) 329–4148 or 562–797–1717.", ("Call eight one six, three two nine, four one "
     "four eight or five six two, seven nine seven, one seven one seven.")),
])
def test_numbers_joined_by_dashes_are_ranges_only_when_they_are_ranges(text, said):
    assert to_say(text) == said


def test_a_long_run_of_numbers_and_dashes_with_no_address_or_file_is_said_in_linear_time():
    # the address and file-name patterns looked at the rest of the run from every word in it
    # (40,000 characters took 20 s; these 100,000 would take two minutes, not one second)
    said = to_say("1-" * 50_000 + "1x")
    assert said.count("one, one") > 24_000
    assert to_say("a-b" * 35_000 + ".").count("a") == 35_000


def test_a_heading_in_capitals_keeps_the_acronyms_the_prose_writes_in_capitals(tmp_path):
    from narrate.convert import convert_document
    from narrate.read import read_document

    source = tmp_path / "tool.md"
    source.write_text("# Export\n\nIT is quick. It writes results as JSON or CSV for you.\n\n"
                      "## JSON\n\nThe JSON output is useful.\n\n## IT AND YOU\n\nMore of it.\n\n"
                      "# PREFACE AND CSV NOTES\n\nIt was written by hand.\n", encoding="utf-8")
    book, _ = convert_document(read_document(source))
    said = [s.say for s in book.spoken]
    assert "JSON." in said  # a section heading: was "Json."
    assert "It and you." in said  # "it" is a word the prose writes in small letters
    assert book.chapters[-1].announce.say == "Preface and CSV notes."
