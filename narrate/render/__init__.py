"""Render segments to WAV files: cached by content, in parallel worker processes.

    report = render_items(items, profiles, Cache(), jobs=2)

Workers are grouped by voice profile: a pyttsx3 engine is configured once per
process, so each worker process serves exactly one profile.
"""

from __future__ import annotations

import os
import time
from collections.abc import Set as AbstractSet
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from narrate.convert.speakable import says
from narrate.errors import NarrateError
from narrate.faults import checkpoint
from narrate.model import Book, Segment
from narrate.problems import counted
from narrate.progress import Progress
from narrate.render.cache import (
    Cache,
    audio_key,
    voice_fingerprint,
)
from narrate.render.cast import spoken
from narrate.render.engines import (
    SynthesisError,
    check_engine,
    check_voice,
    create_engine,
    engine_version,
    quiet_stdout,
)
from narrate.render.executors import Executor, LocalExecutor
from narrate.render.items import RenderItem, line_item, speaker_names
from narrate.render.profiles import VoiceProfile, profiles_for
from narrate.render.take import synthesize_to_cache

IN_PROCESS_MAX = 3  # this few segments of one voice render here: starting a pool costs more

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11

    from narrate.values import BookPlan


@dataclass
class Failure:
    id: str
    text: str
    error: str


@dataclass
class RenderReport:
    paths: dict[str, Path] = field(default_factory=dict)  # item id -> cached WAV
    keys: dict[str, str] = field(default_factory=dict)  # item id -> audio key
    frames: dict[str, int] = field(default_factory=dict)  # item id -> sample count
    audio_seconds: float = 0.0
    rendered_seconds: float = 0.0  # of those, the takes rendered this time
    rendered: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    worker_mb: dict[str, float] = field(default_factory=dict)  # role -> a worker's peak memory

    def summary(self) -> list[str]:
        speed = f", {self.audio_seconds / self.seconds:.0f}x real time" if self.rendered else ""
        return [(f"rendered {counted(len(self.rendered), 'segment')}, reused {len(self.reused)} from the "
                f"cache: {self.audio_seconds / 60:.1f} min of audio in {self.seconds:.1f} s"
                f"{speed}")] + self.memory_summary()

    def memory_summary(self) -> list[str]:
        return ["peak memory per worker: " + ", ".join(
            f"{role} {mb:.0f} MB" for role, mb in sorted(self.worker_mb.items()))
        ] if self.worker_mb else []

    def failure_lines(self) -> list[str]:
        return [f"failed {f.id}: {f.error} — \"{' '.join(f.text.split()[:10])} …\" (run again "
                "to try again)" for f in self.failed] + (
            [f"{counted(len(self.failed), 'segment')} failed; the others are kept"] if self.failed else [])


def book_items(book: Book) -> list[RenderItem]:
    """The lines to render: those a voice can say (`lint` names those none can: a
    paragraph of symbols, which a voice would render as silence)."""
    speakers = speaker_names(book)
    return [line_item(s, speakers) for s in book.segments if sayable_line(s, book.language)]


def sayable_line(segment: Segment, language: str) -> bool:
    return says(segment.say, segment.language or language)


def item_keys(items: list[RenderItem], profiles: dict[str, VoiceProfile]) -> dict[str, str]:
    profiles = profiles_for({i.voice for i in items}, profiles)
    voices = {role: voice_fingerprint(p, engine_version(p.engine)) for role, p in profiles.items()}
    return {i.id: audio_key(spoken(i, profiles[i.voice]).say, voices[i.voice], i.take)
            for i in items}


def render_items(items: list[RenderItem], profiles: dict[str, VoiceProfile], cache: Cache,
                 jobs: int | None = None, force: AbstractSet[str] = frozenset(),
                 progress: bool | None = None) -> RenderReport:
    """Render every item not already cached (or in `force`); never raises for one bad item."""
    with Renderer(profiles, cache, jobs) as renderer:
        return renderer.render(items, force, progress)


