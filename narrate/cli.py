"""The command line: each command maps its arguments to one library call and words the
result. Library errors come back as one line, their arguments written as flags."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from pathlib import Path

import click

import narrate
from narrate import edits, outline, plan, scriptfile
from narrate.errors import NarrateError
from narrate.problems import about_the_book, is_warning
from narrate.render.cache import Cache
from narrate.render.profiles import load_profiles

COLOURS = {"narrator": "white", "quote": "cyan"}
FLAGS = {"start": "from", "out_root": "out", "cache_dir": "cache"}  # where a flag is not its name
FILE, DIR, opt = click.Path(dir_okay=False), click.Path(file_okay=False), click.option


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="narrate")
def cli(debug):
    """narrate: turn a text into an audiobook, offline."""
    # Ctrl-C ends narrate at once (os._exit) with its stopped worker pools' semaphores
    # still registered: the resource tracker (started later, with these options) releases
    # them, without a warning about "leaked semaphore objects"
    sys.warnoptions.append("ignore::UserWarning:multiprocessing.resource_tracker")


def command(example: str, *options):
    """A command with these options and a runnable example in its help. A library error is
    one line on stderr and exit code 2 (a traceback with --debug); Ctrl-C exits 130."""
    def decorate(func):
        @functools.wraps(func)
        def run(*args, debug=False, **kwargs):
            debug = debug or click.get_current_context().find_root().params.get("debug")
            try:
                return func(*args, **kwargs)
            except (NarrateError, OSError) as exc:  # an OSError: a file or folder narrate
                if debug:                           # cannot use (read-only, full, missing)
                    traceback.print_exc()
                line = exc.message('cli', FLAGS) if isinstance(exc, NarrateError) else \
                    _os_error_line(exc)
                click.secho(f"narrate: error: {line}", fg="red", err=True)
                sys.exit(2)
            except KeyboardInterrupt:
                click.echo("narrate: interrupted; finished work is kept", err=True)
                sys.stdout.flush()
                sys.stderr.flush()
                # no exit handlers: they would join worker-pool threads a stopped worker can block
                os._exit(130)
        for option in reversed((*options, DEBUG)):
            run = option(run)
        return cli.command(epilog=f"Example: {example}")(run)
    return decorate


DEBUG = click.option("--debug", is_flag=True, help="Show tracebacks for errors.")


def _os_error_line(exc: OSError) -> str:
    what = exc.strerror or type(exc).__name__
    if exc.filename:
        return (f"{exc.filename}: {what}; check the path, its permissions and the disk's "
                "free space")
    return f"{what}; check the paths given, their permissions and the disk's free space"


CONVERT = (  # unset, they keep the library's defaults (and the metadata's `reading:`)
    opt("--meta", type=FILE, help="Book metadata YAML (default: SOURCE's name with .yaml)."),
    opt("--lexicon", type=FILE, help="Pronunciation lexicon YAML."),
    opt("--quote-min-words", type=click.IntRange(1), help="Quotations this long: quote voice (8)."),
    opt("--max-segment-chars", type=click.IntRange(40), help="Longest segment (400)."),
    opt("--max-chapter-minutes", type=click.FloatRange(min=1), help="Split longer chapters."),
    opt("--speak-citations", is_flag=True, default=None, help="Read page citations aloud."),
    opt("--code", type=click.Choice(["mention", "skip"]), help="Code blocks: a cue or nothing."),
    opt("--notes", type=click.Choice(["after-paragraph", "chapter-end", "skip"]), help="Notes."),
    opt("--tables", type=click.Choice(["read", "mention", "skip"]), help="Small tables read."))
VOICES = opt("--voices", metavar="CAST", help="natural (default), espeak, neural, or a folder of "
             "<role>.yaml profiles over the default cast.")
PREFER = opt("--prefer", type=click.Choice(edits.PREFER),
             help="Where a script edit and its source paragraph both changed: keep yours "
                  "(script) or take the source's (source).")
CACHE = opt("--cache", type=DIR, help="Segment cache (default: $NARRATE_CACHE or user cache).")
JOBS = opt("-j", "--jobs", type=click.IntRange(1, 64), help="Worker processes (default: cores).")
PROFILE = opt("--profile", type=click.Choice(["default", "acx"]), default="default",
              help="acx: the audiobook platforms' window (44.1 kHz, 192 kbit/s, peaks -3 dB).")
EXECUTOR = (opt("--executor", type=click.Choice(["local", "ray"]), default="local",
                help="Render here, or on a Ray cluster (narrate[ray])."),
            opt("--address", metavar="HOST:PORT", help="The Ray cluster (default: start one)."))
MASTERING = (
    opt("-o", "--out", type=DIR, default="output", help="Output folder (output)."),
    opt("--bitrate", "bitrate_kbps", type=click.IntRange(32, 192), default=64, help="kbit/s (64)."),
    opt("--sample-rate", type=click.Choice(["22050", "24000", "44100"]),
        help="Hz (the narrator's own: 24000 natural, 22050 espeak)."),
    opt("--rms", "rms_db", type=click.FloatRange(-40, -6), default=-20.0, help="RMS dBFS (-20)."),
    opt("--peak", "peak_db", type=click.FloatRange(-20, 0), default=-3.0, help="Peak dBFS (-3)."),
    opt("--markers", type=click.IntRange(1, 1000), default=1, help="Sections a marker (1)."),
    opt("--credits/--no-credits", default=None, help="Opening credits and closing line."))


def _given(options: dict) -> dict:
    return {k: v for k, v in options.items() if v is not None}  # unset: the library's default


def _book(source, kw, warnings=None) -> narrate.Book:
    return narrate.script(source, warnings=warnings, **_given(kw))


def _warn(problems) -> None:
    for line in about_the_book(problems):
        click.secho(f"narrate: {line}", fg="yellow", err=True)


@command("narrate script seeds/prophet-essay.txt -o /tmp/prophet-essay.yaml",
         click.argument("source"), *CONVERT,
         opt("-o", "--output", help="Where (- for stdout; default output/<book>/script.yaml)."),
         opt("--json", "as_json", is_flag=True, help="Write the segments as a JSON list."),
         opt("--force", is_flag=True, help="Replace -o's file even if it is not a script."),
         PREFER)
def script(source, output, as_json, force, prefer, **kw):
    """Turn SOURCE (.txt, .md, .html, .epub) into an editable narration script; your
    edits of the script there are kept."""
    problems: list = []
    book = _book(source, kw, problems)
    if output == "-":
        _warn(problems)
        return click.echo(scriptfile.script_text(book, as_json), nl=False)
    path = Path(output or plan.book_folder(book) / f"script.{'json' if as_json else 'yaml'}")
    if as_json:
        scriptfile.write_script(book, path, as_json, overwrite=force)
    else:
        composed, lines = edits.compose(book, path, prefer)
        problems += lines
        written = edits.keep_script(composed, book, path, overwrite=force)
        book = composed
    _warn(problems)
    click.echo(f"{'wrote' if as_json or written else 'unchanged:'} {path}: "
               f"{outline.book_summary(book)}")
    if count := sum(1 for p in problems if not isinstance(p, str) and is_warning(p)):
        click.echo(f"{count} warnings about the text: see `narrate lint {source}`")


@command("narrate lint seeds/prophet-essay.txt", click.argument("source"), *CONVERT)
def lint(source, **kw):
    """List problems in SOURCE: malformed quotes, truncation, odd characters, junk."""
    lines = narrate.lint(source, **_given(kw))
    for line, warning in lines:
        click.secho(line, fg="yellow" if warning else None)
    count = sum(warning for _, warning in lines)
    click.echo(f"{count} warnings, {len(lines) - count} notes")


@command("narrate show seeds/prophet-essay.txt --say", click.argument("target"), VOICES,
         opt("--say/--text", "show_say", help="The speech text, or the text as written."),
         *CONVERT)
def show(target, show_say, voices, **kw):
    """Print a SCRIPT's or SOURCE's narration: voices in colour, chapters timed."""
    shown = narrate.show(target, voices=voices, **_given(kw))
    click.secho(shown.title, bold=True)
    click.secho("".join(f"  {line}\n" for line in shown.not_read), dim=True, nl=False)
    click.echo("voices: " + "  ".join(click.style(v, fg=c) for v, c in COLOURS.items()))
    for heading, sections in shown.chapters:
        click.secho(f"\n{heading}", bold=True)
        for ident, segments in sections:
            click.echo(click.style(ident, dim=True) + "".join(" " + click.style(
                s.say if show_say else s.text, fg=COLOURS.get(s.voice, "magenta")) for s in segments))
    click.secho(f"\n{shown.total}", bold=True)


@command("narrate render seeds/prophet-essay.txt -j 2", click.argument("target"), VOICES, CACHE,
         JOBS, *EXECUTOR, *CONVERT)
def render(target, voices, cache, jobs, executor, address, **kw):
    """Synthesise every segment of a SCRIPT or SOURCE into the segment cache."""
    report = narrate.render_book(target, voices=voices, cache=cache, jobs=jobs, executor=executor,
                                 address=address, progress=None, **_given(kw))
    click.echo("\n".join(report.summary()))
    _failures(report)


def _failures(report) -> None:
    for line in report.failure_lines() if report else []:
        click.secho(f"narrate: {line}", fg="red", err=True)
    if report and report.failed:
        sys.exit(1)


@command("narrate build seeds/prophet-essay.txt --markers 2 --check",
         click.argument("targets", nargs=-1, required=True),
         opt("--only", metavar="ID|voice:ROLE", help="Render it again; re-export what holds it."),
         opt("--dry-run", is_flag=True, help="Print what would be rendered and exported."),
         PROFILE, opt("--check", "run_check", is_flag=True, help="Check the result too."),
         opt("--verify", type=click.IntRange(0, 10), default=0, help="Retake bad new takes N times."),
         opt("--readalong", is_flag=True, help="Also a read-along EPUB 3 (Media Overlays)."),
         opt("--formats", default="mp3,m4b", help="mp3, m4b or both (mp3,m4b)."),
         PREFER, *EXECUTOR, VOICES, CACHE, JOBS, *MASTERING, *CONVERT)
def build(targets, profile, run_check, sample_rate, bitrate_kbps, rms_db, peak_db, **kw):
    """SOURCE|SCRIPT|FOLDER … -> each book: MP3 chapters with markers, an m4b, sidecars."""
    mastering = narrate.Mastering(int(sample_rate or 0), bitrate_kbps, rms_db, peak_db)
    mastering = narrate.Mastering.acx(mastering) if profile == "acx" else mastering
    if len(targets) > 1 or Path(targets[0]).is_dir():
        return _build_many(targets, mastering, run_check and profile, kw)
    warnings: list = []
    result = narrate.build(targets[0], mastering=mastering, progress=None, warnings=warnings,
                           **_given(kw))
    _warn(warnings)
    for line in result.summary():
        click.secho(line, fg="yellow" if line.startswith("   ! ") else None)
    _failures(result.render)
    if result.verify and result.verify.failing:
        click.secho(f"narrate: {len(result.verify.failing)} segments still fail their check; "
                    "the book was built with them", fg="red", err=True)
        sys.exit(1)
    if run_check:
        click.get_current_context().invoke(check, book_dir=result.folder, profile=profile,
                                           jobs=kw["jobs"])


def _build_many(targets, mastering, check_profile, kw) -> None:
    """Several books: a line as each ends, a table at the end; exit 1 if any failed."""
    if kw.get("only"):
        raise NarrateError("--only names a part of one book; build that book alone")

    def heard(entry) -> None:
        done = "built" if entry.failure is None else "FAILED"
        click.secho(f"{done}: {entry.source}", fg="red" if entry.failure else None, err=True)

    entries = narrate.build_many(targets, mastering=mastering, check=check_profile, progress=None,
                                 on_book=heard, **_given(kw))
    from narrate.batch import summary_table

    for line in summary_table(entries, lambda e: e.message("cli", FLAGS)):
        click.echo(line)
    if not all(e.ok for e in entries):
        sys.exit(1)


@command("narrate words seeds/prophet-essay.txt --listen", click.argument("source", required=False),
         VOICES,
         opt("--listen", is_flag=True, help="Hear each in its sentence (narrate[asr])."),
         opt("--limit", type=click.IntRange(1), default=40, help="Words listed (and heard)."),
         opt("--phonemes", metavar="TEXT", help="Show how the engine says TEXT instead."),
         CACHE, JOBS, *CONVERT)
def words(source, voices, listen, limit, phonemes, cache, jobs, **kw):
    """List the words the narrator's engine does not know, most frequent first: fix them
    in a lexicon before a long build."""
    if phonemes:
        return click.echo(narrate.phonemes(phonemes, voices=voices))
    if not source:
        raise NarrateError("needs a SOURCE (or --phonemes TEXT)",
                           hint="e.g. `narrate words seeds/prophet-essay.txt`")
    found = narrate.words(source, voices=voices, listen=listen, limit=limit, cache=cache,
                          jobs=jobs, progress=None if listen else False, **_given(kw))
    from narrate.pronounce import around

    for word in found[:limit]:
        heard = "" if word.heard is None else (
            f"  MISHEARD: “{around(word.sentence, word.word, 3, word.heard)}”" if word.misheard else "  heard")
        click.secho(f"{word.count:5}  {word.word:18} {word.first:9} "
                    f"“{around(word.sentence, word.word)}”{heard}",
                    fg="yellow" if word.misheard else None)
    more = f" ({len(found) - limit} more: --limit)" if len(found) > limit else ""
    click.echo(f"{len(found)} words the engine does not know{more}; give them a respelling or "
               "phonemes in a lexicon (docs/voices.md: Pronunciation)")


@command("narrate check output/prophet-essay --profile acx",
         click.argument("book_dir", required=False, type=DIR), PROFILE, JOBS,
         opt("--asr", is_flag=True, help="Also listen to every segment (narrate[asr])."),
         opt("--threshold", type=click.FloatRange(0, 1), default=0.35, help="--asr's WER limit."))
def check(book_dir, profile, jobs, asr=False, threshold=0.35):
    """Check a built book (default: the last one built): writes check/check.json and .png."""
    from narrate.qa import latest_book

    folder = Path(book_dir) if book_dir else latest_book()
    report = narrate.check(folder, profile=profile, asr=asr, threshold=threshold, jobs=jobs)
    click.echo("\n".join(report.summary()) + f"\nwrote {folder / 'check'}/check.json and check.png")
    if not report.passed:
        sys.exit(1)


@command("narrate diff seeds/prophet-essay.txt output/prophet-essay/script.yaml",
         click.argument("old"), click.argument("new"), *CONVERT)
def diff(old, new, **kw):
    """List the sections that differ between OLD and NEW (scripts or sources)."""
    click.echo("\n".join(outline.diff_summary(narrate.diff(old, new, **_given(kw)))))


@command("narrate voices --check --voices neural", VOICES,
         opt("--check", "check_cast", is_flag=True, help="Validate the profiles instead."),
         opt("--audition", "hear", is_flag=True, help="Speak a sample line in every role's voice."),
         opt("--out", type=FILE, help="With --audition: write it (.wav or .mp3) instead."))
def voices(voices, check_cast, hear, out):
    """List the casts and every engine's voices, check a cast (--check) or hear it
    (--audition)."""
    if hear:
        from narrate.audition import audition_cast

        result, flat = audition_cast(load_profiles(voices), out)
        return _heard(result, [f"[{s.voice}] {s.text}" for _, s in flat], flat, out)
    click.echo("\n".join(narrate.voices(voices, check=check_cast)))


@command("narrate cache --prune seeds/prophet-essay.txt", click.argument("scripts", nargs=-1),
         CACHE, opt("--prune", is_flag=True, help="Delete entries that none of SCRIPTS uses."),
         opt("--voices", metavar="CAST", help="The SCRIPTS' cast (a name or a folder)."))
def cache(scripts, cache, prune, voices):
    """Report the segment cache's size; --prune SCRIPT... deletes entries no script uses."""
    if prune:
        if not scripts:
            raise NarrateError("needs the scripts or sources whose audio to keep", option=(
                "prune", True), hint="e.g. `narrate cache --prune seeds/prophet-essay.txt`")
        count, freed, kept = narrate.prune(scripts, cache=cache, voices=voices)
        click.echo(f"pruned {count} entries ({freed / 1e6:.1f} MB); kept {kept} in use")
    store = Cache(cache)
    click.echo(f"cache {store.root}: {len(store.entries())} entries, {store.size() / 1e6:.1f} MB")


