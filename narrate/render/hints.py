"""A book's own pronunciation hints (an EPUB's PLS lexicons and `ssml:ph` attributes,
read by narrate/read/hints.py) as lexicon entries giving hibari's phonemes: the IPA in
its alphabet, each checked by the engine; an entry it cannot say is a warning naming it,
skipped. They layer after narrate's lexicon and before every lexicon a person names
(metadata.book_lexicon), so a person's entry wins."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from narrate.convert.lexicon import LexiconEntry
from narrate.errors import NarrateError
from narrate.metadata import book_lexicon
from narrate.render.engines import hibari

HINTED_ENGINE = "hibari"  # the engine whose phonemes a hint gives (the natural cast's)


def book_hints(source: str | Path | None, warnings: list | None = None
               ) -> tuple[LexiconEntry, ...]:
    """The hints of the book at `source` (an EPUB; anything else has none) as lexicon
    entries; a warning for each entry skipped is added to `warnings`."""
    if not source or Path(source).suffix.lower() != ".epub" or not Path(source).is_file():
        return ()
    stat = os.stat(source)
    entries, skipped = _read(str(Path(source).resolve()), stat.st_mtime_ns, stat.st_size)
    if warnings is not None:
        warnings.extend(w for w in skipped if w not in warnings)
    return entries


def hinted_lexicon(book_file, user, folder, source, warnings: list | None = None):
    """metadata.book_lexicon with the hints of the book at `source`."""
    return book_lexicon(book_file, user, folder, book_hints(source, warnings))


@functools.lru_cache(maxsize=8)  # a build asks for them while converting and planning
def _read(path: str, _mtime: int, _size: int) -> tuple[tuple[LexiconEntry, ...], tuple[str, ...]]:
    from narrate.read.hints import epub_hints

    try:
        hints, warnings = epub_hints(path)
    except NarrateError:  # a book the reader refuses: the reader says why, once
        return (), ()
    entries: dict[str, LexiconEntry] = {}
    for hint in hints:
        phonemes = hibari.from_ipa(hint.ipa)
        try:
            hibari.mark_phonemes(hint.word, phonemes)
        except NarrateError as error:
            warnings.append(f"{hint.place}: the pronunciation of {hint.word[:40]!r}: "
                            f"{error.what}; skipped")
            continue
        entries.setdefault(hint.word, LexiconEntry(hint.word, hint.word, hint.place,
                                                   ((HINTED_ENGINE, phonemes),)))
    return tuple(entries.values()), tuple(warnings)
