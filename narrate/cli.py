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
from narrate.errors import NarrateError

COLOURS = {"narrator": "white", "quote": "cyan"}
FLAGS = {"start": "from", "out_root": "out", "cache_dir": "cache"}  # where a flag is not its name
BOOK_WARNINGS = ("encoding", "no-author", "cover", "metadata-chapters")  # the rest: `lint`


def _fail_cleanly(func):
    """NarrateError -> one line on stderr, exit 2; a traceback only with --debug."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except NarrateError as exc:
            if (click.get_current_context().obj or {}).get("debug"):
                traceback.print_exc()
            click.secho(f"narrate: error: {exc.message('cli', FLAGS)}", fg="red", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("narrate: interrupted; finished work is kept", err=True)
            sys.stdout.flush()
            sys.stderr.flush()
            # no exit handlers: they would join the stopped worker pool's threads, which a
            # worker stopped mid-handover can leave blocked; finished files are on disk
            os._exit(130)
    return wrapper


def command(func):
    """A command of `narrate`, its library errors worded as one line."""
    return cli.command()(_fail_cleanly(func))


def _options(*options):
    def apply(func):
        for option in reversed(options):
            func = option(func)
        return func
    return apply


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="narrate")
@click.pass_context
def cli(ctx, debug):
    """narrate: turn a text into an audiobook, offline."""
    ctx.ensure_object(dict)["debug"] = debug


FILE, DIR, opt = click.Path(dir_okay=False), click.Path(file_okay=False), click.option
convert_options = _options(
    opt("--meta", type=FILE, help="Book metadata YAML (default: SOURCE's name with .yaml)."),
    opt("--lexicon", type=FILE, help="Pronunciation lexicon YAML."),
    opt("--quote-min-words", type=click.IntRange(1), help="Inline quotations this long get the "
        "quote voice (default 8)."),
    opt("--max-segment-chars", type=click.IntRange(40), help="Longest segment (default 400)."),
    opt("--max-chapter-minutes", type=click.FloatRange(min=1), help="Split longer chapters."),
    opt("--speak-citations", is_flag=True, default=None, help="Read page citations aloud."),
    opt("--code", type=click.Choice(["mention", "skip"]), help="Code blocks: a cue or nothing."),
    opt("--notes", type=click.Choice(["after-paragraph", "chapter-end", "skip"]), help="Notes: "
        "after the paragraph citing them (default), at the chapter's end, or not at all."),
    opt("--tables", type=click.Choice(["read", "mention", "skip"]), help="Tables: read row by "
        "row (default, small ones), a cue, or nothing."))
render_options = _options(
    opt("--voices", type=DIR, help="Folder of <role>.yaml voice profiles over the default cast."),
    opt("--cache", type=DIR, help="Segment cache (default: $NARRATE_CACHE or the user cache)."),
    opt("-j", "--jobs", type=click.IntRange(1, 64), help="Worker processes (default: cores)."))
mastering_options = _options(
    opt("-o", "--out", type=DIR, default="output", show_default=True,
        help="Folder for the book's folder of outputs."),
    opt("--bitrate", type=click.IntRange(32, 192), default=64, show_default=True, help="kbit/s."),
    opt("--sample-rate", type=click.Choice(["22050", "24000", "44100"]), default="22050",
        show_default=True, help="Hz."),
    opt("--rms", type=click.FloatRange(-40, -6), default=-20.0, show_default=True,
        help="Loudness target of every chapter (RMS dBFS)."),
    opt("--peak", type=click.FloatRange(-20, 0), default=-3.0, show_default=True,
        help="Peak ceiling (dBFS)."),
    opt("--markers", type=click.IntRange(1, 1000), default=1, show_default=True,
        help="Sections per chapter marker."),
    opt("--credits/--no-credits", default=None, help="Opening credits and closing line."))
profile_option = opt("--profile", type=click.Choice(["default", "acx"]), default="default",
                     help="acx: the audiobook platforms' window (44.1 kHz, 192 kbit/s CBR, "
                     "peaks under -3 dB).")


def _given(options: dict) -> dict:
    """Options left unset keep the library's defaults."""
    return {k: v for k, v in options.items() if v is not None}


