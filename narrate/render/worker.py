"""The work every worker does, wherever it runs: a batch of segments synthesised into the
cache, [(audio key, say, take)] -> [(seconds, peak MB) or an error message]."""

from __future__ import annotations

import os
import sys

from narrate.errors import NarrateError
from narrate.faults import checkpoint
from narrate.render.cache import Cache
from narrate.render.engines import SynthesisError, quiet_stdout
from narrate.render.take import synthesize_to_cache

Outcome = tuple[float, float] | str  # (seconds of audio, the worker's peak MB) or an error
Work = tuple[str, str, int]  # (audio key, say, take)


def render_batch(engine, cache: Cache, work: list[Work]) -> list[Outcome]:
    """Synthesise each (key, say, take) into the cache; one bad segment does not stop the
    rest."""
    import resource

    scale = 1 << 20 if sys.platform == "darwin" else 1024  # bytes there, KiB on Linux
    outcomes: list[Outcome] = []
    for key, say, take in work:
        checkpoint("segment")
        try:
            with quiet_stdout():
                seconds = synthesize_to_cache(engine, say, key, cache, take)
        except (SynthesisError, NarrateError, OSError, ValueError) as exc:
            outcomes.append(str(exc) or type(exc).__name__)
            continue
        outcomes.append((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale))
    return outcomes


def silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the espeak driver prints from its own thread
    if devnull != 1:
        os.close(devnull)  # fd 1 holds it now
