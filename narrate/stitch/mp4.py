"""The whole-book m4b, written here from the AAC pieces' own sample tables (read by
narrate.stitch.aacpiece).

Each piece is an MP4 file ffmpeg made: one AAC track, its first frame the
encoder's priming (an edit list skips it). The book's track is every piece's
frames after the priming, one chunk per piece, each frame 1024 samples long:
so the timeline is the assembled one, sample for sample, and an m4b is a copy
of bytes and a few tables (ffmpeg's concat took 0.5 s for an hour's 86,000
frames, and its timestamps wobbled by a few samples at every join).

Boxes, as players read them (ISO 14496-12 and -14, Apple's QuickTime and iTunes
metadata): ftyp; moov (mvhd; the audio trak, with a `chap` reference; a QuickTime
text trak whose samples are the chapter titles; udta with the iTunes tags and
Nero's `chpl` chapter list); then mdat. The moov comes first, so a player or
a library can read the chapters and tags without reading to the end.
"""

from __future__ import annotations

import itertools
import struct
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from narrate.errors import NarrateError
from narrate.fileio import atomic_path
from narrate.stitch.aacpiece import Piece, bit_rates, codec_of, read_piece, with_bit_rates
from narrate.stitch.timeline import AAC_FRAME

COPY_BLOCK = 1 << 20
ENCODER_TAG = "narrate"


def box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I4s", 8 + len(body), kind) + body


def full_box(kind: bytes, version: int, flags: int, *payload: bytes) -> bytes:
    return box(kind, struct.pack(">I", version << 24 | flags), *payload)


@dataclass
class BookTags:
    """What the m4b says about itself: iTunes atoms by their four-letter names
    ("\u00a9nam", "aART" ...), freeform ones by "----:MEAN:NAME", and a cover."""
    text: dict[str, str]
    cover: bytes | None = None


def write_m4b(pieces: list[Path], dest: Path, tags: BookTags,
              chapters: list[tuple[str, int, int]]) -> Path:
    """The m4b from the AAC pieces in order; `chapters` are (title, start_ms, end_ms),
    end to end from 0."""
    read = [read_piece(path) for path in pieces]
    if not read:
        raise NarrateError(f"{dest}: no audio to join")
    rate, codec = read[0].rate, codec_of(read[0].sample_entry)
    for piece in read:
        if codec_of(piece.sample_entry) != codec or piece.rate != rate:
            raise NarrateError(f"{piece.path}: encoded with other settings than {read[0].path}; "
                               "delete the book's .parts folder and build again")
    titles = [_title_sample(title) for title, _, _ in chapters]
    audio_bytes = sum(sum(piece.sizes) for piece in read)
    seconds = sum(len(piece.sizes) for piece in read) * AAC_FRAME / rate
    entry = with_bit_rates(read[0].sample_entry, max(bit_rates(p.sample_entry)[0] for p in read),
                           round(audio_bytes * 8 / seconds))
    mdat_size = 8 + sum(map(len, titles)) + audio_bytes
    wide = mdat_size > 0xFFFFFFFF
    head = box(b"ftyp", b"M4B ", struct.pack(">I", 0x200), b"M4B iso2mp41")
    moov = _moov(read, rate, entry, tags, chapters, titles, 0, wide)
    mdat_start = len(head) + len(moov) + (16 if wide else 8)
    moov = _moov(read, rate, entry, tags, chapters, titles, mdat_start, wide)
    with atomic_path(dest) as tmp, open(tmp, "wb") as out:
        out.write(head + moov)
        out.write(struct.pack(">I4sQ", 1, b"mdat", mdat_size + 8) if wide
                  else struct.pack(">I4s", mdat_size, b"mdat"))
        out.writelines(titles)
        for piece in read:
            _copy_runs(piece, out)
    return dest


def _copy_runs(piece: Piece, out) -> None:
    with open(piece.path, "rb") as source:
        for offset, length in piece.runs:
            source.seek(offset)
            while length:
                block = source.read(min(length, COPY_BLOCK))
                if not block:
                    raise NarrateError(f"{piece.path}: shorter than its sample table says; "
                                       "delete it and build again")
                out.write(block)
                length -= len(block)


