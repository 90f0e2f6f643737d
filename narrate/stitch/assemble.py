"""Chapter audio: clips in order with their pauses, room tone, one join, one level.

pydub reads and converts each clip (channels, sample rate); the PCM is collected
in a list and joined once per chapter (never `+=` in a loop, which is quadratic).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydub import AudioSegment

from narrate.stitch.timeline import AAC_FRAME, Clip, Cue, Mastering

@dataclass
class ChapterAudio:
    pcm: np.ndarray  # int16 mono
    rate: int
    cues: list[Cue] = field(default_factory=list)

    @property
    def samples(self) -> int:
        return len(self.pcm)


def load_clip(path: Path, rate: int) -> np.ndarray:
    audio = AudioSegment.from_wav(str(path)).set_channels(1).set_sample_width(2)
    if audio.frame_rate != rate:
        audio = audio.set_frame_rate(rate)
    return np.frombuffer(audio.raw_data, dtype=np.int16)


def trim(pcm: np.ndarray, rate: int, threshold_db: float, margin_ms: int = 30) -> np.ndarray:
    """Cut the engine's own leading and trailing silence, keeping a short margin."""
    threshold = 32768 * 10 ** (threshold_db / 20)
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > threshold)
    if loud.size == 0:
        return pcm
    margin = rate * margin_ms // 1000
    return pcm[max(0, loud[0] - margin): loud[-1] + 1 + margin]


def silence(ms: int, rate: int) -> np.ndarray:
    return np.zeros(rate * ms // 1000, dtype=np.int16)


def assemble(clips: list[Clip], mastering: Mastering) -> ChapterAudio:
    rate = mastering.sample_rate
    chunks = [silence(mastering.lead_in_ms, rate)]
    position = len(chunks[0])
    cues = []
    for index, clip in enumerate(clips):
        pcm = trim(load_clip(clip.path, rate), rate, mastering.trim_db)
        cues.append(Cue(clip.id, clip.text, position, position + len(pcm), clip.section))
        pause = clip.pause_after_ms if index + 1 < len(clips) else mastering.tail_ms
        chunks += [pcm, silence(pause, rate)]
        position += len(pcm) + len(chunks[-1])
    chunks.append(np.zeros(-position % AAC_FRAME, dtype=np.int16))
    pcm = np.concatenate(chunks)  # the one join
    del chunks
    return ChapterAudio(level(pcm, mastering.rms_db, mastering.peak_db), rate, cues)


CHUNK = 1 << 20  # samples at a time in float arithmetic: memory stays flat however long


def _sum_squares(pcm: np.ndarray) -> float:
    return float(sum(np.dot(c, c) for c in
                     (pcm[i:i + CHUNK].astype(np.float64) for i in range(0, len(pcm), CHUNK))))


def rms_db(pcm: np.ndarray) -> float:
    if pcm.size == 0:
        return -120.0
    value = np.sqrt(_sum_squares(pcm) / pcm.size) / 32768
    return 20 * np.log10(max(value, 1e-6))


def peak_db(pcm: np.ndarray) -> float:
    peak = max((int(np.abs(pcm[i:i + CHUNK].astype(np.int32)).max())
                for i in range(0, len(pcm), CHUNK)), default=0) / 32768
    return 20 * np.log10(max(peak, 1e-6))


def level(pcm: np.ndarray, target_rms_db: float, ceiling_db: float) -> np.ndarray:
    """Gain the whole chapter to the RMS target, with a smooth limiter under the ceiling.

    One gain for the chapter (never per sentence, which makes volume jump); where
    that gain would push a peak over the ceiling, the gain dips for a few
    milliseconds around it. Two passes: the limiter's loss is made up once.
    """
    ceiling = 32767 * 10 ** (ceiling_db / 20)
    out = pcm.copy()
    for _ in range(2):
        current = rms_db(out)
        if current <= -100:
            break
        _apply(out, 10 ** ((target_rms_db - current) / 20), ceiling)
    return out


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
