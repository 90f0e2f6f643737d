"""The command line: a thin face over the library. Each command calls one function."""

from __future__ import annotations

import functools
import os
import sys
import time
import traceback
from pathlib import Path

import click

from narrate.errors import NarrateError

VOICE_COLOURS = {"narrator": "white", "quote": "cyan"}


def _fail_cleanly(func):
    """NarrateError -> one line on stderr, exit 2; a traceback only with --debug."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except NarrateError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            click.secho(f"narrate: error: {exc}", fg="red", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("narrate: interrupted; finished work is kept", err=True)
            sys.stdout.flush()
            sys.stderr.flush()
            # no exit handlers: they would join the stopped worker pool's threads, which a
            # worker stopped mid-handover can leave blocked; finished files are on disk
            os._exit(130)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="narrate")
@click.pass_context
def cli(ctx, debug):
    """narrate: turn a text into an audiobook, offline."""
    ctx.ensure_object(dict)["debug"] = debug


def convert_options(func):
    """Options shared by every command that converts a source text."""
    options = [
        click.option("--meta", type=click.Path(dir_okay=False),
                     help="Book metadata YAML (default: SOURCE's name with .yaml, if present)."),
        click.option("--lexicon", type=click.Path(dir_okay=False),
                     help="Pronunciation lexicon YAML (default: voices/lexicon.yaml)."),
        click.option("--quote-min-words", type=click.IntRange(1), default=8, show_default=True,
                     help="Inline quotations this long get the quote voice."),
        click.option("--max-segment-chars", type=click.IntRange(40), default=400,
                     show_default=True, help="Longest segment, split at sentences."),
        click.option("--max-chapter-minutes", type=click.FloatRange(min=1), default=None,
                     help="Split longer chapters at paragraph boundaries."),
        click.option("--speak-citations", is_flag=True, help="Read page citations aloud."),
        click.option("--code", type=click.Choice(["mention", "skip"]), default=None,
                     help="Code blocks: one short cue (mention, the default) or nothing."),
        click.option("--notes", type=click.Choice(["after-paragraph", "chapter-end", "skip"]),
                     default=None, help="Footnotes and endnotes: read after the paragraph that "
                     "cites them (default), at the chapter's end, or not at all."),
        click.option("--tables", type=click.Choice(["read", "mention", "skip"]), default=None,
                     help="Tables: small ones read row by row (read, the default), a cue, or "
                     "nothing."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _load(target: str, kw: dict, warnings: list[str] | None = None):
    from narrate.build import load_book

    return load_book(target, warnings=warnings, **_convert_kwargs(kw))


def _about_the_book(problems) -> list:
    """What `script` and `build` print themselves; the rest is for `narrate lint`."""
    return [p for p in problems if isinstance(p, str) or p.code in BOOK_WARNINGS]


BOOK_WARNINGS = ("encoding", "no-author", "cover", "metadata-chapters")


def _print_warnings(problems) -> None:
    for problem in problems:
        text = problem if isinstance(problem, str) else problem.format()
        click.secho(f"narrate: {text}", fg="yellow", err=True)


@cli.command()
@click.argument("source")
@click.option("-o", "--output", help="Where to write the script (- for stdout). "
              "Default: output/<book>/script.yaml")
@click.option("--json", "as_json", is_flag=True, help="Write the segments as a JSON list.")
@click.option("--force", is_flag=True, help="Replace -o's file even if it is not a script.")
@convert_options
@_fail_cleanly
def script(source, output, as_json, force, **kw):
    """Turn SOURCE (.txt or .md) into an editable narration script."""
    from narrate.build import book_folder
    from narrate.scriptfile import to_json_segments, to_yaml, write_script

    problems = []
    book = _load(source, kw, problems)
    _print_warnings(_about_the_book(problems))
    if output == "-":
        click.echo(to_json_segments(book) if as_json else to_yaml(book), nl=False)
        return
    path = Path(output) if output else book_folder(book) / ("script.json" if as_json else "script.yaml")
    write_script(book, path, as_json, overwrite=force)
    quotes = sum(1 for s in book.segments if s.voice == "quote")
    click.echo(f"wrote {path}: {len(book.chapters)} chapters, {len(book.sections)} sections, "
               f"{len(book.segments)} segments ({quotes} in the quote voice)")
    lint_count = sum(1 for p in problems if not isinstance(p, str) and p.severity == "warning")
    if lint_count:
        click.echo(f"{lint_count} warnings about the text: see `narrate lint {source}`")


@cli.command()
@click.argument("source")
@convert_options
@_fail_cleanly
def lint(source, **kw):
    """List problems in SOURCE: malformed quotes, truncation, odd characters, junk."""
    problems: list = []
    _load(source, kw, problems)
    problems.sort(key=lambda p: getattr(p, "line", 0) or 0)
    for problem in problems:
        colour = "yellow" if getattr(problem, "severity", "warning") == "warning" else None
        click.secho(problem if isinstance(problem, str) else problem.format(), fg=colour)
    count = sum(1 for p in problems if isinstance(p, str) or p.severity == "warning")
    click.echo(f"{count} warnings, {len(problems) - count} notes")


@cli.command()
@click.argument("target")
@click.option("--wpm", type=click.IntRange(60, 400), default=160, show_default=True,
              help="Speaking rate for the duration estimate.")
@click.option("--say/--text", "show_say", default=False,
              help="Show the speech text instead of the text as written.")
@convert_options
@_fail_cleanly
def show(target, wpm, show_say, **kw):
    """Print the narration plan of a SCRIPT or SOURCE: voices in colour, chapter durations."""
    from narrate.build import estimate_seconds

    problems: list = []
    book = _load(target, kw, problems)
    click.secho(f"{book.title}" + (f" — {book.author}" if book.author else ""), bold=True)
    for problem in problems:  # what the reader found and is not read: index, contents …
        if getattr(problem, "code", "") == "not-read":
            click.secho(f"  {problem.message}", dim=True)
    legend = "  ".join(click.style(v, fg=c) for v, c in VOICE_COLOURS.items())
    click.echo(f"voices: {legend}")
    total = 0.0
    for chapter in book.chapters:
        seconds = estimate_seconds(chapter.segments, wpm)
        total += seconds
        click.echo()
        click.secho(f"{chapter.id}  {chapter.title}  (~{_minutes(seconds)})", bold=True,
                    underline=True)
        for section in chapter.sections:
            parts = [click.style(s.say if show_say else s.text,
                                 fg=VOICE_COLOURS.get(s.voice, "magenta"))
                     for s in section.segments]
            click.echo(f"{click.style(section.id, dim=True)} " + " ".join(parts))
    click.echo()
    click.secho(f"{len(book.chapters)} chapters, {len(book.segments)} segments, "
                f"about {_minutes(total)} at {wpm} words per minute", bold=True)


def render_options(func):
    """Options shared by every command that renders audio."""
    options = [
        click.option("--voices", type=click.Path(file_okay=False),
                     help="Folder of <role>.yaml voice profiles overriding voices/."),
        click.option("--cache", "cache_dir", type=click.Path(file_okay=False),
                     help="Segment cache folder (default: $NARRATE_CACHE or the user cache)."),
        click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
                     help="Worker processes (default: one per core)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@cli.command()
@click.argument("target")
@render_options
@convert_options
@_fail_cleanly
def render(target, voices, cache_dir, jobs, **kw):
    """Synthesise every segment of a SCRIPT or SOURCE to WAV files in the cache."""
    from narrate.build import render_book

    book = _load(target, kw)
    report = render_book(book, voices, cache_dir, jobs)
    audio = report.audio_seconds
    speed = f", {audio / report.seconds:.0f}x real time" if report.rendered else ""
    click.echo(f"rendered {len(report.rendered)} segments, reused {len(report.reused)} from the "
               f"cache: {audio / 60:.1f} min of audio in {report.seconds:.1f} s{speed}")
    _print_worker_memory(report)
    _report_failures(report)


def _print_worker_memory(report) -> None:
    if report.worker_mb:
        click.echo("peak memory per worker: " + ", ".join(
            f"{role} {mb:.0f} MB" for role, mb in sorted(report.worker_mb.items())))


def mastering_options(func):
    options = [
        click.option("-o", "--out", "out_root", type=click.Path(file_okay=False),
                     default="output", show_default=True,
                     help="Folder for the book's folder of outputs."),
        click.option("--bitrate", type=click.IntRange(32, 192), default=64, show_default=True,
                     help="MP3/AAC bit rate in kbit/s (constant)."),
        click.option("--sample-rate", type=click.Choice(["22050", "24000", "44100"]),
                     default="22050", show_default=True, help="Output sample rate in Hz."),
        click.option("--rms", type=click.FloatRange(-40, -6), default=-20.0, show_default=True,
                     help="Loudness target (RMS dBFS) for every chapter."),
        click.option("--peak", type=click.FloatRange(-20, 0), default=-3.0, show_default=True,
                     help="Peak ceiling (dBFS)."),
        click.option("--markers", "marker_sections", type=click.IntRange(1, 1000), default=1,
                     show_default=True, help="Sections per chapter marker inside chapter files."),
        click.option("--credits/--no-credits", default=None,
                     help="Opening credits and closing line (default: on, or the metadata's "
                          "`credits:`)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@cli.command()
@click.argument("target")
@click.option("--only", metavar="ID|voice:ROLE",
              help="Re-synthesise this chapter, section or segment (or every segment of a "
                   "voice) even when cached, and re-export what contains it.")
@click.option("--dry-run", is_flag=True, help="Print what would be rendered and exported.")
@click.option("--profile", type=click.Choice(["default", "acx"]), default="default",
              show_default=True, help="acx: master to the audiobook platforms' window (44.1 kHz, "
              "192 kbit/s CBR, peaks under -3 dB) and check against it.")
@click.option("--check", "run_check", is_flag=True,
              help="Run `narrate check` on the result; exit 1 if it fails.")
@click.option("--verify", type=click.IntRange(0, 10), default=0, metavar="N",
              help="Check each newly rendered segment (silence, clipping, length; speech "
                   "recognition when narrate[asr] is installed) and render a failing one "
                   "again up to N times.")
@render_options
@mastering_options
@convert_options
@_fail_cleanly
def build(target, only, dry_run, profile, run_check, verify, voices, cache_dir, jobs, out_root,
          bitrate, sample_rate, rms, peak, marker_sections, credits, **kw):
    """SOURCE|SCRIPT -> the audiobook: MP3 chapters with markers, an m4b and sidecars."""
    from narrate.build import build as build_book
    from narrate.stitch.timeline import Mastering

    if profile == "acx":  # the limiter keeps its own margin under the ceiling (assemble.py)
        sample_rate, bitrate, peak = 44100, max(bitrate, 192), min(peak, -3.0)
    mastering = Mastering(sample_rate=int(sample_rate), bitrate_kbps=bitrate, rms_db=rms,
                          peak_db=peak)
    started = time.perf_counter()
    warnings: list = []
    result = build_book(target, voices=voices, cache_dir=cache_dir, jobs=jobs, out_root=out_root,
                        mastering=mastering, credits=credits, marker_sections=marker_sections,
                        warnings=warnings, only=only, dry_run=dry_run, verify=verify,
                        **_convert_kwargs(kw))
    _print_warnings(_about_the_book(warnings))
    if dry_run:
        _print_plan(result)
        return
    report = result.render
    click.echo(f"segments: {len(report.rendered)} rendered, {len(report.reused)} reused")
    _print_worker_memory(report)
    _report_failures(report)
    export = result.export
    click.echo(f"chapters: {len(export.exported)} re-exported, {len(export.unchanged)} unchanged")
    _print_changed_sections(result.book, report.rendered)
    for record in export.chapters:
        mark = "*" if record.id in export.exported else " "
        click.echo(f" {mark} {record.stem}.mp3  {_minutes(record.samples / record.rate)}  "
                   f"{len(record.markers)} markers")
    click.echo(f"   {export.m4b.name}  {_minutes(export.seconds)}  {len(export.chapters)} chapters"
               f"; chapters.json, {export.m4b.stem}.cue, {export.m4b.stem}.m3u8, "
               f"{len(export.chapters)} .vtt, manifest.json")
    click.echo(f"made {_minutes(export.seconds)} of audio in {time.perf_counter() - started:.1f} s "
               f"-> {export.folder}/")
    if result.verify:
        _print_verify(result.verify)
    if run_check:
        _run_check(export.folder, profile, asr=False, threshold=0.35, jobs=jobs)


def _print_verify(verified) -> None:
    how = "level, length and speech recognition" if verified.listened else \
        "level and length (install narrate[asr] to listen too)"
    click.echo(f"verified {verified.checked} new segments by {how}; "
               f"{len(set(verified.retaken))} rendered again; {len(verified.failing)} still failing")
    for ident, problem in verified.failing.items():
        click.secho(f"   {ident}: {problem} — try another voice or wording, then "
                    f"narrate build SOURCE --only {ident}", fg="yellow")


def _run_check(folder, profile, asr, threshold, jobs) -> None:
    from narrate.check import check_book

    report = check_book(Path(folder), profile=profile, asr=asr, threshold=threshold, jobs=jobs)
    for line in report.summary():
        click.echo(line)
    click.echo(f"wrote {Path(folder) / 'check.json'} and check.png")
    if not report.passed:
        sys.exit(1)


@cli.command()
@click.argument("book_dir", required=False, type=click.Path(file_okay=False))
@click.option("--profile", type=click.Choice(["default", "acx"]), default="default",
              show_default=True, help="default: the build's own targets; acx: the audiobook "
              "platforms' mastering window (a QA profile, not a promise of acceptance).")
@click.option("--asr", is_flag=True, help="Transcribe every segment with Whisper tiny.en "
              "(narrate[asr]) and score it against its text.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.35, show_default=True,
              help="With --asr: word error rate above which a segment fails.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), help="Worker processes for --asr.")
@_fail_cleanly
def check(book_dir, profile, asr, threshold, jobs):
    """Check a built book (default: the last one built under output/): levels, room tone,
    format, markers, tags, sidecars, every segment; writes check.json and check.png."""
    from narrate.check import latest_book

    _run_check(Path(book_dir) if book_dir else latest_book(), profile, asr, threshold, jobs)


def _print_changed_sections(book, rendered_ids, limit: int = 12, verb: str = "rendered") -> None:
    from narrate.problems import first_words

    sections = {s.id: s for s in book.sections}
    changed = sorted({i.rsplit(".", 1)[0] for i in rendered_ids if i.count(".") == 2})
    for section_id in changed[:limit]:
        click.echo(f"   {verb} {section_id}  {first_words(sections[section_id].text, 8)}")
    if len(changed) > limit:
        click.echo(f"   … and {len(changed) - limit} more sections")


def _print_plan(result) -> None:
    plan = result.plan
    click.echo(f"would render {len(plan.render)} segments, reuse {len(plan.reuse)} from the cache")
    _print_changed_sections(result.book, plan.render, verb="would render")
    titles = {c.id: c.title for c in result.book.chapters}
    for chapter_id in plan.export:
        click.echo(f"would export chapter {chapter_id}  {titles[chapter_id]}")
    click.echo(f"would keep {len(plan.keep)} chapters unchanged"
               + (f" ({', '.join(plan.keep)})" if plan.keep else "")
               + f"; then re-join the m4b and sidecars in {result.folder}/")


@cli.command()
@click.argument("old")
@click.argument("new")
@convert_options
@_fail_cleanly
def diff(old, new, **kw):
    """List the sections that differ between OLD and NEW (scripts or sources)."""
    from narrate.build import diff_books

    changes = diff_books(_load(old, kw), _load(new, kw))
    for change in changes:
        click.echo(f"{change.kind:9} {change.old_id or '-':>8} -> {change.new_id or '-':<8} "
                   f"{change.words}")
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("changed", "inserted", "deleted")}
    click.echo(f"{counts['changed']} changed, {counts['inserted']} inserted, "
               f"{counts['deleted']} deleted" + ("" if changes else ": nothing to rebuild"))


def _convert_kwargs(kw: dict) -> dict:
    keys = ("meta", "lexicon", "quote_min_words", "max_segment_chars", "max_chapter_minutes",
            "speak_citations", "code", "notes", "tables")
    return {k: kw[k] for k in keys if k in kw}


def _report_failures(report) -> None:
    for failure in report.failed:
        words = " ".join(failure.text.split()[:10])
        click.secho(f"narrate: failed {failure.id}: {failure.error} — \"{words} …\" "
                    f"(re-run to try again)", fg="red", err=True)
    if report.failed:
        click.secho(f"narrate: {len(report.failed)} segments failed; the others are kept",
                    fg="red", err=True)
        sys.exit(1)


@cli.command()
@click.option("--check", is_flag=True, help="Validate the voice profiles instead of listing.")
@click.option("--audition", is_flag=True, help="Speak a sample line in every role's voice.")
@click.option("--out", type=click.Path(dir_okay=False),
              help="With --audition: write the audition (.wav or .mp3) instead of playing it.")
@click.option("--voices", type=click.Path(file_okay=False),
              help="Folder of <role>.yaml voice profiles overriding voices/.")
@_fail_cleanly
def voices(check, audition, out, voices):
    """List the engine's voices, check the profiles (--check) or hear them (--audition)."""
    from narrate.render.engines import check_engine, check_voice, list_voices
    from narrate.render.profiles import load_profiles

    if audition:
        from narrate.model import Segment
        from narrate.preview import Previewer
        from narrate.script.speech import to_say

        profiles = load_profiles(voices)
        flat = []
        for role in sorted(profiles, key=lambda r: (r != "narrator", r)):
            line = (f"This is the {role} voice, reading at {profiles[role].rate} words a minute. "
                    "It was the best of times, it was the worst of times.")
            flat.append((role, Segment(f"audition:{role}", role, line, to_say(line))))
        with Previewer(profiles) as previewer:
            result = previewer.preview(flat, Path(out) if out else None)
        for _, segment in flat:
            click.secho(f"[{segment.voice}] {segment.text}",
                        fg=VOICE_COLOURS.get(segment.voice, "magenta"))
        where = f"played with {result.player}" if result.player else f"wrote {result.wav}"
        click.echo(f"{where} ({result.seconds:.1f} s)")
        return
    if check:
        profiles = load_profiles(voices)
        for role, profile in sorted(profiles.items()):
            check_engine(profile.engine)
            check_voice(profile)
            click.echo(f"ok  {role:10} {profile.engine} {profile.voice} rate {profile.rate} "
                       f"pitch {profile.pitch} volume {profile.volume}  ({profile.source})")
        return
    from narrate.render.neural import INSTALL, neural_installed

    click.echo("engine pyttsx3 (espeak-ng):")
    for voice in list_voices():
        langs = ",".join(voice.languages)
        click.echo(f"  {voice.id:28} {voice.name:36} {langs:10} {voice.gender or ''}")
    click.echo("  variants: append +VARIANT to a voice id (e.g. gmw/en-US+f4); "
               "`espeak-ng --voices=variant` lists them")
    for engine in ("piper", "hibari"):
        if not neural_installed(engine):
            click.echo(f"engine {engine}: not installed; {INSTALL[engine]}")
            continue
        click.echo(f"engine {engine}:")
        for voice in list_voices(engine):
            click.echo(f"  {voice.id:28} {voice.name}")
    click.echo("a ready neural cast: --voices voices/neural (piper narrator, hibari quote)")


