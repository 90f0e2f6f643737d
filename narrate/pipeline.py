"""The build: plan a book (narrate.plan), render what is missing (narrate.render),
take failing takes again, export what changed (narrate.stitch), and record it all in
manifest.json (narrate.manifest). One book folder, under a lock."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace
from pathlib import Path

from narrate.edits import compose, edited, keep_script, keep_takes, same_script
from narrate.errors import NarrateError
from narrate.fileio import atomic_write_text
from narrate.lock import book_lock
from narrate.manifest import (
    Manifest,
    Spoken,
    TagsUsed,
    VoiceUsed,
    built_from,
    given_lexicon,
    last_manifest,
)
from narrate.model import Book
from narrate.names import safe_filename
from narrate.outline import changed_sections, clock
from narrate.plan import (
    book_folder,
    book_profiles,
    load_book,
    plan_book,
    target_folder,
    with_kept_takes,
    would_do,
)
from narrate.problems import counted
from narrate.render import Renderer, RenderReport, book_items
from narrate.render.cache import Cache
from narrate.render.engines import check_cast
from narrate.render.executors import make_executor
from narrate.render.profiles import default_cast, is_cast_name
from narrate.render.retake import Judge, RetakeReport, retake_failing
from narrate.scriptfile import is_script_file, to_yaml
from narrate.stitch import ExportResult, export_book, parse_formats
from narrate.stitch.encode import check_ffmpeg
from narrate.values import DEFAULT_OPTIONS, BookPlan, BuildOptions, BuildPlan


@dataclass
class BuildResult:
    book: Book
    folder: Path
    render: RenderReport | None  # None for a dry run
    export: ExportResult | None = None  # None when segments failed, or for a dry run
    plan: BuildPlan | None = None  # for a dry run
    verify: RetakeReport | None = None  # with verify=N
    seconds: float = 0.0  # wall time

    def summary(self) -> list[str]:
        """What the build did (or, dry, would do), for a person; a line that needs the
        reader's action starts with "   ! "."""
        if self.plan:
            return self._plan_summary(self.plan)
        assert self.render is not None
        lines = [(f"segments: {len(self.render.rendered)} rendered, "
                 f"{len(self.render.reused)} reused")] + self.render.memory_summary()
        if self.export is None:
            return lines
        export = self.export
        lines.append(f"chapters: {len(export.exported)} re-exported, {len(export.unchanged)} "
                     "unchanged")
        lines += changed_sections(self.book, self.render.rendered, "rendered")
        for record in export.chapters if "mp3" in export.formats else []:
            mark = "*" if record.id in export.exported else " "
            lines.append(f" {mark} {record.stem}.mp3  {clock(record.samples / record.rate)}  "
                         f"{counted(len(record.markers), 'marker')}")
        stem = safe_filename(self.book.title)
        whole = f"{export.m4b.relative_to(export.folder)}  {clock(export.seconds)}  " \
            f"{counted(len(export.chapters), 'chapter')}; " if export.m4b else ""
        captions = f"{len(export.chapters)} .vtt, index.html, " if "mp3" in export.formats else ""
        lines.append(f"   {whole}chapters.json, metadata.json, metadata.opf, {stem}.cue, "
                     f"{stem}.m3u8, {captions}manifest.json")
        lines.append(f"{self._made(export)} in {self.seconds:.1f} s -> {export.folder}/")
        return lines + (self._verify_summary(self.verify) if self.verify else [])

    def _made(self, export: ExportResult) -> str:
        """What this build made, not the book's length alone: a rebuild with nothing to do
        said "made 1:08:48 of audio in 1.0 s"."""
        assert self.render is not None
        made, rendered, book = [], self.render.rendered, clock(export.seconds)
        if rendered:
            made.append(f"rendered {counted(len(rendered), 'segment')} "
                        f"({clock(self.render.rendered_seconds)} of speech)")
        if export.exported:
            length = sum(r.samples / r.rate for r in export.chapters if r.id in export.exported)
            share = "all" if len(export.exported) == len(export.chapters) else \
                f"{clock(length)} of the book's"
            made.append(f"exported {counted(len(export.exported), 'chapter')} ({share} {book})")
        elif export.joined:
            made.append(f"joined the m4b again ({book})")
        return " and ".join(made) or f"nothing to render or export: {book} of audio reused"

    def _plan_summary(self, plan: BuildPlan) -> list[str]:
        titles = {c.id: c.title for c in self.book.chapters}
        lines = ([(f"would render {counted(len(plan.render), 'segment')}, reuse "
                   f"{len(plan.reuse)} from the cache")]
                 + changed_sections(self.book, plan.render, "would render")
                 + [f"would export chapter {c}  {titles[c]}" for c in plan.export])
        if plan.export or plan.keep:  # none: --only on a book not built yet
            lines.append(f"would keep {counted(len(plan.keep), 'chapter')} unchanged"
                         + (f" ({', '.join(plan.keep)})" if plan.keep else "")
                         + f"; then re-join the m4b and sidecars in {self.folder}/")
        return lines

    @staticmethod
    def _verify_summary(verified: RetakeReport) -> list[str]:
        how = "level, length and speech recognition" if verified.listened else \
            "level and length (install narrate[asr] to listen too)"
        checked = counted(verified.checked, "new segment", "new segments")
        return [(f"verified {checked} by {how}; "
                f"{len(set(verified.retaken))} rendered again; {len(verified.failing)} still "
                "failing")] + [f"   ! {ident}: {problem} — try another voice or wording in "
                              f"the script, then build again with `--only {ident}`"
                              for ident, problem in verified.failing.items()]


