"""The m4b narrate writes from the AAC pieces: read back by ffmpeg, ffprobe and mutagen,
and decoded against ffmpeg's own join of the same pieces (real ffmpeg)."""

import json
import struct
import subprocess

import numpy as np
import pytest
from mutagen.mp4 import MP4

from narrate.errors import NarrateError
from narrate.stitch.aacpiece import _chunks, children, find, read_piece
from narrate.stitch.encode import PieceJob, encode_pieces
from narrate.stitch.mp4 import BookTags, _stbl, write_m4b

RATE = 22050
BOUNDS = [(0, 30 * 1024), (30 * 1024, 75 * 1024), (75 * 1024, 96 * 1024)]
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8cfc0f01f0005000201a5d0e7d60000000049454e44ae426082")


@pytest.fixture(scope="module")
def pieces(tmp_path_factory):
    """Three AAC pieces of a chirp with noise, cut where a chapter's pieces are cut."""
    folder = tmp_path_factory.mktemp("pieces")
    t = np.arange(BOUNDS[-1][1]) / RATE
    rng = np.random.default_rng(7)
    pcm = (8000 * np.sin(2 * np.pi * (200 + 300 * t) * t) + rng.normal(0, 300, len(t)))
    (folder / "chapter.pcm").write_bytes(pcm.astype(np.int16).tobytes())
    jobs = [PieceJob(start, stop, folder / f"{n}.m4a") for n, (start, stop) in enumerate(BOUNDS)]
    encode_pieces(folder / "chapter.pcm", RATE, jobs, "aac", 64)
    return [job.dest for job in jobs]


def probe(path, *what):
    return json.loads(subprocess.run(["ffprobe", "-v", "error", *what, "-of", "json", str(path)],
                                     capture_output=True, text=True, check=True).stdout)


def decode(path):
    return subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-"],
                          capture_output=True, check=True).stdout


