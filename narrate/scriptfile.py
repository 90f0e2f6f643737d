"""The narration script on disk: a YAML file a person can read and edit, or JSON for tools."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from narrate.convert.castlist import characters_data, characters_from_data
from narrate.errors import ScriptFileError
from narrate.fileio import (
    LineDict,
    LineLoader,
    atomic_write_text,
    check_keys,
    load_yaml,
    where,
)
from narrate.model import MAX_TAKE, Book, Chapter, Section, Segment
from narrate.patterns import CONTROL, SURROGATE, without_controls
from narrate.problems import controls_removed
from narrate.read.languages import language_code

FORMAT_VERSION = 1
HEADER = """\
# narrate script: one entry per segment, in reading order.
# Edit `say` to change what is spoken and `role` (narrator, quote, note) to change who
# speaks; `text` is the source as written (edit it alone and the new text is spoken). In a
# novel, `speaker` names the character who says a quotation ('' when the text does not
# say), one of the `characters` under `book`.
"""
# the last line of every script narrate writes: one without it was cut short
END = "# end of the script"
_END_LINE = re.compile(r"^# end of the script[ \t]*\r?$", re.MULTILINE)
_BOOK_KEYS = ("title", "author", "narrator", "language", "source")
_CHAPTER_KEYS = ("id", "title", "title_source", "label", "heading", "announce", "sections")
_SECTION_KEYS = ("id", "kind", "title", "segments")
_SEGMENT_KEYS = ("id", "role", "speaker", "text", "say", "language", "citation", "take", "key",
                 "voice")
_ROLE_KEYS = ("role", "voice")  # `voice`: the name scripts by an earlier narrate give the role


def book_to_data(book: Book) -> dict:
    return {
        "narrate_script": FORMAT_VERSION,
        "book": {**{k: getattr(book, k) for k in _BOOK_KEYS}, **book.extra,
                 **({"characters": characters_data(book.characters)} if book.characters else {})},
        **({"credits": [_segment_data(s) for s in book.credits]} if book.credits else {}),
        "chapters": [{
            "id": ch.id, "title": ch.title, "title_source": ch.title_source,
            **({"label": ch.label} if ch.label else {}),
            **({"heading": ch.heading} if ch.heading else {}),
            **({"announce": _segment_data(ch.announce)} if ch.announce else {}),
            "sections": [{"id": sec.id, **({"kind": sec.kind} if sec.kind else {}),
                          **({"title": sec.title} if sec.title else {}),
                          "segments": [_segment_data(s) for s in sec.segments]}
                         for sec in ch.sections],
        } for ch in book.chapters],
    }


def _segment_data(seg: Segment) -> dict:
    data: dict[str, str | int] = {"id": seg.id, "role": seg.role}
    if seg.speaker is not None:  # a quotation in a novel: its character, or '' (unknown)
        data["speaker"] = seg.speaker
    data.update(text=seg.text, say=seg.say)
    if seg.language:  # only when it is not the book's
        data["language"] = seg.language
    if seg.citation:
        data["citation"] = seg.citation
    if seg.take != 1:  # omitted when 1: a script without retakes reads as it always did
        data["take"] = seg.take
    return data


# libyaml's emitter when PyYAML has it: the same text (checked on the seed and the corpus),
# ten times faster, which a no-change rebuild notices
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def to_yaml(book: Book) -> str:
    body = yaml.dump(book_to_data(book), Dumper=DUMPER, allow_unicode=True, sort_keys=False,
                     width=100)
    return HEADER + body + END + "\n"


def has_end(text: str) -> bool:
    """Whether a script's text holds the line narrate ends a script with (anywhere: a
    person may add chapters after it)."""
    return _END_LINE.search(text) is not None


def to_json_segments(book: Book) -> str:
    rows = [{"id": seg.id, "chapter": ch.id, "section": sec.id, "role": seg.role,
             **({"speaker": seg.speaker} if seg.speaker is not None else {}),
             "text": seg.text, "say": seg.say, "citation": seg.citation}
            for ch in book.chapters for sec in ch.sections for seg in sec.segments]
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def write_script(book: Book, path: str | Path, as_json: bool = False,
                 overwrite: bool = False) -> Path:
    """Write the script; an existing file that is not a narrate script (a manuscript, a
    metadata file) is never replaced unless `overwrite`."""
    path = Path(path)
    if path.exists() and not overwrite and not _is_narrate_output(path):
        raise ScriptFileError(f"{path}: exists and is not a narrate script; write the script "
                              "somewhere else (-o), or add --force to replace the file")
    return atomic_write_text(path, script_text(book, as_json))


def script_text(book: Book, as_json: bool = False) -> str:
    """The script as YAML, or its segments as a JSON list."""
    return to_json_segments(book) if as_json else to_yaml(book)


def _is_narrate_output(path: Path) -> bool:
    """A YAML script, or the JSON segment list, that narrate wrote."""
    if not path.is_file():  # a folder, a pipe or a device is no script
        return False
    if is_script_file(path):
        return True
    try:
        with path.open(encoding="utf-8") as handle:
            rows = json.loads(handle.read(64 * 1024 * 1024))
    except (OSError, ValueError):
        return False
    return isinstance(rows, list) and all(isinstance(r, dict) and {"id", "say"} <= set(r) and set(_ROLE_KEYS) & set(r)
                                          for r in rows)


def is_script_file(path: str | Path) -> bool:
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
        return False
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(4096)
    return "narrate_script:" in head


def load_script(path: str | Path, warnings: list[str] | None = None) -> Book:
    """Load and validate a script file. Segments with an empty `say` are skipped (warned)."""
    path = Path(path)
    data = load_yaml(path, "script", ScriptLoader)
    reader = _Reader(path, warnings if warnings is not None else [])
    try:
        return reader.book(data)
    except ScriptFileError:
        raise
    except (TypeError, AttributeError, KeyError) as exc:
        raise ScriptFileError(f"{path}: not a narrate script ({exc}); "
                              "make one with `narrate script SOURCE`") from None


class ScriptLoader(LineLoader):
    """A script's text fields are read as typed: `say: No` is "No", `say: 12:30` "12:30"."""
    text_keys = frozenset((*_BOOK_KEYS, *_CHAPTER_KEYS, *_SECTION_KEYS, *_SEGMENT_KEYS)) \
        - {"take"}  # a number


