"""The default engine, "pyttsx3": pyttsx3 driving espeak-ng (on Linux).

Only this module knows how it is driven. Its traps, each handled here:
- `pyttsx3.init()` hands back one cached engine per process, and that engine
  ignores voice or rate changes after its first file (the next file comes out
  empty): an Engine is configured once, and a process holds one Engine.
- The espeak driver runs espeak-ng asynchronously, and every run's end calls the
  driver's `stop()`: when espeak is still busy (settings just queued, or the last
  take's tail), that cancels espeak's queue, resets espeak's settings to the last
  ones it applied, and leaves a stop request that cancels the *next* take too.
  Under load this gave empty takes, takes that start with another's tail, and
  once a whole worker speaking at the driver's default 200 wpm. So each take
  starts from an idle espeak, with no stale stop request, and with its rate,
  volume and pitch read back and re-applied where they differ (`_settle`).
- `runAndWait()` can return before the WAV exists: wait for the
  `finished-utterance` callback, which fires after the file is written.
- The espeak driver prints "Audio saved to ..." from espeak's own thread: the
  caller silences file descriptor 1 (`quiet_stdout`), not just sys.stdout.
- The driver's loop polls for the end of a take every 10 ms, as long as espeak-ng
  takes to speak a short sentence: its sleep is made to end when the take does
  (`_WakeAtTakeEnd`), which made one worker about 35% faster.
"""

from __future__ import annotations

import ctypes.util
import functools
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from narrate.errors import NarrateError
from narrate.fileio import nearest
from narrate.render.engines.base import SynthesisError, VoiceInfo, VoiceProfile, take_pace

INSTALL_ESPEAK = ("install it with `sudo apt-get install espeak-ng` (Debian/Ubuntu) or "
                  "`brew install espeak-ng` (macOS), or run scripts/setup")
SYNTH_TIMEOUT = 120.0  # seconds for one segment; segments are short
RATES = (80, 450)  # words a minute espeak-ng speaks at (espeakRATE_MINIMUM, _MAXIMUM)
# How narrate drives pyttsx3, in every cache key: takes made before each take was
# settled (see above) may be spoiled, so they are made again.
PYTTSX3_TAKES = "settled takes"


class Pyttsx3Engine:
    name = "pyttsx3"
    # espeak-ng crashes (SIGSEGV) on about 42,000 characters at once, and the driver
    # gathers a take's audio by joining bytes (8,000 characters took 9 s, 20,000 40 s)
    max_say = 2000

    def __init__(self, profile: VoiceProfile):
        check()
        import pyttsx3

        try:
            self._engine = pyttsx3.init()
        except (RuntimeError, OSError, ImportError) as exc:  # what the driver raises
            raise NarrateError(f"pyttsx3 could not start espeak-ng ({exc}); {INSTALL_ESPEAK}") from None
        if getattr(self._engine, "_narrate_profile", None) not in (None, profile.fingerprint()):
            raise RuntimeError("a pyttsx3 engine cannot be reconfigured: one profile a process")
        self._engine._narrate_profile = profile.fingerprint()
        self._done = threading.Event()
        from pyttsx3.drivers import espeak as driver

        driver.time = _WakeAtTakeEnd(self._done)
        self._engine.connect("finished-utterance", lambda name, completed: self._done.set())
        if profile.voice:
            self._engine.setProperty("voice", profile.voice)
        self._engine.setProperty("rate", profile.rate)
        self._engine.setProperty("volume", profile.volume)
        self._engine.setProperty("pitch", profile.pitch)
        from pyttsx3.drivers import _espeak

        self._settings = {_espeak.RATE: profile.rate, _espeak.VOLUME: round(profile.volume * 100),
                          _espeak.PITCH: int(profile.pitch)}

    def synthesize(self, say: str, path: Path, take: int = 1) -> None:
        from pyttsx3.drivers import _espeak

        rate = min(max(round(self._settings[_espeak.RATE] * take_pace(take)), RATES[0]), RATES[1])
        self._settle(rate)
        self._done.clear()
        if rate != self._settings[_espeak.RATE]:
            # queued too: a new engine's first take runs the profile's, queued by __init__
            self._engine.setProperty("rate", rate)
        self._engine.save_to_file(say, str(path))
        self._engine.runAndWait()
        if not self._done.wait(SYNTH_TIMEOUT):
            raise SynthesisError(f"the engine did not finish within {SYNTH_TIMEOUT:.0f} s")
        if not path.exists():
            raise SynthesisError("the engine finished but wrote no file")

    def _settle(self, rate: int) -> None:
        """Wait until espeak-ng is idle, drop the driver's stale stop request, and make
        espeak's current volume and pitch the profile's and its rate the take's (see the
        module's notes)."""
        from pyttsx3.drivers import _espeak

        _espeak.Synchronize()
        self._engine.proxy._driver._stopping = False
        for parameter, value in {**self._settings, _espeak.RATE: rate}.items():
            if _espeak_current(parameter) != value:
                _espeak.SetParameter(parameter, value, 0)
        _espeak.Synchronize()


