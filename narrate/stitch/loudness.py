"""A chapter's loudness: the one gain that brings its speech to the target RMS, and the
smooth limiter that keeps its peaks under the ceiling, applied a chunk at a time (each
with the limiter's reach on both sides, so a piece levels the same wherever it sits).

The level is the speech's (narrate.measure.speech_rms_db: the 10 ms windows louder than
silence), not the whole file's: a short chapter is mostly narrate's own room tone and
pauses, and levelling the whole of it to the target pushed its speech 20 dB into the
limiter and still missed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from narrate.measure import CHUNK, Scan, peak_db, scan_array, speech_rms_db, squares_db

GAIN_TOLERANCE_DB = 0.5  # keep the last build's chapter gain while it is this close
Reader = Callable[[int, int], np.ndarray]  # (start, stop) -> a writable copy of those samples

# Encoding moves peaks: AAC at 64 kbit/s by up to about 0.5 dB, MP3 less. The limiter
# works this far under the ceiling so that every decoded file stays under it.
ENCODER_HEADROOM_DB = 0.8
MAKE_UP_ROUNDS = 5
PLAIN_ROUNDS = 8  # each round moves the plain gain less (a few windows more or less loud)


def chapter_gain_db(pcm: np.ndarray, target_rms_db: float, ceiling_db: float,
                    previous: float | None = None, rate: int = 22050) -> float:
    """`choose_gain` for a chapter in memory."""
    raw = scan_array(pcm, rate)
    return choose_gain(lambda gain: speech_rms_db(raw.energy, raw.width, gain), peak_db(pcm),
                       lambda gain: limited_rms_db(pcm, gain, ceiling_db, rate),
                       target_rms_db, ceiling_db, previous)


def choose_gain(speech_at: Callable[[float], float], peak: float,
                limited: Callable[[float], float], target_rms_db: float, ceiling_db: float,
                previous: float | None = None) -> float:
    """The one gain that brings the chapter's speech to the RMS target after the limiter:
    `speech_at(gain)` is its level at a gain without the limiter, `limited(gain)` the level
    the limiter leaves (what it takes off is made up, again until within 0.05 dB), `peak`
    the chapter's (dBFS). `previous` is kept while it still lands the chapter within
    GAIN_TOLERANCE_DB of the target (or is that close to the new gain)."""
    if keeps_gain(previous, limited, target_rms_db):
        return previous  # type: ignore[return-value]  # kept: not None
    gain = plain_gain(speech_at, target_rms_db)
    if gain is None:  # silence
        return 0.0
    # every gain tried is one that could be kept (to 0.01 dB): the last trial's levelling
    # is then the chapter's, not done again
    for _ in range(MAKE_UP_ROUNDS):  # the limiter takes off more as the gain rises
        if peak + gain <= ceiling_db:
            break
        off = target_rms_db - limited(gain)
        if abs(off) < 0.05:
            break
        gain = round(gain + off, 2)
    if previous is not None and abs(gain - previous) <= GAIN_TOLERANCE_DB:
        return previous
    return round(gain, 2)


def keeps_gain(previous: float | None, limited: Callable[[float], float],
               target_rms_db: float) -> bool:
    """Whether the last build's gain still lands the chapter within GAIN_TOLERANCE_DB of
    the target: one trial, which is an edit's levelling itself."""
    return previous is not None and abs(target_rms_db - limited(previous)) <= GAIN_TOLERANCE_DB


def plain_gain(speech_at: Callable[[float], float], target_rms_db: float) -> float | None:
    """The gain that brings the speech to the target without the limiter (None for
    silence): found again from each guess, as a gain lifts quiet windows out of silence."""
    gain = 0.0
    for _ in range(PLAIN_ROUNDS):
        level = speech_at(gain)
        if level <= -100:
            return None
        step = round(target_rms_db - level, 2)
        gain = round(gain + step, 2)
        if step == 0:
            break
    return gain


LIMITER_REACH = 1024  # samples on each side that a limited sample depends on (16 blocks)


