"""Mastering measurements on the encoded files (decoded with ffmpeg, never the PCM
narrate had before encoding), and the profiles they are judged against."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from narrate.errors import NarrateError

WINDOW = 0.5  # seconds: loudness curve and noise floor
SILENT_DB = -50.0  # below this a stretch counts as silence (room tone)
SILENT_SEGMENT_DB = -45.0  # a spoken segment quieter than this has no speech
CLIPPED_SAMPLES = 10  # samples at full scale in one segment
SHORTEST, LONGEST = 0.5, 2.2  # a segment's length against what its words predict at its rate


@dataclass(frozen=True)
class CheckProfile:
    name: str
    rms: tuple[float, float]  # dBFS window for each file's RMS
    peak: float  # dBFS ceiling, sample peak
    noise_floor: float = -60.0
    head: tuple[float, float] = (0.5, 1.0)  # seconds of room tone before the first word
    tail: tuple[float, float] = (1.0, 5.0)  # and after the last
    sample_rate: int | None = None
    min_kbps: int | None = None
    exact_kbps: int | None = None
    max_minutes: float | None = None
    chapter_spread_db: float = 1.0  # chapters' RMS within this of each other
    segment_jump_db: float = 10.0  # neighbouring segments' RMS within this


# The audiobook platforms' usual mastering window (ACX's published requirements):
# a QA profile for that window, not a promise that a platform will accept the book.
ACX = CheckProfile("acx", rms=(-23.0, -18.0), peak=-3.0, noise_floor=-60.0, head=(0.5, 1.0),
                   tail=(1.0, 5.0), sample_rate=44100, min_kbps=192, max_minutes=120)


def default_profile(mastering: dict) -> CheckProfile:
    """The build's own targets, with room for what an encoder does to levels."""
    lead, tail = mastering["lead_in_ms"] / 1000, mastering["tail_ms"] / 1000
    return CheckProfile("default", rms=(mastering["rms_db"] - 1.0, mastering["rms_db"] + 1.0),
                        peak=mastering["peak_db"] + 0.5, head=(lead - 0.1, lead + 0.5),
                        tail=(tail - 0.1, tail + 1.0), sample_rate=mastering["sample_rate"],
                        exact_kbps=mastering["bitrate_kbps"])


def profile_named(name: str, mastering: dict) -> CheckProfile:
    if name == "acx":
        return ACX
    if name == "default":
        return default_profile(mastering)
    raise NarrateError(f"unknown check profile {name!r}; use default or acx")


def decode(path: Path) -> tuple[np.ndarray, int]:
    """The file as mono int16 at its own rate, and that rate."""
    rate = int(probe(path)["streams"][0]["sample_rate"])
    result = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0",
                             "-f", "s16le", "-ac", "1", "-"], capture_output=True)
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise NarrateError(f"{path}: ffmpeg cannot decode it ({detail[-1] if detail else '?'}); "
                           "build the book again")
    return np.frombuffer(result.stdout, np.int16), rate


def probe(path: Path) -> dict:
    result = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams",
                             "-show_chapters", "-of", "json", str(path)], capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise NarrateError(f"{path}: ffprobe cannot read it ({result.stderr.strip()[-200:]}); "
                           "build the book again")
    return json.loads(result.stdout)


def db(value: float) -> float:
    return float(20 * np.log10(max(value, 1e-6)))


def window_levels(pcm: np.ndarray, rate: int, seconds: float = WINDOW) -> np.ndarray:
    """RMS in dBFS of each `seconds` window."""
    size = max(1, int(rate * seconds))
    whole = len(pcm) // size * size
    if whole == 0:
        return np.array([db(0)])
    blocks = pcm[:whole].astype(np.float64).reshape(-1, size)
    return 20 * np.log10(np.maximum(np.sqrt((blocks ** 2).mean(axis=1)) / 32768, 1e-6))


def measure(pcm: np.ndarray, rate: int) -> dict:
    """RMS, sample peak, noise floor, room tone at both ends, and duration."""
    samples = pcm.astype(np.float64)
    levels = window_levels(pcm, rate, 0.01)
    loud = np.flatnonzero(levels > SILENT_DB)
    inside = samples[loud[0] * rate // 100:(loud[-1] + 1) * rate // 100] if loud.size else samples
    return {
        "rms_db": round(db(np.sqrt(np.mean(samples ** 2)) / 32768) if len(pcm) else -120.0, 2),
        "peak_db": round(db(np.abs(samples).max() / 32768) if len(pcm) else -120.0, 2),
        "noise_floor_db": noise_floor_db(inside, rate),
        "head_s": round(loud[0] * 0.01, 2) if loud.size else 0.0,
        "tail_s": round((len(levels) - 1 - loud[-1]) * 0.01, 2) if loud.size else 0.0,
        "seconds": round(len(pcm) / rate, 3),
    }


def noise_floor_db(samples: np.ndarray, rate: int) -> float:
    """The quietest WINDOW seconds between the first and the last word (sliding, in
    steps of 10 ms): what a listener hears in the pauses."""
    size, step = int(rate * WINDOW), max(1, rate // 100)
    if len(samples) <= size:
        return -120.0
    energy = np.concatenate([[0.0], np.cumsum(samples ** 2)])
    starts = np.arange(0, len(samples) - size, step)
    quietest = float(np.min(energy[starts + size] - energy[starts])) / size
    return round(db(np.sqrt(max(quietest, 0.0)) / 32768), 1)


def silent_stretches(pcm: np.ndarray, rate: int, longer_than: float) -> list[tuple[float, float]]:
    """(start, end) seconds of silences longer than `longer_than`, room tone at the ends aside."""
    levels = window_levels(pcm, rate, 0.05)
    loud = np.flatnonzero(levels > SILENT_DB)
    if not loud.size:
        return [(0.0, len(pcm) / rate)]
    holes = []
    for before, after in zip(loud, loud[1:]):
        if (after - before) * 0.05 > longer_than:
            holes.append((round((before + 1) * 0.05, 2), round(after * 0.05, 2)))
    return holes


def segment_measures(span: np.ndarray, rate: int, say: str, wpm: int) -> dict:
    """A spoken segment's level, clipping and length, and the length its words predict."""
    from narrate.check.listen import normalise

    samples = span.astype(np.float64)
    words = len(normalise(say))
    return {"seconds": round(len(span) / rate, 3), "predicted": round(words / wpm * 60, 2),
            "words": words,
            "rms_db": round(db(np.sqrt(np.mean(samples ** 2)) / 32768) if len(span) else -120, 1),
            "clipped": int(np.count_nonzero(np.abs(samples) >= 32700))}


def segment_problems(m: dict) -> list[str]:
    """What is wrong with a segment's measures: silent, clipped, too short or too long."""
    problems = []
    if m["rms_db"] < SILENT_SEGMENT_DB:
        problems.append(f"is silent ({m['rms_db']:.0f} dB)")
    if m["clipped"] > CLIPPED_SAMPLES:
        problems.append(f"is clipped ({m['clipped']} samples at full scale)")
    if m["words"] >= 4 and not SHORTEST * m["predicted"] <= m["seconds"] <= LONGEST * m["predicted"]:
        problems.append(f"lasts {m['seconds']:.1f} s where its {m['words']} words predict about "
                        f"{m['predicted']:.1f} s")
    return problems
