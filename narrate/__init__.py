"""narrate: turn an essay, a lecture or a book into an audiobook, offline.

    import narrate

    book = narrate.script("essay.md")              # the narration script: a Book
    result = narrate.build(book, out="output")     # MP3 chapters, an m4b, sidecars
    report = narrate.check(result.folder)          # read back and judged
    print(report.passed, [c.stem for c in result.export.chapters])

The data flows one way: file -> document (narrate.read) -> script (narrate.convert,
narrate.model) -> audio (narrate.render) -> files (narrate.stitch), run by
narrate.pipeline and read back by narrate.qa. docs/architecture.md has the map.

The stages are imported when first called: `import narrate` stays light, and the
worker processes, which import narrate.render, do not load every stage.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from narrate.errors import NarrateError
from narrate.model import Book, Chapter, Section, Segment
from narrate.values import BuildOptions

if TYPE_CHECKING:
    from narrate.audition import Preview
    from narrate.batch import BatchEntry
    from narrate.convert.castlist import BookCast
    from narrate.convert.lexicon import LexiconEntry
    from narrate.outline import Outline, SectionChange
    from narrate.pipeline import BuildResult
    from narrate.pronounce import UnknownWord
    from narrate.qa.report import CheckReport
    from narrate.render import RenderReport
    from narrate.stitch.timeline import Mastering
    from narrate.studio import Studio

__all__ = [
    "Book", "BuildOptions", "Chapter", "Mastering", "NarrateError", "Section", "Segment",
    "audition_cast", "build", "build_many", "cast", "check", "diff", "lint", "open_studio",
    "phonemes", "preview", "pronunciations", "prune", "render_book", "script", "show",
    "voices", "words", "write_script",
]
__version__ = "0.2.0"
BUILD_ONLY = ("executor", "address", "meta", "lexicon")  # build options passed as **options


def script(source: str | Path, *, meta: str | Path | None = None,
           lexicon: str | Path | None = None, warnings: list | None = None,
           **options) -> Book:
    """The narration script of a source text (.txt, .md, .html, .epub, .pdf, .docx …) or a script file.

    `options` are narrate.convert.ConvertOptions' fields and the reading policy
    (code=, notes=, tables=), and `out=` (where its book is built: the lexicon.yaml in its
    folder is read); what the reader noticed is appended to `warnings`."""
    from narrate.plan import load_book

    return load_book(source, meta=meta, lexicon=lexicon, warnings=warnings, **options)


def build(source: str | Path | Book, *, out: str | Path = "output", voices=None,
          cache: str | Path | None = None, jobs: int | None = None,
          mastering: Mastering | None = None, credits: bool | None = None, markers: int = 1,
          only: str | None = None, dry_run: bool = False, verify: int = 0,
          progress: bool | None = False, warnings: list | None = None,
          readalong: bool = False, formats: str = "mp3,m4b", prefer: str | None = None,
          **options) -> BuildResult:
    """Build the audiobook of a source, a script file or a Book into out/<book>/.

    Only segments not in the cache are synthesised and only changed chapters are
    exported again; `only` (an id, or "role:ROLE") forces both for one part. With
    `readalong`, also a read-along EPUB 3 (the text highlighted as it is read).
    `formats`: "mp3" (chapter files), "m4b" (one file) or both. `executor="ray"`
    renders on a Ray cluster (`address="HOST:PORT"`, or one started on this machine;
    narrate[ray]). Your edits of the book's script.yaml are kept when the source is built
    again; where a paragraph you edited changed in the source too, the build stops and
    `prefer` ("script" or "source") says which to take."""
    from narrate.pipeline import build as run_build

    judge = None
    if verify:  # the judge brings the check stage and NumPy: only when asked for
        from narrate.qa.verify import TakeJudge

        judge = TakeJudge(jobs or os.cpu_count() or 1, progress)
    asked = {k: options.pop(k) for k in BUILD_ONLY if k in options}
    return run_build(source, BuildOptions(
        out=out, voices=voices, cache=cache, jobs=jobs, mastering=mastering, credits=credits,
        markers=markers, only=only, dry_run=dry_run, verify=verify, progress=progress,
        readalong=readalong, formats=formats, prefer=prefer, **asked), warnings, judge, **options)


def build_many(sources: list[str | Path], *, check: bool | str = False, on_book=None,
               **options) -> list[BatchEntry]:
    """Build every book in `sources` (files, and folders of them) with build's options,
    one after another; a book that fails is reported in its entry and the others go on.
    With `check` (True, or a check profile: "acx"), each built book is checked too.
    `on_book(entry)` hears of each as it ends. Running it again resumes (the cache and the
    chapters already made are kept)."""
    from narrate.batch import build_many as run_many

    if options.get("meta"):
        raise NarrateError("each book's metadata is found beside it (NAME.yaml); leave out "
                           "{arg:meta} when building several books", option=("meta", None))
    if options.get("only"):
        raise NarrateError("names a part of one book; build that book alone",
                           option=("only", options["only"]))
    profile = ("default" if check is True else check) or None
    return run_many(sources, lambda source: build(source, **options), profile, on_book)


def check(folder: str | Path | None = None, *, profile: str = "default", asr: bool = False,
          threshold: float = 0.35, jobs: int | None = None,
          progress: bool | None = None) -> CheckReport:
    """Read a built book back and judge it (profile "default" or "acx"); writes
    check.json and check.png into its check/ folder. `progress` (None or True): a bar on
    a terminal, else a line on stderr every few seconds (narrate.progress); False: none."""
    from narrate.qa import check_book, latest_book

    return check_book(Path(folder) if folder else latest_book(), profile=profile, asr=asr,
                      threshold=threshold, jobs=jobs, progress=progress)


def preview(source: str | Path | Book | None = None, ident: str | None = None, *,
            text: str | None = None, role: str = "narrator", start: str | None = None,
            seconds: float | None = None, out: str | Path | None = None, voices=None,
            cache: str | Path | None = None, play: bool = True, **options) -> Preview:
    """Hear part of a book (`ident`, or about `seconds` from `start`) or some `text`;
    played when there is an audio device, else (or with `out`) written to a file."""
    from narrate.audition import preview as run_preview

    result, _ = run_preview(source, ident, text=text, role=role, start=start,
                            seconds=seconds, out=out, voices=voices, cache=cache,
                            play=play, **options)
    return result


def words(source: str | Path | Book | None, *, voices=None, listen: bool = False, limit: int = 40,
          lexicon: str | Path | None = None, cache: str | Path | None = None,
          jobs: int | None = None, progress: bool | None = False,
          **options) -> list[UnknownWord]:
    """The words of a book its narrator's engine does not know (spelled by rule), most
    frequent first; with `listen`, the first `limit` each heard in its sentence by the
    machine listener (narrate[asr]), `misheard` set on each."""
    if not source:
        raise NarrateError("needs a SOURCE (or --phonemes TEXT)",
                           hint="e.g. `narrate words seeds/prophet-essay.txt`")
    from narrate.plan import book_profiles, load_book, spoken_with
    from narrate.pronounce import listen as hear
    from narrate.pronounce import unknown_words
    from narrate.render.cache import Cache

    book = source if isinstance(source, Book) else load_book(source, lexicon=lexicon, **options)
    spoken_as = spoken_with(book, lexicon)
    narrator = book_profiles(book, voices, lexicon=spoken_as)["narrator"]
    found = unknown_words(book, narrator, spoken_as)
    if not listen:
        return found
    return hear(found[:limit], narrator, Cache(cache), jobs or os.cpu_count() or 1,
                progress) + found[limit:]


def pronunciations(source: str | Path | None = None, *, meta: str | Path | None = None,
                   lexicon: str | Path | None = None) -> list[LexiconEntry]:
    """The lexicon entries a build of `source` speaks with, each with the file and line it
    came from: narrate's lexicon, then the book's (metadata `lexicon:`), then `lexicon`,
    a later file's entry winning over an earlier one's (`replaces` says where that was)."""
    from narrate.pronounce import lexicon_for

    return list(lexicon_for(source, meta, lexicon).listed)


def phonemes(text: str, *, voices=None) -> str:
    """How the cast's narrator says `text`, in its engine's phonemes: a start for a
    lexicon entry (`word: {hibari: PHONEMES}`)."""
    from narrate.render.engines import engine
    from narrate.render.profiles import load_profiles

    narrator = load_profiles(voices)["narrator"]
    say = getattr(engine(narrator.engine), "phonemes_for", None)
    if say is None:
        raise NarrateError(f"the {narrator.engine} engine takes no phonemes from narrate",
                           option=("voices", voices or "espeak"),
                           hint="a respelling works for every engine; phonemes are hibari's "
                           "(--voices natural)")
    return say(text)


def __getattr__(name: str):
    if name == "Mastering":  # a dataclass of the stitch stage, lent to callers
        from narrate.stitch.timeline import Mastering

        return Mastering
    raise AttributeError(f"module 'narrate' has no attribute {name!r}")


def lint(source: str | Path, **options) -> list[tuple[str, bool]]:
    """What the reader and the converter noticed in a text, a line each (its place
    first), and whether each is a warning (else a note)."""
    from narrate.problems import by_line

    problems: list = []
    script(source, warnings=problems, **options)
    return by_line(problems)


def cast(target: str | Path, *, voices=None, listen: bool = False,
         out: str | Path | None = None, **options) -> BookCast:
    """The characters of a novel (a source or its script): each with the lines they say,
    their first, their aliases, gender and voice in the cast `voices` (theirs, or the one
    chosen); and how many lines no one is found to say. With `listen`, each says their
    first line in their voice: played, or written to `out` (the cast's `heard`)."""
    from narrate.audition import book_cast

    return book_cast(script(target, voices=voices, **options), voices, listen, out)


def show(target: str | Path, *, voices=None, out: str | Path = "output", **options) -> Outline:
    """A script's or source's narration as `narrate show` prints it (a source with the edits
    its build into `out` keeps): chapters timed, each section's segments with their voices."""
    from narrate.outline import outline
    from narrate.pipeline import book_with_edits
    from narrate.plan import book_profiles

    problems: list = []
    asked = BuildOptions(out=out, voices=voices, meta=options.pop("meta", None),
                         lexicon=options.pop("lexicon", None))
    book, _ = book_with_edits(target, asked, problems, **options)
    return outline(book, book_profiles(book, voices), problems)


def diff(old: str | Path, new: str | Path, **options) -> list[SectionChange]:
    """The sections whose speech differs between two scripts or sources, aligned by
    content (an inserted paragraph is one insertion)."""
    from narrate.outline import diff_books

    return diff_books(script(old, **options), script(new, **options))


def render_book(target: str | Path | Book, *, voices=None, cache: str | Path | None = None,
           jobs: int | None = None, executor: str = "local", address: str | None = None,
           progress: bool | None = False, **options) -> RenderReport:
    """Speak every segment of a script, a source or a Book into the segment cache (`narrate
    render`; the name `narrate.render` is the render stage's package)."""
    from narrate.pipeline import render_book as run_render

    book = target if isinstance(target, Book) else script(target, **options)
    return run_render(book, voices, cache, jobs, progress, executor=executor, address=address)


def audition_cast(voices=None, *, out: str | Path | None = None, play: bool = True) -> Preview:
    """Every role of a cast saying a sample line, the narrator first: played when there
    is an audio device, else (or with `out`) written to a file."""
    from narrate.audition import audition_cast as run_audition
    from narrate.render.profiles import load_profiles

    return run_audition(load_profiles(voices), out, play)[0]


def open_studio(target: str | Path, *, voices=None, cache: str | Path | None = None,
                out: str | Path = "output", port: int = 0) -> Studio:
    """narrate studio for a book folder, a source or a script (built first when it needs
    building), on 127.0.0.1:`port` (0: a free one). Call `.start()` (a thread) or
    `.serve()` (here, until Ctrl-C); `.url` carries the session's token; `.stop()` ends it."""
    from narrate.studio import start

    return start(target, voices=voices, cache=cache, out=out, port=port, progress=None)


def voices(voices=None, *, check: bool = False, get: str | None = None) -> list[str]:
    """The casts and every engine's voices, a line each; with `check`, a cast's
    profiles checked instead (the first bad one raises NarrateError); with `get`, one line
    saying where that voice is or what to download and where to put it (never downloads)."""
    from narrate.render.engines import check_cast
    from narrate.render.profiles import describe_voices, fetch_voice, load_profiles

    if get:
        return [fetch_voice(get)]
    return check_cast(load_profiles(voices)) if check else describe_voices()


def prune(sources: list[str | Path], *, cache: str | Path | None = None, voices=None,
          out: str | Path = "output") -> tuple[int, float, int]:
    """Delete the cache entries none of these books (sources, scripts or built book
    folders) plays: a source's book built in `out` keeps what it plays, its retakes and
    edited lines too. Returns (entries deleted, bytes freed, entries kept)."""
    from narrate.prune import prune_cache

    if not sources:  # none would keep nothing: the whole cache would go
        raise NarrateError("needs the scripts or sources whose audio to keep", option=(
            "prune", True), hint="e.g. `narrate cache --prune seeds/prophet-essay.txt`")
    return prune_cache(list(sources), cache, voices, out)


def write_script(source: str | Path, output: str | Path | None = None, *,
                 as_json: bool = False, force: bool = False, prefer: str | None = None,
                 warnings: list | None = None, **options) -> tuple[Book, Path, bool]:
    """Write a source's narration script (default: output/<book>/script.yaml), keeping
    your edits of the script already there (narrate.edits; `prefer` settles a paragraph
    both changed). Returns the book as written, where, and whether the file changed.
    `force` replaces a file at `output` that is not a narrate script."""
    from narrate import edits, scriptfile
    from narrate.plan import book_folder

    warnings = warnings if warnings is not None else []
    book = script(source, warnings=warnings, **options)
    path = Path(output or book_folder(book) / f"script.{'json' if as_json else 'yaml'}")
    if as_json:
        scriptfile.write_script(book, path, as_json, overwrite=force)
        return book, path, True
    composed, lines = edits.compose(book, path, prefer, options.get("lexicon"))
    warnings += lines
    return composed, path, edits.keep_script(composed, book, path, overwrite=force,
                                             lexicon=options.get("lexicon"))
