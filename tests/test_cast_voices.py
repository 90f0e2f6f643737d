"""A voice for each of the book's people (narrate.render.voicing): chosen from the cast's
engine, kept apart within a conversation and from the narrator, or as a user writes it
under `characters:`; in each of their lines' cache keys.

Passages: Jane Austen, *Pride and Prejudice* (1813), chapter I, and Lewis Carroll,
*Alice's Adventures in Wonderland* (1865), chapter VII (Project Gutenberg, public domain),
as tests/test_speakers.py has them.
"""

import pytest
import test_speakers

from narrate.plan import book_profiles
from narrate.render import book_items, item_keys
from narrate.render.voicing import APART, NARRATOR_APART, Spec, apart, conversations, parse_spec

pytestmark = pytest.mark.unit
novel = test_speakers.novel  # the fixture: a novel's source and its script


def voiced(book, cast="espeak"):
    """(profiles, the render items, their cache keys) of `book` in `cast`."""
    profiles = book_profiles(book, cast)
    items = book_items(book)
    return profiles, items, item_keys(items, profiles)


def spec_of(profile) -> Spec:
    return Spec(profile.voice, float(profile.options.get("semitones", 0)))


@pytest.mark.parametrize("cast", ["espeak", "natural"])
def test_each_character_has_a_voice_apart_from_the_narrator_and_those_they_talk_to(novel, cast):
    from narrate.scriptfile import load_script

    book = load_script(novel[1])
    profiles, _, _ = voiced(book, cast)
    voices = {c.name: profiles[f"quote@{c.name}"] for c in book.characters}
    assert len(voices) == len(book.characters) >= 4
    narrator = spec_of(profiles["narrator"])
    shared = conversations(book)
    assert shared["Mrs. Bennet"] >= {"Mr. Bennet"}
    for name, profile in voices.items():
        assert profile.fingerprint() != profiles["narrator"].fingerprint()
        assert apart(spec_of(profile), narrator) >= NARRATOR_APART, name
        for other in shared.get(name, ()):
            assert profile.fingerprint() != voices[other].fingerprint(), (name, other)
            # espeak-ng has a variant for each of them; Heart's shifts far enough apart
            # are two, so the natural cast holds it only with other voices installed
            assert cast != "espeak" or apart(spec_of(profile), spec_of(voices[other])) >= APART
    assert voiced(book, cast)[0] == profiles  # the same choice every time


def test_a_quotation_is_read_in_its_speakers_voice_and_an_unknown_one_in_the_quote_voice(novel):
    from narrate.scriptfile import load_script

    book = load_script(novel[1])
    by_id = {s.id: s for s in book.segments}
    quotes = [s for s in book.segments if s.role == "quote"]
    quotes[0].speaker, quotes[1].speaker = "the Hater", ""  # a typo, and no one found
    _, items, _ = voiced(book)
    for item in items:
        speaker = by_id[item.id].speaker
        if item.role == "quote" and speaker not in ("the Hater", ""):
            assert item.voice == f"quote@{speaker}", item
        else:
            assert item.voice == item.role, item
    assert sum(i.voice == "quote" for i in items) == 2


def test_a_users_voice_for_one_character_changes_the_keys_of_their_lines_only(novel):
    from narrate.scriptfile import load_script

    _, path = novel
    before = voiced(load_script(path))[2]
    text = path.read_text()
    assert "    the Hatter:\n      gender: male\n" in text
    path.write_text(text.replace("    the Hatter:\n      gender: male\n",
                                 "    the Hatter:\n      gender: male\n"
                                 "      voice: gmw/en-GB-x-rp+m1 -2\n"))
    book = load_script(path)
    profiles, _, after = voiced(book)
    hatter = profiles["quote@the Hatter"]
    assert (hatter.voice, hatter.pitch) == ("gmw/en-GB-x-rp+m1", 42)
    changed = {i for i in before if before[i] != after[i]}
    assert changed == {s.id for s in book.segments if s.speaker == "the Hatter"}
    assert changed


def test_editing_one_speaker_renders_only_that_line_again(novel):
    from narrate.scriptfile import load_script

    _, path = novel
    book = load_script(path)
    before = voiced(book)[2]
    line = next(s for s in book.segments if s.speaker == "Mr. Bennet")
    line.speaker = "Mrs. Bennet"
    after = voiced(book)[2]
    assert {i for i in before if before[i] != after[i]} == {line.id}


def test_a_speakers_alias_is_their_voice(novel):
    from narrate.scriptfile import load_script

    book = load_script(novel[1])
    book.characters[0].aliases.append("his lady")
    line = next(s for s in book.segments if s.speaker == book.characters[0].name)
    line.speaker = "His Lady"
    _, items, _ = voiced(book)
    assert next(i for i in items if i.id == line.id).voice == f"quote@{book.characters[0].name}"


def test_the_seed_essays_quotations_keep_their_keys(seed_book):
    """Non-fiction: one quote voice, and every key as narrate made it before there were
    characters (the key of the line and its role's voice)."""
    from narrate.render.cache import audio_key, voice_fingerprint
    from narrate.render.engines import engine_version

    book, _ = seed_book
    profiles, items, keys = voiced(book)
    assert not [v for v in profiles if "@" in v] and {i.voice for i in items} >= {"quote"}
    for item in items:
        profile = profiles[item.role]
        assert keys[item.id] == audio_key(item.say, voice_fingerprint(
            profile, engine_version(profile.engine)), item.take)


