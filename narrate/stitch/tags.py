"""ID3v2.3 tags and chapter frames (CHAP + CTOC) with mutagen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    MVIN,
    MVNM,
    TALB,
    TCOM,
    TCON,
    TIT2,
    TIT3,
    TPE1,
    TPE2,
    TRCK,
    TXXX,
    TYER,
    CTOCFlags,
)
from mutagen.id3._tags import save_frame  # the one helper _InOrderID3 needs

from narrate.faults import checkpoint
from narrate.stitch.timeline import Marker

TOC_LIMIT = 255  # a CTOC counts its entries in one byte


class _InOrderID3(ID3):
    """mutagen sorts frames by size when it saves; players list CHAP frames in the
    order they are stored, so this writes frames in the order they were added."""

    def _write(self, config):
        return bytearray().join(save_frame(frame, config=config) for frame in self.values())


@dataclass(frozen=True)
class Tags:
    title: str
    album: str
    artist: str = ""
    narrator: str = ""
    track: int = 1
    tracks: int = 1
    genre: str = "Audiobook"
    year: str = ""
    comment: str = ""
    subtitle: str = ""
    series: str = ""
    series_part: str = ""


def image_mime(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def write_mp3_tags(path: Path, tags: Tags, markers: list[Marker],
                   cover: bytes | None = None) -> None:
    id3 = _InOrderID3()
    id3.add(TIT2(encoding=1, text=[tags.title]))
    id3.add(TALB(encoding=1, text=[tags.album]))
    if tags.artist:
        id3.add(TPE1(encoding=1, text=[tags.artist]))
        id3.add(TPE2(encoding=1, text=[tags.artist]))
    if tags.narrator:  # players read the narrator from the composer; say it plainly too
        id3.add(TCOM(encoding=1, text=[tags.narrator]))
        id3.add(TXXX(encoding=1, desc="NARRATOR", text=[tags.narrator]))
    id3.add(TRCK(encoding=1, text=[f"{tags.track}/{tags.tracks}"]))
    id3.add(TCON(encoding=1, text=[tags.genre]))
    if tags.year:
        id3.add(TYER(encoding=1, text=[str(tags.year)]))
    if tags.comment:
        id3.add(COMM(encoding=1, lang="eng", desc="", text=[tags.comment]))
    if tags.subtitle:
        id3.add(TIT3(encoding=1, text=[tags.subtitle]))
    if tags.series:  # Audiobookshelf reads TXXX series; Apple's players, the movement frames
        id3.add(TXXX(encoding=1, desc="SERIES", text=[tags.series]))
        id3.add(MVNM(encoding=1, text=[tags.series]))
        if tags.series_part:
            id3.add(TXXX(encoding=1, desc="SERIES-PART", text=[tags.series_part]))
            id3.add(MVIN(encoding=1, text=[tags.series_part]))
    for frame in chapter_frames(markers):
        id3.add(frame)
    if cover:
        id3.add(APIC(encoding=1, mime=image_mime(cover) or "image/jpeg", type=3,
                     desc="Cover", data=cover))
    checkpoint("tags")
    id3.save(str(path), v2_version=3)


def chapter_frames(markers: list[Marker]) -> list:
    """CHAP frames in order, and a top-level ordered CTOC; over 255 chapters, the
    top-level table lists child tables of at most 255 entries each."""
    ids = [f"chp{i:04d}" for i in range(len(markers))]
    chaps = [CHAP(element_id=ident, start_time=m.start_ms, end_time=m.end_ms,
                  start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF,
                  sub_frames=[TIT2(encoding=1, text=[m.title])])
             for ident, m in zip(ids, markers)]
    flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    if len(ids) <= TOC_LIMIT:
        return chaps + [CTOC(element_id="toc", flags=flags, child_element_ids=ids,
                             sub_frames=[TIT2(encoding=1, text=["Contents"])])]
    groups = [ids[i:i + TOC_LIMIT] for i in range(0, len(ids), TOC_LIMIT)]
    children = [CTOC(element_id=f"toc{n}", flags=CTOCFlags.ORDERED, child_element_ids=group,
                     sub_frames=[TIT2(encoding=1, text=[f"Part {n + 1}"])])
                for n, group in enumerate(groups)]
    top = CTOC(element_id="toc", flags=flags,
               child_element_ids=[f"toc{n}" for n in range(len(groups))],
               sub_frames=[TIT2(encoding=1, text=["Contents"])])
    return chaps + [top] + children
