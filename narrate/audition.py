"""Hear narration now: a segment, section, chapter, a stretch of the book, or any words.

Previews render through the same cache as builds (so they warm it), with the same
pauses and levelling, and play through the first player found; with no audio
device, or `out`, they are written to a file instead.
"""

from __future__ import annotations

import io
import os
import platform
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from narrate.errors import NarrateError
from narrate.fileio import atomic_path, nearest
from narrate.model import Book, Segment
from narrate.outline import estimate_seconds
from narrate.plan import narrator_rate
from narrate.render import Renderer, RenderItem
from narrate.render.audio import write_mono_wav
from narrate.render.cache import Cache
from narrate.render.executors import LocalExecutor
from narrate.render.items import line_item, speaker_names
from narrate.stitch.assemble import assemble_into
from narrate.stitch.pauses import segment_clips
from narrate.stitch.timeline import Mastering

PREVIEW_MASTERING = Mastering(lead_in_ms=0, tail_ms=300)  # same levelling, no room tone wait
PLAYERS = [["ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"], ["paplay"], ["aplay", "-q"],
           ["afplay"]]

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11


@dataclass
class Preview:
    items: list[RenderItem]
    wav: Path  # where it was written (gone once a player has played it to the end)
    player: str | None  # the command that played it, or None when only written
    seconds: float  # its duration
    ready_after: float  # wall seconds from the request to playable audio
    rendered: list[str] = field(default_factory=list)
    spoken: list[tuple[str, Segment]] = field(default_factory=list)  # (role, segment) heard

    def summary(self, asked_for_file: bool = False) -> str:
        duration = f"{self.seconds:.1f} s of audio, ready in {self.ready_after:.2f} s"
        if self.player:
            return f"played {duration} with {self.player}"
        return f"{'' if asked_for_file else 'no audio device found; '}wrote {duration} to {self.wav}"


def select(book: Book, target: str | None = None, start: str | None = None,
           seconds: float | None = None, profiles: dict | None = None
           ) -> list[tuple[str, Segment]]:
    """(section id, segment) pairs for an id, or for about `seconds` from `start` (at
    each voice profile's rate)."""
    flat = [(sec.id, seg) for sec in book.sections for seg in sec.segments if seg.say.strip()]
    wanted = target or start or ""
    hits = [i for i, (_, seg) in enumerate(flat)
            if seg.id == wanted or seg.id.startswith(f"{wanted}.")]
    if not hits:
        raise NarrateError(f"no chapter, section or segment {wanted!r}; "
                           f"{nearest(wanted, book.ids, 5)}")
    if target:
        return [flat[i] for i in hits]
    chosen, total = [], 0.0
    for pair in flat[hits[0]:]:
        chosen.append(pair)
        total += estimate_seconds([pair[1]], profiles)
        if total >= (seconds or 30):
            break
    return chosen


class Previewer:
    """Keeps voice engines warm between previews (a library user's or a long session's)."""

    def __init__(self, profiles: dict, cache: Cache | None = None, jobs: int = 1):
        self.profiles = profiles
        self.cache = cache or Cache()
        self.renderer = Renderer(profiles, self.cache, jobs,
                                 LocalExecutor(self.cache, keep_warm=True))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.renderer.close()

    def warm(self, roles=None) -> None:
        self.renderer.warm(roles or list(self.profiles))

    def preview(self, flat: list[tuple[str, Segment]], out: Path | None = None,
                play: bool = True, speakers: dict[str, str] | None = None) -> Preview:
        """`speakers`: the book's characters' names (items.speaker_names), whose lines are
        read in their voices."""
        started = time.perf_counter()
        items = [line_item(seg, speakers) for _, seg in flat]
        report = self.renderer.render(items, progress=False)
        if report.failed:
            failure = report.failed[0]
            raise NarrateError(f"could not render {failure.id}: {failure.error}")
        pcm = io.BytesIO()
        audio = assemble_into(pcm, segment_clips(flat, report.paths, self.profiles),
                              PREVIEW_MASTERING.at_rate(narrator_rate(self.profiles)))
        wav = Path(out) if out else _private_wav()
        write_wav(wav, pcm.getvalue(), audio.rate)
        ready = time.perf_counter() - started
        player = play_wav(wav) if play and not out else None
        if player in {command[0] for command in PLAYERS}:  # played to the end: nothing left
            wav.unlink(missing_ok=True)                      # behind in the temporary folder
        return Preview(items, wav, player, audio.samples / audio.rate, ready, report.rendered)


def _private_wav() -> Path:
    """A file of this preview's own: two previews at once never share one."""
    handle, name = tempfile.mkstemp(prefix="narrate-preview-", suffix=".wav")
    os.close(handle)
    return Path(name)


def text_segment(text: str, role: str, lexicon=None) -> list[tuple[str, Segment]]:
    from narrate.convert.speech import to_say

    say = to_say(text, lexicon)
    if not say.strip():
        raise NarrateError("nothing to speak", hint="give some words", option=("text", text))
    return [("text", Segment("text", role, text, say))]


def write_wav(path: Path, pcm: bytes, rate: int) -> None:
    suffix = path.suffix.lower()
    if suffix not in (".wav", ".mp3"):
        raise NarrateError(f"{path}: previews are written as .wav or .mp3; change the name")
    with atomic_path(path) as tmp:
        if suffix == ".mp3":
            from narrate.stitch.encode import encode_mp3

            encode_mp3(pcm, rate, tmp)
            return
        write_mono_wav(tmp, pcm, rate)


