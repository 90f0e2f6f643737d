"""Kept conversions: a source converted once is kept (pickled in the cache folder's
books/), with the words spoken for each of its paragraphs, so that the next build of the
same text under the same options and the same narrate skips the conversion. A kept
conversion that is missing, damaged or stale only costs the time to convert again."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import pickle
from concurrent import futures
from pathlib import Path

from narrate.convert import ConvertOptions, convert_document
from narrate.errors import InputError, NarrateError
from narrate.fileio import atomic_write_bytes, code_digest, default_cache_dir, open_checked
from narrate.model import Book
from narrate.read import kind_summary, read_document
from narrate.read.cover import save_cover
from narrate.read.files import MAX_SOURCE_BYTES


def converted(target: Path, options: ConvertOptions, metadata: dict) -> tuple[Book, list]:
    """The book and the problems found converting `target`: kept, or converted now."""
    key = _conversion_key(target, metadata, options)
    return _converted(key) or _convert(target, options, metadata, key)


def forget_conversions() -> int:
    """Delete every kept conversion and spoken text; the bytes freed."""
    freed = 0
    books = default_cache_dir() / "books"
    for kept in [*books.glob("*.pickle"), *books.glob("*.said")]:
        with contextlib.suppress(OSError):
            size = kept.stat().st_size
            kept.unlink()
            freed += size
    return freed


def _convert(target: Path, options: ConvertOptions, metadata: dict,
             key: str) -> tuple[Book, list]:
    document = read_document(target)
    said = _said_path(target, options)
    with contextlib.suppress(Exception):  # missing or damaged: every paragraph is spoken anew
        known = pickle.loads(said.read_bytes())
        options.said.known = known if isinstance(known, dict) else {}
    with futures.ThreadPoolExecutor(1) as drawing:  # an SVG cover is drawn (rsvg-convert:
        cover = drawing.submit(save_cover, *document.cover) if document.cover and \
            not metadata.get("cover") else None  # a second and more) while the text converts
        book, problems = convert_document(document, options, metadata)
        if not any(s.say.strip() for s in book.segments):  # notation, marks, `[sic]` …
            raise InputError(f"{target}: no text to read aloud (found {kind_summary(document.blocks)}"
                             ", and no word of it a voice can say); check it is the right file")
        if cover is not None and not book.extra.get("cover"):
            path, found = cover.result()
            problems += found
            if path:
                book.extra["cover"] = str(path)
    # kept for the next build of the same text: a rebuild need not convert again. A cache
    # it cannot write (or a prune that took the file being written) only costs time
    with contextlib.suppress(OSError, NarrateError):
        atomic_write_bytes(said, pickle.dumps(options.said.used, protocol=5))
    with contextlib.suppress(OSError, NarrateError):
        if key:
            atomic_write_bytes(_conversion_path(key), pickle.dumps((book, problems), protocol=5))
    return book, problems


def _conversion_path(key: str) -> Path:
    return default_cache_dir() / "books" / f"{key}.pickle"


def _said_path(target: Path, options: ConvertOptions) -> Path:
    """Where the words spoken for each paragraph of `target` are kept, by everything else
    `to_say` depends on: the options (the lexicon's entries included) and narrate's code."""
    digest = hashlib.sha256(f"{target.resolve()}\n{options!r}\n{_code_stamp()}".encode())
    return default_cache_dir() / "books" / f"{digest.hexdigest()[:32]}.said"


def _conversion_key(target: Path, metadata: dict, options: ConvertOptions) -> str:
    """Everything a conversion depends on: the source (its name and bytes), its metadata,
    the options (the lexicon's entries included) and narrate's own code (its files' sizes
    and times). "" when the source cannot be read: the reader then says why."""
    digest = hashlib.sha256()
    try:
        with open_checked(target) as source:  # a pipe or a device is refused, not read
            for _ in range(MAX_SOURCE_BYTES >> 20):  # streamed, bounded memory and time
                block = source.read(1 << 20)
                if not block:
                    break
                digest.update(block)
            else:
                return ""  # larger than any source: the reader refuses it
    except (OSError, NarrateError):
        return ""
    digest.update(str(target).encode("utf-8"))
    digest.update(json.dumps(metadata, sort_keys=True, default=str).encode("utf-8"))
    digest.update(repr(options).encode("utf-8"))
    digest.update(_code_stamp().encode("ascii"))
    return digest.hexdigest()[:32]


@functools.cache
def _code_stamp() -> str:
    return code_digest(*sorted(Path(__file__).parent.rglob("*.py")))


def _converted(key: str) -> tuple[Book, list] | None:
    """The book this exact conversion made last time, if it is still whole."""
    if not key:
        return None
    try:
        book, problems = pickle.loads(_conversion_path(key).read_bytes())
    except Exception:  # noqa: BLE001 - missing, damaged or stale: converted again
        return None
    cover = book.extra.get("cover")
    return None if cover and not Path(cover).is_file() else (book, problems)