def limited_rms_db(pcm: np.ndarray, gain_db: float, ceiling_db: float,
                   rate: int = 22050) -> float:
    """The speech's RMS `level` would leave, computed a chunk at a time (each with the
    limiter's reach on both sides), so a trial never copies the whole chapter."""
    return _limited_rms_db(lambda start, stop: pcm[start:stop].copy(), len(pcm), gain_db,
                           ceiling_db, rate)


def _limited_rms_db(read: Reader, samples: int, gain_db: float, ceiling_db: float,
                    rate: int) -> float:
    scan = Scan(rate)
    for chunk in levelled_chunks(read, samples, gain_db, ceiling_db):
        scan.feed(chunk)
    return squares_db(*scan.speech())


def levelled_chunks(read: Reader, samples: int, gain_db: float, ceiling_db: float,
                    start: int = 0, stop: int | None = None):
    """The levelled samples from `start` to `stop`, CHUNK at a time."""
    stop = samples if stop is None else stop
    for at in range(start, stop, CHUNK):
        end = min(stop, at + CHUNK)
        low = max(0, at - LIMITER_REACH)
        window = read(low, min(samples, end + LIMITER_REACH))
        level(window, gain_db, ceiling_db)
        yield window[at - low:end - low]


def level(pcm: np.ndarray, gain_db: float, ceiling_db: float) -> None:
    """Apply one gain to the whole chapter in place, with a smooth limiter under the ceiling.

    One gain for the chapter (never per sentence, which makes volume jump); where
    that gain would push a peak over the ceiling, the gain dips for a few
    milliseconds around it. Each sample depends only on its neighbourhood, so a
    piece of the chapter levels the same wherever it sits.
    """
    _apply(pcm, 10 ** (gain_db / 20), 32767 * 10 ** (ceiling_db / 20))


def _apply(pcm: np.ndarray, gain: float, ceiling: float, block: int = 64) -> None:
    """pcm *= gain in place, the gain lowered smoothly wherever a peak would pass the ceiling."""
    whole = len(pcm) // block * block
    peaks = np.concatenate([np.abs(pcm[i:min(i + CHUNK, whole)].astype(np.int32))
                            .reshape(-1, block).max(axis=1) for i in range(0, whole, CHUNK)]
                           + ([np.abs(pcm[whole:].astype(np.int32)).max(keepdims=True)]
                              if whole < len(pcm) else [])) * gain
    count = len(peaks)
    block_gains = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-9))
    # each block takes the smallest gain of itself and its neighbours (attack and release),
    # so the gain interpolated between block centres never exceeds what a block needs
    spread = block_gains.copy()
    for shift in range(1, 9):
        spread[shift:] = np.minimum(spread[shift:], block_gains[:-shift])
        spread[:-shift] = np.minimum(spread[:-shift], block_gains[shift:])
    limited = np.flatnonzero(spread < 1.0)
    original = {}  # the few stretches the limiter works on, before the plain gain
    runs = np.split(limited, np.flatnonzero(np.diff(limited) > 1) + 1) if limited.size else []
    for run in runs:
        first, last = max(run[0] - 1, 0), min(run[-1] + 1, count - 1)
        original[(first, last)] = pcm[first * block: (last + 1) * block].copy()
    for i in range(0, len(pcm), CHUNK):  # everywhere else: one gain
        scaled = pcm[i:i + CHUNK].astype(np.float32) * np.float32(gain)
        pcm[i:i + CHUNK] = np.clip(np.rint(scaled), -ceiling, ceiling).astype(np.int16)
    centres = np.arange(count) * block + block / 2
    for (first, last), samples in original.items():
        start = first * block
        envelope = np.interp(np.arange(start, start + len(samples)), centres[first:last + 1],
                             spread[first:last + 1])
        scaled = samples * (envelope * gain)
        pcm[start:start + len(samples)] = np.clip(np.rint(scaled), -ceiling, ceiling
                                                  ).astype(np.int16)
