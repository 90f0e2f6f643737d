"""Worker processes that never run the caller's script.

narrate's workers are spawned (a fresh interpreter each: a pyttsx3 engine cannot be
reconfigured, and a forked copy would inherit the parent's). A spawned child normally
imports the parent's `__main__` first, so a plain script that calls `narrate.pipeline()`
without an `if __name__ == "__main__":` guard would run again in every worker. The
workers need nothing from `__main__`, so while one starts it is not shown to them.
"""

from __future__ import annotations

import contextlib
import multiprocessing.context
import sys
import types


@contextlib.contextmanager
def _main_hidden():
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")  # no __file__, no __spec__
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


class _WorkerProcess(multiprocessing.context.SpawnProcess):
    def start(self) -> None:
        with _main_hidden():
            super().start()


class _WorkerContext(multiprocessing.context.SpawnContext):
    Process = _WorkerProcess


def worker_context() -> multiprocessing.context.BaseContext:
    """The context for narrate's process pools: spawned, without the caller's script."""
    return _WorkerContext()
