"""Book metadata files (`essay.yaml` beside `essay.txt`) and the pronunciation lexicon."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from narrate.convert.speech import Lexicon
from narrate.errors import NarrateError
from narrate.fileio import check_keys, load_yaml, where

# key -> the types it may hold
META_KEYS: dict[str, tuple[type, ...]] = {
    "title": (str,), "subtitle": (str,), "author": (str,), "narrator": (str,),
    "language": (str,), "year": (int, str), "genre": (str,), "description": (str,),
    "publisher": (str,), "cover": (str,), "chapters": (list,), "credits": (bool,),
    "voices": (str,), "lexicon": (str,), "series": (str,), "series_index": (int, float, str),
    "reading": (dict,), "isbn": (str, int),
}

# the default cast and lexicon ship inside the package (a checkout's top-level voices/
# is a link to this folder: the place people edit them)
DEFAULT_VOICES_DIR = Path(str(resources.files("narrate") / "voices"))
DEFAULT_CAST = "natural"


def cast_names() -> tuple[str, ...]:
    """The casts that ship with narrate (folders of voices/), the default first."""
    found = sorted(p.name for p in DEFAULT_VOICES_DIR.iterdir() if (p / "narrator.yaml").is_file())
    return tuple(sorted(found, key=lambda name: name != DEFAULT_CAST))


def find_metadata(source: str | Path) -> Path | None:
    """`book.yaml` (or .yml) beside `book.txt`."""
    source = Path(source)
    for suffix in (".yaml", ".yml"):
        candidate = source.with_suffix(suffix)
        if candidate.is_file() and candidate != source:
            return candidate
    return None


def load_metadata(path: str | Path) -> dict:
    path = Path(path)
    data = load_yaml(path, "metadata file")
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
    for relative in ("cover", "voices", "lexicon"):  # paths are relative to the file
        if relative == "voices" and data.get(relative) in cast_names():
            continue  # `voices: espeak` names a cast; `voices: ./espeak` is a folder
        if data.get(relative):
            data[relative] = str((path.parent / data[relative]).resolve())
    return data


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
    """word -> respelling, or word -> {say: respelling, ENGINE: phonemes}. A missing
    default lexicon is an empty one."""
    if path is None:
        path = DEFAULT_VOICES_DIR / "lexicon.yaml"
        if not path.is_file():
            return Lexicon()
    data = load_yaml(path, "lexicon") or {}
    if not isinstance(data, dict):
        raise NarrateError(f"{path}: a lexicon is a mapping of `word: respelling` lines")
    entries: dict[str, str] = {}
    phonemes: dict[str, dict[str, tuple[str, str]]] = {}
    for word, spoken in data.items():
        place = f"{where(path, data, word)}: entry {word!r}"
        if isinstance(spoken, dict):
            spoken = _engine_entry(word, spoken, place, phonemes)
        if not isinstance(word, str) or not isinstance(spoken, str) or not spoken.strip():
            raise NarrateError(f"{place}: both the word and its respelling must be text",
                               hint="or a mapping: {say: RESPELLING, hibari: PHONEMES}")
        if spoken != word:
            entries[word] = spoken
    return Lexicon(entries, phonemes)


def _engine_entry(word, entry: dict, place: str, phonemes: dict) -> str:
    """{say: respelling, ENGINE: phonemes}: the respelling (the word itself when there is
    none); each engine's phonemes, and where they were written, go into `phonemes`,
    keyed by that spoken word (the render stage checks them with the engine)."""
    spoken = entry.get("say", word)
    for engine, said in entry.items():
        if engine == "say":
            continue
        if not isinstance(said, str) or not said.strip():
            raise NarrateError(f"{place}: `{engine}` must be the engine's phonemes as text")
        phonemes.setdefault(str(engine), {})[str(spoken)] = (said.strip(), place)
    return spoken
