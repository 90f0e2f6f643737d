"""`narrate words --fix`: ways to say a misheard word (narrate/candidates.py), what the
listener heard as the word (narrate/fixwords.py), the kept way written to the book's own
lexicon with its evidence, never over a person's entry."""

import pytest
import yaml
from test_reliability import one_line_error, run

from narrate.candidates import (
    MAX_CANDIDATES,
    candidates,
    espeak_phonemes,
    respelled,
    stressed,
    to_misaki,
)
from narrate.fixwords import Fix, fix_words, heard_as, heard_at, rest_edits, write_fixes
from narrate.metadata import load_lexicon
from narrate.model import Book
from narrate.render.engines.hibari import mark_phonemes


@pytest.mark.unit
def test_candidates_are_bounded_deterministic_and_in_the_engines_alphabet():
    ways = candidates("Kamenev")
    assert ways == candidates("Kamenev")  # the same word, the same ways, in one order
    assert 2 <= len(ways) <= MAX_CANDIDATES and len({w.phonemes for w in ways}) == len(ways)
    assert ways[0].how == "espeak-ng" and ways[0].phonemes == to_misaki("kˈeɪmnɛv")
    for way in ways:  # hibari takes each (an unknown phoneme is refused)
        assert mark_phonemes("Kamenev", way.phonemes).startswith("[Kamenev](/")
        assert way.phonemes.count("ˈ") == 1
    said = [w.respelling for w in candidates("Kamenev", phonemes=False)]
    assert said == ["Kah-meh-nehv", "Ka-meh-nehv"]  # one of each
    assert candidates("x" * 41) == [] and candidates("12:30") == []


@pytest.mark.unit
def test_stress_goes_before_the_vowel_of_the_syllable_asked():
    assert stressed("kɑmɛnɛv", 2) == "kɑmˈɛnɛv"
    assert stressed("kˈAmnɛv", None) == "kˈAmnɛv"
    assert stressed("ˈkAmnɛv", None) == "kˈAmnɛv"  # misaki marks the vowel, espeak the syllable
    assert respelled("kɑmˈɛnɛv", "Kamenev") == "Kah-meh-nehv"
    assert to_misaki("ɹˈoʊbspɪˌɛɹ") == "ɹˈObspɪˌɛɹ"


@pytest.mark.unit
def test_espeak_phonemes_one_call_for_many_words_each_its_own():
    assert espeak_phonemes(["Kamenev", "", "Iskra"]) == [
        espeak_phonemes(["Kamenev"])[0], "", espeak_phonemes(["Iskra"])[0]]
    assert espeak_phonemes(["Iskra"])[0] == "ˈɪskɹə"


@pytest.mark.unit
def test_heard_as_the_word_is_near_in_letters_or_in_sound_not_only_equal():
    assert heard_as("Robespierre", "its leader, Robes Pierre.") == "robespierre"  # two words
    assert heard_as("Iskra", "newspaper Iscra, The Spark") == "iscra"  # a listener's spelling
    assert heard_as("Zinóviev", "Zinoviev and") == "zinoviev"  # accents aside
    assert heard_as("Kamenev", "Zenoviev and Kanev, had") is None  # a syllable lost
    assert heard_as("Robespierre", "to its leader, Rhodesbyer.") is None
    assert heard_as("Bronsteins", "The bronze dines were Jews") is None
    assert heard_at("Zinoviev and Kamenev, had opposed him.", "Kamenev",
                    "Zenoviev and Kanev, had opposed him.") == "kanev"


@pytest.mark.unit
def test_a_kept_way_goes_into_the_books_lexicon_with_its_evidence_never_over_a_persons(
        tmp_path):
    folder = tmp_path / "out" / "a"
    folder.mkdir(parents=True)
    mine = folder / "lexicon.yaml"
    mine.write_text("# mine\nKamenev: Kah-MEN-yev\n")
    way = candidates("Robespierre")[0]
    fixes = [Fix("Robespierre", "its leader, Robespierre.", "its leader, ropes beer.", way,
                 "robespierre", 1),
             Fix("Kamenev", "and Kamenev, had", "and Kanev, had", candidates("Kamenev")[0],
                 "kamenev", 1),
             Fix("Iskra", "paper Iskra, The", "paper Iscra, The", None, "", 6)]
    written = write_fixes(fixes, Book("a"), folder, None, "hibari")
    assert written[0].written == str(mine)
    assert written[1].written.startswith("not written: already respells 'Kamenev'")
    assert written[2].written == ""
    text = mine.read_text()
    assert text.startswith("# mine\nKamenev: Kah-MEN-yev\n")  # the person's entry as it was
    assert f'Robespierre: {{hibari: {way.phonemes}}}  # heard as "robespierre" (was "ropes ' \
           'beer")' in text
    lexicon = load_lexicon(mine)
    assert lexicon.entries == {"Kamenev": "Kah-MEN-yev"}
    assert lexicon.phonemes["hibari"]["Robespierre"][0] == way.phonemes
    assert yaml.safe_load(text)["Robespierre"] == {"hibari": way.phonemes}


VERA = "Three of them, Vera Zasulich, Axelrod and Plekhanov, had met in Geneva that year."