_KINDS: dict[type, str] = {list: "a list", dict: "a mapping", LineDict: "a mapping",
                           bytes: "binary data", set: "a set"}
_FIX_TEXT = "write the words themselves, in quotes if they hold ': ' or ' #'"


class _Reader:
    """One script file read into a Book: every value checked where it is written."""

    def __init__(self, path: Path, warnings: list[str]):
        self.path, self.warnings = path, warnings
        self.seen: dict[str, int] = {}  # id -> the line it is first given on
        self.cleaned: list[str] = []  # "file:line: `key`" of each text that held controls

    def where(self, mapping, key=None) -> str:
        return where(self.path, mapping, key)

    def text(self, mapping, key: str, default: str | None = None) -> str:
        """The text under `key`; `default` when it is missing or empty (`key:`, `~`),
        and an error naming the line when there is no default."""
        value = mapping.get(key) if isinstance(mapping, dict) else None
        if value is None:
            if default is None:
                raise ScriptFileError(f"missing `{key}`; every entry needs one",
                                      where=self.where(mapping))
            return default
        if not isinstance(value, str):
            kind = _KINDS.get(type(value), f"a value tagged as {type(value).__name__}")
            raise ScriptFileError(f"`{key}` must be text, not {kind}",
                                  where=self.where(mapping, key), hint=_FIX_TEXT)
        return self.clean(value, mapping, key)

    def clean(self, value: str, mapping, key: str) -> str:
        """Text no engine chokes on: control characters (a NUL cut the speech there) go,
        remembered for one warning; a lone surrogate (an escape such as "\\ud800" that
        libyaml refuses already) is not a character at all, and is refused."""
        if SURROGATE.search(value):
            raise ScriptFileError(f"`{key}` holds a lone surrogate escape, which is not a "
                                  "character", where=self.where(mapping, key),
                                  hint="write the character itself, or a \\U escape of it")
        if CONTROL.search(value):
            self.cleaned.append(f"{self.where(mapping, key)}: `{key}`")
            value = without_controls(value)
        return value

    def entries(self, mapping, key: str, allowed, what: str) -> list:
        """The mappings listed under `key` (a missing `credits:` is none), keys checked."""
        value = mapping.get(key)
        if value is None and key == "credits":
            return []
        if not isinstance(value, list):
            raise ScriptFileError(f"`{key}` must be a list of {what}",
                                  where=self.where(mapping, key if key in mapping else None),
                                  hint="write each as a `- ` entry under it")
        return [self.entry(item, mapping, key, allowed, what) for item in value]

    def entry(self, value, parent, key: str, allowed, what: str):
        if not isinstance(value, dict):
            kind = _KINDS.get(type(value), f"the value {str(value)[:40]!r}")
            raise ScriptFileError(f"`{key}` must hold {what}, not {kind}",
                                  where=self.where(parent, key),
                                  hint=f"give its keys ({', '.join(allowed[:4])}), one a line")
        check_keys(value, allowed, self.where(value))
        return value

    def unique(self, mapping) -> str:
        ident = self.text(mapping, "id")
        if ident in self.seen:
            raise ScriptFileError(f"{self.where(mapping)}: id {ident} is used twice (first on "
                                  f"line {self.seen[ident]}); give each entry its own id")
        self.seen[ident] = getattr(mapping, "line", 0)
        return ident

    def book(self, data) -> Book:
        if not isinstance(data, dict) or "narrate_script" not in data:
            raise ScriptFileError(f"{self.path}: not a narrate script (no `narrate_script:` "
                                  "line); make one with `narrate script SOURCE`")
        check_keys(data, ("narrate_script", "book", "credits", "chapters"), self.where(data))
        meta = data.get("book") or LineDict()
        if not isinstance(meta, dict):
            raise ScriptFileError(f"{self.where(data, 'book')}: `book` must be a mapping of "
                                  "metadata")
        book = Book(title=self.text(meta, "title", ""), author=self.text(meta, "author", ""),
                    narrator=self.text(meta, "narrator", ""),
                    language=self.language(meta) or "en",
                    source=self.text(meta, "source", ""),
                    extra={k: _plain(v) for k, v in meta.items()
                           if k not in (*_BOOK_KEYS, "characters")},
                    characters=characters_from_data(meta.get("characters"), self.path))
        book.credits = self.segments(self.entries(data, "credits", _SEGMENT_KEYS, "segments"))
        for ch_data in self.entries(data, "chapters", _CHAPTER_KEYS, "chapters"):
            book.chapters.append(self.chapter(ch_data))
        if self.cleaned:
            self.warnings.append(controls_removed(self.cleaned, "the script"))
        return book

    def chapter(self, data) -> Chapter:
        chapter = Chapter(self.unique(data), self.text(data, "title"),
                          self.text(data, "title_source", "opening"),
                          self.text(data, "heading", "") or None,
                          label=self.text(data, "label", "") or None)
        if data.get("announce"):
            announce = self.entry(data["announce"], data, "announce", _SEGMENT_KEYS,
                                  "the spoken title, a segment")
            chapter.announce = next(iter(self.segments([announce])), None)
        for sec_data in self.entries(data, "sections", _SECTION_KEYS, "sections"):
            section = Section(self.unique(sec_data), kind=self.text(sec_data, "kind", ""),
                              title=self.text(sec_data, "title", ""))
            section.segments = self.segments(
                self.entries(sec_data, "segments", _SEGMENT_KEYS, "segments"))
            chapter.sections.append(section)
        return chapter

    def segments(self, entries: list) -> list[Segment]:
        """The segments to speak: one with an empty `say` is left out, with a warning."""
        made = []
        for data in entries:
            seg_id = self.unique(data)
            role_key = next((key for key in _ROLE_KEYS if key in data), "role")
            say = self.text(data, "say", "")
            if not say.strip():
                self.warnings.append(f"{self.where(data)}: segment {seg_id} has an empty `say`; "
                                     "skipped")
                continue
            made.append(Segment(seg_id, self.text(data, role_key), self.text(data, "text", say),
                                say, self.text(data, "citation", "") or None, self.take(data),
                                self.speaker(data), language=self.language(data),
                                origin=self.where(data, role_key)))
        return made

    def speaker(self, data) -> str | None:
        """Who says a quotation in a novel: a character's name, '' for the quote voice;
        None when the script does not say (not a novel)."""
        return None if data.get("speaker") is None else self.text(data, "speaker").strip()

    def language(self, data) -> str:
        """A segment's or the book's `language:`, a code ("fr", "pt-BR"); "" when none."""
        given = self.text(data, "language", "").strip()
        if given and not language_code(given):
            raise ScriptFileError(f"`language` {given[:20]!r} is not a language code",
                                  where=self.where(data, "language"),
                                  hint="give its code (fr, de, pt-BR), or remove the line to "
                                       "speak it in the book's language (English for the book)")
        return language_code(given) if given else ""

    def take(self, data) -> int:
        take = data.get("take", 1)
        if isinstance(take, bool) or not isinstance(take, int) or not 1 <= take <= MAX_TAKE:
            raise ScriptFileError(f"{self.where(data, 'take')}: `take` must be a whole number "
                                  f"from 1 to {MAX_TAKE}, not {take!r:.20}; give the take to "
                                  "play, or remove the line for the first")
        return take


def _plain(value):
    """A metadata value as plain data (the script's writer knows no LineDict)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return [_plain(v) for v in value] if isinstance(value, list) else value
