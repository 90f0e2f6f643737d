"""Worker processes that never run the caller's script, never hear a terminal's Ctrl-C
(the caller's main thread does, and stops them at once: `stop_pool`).

narrate's workers are spawned (a fresh interpreter each: a pyttsx3 engine cannot be
reconfigured, and a forked copy would inherit the parent's). A spawned child normally
imports the parent's `__main__` first, so a plain script that calls `narrate.build()`
without an `if __name__ == "__main__":` guard would run again in every worker. The
workers need nothing from `__main__` (their functions live in narrate), so the data a
new worker is prepared with leaves it out.
"""

from __future__ import annotations

import contextlib
import multiprocessing.context
import signal
import threading
from concurrent import futures
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


def block_ctrl_c() -> None:
    """Block SIGINT in this thread, and so in every worker process it starts (a process
    starts with its parent thread's signal mask). A terminal's Ctrl-C goes to the whole
    process group: a worker still starting (importing, loading its model) died of it with
    a traceback. The caller's main thread hears it and stops the workers."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


@contextlib.contextmanager
def ctrl_c_held():
    """block_ctrl_c while worker processes are started here; a Ctrl-C meanwhile is heard
    when the block ends."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def stop_pool(pool: futures.Executor) -> None:
    """Ctrl-C or an error: stop a pool's workers now (what they finished is kept already).

    Never waits on the pool itself: a worker stopped while it hands back a result can
    leave the pool's reader blocked for good, so the workers are joined with a deadline
    and killed if they linger. Threads finish the segment they are on (a second or less)."""
    if isinstance(pool, futures.ThreadPoolExecutor):
        pool.shutdown(wait=False, cancel_futures=True)
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
