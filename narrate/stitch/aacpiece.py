"""An AAC piece ffmpeg wrote (an MP4 file, its moov at the end): its boxes found, and its
sample tables read into where its frames after the encoder's priming lie, with the bit
rates its sample entry declares. narrate.stitch.mp4 joins pieces into the book's m4b.
"""

from __future__ import annotations

import struct
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path

from narrate.errors import NarrateError
from narrate.stitch.timeline import AAC_FRAME


def children(data: bytes, start: int = 0, end: int | None = None):
    """(kind, payload start, payload end) of each box in data[start:end]."""
    end = len(data) if end is None else end
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, at)
        head = 8
        if size == 1:
            size, head = struct.unpack_from(">Q", data, at + 8)[0], 16
        elif size == 0:
            size = end - at
        if size < head or at + size > end:
            raise ValueError(f"a {kind!r} box runs past its parent")
        yield kind, at + head, at + size
        at += size


def find(data: bytes, path: str, start: int = 0, end: int | None = None) -> tuple[int, int]:
    """The payload of the box at a path such as "trak/mdia/minf/stbl/stsz"."""
    first, _, rest = path.partition("/")
    for kind, low, high in children(data, start, end):
        if kind == first.encode("latin-1"):
            return find(data, rest, low, high) if rest else (low, high)
    raise ValueError(f"no {first} box")


@dataclass
class Piece:
    """One AAC piece: where its frames after the priming lie, and how long they are."""
    path: Path
    sample_entry: bytes  # the mp4a box: codec, configuration and bit rates
    rate: int
    sizes: array  # bytes of each frame kept (4-byte numbers: a ten-hour book has 800,000)
    runs: list[tuple[int, int]]  # (file offset, bytes) of the frames kept, in order


def read_piece(path: Path) -> Piece:
    """The piece's sample tables (its moov is at the end, a few kilobytes)."""
    try:
        with open(path, "rb") as handle:
            moov = _top_level_moov(handle)
        return _piece(path, moov)
    except (OSError, ValueError, struct.error) as exc:
        raise NarrateError(f"{path}: not an AAC piece narrate can join ({exc}); delete it "
                           "and build again (the piece is encoded again)") from None


def _top_level_moov(handle) -> bytes:
    """The moov box's payload."""
    at = 0
    while True:
        handle.seek(at)
        head = handle.read(16)
        if len(head) < 8:
            raise ValueError("no moov box")
        size, kind = struct.unpack_from(">I4s", head)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", head, 8)[0], 16
        if size < header:
            raise ValueError(f"a {kind!r} box of {size} bytes")
        if kind == b"moov":
            handle.seek(at + header)
            return handle.read(size - header)
        at += size


def _piece(path: Path, moov: bytes) -> Piece:
    stbl = find(moov, "trak/mdia/minf/stbl")
    low, high = find(moov, "stsd", *stbl)
    kind, first, last = next(children(moov, low + 8, high))
    if kind != b"mp4a":
        raise ValueError("its track is not AAC")
    sample_entry = moov[first - 8:last]
    low, _ = find(moov, "trak/mdia/mdhd")
    version = moov[low]
    rate = struct.unpack_from(">I", moov, low + (20 if version else 12))[0]
    low, _ = find(moov, "stsz", *stbl)
    fixed, count = struct.unpack_from(">II", moov, low + 4)
    sizes = array("I", [fixed]) * count if fixed else _big_endian(moov[low + 12:low + 12 + 4 * count])
    low, _ = find(moov, "stts", *stbl)
    (entries,) = struct.unpack_from(">I", moov, low + 4)
    deltas = struct.unpack_from(f">{2 * entries}I", moov, low + 8)
    if any(delta != AAC_FRAME for delta in deltas[1::2]) or sum(deltas[0::2]) != count:
        raise ValueError(f"its frames are not all {AAC_FRAME} samples long")
    skip = _priming(moov) // AAC_FRAME
    runs: list[tuple[int, int]] = []
    for offset, first, last in _chunks(moov, stbl, count):  # the frames kept, chunk by chunk
        kept = max(first, skip)
        if kept >= last:
            continue
        run = (offset + sum(sizes[first:kept]), sum(sizes[kept:last]))
        if runs and sum(runs[-1]) == run[0]:
            runs[-1] = (runs[-1][0], runs[-1][1] + run[1])
        else:
            runs.append(run)
    return Piece(path, sample_entry, rate, sizes[skip:], runs)


