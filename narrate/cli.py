"""The command line: each command maps its arguments to one library call and words the
result. Library errors come back as one line, their arguments written as flags."""

from __future__ import annotations

import sys
from pathlib import Path

import click

import narrate
from narrate import outline, scriptfile
from narrate.commandline import (
    CACHE,
    CONVERT,
    DIR,
    EXECUTOR,
    FILE,
    FLAGS,
    JOBS,
    MASTERING,
    PREFER,
    PROFILE,
    VOICES,
    cli,
    command,
    given,
    mastering_of,
    opt,
)
from narrate.errors import NarrateError
from narrate.problems import about_the_book, counted, is_warning
from narrate.render.cache import Cache

__all__ = ["cli"]  # the console script's entry point (pyproject.toml), with its commands
COLOURS = {"narrator": "white", "quote": "cyan"}


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
    """Turn SOURCE (.txt, .md, .html, .epub, .pdf, .docx, .odt, .fb2) into an editable
    narration script; your edits of the script there are kept."""
    problems: list = []
    if output == "-":
        book = narrate.script(source, warnings=problems, **given(kw))
        _warn(problems)
        return click.echo(scriptfile.script_text(book, as_json), nl=False)
    book, path, written = narrate.write_script(source, output, as_json=as_json, force=force,
                                               prefer=prefer, warnings=problems, **given(kw))
    _warn(problems)
    click.echo(f"{'wrote' if written else 'unchanged:'} {path}: {outline.book_summary(book)}")
    if count := sum(1 for p in problems if not isinstance(p, str) and is_warning(p)):
        click.echo(f"{counted(count, 'warning')} about the text: see `narrate lint {source}`")


@command("narrate cast three-men-in-a-boat.epub", click.argument("target"), *CONVERT, VOICES,
         opt("--listen", is_flag=True, help="Hear each character say their first line."),
         opt("--out", type=FILE, help="With --listen: write it (.wav or .mp3) instead."))
def cast(target, voices, listen, out, **kw):
    """List the characters of a novel (SOURCE or its SCRIPT): the lines each says, the
    first of them, their other names, gender and voice; --listen plays each voice."""
    found = narrate.cast(target, voices=voices, listen=listen, out=out, **given(kw))
    if not found.dialogue:
        return click.echo(f"no characters: {target} is not told in dialogue (its quotations are "
                          "read in the quote voice); name them under `characters:` in its "
                          "metadata to give them speakers")
    for entry in found.characters:
        also = f"  (also {', '.join(entry.aliases)})" if entry.aliases else ""
        click.echo(f"{entry.name:24} {entry.lines:5} line{'' if entry.lines == 1 else 's'}  "
                   f"{entry.gender or '-':6}  {entry.voice:26} {entry.first_id:10} "
                   f"{_shortened(entry.first)}{also}")
    click.echo(f"{len(found.characters)} characters; {found.unknown} lines say no speaker "
               "(the quote voice): give them one with `speaker:` in the script")
    if found.heard:
        _heard(found.heard, "[{s.speaker}] {s.text}", out)