@cli.command()
@click.argument("scripts", nargs=-1)
@click.option("--prune", is_flag=True, help="Delete entries that none of SCRIPTS uses.")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False),
              help="Segment cache folder (default: $NARRATE_CACHE or the user cache).")
@click.option("--voices", type=click.Path(file_okay=False),
              help="Voice profiles the SCRIPTS are rendered with.")
@_fail_cleanly
def cache(scripts, prune, cache_dir, voices):
    """Report the segment cache's size; --prune SCRIPT... deletes entries no script uses."""
    from narrate.build import used_cache_keys
    from narrate.render.cache import Cache

    store = Cache(cache_dir)
    if prune:
        if not scripts:
            raise NarrateError("--prune needs the scripts or sources whose audio to keep, "
                               "e.g. `narrate cache --prune seeds/prophet-essay.txt`")
        keep = used_cache_keys([_load(s, {}) for s in scripts], voices)
        count, freed = store.prune(keep)
        click.echo(f"pruned {count} entries ({freed / 1e6:.1f} MB); kept {len(keep)} in use")
    entries = store.entries()
    click.echo(f"cache {store.root}: {len(entries)} entries, {store.size() / 1e6:.1f} MB")


@cli.command()
@click.argument("args", nargs=-1, metavar="[SOURCE|SCRIPT] [ID]")
@click.option("--text", help="Speak these words instead of the book's.")
@click.option("--voice", default="narrator", show_default=True, help="The role for --text.")
@click.option("--from", "start", metavar="ID", help="Start a stretch of the book here.")
@click.option("--seconds", type=click.FloatRange(1, 3600), default=None,
              help="How much of the book to preview with --from (default 30).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the preview (.wav or .mp3) "
              "here instead of playing it.")