class Renderer:
    """Workers, one set per voice profile (narrate.render.executors).

    A build uses one for a single render, each voice's workers gone when it is done; a
    preview session keeps one with a LocalExecutor(keep_warm=True), so that its engines
    stay warm between previews.
    """

    def __init__(self, profiles: dict[str, VoiceProfile], cache: Cache, jobs: int | None = None,
                 executor: Executor | None = None):
        self.profiles = profiles
        self.cache = cache
        self.jobs = jobs or os.cpu_count() or 1
        self.executor = executor or LocalExecutor(cache)
        self._checked: set[str] = set()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(kill=kind is not None)

    def close(self, kill: bool = False) -> None:
        self.executor.close(kill)

    def warm(self, roles) -> None:
        """Start each role's workers and their engines now, before there is work."""
        if isinstance(self.executor, LocalExecutor):
            for role in roles:
                self._check(self.profiles[role])
                self.executor.ready(self.profiles[role], self.jobs)

    def render_plan(self, plan: BookPlan, progress: bool | None = None) -> RenderReport:
        """A planned book's lines, under the keys the plan gave them; `only` taken again."""
        return self.render(plan.items, plan.forced, progress, plan.keys)

    def render(self, items: list[RenderItem], force: AbstractSet[str] = frozenset(),
               progress: bool | None = None, keys: dict[str, str] | None = None) -> RenderReport:
        started = time.perf_counter()
        report = RenderReport()
        profiles = profiles_for({i.voice for i in items}, self.profiles)
        report.keys = keys or item_keys(items, profiles)
        self.cache.clean_temporary()
        with self.cache.in_use(report.keys.values()):  # no prune takes them meanwhile
            self._render_through_cache(items, force, progress, profiles, report)
        report.seconds = time.perf_counter() - started
        return report

    def _render_through_cache(self, items, force, progress, profiles, report) -> None:
        todo: dict[str, list[RenderItem]] = {}  # key -> the items that share it
        for item in items:
            key = report.keys[item.id]
            cached = None if item.id in force or key in todo else self.cache.get(key)
            if cached:
                report.paths[item.id] = cached
                report.reused.append(item.id)
            else:
                todo.setdefault(key, []).append(item)
        if todo:
            self._render_missing(todo, profiles, report, progress)
        rendered = set(report.rendered)
        for item in items:
            path = report.paths.get(item.id) or self.cache.get(report.keys[item.id])
            if path:
                report.paths[item.id] = path
                frames, rate = self.cache.info(path)
                report.frames[item.id] = frames
                report.audio_seconds += frames / rate
                report.rendered_seconds += frames / rate if item.id in rendered else 0.0

    def _render_missing(self, todo, profiles, report, progress) -> None:
        by_role: dict[str, list[tuple[str, RenderItem]]] = {}
        for key, group in todo.items():
            item = group[0]
            by_role.setdefault(item.voice, []).append((key, spoken(item, profiles[item.voice])))
        total = sum(len(v) for v in by_role.values())
        if total <= IN_PROCESS_MAX and len(by_role) == 1 and \
                isinstance(self.executor, LocalExecutor):
            [(role, work)] = by_role.items()
            engine = _local_engine(profiles[role])
            if engine is not None:  # a few segments of one voice: no pool to start
                self._render_here(engine, work, todo, report)
                return
        with Progress("rendering", total, progress) as bar:
            # the largest role first; roles whose voice shares its workers (a neural
            # voice's profiles) go to them together, each engine set up once a worker
            pools: dict[str, list[tuple[VoiceProfile, list]]] = {}
            for role, work in sorted(by_role.items(), key=lambda kv: -len(kv[1])):
                self._check(profiles[role])
                pools.setdefault(self.executor.pool_of(profiles[role]), []).append(
                    (profiles[role], work))
            for group in pools.values():
                self._render_roles(group, todo, report, bar)
                for profile, _ in group:
                    self.executor.done_with(profile)

    def _check(self, profile: VoiceProfile) -> None:
        if profile.role not in self._checked:
            check_engine(profile.engine)
            check_voice(profile)
            self._checked.add(profile.role)

    def _render_here(self, engine, work, todo, report) -> None:
        for key, item in work:
            try:
                with quiet_stdout():
                    synthesize_to_cache(engine, item.say, key, self.cache, item.take)
            except (SynthesisError, NarrateError, OSError, ValueError) as exc:
                report.failed += [Failure(i.id, i.text or i.say, str(exc)) for i in todo[key]]
                continue
            report.rendered += [i.id for i in todo[key]]
            checkpoint("render")

    def _render_roles(self, group, todo, report, bar) -> None:
        """Every batch of these roles' work, sent at once to the workers they share."""
        workers = min(self.jobs, sum(len(work) for _, work in group))
        pending = {}
        for profile, work in group:
            size = max(1, min(self.executor.batch_size, len(work) // (workers * 4)))
            for start in range(0, len(work), size):
                batch = work[start:start + size]
                future = self.executor.submit(
                    profile, [(key, item.say, item.take) for key, item in batch], workers)
                pending[future] = (profile, batch)
        for done in futures.as_completed(pending):
            profile, batch = pending[done]
            try:
                outcomes = done.result()
            except futures.process.BrokenProcessPool as exc:
                raise NarrateError(f"a {profile.role} voice worker died ({exc}); run again: "
                                   "finished segments are kept") from None
            except Exception as exc:  # Ray's own errors, once its retries are spent
                if type(exc).__module__.split(".")[0] != "ray":
                    raise
                raise NarrateError(f"the Ray cluster lost the {profile.role} voice's workers "
                                   f"({type(exc).__name__}); run again: finished segments "
                                   "are kept") from None
            for (key, _), outcome in zip(batch, outcomes):
                self._record(profile, key, outcome, todo, report, bar)

    @staticmethod
    def _record(profile, key, outcome, todo, report, bar) -> None:
        if isinstance(outcome, str):
            report.failed += [Failure(i.id, i.text or i.say, outcome) for i in todo[key]]
            bar.advance(0.0)
            return
        seconds, peak_mb = outcome
        report.rendered += [i.id for i in todo[key]]
        report.worker_mb[profile.role] = max(report.worker_mb.get(profile.role, 0), peak_mb)
        bar.advance(seconds)
        checkpoint("render")


_LOCAL: dict[str, object] = {}  # this process's own engine: pyttsx3 allows one profile


def _local_engine(profile: VoiceProfile):
    """An engine in this process for `profile`, or None when it already serves another one."""
    fingerprint = profile.fingerprint()
    if fingerprint not in _LOCAL:
        if _LOCAL:
            return None
        check_engine(profile.engine)
        check_voice(profile)
        _LOCAL[fingerprint] = create_engine(profile)
    return _LOCAL[fingerprint]