def _big_endian_bytes(numbers: array) -> bytes:
    if sys.byteorder == "little":
        numbers = array("I", numbers)
        numbers.byteswap()
    return numbers.tobytes()


def _title_sample(title: str) -> bytes:
    """A QuickTime text sample: its length, the UTF-8 text, and an `encd` box saying UTF-8."""
    text = _utf8(title, 0xFFFF)
    return struct.pack(">H", len(text)) + text + box(b"encd", struct.pack(">I", 0x100))


def _moov(read: list[Piece], rate: int, entry: bytes, tags: BookTags,
          chapters: list[tuple[str, int, int]], titles: list[bytes], mdat_start: int,
          wide: bool) -> bytes:
    """The movie's boxes. Its timescale is the sample rate, so every duration is exact
    (in milliseconds, an edit list cut the last frame short by a few samples)."""
    frames = sum(len(piece.sizes) for piece in read)
    samples = frames * AAC_FRAME
    chunk_offsets, at = [], mdat_start + sum(map(len, titles))
    sizes = array("I")
    for piece in read:
        chunk_offsets.append(at)
        at += sum(piece.sizes)
        sizes.extend(piece.sizes)
    entries = box(b"stsd", bytes(4), struct.pack(">I", 1), entry)
    tracks = [_trak(
        _tkhd(1, samples, enabled=True),
        box(b"tref", box(b"chap", struct.pack(">I", 2))) if chapters else b"",
        _mdhd(rate, samples, language=0x55C4),  # "und"
        full_box(b"hdlr", 0, 0, bytes(4), b"soun", bytes(12), b"SoundHandler\0"),
        full_box(b"smhd", 0, 0, bytes(4)),
        _stbl(entries, [(frames, AAC_FRAME)], [len(p.sizes) for p in read],
              sizes, chunk_offsets, wide, _roll(frames)))]
    if chapters:
        end = max(stop for _, _, stop in chapters)
        starts = [start for _, start, _ in chapters] + [end]
        tracks.append(_trak(
            _tkhd(2, round(end * rate / 1000), enabled=False),
            b"",
            _mdhd(1000, end, language=0),
            full_box(b"hdlr", 0, 0, bytes(4), b"text", bytes(12), b"SubtitleHandler\0"),
            _GMHD,
            _stbl(_TEXT_ENTRY, [(1, b - a) for a, b in itertools.pairwise(starts)], [len(titles)],
                  [len(t) for t in titles], [mdat_start], wide)))
    long = samples > 0xFFFFFFFF  # past 27 hours at 44.1 kHz: 64-bit times
    mvhd = full_box(b"mvhd", long, 0, struct.pack(">QQIQ" if long else ">IIII", 0, 0, rate,
                                                  samples),
                    struct.pack(">IH", 0x10000, 0x100), bytes(10), _MATRIX, bytes(24),
                    struct.pack(">I", len(tracks) + 1))
    return box(b"moov", mvhd, *tracks, box(b"udta", _meta(tags), _chpl(chapters)))


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
# a QuickTime chapter track's media header and sample description, as Apple and ffmpeg
# write them: default graphics mode, display flags 1, black on white, font 1 unnamed
_GMHD = box(b"gmhd", full_box(b"gmin", 0, 0, struct.pack(">HHHHhH", 0x40, 0x8000, 0x8000,
                                                         0x8000, 0, 0)),
            box(b"text", struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)))
_TEXT_ENTRY = box(b"stsd", bytes(4), struct.pack(">I", 1), box(
    b"text", bytes(6), struct.pack(">H", 1),  # data reference 1
    # display flags 1, left, black background, no text box, 8 reserved bytes, font 1
    bytes.fromhex("00000001" "00000000" "000000000000" "0000000000000000" "0001000000000000"),
    box(b"ftab", struct.pack(">HHB", 1, 1, 0))))


def _trak(tkhd: bytes, tref: bytes, mdhd: bytes, hdlr: bytes, media_header: bytes,
          stbl: bytes) -> bytes:
    dinf = box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), full_box(b"url ", 0, 1)))
    return box(b"trak", tkhd, tref,
               box(b"mdia", mdhd, hdlr, box(b"minf", media_header, dinf, stbl)))


