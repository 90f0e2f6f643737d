"""Chapter audio: clips in order with their pauses, room tone, one join, one level.

pydub reads and converts each clip (channels, sample rate); the clips go to a
temporary file in order (never `+=` in a loop, which is quadratic), and the chapter
is measured, levelled and written out a chunk at a time: memory holds a few chunks,
never the chapter.

The chapter is also cut into pieces for encoding: at the first paragraph pause
PIECE_MIN_SECONDS after the last cut, stretched or shrunk to land on PIECE_GRID.
An edit then changes only the piece around it (and, when it moves that piece's
end to another paragraph, the next one or two): the other pieces keep the same
samples, so their encodes are reused. Each piece is levelled on its own (with the
limiter's reach of its neighbours), so while the chapter's gain stays, a piece whose
clips and places are unchanged is not even levelled again: its measures are kept.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import tempfile
import warnings
import wave
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

with warnings.catch_warnings():  # pydub warns on import when ffmpeg is missing; narrate
    warnings.simplefilter("ignore", RuntimeWarning)  # checks for it and says how to install it
    from pydub import AudioSegment

from narrate.fileio import code_digest
from narrate.measure import (
    CHUNK,
    Scan,
    peak_value_db,
    sound_bounds,
    speech_rms_db,
    squares_db,
)
from narrate.stitch import loudness
from narrate.stitch.loudness import (
    ENCODER_HEADROOM_DB,
    LIMITER_REACH,
    Reader,
    choose_gain,
    keeps_gain,
    levelled_chunks,
)
from narrate.stitch.records import PieceMeasure
from narrate.stitch.timeline import (
    AAC_FRAME,
    MP3_DELAY,
    PIECE_GRID,
    Clip,
    Cue,
    Mastering,
)

# Pieces of 20 s to about 1.5 min: on the seed an edit re-encodes 30 s of audio (median
# of 23 edits; worst 53 s), where hash-chosen cuts among paragraphs re-encoded 53 s (worst
# 209 s); the many small pieces cost a cold build a few percent more.
PIECE_MIN_SECONDS = 20


@dataclass
class ChapterAudio:
    rate: int
    samples: int
    cues: list[Cue] = field(default_factory=list)
    pieces: list[tuple[int, int]] = field(default_factory=list)  # sample ranges, on PIECE_GRID
    gain_db: float = 0.0
    measures: list[PieceMeasure] = field(default_factory=list)  # one a piece
    pcm: np.ndarray | None = None  # int16 mono, when assembled in memory (`assemble`)




def load_clip(path: Path, rate: int) -> np.ndarray:
    """A cached take (16-bit PCM WAV) as mono samples at `rate`. Read with `wave`: pydub's
    from_wav catches every exception, a Ctrl-C too, and decodes the file again with ffmpeg,
    so a Ctrl-C landing mid-read was lost and the build went on."""
    with wave.open(str(path), "rb") as wav:
        audio = AudioSegment(wav.readframes(wav.getnframes()), sample_width=wav.getsampwidth(),
                             frame_rate=wav.getframerate(), channels=wav.getnchannels())
    audio = audio.set_channels(1).set_sample_width(2)
    if audio.frame_rate != rate:
        audio = audio.set_frame_rate(rate)
    return np.frombuffer(audio.raw_data, dtype=np.int16)


def trim(pcm: np.ndarray, rate: int, threshold_db: float, margin_ms: int = 30) -> np.ndarray:
    """Cut the engine's own leading and trailing silence, keeping a short margin."""
    bounds = sound_bounds(pcm, threshold_db)
    if bounds is None:
        return pcm
    margin = rate * margin_ms // 1000
    return pcm[max(0, bounds[0] - margin): bounds[1] + 1 + margin]


