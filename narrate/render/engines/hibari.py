"""The "hibari" engine: hibari-tts with its bundled voice "heart", 24 kHz
(`pip install 'narrate[hibari]'`). Its other voices are downloads, which narrate
never does."""

from __future__ import annotations

from narrate.measure import np  # NumPy on first use: listing engines loads no numpy
from narrate.render.engines.neural import NeuralEngine, NeuralPlugin
from narrate.render.profiles import VoiceProfile

NATURAL_WPM = 137  # its own pace on the seed essay: a profile's `rate` is set against it


class HibariEngine(NeuralEngine):
    name = "hibari"

    def __init__(self, profile: VoiceProfile):
        super().__init__(profile)
        from hibari import SAMPLE_RATE, Hibari

        self.tts = Hibari(voice=profile.voice or "heart", threads=1)
        self.sample_rate = SAMPLE_RATE
        self.speed = profile.rate / NATURAL_WPM
        self.seed = int(profile.options.get("seed", 0))  # fixed noise: the same text, the same take

    def speak(self, text: str) -> np.ndarray:
        return self.tts(text, speed=self.speed, seed=self.seed) * self.profile.volume


ENGINE = NeuralPlugin(
    "hibari", "install it with `pip install 'narrate[hibari]'` (or narrate[neural] for both)",
    {"heart": "Heart, US English, female (in hibari-tts)"},
    ("seed", "sentence_silence", "clause_silence"), {"hibari": "hibari-tts",
                                                    "onnxruntime": "onnxruntime"},
    HibariEngine, voice_note=" (hibari's other voices are downloads; narrate works offline)")
