"""What every command shares: the group, its options, and how a command ends — a library
error is one line on stderr and exit code 2 (a traceback with --debug), Ctrl-C exits 130,
SIGTERM 143 (stopped alike). The commands themselves are in narrate.cli."""

from __future__ import annotations

import difflib
import functools
import os
import select
import signal
import sys
import traceback
from typing import NoReturn

import click

from narrate import edits
from narrate.errors import NarrateError

FLAGS = {"start": "from"}  # where a flag is not its option's name (`from` is a keyword)
FILE, DIR, opt = click.Path(dir_okay=False), click.Path(file_okay=False), click.option
READ = click.Path()  # a file narrate reads: open_checked refuses a folder in one line naming it


CLOSE = 0.7  # how alike a mistyped flag and a real one are, dashes left out, to be offered


class _Command(click.Command):
    """Click offers every flag difflib finds 60% alike, dashes counted: `--frobnicate` was
    offered --bitrate and --voices. Only a close one is offered here, or none."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            if not exc.possibilities:
                raise
            flags = {flag.lstrip("-"): flag for param in self.get_params(ctx)
                     for flag in (*param.opts, *param.secondary_opts) if flag.startswith("--")}
            close = difflib.get_close_matches(exc.option_name.lstrip("-"), flags, cutoff=CLOSE)
            raise click.NoSuchOption(exc.option_name, possibilities=[flags[f] for f in close],
                                     ctx=ctx) from None


class _Group(_Command, click.Group):
    command_class = _Command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
    one line on stderr and exit code 2 (a traceback with --debug); Ctrl-C exits 130, SIGTERM 143."""
    def decorate(func):
        @functools.wraps(func)
        def run(*args, debug=False, **kwargs):
            debug = debug or click.get_current_context().find_root().params.get("debug")
            signal.signal(signal.SIGTERM, _terminated)
            try:
                return func(*args, **kwargs)
            except (NarrateError, OSError) as exc:  # an OSError: a file or folder narrate
                if isinstance(exc, BrokenPipeError) and _stdout_gone():  # cannot use
                    _reader_gone()
                if debug:
                    traceback.print_exc()
                line = exc.message('cli', FLAGS) if isinstance(exc, NarrateError) else \
                    _os_error_line(exc)
                click.secho(f"narrate: error: {line}", fg="red", err=True)
                sys.exit(2)
            except KeyboardInterrupt:
                how, code = ("terminated", 143) if _TERMINATED else ("interrupted", 130)
                click.echo(f"narrate: {how}; finished work is kept", err=True)
                sys.stdout.flush()
                sys.stderr.flush()
                # no exit handlers: they would join worker-pool threads a stopped worker can block
                os._exit(code)
        for option in reversed((*options, DEBUG)):
            run = option(run)
        return cli.command(epilog=f"Example: {example}")(run)
    return decorate


_TERMINATED: list[int] = []  # SIGTERM heard: stopped as Ctrl-C stops, exit 128 + 15


def _terminated(signum, _frame) -> None:
    """SIGTERM (`kill`, a service stopped) stops a command as Ctrl-C does: the running
    work stopped, its scratch removed, one line."""
    _TERMINATED.append(signum)
    raise KeyboardInterrupt


DEBUG = click.option("--debug", is_flag=True, help="Show tracebacks for errors.")


def _stdout_gone() -> bool:
    """Whether stdout is a pipe (or socket) whose reader has gone (`narrate show SRC | head`),
    not another pipe narrate writes to (an encoder's)."""
    poller = select.poll()
    poller.register(sys.stdout.fileno(), select.POLLOUT)
    return any(event & (select.POLLERR | select.POLLHUP) for _, event in poller.poll(0))


def _reader_gone() -> NoReturn:
    """No error of the user's, so nothing is said: narrate ends as a Unix tool ends whose
    reader has gone, by SIGPIPE (128 + 13). stdout is first pointed at /dev/null, or
    Python's own flush at exit would meet the closed pipe again and say so."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(128 + signal.SIGPIPE)


def _os_error_line(exc: OSError) -> str:
    what = exc.strerror or type(exc).__name__
    if exc.filename:
        return (f"{exc.filename}: {what}; check the path, its permissions and the disk's "
                "free space")
    return f"{what}; check the paths given, their permissions and the disk's free space"


CONVERT = (  # unset, they keep the library's defaults (and the metadata's `reading:`)
    opt("--meta", type=READ, metavar="FILE", help="Book metadata YAML (default: SOURCE's name with .yaml)."),
    opt("--lexicon", type=READ, metavar="FILE", help="A lexicon YAML over narrate's and the book's."),
    opt("--language", metavar="CODE", help="The book's language (fr, de-CH, French): over "
        "its metadata's and the one found in its text."),
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
def mastering_of(profile: str, sample_rate, bitrate_kbps: int, rms_db: float, peak_db: float):
    """The Mastering the flags ask for (ACX's limits on top with --profile acx)."""
    from narrate.stitch.timeline import Mastering

    mastering = Mastering(int(sample_rate or 0), bitrate_kbps, rms_db, peak_db)
    return Mastering.acx(mastering) if profile == "acx" else mastering


MASTERING = (
    opt("-o", "--out", type=DIR, default="output", help="Output folder (output)."),
    opt("--bitrate", "bitrate_kbps", type=click.IntRange(32, 192), default=64, help="kbit/s (64)."),
    opt("--sample-rate", type=click.Choice(["22050", "24000", "44100"]),
        help="Hz (the narrator's own: 24000 natural, 22050 espeak)."),
    opt("--rms", "rms_db", type=click.FloatRange(-40, -6), default=-20.0, help="Speech RMS dBFS (-20)."),
    opt("--peak", "peak_db", type=click.FloatRange(-20, 0), default=-3.0, help="Peak dBFS (-3)."),
    opt("--markers", type=click.IntRange(1, 1000), default=1, help="Sections a marker (1)."),
    opt("--credits/--no-credits", default=None, help="Opening credits and closing line."))


def given(options: dict) -> dict:
    return {k: v for k, v in options.items() if v is not None}  # unset: the library's default