@render_options
@convert_options
@_fail_cleanly
def preview(args, text, voice, start, seconds, out, voices, cache_dir, jobs, **kw):
    """Hear a chapter, section or segment ID of a book, a stretch (--from), or --text."""
    from narrate.build import book_profiles
    from narrate.metadata import load_lexicon
    from narrate.preview import Previewer, select, text_segment
    from narrate.render.cache import Cache
    from narrate.render.profiles import load_profiles

    if text is not None:
        if args:
            raise NarrateError("--text needs no book or id; drop them or drop --text")
        profiles = load_profiles(voices)
        if voice not in profiles:
            from narrate.fileio import nearest
            raise NarrateError(f"--voice {voice}: no such role; {nearest(voice, profiles)}")
        flat = text_segment(text, voice, load_lexicon(kw.get("lexicon")))
    else:
        if seconds is not None and not start:
            raise NarrateError("--seconds goes with --from: `narrate preview BOOK --from ID "
                               "--seconds N`")
        if not args or len(args) > 2 or (len(args) == 1 and not start):
            raise NarrateError("say what to preview: `narrate preview BOOK ID`, "
                               "`narrate preview BOOK --from ID --seconds N` or "
                               "`narrate preview --text WORDS`")
        book = _load(args[0], kw)
        profiles = book_profiles(book, voices)
        flat = select(book, args[1] if len(args) > 1 else None, start, seconds)
    with Previewer(profiles, Cache(cache_dir), jobs or 1) as previewer:
        result = previewer.preview(flat, Path(out) if out else None)
    for _, segment in flat:  # what is spoken, not the text as written
        click.secho(f"{segment.id} [{segment.voice}] {segment.say}",
                    fg=VOICE_COLOURS.get(segment.voice, "magenta"))
    duration = f"{result.seconds:.1f} s of audio, ready in {result.ready_after:.2f} s"
    if result.player:
        click.echo(f"played {duration} with {result.player}")
    else:
        reason = "" if out else "no audio device found; "
        click.echo(f"{reason}wrote {duration} to {result.wav}")


def _minutes(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def main() -> None:
    cli(prog_name="narrate")


if __name__ == "__main__":
    main()
