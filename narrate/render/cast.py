"""A book's cast as the renderer uses it: each role's voice for the book's language, the
lexicon's phonemes for each engine, and a line as its engine is given it."""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter

from narrate.convert.language import name_of
from narrate.convert.lexicon import WordTable
from narrate.errors import NarrateError
from narrate.patterns import regex
from narrate.problems import counted
from narrate.render.engines import engine
from narrate.render.items import RenderItem, voice_key
from narrate.render.profiles import PORTABLE_CAST, VoiceProfile, load_profiles


def cast_for_language(profiles: dict[str, VoiceProfile], language: str
                      ) -> tuple[dict[str, VoiceProfile], list[str]]:
    """The cast for a book's language: each engine picks its voice for the language
    (espeak-ng swaps an English voice for the language's own); a role whose engine speaks
    English only is read by the espeak cast's voice for that role, and one line says so."""
    if not language or language.lower().startswith("en"):
        return profiles, []
    cast, moved = dict(profiles), []
    portable = load_profiles(PORTABLE_CAST)
    for role, profile in profiles.items():
        voice = engine(profile.engine).voice_for_language(profile.voice, language)
        if voice is None and role in portable:  # English only: the espeak cast's voice
            profile = portable[role]
            moved.append(role)
            voice = engine(profile.engine).voice_for_language(profile.voice, language)
        if voice is None:  # no espeak profile for this role: it keeps its English voice
            continue
        cast[role] = dataclasses.replace(profile, voice=voice)
    if not moved:
        return cast, []
    line = (f"this book's language is {name_of(language)}, which the {', '.join(moved)} "
            f"voices' engine does not speak: the {PORTABLE_CAST} cast reads them")
    return cast, [line]


def passage_cast(cast: dict[str, VoiceProfile], book_cast: dict[str, VoiceProfile],
                 lines: list[tuple[str, str]]) -> tuple[dict[str, VoiceProfile], list[str]]:
    """The voices for the book's passages in other languages (`lines`: a (role, language)
    a segment), as entries "role:language" of the cast (RenderItem.voice): each role's
    voice for the language, and a line for each language saying who reads it. A language
    espeak-ng has no voice for is read by the book's voices (`book_cast`), said so."""
    found: dict[str, VoiceProfile] = {}
    told: dict[str, tuple[list[str], int]] = {}  # how they are read -> languages, segments
    for language in sorted({language for _, language in lines}):
        roles = Counter(role for role, spoken_in in lines if spoken_in == language)
        try:
            voiced, _ = cast_for_language(cast, language)
            how = "read by " + ", ".join(sorted({voiced[r].voice for r in roles if r in voiced}))
        except NarrateError:
            voiced, how = book_cast, "espeak-ng has no voice for it, so the book's voices read it"
        languages, count = told.get(how, ([], 0))
        told[how] = (languages + [name_of(language)], count + sum(roles.values()))
        found.update({voice_key(role, language): dataclasses.replace(
            voiced[role], role=voice_key(role, language)) for role in roles if role in voiced})
    # one line for each way of reading: a page of 200 region tags (fr-AA, fr-AB …) was 200
    return found, [f"{counted(count, 'segment')} in {_some(languages)}: {how}"
                   for how, (languages, count) in told.items()]


def _some(names: list[str], shown: int = 3) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def with_phonemes(profiles: dict[str, VoiceProfile], lexicon) -> dict[str, VoiceProfile]:
    """Each profile with the lexicon's phonemes for its engine, each checked by the engine
    now (one line naming the lexicon's entry, before any work)."""
    given = getattr(lexicon, "phonemes", None) or {}
    for name, (_, place) in ((n, next(iter(e.values()))) for n, e in given.items()):
        engine(name, place)  # a known engine?
    cast = dict(profiles)
    for role, profile in profiles.items():
        entries = given.get(profile.engine, {})
        mark = getattr(engine(profile.engine), "mark_phonemes", None)
        if not entries or mark is None:
            continue
        marked = []
        for spoken, (phonemes, place) in sorted(entries.items()):
            try:
                marked.append((spoken, mark(spoken, phonemes)))
            except NarrateError as exc:
                raise NarrateError(exc.what, where=place, hint=exc.hint) from None
        cast[role] = dataclasses.replace(profile, phonemes=tuple(marked))
    return cast


def spoken(item: RenderItem, profile: VoiceProfile) -> RenderItem:
    """The item as its engine is given it: the lexicon's phonemes marked up."""
    if not profile.phonemes:
        return item
    table, marked = _phoneme_table(profile.phonemes)
    say = table.sub(item.say, marked.get)
    return item if say == item.say else dataclasses.replace(item, say=say)


# a spoken word stands whole: not inside a word, nor inside the markup of another
_BEFORE_SPOKEN, _AFTER_SPOKEN = regex(r"[\w\[-]"), regex(r"[\w\]-]")


@functools.lru_cache(maxsize=16)
def _phoneme_table(phonemes: tuple[tuple[str, str], ...]) -> tuple[WordTable, dict]:
    """The table of the spoken words (as written: case matters), and each one's markup."""
    return (WordTable((w for w, _ in phonemes), folded=False, before=_BEFORE_SPOKEN,
                      after=_AFTER_SPOKEN), dict(phonemes))
