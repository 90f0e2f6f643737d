"""Many books in one run: each source built in turn into out/<book>/, one book's failure
reported without stopping the others, and a table at the end.

    entries = build_many(["lectures/"], lambda source: narrate.build(source, out="library"))

Running it again resumes: every segment already rendered is in the cache (shared by all
the books, so a paragraph two books share is rendered once) and every chapter already
exported is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from narrate.errors import NarrateError
from narrate.outline import clock
from narrate.pipeline import BuildResult
from narrate.plan import folder_name
from narrate.problems import counted
from narrate.qa import check_book
from narrate.read import SOURCE_SUFFIXES
from narrate.scriptfile import is_script_file


@dataclass
class BatchEntry:
    source: Path
    result: BuildResult | None = None  # when the build ran to its end
    failure: NarrateError | None = None  # why this book was not built
    checked: bool | None = None  # with check: whether it passed

    @property
    def ok(self) -> bool:
        return not self.failure and self.checked is not False


def sources_in(targets: list[str | Path]) -> list[Path]:
    """The books named: each file as given, and in each folder every file narrate reads
    (a script file too; a book's metadata YAML is not a book), sorted by name."""
    found: list[Path] = []
    for target in map(Path, targets):
        if not target.is_dir():
            found.append(target)
            continue
        found += sorted(p for p in target.iterdir() if p.is_file()
                        and not p.name.startswith(".") and p.suffix
                        and (p.suffix.lower() in SOURCE_SUFFIXES or is_script_file(p)))
    if not found:
        raise NarrateError(f"{', '.join(map(str, targets))}: no book to build here (narrate "
                           "reads .txt, .md, .html, .epub, .pdf, .docx, .odt, .fb2 and script .yaml files)")
    return found


def build_many(targets: list[str | Path], build_one: Callable[[Path], BuildResult],
               check: str | None = None, on_book: Callable[[BatchEntry], None] | None = None
               ) -> list[BatchEntry]:
    """Build every book in `targets` (files and folders of them) with `build_one`; `check`
    each built book too, with that check profile. `on_book` hears of each as it ends."""
    entries: list[BatchEntry] = []
    folders: dict[str, Path] = {}
    for source in sources_in(targets):
        entry = BatchEntry(source)
        try:
            folder = folder_name(source)
        except NarrateError as exc:  # a script that cannot be read: this book fails alone
            entry.failure, folder = exc, ""
        if folder in folders:
            entry.failure = NarrateError(f"{source}: would be built into the same folder as "
                                         f"{folders[folder]}; rename one of them or build it "
                                         "on its own into another {arg:out}")
        elif folder:
            folders[folder] = source
            _build_one(entry, build_one, check)
        entries.append(entry)
        if on_book:
            on_book(entry)
    return entries


def _build_one(entry: BatchEntry, build_one: Callable[[Path], BuildResult],
               check: str | None) -> None:
    try:
        result = entry.result = build_one(entry.source)
        failed = result.render.failed if result.render else []
        if failed:
            entry.failure = NarrateError(f"{counted(len(failed), 'segment')} failed; build again to "
                                         "try them again")
        elif check and result.export:
            entry.checked = check_book(result.folder, profile=check).passed
    except NarrateError as exc:
        entry.failure = exc
    except Exception as exc:  # noqa: BLE001 - a bug in one book must not stop the others
        entry.failure = NarrateError(f"{entry.source}: narrate failed ({type(exc).__name__}: "
                                     f"{exc}); build it alone with --debug for the traceback, "
                                     "and report it")


def summary_table(entries: list[BatchEntry],
                  describe: Callable[[NarrateError], str] = str) -> list[str]:
    """book | chapters | duration | rendered/reused | result, a line a book; `describe`
    words a failure (the CLI names options as flags)."""
    rows = [("book", "chapters", "duration", "rendered/reused", "result")]
    for entry in entries:
        result = entry.result
        export = getattr(result, "export", None)
        render = getattr(result, "render", None)
        rows.append((
            entry.source.name,
            str(len(export.chapters)) if export else "-",
            clock(export.seconds) if export else "-",
            f"{len(render.rendered)}/{len(render.reused)}" if render else "-",
            "failed: " + describe(entry.failure) if entry.failure else
            "built" + {None: "", True: ", check passed", False: ", check FAILED"}[entry.checked]))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4]
             for row in rows]
    built = sum(1 for e in entries if e.ok)
    return lines + [f"{built} of {len(entries)} books built"
                    + ("" if built == len(entries) else "; run again to resume the others")]