@pytest.mark.parametrize("text, spec", [
    ("heart -4", Spec("heart", -4.0)), ("-3", Spec("", -3.0)),
    ("en_US-joe-medium +1 95%", Spec("en_US-joe-medium", 1.0, 95)),
    ("gmw/en-US+m3", Spec("gmw/en-US+m3")), ("heart -8st", Spec("heart", -8.0)),
])
def test_a_voice_is_written_as_a_voice_a_shift_and_a_pace(text, spec):
    assert parse_spec(text, "x") == spec and parse_spec(str(spec), "x") == spec


# ---- a build, and bad input ------------------------------------------------------------

PARTY = ("title: A Mad Tea-Party\nauthor: Lewis Carroll\ncharacters:\n  Alice: {gender: female}\n"
         "  the Hatter: {gender: male}\n  the March Hare: {gender: male}\n")


@pytest.mark.e2e
def test_a_build_reads_each_characters_lines_in_their_voice(tmp_path):
    import json
    import wave

    from test_reliability import run

    source = tmp_path / "party.txt"
    source.write_text(test_speakers.TEA_PARTY)
    (tmp_path / "party.yaml").write_text(PARTY)
    result = run("build", source, "--out", tmp_path / "out", "--cache", tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "party" / "manifest.json").read_text())
    voices = manifest["voices"]
    assert {"quote@Alice", "quote@the Hatter", "quote@the March Hare"} <= set(voices)
    assert len({json.dumps(voices[v], sort_keys=True) for v in voices if "@" in v}) == 3
    speakers = {s.id: s.speaker for s in test_speakers.fiction(source).segments}
    roles = {i: s["role"] for i, s in manifest["spoken"].items()}
    assert {i for i, r in roles.items() if r == "quote@the Hatter"} == \
        {i for i, s in speakers.items() if s == "the Hatter"}
    hatter = next(i for i, r in roles.items() if r == "quote@the Hatter")
    with wave.open(str(next((tmp_path / "cache").rglob(f"{manifest['segments'][hatter]}*.wav")))) as wav:
        assert wav.getnframes() > 0  # the Hatter's line, rendered in his voice


@pytest.mark.e2e
@pytest.mark.parametrize("voice, needles", [
    ("fable", ["party.yaml:6", "'the Hatter'", "'fable'", "narrate voices"]),
    ("gmw/en-US+m3 -2 fast", ["party.yaml:6", "'the Hatter'", "two voices"]),
])
def test_a_characters_voice_the_engine_lacks_stops_before_any_work_in_one_line(
        tmp_path, voice, needles):
    from test_reliability import one_line_error, run

    source = tmp_path / "party.txt"
    source.write_text(test_speakers.TEA_PARTY)
    (tmp_path / "party.yaml").write_text(PARTY.replace(
        "  the Hatter: {gender: male}\n", f"  the Hatter:\n    voice: {voice}\n"))
    one_line_error(run("build", source, "--out", tmp_path / "out"), *needles)
    assert not (tmp_path / "out").exists()  # before any work


# ---- hearing the cast, getting a voice ----------------------------------------------------

def test_cast_lists_each_characters_voice_and_listen_has_each_say_their_first_line(novel, tmp_path):
    import wave

    import narrate

    found = narrate.cast(novel[1], listen=True, out=tmp_path / "cast.wav")
    voices = {e.name: e.voice for e in found.characters}
    assert voices["the Hatter"].startswith("gmw/en-US+m") and len(set(voices.values())) == len(voices)
    heard = found.heard
    assert [i.voice for i in heard.items] == [f"quote@{e.name}" for e in found.characters]
    assert [i.id for i in heard.items] == [e.first_id for e in found.characters]
    with wave.open(str(tmp_path / "cast.wav")) as wav:
        assert wav.getnframes() / wav.getframerate() > len(found.characters)  # a line each


@pytest.mark.e2e
def test_voices_get_says_what_to_download_and_where_and_downloads_nothing(tmp_path):
    from test_reliability import one_line_error, run

    home = {"HIBARI_HOME": str(tmp_path / "hibari")}
    said = run("voices", "--get", "fable", env=home)
    assert said.returncode == 0, said.stderr
    line = said.stdout.strip()
    assert "\n" not in line and "bm_fable.int8.onnx" in line and "sha256" in line
    assert f"put it at {tmp_path / 'hibari' / 'bm_fable.int8.onnx'}" in line
    assert not (tmp_path / "hibari").exists()  # nothing fetched, no folder made
    (tmp_path / "hibari").mkdir()
    (tmp_path / "hibari" / "bm_fable.int8.onnx").write_bytes(b"a voice put there by hand")
    assert "is here" in run("voices", "--get", "fable", env=home).stdout
    assert "fable" in run("voices", env=home).stdout  # the hibari engine lists it
    one_line_error(run("voices", "--get", "fabel", env=home), "'fabel'", "'fable'")
