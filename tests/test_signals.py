"""Interrupts, progress and the command line's words (issue 35, Trust III: signals)."""

import builtins
import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import threading
import wave
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import alive_in_group, stop_group, wait_until

from narrate.cli import cli
from narrate.errors import NarrateError
from narrate.progress import Progress, every
from narrate.stitch import encode
from narrate.stitch.assemble import load_clip


def _write_wav(path, rate=22050, seconds=0.2, channels=1):
    tone = (np.sin(np.arange(int(rate * seconds)) / 8) * 8000).astype(np.int16)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.repeat(tone, channels).tobytes())
    return tone


# ---- Ctrl-C ----------------------------------------------------------------------------------

@pytest.mark.unit
def test_a_ctrl_c_while_a_clip_is_read_reaches_the_build(tmp_path, monkeypatch):
    """pydub's from_wav caught every exception, KeyboardInterrupt too, and decoded the clip
    again with ffmpeg: a Ctrl-C landing there was lost, and the build went on for half a
    minute before it blamed the ffmpeg the same Ctrl-C had stopped."""
    clip = tmp_path / "clip.wav"
    _write_wav(clip)
    real_open = builtins.open

    class CtrlC(io.BytesIO):
        def read(self, *args):
            raise KeyboardInterrupt  # what Python's SIGINT handler raises, mid-read

    def opening(file, *args, **kwargs):
        return CtrlC() if str(file) == str(clip) else real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", opening)
    with pytest.raises(KeyboardInterrupt):
        load_clip(clip, 22050)


@pytest.mark.unit
@pytest.mark.parametrize("channels, rate", [(1, 22050), (2, 22050), (1, 24000)])
def test_a_clip_is_read_as_mono_at_the_book_s_rate(tmp_path, channels, rate):
    clip = tmp_path / "clip.wav"
    tone = _write_wav(clip, 22050, 0.5, channels)
    pcm = load_clip(clip, rate)
    assert pcm.dtype == np.int16
    if rate == 22050:
        assert np.array_equal(pcm, tone)
    else:
        assert abs(len(pcm) - len(tone) * rate / 22050) <= 1


def _ffmpeg_in_a_thread(args):
    """encode._run(args) in a thread, once its ffmpeg runs: (thread, process, outcome)."""
    outcome: list[BaseException] = []

    def run():
        try:
            encode._run(args, "play a tone")
        except BaseException as exc:  # noqa: BLE001 - what the thread ended with is the result
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    assert wait_until(lambda: encode._running, 60)
    [process] = encode._running
    return thread, process, outcome


@pytest.mark.e2e
def test_an_ffmpeg_stopped_by_ctrl_c_is_an_interrupt_not_a_failure():
    """A terminal's Ctrl-C reaches ffmpeg too. It was "ffmpeg failed to encode …: 255"."""
    thread, process, outcome = _ffmpeg_in_a_thread(
        ["-f", "lavfi", "-i", "sine", "-f", "null", "-"])
    process.send_signal(signal.SIGINT)
    thread.join(60)
    assert [type(e) for e in outcome] == [KeyboardInterrupt], outcome


@pytest.mark.unit
@pytest.mark.parametrize("returncode, err, interrupted", [
    (-signal.SIGINT, b"", True),  # it died of the SIGINT: its handler was not set yet
    (255, b"", True),  # it caught the SIGINT and stopped
    (255, b"Operation not permitted\n", False),  # an error of its own (AVERROR(EPERM))
    (1, b"", False),
    (-signal.SIGKILL, b"", False),
])
def test_which_ends_of_ffmpeg_are_a_ctrl_c(returncode, err, interrupted):
    assert encode._stopped_by_ctrl_c(returncode, err) is interrupted


@pytest.mark.e2e
def test_an_ffmpeg_that_fails_is_still_a_failure():
    with pytest.raises(NarrateError, match="ffmpeg failed to play a tone"):
        encode._run(["-f", "lavfi", "-i", "nosuchsource", "-f", "null", "-"], "play a tone")


INTERRUPTED = "narrate: interrupted; finished work is kept"


@pytest.fixture
def busy_machine():
    """Every core kept busy while the test runs (each spinner stops by itself in 2 min)."""
    spin = "import time\nend = time.monotonic() + 120\nwhile time.monotonic() < end: pass"
    spinners = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(os.cpu_count() or 1)]
    yield
    for spinner in spinners:
        spinner.kill()
        spinner.wait()


