"""A studio session: one built book's folder, its script and its audio, and the edits a
person makes by ear. Hear a segment said another way (only that line is rendered), Keep
it (script.yaml is rewritten as a person's edit would be, and the build re-exports only
what holds it), Undo the last Keep. The web server (narrate.studio.server) is a thin
layer over this; a program can drive a session without it.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from narrate.edits import edited_and_base, speech_rules
from narrate.errors import NarrateError
from narrate.faults import checkpoint
from narrate.fileio import atomic_write_bytes
from narrate.lock import book_lock
from narrate.manifest import MANIFEST, Manifest, given_lexicon, read_manifest
from narrate.model import Book, Segment
from narrate.studio.cast import CastEdits
from narrate.studio.changes import cast_used, changed_segment, lexicon_entry, script_with
from narrate.studio.history import History, Snapshot, digest, restore
from narrate.studio.respellings import lexicon_edit
from narrate.studio.takes import Take, kept_take
from narrate.studio.view import book_view, findings_view
from narrate.values import BuildOptions

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11

    from narrate.audition import Previewer

STUDIO_LOCK = ".narrate-studio.lock"  # one studio per book


class Stale(NarrateError):
    """A change asked of a book that changed since it was shown."""


class Session(CastEdits):
    """The studio's hold on one book folder. Every change goes through `keep` and `undo`,
    one at a time; `close` lets the folder go."""

    def __init__(self, folder: str | Path, voices=None, cache=None):
        self.folder = Path(folder).resolve()
        self.script_path = self.folder / "script.yaml"
        if not (self.folder / MANIFEST).is_file() or not self.script_path.is_file():
            raise NarrateError(f"{self.folder}: not a built book (no {MANIFEST} or script.yaml)",
                               hint="build it first: `narrate build SOURCE`, or give "
                                    "`narrate studio` the source")
        self.voices = voices
        self._lock = contextlib.ExitStack()
        self._lock.enter_context(book_lock(self.folder, name=STUDIO_LOCK, what="studio"))
        self._busy = threading.Lock()
        self._undo = History(self.folder)
        self.notes: list[str] = []  # what the last change did that a person must be told
        self._previewer: Previewer | None = None
        try:
            self.lexicon = given_lexicon(self.folder)  # the build's --lexicon, read again
            self._read()
            self._builds_here()
            self.cache = cache or self.manifest.cache
            self.voices = voices or cast_used(self.manifest, self.book)
            if self.manifest.script not in ("", self.version):
                self._build()  # the audio is not the script's (a Keep cut short, a hand edit)
        except BaseException:
            self._lock.close()
            raise

    def _read(self) -> None:
        self.manifest: Manifest = read_manifest(self.folder)
        self._script_bytes = self.script_path.read_bytes()
        # as a build reads it: a text edited by hand is said by the book's rules
        self.book: Book
        self.book, self._base = edited_and_base(self.script_path, self.lexicon)

    def close(self) -> None:
        with self._busy:  # after the take or build in hand (or the warming) ends
            if self._previewer is not None:
                self._previewer.renderer.close()
                self._previewer = None
            self._lock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # what the page shows

    def view(self) -> dict:
        """The book as the page shows it: each chapter's MP3 and segments with their times."""
        return {**book_view(self.book, self.manifest),
                "undo": self._undo.count(self._script_bytes),
                "version": self.version}

    # hear, keep, undo

    def hear(self, ident: str, say: str | None = None, role: str | None = None,
             text: str | None = None, speaker: str | None = None) -> Take:
        """Render `ident` said as `say` (or `text`, spoken by the book's rules) in `role`:
        only that line; the take goes through the segment cache."""
        from narrate.render.items import line_item, speaker_names

        with self._busy:
            checkpoint("studio-hear")  # a test holds a Hear here
            segment = self._changed(self._segment(ident), say, role, text, speaker)
            item = line_item(segment, speaker_names(self.book))
            renderer, profiles = self._renderer_for()
            if item.role not in profiles:
                raise NarrateError(f"no voice for the role {item.role!r}",
                                   hint=f"one of {', '.join(sorted(profiles))}")
            report = renderer.render([item], progress=False)
            if report.failed:
                raise NarrateError(f"could not render {ident}: {report.failed[0].error}")
            return kept_take(self.folder, ident, report.keys[ident], report.paths[ident])

    def warm(self) -> None:
        """Load the cast's engines now, so that the first Hear it is as quick as the rest."""
        with self._busy:
            self._renderer_for()
            if self._previewer is not None:
                self._previewer.warm()

    def current_take(self, ident: str) -> Take | None:
        """The take the book plays now for `ident` (None for a line not rendered)."""
        key = self.manifest.segments.get(ident)
        if not key:
            return None
        from narrate.render.cache import Cache

        path = Cache(self.cache).get(key)
        return kept_take(self.folder, ident, key, path) if path else None

    def keep(self, ident: str, say: str | None = None, role: str | None = None,
             text: str | None = None, version: str | None = None, speaker: str | None = None):
        """Write the change into script.yaml (as a person's edit: the next build from the
        source keeps it) and rebuild: only the chapter holding it is exported again.
        `version`: the book's version the change was made on (see `view`)."""
        with self._busy:
            self._unchanged_on_disk()
            segment = self._segment(ident)
            changed = self._changed(segment, say, role, text, speaker)
            if changed == segment:
                raise NarrateError(f"{ident}: nothing changed", hint="edit it, then Keep")
            self._made_on(version)
            return self._write_and_build(self._script_with([changed]),
                                         Snapshot(self._script_bytes))

    def undo(self, version: str | None = None):
        """Put back script.yaml (and the lexicon) as they were before the last Keep, and
        rebuild."""
        with self._busy:
            self._unchanged_on_disk()
            before = self._undo.last(self._script_bytes)
            self._made_on(version)
            if before.lexicon is not None:
                restore(before.lexicon, before.lexicon_bytes)
            atomic_write_bytes(self.script_path, before.script)
            self._undo.drop()
            return self._build()

    # pronunciation: a word respelled wherever it is said

    def places(self, word: str, respelling: str = "") -> list[dict]:
        """Every line that says `word` (as a lexicon entry matches it), with the line as it
        would be said respelled."""
        entry = lexicon_entry(word, respelling or word)
        probe = replace(entry, entries={key: "\x00" for key in entry.entries})  # where it would
        return [{"id": s.id, "say": s.say, "respelled": entry.apply(s.say)}
                for s in self.book.spoken if probe.apply(s.say) != s.say]

    def hear_word(self, word: str, respelling: str, limit: int = 3) -> list[dict]:
        """The first `limit` places of `word`, each heard as it is and respelled."""
        found = self.places(word, respelling)[:limit]
        if not found:
            raise NarrateError(f"the book never says {word!r}")
        heard = []
        for place in found:
            old = self.current_take(place["id"])
            new = self.hear(place["id"], say=place["respelled"])
            heard.append({"id": place["id"], "old": vars(old) if old else None, "new": vars(new)})
        return heard

    def pronounce(self, word: str, respelling: str, version: str | None = None):
        """Respell `word` in every line that says it, and nowhere else; the entry goes into
        the book's lexicon (the metadata's, or lexicon.yaml in the book's folder) for the
        next conversion (`notes` says where, when it went elsewhere). One Keep: Undo takes
        both back."""
        with self._busy:
            self._unchanged_on_disk()
            entry = lexicon_entry(word, respelling)
            edit = lexicon_edit(self.book, self.folder, entry, self.lexicon)
            changed = [replace(s, say=entry.apply(s.say)) for s in self.book.spoken
                       if entry.apply(s.say) != s.say]
            if not changed:
                raise NarrateError(f"the book never says {word!r}")
            self._made_on(version)
            result = self._write_and_build(self._script_with(changed),
                                           Snapshot(self._script_bytes, edit.path, edit.before),
                                           edit.after)
            self.notes = [edit.note] if edit.note else []
            return result

    # what `narrate check` finds, and taking a line again

    def findings(self, asr: bool = False) -> list[dict]:
        """`narrate check` on the book (with the listener when `asr`): each finding, with
        the segment it names when it names one."""
        from narrate.qa import check_book

        with self._busy:
            report = check_book(self.folder, asr=asr, progress=False)
        return findings_view(report.findings, self.book)

    def retake(self, ident: str, version: str | None = None):
        """The next take of `ident`, kept in script.yaml (Undo puts the last one back), and
        its chapter rebuilt (`narrate build --only ID`)."""
        with self._busy:
            self._unchanged_on_disk()
            self._segment(ident)
            self._made_on(version)
            before = self._script_bytes
            result = self._build(only=ident)
            if self._script_bytes != before:  # the new take is in the script
                self._undo.push(Snapshot(before), self._script_bytes)
            return result

    # the parts

    def _script_with(self, changed: list[Segment]) -> bytes:
        return script_with(self.book, changed, self._base, self.lexicon, self.folder)

    def _write_and_build(self, script: bytes, before: Snapshot, lexicon: bytes | None = None):
        """Write the script (and `lexicon` into `before.lexicon`), everything checked
        already, `before` kept for Undo first (a Keep cut short can still be undone); then
        rebuild."""
        self._undo.push(before, script, lexicon)
        try:
            if before.lexicon is not None and lexicon is not None:
                atomic_write_bytes(before.lexicon, lexicon)
            atomic_write_bytes(self.script_path, script)
        except BaseException:
            if before.lexicon is not None:
                restore(before.lexicon, before.lexicon_bytes)  # both, or neither
            self._undo.drop()
            raise
        return self._build()

    def _build(self, only: str | None = None):
        """Build the book from its script into its own folder (`only`: `--only ID`)."""
        from narrate.pipeline import build

        self.notes = []
        try:
            return build(self.script_path, BuildOptions(
                out=self.folder.parent, cache=self.cache, voices=self.voices, progress=False,
                only=only, lexicon=self.lexicon))
        finally:
            self._read()  # what is on disk now, whatever the build did

    def _builds_here(self) -> None:
        """A build of the script goes into this folder (not one named after another source)."""
        from narrate.plan import book_folder

        where = book_folder(self.book, self.folder.parent).resolve()
        if where != self.folder:
            raise NarrateError(f"{self.script_path}: builds into {where}, not {self.folder}",
                               hint="start the studio on that folder, or on the source")

    def _unchanged_on_disk(self) -> None:
        """One clear line, and nothing written, when script.yaml was changed by someone
        else since the studio read it (an editor, a build from the source)."""
        if self.script_path.read_bytes() != self._script_bytes:
            self._read()
            raise NarrateError(f"{self.script_path}: changed on disk since the studio read it; "
                               "nothing was written", hint="the page shows it as it is now: "
                                                           "make the change again")

    @property
    def version(self) -> str:
        """The book's version: script.yaml's digest (a page sends the one it showed)."""
        return str(digest(self._script_bytes))

    def _made_on(self, version: str | None) -> None:
        """A change made on a page that shows an older book is refused: another tab's Keep
        or Undo since would be silently undone."""
        if version is not None and version != self.version:
            raise Stale("the book changed since this page showed it (a Keep or Undo in "
                        "another tab?); nothing was written",
                        hint="reload the page, then make the change again")

    def _segment(self, ident: str) -> Segment:
        for segment in self.book.spoken:
            if segment.id == ident:
                return segment
        raise NarrateError(f"no segment {ident!r} in {self.script_path}")

    def _changed(self, segment: Segment, say, role, text, speaker=None) -> Segment:
        return changed_segment(segment, say, role, text, self.manifest.voices,
                               speech_rules(self.book, self.lexicon, self.folder), speaker,
                               self.book)
