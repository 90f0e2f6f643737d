"""Stitch rendered clips into the finished audiobook in `output/<book>/`.

Per chapter: assemble (pydub + one join) -> level -> MP3 (CBR, ID3v2.3, CHAP/CTOC)
and AAC part, in parallel; then the whole book as an m4b joined from the AAC parts
by stream copy, and the sidecars. A chapter whose key is unchanged is not touched.
Only this package knows an audio format exists.
"""

from __future__ import annotations

import concurrent.futures as futures
import os
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from narrate.errors import NarrateError
from narrate.faults import checkpoint
from narrate.script import short_title
from narrate.progress import Progress
from narrate.fileio import atomic_path, atomic_write_text
from narrate.stitch.timeline import AAC_FRAME, Clip, Cue, Mastering
from narrate.stitch.encode import check_ffmpeg, encode_aac, encode_mp3, join_m4b, mp3_seconds
from narrate.stitch.sidecars import cue_sheet, json_chapters, m3u_playlist, webvtt
from narrate.stitch.tags import Marker, Tags, image_mime, write_mp3_tags

PARTS = ".parts"  # per-chapter AAC encodes, kept so the m4b can be re-joined by stream copy
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}


@dataclass
class ChapterPlan:
    id: str
    number: int
    title: str
    key: str  # hash of everything that changes this chapter's files
    clips: list[Clip]

    @property
    def stem(self) -> str:
        return f"{self.number:02d} - {safe_filename(self.title)}"


@dataclass(frozen=True)
class BookInfo:
    title: str
    author: str = ""
    narrator: str = ""
    year: str = ""
    genre: str = "Audiobook"
    comment: str = ""
    cover: Path | None = None


@dataclass
class ChapterRecord:
    """What the manifest keeps of an exported chapter: enough to skip it next time."""
    id: str
    key: str
    title: str
    stem: str
    samples: int
    rate: int
    markers: list[dict] = field(default_factory=list)  # title, start_ms, end_ms
    cues: list[dict] = field(default_factory=list)  # id, section, text, start, end (samples)
    pieces: list[str] = field(default_factory=list)  # the AAC parts, in order, in .parts
    piece_bounds: list[tuple[int, int]] = field(default_factory=list)  # their sample ranges


@dataclass
class ExportResult:
    folder: Path
    chapters: list[ChapterRecord]
    exported: list[str]  # chapter ids encoded this time
    unchanged: list[str]
    m4b: Path
    seconds: float  # the whole book's duration