def test_the_book_decodes_as_ffmpegs_own_join_of_the_pieces(pieces, tmp_path):
    """Frame for frame what ffmpeg's concat demuxer makes (`inpoint 0` drops each piece's
    priming): the same decoded samples, but every frame exactly 1024 samples long."""
    book = write_m4b(pieces, tmp_path / "book.m4b", BookTags({}), [])
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"file '{p}'\ninpoint 0\n" for p in pieces))
    joined = tmp_path / "ffmpeg.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-c", "copy", str(joined)], check=True)
    ours = decode(book)
    assert ours == decode(joined)
    assert len(ours) == 2 * BOUNDS[-1][1]  # the chapter's samples, no more, no fewer
    packets = probe(book, "-show_entries", "packet=duration,pts")["packets"]
    assert [p["duration"] for p in packets] == [1024] * (BOUNDS[-1][1] // 1024)
    assert [p["pts"] for p in packets] == list(range(0, BOUNDS[-1][1], 1024))
    stream = probe(book, "-show_streams")["streams"][0]
    assert stream["duration_ts"] == BOUNDS[-1][1] and stream["codec_name"] == "aac"


def test_chapters_tags_and_cover_read_back(pieces, tmp_path):
    tags = BookTags({"\xa9nam": "Ünïcode – title", "\xa9ART": "A. Writer", "aART": "A. Writer",
                     "\xa9wrt": "A. Voice", "\xa9day": "1931", "\xa9cmt": "", "stik": "2",
                     "----:com.apple.iTunes:SERIES": "River Lectures"}, PNG)
    chapters = [("One", 0, 1393), ("Twö: the second", 1393, 4458)]
    book = write_m4b(pieces, tmp_path / "book.m4b", tags, chapters)
    found = probe(book, "-show_chapters", "-show_format")
    assert [(c["tags"]["title"], c["start"], c["end"]) for c in found["chapters"]] == chapters
    probed = found["format"]["tags"]
    assert probed["title"] == "Ünïcode – title" and probed["SERIES"] == "River Lectures"
    assert probed["major_brand"] == "M4B "
    audio = MP4(str(book))
    assert audio.tags["\xa9wrt"] == ["A. Voice"] and audio.tags["stik"] == [2]
    assert "\xa9cmt" not in audio.tags  # an empty tag is left out
    assert bytes(audio.tags["covr"][0]) == PNG
    assert [(round(c.start * 1000), c.title) for c in audio.chapters] == [
        (0, "One"), (1393, "Twö: the second")]
    # the moov first: a player reads chapters and tags without reading to the end
    assert [kind for kind, _, _ in children(book.read_bytes())] == [b"ftyp", b"moov", b"mdat"]


def test_the_book_reads_back_as_the_pieces_frames(pieces, tmp_path):
    """Its own sample tables, read as a piece's are, list every piece's frames in order."""
    book = write_m4b(pieces, tmp_path / "book.m4b", BookTags({}), [("Only", 0, 4458)])
    whole = read_piece(book)
    parts = [read_piece(p) for p in pieces]
    assert list(whole.sizes) == [size for part in parts for size in part.sizes]
    data = book.read_bytes()
    frames = b"".join(data[at:at + length] for at, length in whole.runs)
    assert frames == b"".join(p.path.read_bytes()[at:at + n] for p in parts for at, n in p.runs)


def test_64_bit_chunk_offsets_read_back():
    """A book past 4 GiB gets co64 offsets (written here without writing 4 GiB)."""
    sizes, per_chunk = [5, 6, 7, 8, 9], [2, 3]
    offsets = [2**33, 2**33 + 100]
    stbl = _stbl(b"", [(5, 1024)], per_chunk, sizes, offsets, wide=True)
    low, high = find(stbl, "stbl")
    assert b"co64" in stbl and b"stco" not in stbl
    assert _chunks(stbl, (low, high), len(sizes)) == [(2**33, 0, 2), (2**33 + 100, 2, 5)]


def test_a_damaged_piece_is_named_with_its_fix(pieces, tmp_path):
    cut = tmp_path / "cut.m4a"
    cut.write_bytes(pieces[1].read_bytes()[:4000])  # its moov is at the end
    with pytest.raises(NarrateError, match=r"cut\.m4a: not an AAC piece .*delete it"):
        write_m4b([pieces[0], cut], tmp_path / "book.m4b", BookTags({}), [])
    assert not (tmp_path / "book.m4b").exists() and not list(tmp_path.glob(".*tmp*"))


def test_a_piece_of_other_settings_is_refused(pieces, tmp_path):
    folder = tmp_path
    (folder / "x.pcm").write_bytes(bytes(2 * 20 * 1024))
    other = PieceJob(0, 20 * 1024, folder / "mono44.m4a")
    encode_pieces(folder / "x.pcm", 44100, [other], "aac", 64)
    with pytest.raises(NarrateError, match=r"mono44\.m4a: encoded with other settings"):
        write_m4b([pieces[0], other.dest], tmp_path / "book.m4b", BookTags({}), [])


@pytest.mark.unit
def test_long_titles_are_cut_between_characters():
    from narrate.stitch.mp4 import _chpl, _title_sample

    title = "é" * 200  # 400 bytes: Nero's list holds 255
    chpl = _chpl([(title, 0, 10)])
    length = chpl[12 + 4 + 1 + 8]
    assert length == 254 and chpl[-254:].decode("utf-8") == "é" * 127
    sample = _title_sample(title)
    assert struct.unpack(">H", sample[:2])[0] == 400


@pytest.mark.unit
def test_a_book_past_32_bit_durations_takes_64_bit_headers():
    from narrate.stitch.mp4 import _tkhd

    short, long = _tkhd(1, 2**32 - 1, True), _tkhd(1, 2**33 + 5, True)
    assert len(short) == 92 and short[8] == 0
    assert len(long) == 104 and long[8] == 1
    assert struct.unpack_from(">Q", long, 8 + 4 + 8 + 8 + 4 + 4)[0] == 2**33 + 5


@pytest.mark.unit
def test_the_priming_is_skipped_across_chunks(tmp_path):
    """Frames kept: all after the edit list's priming, each chunk's at its own offset."""
    from narrate.stitch.aacpiece import _piece
    from narrate.stitch.mp4 import _mdhd, box, full_box

    sizes = [5, 6, 7, 8, 9]
    entry = box(b"stsd", bytes(4), struct.pack(">I", 1), box(b"mp4a", bytes(28)))
    moov = box(b"trak", box(b"edts", full_box(b"elst", 0, 0, struct.pack(">IIiI", 1, 100, 1024,
                                                                         0x10000))),
               box(b"mdia", _mdhd(22050, 5 * 1024, 0),
                   box(b"minf", _stbl(entry, [(5, 1024)], [2, 3], sizes, [1000, 2000], False))))
    piece = _piece(tmp_path / "p.m4a", moov)
    assert piece.rate == 22050 and list(piece.sizes) == [6, 7, 8, 9]
    assert piece.runs == [(1005, 6), (2000, 24)]


def test_a_damaged_piece_in_a_book_is_named_and_the_fix_it_gives_works(tmp_path):
    """A piece in .parts cut short (a disk fault) stops the next m4b with the file and the
    fix; doing as it says, the build after makes the piece again and a whole m4b."""
    from narrate import build

    source = tmp_path / "book.md"
    source.write_text("# One\n\nThe first chapter is short.\n\n# Two\n\nThe second one is too.\n",
                      encoding="utf-8")
    result = build(source, cache=tmp_path / "cache", out=tmp_path / "out",
                   progress=False, credits=False)
    first = json.loads((result.folder / "manifest.json").read_text())["chapters"][0]
    damaged = result.folder / ".parts" / f"{first['pieces'][0]}.m4a"
    damaged.write_bytes(damaged.read_bytes()[:1000])
    source.write_text(source.read_text(encoding="utf-8").replace("too", "short too"),
                      encoding="utf-8")
    with pytest.raises(NarrateError, match=rf"{damaged.name}: not an AAC piece .*delete it"):
        build(source, cache=tmp_path / "cache", out=tmp_path / "out", progress=False,
              credits=False)
    damaged.unlink()
    result = build(source, cache=tmp_path / "cache", out=tmp_path / "out",
                   progress=False, credits=False)
    assert read_piece(damaged).sizes  # made again
    chapters = probe(result.export.m4b, "-show_chapters")["chapters"]
    assert [c["tags"]["title"] for c in chapters] == ["One", "Two"]
    assert len(decode(result.export.m4b)) == 2 * sum(
        c["samples"] for c in json.loads((result.folder / "manifest.json").read_text())["chapters"])