def _book(source, kw, warnings=None) -> narrate.Book:
    return narrate.script(source, warnings=warnings, **_given(kw))


def _warn(problems, codes=BOOK_WARNINGS) -> None:
    for problem in problems:
        if isinstance(problem, str) or problem.code in codes:
            click.secho(f"narrate: {problem if isinstance(problem, str) else problem.format()}",
                        fg="yellow", err=True)


@command
@click.argument("source")
@click.option("-o", "--output", help="Where to write it (- for stdout; default "
              "output/<book>/script.yaml).")
@click.option("--json", "as_json", is_flag=True, help="Write the segments as a JSON list.")
@click.option("--force", is_flag=True, help="Replace -o's file even if it is not a script.")
@convert_options
def script(source, output, as_json, force, **kw):
    """Turn SOURCE (.txt, .md, .html, .epub) into an editable narration script.

    Example: narrate script seeds/prophet-essay.txt -o /tmp/prophet-essay.yaml"""
    from narrate.plan import book_folder
    from narrate.scriptfile import to_json_segments, to_yaml, write_script

    problems: list = []
    book = _book(source, kw, problems)
    _warn(problems)
    if output == "-":
        return click.echo(to_json_segments(book) if as_json else to_yaml(book), nl=False)
    path = Path(output) if output else book_folder(book) / f"script.{'json' if as_json else 'yaml'}"
    write_script(book, path, as_json, overwrite=force)
    quotes = sum(1 for s in book.segments if s.voice == "quote")
    click.echo(f"wrote {path}: {len(book.chapters)} chapters, {len(book.sections)} sections, "
               f"{len(book.segments)} segments ({quotes} in the quote voice)")
    count = sum(1 for p in problems if not isinstance(p, str) and p.severity == "warning")
    if count:
        click.echo(f"{count} warnings about the text: see `narrate lint {source}`")


@command
@click.argument("source")
@convert_options
def lint(source, **kw):
    """List problems in SOURCE: malformed quotes, truncation, odd characters, junk.

    Example: narrate lint seeds/prophet-essay.txt"""
    problems: list = []
    _book(source, kw, problems)
    for problem in sorted(problems, key=lambda p: getattr(p, "line", 0) or 0):
        warning = getattr(problem, "severity", "warning") == "warning"
        click.secho(problem if isinstance(problem, str) else problem.format(),
                    fg="yellow" if warning else None)
    count = sum(1 for p in problems if isinstance(p, str) or p.severity == "warning")
    click.echo(f"{count} warnings, {len(problems) - count} notes")


@command
@click.argument("target")
@click.option("--say/--text", "show_say", default=False,
              help="Show the speech text instead of the text as written.")
@click.option("--voices", type=DIR, help="The cast whose rates to time by.")
@convert_options
def show(target, show_say, voices, **kw):
    """Print the narration plan of a SCRIPT or SOURCE: voices in colour, chapter durations
    at each voice's rate.

    Example: narrate show seeds/prophet-essay.txt --say"""
    from narrate.plan import book_profiles, clock, estimate_seconds

    problems: list = []
    book = _book(target, kw, problems)
    profiles = book_profiles(book, voices)
    click.secho(book.title + (f" — {book.author}" if book.author else ""), bold=True)
    for problem in problems:  # what the reader found and is not read: index, contents …
        if getattr(problem, "code", "") == "not-read":
            click.secho(f"  {problem.message}", dim=True)
    click.echo("voices: " + "  ".join(click.style(v, fg=c) for v, c in COLOURS.items()))
    for chapter in book.chapters:
        click.secho(f"\n{chapter.id}  {chapter.title}  "
                    f"(~{clock(estimate_seconds(chapter.segments, profiles))})", bold=True)
        for section in chapter.sections:
            parts = [click.style(s.say if show_say else s.text, fg=COLOURS.get(s.voice, "magenta"))
                     for s in section.segments]
            click.echo(f"{click.style(section.id, dim=True)} " + " ".join(parts))
    rates = ", ".join(f"{r} {p.rate}" for r, p in sorted(profiles.items()))
    click.secho(f"\n{len(book.chapters)} chapters, {len(book.segments)} segments, about "
                f"{clock(estimate_seconds(book.segments, profiles))} (words a minute: {rates})",
                bold=True)


