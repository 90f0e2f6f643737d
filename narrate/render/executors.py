"""Where segments are synthesised: worker processes here (LocalExecutor, the default) or
actors on a Ray cluster (RayExecutor in cluster.py, `pip install narrate[ray]`).

Either way a worker serves one voice profile (a pyttsx3 engine takes its voice once per
process), loads its engine once, and takes segments in batches: [(audio key, say,
take)] -> [(seconds, peak MB) or an error message], each segment committed to the cache
under its key. Keys name content, so any worker anywhere can render any segment, and a batch
run twice (a worker lost, its batch retried) only writes the same entries again.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent import futures
from typing import Protocol

from narrate.errors import NarrateError
from narrate.faults import checkpoint
from narrate.memory import give_back_freed, one_heap
from narrate.processes import block_ctrl_c, stop_pool, worker_context
from narrate.render.cache import Cache
from narrate.render.cluster import RayExecutor
from narrate.render.engines import create_engine, pool_key, runs_in_threads
from narrate.render.profiles import VoiceProfile
from narrate.render.worker import Outcome, Work, render_batch, silence_stdout


class Executor(Protocol):
    """Runs batches of one voice profile's segments; `workers` at most at once."""
    batch_size: int  # segments a task: enough that a task is not too small to schedule

    def submit(self, profile: VoiceProfile, work: list[Work],
               workers: int) -> futures.Future[list[Outcome]]: ...

    def done_with(self, profile: VoiceProfile) -> None: ...

    def pool_of(self, profile: VoiceProfile) -> str:
        """The workers that serve `profile` (profiles with the same may share them)."""

    def close(self, kill: bool = False) -> None: ...

    def encoder(self) -> Callable[..., futures.Future] | None:
        """Where the chapters' encodes run: None for this process's own threads."""


EXECUTORS = ("local", "ray")


def make_executor(name: str, cache: Cache, address: str | None = None,
                  jobs: int | None = None) -> Executor:
    if name == "local":
        return LocalExecutor(cache)
    if name == "ray":
        return RayExecutor(cache, address, jobs)
    raise NarrateError(f"--executor {name}: not an executor; give local or ray")


# ---- worker processes on this machine --------------------------------------------------------

class LocalExecutor:
    """A process pool per voice profile, or a thread pool in this process for an engine
    that runs in threads (one copy of its model for all). A segment a task: the pool is
    on this machine. Each pool goes when its voice is done, so that no more workers than
    cores hold memory at once; with `keep_warm` (a preview: its engines stay warm between
    previews) the pools live as long as the executor.

    A worker process dies with the thread that started it (_die_with_parent: Linux's
    parent-death signal follows the thread), so workers are started, and fed, only from
    the executor's own launcher thread, which lives as long as the executor: never from
    a caller's thread that may end first (a web server's, retired after an idle spell)."""
    batch_size = 1

    def __init__(self, cache: Cache, keep_warm: bool = False):
        self.cache = cache
        self.keep_warm = keep_warm
        self._pools: dict[str, futures.Executor] = {}
        self._launcher = _launcher()

    def submit(self, profile, work, workers):
        key = self.pool_of(profile)
        threads = runs_in_threads(profile)
        if key not in self._pools:
            if threads:
                one_heap()
            self._pools[key] = futures.ThreadPoolExecutor(workers) if threads else \
                futures.ProcessPoolExecutor(workers, mp_context=worker_context(),
                                            initializer=_worker_init,
                                            initargs=(profile, self.cache.where()))
        if threads:
            return self._pools[key].submit(_thread_render, profile, self.cache, work)
        # a process pool starts its processes in submit, in the thread that calls it
        return self._launcher.submit(self._pools[key].submit, _worker_render, profile,
                                     work).result()

    def pool_of(self, profile):
        return pool_key(profile)  # a neural voice's profiles share its workers

    def ready(self, profile: VoiceProfile, workers: int) -> None:
        """Start the profile's workers and their engines now, before there is work."""
        futures.wait([self.submit(profile, [], workers) for _ in range(workers)])

    def done_with(self, profile):
        if not self.keep_warm and self.pool_of(profile) in self._pools:
            self._pools.pop(self.pool_of(profile)).shutdown()
            _let_go(profile)

    def encoder(self):
        return None

    def close(self, kill=False):
        for pool in self._pools.values():
            if kill:
                stop_pool(pool)
            else:
                pool.shutdown()
        self._pools.clear()
        self._launcher.shutdown()  # after the pools: their workers die with it
        self._launcher = _launcher()  # its thread starts only if the executor is used again


def _launcher() -> futures.ThreadPoolExecutor:
    # its workers never hear a terminal's Ctrl-C: the build's main thread stops them
    return futures.ThreadPoolExecutor(1, thread_name_prefix="narrate-launcher",
                                      initializer=block_ctrl_c)


_worker: dict = {}


def _worker_init(profile: VoiceProfile, cache_root: str) -> None:
    checkpoint("worker")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _die_with_parent()
    silence_stdout()
    _worker["engines"] = {profile.fingerprint(): create_engine(profile)}
    _worker["cache"] = Cache(cache_root)


def _die_with_parent() -> None:
    """On Linux, a worker is killed when the build that started it dies (even by SIGKILL),
    instead of lingering with the build's output pipes open."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the call above
            os._exit(1)


def _worker_render(profile: VoiceProfile, work: list[Work]) -> list[Outcome]:
    engines = _worker["engines"]
    if profile.fingerprint() not in engines:  # another profile of the voice: its model is loaded
        engines[profile.fingerprint()] = create_engine(profile)
    return render_batch(engines[profile.fingerprint()], _worker["cache"], work)


# this process's engines for the thread pools: fingerprint -> (pool, engine)
_here: dict[str, tuple[str, object]] = {}
_here_lock = threading.Lock()


def _thread_render(profile: VoiceProfile, cache: Cache, work: list[Work]) -> list[Outcome]:
    with _here_lock:  # the first task loads the model; the others wait for it
        if profile.fingerprint() not in _here:
            _here[profile.fingerprint()] = (pool_key(profile), create_engine(profile))
    return render_batch(_here[profile.fingerprint()][1], cache, work)


def _let_go(profile: VoiceProfile) -> None:
    """Free the engines this process held for the profile's pool (its model with them):
    a build does not carry a voice's model through the encodes."""
    with _here_lock:
        for fingerprint in [f for f, (pool, _) in _here.items() if pool == pool_key(profile)]:
            del _here[fingerprint]
    gc.collect()
    give_back_freed()
