"""What every engine module provides, and what they share.

An engine is a module in this package whose ENGINE has the attributes of `EngineModule`
(the module itself, or an object); the registry (`narrate.render.engines`) finds it by
its NAME, the `engine:` of a voice profile. Adding an engine is adding one module.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

# a voice profile (render/profiles.py reads them from YAML): here, beside the engine
# contract that takes it, so the registry and the profiles import in one direction
DEFAULT_PAUSES = {"sentence": 250, "paragraph": 900, "voice_change": 450, "list_item": 500}


@dataclass(frozen=True)
class VoiceProfile:
    role: str
    engine: str = "pyttsx3"
    voice: str = ""
    rate: int = 160
    pitch: int = 50
    volume: float = 1.0
    options: dict = field(default_factory=dict)  # engine-specific settings
    pauses: dict = field(default_factory=lambda: dict(DEFAULT_PAUSES))
    source: str = ""  # the file it came from, for messages
    name: str = ""  # who reads, for credits and tags when the book's metadata names no narrator
    # the book lexicon's phonemes for this engine: (spoken word, the engine's markup for
    # it); they change the text a take is made from, and so only its segments' keys
    phonemes: tuple[tuple[str, str], ...] = ()

    def synthesis_fields(self) -> dict:
        """Everything that changes the rendered audio of every line (not the role,
        pauses, file, name, or the phonemes of a few words)."""
        data = asdict(self)
        for key in ("role", "pauses", "source", "name", "phonemes"):
            data.pop(key)
        return data

    def fingerprint(self) -> str:
        return json.dumps(self.synthesis_fields(), sort_keys=True)



# A retake's pace against the profile's rate, by take (the first is the profile's): a new
# take reads the line a few percent slower or faster, which moves its timing and, in a
# neural voice, its intonation too (hibari's noise is reseeded as well), so that it is
# another delivery and never the same audio again; pitch and timbre stay the voice's,
# so that the take still sounds like the rest of the chapter. After the last the paces
# come round again (espeak-ng, which has no noise, says take 10 as it said take 2).
TAKE_PACES = (1.0, 0.96, 1.04, 0.94, 1.06, 0.98, 1.02, 0.92, 1.08)


def take_pace(take: int) -> float:
    """How much faster than the profile's rate take `take` of a line is read."""
    return 1.0 if take <= 1 else TAKE_PACES[1 + (take - 2) % (len(TAKE_PACES) - 1)]


class SynthesisError(Exception):
    """The engine failed on one segment (the build goes on with the others)."""


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...] = ()
    gender: str | None = None


class Synthesiser(Protocol):
    """An engine set up for one voice profile: one per process (see espeak.py). Its
    `max_say`, when it has one, is the most characters it is given at once: a longer
    line is spoken in pieces and joined (render/take.py; 2000 when it does not say)."""

    def synthesize(self, say: str, path: Path, take: int = 1) -> None:
        """Speak take `take` of `say` into a 16-bit mono WAV at `path` (the same take of
        the same text, the same samples; another take, others: `take_pace`);
        SynthesisError when it cannot."""


class EngineModule(Protocol):
    NAME: str  # a profile's `engine:`
    INSTALL: str  # how to install its parts, for messages
    NOTE: str  # a line for `narrate voices`, or ""
    RATE: int  # Hz of its takes: a book mastered at it resamples nothing

    def check(self) -> None:
        """Raise NarrateError naming the missing part and how to install it."""

    def version(self) -> str:
        """Everything that changes its audio for the same text; part of every cache key."""

    def voices(self) -> list[VoiceInfo]: ...

    def validate(self, profile: VoiceProfile) -> None:
        """Raise NarrateError when the profile's voice or options are not the engine's."""

    def voice_for_language(self, voice: str, language: str) -> str | None:
        """The voice to read a book in `language` with (given the profile's), or None
        when the engine speaks English only."""

    def open_engine(self, profile: VoiceProfile) -> Synthesiser: ...

    # Optional, for an engine with a pronouncing lexicon of its own (hibari):
    #   unknown_words(texts) -> for each text, the words it finds in none of its lexicons
    #     (spelled by rule), in order;
    #   mark_phonemes(word, phonemes) -> the text that makes it say `word` as `phonemes`
    #     (NarrateError naming what is wrong when it cannot say them);
    #   phonemes_for(text) -> how it says a text, in its phonemes.


class _Quiet:
    """Who is being quiet, process-wide: the first to enter silences, the last to leave
    restores. Render threads overlap: each saving and restoring on its own, the second
    to enter saved the silence and put it back for good (a build's summary vanished)."""
    lock = threading.Lock()
    depth = 0
    saved_fd = -1
    saved_stdout = None


@contextlib.contextmanager
def quiet_stdout():
    """Silence file descriptor 1 (C code and other threads print there too), and
    sys.stdout when it is not fd 1 (under a test runner's capture, say)."""
    with _Quiet.lock:
        if _Quiet.depth == 0:
            sys.stdout.flush()
            _Quiet.saved_fd = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.close(devnull)
            _Quiet.saved_stdout, sys.stdout = sys.stdout, io.StringIO()
        _Quiet.depth += 1
    try:
        yield
    finally:
        with _Quiet.lock:
            _Quiet.depth -= 1
            if _Quiet.depth == 0:
                sys.stdout = _Quiet.saved_stdout
                os.dup2(_Quiet.saved_fd, 1)
                os.close(_Quiet.saved_fd)
