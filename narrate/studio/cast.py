"""The studio's Cast panel: the book's characters with the voice each speaks in (written
in `characters:`, or chosen at plan time: render/voicing.py), another voice heard on a few
of a character's lines (rendered, not kept), and kept as that character's `voice:` in the
script: only their lines' cache keys change, so only their lines are rendered again.
A mixin of studio.session.Session, which holds the book, the lock and the history."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from narrate.errors import NarrateError
from narrate.model import QUOTE, Book
from narrate.render.items import line_item, speaker_key, speaker_names
from narrate.render.voicing import Spec, character_voices, palette, parse_spec, profile_for
from narrate.studio.changes import script_with
from narrate.studio.history import Snapshot
from narrate.studio.takes import kept_take

if TYPE_CHECKING:
    import threading
    from pathlib import Path

    from narrate.audition import Previewer

HEARD_LINES = 3  # a character's lines "Hear a few" renders
SEMITONES = re.compile(r"[+-]?\d{1,2}(?:\.\d)?")
PACE = re.compile(r"\d{1,3}")
MOST_SEMITONES, PACES = 12.0, (50, 200)  # a shift and a pace a voice still sounds like itself


def asked_voice(voice: str, semitones: str, pace: str) -> Spec:
    """The voice the page asks for (a voice, a shift, a pace), checked as a script's
    `voice:` is read: one line saying what is wrong, nothing written."""
    voice, semitones, pace = voice.strip(), semitones.strip(), pace.strip().removesuffix("%")
    if not (voice or semitones or pace):  # it would read as "no voice written": the quote's
        raise NarrateError("no voice asked", hint="choose one of the voices listed")
    if semitones and not (SEMITONES.fullmatch(semitones)
                          and abs(float(semitones)) <= MOST_SEMITONES):
        raise NarrateError(f"semitones {semitones[:20]!r} is not a shift narrate can make",
                           hint=f"write a number from -{MOST_SEMITONES:g} to "
                                f"+{MOST_SEMITONES:g}, e.g. -4, or leave it empty")
    if pace and not (PACE.fullmatch(pace) and PACES[0] <= int(pace) <= PACES[1]):
        raise NarrateError(f"pace {pace[:20]!r} is not a pace narrate can read at",
                           hint=f"write a percent from {PACES[0]} to {PACES[1]}, e.g. 95")
    spec = Spec(voice, float(semitones) if semitones else None, int(pace) if pace else 100)
    if len(voice.split()) > 1 or parse_spec(str(spec), "the voice asked") != spec:
        raise NarrateError(f"voice {voice[:40]!r} is not one voice's name",
                           hint="choose one of the voices listed")
    return spec


def with_voice(book: Book, name: str, voice: str) -> Book:
    """A copy of `book` whose character `name` speaks in `voice` (the rest as it was)."""
    book = copy.deepcopy(book)
    for character in book.characters:
        if character.name == name:
            character.voice = voice
    return book


class CastEdits:
    """A session's Cast: its characters, another voice heard and kept (see the module)."""

    if TYPE_CHECKING:  # the Session's own, which this is part of
        folder: Path
        book: Book
        _base: Book | None
        lexicon: Any
        voices: Any
        cache: Any
        _busy: threading.Lock
        _script_bytes: bytes
        _previewer: Previewer | None
        _previewer_voices: list[tuple[str, str]]

        def _unchanged_on_disk(self) -> None: ...
        def _made_on(self, version: str | None) -> None: ...
        def _write_and_build(self, script: bytes, before: Snapshot,
                             lexicon: bytes | None = None) -> Any: ...

    def cast(self) -> dict:
        """Each character with the voice they speak in, whether it is written in the script
        (else chosen), how many lines they say; and the voices the engine offers them."""
        with self._busy:
            _, profiles = self._renderer_for()
        quote = profiles.get(QUOTE)
        if quote is None or not self.book.characters:
            return {"characters": [], "voices": []}
        voices = character_voices(self.book, quote, profiles.get("narrator"))
        names = speaker_names(self.book)
        said = [names.get((s.speaker or "").casefold()) for s in self.book.spoken]
        offered = dict.fromkeys([quote.voice, *(spec.voice for spec, _ in palette(quote)),
                                 *(spec.voice or quote.voice for spec, _ in voices.values())])
        return {"characters": [
            {"name": c.name, "voice": voices[c.name][0].voice or quote.voice,
             "semitones": voices[c.name][0].semitones, "pace": voices[c.name][0].pace,
             "written": bool(c.voice), "lines": said.count(c.name)}
            for c in self.book.characters], "voices": list(offered)}

    def hear_voice(self, name: str, voice: str, semitones: str = "", pace: str = ""
                   ) -> list[dict]:
        """The first HEARD_LINES of `name`'s lines said in the voice asked: rendered through
        the cache, the book's own voice for them untouched."""
        with self._busy:
            character, spec = self._recast(name, voice, semitones, pace)
            renderer, profiles = self._renderer_for()
            key = speaker_key(QUOTE, character)
            names = speaker_names(self.book)
            lines = [s for s in self.book.spoken
                     if names.get((s.speaker or "").casefold()) == character][:HEARD_LINES]
            if not lines:
                raise NarrateError(f"{character} says no line in this book")
            items = [line_item(s, names) for s in lines]
            renderer.profiles = {**profiles, key: profile_for(spec, character, profiles[QUOTE])}
            try:
                report = renderer.render(items, progress=False)
            finally:
                renderer.profiles = profiles
            if report.failed:
                raise NarrateError(f"could not render {report.failed[0].id}: "
                                   f"{report.failed[0].error}")
            return [{"id": s.id, "text": s.text, **vars(kept_take(
                self.folder, s.id, report.keys[s.id], report.paths[s.id]))} for s in lines]

    def keep_voice(self, name: str, voice: str, semitones: str = "", pace: str = "",
                   version: str | None = None):
        """Write `name`'s `voice:` into the script's `characters:` (that one value) and
        rebuild: only their lines are rendered again. Undo takes it back like any Keep."""
        with self._busy:
            self._unchanged_on_disk()
            character, spec = self._recast(name, voice, semitones, pace)
            written = with_voice(self.book, character, str(spec))
            if written.characters == self.book.characters:
                raise NarrateError(f"{character}: already speaks in {spec}",
                                   hint="choose another voice, then Keep")
            self._made_on(version)
            script = script_with(written, [], self._base, self.lexicon, self.folder)
            return self._write_and_build(script, Snapshot(self._script_bytes))

    def _recast(self, name: str, voice: str, semitones: str, pace: str) -> tuple[str, Spec]:
        """The character `name` (by any of their names) and the voice asked, checked against
        the engines (a voice none has is one line): nothing is written before this."""
        character = speaker_names(self.book).get(name.strip().casefold())
        if character is None:
            raise NarrateError(f"{name[:80]!r} is none of the book's characters",
                               hint="choose one in the Cast panel")
        spec = asked_voice(voice, semitones, pace)
        _, profiles = self._renderer_for()
        profile_for(spec, character, profiles[QUOTE])  # one line when no engine has it
        return character, spec

    def _renderer_for(self):
        """A renderer for the book's cast, its engines kept warm between takes; made again
        when a character's voice has changed (a Keep in the Cast, its Undo)."""
        voices = [(c.name, c.voice) for c in self.book.characters]
        if self._previewer is not None and self._previewer_voices != voices:
            self._previewer.renderer.close()
            self._previewer = None
        if self._previewer is None:
            from narrate.audition import Previewer
            from narrate.plan import book_profiles, spoken_with
            from narrate.render.cache import Cache

            lexicon = spoken_with(self.book, self.lexicon, self.folder.parent)
            self._previewer = Previewer(book_profiles(self.book, self.voices, lexicon=lexicon),
                                        Cache(self.cache))
            self._previewer_voices = voices
        return self._previewer.renderer, self._previewer.profiles
