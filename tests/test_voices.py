"""Casts by name, the natural default cast (hibari's Heart and voices derived from her),
the espeak cast as the portable one, pronunciation: `narrate words`, lexicon phonemes.

The suite builds with the espeak cast where the voice does not matter (conftest sets
NARRATE_VOICES); these tests name the natural cast, or unset the variable to get the
default."""

import json
import subprocess
import sys
import wave
from concurrent import futures

import numpy as np
import pytest
from conftest import ROOT, median_pitch
from test_reliability import one_line_error

from narrate.errors import NarrateError
from narrate.metadata import load_lexicon, load_metadata
from narrate.render import (
    IN_PROCESS_MAX,
    Renderer,
    RenderItem,
    item_keys,
    render_items,
)
from narrate.render.cache import Cache
from narrate.render.cast import with_phonemes
from narrate.render.engines.neural import tape_shift
from narrate.render.profiles import cast_names, load_profiles

NARRATE = [sys.executable, "-m", "narrate"]
LINE = ("In 1915 the paper Nashe Slovo was read in Paris; its editor wrote long, careful "
        "articles about the war, and his readers waited for each one.")


def run(*args, env=None, cwd=None):
    return subprocess.run(NARRATE + [str(a) for a in args], capture_output=True, text=True,
                          check=False, env=env, cwd=cwd)


# ---- casts by name (pure) ------------------------------------------------------------------


@pytest.mark.unit
def test_the_default_cast_is_natural_and_casts_have_names(monkeypatch):
    monkeypatch.delenv("NARRATE_VOICES")
    assert cast_names() == ("natural", "espeak", "neural")
    cast = load_profiles()
    assert {p.engine for p in cast.values()} == {"hibari"}
    assert cast["narrator"].name == "Heart, a synthetic voice"
    assert cast["quote"].options["semitones"] <= -3 and cast["note"].options["semitones"] <= -3
    assert {p.engine for p in load_profiles("espeak").values()} == {"pyttsx3"}
    assert load_profiles("neural")["narrator"].engine == "piper"
    assert load_profiles("espeak")["narrator"].name == ""  # no name a listener takes for one


@pytest.mark.unit
def test_a_cast_is_found_by_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the checkout's root
    assert load_profiles("neural")["quote"].engine == "hibari"


@pytest.mark.unit
def test_a_folder_lays_its_profiles_over_the_default_cast(tmp_path, monkeypatch):
    monkeypatch.delenv("NARRATE_VOICES")
    (tmp_path / "quote.yaml").write_text("engine: pyttsx3\nvoice: gmw/en-US+f2\n")
    cast = load_profiles(tmp_path)
    assert cast["quote"].engine == "pyttsx3" and cast["narrator"].engine == "hibari"


@pytest.mark.unit
def test_an_unknown_cast_name_is_one_line_with_the_choices(monkeypatch):
    with pytest.raises(NarrateError, match=r"voices='natrual': no such cast.*'natural'"):
        load_profiles("natrual")
    monkeypatch.setenv("NARRATE_VOICES", "espek")
    with pytest.raises(NarrateError, match=r"NARRATE_VOICES='espek' is not a cast.*'espeak'"):
        load_profiles()


@pytest.mark.unit
def test_metadata_names_a_cast_or_a_folder(tmp_path):
    (tmp_path / "a.yaml").write_text("title: A\nvoices: espeak\n")
    assert load_metadata(tmp_path / "a.yaml")["voices"] == "espeak"
    (tmp_path / "b.yaml").write_text("title: B\nvoices: ./espeak\n")
    assert load_metadata(tmp_path / "b.yaml")["voices"] == str(tmp_path / "espeak")


@pytest.mark.unit
def test_a_neural_option_out_of_range_names_the_file(tmp_path):
    from narrate.render.engines import check_voice

    (tmp_path / "quote.yaml").write_text("engine: hibari\noptions:\n  semitones: -20\n")
    with pytest.raises(NarrateError, match=r"quote.yaml: options: `semitones` must be a number "
                                           r"from -8 to 8, not -20"):
        check_voice(load_profiles(tmp_path)["quote"])


