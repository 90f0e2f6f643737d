"""The plan of a chapter's audio: clips, pauses, mastering targets, cues. No audio here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from narrate.measure import SILENCE_DB

AAC_FRAME = 1024  # chapters are padded to whole AAC frames so joined files stay exact
# A chapter is encoded in pieces of 20 s to about 1.5 min, each a whole number of AAC frames
# and of MP3 frames (576 samples up to 24 kHz, 1152 above): 9216 is a multiple of all.
PIECE_GRID = 9216
MP3_DELAY = 1105  # LAME's encoder delay (576) plus the decoder's (529), in samples


def mp3_frame(rate: int) -> int:
    return 1152 if rate > 24000 else 576


@dataclass(frozen=True)
class Clip:
    """One rendered piece of a chapter, and the silence after it."""
    id: str  # segment id (a chapter title is "02.000"), or "credits", "closing"
    path: Path
    pause_after_ms: int
    section: str | None = None  # the section it belongs to (None for titles and credits)
    text: str = ""  # for captions
    title: str = ""  # the section's title for its chapter marker (from a sidenote), if any


@dataclass(frozen=True)
class Mastering:
    sample_rate: int = 0  # Hz; 0: the narrator's engine's own (`at_rate`), so nothing is resampled
    bitrate_kbps: int = 64
    rms_db: float = -20.0  # the speech's RMS (measure.speech_rms_db), pauses left out
    peak_db: float = -3.0  # the ceiling the decoded files keep under
    lead_in_ms: int = 700  # room tone before the first word
    tail_ms: int = 2000  # and after the last
    trim_db: float = SILENCE_DB  # a clip's own leading/trailing silence is cut

    def at_rate(self, rate: int) -> Mastering:
        """This mastering, at `rate` when it names no sample rate of its own."""
        return self if self.sample_rate else replace(self, sample_rate=rate)

    @classmethod
    def acx(cls, base: Mastering | None = None) -> Mastering:
        """The audiobook platforms' window (ACX): 44.1 kHz, at least 192 kbit/s constant,
        peaks at or under -3 dB (the limiter keeps its own margin under that: assemble.py)."""
        base = base or cls()
        return replace(base, sample_rate=44100, bitrate_kbps=max(base.bitrate_kbps, 192),
                       peak_db=min(base.peak_db, -3.0))


@dataclass(frozen=True)
class Marker:
    """A chapter marker inside a chapter file."""
    title: str
    start_ms: int
    end_ms: int


@dataclass
class Cue:
    id: str
    text: str
    start: int  # samples
    end: int
    section: str | None = None
    title: str = ""


