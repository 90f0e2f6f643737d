"""What a studio edit makes of a line or of the book's lexicon, checked before anything is
written: pure functions a session calls (narrate.studio.session)."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from pathlib import Path

from narrate.convert.lexicon import Lexicon
from narrate.edits import as_written, said
from narrate.errors import NarrateError
from narrate.fileio import nearest
from narrate.manifest import Manifest
from narrate.model import Book, Segment
from narrate.patterns import unsayable
from narrate.scriptfile import to_yaml

LONGEST = 20_000  # characters a segment's text or say may have from the page
WORD = re.compile(r"[^\W\d_](?:[\w'’.-]{0,38}\w)?")  # one word: what a lexicon entry matches
SPELLING = re.compile(r"[^\x00-\x1f\x7f-\x9f\ud800-\udfff]{1,100}")  # one line of characters


def changed_segment(segment: Segment, say: str | None, role: str | None, text: str | None,
                    roles, rules: tuple[Lexicon, bool], speaker: str | None = None,
                    book: Book | None = None) -> Segment:
    """`segment` as the edit would leave it: a new text is spoken by the book's own
    `rules` (edits.speech_rules: as a build says a text edited by hand) unless a say is
    given too; `role` one of `roles`; `speaker` one of `book`'s characters."""
    if max(len(text or ""), len(say or "")) > LONGEST:
        raise NarrateError(f"{segment.id}: more than {LONGEST:,} characters",
                           hint="split it into sentences in script.yaml")
    for name, value in (("text", text), ("say", say), ("role", role)):
        bad = unsayable(value or "")
        if bad:  # checked before anything is written: a script cannot hold it
            raise NarrateError(f"{segment.id}: its {name} holds U+{ord(bad):04X}, which is not "
                               "a character narrate can write or say", hint="delete it")
    new = replace(segment)
    if text is not None and text.strip() and text != segment.text:
        new.text = text
        if say is None or say == segment.say:
            say = said(text, segment.citation, *rules)
    if say is not None:
        if not say.strip():
            raise NarrateError(f"{segment.id}: nothing to say", hint="give it some words")
        new.say = say
    if role is not None:
        if role not in roles:
            raise NarrateError(f"no voice for the role {role!r}",
                               hint=f"one of {', '.join(sorted(roles))}")
        new.role = role
    return with_speaker(new, speaker, book) if book is not None else new


def with_speaker(segment: Segment, speaker: str | None, book: Book) -> Segment:
    """`segment` said by `speaker`: one of the book's characters (by any of their names,
    written as the book calls them), or '' for the quote voice. Only a quotation of a novel
    has a speaker (convert/speakers.py); a name that is no character is refused, not
    written (a build would read it in the quote voice)."""
    if speaker is None or speaker.strip() == segment.speaker:
        return segment
    if segment.speaker is None:
        raise NarrateError(f"{segment.id}: not a quotation, so it has no speaker",
                           hint="change the speaker of a quoted line")
    speaker = speaker.strip()
    if speaker:
        names = {n.casefold(): c.name for c in book.characters for n in c.names}
        if speaker.casefold() not in names:
            raise NarrateError(f"{segment.id}: speaker {speaker[:80]!r} is none of the book's "
                               f"characters ({nearest(speaker[:80], sorted(set(names.values())))})",
                               hint="choose one of them, or add it to `characters:` in "
                                    "script.yaml")
        speaker = names[speaker.casefold()]
    return replace(segment, speaker=speaker)


def script_with(book: Book, changed: list[Segment], base: Book | None,
                lexicon: str | Path | None = None, folder: Path | None = None) -> bytes:
    """The script of `book` with the `changed` segments in place of its own, written as
    the edit rule reads it against its `base` (a say made from an edited text is written
    as the base's, so the next hand edit of that text is heard too). `book` itself is not
    changed: a studio's book changes when the build reads what is written."""
    book = copy.deepcopy(book)
    new = {s.id: s for s in changed}
    for segment in book.spoken:
        if segment.id in new:
            segment.text, segment.say, segment.role, segment.speaker = (
                new[segment.id].text, new[segment.id].say, new[segment.id].role,
                new[segment.id].speaker)
    if base is not None:  # `lexicon`, `folder`: the --lexicon and the folder its builds read
        book = as_written(book, base, lexicon, folder)
    return to_yaml(book).encode("utf-8")


def lexicon_entry(word: str, respelling: str) -> Lexicon:
    """The lexicon entry respelling `word`, checked: one word, one short line."""
    if not WORD.fullmatch(word or ""):
        raise NarrateError(f"{word[:40]!r} is not one word", hint="select a single word")
    if not SPELLING.fullmatch(respelling or "") or not respelling.strip():
        raise NarrateError("a respelling is one line of up to 100 characters",
                           hint="write the word as it should sound, e.g. Vol-ga")
    # a word capitalised only as the first of a sentence or a name matches any case
    key = word.lower() if word[1:] == word[1:].lower() else word
    return Lexicon({key: respelling})


def cast_used(manifest: Manifest, book: Book) -> str | None:
    """The shipped cast the book was last built with, when its script names none: a Keep
    must not rebuild a book built with --voices espeak in another voice."""
    from narrate.metadata import cast_names
    from narrate.render.profiles import load_profiles

    if book.extra.get("voices"):
        return None
    for name in cast_names():
        profiles = load_profiles(name)
        if all(role in profiles and (profiles[role].engine, profiles[role].voice) ==
               (used.engine, used.voice) for role, used in manifest.voices.items()):
            return name
    return None
