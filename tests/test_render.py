"""Rendering with the real engine (pyttsx3 driving espeak-ng), cached by content."""

import os
import shutil
import signal
import subprocess
import sys
import wave

import pytest
from conftest import ROOT, median_pitch, wait_until

from narrate.errors import NarrateError
from narrate.fileio import default_cache_dir
from narrate.pipeline import render_book
from narrate.plan import load_book
from narrate.render.cache import Cache, wav_frames

NARRATE = [sys.executable, "-m", "narrate"]


def copy_voices(tmp_path, **quote_changes):
    """A voices folder like the default, with some quote profile fields changed."""
    import yaml

    folder = tmp_path / "voices"
    folder.mkdir(exist_ok=True)
    for role in ("narrator", "quote"):
        data = yaml.safe_load((ROOT / "voices" / "espeak" / f"{role}.yaml").read_text())
        if role == "quote":
            data.update(quote_changes)
        (folder / f"{role}.yaml").write_text(yaml.safe_dump(data))
    return folder


def test_every_segment_rendered_with_two_distinct_voices(short_source, tmp_path):
    book = load_book(short_source)
    report = render_book(book, cache=tmp_path / "c", jobs=2)
    assert not report.failed
    assert len(report.rendered) == len(book.segments) and not report.reused
    for segment in book.segments:
        path = report.paths[segment.id]
        with wave.open(str(path)) as wav:
            seconds = wav.getnframes() / wav.getframerate()
        words = len(segment.say.split())
        assert words * 60 / 400 < seconds < words * 60 / 60 + 3  # plausible for its words
    narrator = [report.paths[s.id] for s in book.segments if s.role == "narrator"]
    quote = [report.paths[s.id] for s in book.segments if s.role == "quote"]
    low, high = median_pitch(narrator[0]), median_pitch(quote[0])
    assert high >= 1.2 * low, (low, high)


def test_cache_reuses_and_invalidates_exactly(short_source, tmp_path):
    book = load_book(short_source)
    cache = tmp_path / "c"
    first = render_book(book, cache=cache)
    again = render_book(book, cache=cache)
    assert again.rendered == [] and len(again.reused) == len(book.segments)
    assert again.keys == first.keys

    # changing the quote voice's pitch re-renders the quote segments and nothing else
    voices = copy_voices(tmp_path, pitch=70)
    changed = render_book(book, voices=voices, cache=cache)
    quotes = sorted(s.id for s in book.segments if s.role == "quote")
    assert sorted(changed.rendered) == quotes
    assert median_pitch(changed.paths[quotes[0]]) > median_pitch(first.paths[quotes[0]])

    # pauses are not part of a segment's audio
    voices = copy_voices(tmp_path, pitch=70, pauses={"sentence": 100})
    assert render_book(book, voices=voices, cache=cache).rendered == []

    # an edit re-renders only its segment; a new paragraph does not shift the others
    edited = short_source.read_text().replace("30,000 workers", "40,000 workers")
    short_source.write_text("A new opening paragraph is here.\n\n" + edited)
    book2 = load_book(short_source)
    report = render_book(book2, cache=cache)
    assert sorted(report.rendered) == ["01.001.1", "01.005.1"]


def test_corrupt_cache_entries_are_rendered_again(short_source, tmp_path):
    book = load_book(short_source)
    cache = Cache(tmp_path / "c")
    first = render_book(book, cache=cache.root)
    ids = [s.id for s in book.segments]
    truncated, empty, garbage = (first.paths[i] for i in ids[:3])
    data = truncated.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    empty.write_bytes(b"")
    garbage.write_bytes(os.urandom(5000))
    report = render_book(book, cache=cache.root)
    assert sorted(report.rendered) == sorted(ids[:3])
    for i in ids[:3]:
        assert wav_frames(report.paths[i]) > 1000


