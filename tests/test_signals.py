"""Interrupts, progress and the command line's words (issue 35, Trust III: signals)."""

import builtins
import io
import signal
import threading
import wave

import numpy as np
import pytest
from conftest import wait_until

from narrate.errors import NarrateError
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
