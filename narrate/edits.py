"""A user's edits of a script, carried into a new conversion of its source.

The rule (docs/reliability.md, "Your edits are kept"): beside each script it writes from a source,
narrate keeps the conversion it wrote there, the script's base (`.script.converted.yaml`
beside `script.yaml`). When the source is converted again, the script is compared with
its base. Every section (a paragraph: its segments) the user changed — a `say`, a
`role`, a `text`, a segment deleted or added — is carried into the new conversion when
the source paragraph it came from is the same in both conversions. When that paragraph
changed too, nothing is guessed: the build stops before any work with one line naming
the segment and both versions, and `prefer` "script" keeps the user's version, "source"
the source's. The book's fields, the chapters' titles and the credits follow the same
rule. Nothing is reverted without a word.

A segment whose `text` was edited and whose `say` was not (it is still the one narrate
wrote for the old text) is said from the new text by the book's rules, as the studio does
(`follow_text`); the script keeps the say as the user left it, so the next edit of that
text is heard too.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from narrate.convert import is_english
from narrate.convert.castlist import unknown_speakers
from narrate.convert.lexicon import Lexicon
from narrate.convert.speech import to_say
from narrate.errors import NarrateError
from narrate.fileio import (
    atomic_write_text,
    read_checked,
    write_bytes_if_changed,
    write_text_if_changed,
)
from narrate.merge import Merge, same_book
from narrate.metadata import book_lexicon, load_lexicon
from narrate.model import Book, Segment
from narrate.problems import counted
from narrate.scriptfile import END, has_end, is_script_file, load_script, to_yaml, write_script

PREFER = ("script", "source")


def base_path(script: str | Path) -> Path:
    """Where the conversion narrate wrote into `script` is kept (hidden, beside it)."""
    script = Path(script)
    return script.with_name(f".{script.stem}.converted{script.suffix}")


def preferred_path(script: str | Path) -> Path:
    """Where the sections a merge kept as the user's over the source's are recorded."""
    script = Path(script)
    return script.with_name(f".{script.stem}.preferred.json")


def _preferred(script: Path) -> set[str]:
    try:
        ids = json.loads(preferred_path(script).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {i for i in ids if isinstance(i, str)} if isinstance(ids, list) else set()


def compose(converted: Book, script: str | Path, prefer: str | None = None,
            lexicon: str | Path | None = None) -> tuple[Book, list[str]]:
    """The book to build from a new conversion and the script the user may have edited
    (none yet: the conversion), and lines saying what was kept or taken. `lexicon`: the
    one the source was converted with (else the book's), for an edited text's say."""
    script = Path(script)
    if prefer not in (None, *PREFER):
        raise NarrateError(f"not a side: {prefer!r}", option=("prefer", prefer),
                           hint="give script (your edits) or source (the source's text)")
    if not is_script_file(script):  # none yet, or not a script (never replaced unasked)
        return converted, []
    current = _read(script)  # compared as text first: parsing a long script costs seconds
    if current is not None and current in (_read(base_path(script)), to_yaml(converted)):
        return converted, []  # what narrate wrote, or what it would write: nothing edited
    read: list[str] = []  # what reading the user's script said: as a build of it would
    mine, base = _with_base(script, read, lexicon)
    if same_book(mine, converted):
        return converted, read
    if base is not None:
        book, lines = Merge(base, mine, converted, prefer, _preferred(script)).result(script)
        return book, read + lost_chapters(mine, base, script, converted) + lines
    # a script written before narrate kept its base: edits cannot be told from changes
    if prefer is None:
        raise NarrateError(
            "differs from a new conversion of its source, and narrate has no record of what "
            "it wrote there to tell your edits from the source's changes", where=str(script),
            hint="build your script as it is with {arg:prefer=script}, or replace it with the "
                 "source's with {arg:prefer=source} (yours is kept as " f"{backup_path(script)})")
    book = mine if prefer == "script" else converted
    return book, read + [(f"{script}: took the {prefer}'s version of the whole book (no record "
                         "of what narrate wrote there to compare it with)")]


def load_edited(script: str | Path, warnings: list | None = None,
                lexicon: str | Path | None = None) -> Book:
    """A script as a build reads it. Beside the base narrate wrote with it: refused when
    cut short; a segment whose text was edited and whose say was not is said from its new
    text; chapters deleted are named in `warnings`."""
    book, base = _with_base(Path(script), warnings, lexicon)
    if base is not None and warnings is not None:
        warnings += lost_chapters(book, base, Path(script))
    return book


def respelled(book: Book, lexicon: str | Path | None) -> Book:
    """`book` (a script given to a build) with the user's `lexicon`, given for that build,
    respelling every say as it would a conversion's (in place; the file is not changed)."""
    if lexicon:
        respell = load_lexicon(lexicon)
        for segment in book.spoken:
            segment.say = respell.apply(segment.say)
    return book


def _with_base(script: Path, warnings: list | None, lexicon: str | Path | None
               ) -> tuple[Book, Book | None]:
    """The script as load_edited reads it, and its base (None without one)."""
    current, written = _read(script), _read(base_path(script))
    if written is None or current == written:
        book = load_script(script, warnings)
        return _checked(book, warnings), None if written is None else book
    if current is not None and has_end(written) and not has_end(current):
        chapters = len(load_script(base_path(script), []).chapters)
        raise NarrateError(
            f"is cut short: its last line ({END}) is gone, so what followed may be too "
            f"(narrate wrote {counted(chapters, 'chapter')} there)", where=str(script),
            hint=f"put back what is missing (a copy may be in {backup_path(script).name}), or "
                 f"end the script with the line `{END}` if you cut it on purpose")
    book, base = load_script(script, warnings), load_script(base_path(script), [])
    return _checked(follow_text(book, base, lexicon, script.parent), warnings), base


def _checked(book: Book, warnings: list | None) -> Book:
    """A line in `warnings` for each speaker the script names who is none of its
    characters (a typo in an edit: read in the quote voice)."""
    if warnings is not None:
        warnings += unknown_speakers(book)
    return book


def edited_and_base(script: str | Path, lexicon: str | Path | None = None
                    ) -> tuple[Book, Book | None]:
    """The script as load_edited reads it, and the base narrate wrote beside it (None
    without one), for a program that edits the script and writes it `as_written`."""
    return _with_base(Path(script), [], lexicon)


def lost_chapters(book: Book, base: Book, script: Path, source: Book | None = None
                  ) -> list[str]:
    """A line for each chapter narrate wrote into the script that is not in it (deleted
    there: an edit, named so that it is not lost unawares) and that the source still has
    (`source`: its new conversion, else the base)."""
    there = {c.id for c in book.chapters}
    titles = {c.title for c in (source or base).chapters}
    return [f"{script}: chapter {c.id} (“{c.title}”) is not in the script, so it is not "
            "built; the source has it (deleted by hand? put it back to hear it)"
            for c in base.chapters if c.id not in there and c.title in titles]


def follow_text(book: Book, base: Book, lexicon: str | Path | None = None,
                folder: Path | None = None) -> Book:
    """`book`, each of its lines whose text differs from `base`'s and whose say does not
    said from the new text by the book's rules (in place; `folder`: its script's)."""
    was = {s.id: s for s in base.spoken}
    rules: tuple[Lexicon, bool] | None = None
    for segment in book.spoken:
        old = was.get(segment.id)
        if old is not None and segment.text != old.text and segment.say == old.say:
            rules = rules or speech_rules(book, lexicon, folder)
            segment.say = said(segment.text, segment.citation, *rules)
    return book


def said(text: str, citation: str | None, lexicon: Lexicon | None, english: bool) -> str:
    """What a narrator says for a line's text: its page citations kept out, as a
    conversion keeps them."""
    for cited in (citation or "").split("; "):
        text = text.replace(cited, " ") if cited else text
    return to_say(text, lexicon, english)


def speech_rules(book: Book, lexicon: str | Path | None = None, folder: Path | None = None
                 ) -> tuple[Lexicon, bool]:
    """What `said` needs to say a line of `book`: its lexicons as a build layers them (the
    book's folder's: its script's folder) and whether the book is in English."""
    return (book_lexicon(book.extra.get("lexicon"), lexicon, folder),
            is_english({"language": book.language}))


def as_written(book: Book, base: Book, lexicon: str | Path | None = None,
                folder: Path | None = None) -> Book:
    """`book` as its script says it: a say made from an edited text is written as the
    base's say (the mark of a say that follows its text), so that the next edit of the
    text is heard too. `book` itself is not changed. A section kept as the user's over a
    change of its source (`prefer` script) is written as it is spoken."""
    was = {s.id: s for s in base.spoken}
    kept = {s.id for section in book.sections if section.id in book.preferred
            for s in section.segments}

    def follows(segment: Segment) -> bool:
        old = was.get(segment.id)
        return (old is not None and segment.id not in kept and segment.text != old.text
                and segment.say != old.say
                and segment.say == said(segment.text, segment.citation, *rules))

    rules = speech_rules(book, lexicon, folder)
    if not any(follows(s) for s in book.spoken):
        return book
    written = copy.deepcopy(book)
    for segment in written.spoken:
        if follows(segment):
            segment.say = was[segment.id].say
    return written


def keep_script(book: Book, converted: Book, script: str | Path, overwrite: bool = False,
                lexicon: str | Path | None = None) -> bool:
    """Write the script of `book` and, as its base, the conversion it was made from.
    The script is rewritten only when what it says changes (a user's comments and layout
    stay otherwise); one the user edited is first copied to `script.yaml~`; a file that
    is not a narrate script is never replaced unless `overwrite`. True if it was written."""
    script = Path(script)
    written_book = as_written(book, converted, lexicon, script.parent)
    text, current = to_yaml(written_book), _read(script)
    if current == text or (current is not None and current != _read(base_path(script))
                           and same_script(script, book, lexicon)):
        written = False  # it says this already (in the user's own layout, maybe)
    else:
        if current is not None and is_script_file(script) and edited(script):
            write_bytes_if_changed(backup_path(script), script.read_bytes())
        write_script(written_book, script, overwrite=overwrite)
        written = True
    # the book is the conversion itself when nothing was edited: serialised once
    base = text if converted is book else to_yaml(converted)
    if not written and current is not None and not has_end(current):
        # a script kept as it is, written before narrate ended scripts with END (or the
        # line deleted): its base says so, and a script is "cut short" only once it had it
        base = base.removesuffix(END + "\n")
    write_text_if_changed(base_path(script), base)
    if book.preferred:  # in the base's ids, written with it
        write_text_if_changed(preferred_path(script), json.dumps(book.preferred) + "\n")
    else:
        preferred_path(script).unlink(missing_ok=True)
    return written


def keep_takes(script: Path, book: Book) -> bool:
    """Write the takes `book` plays (`build --only`, `--verify`) into the script a build was
    given, as its user's edit; nothing else in it changes. A script in the user's own
    layout is first copied to `script.yaml~`. True if it was written."""
    mine = load_script(script, [])
    takes = {s.id: s.take for s in book.spoken}
    changed = [s for s in mine.spoken if takes.get(s.id, s.take) != s.take]
    if not changed:
        return False
    if _read(script) != to_yaml(mine):  # comments, a layout of its own: kept aside
        write_bytes_if_changed(backup_path(script), script.read_bytes())
    for segment in changed:
        segment.take = takes[segment.id]
    atomic_write_text(script, to_yaml(mine))
    return True


def same_script(script: Path, book: Book, lexicon: str | Path | None = None,
                respell: bool = False) -> bool:
    """Whether the script file says what `book` says (however it is laid out); `respell`:
    as a build of the script with `lexicon` reads it."""
    try:
        mine = load_edited(script, [], lexicon)
        return same_book(respelled(mine, lexicon) if respell else mine, book)
    except NarrateError:
        return False


def edited(script: Path) -> bool:
    """Whether a user changed the script since narrate wrote it (no base: it may be)."""
    base = base_path(script)
    if not base.is_file():
        return True
    written = _read(base)
    if written is not None and written == _read(script):
        return False
    try:
        return not same_book(load_script(script, []), load_script(base, []))
    except NarrateError:
        return True


def _read(path: Path) -> str | None:
    """The file's text, newlines read as Python reads text; None when it is missing,
    unreadable or not a regular file."""
    try:
        return read_checked(path, "script").decode("utf-8").replace("\r\n", "\n") \
            .replace("\r", "\n")
    except (NarrateError, UnicodeDecodeError):
        return None


def backup_path(script: Path) -> Path:
    """Where a script the user edited goes before narrate replaces it."""
    return script.with_name(script.name + "~")
