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


def voices_dir_for(book: Book, voices: str | Path | None) -> str | Path | None:
    """--voices wins over the book's metadata `voices:` folder."""
    return voices or book.extra.get("voices")


def render_book(book: Book, voices: str | Path | None = None, cache_dir: str | Path | None = None,
                jobs: int | None = None, progress: bool | None = None):
    """Render every segment of `book` through the cache; returns the RenderReport."""
    from narrate.render import book_items, render_items
    from narrate.render.cache import Cache
    from narrate.render.profiles import load_profiles

    profiles = load_profiles(voices_dir_for(book, voices))
    return render_items(book_items(book), profiles, Cache(cache_dir), jobs=jobs, progress=progress)


def used_cache_keys(books: list[Book], voices: str | Path | None = None) -> set[str]:
    from narrate.render import book_items, item_keys
    from narrate.render.profiles import load_profiles

    keys: set[str] = set()
    for book in books:
        profiles = load_profiles(voices_dir_for(book, voices))
        keys |= set(item_keys(book_items(book), profiles).values())
    return keys