def test_failed_segments_are_reported_and_the_rest_kept(short_source, tmp_path):
    voices = copy_voices(tmp_path, volume=0.0)  # a real engine, speaking silence
    result = subprocess.run(NARRATE + ["render", str(short_source), "--voices", str(voices),
                                       "--cache", str(tmp_path / "c")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    book = load_book(short_source)
    for segment in book.segments:
        if segment.role == "quote":
            assert f"failed {segment.id}: the engine returned silence" in result.stderr
    assert "segments failed; the others are kept" in result.stderr
    narrators = [s for s in book.segments if s.role == "narrator"]
    report = render_book(book, voices=voices, cache=tmp_path / "c")
    assert set(report.reused) == {s.id for s in narrators}


def test_kill_and_resume_reuses_finished_segments(tmp_path):
    source = tmp_path / "long.txt"
    source.write_text("\n\n".join(f"Paragraph number {i} has a sentence or two of narration. "
                                  f"It goes on a little longer, to take some time."
                                  for i in range(80)))
    cache, hold = tmp_path / "c", tmp_path / "held"
    # the render waits at its tenth finished segment until it is killed: however fast the
    # machine, it cannot have finished all 80 by then
    env = {**os.environ, "NARRATE_HOLD_AT": "render:10", "NARRATE_HOLD_FILE": str(hold)}
    process = subprocess.Popen(NARRATE + ["render", str(source), "--cache", str(cache), "-j", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, env=env)
    assert wait_until(hold.exists, 120, process)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done = len(Cache(cache).entries())
    assert 10 <= done < 80
    book = load_book(source)
    report = render_book(book, cache=cache)
    assert len(report.reused) >= done and len(report.rendered) == 80 - len(report.reused)
    assert not report.failed
    assert not list(cache.glob("??/.*.tmp.wav"))  # no temporary files left behind


def test_driver_chatter_is_suppressed(short_source, tmp_path):
    result = subprocess.run(NARRATE + ["render", str(short_source), "--cache", str(tmp_path / "c")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Audio saved" not in result.stdout + result.stderr
    count = len(load_book(short_source).segments)
    assert result.stdout.startswith(f"rendered {count} segments, reused 0")


ENGINE_PROBE = """
import sys, wave
from pathlib import Path
from narrate.render.engines import quiet_stdout
from narrate.render.engines.espeak import Pyttsx3Engine
from narrate.render.profiles import load_profiles
profiles = load_profiles()
engine = Pyttsx3Engine(profiles["narrator"])
out = Path(sys.argv[1])
with quiet_stdout():
    for i in range(3):
        engine.synthesize("A sentence long enough to take a while to speak, " * 3, out)
        # the file is complete the moment synthesize returns
        with wave.open(str(out)) as w:
            assert w.getnframes() > 22050 * 5, w.getnframes()
try:
    Pyttsx3Engine(profiles["quote"])
except RuntimeError as exc:
    print("refused:", exc)
"""


def test_engine_waits_for_complete_files_and_refuses_reconfiguration(tmp_path):
    result = subprocess.run([sys.executable, "-c", ENGINE_PROBE, str(tmp_path / "x.wav")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "refused: a pyttsx3 engine cannot be reconfigured" in result.stdout
    assert "Audio saved" not in result.stdout


STALE_DRIVER_PROBE = """
import sys, wave
from pathlib import Path
from pyttsx3.drivers import _espeak
from narrate.render.engines import quiet_stdout
from narrate.render.engines.espeak import Pyttsx3Engine
from narrate.render.profiles import load_profiles
engine = Pyttsx3Engine(load_profiles()["narrator"])
driver = engine._engine.proxy._driver
takes = iter(range(3))

def frames(say):
    out = Path(sys.argv[1]) / f"{next(takes)}.wav"
    engine.synthesize(say, out)
    with wave.open(str(out)) as w:
        return w.getnframes()

say = "The years of reaction were over, and the movement was reviving in the cities."
with quiet_stdout():
    clean = frames(say)
    driver._stopping = True  # what the driver leaves when espeak is busy as a run ends
    after_stop = frames(say)
    _espeak.SetParameter(_espeak.RATE, 200, 0)  # what espeak's cancel can reset the rate to
    after_reset = frames(say)
print(clean, after_stop, after_reset)
"""


def test_each_take_starts_from_a_clean_engine(tmp_path):
    """The driver's state after a cancel under load, forced here: a stale stop request
    (it cancelled the next take) and espeak's rate reset to the driver's 200 wpm."""
    result = subprocess.run([sys.executable, "-c", STALE_DRIVER_PROBE, str(tmp_path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    clean, after_stop, after_reset = map(int, result.stdout.split())
    assert clean > 22050 * 3
    assert abs(after_stop - clean) < 0.02 * clean  # espeak varies by a few samples a take
    assert abs(after_reset - clean) < 0.02 * clean


WAKE_PROBE = """
import threading
from pyttsx3.drivers import espeak as driver
from narrate.render.engines.espeak import Pyttsx3Engine, _WakeAtTakeEnd
from narrate.render.profiles import load_profiles
engine = Pyttsx3Engine(load_profiles()["narrator"])
print(isinstance(driver.time, _WakeAtTakeEnd), driver.time.monotonic() > 0)
done = threading.Event()
sleeper = threading.Thread(target=_WakeAtTakeEnd(done).sleep, args=(3600,))
sleeper.start()
done.set()  # the take ended: the driver's hour-long poll must end with it
sleeper.join(60)
print(sleeper.is_alive())
"""


def test_the_driver_loop_wakes_when_the_take_ends():
    """The espeak driver polls for a take's end every 10 ms; narrate's engine makes that
    sleep end on the take's end event (the test's poll is an hour: it must not wait it out)."""
    result = subprocess.run([sys.executable, "-c", WAKE_PROBE], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "False"]


@pytest.mark.parametrize("change, message", [
    ("voice: gmw/en-USA", r"quote\.yaml: `voice` 'gmw/en-USA' is not an installed voice; did you mean 'gmw/en-us'"),
    ("voice: gmw/en-US+f9", r"variant \+f9 is unknown; did you mean"),
    ("rate: 900", r"quote\.yaml:\d+: `rate` 900 is out of range; use 80 to 450"),
    ("pitch: high", r"`pitch` must be a number"),
    ("ratee: 150", r"quote\.yaml:\d+: unknown key 'ratee'; did you mean 'rate'"),
])
def test_bad_voice_files_name_the_file_key_and_fix(tmp_path, change, message):
    voices = copy_voices(tmp_path)
    path = voices / "quote.yaml"
    key = {"ratee": "rate"}.get(change.split(":")[0], change.split(":")[0])  # the line it replaces
    lines = [line for line in path.read_text().splitlines() if not line.startswith(key + ":")]
    path.write_text("\n".join(lines) + f"\n{change}\n")
    result = subprocess.run(NARRATE + ["voices", "--check", "--voices", str(voices)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    import re
    assert re.search(message, result.stderr), result.stderr


def test_voices_lists_the_engine_voices():
    result = subprocess.run(NARRATE + ["voices"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "gmw/en-us" in result.stdout.lower()


def test_missing_espeak_is_a_one_line_install_hint(monkeypatch):
    import ctypes.util
    import platform

    from narrate.render.engines import check_engine
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    with pytest.raises(NarrateError, match="espeak-ng is not installed; install it with"):
        check_engine("pyttsx3")


def test_cache_command_reports_and_prunes(short_source, tmp_path):
    cache = tmp_path / "c"
    count = len(render_book(load_book(short_source), cache=cache).rendered)
    extra = cache / "ab" / ("ab" + "0" * 30 + ".wav")
    extra.parent.mkdir(exist_ok=True)
    shutil.copy(next(Cache(cache).entries().__iter__()), extra)
    result = subprocess.run(NARRATE + ["cache", "--cache", str(cache)], capture_output=True, text=True, check=False)
    assert f"{count + 1} entries" in result.stdout
    result = subprocess.run(NARRATE + ["cache", "--prune", str(short_source), "--cache", str(cache)],
                            capture_output=True, text=True, check=False)
    assert "pruned 1 entries" in result.stdout and f"{count} entries" in result.stdout
    assert not extra.exists()
    assert not list((default_cache_dir() / "books").glob("*.pickle"))  # conversions too


def test_ctrl_c_stops_cleanly_and_keeps_finished_work(tmp_path):
    source = tmp_path / "long.txt"
    source.write_text("\n\n".join(f"Paragraph {i} is narrated here, slowly and with care."
                                  for i in range(60)))
    cache, hold = tmp_path / "c", tmp_path / "held"
    # the render waits at its fifth finished segment until the signal: no race with it
    env = {**os.environ, "NARRATE_HOLD_AT": "render:5", "NARRATE_HOLD_FILE": str(hold)}
    # as a terminal starts it: SIGINT handled (a parent started in the background with `&`
    # ignores SIGINT, and its children would inherit that)
    process = subprocess.Popen(NARRATE + ["render", str(source), "--cache", str(cache), "-j", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, env=env,
                               # one signal call before exec: nothing a thread could hold
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
    assert wait_until(hold.exists, 120, process), process.communicate()
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C sends
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "interrupted; finished work is kept" in err and "Traceback" not in err
    kept = len(Cache(cache).entries())
    assert kept >= 5
    report = render_book(load_book(source), cache=cache)
    assert len(report.reused) >= kept and not report.failed


def test_a_build_s_workers_go_when_their_voice_is_done(tmp_path):
    """A build renders one voice after another: the narrator's workers are gone before
    the quote's start, so no more workers than cores hold memory at once. A preview's
    executor keeps them warm for the next preview."""
    import multiprocessing

    from narrate.render.executors import LocalExecutor, make_executor
    from narrate.render.profiles import load_profiles

    profile = load_profiles()["narrator"]
    build = make_executor("local", Cache(tmp_path / "c"))
    build.submit(profile, [], 1).result()
    assert len(multiprocessing.active_children()) >= 1
    build.done_with(profile)
    assert multiprocessing.active_children() == []
    preview = LocalExecutor(Cache(tmp_path / "c"), keep_warm=True)
    preview.submit(profile, [], 1).result()
    preview.done_with(profile)
    assert len(multiprocessing.active_children()) >= 1
    preview.close()
    assert multiprocessing.active_children() == []


@pytest.mark.e2e
def test_warm_workers_outlive_the_thread_that_started_them(tmp_path):
    """A worker dies with the thread that started it (the parent-death signal follows
    the thread); the studio asks from a web server's threads, which retire when idle.
    Workers started from a thread that has ended still take the next segment."""
    import threading

    from narrate.render.cache import audio_key
    from narrate.render.executors import LocalExecutor
    from narrate.render.profiles import load_profiles

    profile = load_profiles("espeak")["narrator"]
    say = "Still here."
    preview = LocalExecutor(Cache(tmp_path / "c"), keep_warm=True)
    asker = threading.Thread(target=preview.ready, args=(profile, 1))
    asker.start()
    asker.join()  # the thread that asked for the worker is gone
    try:
        [outcome] = preview.submit(profile, [(audio_key(say, profile.fingerprint()), say, 1)],
                                   1).result(timeout=120)
    finally:
        preview.close()
    assert isinstance(outcome, tuple) and outcome[0] > 0.3, outcome
