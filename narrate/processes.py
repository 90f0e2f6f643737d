"""Worker processes that never run the caller's script.

narrate's workers are spawned (a fresh interpreter each: a pyttsx3 engine cannot be
reconfigured, and a forked copy would inherit the parent's). A spawned child normally
imports the parent's `__main__` first, so a plain script that calls `narrate.build()`
without an `if __name__ == "__main__":` guard would run again in every worker. The
workers need nothing from `__main__` (their functions live in narrate), so the data a
new worker is prepared with leaves it out.
"""

from __future__ import annotations

import multiprocessing.context
import threading
from multiprocessing import spawn

_LAUNCH = threading.Lock()  # the preparation hook below is process-wide while it is set


def _without_main(name: str) -> dict:
    data = _ORIGINAL(name)
    data.pop("init_main_from_path", None)
    data.pop("init_main_from_name", None)
    return data


_ORIGINAL = spawn.get_preparation_data


class _WorkerProcess(multiprocessing.context.SpawnProcess):
    def start(self) -> None:
        with _LAUNCH:
            spawn.get_preparation_data = _without_main
            try:
                super().start()
            finally:
                spawn.get_preparation_data = _ORIGINAL


class _WorkerContext(multiprocessing.context.SpawnContext):
    Process = _WorkerProcess


def worker_context() -> multiprocessing.context.BaseContext:
    """The context for narrate's process pools: spawned, without the caller's script."""
    return _WorkerContext()
