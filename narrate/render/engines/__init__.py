"""Speech engines as plug-ins: one module per engine in this package, found by the
`engine:` of a voice profile. Nothing outside this package names an engine.

    synthesiser = create_engine(profile)         # once per worker process
    synthesiser.synthesize(say, Path("a.wav"))
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from narrate.errors import NarrateError
from narrate.fileio import nearest
from narrate.render.engines.base import (
    EngineModule,
    Synthesiser,
    SynthesisError,
    VoiceInfo,
    VoiceProfile,
    quiet_stdout,
)

__all__ = [
    "SynthesisError",
    "VoiceInfo",
    "check_engine",
    "check_voice",
    "create_engine",
    "engine",
    "engine_names",
    "engine_version",
    "installed",
    "list_voices",
    "own_rate",
    "pool_key",
    "quiet_stdout",
    "runs_in_threads",
]
DEFAULT = "pyttsx3"


@functools.cache
def _registry() -> dict[str, EngineModule]:
    found: dict[str, EngineModule] = {}
    for info in pkgutil.iter_modules(__path__):
        plugin = getattr(importlib.import_module(f"{__name__}.{info.name}"), "ENGINE", None)
        if plugin is not None:  # an engine's module names its engine ENGINE
            found[plugin.NAME] = plugin
    return found


def engine_names() -> tuple[str, ...]:
    """Every engine narrate knows, the default first."""
    return tuple(sorted(_registry(), key=lambda name: (name != DEFAULT, name)))


def engine(name: str, source: str = "") -> EngineModule:
    if name not in _registry():
        raise NarrateError(f"unknown engine {name!r}", where=source or "voice profile",
                           hint=nearest(name, engine_names()))
    return _registry()[name]


def check_engine(name: str, source: str = "") -> None:
    """Fail early, in one line, when the engine's parts are missing."""
    engine(name, source).check()


def installed(name: str) -> bool:
    try:
        check_engine(name)
    except NarrateError:
        return False
    return True


def check_voice(profile: VoiceProfile) -> None:
    """The profile's voice and options are the engine's (the message names the file)."""
    engine(profile.engine, profile.source).validate(profile)


def create_engine(profile: VoiceProfile) -> Synthesiser:
    plugin = engine(profile.engine, profile.source)
    plugin.check()
    return plugin.open_engine(profile)


def pool_key(profile: VoiceProfile) -> str:
    """Which worker processes can serve `profile`: an engine whose model takes every
    setting line by line (SHARES_MODEL) serves every profile of one voice from the same
    processes; a pyttsx3 engine takes its voice once, so one profile a process."""
    if getattr(engine(profile.engine, profile.source), "SHARES_MODEL", False):
        return f"{profile.engine}:{profile.voice}"
    return profile.fingerprint()


def runs_in_threads(profile: VoiceProfile) -> bool:
    """Whether the profile's engine renders in threads of this process (THREADS), its
    one model shared, instead of in worker processes that each load it."""
    return bool(getattr(engine(profile.engine, profile.source), "THREADS", False))


def own_rate(profile: VoiceProfile) -> int:
    """The sample rate of the profile's takes."""
    return engine(profile.engine, profile.source).RATE


@functools.cache
def engine_version(name: str) -> str:
    """Part of every cache key: a new engine version re-renders."""
    return engine(name).version()


def list_voices(name: str = DEFAULT) -> list[VoiceInfo]:
    check_engine(name)
    return engine(name).voices()


def check_cast(profiles: dict[str, VoiceProfile]) -> list[str]:
    """Check every profile's engine and voice (the first bad one raises); a line each."""
    lines = []
    for role, p in sorted(profiles.items()):
        check_engine(p.engine, p.source)
        check_voice(p)
        lines.append(f"ok  {role:10} {p.engine} {p.voice} rate {p.rate} pitch {p.pitch} "
                     f"volume {p.volume}  ({p.source})")
    return lines
