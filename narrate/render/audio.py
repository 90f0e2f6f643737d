"""Small PCM helpers on 16-bit little-endian samples."""

from __future__ import annotations

import warnings
import wave
from pathlib import Path

with warnings.catch_warnings():  # audioop is deprecated in 3.12 (audioop-lts serves 3.13+)
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def rms(pcm: bytes) -> int:
    return audioop.rms(pcm, 2) if pcm else 0


def write_mono_wav(path: Path, pcm: bytes, rate: int) -> None:
    """Mono 16-bit PCM to a WAV file (the caller makes it atomic where it must be)."""
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm)
