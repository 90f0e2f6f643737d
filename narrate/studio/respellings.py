"""Where the studio writes a respelling, and how: the book's own lexicon is edited only
in a way proven to load back its entries as they were plus the new one. A lexicon
narrate cannot append to so (JSON, a `{…}` mapping, a document ended by `...`, an
indented mapping, one that does not load) is left as it is, and the respelling goes into
lexicon.yaml in the book's folder, which the person is told. A lexicon that is a link
(shared by books) stays a link: its file is edited."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from narrate.convert.lexicon import Lexicon
from narrate.errors import NarrateError
from narrate.fileio import read_checked
from narrate.metadata import (
    FOLDER_LEXICON,
    MAX_LEXICON_BYTES,
    is_shipped,
    lexicon_entries,
    load_lexicon,
)
from narrate.model import Book

HEADER = "# pronunciations for this book (narrate studio): word: respelling\n"


@dataclass(frozen=True)
class LexiconEdit:
    """A respelling added to a lexicon file: the file (a link's target), its bytes before
    (None: made by the edit) and after, and what the person must be told."""
    path: Path
    before: bytes | None
    after: bytes
    note: str = ""


def own_lexicon(book: Book, folder: Path) -> Path:
    """The book's own lexicon, where a respelling kept in the studio goes: its metadata's,
    or lexicon.yaml in its folder (never the lexicon narrate ships: every book reads it)."""
    named = book.extra.get("lexicon")
    return Path(named) if named and not is_shipped(named) else folder / FOLDER_LEXICON


def lexicon_edit(book: Book, folder: Path, entry: Lexicon, given: str | None) -> LexiconEdit:
    """The entry (`word: respelling`) added to the book's lexicon, or, when that cannot be
    done safely, to lexicon.yaml in its folder; nothing is written yet. One line when the
    --lexicon `given` to the book's builds respells the word already, in any case (two
    entries would fight, and the later file's wins)."""
    word, respelling = next(iter(entry.entries.items()))
    return entry_edit(book, folder, word, respelling, given)


def entry_edit(book: Book, folder: Path, word: str, said: str | dict[str, str],
               given: str | None, comment: str = "") -> LexiconEdit:
    """`lexicon_edit` of the entry `word: said` (a respelling, or a mapping giving an
    engine's phonemes), with a `comment` after it on its line (the evidence for it)."""
    if given and os.path.lexists(given):  # a pipe or a device there is refused, not read
        _refuse_twice(word, load_lexicon(given).entries, given)
    named = own_lexicon(book, folder)
    tried: list[str] = []
    for path in dict.fromkeys((named, folder / FOLDER_LEXICON)):
        edit, why = _appended(path, word, said, comment)
        if edit is not None:
            return LexiconEdit(edit.path, edit.before, edit.after, note=(
                f"{named} {tried[0]}, so “{word}” went into {path}" if tried else ""))
        tried.append(why)
    raise NarrateError(f"{named} {tried[0]}; nothing was written",
                       hint=f"add the line `{_line(word, said).strip()}` to it yourself")


def _appended(path: Path, word: str, said: str | dict[str, str],
              comment: str = "") -> tuple[LexiconEdit | None, str]:
    """The edit adding the line to `path`, proven to read back; else None and why not."""
    target = path.resolve()  # a link's file: the link stays, shared
    try:  # a regular file, not too long: a pipe or a device is never read nor replaced
        before = read_checked(target, "lexicon", MAX_LEXICON_BYTES) \
            if os.path.lexists(target) else None
        old = lexicon_entries(before.decode("utf-8"), path) if before is not None else ()
    except (UnicodeDecodeError, NarrateError) as error:
        return None, f"does not load ({str(error).splitlines()[0][:120]})"
    _refuse_twice(word, [e.word for e in old], path)
    text = before.decode("utf-8") if before is not None else HEADER
    line = _line(word, said, comment)
    after = text + ("" if text.endswith("\n") or not text else "\n") + line
    try:
        new, added = lexicon_entries(after, path), lexicon_entries(line, path)
    except NarrateError:
        new, added = (), ()
    if len(added) != 1 or [_said(e) for e in new] != [_said(e) for e in (*old, *added)]:
        return None, "is not laid out one `word: respelling` a line, so narrate cannot add one"
    return LexiconEdit(target, before, after.encode("utf-8")), ""


def _refuse_twice(word: str, words, path) -> None:
    """One line when the lexicon at `path`, of these `words`, has `word` in any case."""
    has = {w.lower(): w for w in words}
    if word.lower() in has:
        raise NarrateError(f"already respells {has[word.lower()]!r}", where=str(path),
                           hint="change it there")


def _line(word: str, said: str | dict[str, str], comment: str = "") -> str:
    import yaml

    line = yaml.safe_dump({word: said}, allow_unicode=True, width=1000,  # a mapping on one line
                          default_flow_style=None if isinstance(said, dict) else False)
    line = line.rstrip("\n")
    return f"{line}  # {comment}\n" if comment else line + "\n"


def _said(entry) -> tuple:
    return entry.word, entry.spoken, entry.phonemes