def _priming(moov: bytes) -> int:
    """The samples the edit list skips at the head: the encoder's priming."""
    try:
        low, _ = find(moov, "trak/edts/elst")
    except ValueError:
        return 0
    version, count = moov[low], struct.unpack_from(">I", moov, low + 4)[0]
    if count != 1:
        raise ValueError(f"an edit list of {count} entries")
    media_time = struct.unpack_from(">q" if version else ">i", moov, low + (16 if version else 12))[0]
    if media_time % AAC_FRAME:
        raise ValueError(f"a priming of {media_time} samples, not whole frames")
    return max(0, media_time)


def _chunks(moov: bytes, stbl: tuple[int, int], count: int) -> list[tuple[int, int, int]]:
    """(file offset, first frame, frame after the last) of each chunk, from the chunk
    offsets and the samples per chunk."""
    try:
        low, _ = find(moov, "stco", *stbl)
        (number,) = struct.unpack_from(">I", moov, low + 4)
        offsets = struct.unpack_from(f">{number}I", moov, low + 8)
    except ValueError:
        low, _ = find(moov, "co64", *stbl)
        (number,) = struct.unpack_from(">I", moov, low + 4)
        offsets = struct.unpack_from(f">{number}Q", moov, low + 8)
    low, _ = find(moov, "stsc", *stbl)
    (entries,) = struct.unpack_from(">I", moov, low + 4)
    table = [struct.unpack_from(">III", moov, low + 8 + 12 * n) for n in range(entries)]
    chunks, sample = [], 0
    for n, (first, per_chunk, _) in enumerate(table):
        last = table[n + 1][0] - 1 if n + 1 < entries else len(offsets)
        for chunk in range(first - 1, last):
            chunks.append((offsets[chunk], sample, sample + per_chunk))
            sample += per_chunk
    if sample != count:
        raise ValueError("its chunk table does not cover its frames")
    return chunks


def _big_endian(data: bytes) -> array:
    """4-byte big-endian numbers, as an array."""
    numbers = array("I")
    numbers.frombytes(data)
    if sys.byteorder == "little":
        numbers.byteswap()
    return numbers


def _rate_fields(entry: bytes) -> list[int]:
    """Where the mp4a box's bit rates are: (max, average) in its esds decoder config,
    and again in its btrt box when it has one."""
    fields = []
    for kind, low, high in children(entry, 36):  # past the audio sample entry's fields
        if kind == b"btrt":
            fields.append(low + 4)
        elif kind == b"esds":
            at = _descriptor_body(entry, low + 4, 3)  # ES_Descriptor
            flags = entry[at + 2]
            at += 3 + (2 if flags & 0x80 else 0) + (2 if flags & 0x20 else 0)
            if flags & 0x40:
                at += 1 + entry[at]
            fields.append(_descriptor_body(entry, at, 4) + 5)  # DecoderConfigDescriptor
    if not fields:
        raise ValueError("its AAC sample entry has no esds")
    return fields


def _descriptor_body(data: bytes, at: int, tag: int) -> int:
    if data[at] != tag:
        raise ValueError(f"descriptor {data[at]} where {tag} belongs")
    at += 1
    while data[at] & 0x80:  # the length, 7 bits a byte
        at += 1
    return at + 1


def bit_rates(entry: bytes) -> tuple[int, int]:
    return struct.unpack_from(">II", entry, _rate_fields(entry)[0])


def with_bit_rates(entry: bytes, peak: int, average: int) -> bytes:
    out = bytearray(entry)
    for at in _rate_fields(entry):
        struct.pack_into(">II", out, at, max(peak, average), average)
    return bytes(out)


def codec_of(entry: bytes) -> bytes:
    """The sample entry without its bit rates: what must be the same in every piece."""
    return with_bit_rates(entry, 0, 0)
