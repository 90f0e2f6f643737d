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
    """word -> respelling. A missing default lexicon is an empty one."""
    if path is None:
        path = DEFAULT_VOICES_DIR / "lexicon.yaml"
        if not path.is_file():
            return Lexicon()
    data = load_yaml(path, "lexicon") or {}
    if not isinstance(data, dict):
        raise NarrateError(f"{path}: a lexicon is a mapping of `word: respelling` lines")
    entries = {}
    for word, spoken in data.items():
        if not isinstance(word, str) or not isinstance(spoken, str) or not spoken.strip():
            raise NarrateError(f"{where(path, data)}: entry {word!r}: both the word and its "
                               "respelling must be text")
        entries[word] = spoken
    return Lexicon(entries)
