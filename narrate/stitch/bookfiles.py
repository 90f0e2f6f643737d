"""The whole book's files, from its exported chapters: the m4b (its AAC pieces' frames
joined, mp4.py), the cue sheet, playlist, captions, chapters and library metadata, the
read-along page; and the whole-book files of an earlier build that this one did not write."""

from __future__ import annotations

from pathlib import Path

from narrate.faults import checkpoint
from narrate.fileio import write_text_if_changed
from narrate.names import safe_filename
from narrate.stitch.library import abs_metadata, opf_metadata, series_position
from narrate.stitch.records import FORMATS, PARTS, BookInfo
from narrate.stitch.sidecars import cue_sheet, json_chapters, m3u_playlist, webvtt

M4B_FOLDER = "m4b"  # the whole book in one file, beside the chapter MP3s


def _book_chapters(plans, records) -> list[tuple[str, float, float]]:
    """(title, start, end) of each chapter in the whole book, in seconds, from exact
    sample counts."""
    chapters, position = [], 0.0
    for plan, record in zip(plans, records):
        length = record.samples / record.rate
        chapters.append((plan.title, position, position + length))
        position += length
    return chapters


def join_book(info, plans, records, folder: Path, m4b: Path, cover: bytes | None) -> None:
    """The whole-book m4b, its AAC pieces' frames copied one after another (mp4.py)."""
    from narrate.stitch.mp4 import BookTags, write_m4b

    m4b.parent.mkdir(exist_ok=True)
    if m4b.parent != folder:
        # the same book again: Audiobookshelf would list it twice, so it is hidden from
        # its scanner, which skips a folder holding a file named .ignore
        write_text_if_changed(m4b.parent / ".ignore", "")
    write_m4b([folder / PARTS / f"{piece}.m4a" for r in records for piece in r.pieces], m4b,
              BookTags(m4b_tags(info), cover),
              [(t, round(s * 1000), round(e * 1000)) for t, s, e in _book_chapters(plans, records)])


def write_book_files(info, plans, records, folder,
                      formats: tuple[str, ...] = FORMATS) -> None:
    """The sidecars, each written only when its text changed."""
    checkpoint("sidecars")
    chapters = _book_chapters(plans, records)
    position = chapters[-1][2] if chapters else 0.0
    book_stem = safe_filename(info.title)
    m4b = m4b_path(folder, info.title, formats)
    write_text_if_changed(folder / "chapters.json", json_chapters(info.title, chapters))
    write_text_if_changed(folder / "metadata.json", abs_metadata(info, chapters))
    write_text_if_changed(folder / "metadata.opf", opf_metadata(info, f"narrate:{book_stem}"))
    performer = info.narrator or info.author
    if "mp3" in formats:
        _write_mp3_sidecars(info, plans, records, folder, book_stem, performer)
    elif m4b:  # the m4b alone: the cue sheet and playlist name it
        write_text_if_changed(folder / f"{book_stem}.cue", cue_sheet(
            info.title, performer, [(m4b.name, title, start) for title, start, _ in chapters]))
        write_text_if_changed(folder / f"{book_stem}.m3u8", m3u_playlist(
            [(m4b.name, position, f"{info.author} - {info.title}" if info.author
              else info.title)]))
    _remove_other_books(folder, book_stem, m4b)


def _write_mp3_sidecars(info, plans, records, folder, book_stem, performer) -> None:
    """The chapter files' cue sheet, playlist, captions and read-along page."""
    write_text_if_changed(folder / f"{book_stem}.cue", cue_sheet(
        info.title, performer, [(f"{p.stem}.mp3", p.title, 0.0) for p in plans]))
    write_text_if_changed(folder / f"{book_stem}.m3u8", m3u_playlist(  # UTF-8: any title
        [(f"{p.stem}.mp3", r.samples / r.rate, f"{info.author} - {p.title}" if info.author
          else p.title) for p, r in zip(plans, records)]))
    captions = [webvtt([(c["start"] / record.rate, c["end"] / record.rate, c["id"], c["text"])
                        for c in record.cues if c["text"]]) for record in records]
    for plan, vtt in zip(plans, captions):
        write_text_if_changed(folder / f"{plan.stem}.vtt", vtt)
    from narrate.stitch.page import page_html

    write_text_if_changed(folder / "index.html", page_html(info, [
        (p.title, f"{p.stem}.mp3", vtt, r.cues) for p, r, vtt in zip(plans, records, captions)]))


def _remove_other_books(folder: Path, book_stem: str, m4b: Path | None) -> None:
    """Whole-book files this build did not write: a renamed book's, an m4b of a format no
    longer asked for or in its old place, an .m3u (written before .m3u8)."""
    for suffix in (".m4b", ".cue", ".m3u8", ".m3u"):
        for old in [*folder.glob(f"*{suffix}"), *(folder / M4B_FOLDER).glob(f"*{suffix}")]:
            if old != m4b and (old.stem != book_stem or suffix in (".m3u", ".m4b")):
                old.unlink()
    hidden = folder / M4B_FOLDER
    if (m4b is None or m4b.parent != hidden) and hidden.is_dir():
        (hidden / ".ignore").unlink(missing_ok=True)
        if not any(hidden.iterdir()):
            hidden.rmdir()


def m4b_path(folder: Path, title: str, formats: tuple[str, ...] = FORMATS) -> Path | None:
    """Beside the chapter MP3s, the m4b sits in a folder of its own (one book for a library
    to find, not two); asked for alone, it sits at the top. None when not asked for."""
    if "m4b" not in formats:
        return None
    name = f"{safe_filename(title)}.m4b"
    return folder / M4B_FOLDER / name if "mp3" in formats else folder / name


def m4b_tags(info: BookInfo) -> dict[str, str]:
    """The m4b's iTunes atoms: what Apple's players, Audiobookshelf and ffprobe read (the
    freeform ones as SUBTITLE, SERIES, SERIES-PART), and media kind 2, an audiobook."""
    atoms = {"\xa9nam": info.title, "\xa9alb": info.title, "\xa9ART": info.author,
             "aART": info.author, "\xa9wrt": info.narrator, "\xa9gen": info.genre,
             "\xa9day": str(info.year or ""), "\xa9cmt": info.comment, "\xa9grp": info.series,
             "stik": "2"}
    found = {"SUBTITLE": info.subtitle, "SERIES": info.series,
             "SERIES-PART": series_position(info.series_index) if info.series else ""}
    return {**atoms, **{f"----:com.apple.iTunes:{k}": v for k, v in found.items()}}
