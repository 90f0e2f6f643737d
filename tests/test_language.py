"""A book in another language: its own espeak-ng voice, no English number words."""

import json
from pathlib import Path

import pytest
import yaml

import narrate
from narrate.convert import ConvertOptions, convert
from narrate.convert.language import asked_language, detect, name_of
from narrate.errors import NarrateError
from narrate.render.cast import cast_for_language
from narrate.render.profiles import load_profiles

GERMAN = "Er wurde 1915 geboren und lebte am 3. Mai in Wien, Dr. Weber sagte es.\n"


def test_a_german_book_keeps_english_number_words_out():
    book, _ = convert(GERMAN, meta={"language": "de", "title": "Ein Buch", "author": "A. B."})
    say = book.segments[0].say
    assert "1915" in say and "nineteen" not in say and "Doctor" not in say
    assert book.credits[0].say == "Ein Buch. Geschrieben von A. B."
    english, _ = convert(GERMAN, ConvertOptions(language="en"))  # asked: over the text's
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
    assert warnings == [("this book's language is French (fr), which the narrator, note, quote "
                         "voices' engine does not speak: the espeak cast reads them")]
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


# ---- a book that does not say its language (issue 42) --------------------------------------

OPENINGS = yaml.safe_load((Path(__file__).parent / "fixtures" / "languages" /
                           "openings.yaml").read_text(encoding="utf-8"))


def _opening(code: str) -> dict:
    return next(o for o in OPENINGS if o["language"] == code)


@pytest.mark.unit
def test_the_openings_are_paragraphs_of_fifty_words_in_ten_languages():
    assert len({o["language"] for o in OPENINGS}) == 10
    for opening in OPENINGS:  # a Chinese word is a character or two: two characters a word
        count = len(opening["text"]) // 2 if opening["language"] == "zh" else \
            len(opening["text"].split())
        assert count >= 50, opening["title"]


@pytest.mark.unit
@pytest.mark.parametrize("opening", OPENINGS, ids=lambda o: o["language"])
def test_the_language_of_a_paragraph_is_found(opening):
    found = detect(opening["text"])
    assert found.code == opening["language"] and found.usable
    book, problems = convert(opening["text"] + "\n")
    assert book.language == opening["language"]
    said = [p.message for p in problems if p.code == "language"]
    if opening["language"] == "en":  # as ever: nothing to say
        assert said == []
    else:
        assert len(said) == 1 and name_of(opening["language"]) in said[0] and "% sure" in said[0]


@pytest.mark.unit
def test_a_declared_language_wins_and_an_asked_one_wins_over_both():
    german = _opening("de")["text"] + "\n"
    assert convert(german, meta={"language": "en"})[0].language == "en"
    assert convert(german, ConvertOptions(language="fr"), meta={"language": "en"})[0].language \
        == "fr"
    book, problems = convert(german, meta={"language": "de"})
    assert book.language == "de" and not [p for p in problems if p.code == "language"]
    assert asked_language("French") == "fr" and asked_language("pt-BR") == "pt-BR"
    with pytest.raises(NarrateError, match="is not a language"):
        asked_language("Klingon")


@pytest.mark.unit
def test_a_short_or_wordless_text_stays_english_and_says_nothing():
    for text in ("Hello there.\n", "1 2 3\n", "Bonjour.\n"):
        book, problems = convert(text)
        assert book.language == "en" and not [p for p in problems if p.code == "language"]


@pytest.mark.unit
def test_the_unpacked_model_answers_as_the_packed_one(tmp_path, monkeypatch):
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    from narrate.convert import language

    monkeypatch.setenv("NARRATE_CACHE", str(tmp_path))
    language._identifier.cache_clear()
    try:
        mapped = language._identifier()
        assert list((tmp_path / "language").rglob("*.npy"))  # unpacked once, kept
        packed = LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE, norm_probs=True)
        for opening in OPENINGS:
            assert mapped.rank(opening["text"])[:3] == packed.rank(opening["text"])[:3]
    finally:
        language._identifier.cache_clear()


@pytest.mark.e2e
@pytest.mark.parametrize("code, voice", [("fr", "roa/fr"), ("de", "gmw/de")])
def test_a_plain_text_in_french_or_german_is_built_with_a_voice_that_speaks_it(
        tmp_path, monkeypatch, code, voice):
    """The natural cast, as a new user has it, chooses; espeak-ng renders."""
    from click.testing import CliRunner

    from narrate.cli import cli

    monkeypatch.setenv("NARRATE_VOICES", "natural")
    opening = _opening(code)
    source = tmp_path / f"{code}.txt"
    source.write_text(opening["text"] + "\n", encoding="utf-8")
    ran = CliRunner().invoke(cli, ["build", str(source), "--out", str(tmp_path / "out"),
                                   "--cache", str(tmp_path / "c")])
    assert ran.exit_code == 0, ran.output
    lines = [line for line in ran.stderr.splitlines() if name_of(code) in line]
    assert any("the text reads as" in line for line in lines)
    assert sum("the espeak cast reads them" in line for line in lines) == 1
    manifest = json.loads((tmp_path / "out" / code / "manifest.json").read_text())
    assert {v["voice"].split("+")[0] for v in manifest["voices"].values()} == {voice}
    assert narrate.check(tmp_path / "out" / code).passed