@pytest.mark.unit
def test_a_tape_shift_moves_pitch_by_its_semitones_and_keeps_the_samples_band_limited():
    rate = 24000
    t = np.arange(rate) / rate
    tone = (0.5 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    shifted = tape_shift(tone, 2 ** (-5 / 12))
    assert len(shifted) == round(rate / 2 ** (-5 / 12))  # lasts 1/speed as long
    spectrum = np.abs(np.fft.rfft(shifted * np.hanning(len(shifted))))
    peak = np.argmax(spectrum) * rate / len(shifted)
    assert abs(12 * np.log2(peak / 200) + 5) < 0.05  # five semitones down
    assert abs(np.sqrt(np.mean(shifted ** 2)) - np.sqrt(np.mean(tone ** 2))) < 0.01
    assert tape_shift(tone, 1.0) is tone


# ---- lexicon phonemes (pure) ---------------------------------------------------------------


@pytest.mark.unit
def test_lexicon_phonemes_change_only_the_keys_of_lines_that_say_the_word(tmp_path):
    (tmp_path / "lex.yaml").write_text("Zimmerwald: {say: Tsimmer-vahlt, hibari: tsˈɪməɹvˌɑlt}\n"
                                       "Petersburg: {hibari: pˈitəɹzbˌɜɹɡ}\n")
    lexicon = load_lexicon(tmp_path / "lex.yaml")
    assert lexicon.apply("At Zimmerwald.") == "At Tsimmer-vahlt."  # the respelling: every engine
    items = [RenderItem("a", "They met at Tsimmer-vahlt in Petersburg.", "narrator"),
             RenderItem("b", "Nothing here.", "narrator")]
    plain = load_profiles("natural")
    marked = with_phonemes(plain, lexicon)
    before, after = item_keys(items, plain), item_keys(items, marked)
    assert before["b"] == after["b"] and before["a"] != after["a"]
    espeak = load_profiles("espeak")  # another engine's keys do not move
    assert item_keys(items, espeak) == item_keys(items, with_phonemes(espeak, lexicon))


@pytest.mark.unit
@pytest.mark.parametrize("entry, needle", [
    ("Vienna: {hibari: 'vi$$nə'}", ("lex.yaml:1: entry 'Vienna': phonemes 'vi$$nə' for 'Vienna': "
                                   "hibari has no phoneme '$'")),
    ("Vienna: {hibary: viˈɛnə}", ("lex.yaml:1: entry 'Vienna': unknown engine 'hibary'; "
                                 "did you mean 'hibari'")),
    ("Vienna: {hibari: [vi, nə]}", "entry 'Vienna': `hibari` (the engine's phonemes) is a list"),
    ("Vienna: {hibari: 3}", "phonemes '3' for 'Vienna': hibari has no phoneme '3'"),  # as typed
])
def test_a_phoneme_entry_the_engine_rejects_is_one_line_before_any_work(tmp_path, entry, needle):
    source = tmp_path / "a.txt"
    source.write_text("They went to Vienna by train.\n")
    (tmp_path / "lex.yaml").write_text(entry + "\n")
    result = run("build", source, "--voices", "natural", "--lexicon", tmp_path / "lex.yaml",
                 "--out", tmp_path / "out", "--cache", tmp_path / "c")
    one_line_error(result, needle)
    assert not (tmp_path / "out").exists() and not (tmp_path / "c").exists()


@pytest.mark.unit
def test_words_lists_what_hibari_does_not_know_most_frequent_first(tmp_path):
    import narrate

    source = tmp_path / "a.txt"
    source.write_text("Zinoviev met Kamenev. Kamenev's friend was Zinoviev, and Kamenev left.\n\n"
                      "The cat sat on the mat.\n")
    found = narrate.words(source, voices="natural")
    assert [(w.word, w.count) for w in found] == [("Kamenev", 3), ("Zinoviev", 2)]
    assert found[0].first == "01.001.1" and "Kamenev" in found[0].sentence
    (tmp_path / "lex.yaml").write_text("Kamenev: Kah-meh-nyev\n")  # respelled: chosen, not listed
    assert [w.word for w in narrate.words(source, voices="natural",
                                          lexicon=tmp_path / "lex.yaml")] == ["Zinoviev"]


@pytest.mark.unit
def test_words_with_an_engine_that_cannot_tell_says_which_can(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("Zinoviev met Kamenev.\n")
    one_line_error(run("words", source, "--voices", "espeak"),
                   "cannot say which words it knows", "--voices natural")
    result = run("words", "--phonemes", "Zinoviev", "--voices", "natural")
    assert result.returncode == 0 and "ˈ" in result.stdout


# ---- the real voice --------------------------------------------------------------------------


def _pcm(path):
    with wave.open(str(path)) as handle:
        return handle.getframerate(), np.frombuffer(handle.readframes(handle.getnframes()),
                                                    np.int16)


@pytest.mark.e2e
def test_the_lean_model_speaks_the_same_bytes_as_hibaris_own():
    from hibari import Hibari

    from narrate.render.engines.hibari import _lean_model

    text = "The years of reaction were over; the terror had spent itself. It was 1912."
    lean, own = _lean_model("heart"), Hibari(voice="heart", threads=1)
    assert lean.sess.get_session_options().enable_mem_pattern is False
    assert np.array_equal(lean(text, seed=3), own(text, seed=3))


@pytest.mark.e2e
def test_quote_and_note_are_other_voices_three_semitones_from_the_narrator(tmp_path):
    cast = load_profiles("natural")
    items = [RenderItem(role, LINE, role) for role in ("narrator", "quote", "note")]
    report = render_items(items, cast, Cache(tmp_path), jobs=2, progress=False)
    assert not report.failed
    pitch = {role: median_pitch(report.paths[role]) for role in ("narrator", "quote", "note")}
    for role in ("quote", "note"):
        assert 12 * np.log2(pitch["narrator"] / pitch[role]) >= 3.0, pitch
        rate, pcm = _pcm(report.paths[role])
        seconds = len(pcm) / rate
        expected = len(LINE.split()) / cast[role].rate * 60
        assert 0.7 * expected < seconds < 1.4 * expected, (role, seconds, expected)  # its pace


@pytest.mark.e2e
def test_the_same_text_gives_the_same_take(tmp_path):
    cast = load_profiles("natural")
    takes = [render_items([RenderItem("q", LINE, "quote")], cast, Cache(tmp_path / str(n)), jobs=1,
                          progress=False).paths["q"].read_bytes() for n in range(2)]
    assert takes[0] == takes[1]


@pytest.mark.e2e
def test_the_natural_cast_renders_in_threads_of_one_process_and_takes_match_one_at_a_time(
        tmp_path):
    """One model and G2P for both workers (a worker process each held its own copy);
    threads must not change a sample."""
    import multiprocessing

    from narrate.render.executors import LocalExecutor

    cast = load_profiles("natural")
    lines = [f"{LINE} Line {n}." for n in range(IN_PROCESS_MAX + 3)]  # a pool, not in-process
    items = [RenderItem(f"s{n}", say, ("narrator", "quote")[n % 2]) for n, say in
             enumerate(lines)]
    executor = LocalExecutor(Cache(tmp_path / "pooled"), keep_warm=True)
    try:
        with Renderer(cast, executor.cache, jobs=2, executor=executor) as renderer:
            pooled = renderer.render(items, progress=False)
            assert not multiprocessing.active_children()  # no worker process was started
            assert executor._pools and all(isinstance(p, futures.ThreadPoolExecutor)
                                           for p in executor._pools.values())
    finally:
        executor.close()
    assert not pooled.failed and len(pooled.rendered) == len(items)
    for item in items[:2]:  # each voice, one segment at a time
        alone = render_items([item], cast, Cache(tmp_path / item.id), jobs=1, progress=False)
        assert alone.paths[item.id].read_bytes() == pooled.paths[item.id].read_bytes()


@pytest.mark.e2e
def test_the_default_build_is_natural_and_credits_a_name_a_listener_understands(tmp_path):
    """No --voices, no NARRATE_VOICES: the natural cast, read back by ffprobe and mutagen."""
    import os

    from mutagen.id3 import ID3

    source = tmp_path / "book.md"
    source.write_text("# One\n\nThe narrator begins. He said: “The years of reaction were over; "
                      "the terror had spent itself; the movement was reviving.” Then he left.\n")
    env = {k: v for k, v in os.environ.items() if k != "NARRATE_VOICES"}
    result = run("build", source, "--out", tmp_path / "out", "--cache", tmp_path / "c", env=env)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "book"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {v["engine"] for v in manifest["voices"].values()} == {"hibari"}
    assert "Read by Heart, a synthetic voice." in (folder / "script.yaml").read_text()
    assert str(ID3(str(folder / "01 - One.mp3"))["TXXX:NARRATOR"]) == "Heart, a synthetic voice"
    probed = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json",
         str(folder / "01 - One.mp3")], capture_output=True, check=True, text=True).stdout)
    assert probed["streams"][0]["sample_rate"] == "24000"  # hibari's own: no take resampled
    assert float(probed["format"]["duration"]) > 8


