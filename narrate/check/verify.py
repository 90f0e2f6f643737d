"""`narrate build --verify N`: check each newly rendered segment and render a failing
one again, up to N times (a neural engine's new take differs; espeak-ng's differs
only when the first was a glitch), then report what still fails."""

from __future__ import annotations

import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from narrate.check.listen import ASR_RATE, asr_installed, word_error_rate
from narrate.check.mastering import segment_measures, segment_problems


@dataclass
class VerifyReport:
    checked: int = 0
    retaken: list[str] = field(default_factory=list)  # ids rendered again
    failing: dict[str, str] = field(default_factory=dict)  # id -> what is still wrong
    listened: bool = False  # whether the speech recogniser judged them too


def take_problem(path: Path, say: str, wpm: int, heard: str | None = None,
                 threshold: float = 0.35) -> str:
    """What is wrong with one rendered take, or ''."""
    with wave.open(str(path)) as handle:
        rate = handle.getframerate()
        pcm = np.frombuffer(handle.readframes(handle.getnframes()), np.int16)
    problems = segment_problems(segment_measures(pcm, rate, say, wpm))
    if problems:
        return problems[0]
    if heard is not None and word_error_rate(say, heard) > threshold:
        return f"WER {word_error_rate(say, heard):.0%}: heard “{heard[:80]}”"
    return ""


def _as_16k(path: Path) -> np.ndarray:
    with wave.open(str(path)) as handle:
        rate = handle.getframerate()
        pcm = np.frombuffer(handle.readframes(handle.getnframes()), np.int16) / 32768
    times = np.arange(0, len(pcm) / rate, 1 / ASR_RATE)
    return np.interp(times, np.arange(len(pcm)) / rate, pcm).astype(np.float32)


def verify_takes(renderer, items, report, profiles, retakes: int, jobs: int,
                 progress=None) -> VerifyReport:
    """Check report.rendered; render failing ones again (force) up to `retakes` times."""
    from narrate.check.listen import transcribe_all

    by_id = {item.id: item for item in items}
    result = VerifyReport(checked=len(report.rendered), listened=asr_installed())
    todo = list(report.rendered)
    for attempt in range(retakes + 1):
        heard = (transcribe_all({i: _as_16k(report.paths[i]) for i in todo}, jobs, progress)
                 if result.listened and todo else {})
        problems = {i: take_problem(report.paths[i], by_id[i].say,
                                    profiles[by_id[i].role].rate, heard.get(i)) for i in todo}
        todo = [i for i, problem in problems.items() if problem]
        result.failing = {i: problems[i] for i in todo}
        if not todo or attempt == retakes:
            break
        again = renderer.render([by_id[i] for i in todo], force=set(todo), progress=progress,
                                keys={i: report.keys[i] for i in todo})
        report.paths.update(again.paths)
        result.retaken += todo
    return result
