"""How good is one rendered take: level and length against its words, and with
narrate[asr] what a listener hears. `build --verify N` judges new takes with it."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from narrate.qa.listen import ASR_RATE, asr_installed, word_error_rate
from narrate.qa.mastering import segment_measures, segment_problems


def quality_problem(path: Path, say: str, wpm: int, heard: str | None = None,
                    threshold: float = 0.35) -> str:
    """What is wrong with one rendered take, or '' (render's `take_problem` only asks
    whether the file is usable at all)."""
    return _problem(*read_take(path), say, wpm, heard, threshold)


def _problem(pcm: np.ndarray, rate: int, say: str, wpm: int, heard: str | None,
             threshold: float = 0.35) -> str:
    problems = segment_problems(segment_measures(pcm, rate, say, wpm))
    if problems:
        return problems[0]
    if heard is not None and word_error_rate(say, heard) > threshold:
        return f"WER {word_error_rate(say, heard):.0%}: heard “{heard[:80]}”"
    return ""


def read_take(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as handle:
        return np.frombuffer(handle.readframes(handle.getnframes()), np.int16), handle.getframerate()


def as_16k(pcm: np.ndarray, rate: int) -> np.ndarray:
    times = np.arange(0, len(pcm) / rate, 1 / ASR_RATE)
    return np.interp(times, np.arange(len(pcm)) / rate, pcm / 32768).astype(np.float32)


class TakeJudge:
    """The judge of `build --verify`: level and length, and what a speech recogniser
    hears when narrate[asr] is installed (narrate.render.retake runs the loop)."""

    def __init__(self, jobs: int, progress=None):
        self.jobs, self.progress = jobs, progress
        self.listens = asr_installed()

    def __call__(self, takes: dict, profiles: dict) -> dict[str, str]:
        from narrate.qa.listen import transcribe_all

        pcm = {item.id: read_take(path) for item, path in takes.items()}
        heard = (transcribe_all({i: as_16k(*pcm[i]) for i in pcm}, self.jobs, self.progress)
                 if self.listens and pcm else {})
        return {item.id: _problem(*pcm[item.id], item.say, profiles[item.voice].rate,
                                  heard.get(item.id)) for item in takes}
