"""One take: a line spoken by an engine into the cache, checked before it is kept.
Used by the renderer here and by its worker processes (executors)."""

from __future__ import annotations

import contextlib
import wave
from pathlib import Path

from narrate.measure import is_silent, np
from narrate.patterns import regex
from narrate.render.cache import Cache, wav_frames, wav_info
from narrate.render.engines import SynthesisError

ATTEMPTS = 3
MAX_SAY = 2000  # characters an engine is given at once, unless it says (`max_say`)
# where a reader pauses, best first: after a sentence, after a clause, between words
_BREAKS = (regex(r"[.!?…][\"”’)\]]*\s+"), regex(r"[,;:—–]\s+"), regex(r"\s+"))


def synthesize_to_cache(engine, say: str, key: str, cache: Cache, take: int = 1) -> float:
    """Synthesise take `take` of `say` into a temporary file, check it, commit it under
    its key. A `say` longer than the engine takes is spoken in pieces and their audio
    joined (espeak-ng crashed the process on 42,000 characters without a full stop,
    every rebuild alike)."""
    temp = cache.temp_path(key)
    try:
        pieces = say_pieces(say, getattr(engine, "max_say", MAX_SAY))
        if len(pieces) == 1:
            _take(engine, say, temp, take)
        else:
            _joined_take(engine, pieces, temp, take)
        frames, rate = wav_info(temp)
        cache.commit(temp, key)
        return frames / rate
    finally:
        temp.unlink(missing_ok=True)


def _take(engine, say: str, path: Path, take: int) -> None:
    """The pyttsx3 espeak driver now and then hands back an empty WAV when the machine
    is busy (seen here about once in a hundred files under load): a bad take is tried
    again, up to ATTEMPTS times, before the segment counts as failed."""
    problem = ""
    for _ in range(ATTEMPTS):
        engine.synthesize(say, path, take)
        problem = take_problem(path, say)
        if not problem:
            return
    raise SynthesisError(problem)


def _joined_take(engine, pieces: list[str], path: Path, take: int) -> None:
    """Each piece taken (and checked) on its own, its frames appended to one WAV: memory
    holds one piece at a time."""
    part = path.with_name(f"{path.stem}.piece{path.suffix}")
    with contextlib.ExitStack() as stack:
        stack.callback(part.unlink, missing_ok=True)
        joined = None
        for piece in pieces:
            _take(engine, piece, part, take)
            with wave.open(str(part), "rb") as spoken:
                if joined is None:  # opened once a piece says what the audio is
                    joined = stack.enter_context(wave.open(str(path), "wb"))
                    joined.setparams(spoken.getparams())
                elif spoken.getparams()[:3] != joined.getparams()[:3]:
                    raise SynthesisError("the engine changed its audio format between the "
                                         "pieces of a long line")
                joined.writeframes(spoken.readframes(spoken.getnframes()))


def say_pieces(say: str, limit: int) -> list[str]:
    """`say` in pieces of at most `limit` characters, cut where a reader pauses (after a
    sentence, else a clause, else a word; a word longer than `limit` anywhere). Linear:
    each cut looks at the `limit` characters after the last one."""
    if len(say) <= limit:
        return [say]
    pieces, at = [], 0
    while len(say) - at > limit:
        cut = _cut(say[at:at + limit + 1])
        pieces.append(say[at:at + cut].strip())
        at += cut
    pieces.append(say[at:].strip())
    return [piece for piece in pieces if piece]


def _cut(window: str) -> int:
    """Where to end a piece in `window` (one character longer than a piece may be)."""
    limit = len(window) - 1
    for pattern in _BREAKS:
        ends = [m.end() for m in pattern.finditer(window) if m.start() > 0]
        if ends:
            return min(ends[-1], limit)
    return limit


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
