"""`narrate build --verify N`: check each newly rendered segment and render a failing
one again, up to N times (a neural engine's new take differs; espeak-ng's differs
only when the first was a glitch), then report what still fails."""

from __future__ import annotations

import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from narrate.qa.listen import ASR_RATE, asr_installed, word_error_rate
from narrate.qa.mastering import segment_measures, segment_problems


@dataclass
class VerifyReport:
    checked: int = 0
    retaken: list[str] = field(default_factory=list)  # ids rendered again
    failing: dict[str, str] = field(default_factory=dict)  # id -> what is still wrong
    listened: bool = False  # whether the speech recogniser judged them too


def quality_problem(path: Path, say: str, wpm: int, heard: str | None = None,
                    threshold: float = 0.35) -> str:
    """What is wrong with one rendered take, or '' (render's `take_problem` only asks
    whether the file is usable at all)."""
    return _problem(*_read_take(path), say, wpm, heard, threshold)


def _problem(pcm: np.ndarray, rate: int, say: str, wpm: int, heard: str | None,
             threshold: float = 0.35) -> str:
    problems = segment_problems(segment_measures(pcm, rate, say, wpm))
    if problems:
        return problems[0]
    if heard is not None and word_error_rate(say, heard) > threshold:
        return f"WER {word_error_rate(say, heard):.0%}: heard “{heard[:80]}”"
    return ""


def _read_take(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as handle:
        return np.frombuffer(handle.readframes(handle.getnframes()), np.int16), handle.getframerate()


def _as_16k(pcm: np.ndarray, rate: int) -> np.ndarray:
    times = np.arange(0, len(pcm) / rate, 1 / ASR_RATE)
    return np.interp(times, np.arange(len(pcm)) / rate, pcm / 32768).astype(np.float32)


def verify_takes(renderer, items, report, profiles, retakes: int, jobs: int,
                 progress=None) -> VerifyReport:
    """Check report.rendered; render failing ones again (force) up to `retakes` times."""
    from narrate.qa.listen import transcribe_all

    by_id = {item.id: item for item in items}
    result = VerifyReport(checked=len(report.rendered), listened=asr_installed())
    todo = list(report.rendered)
    for attempt in range(retakes + 1):
        takes = {i: _read_take(report.paths[i]) for i in todo}
        heard = (transcribe_all({i: _as_16k(*takes[i]) for i in todo}, jobs, progress)
                 if result.listened and todo else {})
        problems = {i: _problem(*takes[i], by_id[i].say, profiles[by_id[i].role].rate,
                                heard.get(i)) for i in todo}
        todo = [i for i, problem in problems.items() if problem]
        result.failing = {i: problems[i] for i in todo}
        if not todo or attempt == retakes:
            break
        again = renderer.render([by_id[i] for i in todo], force=set(todo), progress=progress,
                                keys={i: report.keys[i] for i in todo})
        report.paths.update(again.paths)
        result.retaken += todo
    return result