def has_audio_device() -> bool:
    if platform.system() != "Linux":
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}")
    return (Path("/dev/snd").is_dir() and any(Path("/dev/snd").glob("pcmC*"))) or bool(
        os.environ.get("PULSE_SERVER")) or Path(runtime, "pulse", "native").exists()


def play_wav(path: Path) -> str | None:
    """Play with the first player found; None when there is no device or player."""
    if not has_audio_device():
        return None
    for command in PLAYERS:
        if shutil.which(command[0]):
            result = subprocess.run([*command, str(path)], capture_output=True, check=False)
            if result.returncode == 0:
                return command[0]
    opener = {"Darwin": ["open"], "Windows": ["cmd", "/c", "start", ""]}.get(platform.system(),
                                                                            ["xdg-open"])
    if shutil.which(opener[0]):
        subprocess.run([*opener, str(path)], capture_output=True, check=False)
        return opener[0]
    return None


def preview(source: str | Path | Book | None = None, ident: str | None = None, *,
            text: str | None = None, role: str = "narrator", start: str | None = None,
            seconds: float | None = None, out: str | Path | None = None, voices=None,
            cache=None, jobs: int = 1, play: bool = True, lexicon=None,
            **convert) -> tuple[Preview, list[tuple[str, Segment]]]:
    """Hear `ident` of a book (a chapter, section or segment), about `seconds` from
    `start`, or `text` spoken by `role`. Returns the preview and what was spoken."""
    from narrate.metadata import book_lexicon
    from narrate.pipeline import book_with_edits
    from narrate.plan import book_profiles, spoken_with
    from narrate.render.profiles import load_profiles
    from narrate.values import BuildOptions

    if text is not None:
        if source is not None or ident is not None:
            raise NarrateError("needs no book or id", hint="drop them, or drop the text",
                               option=("text", text))
        profiles = load_profiles(voices)
        if role not in profiles:
            raise NarrateError("no such role", hint=nearest(role, profiles),
                               option=("role", role))
        flat = text_segment(text, role, book_lexicon(None, lexicon))
    else:
        if seconds is not None and not start:
            raise NarrateError("goes with {arg:start}", hint="say where the stretch starts",
                               option=("seconds", seconds))
        if source is None or not (ident or start):
            raise NarrateError("say what to preview: a book and an id, a book and a start, "
                               "or some text")
        # a source is heard with the edits its build keeps (output/<book>/script.yaml)
        asked = BuildOptions(voices=voices, meta=convert.pop("meta", None), lexicon=lexicon)
        book, _ = book_with_edits(source, asked, [], **convert)
        profiles = book_profiles(book, voices, lexicon=spoken_with(book, lexicon))
        flat = select(book, ident, start, seconds, profiles)
    speakers = speaker_names(book) if text is None else {}
    with Previewer(profiles, Cache(cache), jobs) as previewer:
        result = previewer.preview(flat, Path(out) if out else None, play, speakers)
    result.spoken = flat
    return result, flat


def audition_cast(profiles: dict, out: str | Path | None = None, play: bool = True
                  ) -> tuple[Preview, list[tuple[str, Segment]]]:
    """Every role's voice saying a sample line, the narrator first."""
    from narrate.convert.speech import to_say

    flat = []
    for role in sorted(profiles, key=lambda r: (r != "narrator", r)):
        line = (f"This is the {role} voice, reading at {profiles[role].rate} words a minute. "
                "It was the best of times, it was the worst of times.")
        flat.append((role, Segment(f"audition:{role}", role, line, to_say(line))))
    with Previewer(profiles) as previewer:
        result = previewer.preview(flat, Path(out) if out else None, play)
    result.spoken = flat
    return result, flat


def listen_cast(book: Book, profiles: dict, out: str | Path | None = None, play: bool = True
                ) -> tuple[Preview, list[tuple[str, Segment]]]:
    """Each of the book's characters saying their own first line in their voice, those
    who speak most first (`narrate cast --listen`)."""
    from narrate.convert.castlist import cast_of

    at = {seg.id: (sec.id, seg) for sec in book.sections for seg in sec.segments}
    flat = [at[e.first_id] for e in cast_of(book).characters if e.first_id in at]
    if not flat:
        raise NarrateError("no character of the book says a line to hear",
                           hint="give quotations a `speaker:` in the script")
    with Previewer(profiles) as previewer:
        result = previewer.preview(flat, Path(out) if out else None, play, speaker_names(book))
    result.spoken = flat
    return result, flat


def book_cast(book: Book, voices=None, listen: bool = False, out: str | Path | None = None):
    """`narrate cast`: the book's characters with the voice each is read in, and with
    `listen` each one heard (listen_cast)."""
    from narrate.convert.castlist import cast_of
    from narrate.plan import book_profiles
    from narrate.render.voicing import describe

    profiles = book_profiles(book, voices)
    found = cast_of(book)
    found = replace(found, characters=[replace(e, voice=describe(profiles[f"quote@{e.name}"]))
                                       for e in found.characters])
    return replace(found, heard=listen_cast(book, profiles, out)[0]) if listen else found
