"""What stitching is given and what it keeps: a chapter's plan, the book's tags, the
record of an exported chapter (the manifest's), the export's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from narrate.names import safe_filename
from narrate.stitch.timeline import Clip

FORMATS = ("mp3", "m4b")  # chapter MP3s, the whole-book m4b: the default makes both
PARTS = ".parts"  # encoded pieces, kept so an edit re-encodes only its piece (a dot folder:
# libraries never scan it)


@dataclass
class ChapterPlan:
    id: str
    number: int
    title: str
    key: str  # hash of everything that changes this chapter's files
    clips: list[Clip]
    width: int = 2  # digits of its number: 3 in a book of 270 chapters

    @property
    def stem(self) -> str:
        """"01 - Title", numbered by its place in the script as built (001 in a book of
        270), not by its id, so that the files sort in the book's order everywhere, also
        after chapters were moved in the script."""
        return f"{self.number:0{self.width}d} - {safe_filename(self.title)}"


@dataclass(frozen=True)
class BookInfo:
    title: str
    author: str = ""
    narrator: str = ""
    year: str = ""
    genre: str = "Audiobook"
    comment: str = ""
    cover: Path | None = None
    subtitle: str = ""
    series: str = ""
    series_index: str = ""  # its position in the series: "2", "2.5"
    publisher: str = ""
    language: str = ""
    isbn: str = ""


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
    pieces: list[str] = field(default_factory=list)  # hashes of the pieces' samples, in order
    piece_bounds: list[tuple[int, int]] = field(default_factory=list)  # their sample ranges
    piece_measures: list[dict] = field(default_factory=list)  # PieceMeasure's, one a piece
    gain_db: float | None = None  # the chapter's levelling gain, reused while close enough
    rms_target: float | None = None  # the target it was computed for
    file_stamp: list[int] = field(default_factory=list)  # the MP3's size and mtime, as written


@dataclass
class ExportResult:
    folder: Path
    chapters: list[ChapterRecord]
    exported: list[str]  # chapter ids encoded this time
    unchanged: list[str]
    m4b: Path | None  # None when only the MP3s were asked for
    seconds: float  # the whole book's duration
    m4b_stamp: list[int] = field(default_factory=list)  # its size and mtime, as written
    formats: tuple[str, ...] = FORMATS
    joined: bool = False  # the m4b was joined again


@dataclass
class PieceMeasure:
    """A levelled piece as the build that levelled it measured it: the next build leaves
    a piece whose inputs are the same alone (its encodes are kept by `digest`)."""
    inputs: str  # hash of what makes its samples: its clips and where they lie, the gain
    digest: str  # hash of its levelled samples (blake2b-96)
    speech_squares: float = 0.0  # its speech's squared samples summed (Scan.speech) and
    speech_samples: int = 0  # their count, after levelling

    @classmethod
    def from_record(cls, data: dict) -> PieceMeasure:
        """A piece's measures as a manifest keeps them (one an older narrate wrote too)."""
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})
