"""manifest.json: what a build made, written by narrate.pipeline and read by the next
build (to skip what did not change) and by narrate.qa (to check it). Versioned: a
newer narrate reads an older manifest or asks for a rebuild, never guesses."""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from narrate.errors import NarrateError
from narrate.fileio import read_checked, write_text_if_changed
from narrate.stitch import FORMATS, ChapterRecord
from narrate.stitch.records import PieceMeasure
from narrate.stitch.timeline import Cue, Marker, Mastering

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
        """Raises ValueError naming the first key that is missing or holds a value of the
        wrong type (each field's own, to the last cue): a damaged manifest is never used."""
        version = _typed(data.get("narrate_manifest"), int, "narrate_manifest")
        if version > VERSION:
            raise ValueError(f"manifest version {version} (this narrate reads {VERSION})")
        fields = {k: v for k, v in data.items() if k != "narrate_manifest"}
        for key, default in (("script", ""), ("m4b_stamp", []), ("formats", list(FORMATS)),
                             ("readalong", ""), ("cast", ""), ("lexicons", {})):
            if fields.get(key) is None:  # absent from, or null in, an earlier narrate's
                fields[key] = default
        manifest = _typed(fields, cls, "")
        manifest.version = version
        for n, record in enumerate(manifest.chapters):
            _check_record(record, f"chapters[{n}]")
        return manifest


def _spoken(data: dict) -> dict:
    """A spoken line's fields: manifests written by an earlier narrate name the role `voice`."""
    if "voice" in data and "role" not in data:
        return {"role": data["voice"], **{k: v for k, v in data.items() if k != "voice"}}
    return data


# what the manifest's lists of plain mappings hold: each is one of these, as fields
_HELD = {"markers": Marker, "cues": Cue, "piece_measures": PieceMeasure}
_JSON_NAMES = {type(None): "null", bool: "true or false", int: "a number", float: "a number",
               str: "text", list: "a list", dict: "a mapping"}
_WANTED = {int: "a whole number", float: "a number", str: "text", bool: "true or false",
           type(None): "null", list: "a list", tuple: "a list", dict: "a mapping"}


def _typed(value, hint, key: str):
    """`value` (read from JSON) as the type `hint`, a dataclass built from its fields; a
    ValueError names the key that does not fit."""
    origin, args = typing.get_origin(hint) or hint, typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        for choice in args:
            try:
                return _typed(value, choice, key)
            except ValueError:
                continue
        raise _wrong(key, " or ".join(_WANTED.get(a, "a mapping") for a in args), value)
    if isinstance(origin, type) and dataclasses.is_dataclass(origin):
        return _built(value, origin, key)
    if origin is float and type(value) is int:
        return value
    if not isinstance(value, list if origin is tuple else origin) or type(value) is bool \
            and origin is not bool:
        raise _wrong(key, _WANTED.get(origin, "a mapping"), value)
    if isinstance(value, dict):
        return {k: _typed(v, args[1], f"{key}[{k!r}]") for k, v in value.items()} if args \
            else value
    if origin is tuple and len(value) != len(args):
        raise ValueError(f"`{key}` must be a list of {len(args)}, not {len(value)}")
    if origin in (list, tuple) and args:
        items = args if origin is tuple else [args[0]] * len(value)
        return [_typed(v, t, f"{key}[{n}]") for n, (v, t) in enumerate(zip(value, items))]
    return value


def _built(value, kind: type, key: str):
    """A dataclass from a mapping of its fields, each typed: a field it does not have, or
    one it needs missing, is named."""
    if not isinstance(value, dict):
        raise _wrong(key, "a mapping", value)
    hints, needed = _fields(kind)
    value = _spoken(value) if kind is Spoken else value
    place = f"{key}." if key else ""
    if unknown := next((name for name in value if name not in hints), None):
        raise ValueError(f"`{place}{unknown}` is not a field narrate writes")
    if missing := next((name for name in needed if name not in value), None):
        raise ValueError(f"`{place}{missing}` is missing")
    made = {name: _typed(held, hints[name], place + name) for name, held in value.items()}
    for name, shape in _HELD.items() if kind is ChapterRecord else ():
        for n, item in enumerate(made.get(name, [])):  # plain mappings, each of one shape
            _built(item, shape, f"{place}{name}[{n}]")
    return kind(**made)


@functools.cache
def _fields(kind: type) -> tuple[dict, list[str]]:
    """A dataclass's fields with their types, and the names of those without a default."""
    hints = typing.get_type_hints(kind)
    fields = [f for f in dataclasses.fields(kind) if f.init]
    return {f.name: hints[f.name] for f in fields}, [
        f.name for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]


def _check_record(record: ChapterRecord, key: str) -> None:
    """What a chapter's record must hold besides types: a rate to divide by, a file name
    in the book's folder."""
    if record.rate <= 0:
        raise ValueError(f"`{key}.rate` must be more than 0, not {record.rate}")
    if record.samples < 0:
        raise ValueError(f"`{key}.samples` must be 0 or more, not {record.samples}")
    if record.stem in ("", ".", "..") or Path(record.stem).name != record.stem \
            or "\0" in record.stem:
        raise ValueError(f"`{key}.stem` must be a file name in the book's folder, not "
                         f"{record.stem[:40]!r}")


def _wrong(key: str, wanted: str, value) -> ValueError:
    return ValueError(f"`{key}` must be {wanted}, not {_JSON_NAMES.get(type(value), 'that')}")


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
