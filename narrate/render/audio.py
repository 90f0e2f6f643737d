"""Writing 16-bit mono WAV files, as every engine and preview does."""

from __future__ import annotations

import wave
from pathlib import Path


def write_mono_wav(path: Path, pcm: bytes, rate: int) -> None:
    """Mono 16-bit PCM to a WAV file (the caller makes it atomic where it must be)."""
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm)