@pytest.mark.e2e
def test_a_german_book_with_the_natural_cast_is_read_by_espeak_and_one_line_says_so(tmp_path):
    source = tmp_path / "buch.txt"
    source.write_text("Er wurde in Wien geboren und lebte dort viele Jahre.\n", encoding="utf-8")
    (tmp_path / "buch.yaml").write_text("title: Ein Buch\nauthor: A. B.\nlanguage: de\n")
    result = run("build", source, "--voices", "natural", "--out", tmp_path / "out", "--cache",
                 tmp_path / "c")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("the espeak cast reads them") == 1, result.stderr
    manifest = json.loads((tmp_path / "out" / "buch" / "manifest.json").read_text())
    assert manifest["voices"]["narrator"]["voice"] == "gmw/de"


@pytest.mark.slow  # a whole build: the full suite runs it, not the quick tier
@pytest.mark.e2e
def test_a_phoneme_entry_re_renders_only_the_lines_that_say_the_word(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("They went to Vienna by train.\n\nThe cat sat on the mat all day.\n")
    args = ["--voices", "natural", "--out", tmp_path / "out", "--cache", tmp_path / "c"]
    assert run("build", source, *args).returncode == 0
    (tmp_path / "lex.yaml").write_text("Vienna: {hibari: viˈɛnə}\n")
    result = run("build", source, *args, "--lexicon", tmp_path / "lex.yaml")
    assert result.returncode == 0, result.stderr
    assert "rendered 01.001" in result.stdout and "rendered 01.002" not in result.stdout


@pytest.mark.slow
def test_words_listen_flags_the_words_the_listener_mishears(tmp_path):
    pytest.importorskip("faster_whisper", reason="the asr extra (scripts/test installs it)")
    import narrate

    source = tmp_path / "a.txt"
    source.write_text("His two chief assistants, Zinoviev and Kamenev, had opposed him.\n\n"
                      "That role would later be assumed by Stalin.\n")
    found = {w.word: w for w in narrate.words(source, voices="natural", listen=True,
                                              cache=tmp_path / "c", jobs=2)}
    assert found["Stalin"].misheard is False and "Stalin" in found["Stalin"].heard
    assert found["Kamenev"].misheard is True  # heard as "Kanev" (Whisper tiny.en)
    assert ROOT  # the test needs nothing of the checkout but the package


@pytest.mark.e2e
def test_a_profile_naming_a_voice_the_engine_lacks_is_one_line_before_any_work(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("He said: “The years of reaction were over; the terror had spent "
                      "itself; the movement was experiencing a new revival.” Then he left.\n")
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "quote.yaml").write_text("engine: hibari\nvoice: emma\n")
    result = run("build", source, "--voices", tmp_path / "v", "--out", tmp_path / "out",
                 "--cache", tmp_path / "c")
    one_line_error(result, "quote.yaml: `voice` 'emma' is not a hibari voice", "'heart'")
    assert not (tmp_path / "out").exists() and not (tmp_path / "c").exists()


@pytest.mark.e2e
def test_the_espeak_cast_by_name_builds_a_book_read_back_by_ffprobe(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("The narrator reads this line, and then another one after it.\n")
    result = run("build", source, "--voices", "espeak", "--out", tmp_path / "out", "--cache",
                 tmp_path / "c")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "a" / "manifest.json").read_text())
    assert manifest["voices"]["narrator"] == {"engine": "pyttsx3", "voice": "gmw/en-US",
                                              "rate": 160}
    probed = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                             "csv=p=0", str(next((tmp_path / "out" / "a").glob("*.mp3")))],
                            capture_output=True, text=True, check=True).stdout
    assert float(probed) > 3


@pytest.mark.unit
def test_overlapping_quiet_stdout_in_two_threads_restores_stdout():
    """Render threads each silence stdout around a take; when their takes overlap (one
    enters, the other enters, the first leaves, then the second), stdout must come back.
    Each thread restoring what it saw put the silence back for good."""
    import os
    import threading

    from narrate.render.engines.base import quiet_stdout

    before_stdout, before_fd = sys.stdout, os.fstat(1)
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first():
        with quiet_stdout():
            first_in.set()
            second_in.wait(30)
        first_out.set()

    def second():
        first_in.wait(30)
        with quiet_stdout():
            second_in.set()
            first_out.wait(30)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    after_fd = os.fstat(1)
    assert sys.stdout is before_stdout
    assert (after_fd.st_dev, after_fd.st_ino) == (before_fd.st_dev, before_fd.st_ino)
