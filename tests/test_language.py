"""A book in another language: its own espeak-ng voice, no English number words."""

import json

import pytest

from narrate.convert import convert
from narrate.errors import NarrateError
from narrate.render import cast_for_language
from narrate.render.profiles import load_profiles

GERMAN = "Er wurde 1915 geboren und lebte am 3. Mai in Wien, Dr. Weber sagte es.\n"


def test_a_german_book_keeps_english_number_words_out():
    book, _ = convert(GERMAN, meta={"language": "de", "title": "Ein Buch", "author": "A. B."})
    say = book.segments[0].say
    assert "1915" in say and "nineteen" not in say and "Doctor" not in say
    assert book.credits[0].say == "Ein Buch. Geschrieben von A. B."
    english, _ = convert(GERMAN)
    assert "nineteen fifteen" in english.segments[0].say


def test_the_default_cast_speaks_the_books_language():
    profiles = load_profiles(None)
    cast, warnings = cast_for_language(profiles, "de")
    assert cast["narrator"].voice == "gmw/de" and cast["quote"].voice == "gmw/de+f2"
    assert warnings == []
    assert cast_for_language(profiles, "en-GB")[0] is profiles
    with pytest.raises(NarrateError, match="language 'xx': espeak-ng has no voice"):
        cast_for_language(profiles, "xx")


def test_the_neural_cast_stays_english_and_says_so():
    from pathlib import Path

    neural = load_profiles(Path(__file__).parent.parent / "voices" / "neural")
    cast, warnings = cast_for_language(neural, "fr")
    assert cast["narrator"].engine == "piper" and cast["narrator"].voice == "en_US-joe-medium"
    assert any("speaks English only" in w for w in warnings)


@pytest.mark.e2e
def test_a_german_book_is_built_with_the_german_voice(tmp_path):
    from narrate.pipeline import build

    source = tmp_path / "buch.txt"
    source.write_text(GERMAN, encoding="utf-8")
    (tmp_path / "buch.yaml").write_text("title: Ein Buch\nauthor: A. B.\nlanguage: de\n")
    result = build(source, cache_dir=tmp_path / "c", out_root=tmp_path / "out", progress=False)
    manifest = json.loads((result.folder / "manifest.json").read_text())
    voices = json.dumps(manifest["voices"])
    assert "gmw/de" in voices and "gmw/en" not in voices