def silence(ms: int, rate: int) -> np.ndarray:
    return np.zeros(rate * ms // 1000, dtype=np.int16)


def assemble(clips: list[Clip], mastering: Mastering,
             previous_gain_db: float | None = None) -> ChapterAudio:
    """The chapter in memory (a preview, tests): `assemble_into` a file, read back."""
    with tempfile.TemporaryFile() as out:
        audio = assemble_into(out, clips, mastering, previous_gain_db)
        out.seek(0)
        audio.pcm = np.fromfile(out, dtype=np.int16)
    return audio


def assemble_into(out: BinaryIO, clips: list[Clip], mastering: Mastering,
                  previous_gain_db: float | None = None,
                  known: Mapping[str, PieceMeasure] | None = None) -> ChapterAudio:
    """Write the chapter's levelled PCM to `out` (an empty file, or BytesIO); return its
    cues, where to cut it for encoding, its gain and its pieces' measures.

    `previous_gain_db` is the gain of the last build of this chapter: kept while
    the new one is within GAIN_TOLERANCE_DB, so an edit leaves other pieces' samples alone.
    With it, a piece whose inputs are in `known` (by PieceMeasure.inputs: the last build
    levelled it with that gain, and its encodes are kept) is neither levelled nor written:
    its place in `out` stays empty.
    """
    with tempfile.TemporaryFile() as raw:
        cues, cuts, samples, placed = _lay_out(raw, clips, mastering)

        def read(start: int, stop: int) -> np.ndarray:
            raw.seek(start * 2)
            return np.fromfile(raw, dtype=np.int16, count=stop - start)

        ceiling = mastering.peak_db - ENCODER_HEADROOM_DB
        pieces = list(itertools.pairwise(cuts + [samples]))

        written: list[tuple[float, list[PieceMeasure]]] = []  # the gain `out` holds

        def level_with(gain: float) -> list[PieceMeasure]:
            """The chapter levelled into `out` with `gain` (unless it is already), measured:
            a trial of a gain is also the levelling if the gain is kept."""
            if not written or written[0][0] != gain:
                out.seek(0)
                out.truncate()
                keys = _inputs(placed, pieces, samples, gain, ceiling, mastering)
                skip = (known or {}) if gain == previous_gain_db else {}
                written[:] = [(gain, _level_pieces(out, read, samples, gain, ceiling, pieces,
                                                   keys, skip, mastering.sample_rate))]
            return written[0][1]

        def limited(gain: float) -> float:
            measures = level_with(gain)
            return squares_db(sum(m.speech_squares for m in measures),
                              sum(m.speech_samples for m in measures))

        # an edit: the last gain usually stays, so the chapter is levelled with it at
        # once, and that pass is also its trial
        if previous_gain_db is not None and keeps_gain(previous_gain_db, limited,
                                                       mastering.rms_db):
            gain = previous_gain_db
        else:
            unlevelled = _raw_scan(read, samples, mastering.sample_rate)
            gain = choose_gain(
                lambda gain: speech_rms_db(unlevelled.energy, unlevelled.width, gain),
                peak_value_db(unlevelled.peak), limited, mastering.rms_db, ceiling,
                previous_gain_db)
        measures = level_with(gain)  # levelled already when it was the last gain tried
    return ChapterAudio(mastering.sample_rate, samples, cues, pieces, gain, measures)


@dataclass
class _Placed:
    """A clip's trimmed samples in the chapter, and the file they came from."""
    start: int
    stop: int
    source: str  # the clip file: its name, size, modification time and inode (the cache
    # replaces a retake, a new file: a new inode even where the clock is coarse)


def _lay_out(raw: BinaryIO, clips: list[Clip], mastering: Mastering):
    """The clips, trimmed, with their pauses and the room at both ends, to `raw`:
    (cues, where pieces start, samples in all (whole frames of both encoders), where
    each clip lies)."""
    rate = mastering.sample_rate
    position = _append(raw, silence(mastering.lead_in_ms, rate))
    cues, cuts, placed = [], [0], []
    for index, clip in enumerate(clips):
        pcm = trim(load_clip(clip.path, rate), rate, mastering.trim_db)
        cues.append(Cue(clip.id, clip.text, position, position + len(pcm), clip.section,
                        clip.title))
        info = clip.path.stat()
        placed.append(_Placed(position, position + len(pcm),
                              f"{clip.path.name}/{info.st_size}/{info.st_mtime_ns}/{info.st_ino}"))
        position += len(pcm)
        following = clips[index + 1] if index + 1 < len(clips) else None
        pause = len(silence(clip.pause_after_ms if following else mastering.tail_ms, rate))
        if following and _is_cut(clip, following, pause, position - cuts[-1], rate):
            before = _pause_to_grid(position, pause)
            cuts.append(position + before)
            pause = before + pause - pause // 2
        _append(raw, pcm)
        _append(raw, np.zeros(pause, dtype=np.int16))
        position += pause
    position += _append(raw, np.zeros(-position % PIECE_GRID, dtype=np.int16))
    return cues, cuts, position, placed


def _inputs(placed: list[_Placed], pieces: list[tuple[int, int]], samples: int,
            gain_db: float, ceiling_db: float, mastering: Mastering) -> list[str]:
    """For each piece, a hash of everything its levelled samples come from: the clips
    within the limiter's reach of it and where they lie, silence elsewhere, the gain and
    ceiling, how clips are read and trimmed, and the code that does it."""
    starts, stops = [p.start for p in placed], [p.stop for p in placed]
    numbers = [float(n) for n in (mastering.trim_db, gain_db, ceiling_db)]  # NumPy's or not
    keys = []
    for start, stop in pieces:
        low, high = max(0, start - LIMITER_REACH), min(samples, stop + LIMITER_REACH)
        near = placed[bisect.bisect_right(stops, low):bisect.bisect_left(starts, high)]
        text = (f"{_code_digest()}|{mastering.sample_rate}|{numbers!r}|{low - start}|"
                f"{high - start}|"
                + ";".join(f"{p.start - start},{p.stop - start},{p.source}" for p in near))
        keys.append(hashlib.blake2b(text.encode(), digest_size=12).hexdigest())
    return keys


def _code_digest() -> str:
    """The code that reads, trims and levels: a change to it levels every piece again."""
    import narrate.measure

    return code_digest(__file__, loudness.__file__, narrate.measure.__file__)


def _raw_scan(read: Reader, samples: int, rate: int) -> Scan:
    """The chapter before levelling, scanned: its 10 ms windows' squares and its peak."""
    scan = Scan(rate)
    for at in range(0, samples, CHUNK):
        scan.feed(read(at, min(samples, at + CHUNK)))
    return scan


def _level_pieces(out: BinaryIO, read: Reader, samples: int, gain_db: float, ceiling_db: float,
                  pieces: list[tuple[int, int]], keys: list[str],
                  known: Mapping[str, PieceMeasure], rate: int) -> list[PieceMeasure]:
    """Level each piece not `known` a chunk at a time (each with the limiter's reach on both
    sides, so that it levels as the whole chapter would), write it to its place in `out`,
    and measure its speech in the chapter's 10 ms windows; a known piece is taken as
    measured."""
    measures = []
    for (start, stop), key in zip(pieces, keys):
        if key in known:
            measures.append(known[key])
            continue
        digest = hashlib.blake2b(digest_size=12)
        scan = Scan(rate)
        scan.feed(np.zeros(start % scan.width, np.int16))  # on the chapter's windows: a cut
        out.seek(start * 2)  # is in a pause, so the window it splits is silence either way
        for chunk in levelled_chunks(read, samples, gain_db, ceiling_db, start, stop):
            out.write(chunk.tobytes())
            digest.update(chunk)
            scan.feed(chunk)
        measures.append(PieceMeasure(key, digest.hexdigest(), *scan.speech()))
    return measures


def _append(handle, pcm: np.ndarray) -> int:
    handle.write(pcm.tobytes())
    return len(pcm)


def _is_cut(clip: Clip, following: Clip, pause: int, since_cut: int, rate: int) -> bool:
    """A piece ends in a paragraph pause (long enough for both encoders' edges) once
    it is PIECE_MIN_SECONDS long."""
    if not following.section or following.section == clip.section:
        return False
    return pause - pause // 2 >= 3 * AAC_FRAME and since_cut >= PIECE_MIN_SECONDS * rate


def _pause_to_grid(position: int, pause: int) -> int:
    """Samples of silence before the cut: about half the pause, ending on PIECE_GRID
    and leaving room for the MP3 encoder's padding before the cut."""
    cut = round((position + pause // 2) / PIECE_GRID) * PIECE_GRID
    while cut - position < 2 * MP3_DELAY:
        cut += PIECE_GRID
    return cut - position
