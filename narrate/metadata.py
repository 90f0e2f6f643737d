"""Book metadata files (`essay.yaml` beside `essay.txt`) and the pronunciation lexicon."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import replace
from importlib import resources
from pathlib import Path

import yaml

from narrate.convert.castlist import characters_from_data
from narrate.convert.lexicon import (
    LONGEST_RESPELLING,
    LONGEST_WORD,
    Lexicon,
    LexiconEntry,
    from_entries,
    layered,
)
from narrate.errors import NarrateError
from narrate.fileio import (
    MAX_METADATA_BYTES,
    STR_TAG,
    LineDict,
    LineLoader,
    check_keys,
    load_yaml,
    read_text,
    where,
    yaml_error,
)
from narrate.patterns import without_controls
from narrate.problems import Problem, controls_removed
from narrate.scriptfile import is_script_file

# key -> the types it may hold
META_KEYS: dict[str, tuple[type, ...]] = {
    "title": (str,), "subtitle": (str,), "author": (str,), "narrator": (str,),
    "language": (str,), "year": (int, str), "genre": (str,), "description": (str,),
    "publisher": (str,), "cover": (str,), "chapters": (list,), "credits": (bool,),
    "voices": (str,), "lexicon": (str,), "series": (str,), "series_index": (int, float, str),
    "reading": (dict,), "isbn": (str, int), "characters": (dict,),
}


class MetadataLoader(LineLoader):
    """A metadata file's text is read as typed: `title: No` is "No", not False; `chapters:
    [12:30, 010]` are titled "12:30" and "010", not 750 and 8."""
    text_keys = frozenset({"chapters", *(k for k, kinds in META_KEYS.items() if str in kinds)})


# the default cast and lexicon ship inside the package (a checkout's top-level voices/
# is a link to this folder: the place people edit them)
DEFAULT_VOICES_DIR = Path(str(resources.files("narrate") / "voices"))
DEFAULT_CAST = "natural"
SHIPPED_LEXICON = DEFAULT_VOICES_DIR / "lexicon.yaml"  # every book's first lexicon
FOLDER_LEXICON = "lexicon.yaml"  # in a book's folder: its words respelled in the studio
MAX_LEXICON_BYTES = 16 * 2**20  # read at most: 200,000 entries of 80 characters


def cast_names() -> tuple[str, ...]:
    """The casts that ship with narrate (folders of voices/), the default first."""
    found = sorted(p.name for p in DEFAULT_VOICES_DIR.iterdir() if (p / "narrator.yaml").is_file())
    return tuple(sorted(found, key=lambda name: name != DEFAULT_CAST))


def find_metadata(source: str | Path, warnings: list | None = None) -> Path | None:
    """`book.yaml` (or .yml) beside `book.txt`. A narrate script there (`narrate script
    book.txt -o book.yaml`) is passed over, with a warning: it is no book's metadata."""
    source = Path(source)
    for suffix in (".yaml", ".yml"):
        candidate = source.with_suffix(suffix)  # a pipe there is found, to be refused
        if candidate.exists() and not candidate.is_dir() and candidate != source:
            if not is_script_file(candidate):
                return candidate
            if warnings is not None:
                warnings.append(f"{candidate}: warning: a narrate script, not the metadata of "
                                f"{source.name}: not read as its metadata; build the script "
                                f"with `narrate build {candidate}`")
    return None


def in_metadata_file(problems: list, path: Path | None, metadata: dict) -> list:
    """The problems found with the metadata's `chapters:` (they come from converting the
    book), each naming the metadata file and the line."""
    line = getattr(metadata, "key_lines", {}).get("chapters")
    return [replace(p, part=str(path), line=p.line or line)
            if isinstance(p, Problem) and p.code == "metadata-chapters" and path else p
            for p in problems]


def load_metadata(path: str | Path, warnings: list | None = None) -> dict:
    """A book's metadata file, checked; a text that held control characters is cleaned,
    with one line in `warnings` naming the first."""
    path = Path(path)
    data = load_yaml(path, "metadata file", MetadataLoader, limit=MAX_METADATA_BYTES)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise NarrateError(f"{path}: metadata must be a mapping (title: ..., author: ...)")
    check_keys(data, META_KEYS, where(path, data))
    for key, value in data.items():
        if value is not None and not isinstance(value, META_KEYS[key]):
            kinds = " or ".join(t.__name__ for t in META_KEYS[key])
            raise NarrateError(f"{where(path, data, key)}: `{key}` must be {kinds}, "
                               f"not {type(value).__name__}; fix the value")
    _check_reading(data.get("reading"), path)
    cleaned = [key for key, value in data.items() if _cleaned(value) != value]
    if cleaned and warnings is not None:
        warnings.append(controls_removed([f"{where(path, data, k)}: `{k}`" for k in cleaned],
                                         "the file"))
    data.update({key: _cleaned(data[key]) for key in cleaned})
    characters_from_data(data.get("characters"), path)  # one line naming a bad entry, now
    if isinstance(data.get("characters"), LineDict):  # where a character's voice is written
        data["characters"].path = str(path)
    for relative in ("cover", "voices", "lexicon"):  # paths are relative to the file
        if relative == "voices" and data.get(relative) in cast_names():
            continue  # `voices: espeak` names a cast; `voices: ./espeak` is a folder
        if data.get(relative):
            data[relative] = str((path.parent / data[relative]).resolve())
    return data


def _cleaned(value):
    """A metadata value with no control character in its texts (nested at most
    MAX_YAML_DEPTH deep: the loader's bound)."""
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    return value


def _check_reading(reading: dict | None, path: Path) -> None:
    """`reading: {code: skip, notes: chapter-end, tables: mention}`."""
    from narrate.convert.structure import ReadingPolicy

    if not reading:
        return
    check_keys(reading, tuple(ReadingPolicy.CHOICES), f"{where(path, reading)}: reading")
    for key, value in reading.items():
        if value not in ReadingPolicy.CHOICES[key]:
            raise NarrateError(f"{where(path, reading)}: reading: {key}: {value!r} is not one of "
                               f"{', '.join(ReadingPolicy.CHOICES[key])}; pick one")


def load_lexicon(path: str | Path | None) -> Lexicon:
    """The lexicon of one file: word -> respelling, or word -> {say: respelling, ENGINE:
    phonemes}. None: the one narrate ships (missing, an empty one)."""
    if path is None:
        return book_lexicon()
    return from_entries(read_lexicon(path))


def book_lexicon(book: str | Path | None = None, user: str | Path | None = None,
                 folder: str | Path | None = None, hints: Iterable[LexiconEntry] = ()) -> Lexicon:
    """The lexicon a book is spoken with: its `lexicon_files` layered, a later file's entry
    winning over an earlier one's; the book's own `hints` after narrate's, before the rest."""
    files = lexicon_files(book, user, folder)  # narrate's first when there, then the hints
    layers = [read_lexicon(path) for path in files.values()]
    return layered([*layers[:"narrate" in files], tuple(hints), *layers["narrate" in files:]])


def lexicon_files(book: str | Path | None = None, user: str | Path | None = None,
                  folder: str | Path | None = None) -> dict[str, Path]:
    """The lexicon files a build reads, by layer, in the order they layer: narrate's
    ("narrate"), the book's metadata's `lexicon:` ("book"), FOLDER_LEXICON in the book's
    `folder` when it is there ("folder": the studio's respellings), and the one the user
    gave (`--lexicon`, "given"). A file named twice is read once, in its first layer."""
    layers = {"narrate": SHIPPED_LEXICON if SHIPPED_LEXICON.is_file() else None, "book": book,
              "folder": Path(folder) / FOLDER_LEXICON if folder else None, "given": user}
    files: dict[str, Path] = {}
    for layer, named in layers.items():
        if not named or (layer == "folder" and not Path(named).is_file()):
            continue
        if Path(named).resolve() not in [f.resolve() for f in files.values()]:
            files[layer] = Path(named)
    return files


def warn_of_cleaned(lexicon: Lexicon, warnings: list | None) -> None:
    """Add to `warnings` the one line for the entries whose control characters the reader
    removed, unless it is there (a build from a source reads its lexicons twice)."""
    places = [f"{entry.place}: entry {entry.word!r}" for entry in lexicon.listed
              if entry.cleaned]
    line = controls_removed(places, "the lexicon") if places else None
    if line and warnings is not None and line not in warnings:
        warnings.append(line)


def is_shipped(lexicon: str | Path) -> bool:
    """Whether `lexicon` is the file narrate ships (a studio writes a book's words elsewhere)."""
    return Path(lexicon).resolve() == SHIPPED_LEXICON.resolve()


def read_lexicon(path: str | Path) -> tuple[LexiconEntry, ...]:
    """A lexicon file's entries, each where it was written; one line for the first that
    narrate cannot use."""
    return lexicon_entries(read_text(path, "lexicon", MAX_LEXICON_BYTES), path)


def lexicon_entries(text: str, path: str | Path) -> tuple[LexiconEntry, ...]:
    """The entries of a lexicon's text (`path`: the file it is, or would be, for messages)."""
    return _entries(str(path), text)


# the text a parser reads (the C one when PyYAML has it: a lexicon of 100,000 words is
# parsed in half a second, not fifteen)
_PARSER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@functools.lru_cache(maxsize=8)  # a build reads its lexicons twice: converting, planning
def _entries(path: str, text: str) -> tuple[LexiconEntry, ...]:
    """Every word and respelling is read as written: `No`, `010` and `12:30` are words,
    not YAML's false, eight and 750. One mapping of scalars at most two deep: nothing
    nests further, and no alias is expanded."""
    events = yaml.parse(text, Loader=_PARSER)
    try:
        return tuple(_lexicon_entries(events, path))
    except yaml.YAMLError as exc:
        raise yaml_error(path, text, exc) from None


def _lexicon_entries(events: Iterator[yaml.Event], path: str) -> Iterator[LexiconEntry]:
    for event in events:
        if isinstance(event, yaml.MappingStartEvent):
            break
        if isinstance(event, yaml.NodeEvent) and not (isinstance(event, yaml.ScalarEvent)
                                                      and not event.value.strip()):
            raise NarrateError("a lexicon is a mapping of `word: respelling` lines",
                               where=_line(path, event), hint="e.g. `Deutscher: Doytcher`")
    else:
        return  # nothing in the file
    seen: dict[str, str] = {}
    for event in events:
        if isinstance(event, yaml.MappingEndEvent):
            break
        place = _line(path, event)
        word = _text(event, place, "a word")
        if word in seen:
            raise NarrateError(f"the word {word!r} appears twice (first on {seen[word]}); "
                               "keep one", where=place)
        seen[word] = place
        yield _entry(word, events, place)
    for event in events:
        if isinstance(event, yaml.DocumentStartEvent):
            raise NarrateError("a second YAML document (---); a lexicon is one mapping",
                               where=_line(path, event), hint="join them into one")


def _entry(word: str, events: Iterator[yaml.Event], place: str) -> LexiconEntry:
    """The entry for `word`: its respelling is the next event, or a mapping of `say:`
    and each engine's phonemes."""
    what = f"entry {word!r}" if len(word) <= 40 else f"entry {word[:40]!r}…"
    _check(word, place, what, "word", LONGEST_WORD)
    event = next(events)
    if not isinstance(event, yaml.MappingStartEvent):
        written = _text(event, place, f"{what}: the respelling")
        spoken = without_controls(written)  # never spoken: the script's texts are cleaned so
        _check(spoken, place, what, "respelling", LONGEST_RESPELLING)
        return LexiconEntry(word, spoken, place, cleaned=spoken != written)
    said: dict[str, str] = {}
    cleaned = False
    for event in events:
        if isinstance(event, yaml.MappingEndEvent):
            break
        engine = _text(event, place, what + ": an engine's name")
        if engine in said:
            raise NarrateError(f"{what}: `{engine}` appears twice", where=place, hint="keep one")
        written = _text(next(events), place, f"{what}: `{engine}`" + (
            "" if engine == "say" else " (the engine's phonemes)"))
        said[engine] = without_controls(written)
        cleaned = cleaned or said[engine] != written
        if not said[engine].strip():
            raise NarrateError(f"{what}: `{engine}` is empty", where=place,
                               hint="write the respelling or the engine's phonemes as text")
    spoken = said.pop("say", word)
    _check(spoken, place, what, "respelling", LONGEST_RESPELLING)
    return LexiconEntry(word, spoken, place, tuple((e, p.strip()) for e, p in said.items()),
                        cleaned=cleaned)


def _text(event: yaml.Event, place: str, what: str) -> str:
    """A scalar's text as written; one line for a list, a mapping, an alias or a value
    tagged as anything but text (`!!binary …` was spoken as its Base64)."""
    if isinstance(event, yaml.ScalarEvent) and event.tag in (None, "!", STR_TAG):
        return event.value
    if isinstance(event, yaml.ScalarEvent):
        tag = str(event.tag).replace("tag:yaml.org,2002:", "!!")
        raise NarrateError(f"{what} is tagged {tag}", where=place, hint="write it as text, "
                           "without the tag")
    kind = {yaml.SequenceStartEvent: "a list", yaml.MappingStartEvent: "a mapping",
            yaml.AliasEvent: "an alias (*name), which narrate does not expand"}
    raise NarrateError(f"{what} is {kind.get(type(event), 'not text')}", where=place,
                       hint="write it as text, or the entry as a mapping: "
                            "{say: RESPELLING, hibari: PHONEMES}")


def _check(text: str, place: str, what: str, part: str, longest: int) -> None:
    """A word or respelling narrate can match and say: not empty, no spaces around it
    (an empty word matched between every two words), not longer than `longest`."""
    if not text.strip():
        raise NarrateError(f"{what}: the {part} is empty" + (
            " (it would be said between every two words)" if part == "word" else ""),
            where=place, hint=f"write the {part}, or delete the line")
    if text != text.strip():
        raise NarrateError(f"{what}: the {part} starts or ends with a space", where=place,
                           hint="take the spaces out")
    if len(text) > longest:
        raise NarrateError(f"{what}: the {part} is {len(text):,} characters; at most {longest}",
                           where=place, hint="write a word or a short phrase")


def _line(path: str, event: yaml.Event) -> str:
    mark = event.start_mark  # the parser marks every event
    return f"{path}:{mark.line + 1}" if mark else path