def _tkhd(track: int, duration: int, enabled: bool) -> bytes:
    flags = 3 if enabled else 2  # in the movie; a chapter track is not played itself
    long = duration > 0xFFFFFFFF
    return full_box(b"tkhd", long, flags, struct.pack(">QQIIQ" if long else ">IIIII", 0, 0,
                                                      track, 0, duration),
                    bytes(8), struct.pack(">hhHH", 0, 1 if enabled else 0,
                                          0x100 if enabled else 0, 0), _MATRIX, bytes(8))


def _mdhd(timescale: int, duration: int, language: int) -> bytes:
    if duration > 0xFFFFFFFF:
        return full_box(b"mdhd", 1, 0, struct.pack(">QQIQHH", 0, 0, timescale, duration,
                                                   language, 0))
    return full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, timescale, duration, language, 0))


def _stbl(entry: bytes, durations: list[tuple[int, int]], per_chunk: list[int],
          sizes: Sequence[int], chunk_offsets: list[int], wide: bool,
          extra: bytes = b"") -> bytes:
    stsc: list[tuple[int, int]] = []  # runs of chunks with the same number of samples
    for chunk, count in enumerate(per_chunk, 1):
        if not stsc or stsc[-1][1] != count:
            stsc.append((chunk, count))
    offsets = (full_box(b"co64", 0, 0, struct.pack(f">I{len(chunk_offsets)}Q",
                                                   len(chunk_offsets), *chunk_offsets))
               if wide else full_box(b"stco", 0, 0, struct.pack(
                   f">I{len(chunk_offsets)}I", len(chunk_offsets), *chunk_offsets)))
    return box(b"stbl", entry,
               full_box(b"stts", 0, 0, struct.pack(f">I{2 * len(durations)}I", len(durations),
                                                   *(n for pair in durations for n in pair))),
               full_box(b"stsc", 0, 0, struct.pack(f">I{3 * len(stsc)}I", len(stsc),
                                                   *(n for c, k in stsc for n in (c, k, 1)))),
               full_box(b"stsz", 0, 0, struct.pack(">II", 0, len(sizes)),
                        _big_endian_bytes(array("I", sizes))),
               offsets, extra)


def _roll(frames: int) -> bytes:
    """AAC's pre-roll as a sample group: each frame needs the one before it decoded."""
    return (full_box(b"sgpd", 1, 0, b"roll", struct.pack(">IIh", 2, 1, -1))
            + full_box(b"sbgp", 0, 0, b"roll", struct.pack(">III", 1, frames, 1)))


def _meta(tags: BookTags) -> bytes:
    items = [_text_item(name, value) for name, value in tags.text.items() if value]
    items.append(box(b"\xa9too", _data(1, ENCODER_TAG.encode())))
    if tags.cover:
        kind = 14 if tags.cover.startswith(b"\x89PNG") else 13  # PNG, else JPEG
        items.append(box(b"covr", _data(kind, tags.cover)))
    hdlr = full_box(b"hdlr", 0, 0, bytes(4), b"mdirappl", bytes(9))
    return full_box(b"meta", 0, 0, hdlr, box(b"ilst", *items))


def _text_item(name: str, value: str) -> bytes:
    if name == "stik":  # the media kind, a one-byte number (2: audiobook)
        return box(b"stik", _data(21, bytes([int(value)])))
    if name.startswith("----:"):
        _, mean, key = name.split(":", 2)
        return box(b"----", full_box(b"mean", 0, 0, mean.encode()),
                   full_box(b"name", 0, 0, key.encode()), _data(1, value.encode()))
    return box(name.encode("latin-1"), _data(1, value.encode()))


def _data(kind: int, payload: bytes) -> bytes:
    return box(b"data", struct.pack(">II", kind, 0), payload)


def _chpl(chapters: list[tuple[str, int, int]]) -> bytes:
    """Nero's chapter list (start in 100 ns units, title of at most 255 bytes), which
    mutagen and many players read."""
    body = b"".join(struct.pack(">QB", start * 10_000, len(text)) + text for text, start in
                    ((_utf8(title, 255), start) for title, start, _ in chapters[:255]))
    return full_box(b"chpl", 1, 0, bytes(4), bytes([min(len(chapters), 255)]), body)


def _utf8(text: str, limit: int) -> bytes:
    """At most `limit` bytes of UTF-8, cut between characters."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore").encode("utf-8")