class _WakeAtTakeEnd:
    """The espeak driver module's `time`: its loop's `sleep` ends when the take has ended."""

    def __init__(self, done: threading.Event):
        self._done = done

    def sleep(self, seconds: float) -> None:
        if self._done.wait(seconds):
            time.sleep(0.0001)  # ended: let espeak's thread finish the take (it needs the GIL)

    def __getattr__(self, name: str):
        return getattr(time, name)


@functools.cache
def _espeak_get_parameter():
    """espeak_GetParameter(parameter, current), bound once (pyttsx3 binds it without `current`)."""
    from pyttsx3.drivers import _espeak

    get = _espeak.dll.espeak_GetParameter
    get.argtypes, get.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return get


def _espeak_current(parameter: int) -> int:
    return _espeak_get_parameter()(parameter, 1)


NAME = "pyttsx3"
RATE = 22050  # espeak-ng's
INSTALL = INSTALL_ESPEAK


def open_engine(profile: VoiceProfile) -> Pyttsx3Engine:
    return Pyttsx3Engine(profile)


def check() -> None:
    """Fail early, in one line, when pyttsx3 or espeak-ng is missing."""
    try:
        import pyttsx3  # noqa: F401
    except ImportError as exc:
        raise NarrateError(f"pyttsx3 is not installed or broken ({exc})",
                           hint="run scripts/setup or `pip install pyttsx3`") from None
    if platform.system() == "Linux" and not (ctypes.util.find_library("espeak-ng")
                                             or ctypes.util.find_library("espeak")):
        raise NarrateError("espeak-ng is not installed", hint=INSTALL_ESPEAK)


def _pyttsx3_version() -> str:
    """From its dist-info folder's name: importlib.metadata reads every installed
    distribution first, 40 ms in a venv of many, on every build."""
    import importlib.util

    spec = importlib.util.find_spec("pyttsx3")
    if spec and spec.origin:
        for info in Path(spec.origin).parent.parent.glob("pyttsx3-*.dist-info"):
            return info.name.removeprefix("pyttsx3-").removesuffix(".dist-info")
    from importlib.metadata import version as package_version

    return package_version("pyttsx3")


def version() -> str:
    espeak = "none"
    if shutil.which("espeak-ng"):
        out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=False).stdout
        match = re.search(r"text-to-speech:\s*(\S+)", out)
        espeak = match.group(1) if match else out.strip()[:40]
    return (f"pyttsx3 {_pyttsx3_version()}, {PYTTSX3_TAKES}; espeak-ng {espeak}; "
            f"{platform.system()}")


def voices() -> list[VoiceInfo]:
    import pyttsx3

    engine = pyttsx3.init()
    return [VoiceInfo(v.id, v.name, tuple(v.languages or ()), v.gender)
            for v in engine.getProperty("voices")]


NOTE = ("variants: append +VARIANT to a voice id (e.g. gmw/en-US+f4); "
        "`espeak-ng --voices=variant` lists them")


@functools.cache
def espeak_variants() -> tuple[str, ...]:
    """Voice variants (`+f4`, `+m3`, `+klatt` ...) espeak-ng accepts after a voice id."""
    if not shutil.which("espeak-ng"):
        return ()
    out = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True, check=False).stdout
    return tuple(re.findall(r"!v/(\S+)", out))


def validate(profile: VoiceProfile) -> None:
    """An unknown voice id names the file, the key and the nearest valid ids."""
    if not profile.voice:
        return
    base, _, variant = profile.voice.partition("+")
    installed = voices()
    ids = {v.id.lower() for v in installed} | {v.name.lower() for v in installed}
    if base.lower() not in ids:
        raise NarrateError(f"{profile.source}: `voice` {profile.voice!r} is not an installed voice; "
                           f"{nearest(base.lower(), ids)} (see `narrate voices`)")
    variants = espeak_variants()
    if variant and variants and variant not in variants:
        raise NarrateError(f"{profile.source}: `voice` variant +{variant} is unknown; "
                           f"{nearest(variant, variants)}")


def voice_for_language(voice: str, language: str) -> str:
    """An English voice (variants such as +f2 kept) becomes the language's own; a voice
    the user chose for another language stays."""
    base, plus, variant = voice.partition("+")
    if base and not re.match(r"(?:\w+/)?en\b", base):
        return voice
    found = espeak_voice(language)
    if found is None:
        raise NarrateError(f"language {language!r}: espeak-ng has no voice for it; give "
                           "one it speaks (`espeak-ng --voices` lists them) as `language:` "
                           "in the book's metadata or script, or --language")
    return found + plus + variant


@functools.cache
def espeak_voice(language: str) -> str | None:
    """The espeak-ng voice id for a language code ("de" -> "gmw/de", "fr" -> "roa/fr"),
    preferring an exact match; None when espeak-ng has none (mbrola voices are left out:
    they need data espeak-ng does not ship)."""
    if not shutil.which("espeak-ng"):
        return None
    code = language.lower().replace("_", "-")
    out = subprocess.run(["espeak-ng", f"--voices={code.split('-')[0]}"], capture_output=True,
                         text=True, check=False).stdout
    found = []
    for line in out.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 5 and not fields[4].startswith("mb/"):
            found.append((fields[1].lower(), fields[4]))
    exact = [voice for lang, voice in found if lang == code]
    return next(iter(exact or [voice for _, voice in found]), None)


ENGINE = sys.modules[__name__]  # this module is the engine (engines/base.EngineModule)