@command
@click.argument("target")
@render_options
@convert_options
def render(target, voices, cache, jobs, **kw):
    """Synthesise every segment of a SCRIPT or SOURCE into the segment cache.

    Example: narrate render seeds/prophet-essay.txt -j 2"""
    from narrate.pipeline import render_book

    report = render_book(_book(target, kw), voices, cache, jobs)
    click.echo("\n".join(report.summary()))
    _failures(report)


def _failures(report) -> None:
    for line in report.failure_lines() if report else []:
        click.secho(f"narrate: {line}", fg="red", err=True)
    if report and report.failed:
        sys.exit(1)


@command
@click.argument("target")
@click.option("--only", metavar="ID|voice:ROLE", help="Re-synthesise this chapter, section or "
              "segment (or a voice's segments) even when cached, and re-export what holds it.")
@click.option("--dry-run", is_flag=True, help="Print what would be rendered and exported.")
@profile_option
@click.option("--check", "run_check", is_flag=True, help="Check the result; exit 1 if it fails.")
@click.option("--verify", type=click.IntRange(0, 10), default=0, metavar="N",
              help="Check each new take (level, length; speech recognition with narrate[asr]) "
              "and take a failing one again up to N times.")
@render_options
@mastering_options
@convert_options
def build(target, only, dry_run, profile, run_check, verify, voices, cache, jobs, out, bitrate,
          sample_rate, rms, peak, markers, credits, **kw):
    """SOURCE|SCRIPT -> the audiobook: MP3 chapters with markers, an m4b and sidecars.

    Example: narrate build seeds/prophet-essay.txt --markers 2 --check"""
    mastering = narrate.Mastering(int(sample_rate), bitrate, rms, peak)
    warnings: list = []
    result = narrate.build(target, out=out, voices=voices, cache=cache, jobs=jobs,
                           mastering=narrate.Mastering.acx(mastering) if profile == "acx"
                           else mastering, credits=credits, markers=markers, only=only,
                           dry_run=dry_run, verify=verify, progress=None, warnings=warnings,
                           **_given(kw))
    _warn(warnings)
    for line in result.summary():
        click.secho(line, fg="yellow" if line.startswith("   ! ") else None)
    _failures(result.render)
    if run_check:
        _check(result.folder, profile, False, 0.35, jobs)


def _check(folder, profile, asr, threshold, jobs) -> None:
    report = narrate.check(folder, profile=profile, asr=asr, threshold=threshold, jobs=jobs,
                           progress=None)
    for line in report.summary():
        click.echo(line)
    click.echo(f"wrote {Path(folder) / 'check.json'} and check.png")
    if not report.passed:
        sys.exit(1)


@command
@click.argument("book_dir", required=False, type=DIR)
@profile_option
@click.option("--asr", is_flag=True, help="Transcribe every segment with Whisper tiny.en "
              "(narrate[asr]) and score it against its text.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.35, show_default=True,
              help="With --asr: word error rate above which a segment fails.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), help="Worker processes for --asr.")
def check(book_dir, profile, asr, threshold, jobs):
    """Check a built book (default: the last one built under output/): levels, room tone,
    format, markers, tags, sidecars, every segment; writes check.json and check.png.

    Example: narrate check output/prophet-essay --profile acx"""
    from narrate.qa import latest_book

    _check(Path(book_dir) if book_dir else latest_book(), profile, asr, threshold, jobs)


@command
@click.argument("old")
@click.argument("new")
@convert_options
def diff(old, new, **kw):
    """List the sections that differ between OLD and NEW (scripts or sources).

    Example: narrate diff seeds/prophet-essay.txt output/prophet-essay/script.yaml"""
    from narrate.plan import diff_books

    changes = diff_books(_book(old, kw), _book(new, kw))
    for c in changes:
        click.echo(f"{c.kind:9} {c.old_id or '-':>8} -> {c.new_id or '-':<8} {c.words}")
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("changed", "inserted", "deleted")}
    click.echo(f"{counts['changed']} changed, {counts['inserted']} inserted, "
               f"{counts['deleted']} deleted" + ("" if changes else ": nothing to rebuild"))


