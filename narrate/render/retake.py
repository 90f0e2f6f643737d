"""Take a failing segment again: the loop of `build --verify N`, with the judge passed in
(narrate.qa.verify judges by level and length, and listens when it can). Each retake of a
line is its next take, another delivery of it (engines/base.take_pace): every engine's
differs, espeak-ng's too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from narrate.model import MAX_TAKE
from narrate.render.profiles import VoiceProfile

# (the new takes: item -> its WAV, the cast) -> item id -> what is wrong ('' when fine)
Judge = Callable[[dict, dict[str, VoiceProfile]], dict[str, str]]


@dataclass
class RetakeReport:
    checked: int = 0
    retaken: list[str] = field(default_factory=list)  # ids rendered again
    failing: dict[str, str] = field(default_factory=dict)  # id -> what is still wrong
    listened: bool = False  # whether a speech recogniser judged them too
    takes: dict[str, int] = field(default_factory=dict)  # id -> the retake that passed


def retake_failing(renderer, items: list, report, judge: Judge, retakes: int) -> RetakeReport:
    """Judge the takes `report` rendered; render each failing line's next take, up to
    `retakes` times. A line that passes on a retake is in `takes` with the take that
    passed (the book must play it); one still failing keeps the take it had."""
    current = {item.id: item for item in items}
    result = RetakeReport(checked=len(report.rendered),
                          listened=bool(getattr(judge, "listens", False)))
    todo = list(report.rendered)
    unrendered: dict[str, str] = {}  # id -> why its last retake has no audio
    for attempt in range(retakes + 1):
        takes: dict = {current[i]: Path(report.paths[i]) for i in todo}
        problems = judge(takes, renderer.profiles) if todo else {}
        if attempt:
            result.takes.update({i: current[i].take for i, wrong in problems.items()
                                 if not wrong})
        todo = [i for i, problem in problems.items() if problem]
        result.failing = {i: problems[i] for i in todo}
        if not todo or attempt == retakes:
            break
        current.update({i: replace(current[i], take=min(current[i].take + 1, MAX_TAKE))
                        for i in todo})
        again = renderer.render([current[i] for i in todo])
        report.paths.update(again.paths)
        result.retaken += todo
        unrendered.update({f.id: f"its take {current[f.id].take} failed ({f.error})"
                           for f in again.failed})
        todo = [i for i in todo if i not in unrendered]
    result.failing.update(unrendered)
    return result