@pytest.mark.unit
def test_a_way_is_kept_only_when_no_other_word_of_its_sentence_is_heard_worse():
    from narrate.fixwords import _kept

    sentence = "They met in the Bronsteins house that winter."
    fix = Fix("Bronsteins", sentence, "They met in the bronze stains house that winter.")
    ways = candidates("Bronsteins")[:3]
    heard = {0: "They met in the Bronsteins house at winter.",  # the word, another worse
             1: "They met in the Bronsteins house that winter.",
             2: "They met in the Bronsteins house that winter."}
    kept = _kept(fix, ways, [0, 1, 2], heard)
    assert kept.kept == ways[1] and kept.heard_as == "bronsteins" and kept.tried == 2
    assert rest_edits(sentence, "Bronsteins", heard[0]) == 1  # "at"
    assert rest_edits(sentence, "Bronsteins", fix.heard_before) == 0  # "bronze stains" its own
    none = _kept(fix, ways, [0], {0: heard[0]})
    assert none.kept is None and none.tried == 1


@pytest.mark.unit
def test_a_word_is_judged_and_each_way_said_in_its_whole_sentence(monkeypatch):
    """Vera on the seed: misheard in a few words, heard right in its sentence (as the book
    is heard) — never changed; a misheard word's ways are said in the whole sentence."""
    from narrate import fixwords
    from narrate.pronounce import UnknownWord
    from narrate.render.profiles import VoiceProfile

    said: list[str] = []

    def hear(lines, *_args):  # the listener: only the whole sentence is heard right
        said.extend(lines.values())
        return {k: (v if v.startswith("Three") else "very sassoulich") for k, v in lines.items()}

    monkeypatch.setattr(fixwords, "hear_lines", hear)
    profile = VoiceProfile("narrator", engine="hibari")
    words = [UnknownWord("Vera", 1, "s1", VERA), UnknownWord("Zasulich", 1, "s1", VERA)]
    assert fix_words(words, profile, None) == []
    assert said == [VERA]  # heard once for both its names
    said.clear()

    def misheard(lines, *_args):
        said.extend(lines.values())
        return {k: v.replace("Plekhanov", "played cannon") for k, v in lines.items()}

    monkeypatch.setattr(fixwords, "hear_lines", misheard)
    fixes = fix_words([UnknownWord("Plekhanov", 1, "s1", VERA)], profile, None)
    assert [f.word for f in fixes] == ["Plekhanov"] and fixes[0].said == VERA
    assert fixes[0].kept is None and fixes[0].tried == len(candidates("Plekhanov"))
    assert all(line.startswith("Three of them, Vera") and line.endswith("that year.")
               for line in said) and len(said) == 1 + fixes[0].tried


@pytest.mark.e2e
def test_dry_run_needs_fix_and_fix_needs_an_engine_that_knows_its_words(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("Kamenev spoke.\n")
    one_line_error(run("words", source, "--fix", "--voices", "espeak"),
                   "cannot say which words it knows",
                   "--voices natural")
    one_line_error(run("words", source, "--dry-run"), "--dry-run", "--fix")


@pytest.mark.slow
def test_fix_keeps_the_way_the_listener_hears_as_the_word_and_dry_run_writes_nothing(
        tmp_path):
    pytest.importorskip("faster_whisper", reason="the asr extra (scripts/test installs it)")
    from narrate.fixwords import fix_book

    source = tmp_path / "a.txt"
    source.write_text("They met in the Bronsteins house.\n\n"
                      "That role would later be assumed by Stalin.\n")
    out = tmp_path / "out"
    args = {"voices": "natural", "out": out, "cache": tmp_path / "c", "jobs": 2}
    proposed = fix_book(source, dry_run=True, **args)
    assert not out.exists()  # a dry run writes nothing
    assert [f.word for f in proposed] == ["Bronsteins"]  # Stalin is heard right: untouched
    fix = proposed[0]
    assert fix.kept is not None and heard_as("Bronsteins", fix.heard_as) is not None
    assert heard_as("Bronsteins", fix.heard_before) is None

    kept = fix_book(source, **args)
    assert [(f.word, f.kept) for f in kept] == [(f.word, f.kept) for f in proposed]  # the same
    lexicon = out / "a" / "lexicon.yaml"
    assert kept[0].written == str(lexicon)
    assert load_lexicon(lexicon).phonemes["hibari"]["Bronsteins"][0] == fix.kept.phonemes
    assert f'# heard as "{fix.heard_as}"' in lexicon.read_text()
    from narrate.plan import load_book, spoken_with

    spoken = spoken_with(load_book(source), None, out)  # what the next build speaks with
    assert spoken.phonemes["hibari"]["Bronsteins"][0] == fix.kept.phonemes


@pytest.mark.unit
def test_a_way_is_said_in_place_of_the_whole_word_not_inside_another():
    from narrate.candidates import Candidate
    from narrate.fixwords import _said_so

    way = Candidate("syllables, stress 1", respelling="Lay-on")
    assert _said_so("Leonid met Leon there", "Leon", way, None) == "Leonid met Lay-on there"
    marked = _said_so("Leonid met Leon", "Leon", Candidate("espeak-ng", "lˈiɑn"), mark_phonemes)
    assert marked == "Leonid met [Leon](/lˈiɑn/)"
    twice = _said_so("Leon met Leon", "Leon", way, None)  # everywhere, as its entry will be
    assert twice == "Lay-on met Lay-on"
