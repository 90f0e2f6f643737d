"""A built file read back, bounded: a chapter MP3 or the m4b must be there, of a size the
manifest's audio can have, with audio that ffprobe, mutagen and ffmpeg read, as long as
the manifest says. A file that is not is a `DamagedFile`, one finding; it is never
decoded whole first (a 2 GB sparse file in a chapter's place took 103 s and 1.35 GB of
memory to fail with a traceback)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from narrate.errors import DamagedFile
from narrate.measure import scan_file
from narrate.outline import clock
from narrate.qa.mastering import probe

BYTES_A_SECOND = 48_000  # 384 kbit/s: above any bit rate narrate encodes (192 at most)
TAG_BYTES = 64 * 2**20  # tags, and a cover picture a tag editor may have put in
SIDECAR_BYTES = 64 * 2**20  # a ten-hour book's captions are a few MB
SHORT_BY = 0.25  # seconds of audio a file may lack (it decodes to within 5 ms as written)
REBUILD = "build again (a file changed since narrate wrote it is made again): narrate build SOURCE"


Spans = Callable[[int], Sequence[tuple[int, int]]]


def read_back(path: Path, seconds: float, spans: Spans = lambda rate: (), mp3: bool = True):
    """(ffprobe's view, mutagen's view (of an MP3; None for the m4b), the decoded scan with
    the `spans` (at the file's rate) measured) of a file that should hold `seconds` of
    audio."""
    fits(path, seconds)
    probed = probe(path)
    streams = probed.get("streams") or [{}]
    if streams[0].get("codec_type") != "audio":
        raise DamagedFile(f"is not audio (its first stream is {streams[0].get('codec_type')})",
                          where=str(path))
    audio = _mutagen_mp3(path) if mp3 else None
    rate = int(streams[0]["sample_rate"])
    scan = scan_file(path, rate, spans(rate))
    # cut short, an m4b still lists every chapter whole (its chapter list is at its front)
    if seconds - scan.samples / rate > SHORT_BY:
        raise DamagedFile(f"decodes to {in_minutes(scan.samples / rate)} of audio, not the "
                          f"{in_minutes(seconds)} the manifest says: cut short", where=str(path))
    return probed, audio, scan


def fits(path: Path, seconds: float) -> None:
    """A file can be `seconds` of audio by its size: there, not empty, not far too big."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DamagedFile("missing", where=str(path)) from None
    if size == 0:
        raise DamagedFile("is empty (0 bytes)", where=str(path))
    most = int(seconds * BYTES_A_SECOND) + TAG_BYTES
    if size > most:
        raise DamagedFile(f"is {_megabytes(size)}, more than {clock(seconds)} of audio with its "
                          f"tags can be ({_megabytes(most)} at most): not the file narrate "
                          "wrote, so it is not decoded", where=str(path))


def _mutagen_mp3(path: Path):
    from mutagen import MutagenError
    from mutagen.mp3 import MP3

    try:
        return MP3(str(path))
    except MutagenError as exc:
        raise DamagedFile(f"not an MP3 mutagen can read ({exc})", where=str(path)) from None


def in_minutes(seconds: float) -> str:
    """2:03.4: a place in a file, or a length, to a tenth of a second."""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def _megabytes(size: int) -> str:
    return f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{size / 1e6:.1f} MB"


def read_sidecar(path: Path) -> str:
    """A sidecar's text (chapters.json, the cue sheet, captions), read only when it is of
    a size narrate writes and UTF-8; FileNotFoundError when it is not there."""
    size = path.stat().st_size
    if size > SIDECAR_BYTES:
        raise DamagedFile(f"is {_megabytes(size)}, more than narrate writes "
                          f"({_megabytes(SIDECAR_BYTES)} at most): not read", where=str(path))
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DamagedFile(f"is not UTF-8 text (byte {exc.start})", where=str(path)) from None
