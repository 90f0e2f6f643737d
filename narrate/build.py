"""Orchestration: load or convert a book, and (later stages) render and stitch it."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from narrate.metadata import find_metadata, load_lexicon, load_metadata
from narrate.model import Book, Segment
from narrate.script import ConvertOptions, convert_file, words
from narrate.scriptfile import is_script_file, load_script

OUTPUT_DIR = Path("output")


def load_book(target: str | Path, meta: str | Path | None = None,
              lexicon: str | Path | None = None, warnings: list | None = None,
              **options) -> Book:
    """A Book from a script file, or converted from a source text (with its metadata)."""
    target = Path(target)
    warnings = warnings if warnings is not None else []
    if is_script_file(target):
        return load_script(target, warnings)
    meta_path = Path(meta) if meta else find_metadata(target)
    metadata = load_metadata(meta_path) if meta_path else {}
    lexicon_path = lexicon or metadata.get("lexicon")
    convert_options = ConvertOptions(lexicon=load_lexicon(lexicon_path), **options)
    book, problems = convert_file(target, convert_options, metadata)
    warnings.extend(problems)
    return book


def slug(text: str) -> str:
    """A folder name safe on every OS."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "book"


def book_folder(book: Book, root: str | Path = OUTPUT_DIR) -> Path:
    name = Path(book.source).stem if book.source else book.title
    return Path(root) / slug(name)


def estimate_seconds(segments: list[Segment], words_per_minute: int = 160) -> float:
    return sum(len(words(s.say)) for s in segments) * 60.0 / words_per_minute
