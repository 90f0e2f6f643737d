"""The "hibari" engine: hibari-tts with its bundled voice "heart", 24 kHz
(`pip install 'narrate[hibari]'`). Its other voices are downloads, which narrate
never does."""

from __future__ import annotations

import numpy as np

from narrate.render.engines.base import VoiceInfo
from narrate.render.engines.neural import (
    NeuralEngine,
    check_parts,
    check_profile,
    parts_version,
)
from narrate.render.profiles import VoiceProfile

NAME = "hibari"
INSTALL = "install it with `pip install 'narrate[hibari]'` (or narrate[neural] for both)"
NOTE = ""
VOICES = {"heart": "Heart, US English, female (in hibari-tts)"}
NATURAL_WPM = 137  # its own pace on the seed essay: a profile's `rate` is set against it
OPTIONS = ("seed", "sentence_silence", "clause_silence")
PARTS = {"hibari": "hibari-tts", "onnxruntime": "onnxruntime"}


def check() -> None:
    check_parts(NAME, PARTS, INSTALL)


def version() -> str:
    return parts_version(PARTS)


def voices() -> list[VoiceInfo]:
    return [VoiceInfo(voice, about, ("en-us",)) for voice, about in VOICES.items()]


def voice_for_language(voice: str, language: str) -> None:
    return None  # English only


def validate(profile: VoiceProfile) -> None:
    check_profile(profile, VOICES, OPTIONS,
                  " (hibari's other voices are downloads; narrate works offline)")


def open_engine(profile: VoiceProfile) -> HibariEngine:
    return HibariEngine(profile)


class HibariEngine(NeuralEngine):
    name = NAME

    def __init__(self, profile: VoiceProfile):
        super().__init__(profile)
        check()
        from hibari import SAMPLE_RATE, Hibari

        self.tts = Hibari(voice=profile.voice or "heart", threads=1)
        self.sample_rate = SAMPLE_RATE
        self.speed = profile.rate / NATURAL_WPM
        self.seed = int(profile.options.get("seed", 0))  # fixed noise: the same text, the same take

    def speak(self, text: str) -> np.ndarray:
        return self.tts(text, speed=self.speed, seed=self.seed) * self.profile.volume
