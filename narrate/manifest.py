"""manifest.json: what a build made, written by narrate.pipeline and read by the next
build (to skip what did not change) and by narrate.qa (to check it). Versioned: a
newer narrate reads an older manifest or asks for a rebuild, never guesses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from narrate.errors import NarrateError
from narrate.fileio import read_checked, write_text_if_changed
from narrate.stitch import FORMATS, ChapterRecord
from narrate.stitch.timeline import Mastering

MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 64 * 2**20  # read at most: a ten-hour book's is a few MB
VERSION = 1


@dataclass(frozen=True)
class Spoken:
    """One rendered line: its role and the words the engine was given."""
    role: str
    say: str


@dataclass(frozen=True)
class VoiceUsed:
    engine: str
    voice: str
    rate: int  # words a minute: what a segment's length is judged against


@dataclass(frozen=True)
class TagsUsed:
    """What the tags should carry, for the check."""
    narrator: str = ""
    author: str = ""
    cover: bool = False


@dataclass
class Manifest:
    book: str
    source: str | None
    mastering: Mastering
    segments: dict[str, str]  # rendered line id -> its cache key
    chapters: list[ChapterRecord]
    spoken: dict[str, Spoken]  # rendered line id -> what was spoken
    voices: dict[str, VoiceUsed]  # role -> the voice it had
    cache: str  # the cache folder the keys point into
    tags: TagsUsed = field(default_factory=TagsUsed)
    script: str = ""  # hash of the script.yaml narrate wrote beside the audio
    m4b_stamp: list[int] = field(default_factory=list)  # the m4b's size and mtime, as written
    formats: list[str] = field(default_factory=lambda: list(FORMATS))  # what the build made
    readalong: str = ""  # the read-along EPUB's file name, when the build wrote one
    cast: str = ""  # the cast built with (--voices, else the default), for a rebuild to keep
    # the lexicon files the build read, by layer (metadata.lexicon_files): "given" is
    # --lexicon's, which a build of one line (--only, the studio) reads again
    lexicons: dict[str, str] = field(default_factory=dict)
    version: int = VERSION

    def write(self, folder: Path) -> None:
        data = {"narrate_manifest": self.version, **vars(self)}
        del data["version"]
        # the nested dataclasses as their fields, met as the encoder reaches them: the same
        # JSON as dataclasses.asdict gives, without copying every cue first
        # unchanged, it is not written: a rebuild that changes nothing writes nothing
        write_text_if_changed(folder / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1,
                                                            default=vars))

    @classmethod
    def from_dict(cls, data: dict) -> Manifest:
        """Raises KeyError, TypeError or ValueError when the data is not a manifest."""
        version = data.get("narrate_manifest")
        if not isinstance(version, int) or version > VERSION:
            raise ValueError(f"manifest version {version!r} (this narrate reads {VERSION})")
        return cls(book=data["book"], source=data.get("source"),
                   mastering=Mastering(**data["mastering"]), segments=dict(data["segments"]),
                   chapters=[ChapterRecord(**c) for c in data["chapters"]],
                   spoken={k: _spoken(v) for k, v in data["spoken"].items()},
                   voices={k: VoiceUsed(**v) for k, v in data["voices"].items()},
                   cache=data["cache"], tags=TagsUsed(**data.get("tags", {})),
                   script=data.get("script") or "", m4b_stamp=list(data.get("m4b_stamp") or []),
                   formats=list(data.get("formats") or FORMATS),
                   readalong=str(data.get("readalong") or ""),
                   cast=str(data.get("cast") or ""),
                   lexicons={str(k): str(v) for k, v in (data.get("lexicons") or {}).items()},
                   version=version)


def _spoken(data: dict) -> Spoken:
    # manifests written by an earlier narrate name the role `voice`
    return Spoken(data["role"] if "role" in data else data["voice"], data["say"])


def last_manifest(folder: Path) -> Manifest | None:
    """The last build's manifest, or None when there is none or it cannot be read (then
    the next build exports everything again)."""
    try:
        return read_manifest(folder)
    except NarrateError:
        return None


def given_lexicon(folder: Path) -> str | None:
    """The --lexicon file the last build of the book in `folder` was given (None when it
    was given none, or no build is there): a build of one line reads it again, so that
    the lines it respelled keep their takes. One line when the file is gone."""
    manifest = last_manifest(folder)
    given = manifest.lexicons.get("given") if manifest else None
    if given and not Path(given).is_file():
        raise NarrateError(f"the last build was given --lexicon {given}, which is gone",
                           where=str(Path(folder) / MANIFEST),
                           hint="put it back, or give this build --lexicon FILE (a build of "
                                "the whole book without it respells its lines anew)")
    return given


def built_from(folder: Path) -> str | None:
    """The source a folder's book was built from, read from any manifest that names one
    (an older or damaged one too: another book's folder is never taken over)."""
    try:
        data = json.loads(_manifest_text(Path(folder) / MANIFEST))
    except (OSError, ValueError, NarrateError):
        return None
    source = data.get("source") if isinstance(data, dict) else None
    return source if isinstance(source, str) else None


def read_manifest(folder: Path) -> Manifest:
    """The manifest of a built book; a NarrateError says why not and what to do."""
    path = Path(folder) / MANIFEST
    if Path(folder).exists() and not Path(folder).is_dir():
        raise NarrateError("is a file, not a book folder", where=str(folder),
                           hint="give the folder narrate build wrote the book into "
                                "(output/<book>/), or build the book first")
    try:
        data = json.loads(_manifest_text(path))
    except FileNotFoundError:
        raise NarrateError("not found", where=str(path), hint="check a folder narrate built "
                           "(output/<book>/), or build it first") from None
    except (OSError, ValueError) as exc:
        raise NarrateError(f"not readable ({exc})", where=str(path),
                           hint="build the book again") from None
    try:
        return Manifest.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise NarrateError(f"written by another narrate, or damaged ({exc})", where=str(path),
                           hint="build the book again (nothing is re-rendered) and check it then"
                           ) from None


def _manifest_text(path: Path) -> str:
    """The manifest's text, when it is a file of a size narrate writes (one line when not,
    FileNotFoundError when there is none)."""
    if not path.exists():
        raise FileNotFoundError(path)
    return read_checked(path, "manifest", MAX_MANIFEST_BYTES).decode("utf-8")
