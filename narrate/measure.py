"""What narrate measures in audio, in one place: loudness (RMS), sample peak, silence
and the noise floor, on 16-bit mono samples. The stitcher levels by these, the check
judges the decoded files by them, and `build --verify` judges new takes by them.

Silence has one definition: audio at or below SILENCE_DB (room tone, pauses, an
engine's lead-in) is silent. The level a book is mastered to is its speech's: the RMS of
the 10 ms windows louder than silence (`speech_rms_db`). A whole file's RMS counts the
pauses and room tone, which are most of a short chapter.
"""

from __future__ import annotations

import importlib
import itertools
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from narrate.errors import DamagedFile, NarrateError


class _OnFirstUse:
    """A module imported when first used: a build with nothing to do measures nothing,
    and NumPy's import is a fifth of a second."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        module = importlib.import_module(self._name)
        globals()["np"] = module  # from now on the module itself
        return getattr(module, attribute)


if TYPE_CHECKING:
    import numpy as np
else:
    np = _OnFirstUse("numpy")

SILENCE_DB = -50.0  # dBFS: at or below this, audio is silence
WINDOW = 0.5  # seconds: the noise floor is the quietest window this long between words
FULL_SCALE = 32768
CLIP_LEVEL = 32700  # a sample this far out counts as at full scale
CHUNK = 1 << 18  # samples at a time in float arithmetic: memory stays flat however long


def db(value: float) -> float:
    return float(20 * np.log10(max(value, 1e-6)))


def sum_squares(pcm: np.ndarray) -> float:
    """The sum of the squared samples, a chunk at a time. Not np.dot: that is BLAS, whose
    idle threads spin on the cores the render workers and encoders need."""
    return float(sum(np.square(pcm[i:i + CHUNK], dtype=np.float64).sum()
                     for i in range(0, len(pcm), CHUNK)))


def rms_db(pcm: np.ndarray) -> float:
    """The RMS of 16-bit samples in dBFS (-120 for none)."""
    return squares_db(sum_squares(pcm), pcm.size)


def squares_db(squares: float, size: int) -> float:
    """The RMS in dBFS of `size` samples whose squares sum to `squares` (-120 for none)."""
    return -120.0 if size == 0 else db(np.sqrt(squares / size) / FULL_SCALE)


def peak_db(pcm: np.ndarray) -> float:
    return peak_value_db(max((peak_of(pcm[i:i + CHUNK]) for i in range(0, len(pcm), CHUNK)), default=0))


def peak_of(pcm: np.ndarray) -> int:
    """The largest sample, by magnitude."""
    return int(np.abs(pcm.astype(np.int32)).max())


def peak_value_db(peak: int) -> float:
    return db(peak / FULL_SCALE)


def is_silent(pcm: np.ndarray) -> bool:
    return rms_db(pcm) <= SILENCE_DB


def silent_energy(width: int) -> float:
    """The sum of squares at or under which a window of `width` samples is silence."""
    return width * (FULL_SCALE * 10 ** (SILENCE_DB / 20)) ** 2


def speech_sums(energy: np.ndarray, width: int, gain_db: float = 0.0) -> tuple[float, int]:
    """The windows (`energy`: each one's sum of squares, `width` samples a window) louder
    than silence once raised by `gain_db` (a gain lifts quiet windows out of silence too):
    their squares at that gain, summed, and their samples."""
    scale = 10 ** (gain_db / 10)
    loud = energy * scale > silent_energy(width)
    return float(energy[loud].sum()) * scale, int(np.count_nonzero(loud)) * width


def speech_rms_db(energy: np.ndarray, width: int, gain_db: float = 0.0) -> float:
    """The level of speech: the RMS in dBFS of `speech_sums` (-120 when all is silence)."""
    return squares_db(*speech_sums(energy, width, gain_db))


def median_f0(pcm: np.ndarray, rate: int) -> float:
    """Median F0 (Hz) of the voiced 40 ms frames, by autocorrelation (60-400 Hz): how
    far apart two voices sit (scripts/bench voices, the tests); 0.0 with none voiced."""
    x = pcm.astype(np.float64)
    frame, hop, found = int(0.04 * rate), int(0.01 * rate), []
    low, high = int(rate / 400), int(rate / 60)
    for start in range(0, len(x) - frame, hop):
        f = x[start:start + frame] - x[start:start + frame].mean()
        if np.sqrt((f ** 2).mean()) < 500:
            continue
        ac = np.correlate(f, f, "full")[frame - 1:]
        lag = low + int(np.argmax(ac[low:high]))
        if ac[lag] > 0.3 * ac[0]:
            found.append(rate / lag)
    return float(np.median(found)) if found else 0.0


def sound_bounds(pcm: np.ndarray, threshold_db: float = SILENCE_DB) -> tuple[int, int] | None:
    """The first and last sample louder than the threshold, or None when all is silence."""
    threshold = FULL_SCALE * 10 ** (threshold_db / 20)
    first = _first_loud(pcm, threshold)
    if first is None:
        return None
    last = _first_loud(pcm[::-1], threshold)
    assert last is not None
    return first, len(pcm) - 1 - last


def _first_loud(pcm: np.ndarray, threshold: float) -> int | None:
    """Where the first sample louder than `threshold` is, looking from the start in
    growing blocks: sound is near both ends of a take, so this reads little of it."""
    start, block = 0, 4096
    while start < len(pcm):
        loud = np.flatnonzero(np.abs(pcm[start:start + block].astype(np.int32)) > threshold)
        if loud.size:
            return start + int(loud[0])
        start, block = start + block, block * 2
    return None


BLOCK_SECONDS = 10  # decoded audio is read and measured this much at a time
SUM_BLOCK = 1 << 16  # 10 ms windows summed at a time for the noise floor (memory: a block's)


class Scan:
    """One pass over a file's samples, block by block, keeping only running sums and a
    sum of squares per 10 ms: memory grows by 8 bytes per 10 ms of audio (29 MB for ten
    hours), never with the audio itself. `spans` (start, end in samples) are measured
    too: their sum of squares and their samples at full scale."""

    def __init__(self, rate: int, spans: Sequence[tuple[int, int]] = ()):
        self.rate, self.width = rate, max(1, rate // 100)
        self.samples, self.sumsq, self.peak = 0, 0.0, 0
        self._energy: list[np.ndarray] = []
        self._carry = np.zeros(0)
        self.spans = list(spans)
        self.span_sumsq = np.zeros(len(self.spans))
        self.span_clipped = np.zeros(len(self.spans), dtype=np.int64)
        self._first = 0  # spans before this one have ended

    def feed(self, block: np.ndarray) -> None:
        x = block.astype(np.float64)
        if not len(x):
            return
        start = self.samples
        self.samples += len(x)
        squares = x * x
        self.sumsq += float(squares.sum())
        self.peak = max(self.peak, int(np.abs(block.astype(np.int32)).max()))
        joined = np.concatenate([self._carry, squares])
        whole = len(joined) // self.width * self.width
        self._energy.append(joined[:whole].reshape(-1, self.width).sum(axis=1))
        self._carry = joined[whole:]
        if self.spans:
            self._measure_spans(start, squares, np.abs(block.astype(np.int32)) >= CLIP_LEVEL)

    def _measure_spans(self, start: int, squares: np.ndarray, clipped: np.ndarray) -> None:
        end = start + len(squares)
        while self._first < len(self.spans) and self.spans[self._first][1] <= start:
            self._first += 1
        energy = np.concatenate([[0.0], np.cumsum(squares)])
        clips = np.concatenate([[0], np.cumsum(clipped)])
        i = self._first
        while i < len(self.spans) and self.spans[i][0] < end:
            a = max(self.spans[i][0], start) - start
            b = min(self.spans[i][1], end) - start
            if b > a:
                self.span_sumsq[i] += energy[b] - energy[a]
                self.span_clipped[i] += clips[b] - clips[a]
            i += 1

    @property
    def energy(self) -> np.ndarray:
        """Sum of squares of each 10 ms window (a last partial window left out)."""
        if len(self._energy) > 1:
            self._energy = [np.concatenate(self._energy)]
        return self._energy[0] if self._energy else np.zeros(0)

    def levels(self, seconds: float) -> np.ndarray:
        """RMS in dBFS of each `seconds` window (a multiple of 10 ms)."""
        group = max(1, round(seconds * 100))
        energy = self.energy
        whole = len(energy) // group * group
        if whole == 0:
            return np.array([db(0)])
        mean = energy[:whole].reshape(-1, group).sum(axis=1) / (group * self.width)
        return 20 * np.log10(np.maximum(np.sqrt(mean) / 32768, 1e-6))

    def measures(self) -> dict:
        """RMS, sample peak, noise floor, room tone at both ends, and duration."""
        first, last = self._loud_ends()
        windows = len(self.energy)
        empty = not self.samples
        return {
            "rms_db": -120.0 if empty else round(db(np.sqrt(self.sumsq / self.samples) / 32768), 2),
            "speech_rms_db": round(speech_rms_db(self.energy, self.width), 2),
            "peak_db": -120.0 if empty else round(db(self.peak / 32768), 2),
            "noise_floor_db": self.noise_floor_db(first, last),
            "head_s": round(first * 0.01, 2) if first is not None else 0.0,
            "tail_s": round((max(windows, 1) - 1 - last) * 0.01, 2) if last is not None else 0.0,
            "seconds": round(self.samples / self.rate, 3),
        }

    def _loud_ends(self) -> tuple[int | None, int | None]:
        """The first and last 10 ms window louder than SILENCE_DB, compared as sums of
        squares (a level for every window of a ten-hour book would be 100 MB of arrays)."""
        loud = self.energy > silent_energy(self.width)
        if not loud.any():
            return None, None
        return int(np.argmax(loud)), len(loud) - 1 - int(np.argmax(loud[::-1]))

    def noise_floor_db(self, first: int | None, last: int | None) -> float:
        """The quietest WINDOW seconds between the first and the last word (sliding, in
        steps of 10 ms): what a listener hears in the pauses."""
        size = round(WINDOW * 100)
        energy = self.energy if first is None or last is None else self.energy[first:last + 1]
        if len(energy) <= size:
            return -120.0
        quietest = np.inf
        for start in range(0, len(energy) - size + 1, SUM_BLOCK):
            total = np.concatenate([[0.0], np.cumsum(energy[start:start + SUM_BLOCK + size - 1])])
            quietest = min(quietest, float(np.min(total[size:] - total[:-size])))
        return round(db(np.sqrt(max(quietest, 0.0) / (size * self.width)) / 32768), 1)

    def silent_stretches(self, longer_than: float) -> list[tuple[float, float]]:
        """(start, end) seconds of silences longer than `longer_than`, room tone at the
        ends aside."""
        levels = self.levels(0.05)
        loud = np.flatnonzero(levels > SILENCE_DB)
        if not loud.size:
            return [(0.0, self.samples / self.rate)]
        return [(round((before + 1) * 0.05, 2), round(after * 0.05, 2))
                for before, after in itertools.pairwise(loud) if (after - before) * 0.05 > longer_than]

    def speech(self) -> tuple[float, int]:
        """The squares of the windows louder than silence, summed, and their samples."""
        return speech_sums(self.energy, self.width)

    def span_measures(self, i: int) -> tuple[float, int]:
        """A span's RMS in dBFS and its samples at full scale."""
        start, end = self.spans[i]
        n = max(0, min(end, self.samples) - start)
        rms = -120.0 if n <= 0 else round(db(np.sqrt(self.span_sumsq[i] / n) / 32768), 1)
        return rms, int(self.span_clipped[i])


def scan_file(path: Path, rate: int, spans: Sequence[tuple[int, int]] = ()) -> Scan:
    """Decode a file with ffmpeg (mono int16 at its own `rate`) and scan it as it streams."""
    scan = Scan(rate, spans)
    try:
        process = subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map",
                                    "0:a:0", "-f", "s16le", "-ac", "1", "-"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise NarrateError("ffmpeg is not installed; install it (apt-get install ffmpeg, or "
                           "brew install ffmpeg) and check again") from None
    block = rate * BLOCK_SECONDS * 2
    leftover = b""
    stdout, stderr = process.stdout, process.stderr
    assert stdout is not None and stderr is not None  # both are pipes
    while True:
        data = stdout.read(block)
        if not data:
            break
        data = leftover + data
        usable = len(data) // 2 * 2
        scan.feed(np.frombuffer(data[:usable], np.int16))
        leftover = data[usable:]
    errors = stderr.read().decode("utf-8", "replace").strip().splitlines()
    if process.wait() != 0:
        raise DamagedFile(f"ffmpeg cannot decode it ({errors[-1] if errors else '?'})",
                          where=str(path), hint="build the book again")
    return scan


def scan_array(pcm: np.ndarray, rate: int, spans: Sequence[tuple[int, int]] = ()) -> Scan:
    """The same measures for audio already in memory."""
    scan = Scan(rate, spans)
    for start in range(0, len(pcm), rate * BLOCK_SECONDS):
        scan.feed(pcm[start:start + rate * BLOCK_SECONDS])
    return scan


