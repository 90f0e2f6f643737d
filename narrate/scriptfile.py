"""The narration script on disk: a YAML file a person can read and edit, or JSON for tools."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from narrate.errors import ScriptFileError
from narrate.fileio import atomic_write_text, check_keys, load_yaml, where
from narrate.model import MAX_TAKE, Book, Chapter, Section, Segment

FORMAT_VERSION = 1
HEADER = """\
# narrate script: one entry per segment, in reading order.
# Edit `say` to change what is spoken and `role` (narrator, quote, note) to change who
# speaks; `text` is the source as written.
"""
_BOOK_KEYS = ("title", "author", "narrator", "language", "source")
_CHAPTER_KEYS = ("id", "title", "title_source", "label", "heading", "announce", "sections")
_SECTION_KEYS = ("id", "kind", "title", "segments")
_SEGMENT_KEYS = ("id", "role", "text", "say", "citation", "take", "key", "voice")
_ROLE_KEYS = ("role", "voice")  # `voice`: the name scripts by an earlier narrate give the role


def book_to_data(book: Book) -> dict:
    return {
        "narrate_script": FORMAT_VERSION,
        "book": {**{k: getattr(book, k) for k in _BOOK_KEYS}, **book.extra},
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
    data: dict[str, str | int] = {"id": seg.id, "role": seg.role, "text": seg.text,
                                  "say": seg.say}
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
    return HEADER + body


def to_json_segments(book: Book) -> str:
    rows = [{"id": seg.id, "chapter": ch.id, "section": sec.id, "role": seg.role,
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
    if path.is_dir():
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
    data = load_yaml(path, "script")
    warnings = warnings if warnings is not None else []
    try:
        return _book_from_data(data, path, warnings)
    except ScriptFileError:
        raise
    except (TypeError, AttributeError, KeyError) as exc:
        raise ScriptFileError(f"{path}: not a narrate script ({exc}); "
                              "make one with `narrate script SOURCE`") from None


def _require(mapping, key, path, kind="text"):
    if not isinstance(mapping, dict) or key not in mapping:
        raise ScriptFileError(f"{where(path, mapping)}: missing `{key}`; every entry needs one")
    value = mapping[key]
    if kind == "text" and not isinstance(value, (str, int, float)):
        raise ScriptFileError(f"{where(path, mapping)}: `{key}` must be text, not "
                              f"{type(value).__name__}")
    if kind == "list" and not isinstance(value, list):
        raise ScriptFileError(f"{where(path, mapping)}: `{key}` must be a list")
    return str(value) if kind == "text" else value


def _book_from_data(data, path: Path, warnings: list[str]) -> Book:
    if not isinstance(data, dict) or "narrate_script" not in data:
        raise ScriptFileError(f"{path}: not a narrate script (no `narrate_script:` line); "
                              "make one with `narrate script SOURCE`")
    check_keys(data, ("narrate_script", "book", "credits", "chapters"), where(path, data))
    meta = data.get("book") or {}
    if not isinstance(meta, dict):
        raise ScriptFileError(f"{where(path, data)}: `book` must be a mapping of metadata")
    book = Book(title=str(meta.get("title", "")), author=str(meta.get("author", "") or ""),
                narrator=str(meta.get("narrator", "") or ""),
                language=str(meta.get("language", "en")), source=str(meta.get("source", "") or ""),
                extra={k: v for k, v in meta.items() if k not in _BOOK_KEYS})
    seen: dict[str, int] = {}
    for seg_data in data.get("credits") or []:
        segment = _segment_from_data(seg_data, path, seen, warnings, book.origin)
        if segment:
            book.credits.append(segment)
    for ch_data in _require(data, "chapters", path, "list"):
        check_keys(ch_data, _CHAPTER_KEYS, where(path, ch_data))
        chapter = Chapter(_unique(_require(ch_data, "id", path), ch_data, seen, path),
                          _require(ch_data, "title", path),
                          str(ch_data.get("title_source", "opening")), ch_data.get("heading"),
                          label=ch_data.get("label"))
        if ch_data.get("announce"):
            chapter.announce = _segment_from_data(ch_data["announce"], path, seen, warnings,
                                                  book.origin)
        for sec_data in _require(ch_data, "sections", path, "list"):
            check_keys(sec_data, _SECTION_KEYS, where(path, sec_data))
            section = Section(_unique(_require(sec_data, "id", path), sec_data, seen, path),
                              kind=str(sec_data.get("kind") or ""),
                              title=str(sec_data.get("title") or ""))
            for seg_data in _require(sec_data, "segments", path, "list"):
                segment = _segment_from_data(seg_data, path, seen, warnings, book.origin)
                if segment:
                    section.segments.append(segment)
            chapter.sections.append(section)
        book.chapters.append(chapter)
    return book


def _segment_from_data(data, path, seen, warnings, origin: dict) -> Segment | None:
    check_keys(data, _SEGMENT_KEYS, where(path, data))
    seg_id = _unique(_require(data, "id", path), data, seen, path)
    role_key = next((key for key in _ROLE_KEYS if key in data), "role")
    origin[seg_id] = where(path, data, role_key)
    say = data.get("say")
    if say is None or not str(say).strip():
        warnings.append(f"{where(path, data)}: segment {seg_id} has an empty `say`; skipped")
        return None
    citation = data.get("citation")
    return Segment(seg_id, _require(data, role_key, path), str(data.get("text", say)), str(say),
                   str(citation) if citation else None, _take(data, path))


def _take(data, path) -> int:
    take = data.get("take", 1)
    if isinstance(take, bool) or not isinstance(take, int) or not 1 <= take <= MAX_TAKE:
        raise ScriptFileError(f"{where(path, data, 'take')}: `take` must be a whole number from "
                              f"1 to {MAX_TAKE}, not {take!r:.20}; give the take to play, or "
                              "remove the line for the first")
    return take


def _unique(ident: str, mapping, seen: dict[str, int], path) -> str:
    if ident in seen:
        raise ScriptFileError(f"{where(path, mapping)}: id {ident} is used twice "
                              f"(first on line {seen[ident]}); give each entry its own id")
    seen[ident] = getattr(mapping, "line", 0)
    return ident