def _shortened(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


@command("narrate lint seeds/prophet-essay.txt", click.argument("source"), *CONVERT)
def lint(source, **kw):
    """List problems in SOURCE: malformed quotes, truncation, odd characters, junk."""
    lines = narrate.lint(source, **given(kw))
    for line, warning in lines:
        click.secho(line, fg="yellow" if warning else None)
    count = sum(warning for _, warning in lines)
    click.echo(f"{counted(count, 'warning')}, {counted(len(lines) - count, 'note')}")


@command("narrate show seeds/prophet-essay.txt --say", click.argument("target"), VOICES,
         opt("--say/--text", "show_say", help="The speech text, or the text as written."),
         opt("-o", "--out", type=DIR, default="output",
             help="Where the book is built: its script.yaml's edits are shown (output)."),
         *CONVERT)
def show(target, show_say, voices, out, **kw):
    """Print a SCRIPT's or SOURCE's narration (a SOURCE with the edits its build keeps):
    voices in colour, chapters timed."""
    shown = narrate.show(target, voices=voices, out=out, **given(kw))
    click.secho(shown.title, bold=True)
    click.secho("".join(f"  {line}\n" for line in shown.not_read), dim=True, nl=False)
    click.echo("voices: " + "  ".join(click.style(v, fg=c) for v, c in COLOURS.items()))
    for heading, sections in shown.chapters:
        click.secho(f"\n{heading}", bold=True)
        for ident, segments in sections:
            click.echo(click.style(ident, dim=True) + "".join(" " + click.style(
                s.say if show_say else s.text, fg=COLOURS.get(s.role, "magenta")) for s in segments))
    click.secho(f"\n{shown.total}", bold=True)


@command("narrate render seeds/prophet-essay.txt -j 2", click.argument("target"), VOICES, CACHE,
         JOBS, *EXECUTOR, *CONVERT)
def render(target, voices, cache, jobs, executor, address, **kw):
    """Synthesise every segment of a SCRIPT or SOURCE into the segment cache."""
    report = narrate.render_book(target, voices=voices, cache=cache, jobs=jobs, executor=executor,
                                 address=address, progress=None, **given(kw))
    click.echo("\n".join(report.summary()))
    _failures(report)


def _failures(report) -> None:
    if report and report.failed:
        _fail(*report.failure_lines())


def _fail(*lines: str) -> None:
    click.secho("\n".join(f"narrate: {line}" for line in lines), fg="red", err=True)
    sys.exit(1)


@command("narrate build seeds/prophet-essay.txt --markers 2 --check",
         click.argument("targets", nargs=-1, required=True),
         opt("--only", metavar="ID|role:ROLE",
             help="Its next take (kept in the script); re-export what holds it."),
         opt("--dry-run", is_flag=True, help="Print what would be rendered and exported."),
         PROFILE, opt("--check", "run_check", is_flag=True, help="Check the result too."),
         opt("--verify", type=click.IntRange(0, 10), default=0, help="Retake bad new takes N times."),
         opt("--readalong", is_flag=True, help="Also a read-along EPUB 3 (Media Overlays)."),
         opt("--formats", default="mp3,m4b", help="mp3, m4b or both (mp3,m4b)."),
         PREFER, *EXECUTOR, VOICES, CACHE, JOBS, *MASTERING, *CONVERT)
def build(targets, profile, run_check, sample_rate, bitrate_kbps, rms_db, peak_db, **kw):
    """SOURCE|SCRIPT|FOLDER … -> each book: MP3 chapters with markers, an m4b, sidecars."""
    mastering = mastering_of(profile, sample_rate, bitrate_kbps, rms_db, peak_db)
    if len(targets) > 1 or Path(targets[0]).is_dir():
        return _build_many(targets, mastering, run_check and profile, kw)
    warnings: list = []
    result = narrate.build(targets[0], mastering=mastering, progress=None, warnings=warnings,
                           **given(kw))
    _warn(warnings)
    for line in result.summary():
        click.secho(line, fg="yellow" if line.startswith("   ! ") else None)
    _failures(result.render)
    if result.verify and result.verify.failing:
        _fail(f"{counted(len(result.verify.failing), 'segment')} still fail their check; the book was "
              "built with them")
    if run_check:
        click.get_current_context().invoke(check, book_dir=result.folder, profile=profile,
                                           jobs=kw["jobs"])


def _build_many(targets, mastering, check_profile, kw) -> None:
    """Several books: a line as each ends, a table at the end; exit 1 if any failed."""
    def heard(entry) -> None:
        click.secho(f"{'FAILED' if entry.failure else 'built'}: {entry.source}",
                    fg="red" if entry.failure else None, err=True)

    entries = narrate.build_many(targets, mastering=mastering, check=check_profile, progress=None,
                                 on_book=heard, **given(kw))
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
         opt("--entries", is_flag=True, help="List the lexicon's entries, each with its file."),
         opt("--fix", is_flag=True, help="Try other ways to say each misheard word; keep the "
             "one heard as the word in the book's lexicon (narrate[asr])."),
         opt("--dry-run", is_flag=True, help="With --fix: list what it would keep, write nothing."),
         opt("-o", "--out", type=DIR, default="output", help="Books' folder (output), for --fix."),
         CACHE, JOBS, *CONVERT)
def words(source, voices, listen, limit, phonemes, entries, fix, dry_run, out, cache, jobs, **kw):
    """List the words the narrator's engine does not know, most frequent first: fix them
    in a lexicon before a long build (--fix tries ways to say them by ear)."""
    from narrate import pronounce

    if phonemes:
        return click.echo(narrate.phonemes(phonemes, voices=voices))
    if entries:
        listed = narrate.pronunciations(source, meta=kw.get("meta"), lexicon=kw.get("lexicon"))
        return click.echo("\n".join([*map(pronounce.entry_line, listed),
                                     pronounce.entries_summary(listed)]))
    if dry_run and not fix:
        raise NarrateError("--dry-run lists what --fix would keep", option=("dry_run", True),
                           hint="add --fix")
    if fix:
        return _fix_words(source, voices, limit, out, dry_run, cache, jobs, kw)
    found = narrate.words(source, voices=voices, listen=listen, limit=limit, cache=cache,
                          jobs=jobs, progress=None if listen else False, **given(kw))
    for word in found[:limit]:
        click.secho(word.line(), fg="yellow" if word.misheard else None)
    click.echo(pronounce.words_summary(found, limit))


def _fix_words(source, voices, limit, out, dry_run, cache, jobs, kw) -> None:
    from narrate.fixwords import fix_book, fixes_summary

    fixes = fix_book(source, voices=voices, limit=limit, out=out, dry_run=dry_run,
                              cache=cache, jobs=jobs, progress=None, **given(kw))
    for fix in fixes:
        click.secho(fix.line(), fg=None if fix.kept else "yellow")
    click.echo(fixes_summary(fixes, limit, dry_run))


