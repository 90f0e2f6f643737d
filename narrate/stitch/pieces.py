"""A chapter cut into pieces: its levelled PCM assembled into .parts, its record (cues,
markers, pieces), and the batches of pieces its encoders are given. A piece's encodes are
named by what they hold, so an edit encodes only the pieces that hold it."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path

from narrate.convert import short_title
from narrate.fileio import atomic_path
from narrate.stitch.encode import PieceJob, encoder_settings, mp3_makeup_db
from narrate.stitch.records import FORMATS, ChapterPlan, ChapterRecord
from narrate.stitch.timeline import MP3_DELAY, Cue, Marker, Mastering, mp3_frame


def pcm_path(parts: Path, chapter_id: str) -> Path:
    return parts / f"{chapter_id}.pcm"


def assemble_to_disk(plan: ChapterPlan, mastering: Mastering, parts: Path,
                      markers: int, previous: ChapterRecord | None,
                      formats: tuple[str, ...] = FORMATS) -> ChapterRecord:
    """The chapter's levelled PCM, for its encoders, in .parts (removed again when every
    piece is encoded already), and its record. Pieces the last build levelled with the
    same inputs and gain, and whose encodes are in .parts, are left out."""
    # numpy and pydub, only when there is work
    from narrate.stitch.assemble import PieceMeasure, assemble_into

    gain = previous.gain_db if previous and previous.rms_target == mastering.rms_db else None
    rate, kbps = mastering.sample_rate, mastering.bitrate_kbps
    known = {}
    if previous and gain is not None:
        for (start, _), measure in zip(previous.piece_bounds, previous.piece_measures):
            name = piece_name(measure["digest"], rate, kbps, start == 0)
            if encoded(parts, name, formats):
                known[measure["inputs"]] = PieceMeasure.from_record(measure)
    pcm = pcm_path(parts, plan.id)
    with atomic_path(pcm) as tmp, open(tmp, "wb") as out:
        audio = assemble_into(out, plan.clips, mastering, gain, known)
    record = chapter_record(plan, audio, markers)
    record.gain_db, record.rms_target = audio.gain_db, mastering.rms_db
    record.piece_bounds = audio.pieces
    record.piece_measures = [asdict(m) for m in audio.measures]
    record.pieces = [piece_name(m.digest, rate, kbps, start == 0)
                     for m, (start, _) in zip(audio.measures, audio.pieces)]
    if all(encoded(parts, p, formats) for p in record.pieces):
        pcm.unlink()
    return record


def encoded(parts: Path, piece: str, formats: tuple[str, ...]) -> bool:
    return all((parts / f"{piece}{suffix}").exists() for suffix in suffixes(formats))


def piece_name(samples_digest: str, rate: int, kbps: int, head: bool) -> str:
    """A piece's encodes are named by what they hold: its samples (`samples_digest`, the
    blake2b-96 of them), whether it opens its chapter (its MP3 starts differently), and
    the encoder settings."""
    return hashlib.blake2b(f"{samples_digest}/{rate}/{kbps}/{head}/{encoder_settings()}/"
                           f"{mp3_makeup_db(rate, kbps)}".encode(), digest_size=12).hexdigest()


BATCH_SECONDS = 600  # pieces encoded by one ffmpeg run: enough to share its start-up,
                    # few enough that both cores stay busy


def suffixes(formats: tuple[str, ...]) -> list[str]:
    """The pieces each format is made from: the m4b of AAC pieces, each MP3 of MP3 pieces."""
    return [{"m4b": ".m4a", "mp3": ".mp3"}[f] for f in formats]


def encode_batches(parts: Path, record: ChapterRecord, formats: tuple[str, ...] = FORMATS,
                    workers: int = 1):
    """(record, codec, jobs) for the pieces of a chapter not yet in .parts: up to
    BATCH_SECONDS a run, and no more than a `workers`th of the codec's pieces (an edit's
    two pieces are two runs, on two cores)."""
    for codec, suffix, job in (("aac", ".m4a", _aac_job), ("mp3", ".mp3", _mp3_job)):
        if suffix not in suffixes(formats):
            continue
        missing = [(piece, start, stop) for piece, (start, stop)
                   in zip(record.pieces, record.piece_bounds)
                   if not (parts / f"{piece}{suffix}").exists()]
        share = -(-sum(stop - start for _, start, stop in missing) // max(1, workers))
        limit = min(BATCH_SECONDS * record.rate, share)
        batch: list[PieceJob] = []
        for piece, start, stop in missing:
            if batch and sum(j.stop - j.start for j in batch) + stop - start > limit:
                yield record, codec, batch
                batch = []
            batch.append(job(parts / f"{piece}{suffix}", start, stop, record.rate))
        if batch:
            yield record, codec, batch


def _aac_job(dest: Path, start: int, stop: int, rate: int) -> PieceJob:
    return PieceJob(start, stop, dest)


def _mp3_job(dest: Path, start: int, stop: int, rate: int) -> PieceJob:
    """The piece minus the encoder's delay at its head and one frame at its tail, which
    LAME gives back as silence: the decoded piece is exactly stop - start samples, so
    pieces played one after another keep the chapter's timeline (cuts sit in pauses).
    The chapter's first piece is one frame longer: the one its Info frame tells players to skip."""
    frame = mp3_frame(rate)
    head = frame if start == 0 else 0
    return PieceJob(start + MP3_DELAY - head, stop - frame, dest, (stop - start + head) // frame)


def chapter_record(plan: ChapterPlan, audio, markers: int) -> ChapterRecord:
    rate = audio.rate
    marks = [asdict(m) for m in section_markers(audio.cues, audio.samples, rate, markers)]
    cues = [asdict(c) for c in audio.cues]
    return ChapterRecord(plan.id, plan.key, plan.title, plan.stem, audio.samples, rate,
                         marks, cues)


def section_markers(cues: list[Cue], samples: int, rate: int, group: int = 1) -> list[Marker]:
    """One marker per `group` sections: first at 0, each ending where the next starts,
    the last at the end of the audio. Titles are the section's own (a sidenote that
    heads it) or its first words."""
    starts: list[tuple[int, str]] = []
    seen: list[str] = []
    for cue in cues:
        if cue.section and cue.section not in seen:
            seen.append(cue.section)
            if (len(seen) - 1) % group == 0:
                starts.append((cue.start, cue.title or short_title(cue.text, fallback="Section")))
    if not starts:
        return [Marker("Chapter", 0, round(samples * 1000 / rate))]
    starts[0] = (0, starts[0][1])
    ends = [s for s, _ in starts[1:]] + [samples]
    return [Marker(title, round(start * 1000 / rate), round(end * 1000 / rate))
            for (start, title), end in zip(starts, ends)]