def safe_filename(name: str, limit: int = 80) -> str:
    """A file name that is valid on every OS and stays inside its folder."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[\\/:*?"<>|]+', " ", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = name[:limit].rstrip(" .")
    if not name or set(name) <= {"."}:
        name = "untitled"
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name


def needs_export(plan: ChapterPlan, folder: Path, previous: dict) -> bool:
    """A chapter is exported again unless its key, name and files are all as last time."""
    old = previous.get(plan.id)
    return not (old and old.key == plan.key and old.stem == plan.stem and old.pieces
                and (folder / f"{plan.stem}.mp3").exists()
                and all((folder / PARTS / p).exists() for p in old.pieces))


def export_book(info: BookInfo, plans: list[ChapterPlan], folder: Path, mastering: Mastering,
                jobs: int = 2, marker_sections: int = 1,
                previous: dict[str, ChapterRecord] | None = None,
                force: set[str] = frozenset(), progress: bool | None = None) -> ExportResult:
    """Export every chapter whose key changed, then re-join the m4b and rewrite the sidecars.

    Two phases on `jobs` threads: assemble each changed chapter (its levelled PCM
    goes to a file in .parts, so memory holds at most `jobs` chapters), then encode:
    one MP3 per chapter and the AAC in pieces of a few minutes cut in silences, so
    both cores stay busy however the chapters' lengths differ.
    """
    check_ffmpeg()
    cover = _read_cover(info.cover)
    parts = folder / PARTS
    parts.mkdir(parents=True, exist_ok=True)
    remove_temporary(folder)
    previous = previous or {}
    records: dict[str, ChapterRecord] = {}
    todo = []
    for plan in plans:
        if plan.id in force or needs_export(plan, folder, previous):
            todo.append(plan)
        else:
            records[plan.id] = previous[plan.id]
    with futures.ThreadPoolExecutor(max(1, jobs)) as pool:
        for plan, record in zip(todo, pool.map(lambda p: _assemble_to_disk(p, mastering, parts,
                                                                           marker_sections),
                                               todo)):
            records[plan.id] = record
        encodes = []
        for plan in sorted(todo, key=lambda p: -records[p.id].samples):  # longest first
            record = records[plan.id]
            tags = Tags(plan.title, info.title, info.author, info.narrator, plan.number,
                        len(plans), info.genre, str(info.year or ""), info.comment)
            encodes.append(pool.submit(_export_mp3, folder, plan, record, mastering, tags, cover))
            for piece, (start, stop) in zip(record.pieces, record.piece_bounds):
                encodes.append(pool.submit(_encode_piece, parts, record, piece, start, stop,
                                           mastering.bitrate_kbps))
        with Progress("encoding", len(encodes), progress) as bar:
            for done in futures.as_completed(encodes):
                done.result()
                bar.advance()
                checkpoint("encode")
    for leftover in parts.glob("*.pcm"):  # this build's, and any a crash left behind
        leftover.unlink()
    ordered = [records[p.id] for p in plans]
    m4b = folder / f"{safe_filename(info.title)}.m4b"
    if todo or set(previous) != set(records) or not all(
            f.exists() for f in (m4b, folder / "chapters.json")):
        _write_book_files(info, plans, ordered, folder, cover is not None and info.cover)
    _remove_stale(folder, plans, ordered, previous)
    return ExportResult(folder, ordered, [p.id for p in todo],
                        [p.id for p in plans if p not in todo], m4b,
                        sum(r.samples / r.rate for r in ordered))


def remove_temporary(folder: Path) -> int:
    """Temporary files a killed build left (the caller holds the book's lock)."""
    leftovers = [*folder.glob(".*.tmp*"), *(folder / PARTS).glob(".*.tmp*"),
                 *(folder / PARTS).glob("*.pcm")]
    for path in leftovers:
        path.unlink(missing_ok=True)
    return len(leftovers)


def _pcm_path(parts: Path, chapter_id: str) -> Path:
    return parts / f"{chapter_id}.pcm"


def _assemble_to_disk(plan: ChapterPlan, mastering: Mastering, parts: Path,
                      marker_sections: int) -> ChapterRecord:
    from narrate.stitch.assemble import assemble  # numpy and pydub, only when there is work

    audio = assemble(plan.clips, mastering)
    record = _record(plan, audio, marker_sections)
    bounds = piece_bounds(audio.cues, audio.samples, audio.rate)
    record.piece_bounds = bounds
    take = os.urandom(3).hex()  # a new take of the same key must not overwrite the old parts
    record.pieces = [f"{plan.id}-{n:03d}-{plan.key[:8]}{take}.m4a" for n in range(len(bounds))]
    with atomic_path(_pcm_path(parts, plan.id)) as tmp:
        audio.pcm.tofile(tmp)
    return record


def piece_bounds(cues: list[Cue], samples: int, rate: int,
                 minutes: float = 4.0) -> list[tuple[int, int]]:
    """Where to cut a chapter for AAC encoding: at whole AAC frames inside pauses,
    with silence on both sides of the cut (a piece's first frame decodes without
    the encoder's priming), about every `minutes`."""
    target = int(minutes * 60 * rate)
    cuts, last = [], 0
    for cue, following in zip(cues, cues[1:]):
        cut = -(-(cue.end + AAC_FRAME) // AAC_FRAME) * AAC_FRAME
        if cut - last >= target and following.start - cut >= 3 * AAC_FRAME:
            cuts.append(cut)
            last = cut
    edges = [0] + cuts + [samples]
    return list(zip(edges, edges[1:]))


def _encode_piece(parts: Path, record: "ChapterRecord", piece: str, start: int, stop: int,
                  kbps: int) -> None:
    with open(_pcm_path(parts, record.id), "rb") as handle:
        handle.seek(start * 2)
        pcm = handle.read((stop - start) * 2)
    encode_aac(pcm, record.rate, parts / piece, kbps)


def _read_cover(path: Path | None) -> bytes | None:
    if not path:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise NarrateError(f"{path}: cannot read the cover image ({exc.strerror}); "
                           "check the `cover:` path in the metadata") from None
    if not image_mime(data):
        raise NarrateError(f"{path}: the cover is not a PNG or JPEG image; "
                           "point `cover:` at a .png or .jpg file")
    return data


def _record(plan: ChapterPlan, audio, marker_sections: int) -> ChapterRecord:
    rate = audio.rate
    markers = [asdict(m) for m in section_markers(audio.cues, audio.samples, rate, marker_sections)]
    cues = [asdict(c) for c in audio.cues]
    return ChapterRecord(plan.id, plan.key, plan.title, plan.stem, audio.samples, rate,
                         markers, cues)


def section_markers(cues: list[Cue], samples: int, rate: int, group: int = 1) -> list[Marker]:
    """One marker per `group` sections: first at 0, each ending where the next starts,
    the last at the end of the audio. Titles are the section's first words."""
    starts: list[tuple[int, str]] = []
    seen: list[str] = []
    for cue in cues:
        if cue.section and cue.section not in seen:
            seen.append(cue.section)
            if (len(seen) - 1) % group == 0:
                starts.append((cue.start, short_title(cue.text, fallback="Section")))
    if not starts:
        return [Marker("Chapter", 0, round(samples * 1000 / rate))]
    starts[0] = (0, starts[0][1])
    ends = [s for s, _ in starts[1:]] + [samples]
    return [Marker(title, round(start * 1000 / rate), round(end * 1000 / rate))
            for (start, title), end in zip(starts, ends)]


def _export_mp3(folder: Path, plan: ChapterPlan, record: ChapterRecord, mastering: Mastering,
                tags: Tags, cover: bytes | None) -> Path:
    dest = folder / f"{plan.stem}.mp3"
    with atomic_path(dest) as tmp:
        encode_mp3(_pcm_path(folder / PARTS, plan.id), record.rate, tmp, mastering.bitrate_kbps,
                   record.rate)
        # the last marker ends where the file does: the encoder's delay and padding
        # make the MP3 a few frames longer than the PCM (the Xing header counts them)
        record.markers[-1]["end_ms"] = max(record.markers[-1]["end_ms"],
                                           round(mp3_seconds(tmp) * 1000))
        write_mp3_tags(tmp, tags, [Marker(**m) for m in record.markers], cover)
    return dest


def _write_book_files(info, plans, records, folder, cover_path) -> Path:
    """The whole-book m4b (joined by stream copy) and the sidecars, from exact sample counts."""
    chapters, position = [], 0.0
    for plan, record in zip(plans, records):
        length = record.samples / record.rate
        chapters.append((plan.title, position, position + length))
        position += length
    book_stem = safe_filename(info.title)
    m4b = folder / f"{book_stem}.m4b"
    tags = {"title": info.title, "album": info.title, "artist": info.author,
            "album_artist": info.author, "composer": info.narrator, "genre": info.genre,
            "date": str(info.year or ""), "comment": info.comment}
    join_m4b([folder / PARTS / piece for r in records for piece in r.pieces], m4b, tags,
             [(t, round(s * 1000), round(e * 1000)) for t, s, e in chapters],
             Path(cover_path) if cover_path else None)
    atomic_write_text(folder / "chapters.json", json_chapters(info.title, chapters))
    files = [(f"{p.stem}.mp3", p.title) for p in plans]
    atomic_write_text(folder / f"{book_stem}.cue",
                      cue_sheet(info.title, info.narrator or info.author, files))
    atomic_write_text(folder / f"{book_stem}.m3u", m3u_playlist(
        [(f"{p.stem}.mp3", r.samples / r.rate, f"{info.author} - {p.title}" if info.author
          else p.title) for p, r in zip(plans, records)]))
    for plan, record in zip(plans, records):
        atomic_write_text(folder / f"{plan.stem}.vtt", webvtt(
            [(c["start"] / record.rate, c["end"] / record.rate, c["id"], c["text"])
             for c in record.cues if c["text"]]))
    return m4b


def _remove_stale(folder: Path, plans: list[ChapterPlan], records: list[ChapterRecord],
                  previous: dict) -> None:
    """Files of chapters that were renamed, re-encoded or removed since the last build."""
    current = {p.stem for p in plans}
    for record in previous.values():
        if record.stem not in current:
            for suffix in (".mp3", ".vtt"):
                (folder / f"{record.stem}{suffix}").unlink(missing_ok=True)
    pieces = {piece for r in records for piece in r.pieces}
    for part in (folder / PARTS).glob("*.m4a"):
        if part.name not in pieces:
            part.unlink()
