"""Stitch rendered clips into the finished audiobook in `output/<book>/`.

Per chapter: assemble (pydub + one join) -> level -> cut into pieces of 20 s to
about 1.5 min -> each piece encoded to MP3 and AAC, in parallel, and kept in .parts under
a name that is the hash of its samples. The chapter MP3 is its pieces' frames one
after another (then ID3v2.3, CHAP/CTOC); the whole book is an m4b of the AAC
pieces' frames (mp4.py); then the sidecars. A chapter whose key is unchanged is
not touched, and in one that changed only the pieces whose samples changed are
encoded again. Only this package knows an audio format exists.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Set as AbstractSet
from concurrent import futures
from pathlib import Path

from narrate.errors import NarrateError
from narrate.faults import checkpoint
from narrate.fileio import atomic_path, read_checked, write_bytes_if_changed
from narrate.names import safe_filename
from narrate.progress import Progress
from narrate.stitch import pieces
from narrate.stitch.bookfiles import M4B_FOLDER, join_book, m4b_path, write_book_files
from narrate.stitch.encode import (
    check_ffmpeg,
    encode_pieces,
    info_frame,
    stop_encoders,
)
from narrate.stitch.library import series_position
from narrate.stitch.pieces import section_markers as section_markers  # for its callers
from narrate.stitch.readalong import write_readalong
from narrate.stitch.records import (
    FORMATS,
    PARTS,
    ChapterPlan,
    ChapterRecord,
    ExportResult,
)
from narrate.stitch.timeline import MP3_DELAY, Marker, Mastering, mp3_frame
from narrate.values import BookPlan, BuildOptions


def stamp(path: Path | None) -> list[int]:
    """A file's size and modification time: changed by anything that touched it."""
    if path is None:
        return []
    try:
        info = path.stat()
    except OSError:
        return []
    return [info.st_size, info.st_mtime_ns]


