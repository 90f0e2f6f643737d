"""`narrate cache --prune`: delete the segment cache's entries that none of the books named
plays. What a built book plays is its manifest's keys (its retakes and the lines its
user edited by hand included), not those of a fresh conversion of its source; a book not
built yet keeps what a build of it would play now."""

from __future__ import annotations

from pathlib import Path

from narrate.conversions import forget_conversions
from narrate.manifest import last_manifest, read_manifest
from narrate.model import Book
from narrate.plan import book_folder, book_profiles, credited, extra_items, load_book, spoken_with
from narrate.render import book_items, item_keys
from narrate.values import OUTPUT_DIR


def prune_cache(targets: list, cache=None, voices=None,
                out: str | Path = OUTPUT_DIR) -> tuple[int, float, int]:
    """Delete the cache entries none of the books (sources, scripts or built folders)
    plays, and every kept conversion and spoken text: (entries deleted, bytes freed,
    entries kept). A source or script's book is looked for in `out`."""
    from narrate.render.cache import Cache

    keep: set[str] = set()
    for target in map(Path, targets):
        keep |= book_keys(target, voices, out)
    count, freed = Cache(cache).prune(keep)
    return count, freed + forget_conversions(), len(keep)


def book_keys(target: Path, voices, out: str | Path) -> set[str]:
    """The keys of a built folder's book; of a source or script, those a build would play
    with those its book's folder in `out` plays."""
    if target.is_dir():  # a built book: its manifest, or one line saying it has none
        return set(read_manifest(target).segments.values())
    book = load_book(target, voices=voices, out=out)
    built = last_manifest(book_folder(book, out))
    return planned_keys(book, voices, out) | (set(built.segments.values()) if built else set())


def planned_keys(book: Book, voices, out: str | Path) -> set[str]:
    """The keys of every line a build of `book` into `out` would speak: its credits,
    chapter titles and closing line too."""
    lexicon = spoken_with(book, out=out)
    profiles = book_profiles(book, voices, lexicon=lexicon)
    book = credited(book, profiles, lexicon)
    return set(item_keys(book_items(book) + extra_items(book, credits=True), profiles).values())
