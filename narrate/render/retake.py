"""Take a failing segment again: the loop of `build --verify N`, with the judge passed in
(narrate.qa.verify judges by level and length, and listens when it can). A neural
engine's new take differs; espeak-ng's differs only when the first was a glitch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from narrate.render.profiles import VoiceProfile

# (the new takes: item -> its WAV, the cast) -> item id -> what is wrong ('' when fine)
Judge = Callable[[dict, dict[str, VoiceProfile]], dict[str, str]]


@dataclass
class RetakeReport:
    checked: int = 0
    retaken: list[str] = field(default_factory=list)  # ids rendered again
    failing: dict[str, str] = field(default_factory=dict)  # id -> what is still wrong
    listened: bool = False  # whether a speech recogniser judged them too


def retake_failing(renderer, items: list, report, judge: Judge, retakes: int) -> RetakeReport:
    """Judge the takes `report` rendered; render failing ones again (forced) up to
    `retakes` times. `report.paths` ends up with the last takes."""
    by_id = {item.id: item for item in items}
    result = RetakeReport(checked=len(report.rendered),
                          listened=bool(getattr(judge, "listens", False)))
    todo = list(report.rendered)
    for attempt in range(retakes + 1):
        takes: dict = {by_id[i]: Path(report.paths[i]) for i in todo}
        problems = judge(takes, renderer.profiles) if todo else {}
        todo = [i for i, problem in problems.items() if problem]
        result.failing = {i: problems[i] for i in todo}
        if not todo or attempt == retakes:
            break
        again = renderer.render([by_id[i] for i in todo], force=set(todo),
                                keys={i: report.keys[i] for i in todo})
        report.paths.update(again.paths)
        result.retaken += todo
    return result
