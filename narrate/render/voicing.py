"""A voice for each of the book's people: a character's `voice:` (theirs, from the script
or the metadata) or one chosen from the cast's engine, as a profile of the cast keyed
"quote@NAME" (RenderItem.voice), so that the cache key of every line they say holds it.

A voice is written `VOICE [±SEMITONES] [PACE%]`: `heart -4`, `en_US-joe-medium +1 95%`,
`gmw/en-US+m3`, or `-3` (the quote voice, shifted). The shift is from the voice's own pitch
(a tape-speed shift for a neural voice, espeak-ng's pitch for pyttsx3); the pace is against
the voice's own profile's rate (the quote voice's, or the shipped cast's for another voice).

The choice is deterministic: the characters in the book's order (those who speak most
first), each given the first voice of the palette that is far enough from the narrator and
from everyone already voiced they share a conversation with, of their gender when known.
A voice a user writes takes no part in the choice: it changes that character's lines alone.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from narrate.errors import NarrateError
from narrate.metadata import DEFAULT_VOICES_DIR, cast_names
from narrate.model import QUOTE, Book, Character
from narrate.render.engines import engine, engine_names, installed
from narrate.render.engines.base import VoiceProfile
from narrate.render.items import speaker_key, speaker_names
from narrate.render.profiles import RANGES, load_profiles

# two voices a listener tells apart: another voice, or this many semitones of one voice.
# Resemblyzer's cosine (scripts/bench cast; the same voice on two lines 0.91+): Heart -2
# and -6 0.74, -2 and -7 0.70, but -4 and -7 0.85, -4 and -8 0.80; the narrator (Heart as
# she is) against -2 0.80, -4 0.68, -7 0.64, against +2 0.90; Joe against Joe +4 0.61
APART = 4.0  # two characters in one conversation (target: cosine <= 0.75)
NARRATOR_APART = 2.0  # a character and the narrator (target: cosine <= 0.80)
OTHER_VOICE = 12.0  # how far apart two different voices count
PITCH_PER_SEMITONE = 4  # espeak-ng's pitch (0-100, 50 its own) for a semitone, about
CONVERSATION_GAP = 3  # sections without a speaker that end a conversation

_SHIFT = re.compile(r"[+-]\d+(?:\.\d+)?(?:st)?")
_PACE = re.compile(r"\d+%")


@dataclass(frozen=True)
class Spec:
    """A voice as a character's `voice:` writes it."""
    voice: str = ""  # "" the quote voice's
    semitones: float | None = None
    pace: int = 100  # percent of the quote voice's rate

    def __str__(self) -> str:
        shift = "" if self.semitones is None else f"{self.semitones:+g}"
        pace = "" if self.pace == 100 else f"{self.pace}%"
        return " ".join(p for p in (self.voice, shift, pace) if p)


def parse_spec(text: str, where: str) -> Spec:
    voice, shift, pace = "", None, 100
    for token in text.split()[:4]:
        if _SHIFT.fullmatch(token):
            shift = float(token.removesuffix("st"))
        elif _PACE.fullmatch(token):
            pace = int(token[:-1])
        elif not voice:
            voice = token
        else:
            raise NarrateError(f"{where}: voice {text!r} names two voices",
                               hint="write VOICE [±SEMITONES] [PACE%], e.g. `heart -4 95%`")
    if len(text.split()) > 3:
        raise NarrateError(f"{where}: voice {text!r} has more than a voice, a shift and a pace",
                           hint="write VOICE [±SEMITONES] [PACE%], e.g. `heart -4 95%`")
    return Spec(voice, shift, pace)


def character_profiles(book: Book, profiles: dict) -> dict:
    """"quote@NAME" -> the voice profile each of the book's characters speaks in: theirs
    (checked now: one line naming the character) or chosen; none for a book without
    characters or a cast without a quote voice."""
    quote, narrator = profiles.get(QUOTE), profiles.get("narrator")
    if not book.characters or quote is None:
        return {}
    chosen = character_voices(book, quote, narrator)
    return {speaker_key(QUOTE, name): profile_for(spec, name, quote, origin)
            for name, (spec, origin) in chosen.items()}


def character_voices(book: Book, quote, narrator) -> dict[str, tuple[Spec, str]]:
    """Each character's voice and where it was written ('' when chosen here). The choice
    is made as if no one's voice were written, so that a user's voice for one character
    re-voices their lines and no one else's."""
    choices = palette(quote)
    neighbours = conversations(book)
    taken: dict[str, Spec] = {}
    out = {}
    for character in book.characters:
        near = [taken[n] for n in neighbours.get(character.name, ()) if n in taken]
        taken[character.name] = _choose(choices, character, near, _own(narrator),
                                        list(taken.values()))
        place = character.origin or book.source or "the script"
        out[character.name] = (parse_spec(character.voice, f"{place}: character "
                                          f"{character.name!r}"), place) \
            if character.voice else (taken[character.name], "")
    return out


def _own(profile) -> Spec:
    if profile is None:
        return Spec("\0")
    return Spec(profile.voice, float(profile.options.get("semitones", 0)))


def describe(profile) -> str:
    """A character's voice as `narrate cast` shows it: its voice, shift (espeak-ng's pitch)
    and pace."""
    if profile.engine == "pyttsx3":
        return f"{profile.voice} ({profile.rate} wpm, pitch {profile.pitch})"
    shift = profile.options.get("semitones")
    return f"{profile.voice}{f' {shift:+g}' if shift else ''} ({profile.rate} wpm)"


