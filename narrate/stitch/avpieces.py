"""Pieces encoded in this process by FFmpeg's own libraries, through PyAV (the `pyav`
extra): no ffmpeg program started per batch, and no filter graph handing every branch the
whole batch. On the seed's longest chapter this cost 0.82x the CPU-seconds of the
ffmpeg program's batches, AAC and MP3 alike.

The files are what encode.encode_pieces makes with the program: MP3 pieces are bare
LAME frames (no ID3, no Xing header), AAC pieces an MP4 whose edit list skips the
encoder's priming (aacpiece.py reads it). Each piece is its own encoder, so each stands
alone and an edit re-encodes only the pieces it changed.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import threading
from collections.abc import Callable
from pathlib import Path

from narrate.fileio import atomic_path
from narrate.measure import np  # NumPy on first use: a build with nothing to do loads none

FEED = 16 * 1024  # samples handed to the encoder at a time (a stop is heard between them)

_stops = [0]  # how many times stop() was called: an encode that began before the last stops
_stops_lock = threading.Lock()


def available() -> bool:
    """PyAV is installed (an optional extra: its wheels carry GPL libraries narrate never
    uses, x264 and x265, beside FFmpeg's LGPL ones and LAME)."""
    return importlib.util.find_spec("av") is not None


@functools.cache
def version() -> str:
    import av

    return f"pyav-{av.__version__}-ffmpeg-{av.ffmpeg_version_info}"


def stop() -> None:
    """Ctrl-C or an error: the encodes running now end at their next feed."""
    with _stops_lock:
        _stops[0] += 1


def encode_pieces(pcm_file: Path, jobs, codec: str, rate: int, bit_rate: int,
                  options: dict[str, str], gain: float = 1.0) -> None:
    """Each job's samples of `pcm_file` (silence before its start) to its `dest`: "mp3"
    as bare frames, "aac" in MP4; `options` are the codec's (AVOptions), `gain` a factor."""
    started = _stops[0]
    for job in jobs:
        samples = _read(pcm_file, job.start, job.stop)
        with atomic_path(job.dest) as tmp:
            write = _write_mp3 if codec == "mp3" else _write_aac
            write(tmp, samples, rate, bit_rate, options, gain, lambda: _stops[0] != started)


def _read(pcm_file: Path, start: int, stop: int) -> np.ndarray:
    """Samples start..stop of a mono 16-bit file: zeros where start is before 0."""
    head = np.zeros(max(0, -start), np.int16)
    body = np.fromfile(pcm_file, np.int16, count=stop - max(0, start), offset=2 * max(0, start))
    return np.concatenate([head, body]) if len(head) else body


def _frames(samples: np.ndarray, rate: int, gain: float, stopped: Callable[[], bool]):
    """The samples as float frames of FEED samples (the encoders' own format: no
    conversion inside FFmpeg), scaled by `gain`."""
    import av

    scale = np.float32(gain / 32768)
    for at in range(0, len(samples), FEED):
        if stopped():
            raise KeyboardInterrupt  # the build is stopping: stop_encoders was called
        chunk = samples[at:at + FEED].astype(np.float32) * scale
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate, frame.pts = rate, at
        yield frame


def _write_mp3(dest: Path, samples, rate, bit_rate, options, gain, stopped) -> None:
    import av

    context = av.CodecContext.create("libmp3lame", "w")
    context.sample_rate, context.layout, context.format = rate, "mono", "fltp"
    context.bit_rate, context.options = bit_rate, options
    with open(dest, "wb") as out:
        for frame in itertools.chain(_frames(samples, rate, gain, stopped), [None]):
            out.writelines(bytes(packet) for packet in context.encode(frame))


def _write_aac(dest: Path, samples, rate, bit_rate, options, gain, stopped) -> None:
    import av

    with av.open(str(dest), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate, layout="mono", format="fltp",
                                      options=options)
        stream.bit_rate = bit_rate
        for frame in itertools.chain(_frames(samples, rate, gain, stopped), [None]):
            container.mux(stream.encode(frame))