def render_book(book: Book, voices: str | Path | None = None, cache: str | Path | None = None,
                jobs: int | None = None, progress: bool | None = None, executor: str = "local",
                address: str | None = None) -> RenderReport:
    """Render every segment of `book` through the cache (here, or on Ray: `executor`)."""
    store = Cache(cache)
    with Renderer(book_profiles(book, voices), store, jobs,
                  make_executor(executor, store, address, jobs)) as renderer:
        return renderer.render(book_items(book), progress=progress)


def build(target: str | Path | Book, options: BuildOptions = DEFAULT_OPTIONS,
          warnings: list | None = None, judge: Judge | None = None, **convert) -> BuildResult:
    """Script (when given a source) + render + stitch, into options.out/<book>/.

    Only segments whose audio key is not cached are synthesised, and only chapters
    whose key changed are exported; `options.only` forces both for one id or voice.
    With `dry_run`, nothing is rendered or written: `result.plan` says what would be.
    With `verify` N and a `judge` (narrate.qa.verify.TakeJudge), new takes are judged
    and failing ones taken again up to N times. `formats`: "mp3", "m4b" or both.
    `executor` "ray" renders on a Ray cluster (at `address`, or one started here).
    Built from a source, the user's edits of the book's script.yaml are kept
    (narrate.edits); `prefer` ("script" or "source") settles an edit whose source
    paragraph changed too. `convert`: ConvertOptions' fields, for a source.
    """
    started = time.perf_counter()
    formats = parse_formats(options.formats)
    if options.readalong and "mp3" not in formats:
        raise NarrateError("--readalong: the read-along EPUB carries the chapter MP3s; add mp3 "
                           "to --formats (mp3,m4b) or leave out --readalong")
    if not options.dry_run:
        check_ffmpeg()
    if options.only and options.lexicon is None:  # one line again, respelled as before
        folder = book_folder(target, options.out) if isinstance(target, Book) else \
            target_folder(target, options.out)
        options = replace(options, lexicon=given_lexicon(folder))
    book, converted = book_with_edits(target, options, warnings, **convert)
    if not isinstance(target, Book) and options != (kept := _kept_cast(book, options, warnings)):
        options = kept  # the reader credited is the kept cast's: converted with it
        book, converted = book_with_edits(target, options, [], **convert)
    cache = Cache(options.cache)
    plan = plan_book(book, cache, options, warnings)
    part_only = _only_a_part(plan, options, warnings)
    if options.dry_run:
        done = would_do(plan, cache, formats)
        if part_only:
            done = BuildPlan([i for i in done.render if i in plan.forced], [], [], [])
        return BuildResult(plan.book, plan.folder, None, plan=done)
    check_cast({item.voice: plan.profiles[item.voice] for item in plan.items})  # before any work
    _claim_folder(plan.folder, plan.book)
    with book_lock(plan.folder), cache.in_use(plan.keys.values()):  # no prune takes them
        workers = make_executor(options.executor, cache, options.address, options.jobs)
        with Renderer(plan.profiles, cache, options.jobs, workers) as renderer:
            report = renderer.render(part_only, plan.forced, options.progress, plan.keys) \
                if part_only else renderer.render_plan(plan, options.progress)
            checked = None
            if options.verify and judge and not report.failed:
                checked = retake_failing(renderer, plan.items, report, judge, options.verify)
                if checked.takes:  # the book plays the retakes that passed
                    plan = with_kept_takes(plan, checked.takes, cache, options)
        result = BuildResult(plan.book, plan.folder, report, verify=checked)
        if not report.failed:
            if converted is None and not isinstance(target, Book):  # built from a script
                keep_takes(Path(target), plan.book)  # its retakes, as its user's edit
            if not part_only:
                result.export = _export(plan, cache, converted, options, formats, warnings,
                                        workers.encoder())
    result.seconds = time.perf_counter() - started
    return result


def _kept_cast(book: Book, options: BuildOptions, warnings: list | None) -> BuildOptions:
    """A rebuild given no cast keeps the one its folder was built with, as it keeps the
    edits (`--voices`, or the metadata's `voices:`, wins), and says so in one line."""
    if options.voices or book.extra.get("voices"):
        return options
    last = last_manifest(book_folder(book, options.out))
    cast = last.cast if last else ""
    if not cast or cast == default_cast() or not (is_cast_name(cast) or Path(cast).is_dir()):
        return options
    if warnings is not None:
        warnings.append(f"kept the cast this book was built with (--voices {cast}); give "
                        "--voices to change it")
    return replace(options, voices=cast)


