"""A book in another language: its own espeak-ng voice, no English number words."""

import json

import pytest

from narrate.convert import convert
from narrate.errors import NarrateError
from narrate.render.cast import cast_for_language
from narrate.render.profiles import load_profiles

GERMAN = "Er wurde 1915 geboren und lebte am 3. Mai in Wien, Dr. Weber sagte es.\n"


def test_a_german_book_keeps_english_number_words_out():
    book, _ = convert(GERMAN, meta={"language": "de", "title": "Ein Buch", "author": "A. B."})
    say = book.segments[0].say
    assert "1915" in say and "nineteen" not in say and "Doctor" not in say
    assert book.credits[0].say == "Ein Buch. Geschrieben von A. B."
    english, _ = convert(GERMAN)
    assert "nineteen fifteen" in english.segments[0].say


def test_the_espeak_cast_speaks_the_books_language():
    profiles = load_profiles("espeak")
    cast, warnings = cast_for_language(profiles, "de")
    assert cast["narrator"].voice == "gmw/de" and cast["quote"].voice == "gmw/de+f2"
    assert warnings == []
    assert cast_for_language(profiles, "en-GB")[0] is profiles
    with pytest.raises(NarrateError, match="language 'xx': espeak-ng has no voice"):
        cast_for_language(profiles, "xx")


@pytest.mark.parametrize("name", ["natural", "neural"])
def test_an_english_only_cast_hands_another_language_to_espeak_and_says_so(name):
    cast, warnings = cast_for_language(load_profiles(name), "fr")
    assert {p.engine for p in cast.values()} == {"pyttsx3"}
    assert cast["narrator"].voice == "roa/fr" and cast["quote"].voice == "roa/fr+f2"
    assert warnings == [("this book's language is 'fr', which the narrator, note, quote voices' "
                        "engine does not speak: the espeak cast reads them")]
    with pytest.raises(NarrateError, match="language 'xx': espeak-ng has no voice"):
        cast_for_language(load_profiles(name), "xx")


@pytest.mark.e2e
def test_a_german_book_is_built_with_the_german_voice(tmp_path):
    from narrate import build

    source = tmp_path / "buch.txt"
    source.write_text(GERMAN, encoding="utf-8")
    (tmp_path / "buch.yaml").write_text("title: Ein Buch\nauthor: A. B.\nlanguage: de\n")
    result = build(source, cache=tmp_path / "c", out=tmp_path / "out", progress=False)
    manifest = json.loads((result.folder / "manifest.json").read_text())
    voices = json.dumps(manifest["voices"])
    assert "gmw/de" in voices and "gmw/en" not in voices
