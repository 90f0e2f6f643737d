"""The "hibari" engine: hibari-tts with its bundled voice "heart", 24 kHz, the voice
of the natural cast (a core dependency). Its other voices are downloads, which narrate
never does."""

from __future__ import annotations

import functools
import os
import threading
import weakref

from narrate.errors import NarrateError
from narrate.measure import np  # NumPy on first use: listing engines loads no numpy
from narrate.render.engines.base import VoiceProfile, take_pace
from narrate.render.engines.neural import COMMON_OPTIONS, NeuralEngine, NeuralPlugin

NATURAL_WPM = 137  # its own pace on the seed essay: a profile's `rate` is set against it


class HibariEngine(NeuralEngine):
    name = "hibari"

    def __init__(self, profile: VoiceProfile):
        super().__init__(profile)
        from hibari import SAMPLE_RATE

        self.tts = _model(profile.voice or "heart")
        self.sample_rate = SAMPLE_RATE
        self.speed = profile.rate / NATURAL_WPM / self.tape
        self.seed = int(profile.options.get("seed", 0))  # fixed noise: the same text, the same take

    def speak(self, text: str, take: int = 1) -> np.ndarray:
        """hibari's noise is seeded (the same take, the same samples); a retake's noise is
        the next seed's, and its pace `take_pace` moves the timing the model predicts, and
        so the pitch contour with it (the noise alone changes the samples by about -40 dB:
        the same delivery)."""
        seed = (self.seed + take - 1) % 2 ** 32
        return self.tts(text, speed=self.speed * take_pace(take), seed=seed) * self.profile.volume


_models: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_models_lock = threading.Lock()


def _model(voice: str):
    """A voice's model and G2P, loaded once a process: every profile of the voice shares
    it, in every thread, and it goes when the last engine that holds it does."""
    with _models_lock:
        model = _models.get(voice)
        if model is None:
            model = _models[voice] = _lean_model(voice)
        return model


def _lean_model(voice: str):
    """hibari's model as hibari loads it, but its ONNX session plans no memory pattern
    (which kept blocks sized for the longest sentence seen): a build's peak fell from
    342-355 to 310-321 MB at the same speed. Without the memory arena too it fell to
    306-312 MB, but two threads rendering then took 7% longer. The takes are the same
    bytes: a test compares them with hibari's own."""
    import json

    import onnxruntime as ort
    from hibari import Hibari, tts
    from hibari.voices import voice_path

    class LeanHibari(Hibari):
        def __init__(self, voice: str):  # hibari 0.2's __init__, the session options aside
            options = ort.SessionOptions()
            options.intra_op_num_threads = options.inter_op_num_threads = 1
            options.log_severity_level = 3
            options.enable_mem_pattern = False
            # never a download: a voice not here is refused before (validate)
            self.voice, self.model_path, self._g2p = voice, voice_path(voice, False), None
            self.sess = ort.InferenceSession(self.model_path, options,
                                             providers=["CPUExecutionProvider"])
            with open(os.path.join(tts.ASSETS, "vocab.json"), encoding="utf-8") as handle:
                self.vocab = json.load(handle)

    return LeanHibari(voice)


def unknown_words(texts: list[str]) -> list[list[str]]:
    """For each text, the words hibari's G2P finds in none of its lexicons (it would
    spell them by rule, with its letter-to-sound net), in order, repeats kept."""
    from hibari import Hibari

    found: list[str] = []

    def note(word: str) -> str:  # no letter-to-sound run: the word is only noted
        found.append(word)
        return "ə"

    g2p = _g2p(note)
    out = []
    for text in texts:
        for sentence in Hibari.split_sentences(text):
            g2p(sentence)
        out.append(list(found))
        found.clear()
    return out


def _g2p(oov=None):
    from hibari.g2p import G2P

    return G2P(oov=oov)


def phonemes_for(text: str) -> str:
    """How hibari says a text, in its phonemes (a start for a lexicon entry)."""
    return _g2p()(text)


# IPA (espeak-ng's, a book's) -> misaki's alphabet, longest first (as misaki's own table)
_TO_MISAKI = [("aɪ", "I"), ("aʊ", "W"), ("eɪ", "A"), ("oʊ", "O"), ("əʊ", "O"), ("ɔɪ", "Y"),
              ("tʃ", "ʧ"), ("dʒ", "ʤ"), ("ɜː", "ɜɹ"), ("ɚ", "əɹ"), ("ɐ", "ə"), ("r", "ɹ"),
              ("x", "k"), ("ɬ", "l"), ("ʲ", "j"), ("ː", ""), ("e", "A"), ("o", "O"),
              ("ɫ", "l"), ("ɾ", "T")]


