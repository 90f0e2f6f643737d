"""Actors on a Ray cluster (`pip install narrate[ray]`): RayExecutor. Ray is imported when
one is made, so that this module imports without it."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent import futures
from typing import Any

from narrate.errors import NarrateError
from narrate.render.cache import Cache
from narrate.render.engines import create_engine
from narrate.render.profiles import VoiceProfile
from narrate.render.worker import Outcome, Work, render_batch, silence_stdout


class SegmentActor:
    """One voice profile's engine in a Ray worker process (made a Ray actor by
    RayExecutor, so that this module imports without Ray)."""

    def __init__(self, profile: VoiceProfile, cache_root: str):
        silence_stdout()
        self.engine = create_engine(profile)
        self.cache = Cache(cache_root)

    def render(self, work: list[Work]) -> list[Outcome]:
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