@command("narrate preview seeds/prophet-essay.txt 02.003 --out /tmp/preview.wav",
         click.argument("source", required=False), click.argument("ident", required=False),
         opt("--text", help="Speak these words instead of the book's."),
         opt("--voice", default="narrator", show_default=True, help="The role for --text."),
         opt("--from", "start", metavar="ID", help="Start a stretch of the book here."),
         opt("--seconds", type=click.FloatRange(1, 3600), help="With --from: how long (30)."),
         opt("--out", type=FILE, help="Write it (.wav or .mp3) here instead of playing it."),
         VOICES, CACHE, JOBS, *CONVERT)
def preview(source, ident, cache, jobs, **kw):
    """Hear a chapter, section or segment ID of a book, a stretch (--from), or --text."""
    from narrate.audition import preview as run_preview  # numpy and pydub: only here

    result, flat = run_preview(source, ident, cache_dir=cache, jobs=jobs or 1, **_given(kw))
    _heard(result, [f"{s.id} [{s.voice}] {s.say}" for _, s in flat], flat, kw["out"])  # as spoken


def _heard(result, lines: list[str], flat, out) -> None:
    for line, (_, segment) in zip(lines, flat):
        click.secho(line, fg=COLOURS.get(segment.voice))
    click.echo(result.summary(asked_for_file=bool(out)))
