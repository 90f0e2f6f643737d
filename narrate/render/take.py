"""One take: a line spoken by an engine into the cache, checked before it is kept.
Used by the renderer here and by its worker processes (executors)."""

from __future__ import annotations

import wave
from pathlib import Path

from narrate.measure import is_silent, np
from narrate.render.cache import Cache, wav_frames, wav_info
from narrate.render.engines import SynthesisError

ATTEMPTS = 3


def synthesize_to_cache(engine, say: str, key: str, cache: Cache, take: int = 1) -> float:
    """Synthesise take `take` of `say` into a temporary file, check it, commit it under
    its key.

    The pyttsx3 espeak driver now and then hands back an empty WAV when the
    machine is busy (seen here about once in a hundred files under load): a bad
    take is tried again, up to ATTEMPTS times, before the segment counts as failed.
    """
    temp = cache.temp_path(key)
    problem = ""
    try:
        for _ in range(ATTEMPTS):
            engine.synthesize(say, temp, take)
            problem = take_problem(temp, say)
            if not problem:
                frames, rate = wav_info(temp)
                cache.commit(temp, key)
                return frames / rate
        raise SynthesisError(problem)
    finally:
        temp.unlink(missing_ok=True)


def take_problem(path: Path, say: str) -> str:
    """Why a rendered take is unusable, or '' when it is fine."""
    try:
        frames = wav_frames(path)
    except ValueError as exc:
        return f"the engine wrote a bad WAV ({exc})"
    with wave.open(str(path), "rb") as wav:
        pcm = wav.readframes(frames)
    if any(ch.isalnum() for ch in say) and is_silent(np.frombuffer(pcm, np.int16)):
        return "the engine returned silence for words"
    return ""