@command
@click.option("--check", "check_cast", is_flag=True, help="Validate the profiles instead.")
@click.option("--audition", is_flag=True, help="Speak a sample line in every role's voice.")
@click.option("--out", type=FILE, help="With --audition: write it (.wav or "
              ".mp3) instead of playing it.")
@click.option("--voices", type=DIR, help="Folder of <role>.yaml profiles.")
def voices(check_cast, audition, out, voices):
    """List every engine's voices, check the cast (--check) or hear it (--audition).

    Example: narrate voices --check --voices voices/neural"""
    from narrate.render import engines
    from narrate.render.profiles import load_profiles

    if audition:
        from narrate.audition import audition_cast

        result, flat = audition_cast(load_profiles(voices), out)
        for _, segment in flat:
            click.secho(f"[{segment.voice}] {segment.text}", fg=COLOURS.get(segment.voice))
        return click.echo(result.summary(asked_for_file=bool(out)))
    if check_cast:
        for role, p in sorted(load_profiles(voices).items()):
            engines.check_engine(p.engine, p.source)
            engines.check_voice(p)
            click.echo(f"ok  {role:10} {p.engine} {p.voice} rate {p.rate} pitch {p.pitch} "
                       f"volume {p.volume}  ({p.source})")
        return
    click.echo("\n".join(engines.describe()))
    click.echo("a ready neural cast: --voices voices/neural (piper narrator, hibari quote)")


@command
@click.argument("scripts", nargs=-1)
@click.option("--prune", is_flag=True, help="Delete entries that none of SCRIPTS uses.")
@click.option("--cache", type=DIR, help="Segment cache folder.")
@click.option("--voices", type=DIR, help="The SCRIPTS' voice profiles.")
def cache(scripts, prune, cache, voices):
    """Report the segment cache's size; --prune SCRIPT... deletes entries no script uses.

    Example: narrate cache --prune seeds/prophet-essay.txt"""
    from narrate.plan import used_cache_keys
    from narrate.render.cache import Cache

    store = Cache(cache)
    if prune:
        if not scripts:
            raise NarrateError("needs the scripts or sources whose audio to keep", hint="e.g. "
                               "`narrate cache --prune seeds/prophet-essay.txt`",
                               option=("prune", True))
        keep = used_cache_keys([_book(s, {}) for s in scripts], voices)
        count, freed = store.prune(keep)
        click.echo(f"pruned {count} entries ({freed / 1e6:.1f} MB); kept {len(keep)} in use")
    click.echo(f"cache {store.root}: {len(store.entries())} entries, {store.size() / 1e6:.1f} MB")


@command
@click.argument("args", nargs=-1, metavar="[SOURCE|SCRIPT] [ID]")
@click.option("--text", help="Speak these words instead of the book's.")
@click.option("--voice", default="narrator", show_default=True, help="The role for --text.")
@click.option("--from", "start", metavar="ID", help="Start a stretch of the book here.")
@click.option("--seconds", type=click.FloatRange(1, 3600), help="How much of the book to "
              "preview with --from (default 30).")
@click.option("--out", type=FILE, help="Write it (.wav or .mp3) here "
              "instead of playing it.")
@render_options
@convert_options
def preview(args, text, voice, start, seconds, out, voices, cache, jobs, **kw):
    """Hear a chapter, section or segment ID of a book, a stretch (--from), or --text.

    Example: narrate preview seeds/prophet-essay.txt 02.003 --out /tmp/preview.wav"""
    from narrate.audition import preview as run_preview

    if len(args) > 2:
        raise NarrateError("give a book and at most one id: `narrate preview BOOK ID`")
    source, ident = (list(args) + [None, None])[:2]
    result, flat = run_preview(source, ident, text=text, voice=voice, start=start,
                               seconds=seconds, out=out, voices=voices, cache_dir=cache,
                               jobs=jobs or 1, **_given(kw))
    for _, segment in flat:  # what is spoken, not the text as written
        click.secho(f"{segment.id} [{segment.voice}] {segment.say}", fg=COLOURS.get(segment.voice))
    click.echo(result.summary(asked_for_file=bool(out)))


def main() -> None:
    cli(prog_name="narrate")


if __name__ == "__main__":
    main()
