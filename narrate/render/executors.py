"""Where segments are synthesised: worker processes here (LocalExecutor, the default) or
actors on a Ray cluster (RayExecutor, `pip install narrate[ray]`).

Either way a worker serves one voice profile (a pyttsx3 engine takes its voice once per
process), loads its engine once, and takes segments in batches: [(audio key, say)] ->
[(seconds, peak MB) or an error message], each segment committed to the cache under
its key. Keys name content, so any worker anywhere can render any segment, and a batch
run twice (a worker lost, its batch retried) only writes the same entries again.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent import futures
from typing import Any, Protocol

from narrate.errors import NarrateError
from narrate.faults import checkpoint
from narrate.memory import give_back_freed, one_heap
from narrate.processes import worker_context
from narrate.render.cache import Cache
from narrate.render.engines import (
    SynthesisError,
    create_engine,
    pool_key,
    quiet_stdout,
    runs_in_threads,
)
from narrate.render.profiles import VoiceProfile
from narrate.render.take import synthesize_to_cache

Outcome = tuple[float, float] | str  # (seconds of audio, the worker's peak MB) or an error


class Executor(Protocol):
    """Runs batches of one voice profile's segments; `workers` at most at once."""
    batch_size: int  # segments a task: enough that a task is not too small to schedule

    def submit(self, profile: VoiceProfile, work: list[tuple[str, str]],
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
    previews) the pools live as long as the executor."""
    batch_size = 1

    def __init__(self, cache: Cache, keep_warm: bool = False):
        self.cache = cache
        self.keep_warm = keep_warm
        self._pools: dict[str, futures.Executor] = {}

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
        return self._pools[key].submit(_worker_render, profile, work)

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
                _stop(pool)
            else:
                pool.shutdown()
        self._pools.clear()


def _stop(pool: futures.Executor) -> None:
    """Ctrl-C or an error: stop the workers now. Finished entries are already in the cache.

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


_worker: dict = {}


def _worker_init(profile: VoiceProfile, cache_root: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _die_with_parent()
    _silence_stdout()
    _worker["engines"] = {profile.fingerprint(): create_engine(profile)}
    _worker["cache"] = Cache(cache_root)


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the espeak driver prints from its own thread


def _die_with_parent() -> None:
    """On Linux, a worker is killed when the build that started it dies (even by SIGKILL),
    instead of lingering with the build's output pipes open."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the call above
            os._exit(1)


def _worker_render(profile: VoiceProfile, work: list[tuple[str, str]]) -> list[Outcome]:
    engines = _worker["engines"]
    if profile.fingerprint() not in engines:  # another profile of the voice: its model is loaded
        engines[profile.fingerprint()] = create_engine(profile)
    return render_batch(engines[profile.fingerprint()], _worker["cache"], work)


# this process's engines for the thread pools: fingerprint -> (pool, engine)
_here: dict[str, tuple[str, object]] = {}
_here_lock = threading.Lock()


def _thread_render(profile: VoiceProfile, cache: Cache,
                   work: list[tuple[str, str]]) -> list[Outcome]:
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


def render_batch(engine, cache: Cache, work: list[tuple[str, str]]) -> list[Outcome]:
    """Synthesise each (key, say) into the cache; one bad segment does not stop the rest."""
    import resource


    scale = 1 << 20 if sys.platform == "darwin" else 1024  # bytes there, KiB on Linux
    outcomes: list[Outcome] = []
    for key, say in work:
        checkpoint("segment")
        try:
            with quiet_stdout():
                seconds = synthesize_to_cache(engine, say, key, cache)
        except (SynthesisError, NarrateError, OSError, ValueError) as exc:
            outcomes.append(str(exc) or type(exc).__name__)
            continue
        outcomes.append((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale))
    return outcomes


# ---- actors on a Ray cluster -----------------------------------------------------------------

class SegmentActor:
    """One voice profile's engine in a Ray worker process (made a Ray actor by
    RayExecutor, so that this module imports without Ray)."""

    def __init__(self, profile: VoiceProfile, cache_root: str):
        _silence_stdout()
        self.engine = create_engine(profile)
        self.cache = Cache(cache_root)

    def render(self, work: list[tuple[str, str]]) -> list[Outcome]:
        return render_batch(self.engine, self.cache, work)


RETRIES = 3  # a lost actor is started again and its batch run again, this many times


class RayExecutor:
    """Actors on a Ray cluster: `address` joins a running one (`ray start --head`), none
    starts one on this machine, on loopback. One actor per worker a profile, each
    loading its engine once; a lost actor is restarted and its batch run again (Ray's
    max_restarts and max_task_retries). The cache must be a path every node sees."""
    batch_size = 8

    def __init__(self, cache: Cache, address: str | None = None, jobs: int | None = None):
        try:
            import ray
        except ImportError:
            raise NarrateError("--executor ray needs Ray: pip install 'narrate[ray]'") from None
        self.ray, self.cache = ray, cache
        # Ray's C++ parts log at info level, and a busy machine can find those lines in
        # the build's output: only errors
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "error")
        if not ray.is_initialized():
            try:
                if address:
                    ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
                else:  # a private cluster on loopback: Ray binds the machine's own address
                    # on Linux unless told that clusters are off, which means 127.0.0.1
                    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
                    ray.init(address="local", num_cpus=jobs or os.cpu_count() or 1,
                             include_dashboard=False,
                             log_to_driver=False, logging_level=logging.ERROR)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise NarrateError(f"--address {address}: cannot join the Ray cluster "
                                   f"({' '.join(str(exc).split())[:200]}); start it with "
                                   "`ray start --head` or leave out --address") from None
        self._actor_class = ray.remote(num_cpus=1, max_restarts=RETRIES,
                                       max_task_retries=RETRIES)(SegmentActor)
        self._actors: dict[str, list] = {}
        self._next: dict[str, int] = {}
        self._tasks: dict[Callable, Any] = {}  # a function -> its Ray remote function

    def cpus(self) -> int:
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def submit(self, profile, work, workers):
        actors = self._actors.get(profile.role)
        if actors is None:
            actors = self._actors[profile.role] = [
                self._actor_class.remote(profile, self.cache.where())
                for _ in range(max(1, min(workers, self.cpus())))]
        turn = self._next.get(profile.role, 0)
        self._next[profile.role] = turn + 1
        return actors[turn % len(actors)].render.remote(work).future()

    def encoder(self):
        """Encodes as Ray tasks of a CPU each (ffmpeg reading the chapter's samples from
        the book's .parts folder, which every node must see, and writing its pieces there)."""
        def run(function, *args) -> futures.Future:
            remote = self._tasks.get(function)
            if remote is None:
                remote = self._tasks[function] = self.ray.remote(
                    num_cpus=1, max_retries=RETRIES)(function)
            return remote.remote(*args).future()
        return run

    def pool_of(self, profile):
        return profile.role  # actors serve one profile each

    def done_with(self, profile):
        """Let the profile's actors go: each holds a CPU the next voice needs."""
        for actor in self._actors.pop(profile.role, []):
            self.ray.kill(actor)

    def close(self, kill=False):
        for role in list(self._actors):
            for actor in self._actors.pop(role):
                self.ray.kill(actor)