def _cast_used(options: BuildOptions) -> str:
    """The cast a build used, as the next build can name it (a folder by its full path)."""
    voices = options.voices
    if not voices:
        return default_cast()
    return str(voices) if is_cast_name(voices) else str(Path(voices).resolve())


def _only_a_part(plan: BookPlan, options: BuildOptions, warnings: list | None) -> list:
    """`--only` on a book not built yet: its lines alone, rendered into the cache (a
    chapter cannot be made of one line), and a line saying so; else nothing."""
    if not options.only or last_manifest(plan.folder) is not None:
        return []
    if warnings is not None:
        verb = "would be" if options.dry_run else "was"
        warnings.append(f"--only {options.only}: {plan.folder} is not built yet, so only "
                        f"{options.only} {verb} rendered (into the cache) and no chapter "
                        "made; build without --only to make the book")
    return [item for item in plan.items if item.id in plan.forced]


def _export(plan: BookPlan, cache: Cache, converted: Book | None, options: BuildOptions,
            formats: tuple[str, ...], warnings, encoder=None) -> ExportResult:
    """Export the chapters that changed, then write the manifest (under the book's lock)."""
    last = last_manifest(plan.folder)  # read once, under the lock: as the last build left it
    export = export_book(plan, options, formats, {c.id: c for c in last.chapters} if last else {},
                         last.m4b_stamp if last else None, encoder)
    info, book = plan.info, plan.book
    manifest = Manifest(
        book.title, book.source, plan.mastering, plan.keys, export.chapters,
        # what `narrate check` compares the audio with
        spoken={i.id: Spoken(i.voice, i.say) for i in plan.items},  # a passage's: role:language
        voices={role: VoiceUsed(p.engine, p.voice, p.rate) for role, p in plan.profiles.items()},
        cache=cache.where(),
        tags=TagsUsed(info.narrator, info.author, bool(info.cover)),
        m4b_stamp=export.m4b_stamp, formats=list(formats),
        readalong=f"{safe_filename(info.title)}.epub" if options.readalong else "",
        cast=_cast_used(options), lexicons=plan.lexicons)
    if last and last.readalong and last.readalong != manifest.readalong:
        # the last build's read-along EPUB, which no longer matches the audio
        (plan.folder / Path(last.readalong).name).unlink(missing_ok=True)
    manifest.script = _keep_script(book, converted, plan.folder / "script.yaml", warnings,
                                   options.lexicon)
    manifest.write(plan.folder)
    return export


def _claim_folder(folder: Path, book: Book) -> None:
    """The book's folder must be a folder, and not another book's."""
    if folder.exists() and not folder.is_dir():
        raise NarrateError(f"{folder}: is a file, not a folder; move it away or build into "
                           "another folder with --out")
    built = built_from(folder)
    # by the file's name, so that a project moved to another place still builds
    if built and book.source and Path(built).name != Path(book.source).name:
        raise NarrateError(f"{folder}: holds another book (built from {built}); build this one "
                           "elsewhere with --out, or remove that folder")


def book_with_edits(target: str | Path | Book, options: BuildOptions, warnings,
                     **convert) -> tuple[Book, Book | None]:
    """The book to build, and the conversion of its source (None for a script or a
    Book): the new conversion with the user's edits of the folder's script.yaml."""
    if isinstance(target, Book):
        unused = sorted(k for k, v in {**convert, "meta": options.meta}.items()
                        if v not in (None, False, ""))
        if unused:  # said, not dropped: a Book is converted already
            raise NarrateError(f"a Book is converted already: {', '.join(unused)} cannot change it",
                               hint="build the source file with them, or pass them to "
                                    "narrate.script() first")
        return target, None
    book = load_book(target, options.meta, options.lexicon, warnings, options.voices,
                     options.out, **convert)
    if is_script_file(target):
        return book, None
    composed, lines = compose(book, book_folder(book, options.out) / "script.yaml",
                              options.prefer, options.lexicon)
    if warnings is not None:
        warnings.extend(lines)
    return composed, book


def _keep_script(book: Book, converted: Book | None, path: Path, warnings: list | None,
                 lexicon: str | Path | None = None) -> str:
    """Write script.yaml beside the audio (with its base) when built from a source; a
    script the user edited there stays unless the build carried its edits. Returns the
    hash of the script in the folder."""
    if converted is not None:
        keep_script(book, converted, path, lexicon=lexicon)
    elif not path.is_file():
        atomic_write_text(path, to_yaml(book))
    elif same_script(path, book, lexicon, respell=True):
        pass  # built from it, or from a copy
    elif edited(path):
        if warnings is not None:
            warnings.append(f"{path}: edited, so not replaced by the script built; build it "
                            f"with `narrate build {path}`")
    else:
        atomic_write_text(path, to_yaml(book))
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else ""
