"""Progress of long work, on stderr: a bar on a terminal (counts, audio minutes, ETA);
elsewhere (a pipe, a log) a line every few seconds, such as "rendering: 120/274
segments, about 1 min left", so that a build or `check --asr` run from a script or a
service is not silent for minutes. NARRATE_PROGRESS_EVERY sets the seconds between
lines (0: a line a step)."""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING

from narrate.errors import NarrateError

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from typing_extensions import Self  # typing.Self from Python 3.11

EVERY = "NARRATE_PROGRESS_EVERY"
DEFAULT_EVERY = 5.0  # seconds between lines where there is no bar


class Progress:
    """`enabled`: None or True shows it (a bar on a terminal, lines elsewhere); False not."""

    def __init__(self, label: str, total: int, enabled: bool | None = None,
                 unit: str = "segments"):
        self.label, self.total, self.unit = label, total, unit
        self.enabled = enabled is not False and total > 0
        self.audio = 0.0
        self.done = 0
        self._bar: RichProgress | None = None
        self._started = self._said = time.monotonic()
        self._lines = 0

    def __enter__(self) -> Self:
        if self.enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[audio]}"), TimeRemainingColumn(),
                                     console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total, audio="")
        elif self.enabled:
            self._every = every()
        return self

    def advance(self, seconds: float = 0.0) -> None:
        """One more done; `seconds` of audio with it."""
        self.done += 1
        self.audio += seconds
        if self._bar:
            self._bar.update(self._task, advance=1, audio=self._audio_words())
        elif self.enabled:
            now = time.monotonic()
            # the last step too, once a line has been said: the reader sees it end
            if now - self._said >= self._every or (self.done == self.total and self._lines):
                self._said = now
                self._lines += 1
                self._say(self.line(now - self._started))

    def line(self, elapsed: float) -> str:
        """"rendering: 120/274 segments, 8.1 min of audio, about 1 min left"."""
        audio = f", {self._audio_words()}" if self.audio else ""
        if self.done >= self.total:
            return f"{self.label}: {self.done}/{self.total} {self.unit}{audio}, done in " \
                   f"{_duration(elapsed)}"
        left = elapsed / self.done * (self.total - self.done)
        return f"{self.label}: {self.done}/{self.total} {self.unit}{audio}, about " \
               f"{_duration(left)} left"

    def _say(self, line: str) -> None:
        try:
            print(line, file=sys.stderr, flush=True)
        except OSError:  # a log's reader gone (`2>&1 | head`): the work goes on unsaid
            self.enabled = False

    def _audio_words(self) -> str:
        return f"{self.audio / 60:.1f} min of audio" if self.audio else ""

    def __exit__(self, *exc) -> None:
        if self._bar:
            self._bar.stop()


def every() -> float:
    """The seconds between lines: NARRATE_PROGRESS_EVERY, or DEFAULT_EVERY."""
    text = os.environ.get(EVERY, "")
    try:
        seconds = float(text) if text.strip() else DEFAULT_EVERY
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # a NaN too
        raise NarrateError(f"{EVERY}={text}: not a number of seconds; give one such as 5, or 0 "
                           "for a line a step")
    return seconds


def _duration(seconds: float) -> str:
    """"40 s", "3 min", "2 h 5 min": as much as an estimate can say."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 90 else f"{minutes // 60} h {minutes % 60} min"