def parse_formats(text: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """"mp3,m4b" -> ("mp3", "m4b"), in FORMATS' order; a NarrateError names a stranger."""
    asked = [f.strip().lower() for f in (text.split(",") if isinstance(text, str) else text)]
    given = ",".join(asked)
    if "" in asked:
        raise NarrateError(f"--formats {given}: an empty name (a comma too many); give mp3, "
                           "m4b or mp3,m4b")
    unknown = [f for f in asked if f not in FORMATS]
    if unknown:
        raise NarrateError(f"--formats {given}: {', '.join(unknown)} is not a format; give mp3, "
                           "m4b or mp3,m4b")
    return tuple(f for f in FORMATS if f in asked)


def chapters_to_export(plans: list[ChapterPlan], folder: Path, previous: dict,
                       force: AbstractSet[str] = frozenset(),
                       formats: tuple[str, ...] = FORMATS) -> list[ChapterPlan]:
    """The chapters a build exports: those `force`d, and those not as last time. The one
    place this is decided (the build does it, a dry run says it)."""
    return [p for p in plans if p.id in force or _needs_export(p, folder, previous, formats)]


def _needs_export(plan: ChapterPlan, folder: Path, previous: dict,
                  formats: tuple[str, ...]) -> bool:
    """A chapter is exported again unless its key, name and files are all as last time
    (its MP3 untouched since narrate wrote it: a damaged or edited file is made again)."""
    old = previous.get(plan.id)
    return not (old and old.key == plan.key and old.stem == plan.stem and old.pieces
                and ("mp3" not in formats or (old.file_stamp and stamp(
                    folder / f"{plan.stem}.mp3") == old.file_stamp))
                and ("m4b" not in formats
                     or all(pieces.encoded(folder / PARTS, p, ("m4b",)) for p in old.pieces)))


def export_book(planned: BookPlan, options: BuildOptions, formats: tuple[str, ...],
                previous: dict[str, ChapterRecord], m4b_stamp: list[int] | None = None,
                encoder=None) -> ExportResult:
    """Export every chapter of `planned` not as the last build left it (`previous`: its
    records; `m4b_stamp`: its m4b's), then re-join the m4b and rewrite the sidecars.

    Each changed chapter is assembled in turn (its levelled PCM goes to a file in .parts,
    a chunk at a time: memory never holds a chapter), and its pieces not already in .parts are handed to
    `options.jobs` encoder threads, MP3 and AAC, which work while the next chapter is
    assembled (many short pieces keep both cores busy); then each chapter's MP3 and tags.
    With `options.readalong`, also the read-along EPUB (readalong.py). `formats`: the
    chapter MP3s, the m4b or both (FORMATS); the page and the EPUB carry the chapter MP3s.
    `encoder(function, *args) -> Future` runs the encodes elsewhere (on Ray's workers).
    """
    info, plans, folder, mastering = (planned.info, planned.chapters, planned.folder,
                                      planned.mastering)
    jobs, markers, readalong = options.jobs or os.cpu_count() or 1, options.markers, \
        options.readalong
    check_ffmpeg()
    if mastering.lead_in_ms * mastering.sample_rate < 1000 * MP3_DELAY:
        raise ValueError("lead_in_ms must cover the MP3 encoder's delay (60 ms or more)")
    cover = read_cover(info.cover)
    parts = folder / PARTS
    parts.mkdir(parents=True, exist_ok=True)
    remove_temporary(folder)
    todo = chapters_to_export(plans, folder, previous, planned.forced_chapters, formats)
    again = {p.id for p in todo}
    records: dict[str, ChapterRecord] = {p.id: previous[p.id] for p in plans if p.id not in again}
    m4b = m4b_path(folder, info.title, formats)
    untouched = bool(m4b_stamp) and stamp(m4b) == m4b_stamp  # as the last build left it
    changed = bool(todo) or set(previous) != {p.id for p in plans} or not untouched
    with futures.ThreadPoolExecutor(max(1, jobs)) as pool, \
            futures.ThreadPoolExecutor(1) as joiner, _scratch_removed(parts, pool, joiner):
        with Progress("assembling", len(todo), options.progress, "chapters") as bar:
            aac, mp3 = _encode_chapters(todo, records, previous, mastering, parts, markers,
                                        formats, encoder or pool.submit, max(1, jobs), bar)
        ordered = [records[p.id] for p in plans]
        with Progress("encoding", len(aac) + len(mp3), options.progress, "encodes") as bar:
            _wait(aac, bar, "encode-aac")
            # the m4b is joined from the AAC pieces while the last MP3 pieces are encoded
            joined = joiner.submit(join_book, info, plans, ordered, folder, m4b,
                                   cover) if m4b and changed else None
            _wait(mp3, bar, "encode-mp3")
        if "mp3" in formats:
            from narrate.stitch.tags import Tags  # mutagen: only when there are files to tag

            list(pool.map(lambda plan: _export_mp3(folder, plan, records[plan.id], cover, Tags(
                plan.title, info.title, info.author, info.narrator, plan.number, len(plans),
                info.genre, str(info.year or ""), info.comment, info.subtitle, info.series,
                series_position(info.series_index))), todo))
        for plan in todo:
            records[plan.id].file_stamp = stamp(folder / f"{plan.stem}.mp3")
        if joined:
            joined.result()
    write_book_files(info, plans, ordered, folder, formats)
    if cover:  # a library takes an image named cover in the folder before any other
        from narrate.stitch.tags import image_mime

        suffix = ".png" if image_mime(cover) == "image/png" else ".jpg"
        write_bytes_if_changed(folder / f"cover{suffix}", cover)
    epub = folder / f"{safe_filename(info.title)}.epub"
    if readalong and (changed or not epub.exists()):

        write_readalong(epub, info, [(p.title, folder / f"{p.stem}.mp3", r)
                                     for p, r in zip(plans, ordered)], cover)
    _remove_stale(folder, plans, ordered, previous, formats)
    return ExportResult(folder, ordered, [p.id for p in todo],
                        [p.id for p in plans if p not in todo], m4b,
                        sum(r.samples / r.rate for r in ordered), stamp(m4b), formats,
                        joined is not None)


@contextlib.contextmanager
def _scratch_removed(parts: Path, *pools: futures.Executor):
    """The chapters' PCM in .parts goes when the encodes end. On Ctrl-C or an error the
    encodes waiting are dropped and the running ffmpegs killed, so that the pools'
    threads end at once (leaving the pools waited for every encode: 12 s and more)."""
    try:
        yield
    except BaseException:
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
        stop_encoders()
        raise
    finally:
        for scratch in parts.glob("*.pcm"):  # this build's, and any a crash left behind
            scratch.unlink(missing_ok=True)


def _encode_chapters(todo, records, previous, mastering, parts, markers, formats,
                     submit, workers: int, bar: Progress,
                     ) -> tuple[list[futures.Future], list[futures.Future]]:
    """Assemble each chapter in turn, shortest first, and hand its pieces to the encoders,
    which work on the chapters before it meanwhile. A chapter's MP3 pieces go in after
    the next chapter's AAC pieces, so that the AAC is done first and the m4b's join
    overlaps the last MP3s, unless fewer than `workers` encodes are waiting: then the
    encoders would idle while the next chapter is assembled, and they take them now.
    Returns the AAC encodes and the MP3 encodes."""
    def send(batches) -> list[futures.Future]:
        return [submit(encode_pieces, *_encode_args(parts, batch, mastering))
                for batch in batches]

    aac: list[futures.Future] = []
    mp3: list[futures.Future] = []
    held: list = []
    # the shortest first: the encoders start soonest, and each chapter's encodes outlast
    # the next one's assembly (a long chapter after a short one left them idle)
    for plan in sorted(todo, key=lambda plan: sum(len(clip.text) for clip in plan.clips)):
        record = pieces.assemble_to_disk(plan, mastering, parts, markers,
                                   previous.get(plan.id), formats)
        records[plan.id] = record
        bar.advance(record.samples / record.rate)
        batches = list(pieces.encode_batches(parts, record, formats, workers))
        aac += send(batch for batch in batches if batch[1] == "aac")
        mp3 += send(held)
        held = [batch for batch in batches if batch[1] == "mp3"]
        if sum(not encode.done() for encode in aac + mp3) < workers:
            mp3 += send(held)
            held = []
    return aac, mp3 + send(held)


def _encode_args(parts: Path, batch, mastering: Mastering) -> tuple:
    record, codec, jobs = batch
    return pieces.pcm_path(parts, record.id), record.rate, jobs, codec, mastering.bitrate_kbps


def _wait(encodes: list[futures.Future], bar: Progress, point: str) -> None:
    for done in futures.as_completed(encodes):
        done.result()
        bar.advance()
        checkpoint(point)


def remove_temporary(folder: Path) -> int:
    """Temporary files a killed build left (the caller holds the book's lock): in the
    book's folder, in .parts, and in the m4b's folder (its join runs beside other work)."""
    leftovers = [*folder.glob(".*.tmp*"), *(folder / PARTS).glob(".*.tmp*"),
                 *(folder / M4B_FOLDER).glob(".*.tmp*"), *(folder / PARTS).glob("*.pcm")]
    for path in leftovers:
        path.unlink(missing_ok=True)
    return len(leftovers)


MAX_COVER_FILE_BYTES = 16 * 1024 * 1024  # every chapter file carries a copy of it


def read_cover(path: Path | None) -> bytes | None:
    if not path:
        return None
    try:
        data = read_checked(path, "cover image", MAX_COVER_FILE_BYTES, "use a smaller picture")
    except NarrateError as exc:
        raise NarrateError(f"cannot read the cover image: {exc.what}", exc.where,
                           "check the `cover:` path in the metadata") from None
    from narrate.stitch.tags import image_mime

    if not image_mime(data):
        raise NarrateError(f"{path}: the cover is not a PNG or JPEG image; "
                           "point `cover:` at a .png or .jpg file")
    return data


def _export_mp3(folder: Path, plan: ChapterPlan, record: ChapterRecord,
                cover: bytes | None, tags) -> Path:
    """The chapter MP3: an Info frame, its pieces' frames in order, then the tags
    and chapter frames (`tags`: tags.Tags)."""
    from narrate.stitch.tags import write_mp3_tags

    dest = folder / f"{plan.stem}.mp3"
    frames = [(folder / PARTS / f"{piece}.mp3").read_bytes() for piece in record.pieces]
    audio_bytes = sum(len(f) for f in frames)
    skip = mp3_frame(record.rate)
    count = (record.samples + skip) // skip
    with atomic_path(dest) as tmp:
        with open(tmp, "wb") as out:
            out.write(info_frame(frames[0], count, audio_bytes, skip))
            out.writelines(frames)
        write_mp3_tags(tmp, tags, [Marker(**m) for m in record.markers], cover)
    return dest


def _remove_stale(folder: Path, plans: list[ChapterPlan], records: list[ChapterRecord],
                  previous: dict, formats: tuple[str, ...] = FORMATS) -> None:
    """Files of chapters that were renamed, re-encoded or removed since the last build,
    and the chapter files and page when the MP3s are no longer asked for."""
    current = {p.stem for p in plans} if "mp3" in formats else set()
    for record in previous.values():
        if record.stem not in current:
            for suffix in (".mp3", ".vtt"):
                (folder / f"{record.stem}{suffix}").unlink(missing_ok=True)
    if "mp3" not in formats:
        (folder / "index.html").unlink(missing_ok=True)
    kept = {piece for r in records for piece in r.pieces}
    for part in [*(folder / PARTS).glob("*.m4a"), *(folder / PARTS).glob("*.mp3")]:
        if part.stem not in kept:
            part.unlink()
