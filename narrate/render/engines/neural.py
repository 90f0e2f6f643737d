"""What the optional neural engines (piper.py, hibari.py) share. They are extras, their
weights inside the packages, and speak English only.

Each engine loads its model once per worker process, with one ONNX thread (the
workers are the parallelism). Text goes to the model in chunks of a sentence or
less: one long run without sentence punctuation makes piper's memory explode.
Neither engine normalises per sentence here (that makes volume jump between
segments); the stitcher levels whole chapters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from narrate.errors import NarrateError
from narrate.measure import np
from narrate.memory import give_back_freed  # NumPy on first use: listing engines loads no numpy
from narrate.render.audio import write_mono_wav
from narrate.render.engines.base import VoiceInfo, VoiceProfile

CHUNK_CHARS = 220
# options every neural engine takes: silences in ms, and a tape-speed shift in semitones
COMMON_OPTIONS = {"sentence_silence": (0, 5000), "clause_silence": (0, 5000),
                  "semitones": (-8, 8)}  # the most text one model run sees
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+")


def speech_chunks(say: str, limit: int = CHUNK_CHARS) -> list[tuple[str, bool]]:
    """(text, ends a sentence) pieces of at most `limit` characters: sentences, then
    clauses, then runs of words."""
    out: list[tuple[str, bool]] = []
    for sentence in filter(None, (s.strip() for s in _SENTENCE_END.split(say))):
        parts = _split(sentence, limit)
        out += [(part, n == len(parts) - 1) for n, part in enumerate(parts)]
    return out


def _split(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    pieces, current = [], ""
    for clause in _CLAUSE_END.split(text):
        for word in (clause.split() if len(clause) > limit else [clause]):
            if current and len(current) + 1 + len(word) > limit:
                pieces.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
    return pieces + [current] if current else pieces


class NeuralEngine:
    """Text -> chunks -> model -> one 16-bit WAV, with the profile's silences between chunks."""
    name = ""
    sample_rate = 22050
    max_say = 4000  # a take is held (and tape-shifted) whole in memory: a few minutes of it

    def __init__(self, profile: VoiceProfile):
        self.profile = profile
        options = profile.options
        self.sentence_ms = int(options.get("sentence_silence", 250))
        self.clause_ms = int(options.get("clause_silence", 120))
        # the tape's speed: below 1 the voice is lower and slower, so the model speaks
        # this much faster (engines divide their speed by it) to keep the profile's pace
        self.tape = 2.0 ** (float(options.get("semitones", 0)) / 12)

    def speak(self, text: str, take: int = 1) -> np.ndarray:
        """Take `take` of a chunk (engines/base.take_pace), float samples."""
        raise NotImplementedError

    def synthesize(self, say: str, path: Path, take: int = 1) -> None:
        parts = []
        for text, sentence_end in speech_chunks(say):
            parts.append(tape_shift(self.speak(text, take), self.tape))
            pause = self.sentence_ms if sentence_end else self.clause_ms
            parts.append(np.zeros(self.sample_rate * pause // 1000, np.float32))
        audio = np.concatenate(parts[:-1]) if parts else np.zeros(0, np.float32)
        pcm = np.clip(np.rint(audio * 32767), -32768, 32767).astype("<i2")
        write_mono_wav(path, pcm.tobytes(), self.sample_rate)
        give_back_freed()


def tape_shift(audio: np.ndarray, speed: float) -> np.ndarray:
    """`audio` as a tape played at `speed` and heard at the same sample rate: pitch and
    formants move together by that ratio (a different, natural-sounding speaker, where a
    shift that keeps the formants sounds processed), and it lasts 1/speed as long. A
    band-limited resampling by FFT: exact for a take that starts and ends in silence."""
    if speed == 1.0 or len(audio) < 2:
        return audio
    padded = _fft_size(len(audio))  # a length with small factors: a fast transform
    spectrum = np.fft.rfft(audio, padded)
    out_size = round(padded / speed)
    out = np.fft.irfft(spectrum, out_size) * (out_size / padded)
    return out[:round(len(audio) / speed)].astype(np.float32)


def _fft_size(n: int) -> int:
    """The smallest even 2^a·3^b·5^c at or above n."""
    best = 2 ** int(np.ceil(np.log2(max(n, 2))))
    power5 = 1
    while power5 < best:
        power3 = power5
        while power3 < best:
            size = power3 * 2 ** max(1, int(np.ceil(np.log2(n / power3))))
            best = min(best, size)
            power3 *= 3
        power5 *= 5
    return best


def check_parts(name: str, parts: dict[str, str], install: str) -> None:
    """`parts`: the importable modules an engine needs -> their distributions."""
    import importlib.util

    missing = [m for m in parts if importlib.util.find_spec(m) is None]
    if missing:
        raise NarrateError(f"the {name} engine is not installed ({missing[0]} is missing)",
                           hint=install)


def parts_version(parts: dict[str, str]) -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in parts.values():
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} none")
    return "; ".join(found)


def check_profile(profile: VoiceProfile, voices: dict[str, str],
                  options: dict[str, tuple[float, float]], extra: str = "") -> None:
    """The voice is one that ships in the package; options are the engine's own, each
    within its range."""
    from narrate.fileio import check_keys, nearest

    if profile.voice and profile.voice not in voices:
        raise NarrateError(f"{profile.source}: `voice` {profile.voice!r} is not a {profile.engine} "
                           f"voice that is installed{extra}; {nearest(profile.voice, voices)}")
    check_keys(profile.options, options, f"{profile.source}: options")
    for key, value in profile.options.items():
        low, high = options[key]
        if not isinstance(value, (int, float)) or isinstance(value, bool) \
                or not low <= value <= high:
            raise NarrateError(f"{profile.source}: options: `{key}` must be a number from {low:g} "
                               f"to {high:g}, not {value!r}")


@dataclass(frozen=True)
class NeuralPlugin:
    """A neural engine as the registry sees it (engines/base.EngineModule): its parts,
    its bundled voices and options, and its NeuralEngine."""
    NAME: str
    INSTALL: str
    VOICES: dict[str, str]  # voice id -> who it is
    OPTIONS: dict[str, tuple[float, float]]  # a profile's `options:` keys -> their ranges
    PARTS: dict[str, str]  # importable module -> its distribution
    engine: type[NeuralEngine]
    voice_note: str = ""  # said with an unknown voice
    NOTE: str = ""
    SHARES_MODEL: bool = True  # one process serves every profile of a voice (its model cached)
    # its model may run in several threads of one process at once: one copy of the model
    # (and its G2P) serves them all, where worker processes would each load their own
    THREADS: bool = False
    RATE: int = 22050
    # what narrate asks of an engine with a lexicon of its own (engines/base.EngineModule)
    unknown_words: Callable[[list[str]], list[list[str]]] | None = None
    mark_phonemes: Callable[[str, str], str] | None = None
    phonemes_for: Callable[[str], str] | None = None
    # `narrate voices --get NAME`: where a voice it can fetch is, or how to add it by hand
    fetch_line: Callable[[str], str] | None = None

    def check(self) -> None:
        check_parts(self.NAME, self.PARTS, self.INSTALL)

    def version(self) -> str:
        return parts_version(self.PARTS)

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo(voice, about, ("en-us",)) for voice, about in self.VOICES.items()]

    def validate(self, profile: VoiceProfile) -> None:
        check_profile(profile, self.VOICES, self.OPTIONS, self.voice_note)

    def voice_for_language(self, voice: str, language: str) -> None:
        return None  # English only

    def open_engine(self, profile: VoiceProfile) -> NeuralEngine:
        self.check()
        return self.engine(profile)