@command("narrate check output/prophet-essay --profile acx",
         click.argument("book_dir", required=False), PROFILE, JOBS,
         opt("--asr", is_flag=True, help="Also listen to every segment (narrate[asr])."),
         opt("--threshold", type=click.FloatRange(0, 1), default=0.35, help="--asr's WER limit."))
def check(book_dir, profile, jobs, asr=False, threshold=0.35):
    """Check a built book (default: the one in this folder, else the last one built into
    ./output): writes check/check.json and .png."""
    report = narrate.check(book_dir, profile=profile, asr=asr, threshold=threshold, jobs=jobs)
    click.echo("\n".join(report.summary()))
    if not report.passed:
        sys.exit(1)


@command("narrate diff seeds/prophet-essay.txt output/prophet-essay/script.yaml",
         click.argument("old"), click.argument("new"), *CONVERT)
def diff(old, new, **kw):
    """List the sections that differ between OLD and NEW (scripts or sources)."""
    click.echo("\n".join(outline.diff_summary(narrate.diff(old, new, **given(kw)))))


@command("narrate voices --check --voices neural", VOICES,
         opt("--check", "check_cast", is_flag=True, help="Validate the profiles instead."),
         opt("--audition", "hear", is_flag=True, help="Speak a sample line in every role's voice."),
         opt("--out", type=FILE, help="With --audition: write it (.wav or .mp3) instead."),
         opt("--get", metavar="NAME", help="Say how to add one of hibari's voices (never "
             "downloads)."))
def voices(voices, check_cast, hear, out, get):
    """List the casts and every engine's voices, check a cast (--check), hear it
    (--audition), or say how to add a voice (--get)."""
    if hear:
        return _heard(narrate.audition_cast(voices, out=out), "[{s.role}] {s.text}", out)
    click.echo("\n".join(narrate.voices(voices, check=check_cast, get=get)))


@command("narrate cache --prune seeds/prophet-essay.txt", click.argument("scripts", nargs=-1),
         CACHE, opt("--prune", is_flag=True, help="Delete entries that none of SCRIPTS plays."),
         opt("--voices", metavar="CAST", help="The SCRIPTS' cast (a name or a folder)."),
         opt("-o", "--out", type=DIR, default="output",
             help="Where SCRIPTS' books were built (output)."))
def cache(scripts, cache, prune, voices, out):
    """Report the segment cache's size; --prune SCRIPT... deletes entries no script (a
    source, a script or a built book's folder) plays."""
    if prune:
        count, freed, kept = narrate.prune(scripts, cache=cache, voices=voices, out=out)
        click.echo(f"pruned {count} entries ({freed / 1e6:.1f} MB); kept {kept} in use")
    store = Cache(cache)
    click.echo(f"cache {store.root}: {len(store.entries())} entries, {store.size() / 1e6:.1f} MB")


@command("narrate preview seeds/prophet-essay.txt 02.003 --out /tmp/preview.wav",
         click.argument("source", required=False), click.argument("ident", required=False),
         opt("--text", help="Speak these words instead of the book's."),
         opt("--role", "--voice", "role", default="narrator", show_default=True,
             help="Who speaks --text: narrator, quote or note."),
         opt("--from", "start", metavar="ID", help="Start a stretch of the book here."),
         opt("--seconds", type=click.FloatRange(1, 3600), help="With --from: how long (30)."),
         opt("--out", type=FILE, help="Write it (.wav or .mp3) here instead of playing it."),
         VOICES, CACHE, JOBS, *CONVERT)
def preview(source, ident, cache, jobs, **kw):
    """Hear a chapter, section or segment ID of a book, a stretch (--from), or --text."""
    result = narrate.preview(source, ident, cache=cache, jobs=jobs or 1, **given(kw))
    _heard(result, "{s.id} [{s.role}] {s.say}", kw["out"])  # as it was spoken


def _heard(result, line: str, out) -> None:
    for _, segment in result.spoken:
        click.secho(line.format(s=segment), fg=COLOURS.get(segment.role))
    click.echo(result.summary(asked_for_file=bool(out)))


@command("narrate studio seeds/prophet-essay.txt --no-browser", click.argument("target"),
         opt("--port", type=click.IntRange(0, 65535), default=0, help="On 127.0.0.1 (0: a free one)."),
         opt("--browser/--no-browser", default=True, help="Open it in the browser."), VOICES, CACHE)
def studio(target, port, browser, voices, cache):
    """Hear, fix and keep a book's sentences in the browser (SOURCE, SCRIPT or BOOK_DIR)."""
    running = narrate.open_studio(target, voices=voices, cache=cache, port=port)
    click.echo(f"narrate studio: {running.url}  (Ctrl-C stops it)")
    running.serve(open_browser=browser)
