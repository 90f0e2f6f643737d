"""The profiles a book's measurements (narrate.measure, on the decoded files) are judged
against, and the judgement of one spoken segment."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from narrate.errors import DamagedFile, NarrateError
from narrate.measure import scan_array
from narrate.patterns import regex
from narrate.stitch.timeline import Mastering

SPEECH_MIN_DB = -45.0  # a spoken segment quieter than this has no speech in it
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
    # the RMS judged is the speech's (measure.speech_rms_db), as the build levels it; ACX
    # publishes the whole file's, room tone and pauses in it
    speech: bool = True

    @property
    def level(self) -> str:
        """The measure of a file this profile's RMS window judges."""
        return "speech_rms_db" if self.speech else "rms_db"


# The audiobook platforms' usual mastering window (ACX's published requirements):
# a QA profile for that window, not a promise that a platform will accept the book.
ACX = CheckProfile("acx", rms=(-23.0, -18.0), peak=-3.0, noise_floor=-60.0, head=(0.5, 1.0),
                   tail=(1.0, 5.0), sample_rate=44100, min_kbps=192, max_minutes=120,
                   speech=False)


def default_profile(mastering: Mastering) -> CheckProfile:
    """The build's own targets, with room for what an encoder does to levels."""
    lead, tail = mastering.lead_in_ms / 1000, mastering.tail_ms / 1000
    return CheckProfile("default", rms=(mastering.rms_db - 1.0, mastering.rms_db + 1.0),
                        peak=mastering.peak_db, head=(lead - 0.1, lead + 0.5),
                        tail=(tail - 0.1, tail + 1.0), sample_rate=mastering.sample_rate,
                        exact_kbps=mastering.bitrate_kbps)


def profile_named(name: str, mastering: Mastering) -> CheckProfile:
    if name == "acx":
        return ACX
    if name == "default":
        return default_profile(mastering)
    raise NarrateError(f"unknown check profile {name!r}; use default or acx")


def probe(path: Path) -> dict:
    try:
        result = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams",
                                 "-show_chapters", "-of", "json", str(path)], capture_output=True,
                                text=True, check=False)
    except FileNotFoundError:
        raise NarrateError("ffprobe is not installed (it comes with ffmpeg); install it "
                           "(apt-get install ffmpeg, or brew install ffmpeg) and check again") \
            from None
    if result.returncode != 0:
        raise DamagedFile(f"ffprobe cannot read it ({_said(result.stderr, path)})",
                          where=str(path), hint="build the book again")
    return json.loads(result.stdout)


def _said(stderr: str, path: Path) -> str:
    """ffmpeg's complaint on one line, without the file's name and the demuxer's address
    ("[mp3 @ 0x55c6…] Failed to read frame size; Invalid argument")."""
    lines = [re.sub(r"^\[[^\]]{1,80} @ 0x[0-9a-f]+\] ", "", line.strip()).removeprefix(
        f"{path}: ") for line in stderr.splitlines()[-4:] if line.strip()]
    return "; ".join(lines)[-200:] or "no reason given"


def segment_measures(span: np.ndarray, rate: int, say: str, wpm: int) -> dict:
    """A spoken segment's level, clipping and length, and the length its words predict."""
    rms, clipped = scan_array(span, rate, [(0, len(span))]).span_measures(0)
    return spoken_measures(len(span) / rate, rms, clipped, say, wpm)


def spoken_measures(seconds: float, rms_db: float, clipped: int, say: str, wpm: int) -> dict:
    """A segment's measures, and the length its words predict at `wpm`: counted in
    syllables, as a voice says them. Counted in words, a line of short words predicted
    twice what the natural voice took ("This is the end of Odd.", 1.2 s for 2.4 s), and
    check failed narrate's own closing lines; on the first chapters of Pride and Prejudice
    the shortest segment went from 0.48 of its prediction to 0.55, the median stayed 0.79."""
    from narrate.qa.listen import normalise

    words = normalise(say)
    syllables = sum(_syllables(word) for word in words)
    return {"seconds": round(seconds, 3),
            "predicted": round(syllables / SYLLABLES_PER_WORD / wpm * 60, 2),
            "words": len(words), "rms_db": rms_db, "clipped": clipped}


SYLLABLES_PER_WORD = 1.45  # of English prose: a rate in words a minute, in syllables
_VOWELS = regex(r"[aeiouy]+")


def _syllables(word: str) -> int:
    """A written English word's syllables, near enough: its groups of vowels, a final
    silent e not counted."""
    count = len(_VOWELS.findall(word))
    if count > 1 and word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        count -= 1
    return max(1, count)


def segment_problems(m: dict) -> list[str]:
    """What is wrong with a segment's measures: silent, clipped, too short or too long."""
    problems = []
    if m["rms_db"] < SPEECH_MIN_DB:
        problems.append(f"is silent ({m['rms_db']:.0f} dB)")
    if m["clipped"] > CLIPPED_SAMPLES:
        problems.append(f"is clipped ({m['clipped']} samples at full scale)")
    if m["words"] >= 4 and not SHORTEST * m["predicted"] <= m["seconds"] <= LONGEST * m["predicted"]:
        problems.append(f"lasts {m['seconds']:.1f} s where its {m['words']} words predict about "
                        f"{m['predicted']:.1f} s")
    return problems