def apart(a: Spec, b: Spec) -> float:
    if a.voice != b.voice:
        return OTHER_VOICE
    return abs((a.semitones or 0) - (b.semitones or 0))


def _choose(choices: list[tuple[Spec, str]], character: Character, near: list[Spec],
            narrator: Spec, used: list[Spec]) -> Spec:
    """The first voice apart from the narrator and from `near`, of the character's gender,
    least used; else the one farthest from them."""
    def score(index: int) -> tuple:
        spec, gender = choices[index]
        closest = min([apart(spec, n) for n in near], default=OTHER_VOICE)
        clear = apart(spec, narrator) >= NARRATOR_APART and closest >= APART
        fits = not character.gender or gender in ("", character.gender)
        return (clear, fits, min(closest, APART), -used.count(spec), -index)

    return choices[max(range(len(choices)), key=score)][0]


def palette(quote) -> list[tuple[Spec, str]]:
    """The voices a character may be given in this cast, best first, each with the gender
    it suits ('' either)."""
    if quote.engine == "pyttsx3":
        base = quote.voice.partition("+")[0] or "gmw/en-US"
        return [(Spec(f"{base}+{variant}"), gender) for variant, gender in
                (("m3", "male"), ("f3", "female"), ("m1", "male"), ("f1", "female"),
                 ("m7", "male"), ("f4", "female"), ("m5", "male"), ("f5", "female"))]
    # Heart's shifts with a predicted MOS of 4.2 or more (DistillMOS: -2 4.68, -4 4.64,
    # -7 at 95% 4.34; -8 3.64 even at 85%, +2 4.11), the one nearest the narrator last
    found = [(Spec(quote.voice, -4.0), "female"), (Spec(quote.voice, -7.0, 95), "male"),
             (Spec(quote.voice, -2.0), "female")]
    fetched = getattr(engine(quote.engine), "VOICES", {})  # hibari's, once fetched
    found[:0] = [(Spec(v), "female" if "female" in about else "male")
                 for v, about in fetched.items() if v != quote.voice]
    if installed("piper"):  # piper's Joe, a man's voice (narrate[piper]): 4.54, +4 4.57
        found[1:1] = [(Spec("en_US-joe-medium"), "male"), (Spec("en_US-joe-medium", +4.0), "male")]
    return found


def conversations(book: Book) -> dict[str, set[str]]:
    """Who shares a conversation with whom: speakers of quotations in one chapter with no
    more than CONVERSATION_GAP sections between them in which no one speaks."""
    names = speaker_names(book)
    shared: dict[str, set[str]] = {}
    for chapter in book.chapters:
        present: set[str] = set()
        gap = 0
        for section in chapter.sections:
            here = {names[s.speaker.casefold()] for s in section.segments
                    if s.speaker and s.speaker.casefold() in names}
            gap = 0 if here else gap + 1
            if gap > CONVERSATION_GAP:
                present = set()
            for name in here:
                shared.setdefault(name, set()).update(present - {name})
                for other in present - {name}:
                    shared.setdefault(other, set()).add(name)
            present |= here
    return shared


def profile_for(spec: Spec, name: str, quote, origin: str = ""):
    """The profile `spec` makes of the quote voice (or of the voice it names)."""
    where = f"{origin}: character {name!r}" if origin else f"character {name!r}"
    template = _template(spec.voice or quote.voice, quote, where)
    options = dict(template.options)
    pitch = template.pitch
    if spec.semitones is not None:
        if "semitones" in getattr(engine(template.engine), "OPTIONS", {}):
            options["semitones"] = spec.semitones
        else:
            pitch = int(min(100, max(0, 50 + spec.semitones * PITCH_PER_SEMITONE)))
    low, high = RANGES["rate"]
    rate = int(min(high, max(low, round(template.rate * spec.pace / 100))))
    profile = dataclasses.replace(template, role=speaker_key(QUOTE, name), options=options,
                                  pitch=pitch, rate=rate, source=where)
    try:
        engine(profile.engine).validate(profile)
    except NarrateError as exc:
        raise NarrateError(f"{where}: voice {str(spec)!r}: {exc.what.split(': ', 1)[-1]}",
                           hint="`narrate voices` lists the voices; write VOICE [±SEMITONES] "
                                "[PACE%]") from None
    return profile


def _template(voice: str, quote, where: str):
    """The profile a voice starts from: the quote voice's when it is the quote engine's,
    else the shipped casts' profile of that voice."""
    if _has(quote.engine, voice):
        return dataclasses.replace(quote, voice=voice)
    for cast in cast_names():
        for profile in load_profiles(DEFAULT_VOICES_DIR / cast).values():
            if profile.voice == voice and installed(profile.engine):
                return profile
    for name in engine_names():
        if name != quote.engine and installed(name) and _has(name, voice):
            return dataclasses.replace(quote, engine=name, voice=voice, options={})
    raise NarrateError(f"{where}: voice {voice!r} is not one the installed engines have",
                       hint="`narrate voices` lists them; `narrate voices --get NAME` says how "
                            "to add one of hibari's")


def _has(name: str, voice: str) -> bool:
    plugin = engine(name)
    known = getattr(plugin, "VOICES", None)
    if known is not None:
        return voice in known
    if not installed(name):
        return False
    try:
        plugin.validate(VoiceProfile(role=QUOTE, engine=name, voice=voice))
    except NarrateError:
        return False
    return True

