"""A progress bar on a terminal (counts, audio minutes, ETA); silent when not on one."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from typing_extensions import Self  # typing.Self from Python 3.11


class Progress:
    def __init__(self, label: str, total: int, enabled: bool | None = None):
        self.label = label
        self.total = total
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.audio = 0.0
        self._bar: RichProgress | None = None

    def __enter__(self) -> Self:
        if self.enabled and self.total:
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
        return self

    def advance(self, seconds: float = 0.0) -> None:
        """One more done; `seconds` of audio with it."""
        self.audio += seconds
        if self._bar:
            audio = f"{self.audio / 60:.1f} min audio" if self.audio else ""
            self._bar.update(self._task, advance=1, audio=audio)

    def __exit__(self, *exc) -> None:
        if self._bar:
            self._bar.stop()