def from_ipa(ipa: str) -> str:
    """IPA in hibari's alphabet (misaki's): its diphthongs as one letter, no length, no
    spaces; a stress mark just before its vowel, as misaki writes it."""
    import re

    for old, new in _TO_MISAKI:
        ipa = ipa.replace(old, new)
    ipa = re.sub(r"[\s./]", "", ipa)
    return re.sub(r"([ˈˌ])([^AIOWYaeiouæɑɐɒɔəɚɛɜɪʊʌᵊᵻɨyøœɯɤ]+)", r"\2\1", ipa)


def mark_phonemes(word: str, phonemes: str) -> str:
    """hibari's markup for a word said as given phonemes (misaki's alphabet, as in
    hibari's lexicons: `tsˈɪməɹvˌɑlt`)."""
    unknown = sorted({c for c in phonemes if c not in _vocabulary() and not c.isspace()})
    if not phonemes.strip() or unknown:
        raise NarrateError(f"phonemes {phonemes!r} for {word!r}: hibari has no phoneme "
                           f"{''.join(unknown)!r}" if unknown else f"no phonemes for {word!r}",
                           hint="use the symbols of its lexicons (`narrate words --phonemes "
                           "WORD` shows how it says a word)")
    return f"[{word}](/{phonemes.strip()}/)"


@functools.cache
def _vocabulary() -> frozenset[str]:
    """The model's phonemes, read from its package's files without importing it (that
    would load scipy: most of a second of every build whose lexicon gives phonemes)."""
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("hibari")
    if spec is None or not spec.submodule_search_locations:
        raise NarrateError("the hibari engine is not installed", hint=ENGINE.INSTALL)
    folder = Path(next(iter(spec.submodule_search_locations)))
    return frozenset(json.loads((folder / "assets" / "vocab.json").read_text(encoding="utf-8")))


@functools.cache
def _registry():
    """hibari's module of voices (its registry, its cache folder), loaded from its file
    alone: importing the package would load its model code and scipy."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("hibari")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "voices.py"
    found = importlib.util.spec_from_file_location("narrate_hibari_voices", path)
    if found is None or found.loader is None or not path.is_file():
        return None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


def _voices() -> dict[str, str]:
    """Heart, and each of hibari's other voices already in its cache folder."""
    found = {"heart": "Heart, US English, female (in hibari-tts)"}
    registry = _registry()
    for name, about in (registry.VOICES.items() if registry else ()):
        if name != "heart" and os.path.exists(os.path.join(registry.cache_dir(), about["file"])):
            found[name] = f"{name.title()}, {about['accent']} English, {about['gender']} (fetched)"
    return found


def fetch_line(name: str) -> str:
    """`narrate voices --get NAME`: where one of hibari's voices is, or what to download
    and where to put it (narrate never downloads)."""
    from narrate.fileio import nearest

    registry = _registry()
    if registry is None:
        raise NarrateError("the hibari engine is not installed", hint=ENGINE.INSTALL)
    if name not in registry.VOICES:
        raise NarrateError(f"hibari has no voice {name!r}", hint=nearest(name, registry.VOICES))
    about = registry.VOICES[name]
    if about.get("bundled"):
        return f"hibari's {name} is inside hibari-tts: nothing to get"
    dest = os.path.join(registry.cache_dir(), about["file"])
    if os.path.exists(dest):
        return f"hibari's {name} is here: {dest}"
    return (f"hibari's {name} ({about['accent']}, {about['gender']}, "
            f"{about['bytes'] / 1e6:.1f} MB) is not here, and narrate never downloads: fetch "
            f"{registry.BASE_URL}{about['file']} (sha256 {about['sha256']}) and put it at {dest}")


ENGINE = NeuralPlugin(
    "hibari", "install it with `pip install hibari-tts` (narrate depends on it: reinstall narrate)",
    _voices(),
    {"seed": (0, 2 ** 32 - 1), **COMMON_OPTIONS}, {"hibari": "hibari-tts",
                                                    "onnxruntime": "onnxruntime"},
    HibariEngine, voice_note=" (narrate works offline: `narrate voices --get NAME` says how to add another of hibari's)",
    THREADS=True,  # ONNX runs let go of the GIL, and its G2P is a small part of a take
    RATE=24000,
    unknown_words=unknown_words, mark_phonemes=mark_phonemes,
    phonemes_for=phonemes_for, fetch_line=fetch_line)