@contextlib.contextmanager
def _held_at(point, args, tmp_path, voices="espeak"):
    """`narrate ARGS` in a session of its own (as a terminal runs it), held at the fault
    point `point`: yields the process and the pid that holds; its group is gone after."""
    hold = tmp_path / "held"
    env = {**os.environ, "NARRATE_VOICES": voices, "NARRATE_HOLD_AT": point,
           "NARRATE_HOLD_FILE": str(hold)}
    process = subprocess.Popen(
        [sys.executable, "-m", "narrate", *map(str, args)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
    try:
        assert wait_until(lambda: hold.exists() and hold.read_text(), 600, process), \
            process.communicate()
        yield process, int(hold.read_text())
    finally:
        stop_group(process.pid)


def _build_held_at(point, source, tmp_path, voices="espeak"):
    return _held_at(point, ["build", source, "--out", tmp_path / "out", "--cache",
                            tmp_path / "c"], tmp_path, voices)


def _sigint_blocked(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status").read_text()
    return bool(int(status.split("SigBlk:")[1].split()[0], 16) & 1 << (signal.SIGINT - 1))


def _ctrl_c_ends_it(process, tmp_path) -> None:
    """Ctrl-C as a terminal sends it (SIGINT to the whole process group) ends the build with
    the one true line and exit 130, leaving no scratch and no process behind."""
    os.killpg(process.pid, signal.SIGINT)
    _out, err = process.communicate(timeout=60)  # a guard against a hang, not a timing
    assert "ffmpeg failed" not in err
    assert err.strip().splitlines() == [INTERRUPTED], err
    assert process.returncode == 130
    assert not list((tmp_path / "out").rglob("*.pcm"))
    assert not list((tmp_path / "out").rglob(".*.tmp*"))
    assert wait_until(lambda: not alive_in_group(process.pid), 30)


@pytest.mark.slow
@pytest.mark.parametrize("voices, point", [
    ("espeak", "convert"),  # a chapter converted
    ("espeak", "render:3"),  # voice workers rendering
    ("espeak", "encode-aac:1"),  # the other encodes still running, ffmpeg among them
    ("espeak", "encode-mp3:1"),
    ("espeak", "sidecars"),
    ("natural", "render:2"),  # the neural voice renders in threads of the build's process
])
def test_ctrl_c_from_a_terminal_at_every_stage(small_book, tmp_path, busy_machine, voices, point):
    """In the first seconds of encoding this printed "ffmpeg failed to encode 15 AAC
    piece(s) of 04: 255" and exited 2, as late as 36 s after (test_a_ctrl_c_while_a_clip_…
    holds why)."""
    with _build_held_at(point, small_book, tmp_path, voices) as (process, _holder):
        _ctrl_c_ends_it(process, tmp_path)


@pytest.mark.e2e
def test_a_voice_worker_never_hears_a_terminal_s_ctrl_c(small_book, tmp_path):
    """A terminal's Ctrl-C reaches the voice workers too: one still starting (importing
    narrate, loading its engine) died of it with "Exception in initializer: …
    KeyboardInterrupt" on stderr whenever it was quicker than the build's own stop. SIGINT
    is blocked in a worker from its first instruction; the build's main thread hears it."""
    with _build_held_at("worker", small_book, tmp_path) as (process, worker):
        assert _sigint_blocked(worker)
        _ctrl_c_ends_it(process, tmp_path)


@pytest.mark.e2e
def test_ctrl_c_while_check_asr_s_listeners_start_stops_it_at_once(small_book, tmp_path):
    """The same for `check --asr`'s listeners; and the clips still waiting were all heard
    first: its pool was left waiting for every transcription (minutes on a book)."""
    build = subprocess.run([sys.executable, "-m", "narrate", "build", str(small_book), "--out",
                            str(tmp_path / "out"), "--cache", str(tmp_path / "c")],
                           capture_output=True, text=True, timeout=600, check=False)
    assert build.returncode == 0, build.stderr
    args = ["check", tmp_path / "out" / "book", "--asr", "-j", "2"]
    with _held_at("listener", args, tmp_path) as (process, listener):
        assert _sigint_blocked(listener)
        _ctrl_c_ends_it(process, tmp_path)


# ---- progress ------------------------------------------------------------------------------

def _counts(lines: list[str], label: str) -> list[int]:
    return [int(line.split(": ")[1].split("/")[0]) for line in lines if line.startswith(label)]


@pytest.mark.e2e
def test_a_build_into_a_pipe_says_how_far_it_has_got(small_book, tmp_path):
    """Not on a terminal a build said nothing for minutes. Now a line every few seconds
    on stderr, what is done and about how long is left; NARRATE_PROGRESS_EVERY=0 makes it
    a line a step, so that the test waits for no clock."""
    result = subprocess.run(
        [sys.executable, "-m", "narrate", "build", str(small_book), "--out", str(tmp_path / "out"),
         "--cache", str(tmp_path / "c")], capture_output=True, text=True, timeout=600,
        env={**os.environ, "NARRATE_PROGRESS_EVERY": "0"}, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    rendered = int(re.search(r"segments: (\d+) rendered", result.stdout)[1])
    assert _counts(lines, "rendering: ") == list(range(1, rendered + 1))
    assert _counts(lines, "assembling: ") == [1, 2]  # its two chapters
    encodes = _counts(lines, "encoding: ")
    assert encodes == list(range(1, len(encodes) + 1)) and len(encodes) >= 4  # MP3 and AAC
    for label in ("rendering", "assembling", "encoding"):
        said = [line for line in lines if line.startswith(f"{label}: ")]
        assert all(re.search(r", about \d+ (s|min) left$", line) for line in said[:-1]), said
        assert re.search(r", done in \d+ (s|min)$", said[-1]), said
    assert re.search(r"rendering: .* \d+\.\d min of audio", lines[0])
    assert not [line for line in result.stdout.splitlines() if re.match(r"\w+: \d+/", line)]


@pytest.mark.unit
def test_a_progress_line_says_what_is_done_and_estimates_the_rest(monkeypatch, capsys):
    monkeypatch.setenv("NARRATE_PROGRESS_EVERY", "0")
    with Progress("rendering", 274) as bar:
        for _ in range(120):
            bar.advance(3.0)
        assert bar.line(40.0) == "rendering: 120/274 segments, 6.0 min of audio, about 51 s left"
        assert bar.line(600.0) == ("rendering: 120/274 segments, 6.0 min of audio, about 13 min "
                                   "left")
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 120 and said[0].startswith("rendering: 1/274 segments, 0.1 min of audio")
    with Progress("listening", 3, False) as quiet:  # progress=False: nothing at all
        quiet.advance()
    assert capsys.readouterr().err == ""


@pytest.mark.unit
def test_progress_whose_reader_has_gone_lets_the_work_go_on(monkeypatch):
    """`narrate build … 2>&1 | head`: once head has gone, a progress line would raise
    BrokenPipeError and stop a long build for the sake of a line nobody reads."""
    class Gone(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setenv("NARRATE_PROGRESS_EVERY", "0")
    monkeypatch.setattr(sys, "stderr", Gone())
    with Progress("rendering", 3) as bar:
        for _ in range(3):
            bar.advance()
    assert bar.done == 3


@pytest.mark.unit
@pytest.mark.parametrize("value, seconds", [("", 5.0), ("0", 0.0), ("2.5", 2.5)])
def test_the_seconds_between_progress_lines(monkeypatch, value, seconds):
    monkeypatch.setenv("NARRATE_PROGRESS_EVERY", value)
    assert every() == seconds


@pytest.mark.unit
@pytest.mark.parametrize("value", ["often", "-1", "nan"])
def test_a_bad_progress_interval_is_named(monkeypatch, value):
    monkeypatch.setenv("NARRATE_PROGRESS_EVERY", value)
    with pytest.raises(NarrateError, match=f"NARRATE_PROGRESS_EVERY={value}: not a number"):
        every()


# ---- the command line's words ----------------------------------------------------------------

@pytest.mark.unit
@pytest.mark.parametrize("args, offered", [
    (["build", "book.md", "--frobnicate"], None),  # click offered --bitrate and --voices
    (["build", "book.md", "--bitrat", "64"], "--bitrate"),
    (["build", "book.md", "--voice", "espeak"], "--voices"),
    (["build", "book.md", "--dryrun"], "--dry-run"),
    (["check", "--asr", "--treshold", "0.3"], "--threshold"),
    (["--frobnicate", "build"], None),  # the group's own flags
    (["--debg", "build"], "--debug"),
])
def test_an_unknown_flag_is_offered_only_a_close_one(args, offered):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    error = result.output.strip().splitlines()[-1]
    unknown = next(a for a in args if a.startswith("--") and a != "--asr")
    if offered:
        assert error == f"Error: No such option '{unknown}'. Did you mean '{offered}'?", error
    else:
        assert error == f"Error: No such option '{unknown}'.", error
