"""Small PCM helpers on 16-bit little-endian samples."""

from __future__ import annotations

import warnings

with warnings.catch_warnings():  # audioop is deprecated in 3.12 (audioop-lts serves 3.13+)
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def rms(pcm: bytes) -> int:
    return audioop.rms(pcm, 2) if pcm else 0
