"""Ways to say a word a listener mishears, for `narrate words --fix` to try: espeak-ng's
phonemes for it (espeak knows many names hibari's G2P does not), the word read syllable by
syllable as most languages spell (full vowels), with the stress on one syllable or
another, and with English vowels; as an engine's phonemes (misaki's alphabet, hibari's)
or, for an engine that takes no phonemes, as respellings. And how far apart two
pronunciations are (`sound_distance`), through espeak-ng's phonemes for both.

Everything here is deterministic: the same word gives the same candidates in one order.
"""

from __future__ import annotations

import functools
import re
import subprocess
from dataclasses import dataclass

from narrate.patterns import regex
from narrate.render.engines.hibari import from_ipa as to_misaki

MAX_CANDIDATES = 6  # tried for each word: each is a render and a transcription
_ESPEAK_TIMEOUT = 20  # seconds for one call (a batch of words)
_LETTERS = regex(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

_VOWELS = set("AIOWYaeiouæɑɐɒɔəɚɛɜɪʊʌᵊᵻɨyøœɯɤ")
_STRESS = "ˈˌ"

# letters -> phonemes, read as most languages spell them; longest spelling first
_CONTINENTAL = {"sch": "ʃ", "tch": "ʧ", "ch": "ʧ", "sh": "ʃ", "zh": "ʒ", "kh": "k", "ph": "f",
                "th": "t", "ts": "ʦ", "tz": "ʦ", "qu": "kw", "ck": "k", "gh": "ɡ", "ai": "I",
                "ay": "I", "ei": "A", "ey": "A", "au": "W", "oi": "Y", "oy": "Y", "ou": "u",
                "oo": "u", "ee": "i", "a": "ɑ", "e": "ɛ", "i": "i", "o": "O", "u": "u",
                "y": "i", "b": "b", "c": "k", "d": "d", "f": "f", "g": "ɡ", "h": "h", "j": "j",
                "k": "k", "l": "l", "m": "m", "n": "n", "p": "p", "q": "k", "r": "ɹ", "s": "s",
                "t": "t", "v": "v", "w": "v", "x": "ks", "z": "z"}
_ENGLISH = {**_CONTINENTAL, "a": "æ", "i": "ɪ", "o": "ɑ", "u": "ʌ", "th": "θ", "j": "ʤ",
            "w": "w", "ts": "ts", "tz": "ts"}
_SPELLINGS = sorted(_CONTINENTAL, key=len, reverse=True)
# and the same for a respelling, for an engine that takes no phonemes
_SAID = {"ɑ": "ah", "ɛ": "eh", "i": "ee", "O": "oh", "u": "oo", "I": "eye", "A": "ay",
         "W": "ow", "Y": "oy", "ʧ": "ch", "ʃ": "sh", "ʒ": "zh", "ʦ": "ts", "ɡ": "g", "ɹ": "r",
         "j": "y", "æ": "a", "ɪ": "i", "ʌ": "u", "θ": "th", "ʤ": "j", "ə": "uh", "ɔ": "aw"}


@dataclass(frozen=True)
class Candidate:
    """One way to say a word: phonemes in the engine's alphabet, or a respelling."""
    how: str  # where it came from, for a person: "espeak-ng", "syllables, stress 2" …
    phonemes: str = ""
    respelling: str = ""


def candidates(word: str, language: str = "en", phonemes: bool = True) -> list[Candidate]:
    """At most MAX_CANDIDATES ways to say `word`, in the order they are tried; `phonemes`:
    the engine takes misaki's phonemes (else respellings)."""
    letters = word.lower()
    if not _LETTERS.fullmatch(letters) or len(letters) > 40:
        return []
    espeak = to_misaki(espeak_phonemes([word], espeak_voice(language))[0])
    continental = _read(letters, _CONTINENTAL)
    english = _read(letters, _ENGLISH)
    count = _syllables(continental)
    tried = [("espeak-ng", stressed(espeak, None))] if espeak and phonemes else []
    tried += [(f"syllables, stress {n}", stressed(continental, n))
              for n in dict.fromkeys([max(1, count - 1), 1, 2]) if n <= count]
    if espeak and phonemes:
        own = _stressed_at(espeak)
        tried += [(f"espeak-ng, stress {n}", stressed(espeak, n))
                  for n in (1, 2) if n != own and n <= _syllables(espeak)]
    tried.append(("English vowels, stress 1", stressed(english, 1)))
    out: dict[str, Candidate] = {}  # one of each (a respelling shows no stress)
    for how, said in tried:
        way = Candidate(how, said) if phonemes else Candidate(how, respelling=respelled(said, word))
        if said:
            out.setdefault(way.phonemes or way.respelling, way)
    return list(out.values())[:MAX_CANDIDATES]


def _read(letters: str, table: dict[str, str]) -> str:
    """The letters as phonemes by `table`, a doubled letter said once."""
    out: list[str] = []
    at = 0
    letters = letters.replace("’", "").replace("'", "").replace("-", "")
    while at < len(letters):
        spelling = next((s for s in _SPELLINGS if letters.startswith(s, at)), letters[at])
        said = table.get(spelling, "")
        if not (out and said == out[-1] and said not in _VOWELS):
            out.append(said)
        at += len(spelling)
    return "".join(out)


def _syllables(phonemes: str) -> int:
    return sum(1 for n, c in enumerate(phonemes) if c in _VOWELS and
               (n == 0 or phonemes[n - 1] not in _VOWELS))


def _stressed_at(phonemes: str) -> int:
    """Which syllable (from 1) carries the first primary stress mark (0: none)."""
    at = phonemes.find("ˈ")
    return _syllables(phonemes[:at]) + 1 if at >= 0 else 0


def stressed(phonemes: str, syllable: int | None) -> str:
    """The phonemes with each stress mark just before its vowel (misaki's way); with
    `syllable`, the primary stress on that one alone."""
    if syllable is None:
        return re.sub(r"([ˈˌ])([^AIOWYaeiouæɑɐɒɔəɚɛɜɪʊʌᵊᵻɨyøœɯɤ ]+)", r"\2\1", phonemes)
    plain, out, count = phonemes.replace("ˈ", "").replace("ˌ", ""), [], 0
    for n, c in enumerate(plain):
        if c in _VOWELS and (n == 0 or plain[n - 1] not in _VOWELS):
            count += 1
            if count == syllable:
                out.append("ˈ")
        out.append(c)
    return "".join(out)


def respelled(phonemes: str, word: str) -> str:
    """A respelling of the phonemes, a hyphen between syllables (each vowel takes the
    consonant before it), for an engine that takes no phonemes."""
    plain = phonemes.replace("ˈ", "").replace("ˌ", "")
    pieces, start = [], 0
    for n in range(1, len(plain)):
        if plain[n] in _VOWELS and plain[n - 1] not in _VOWELS:
            cut = n - 1  # the consonant before a vowel begins its syllable
            if any(c in _VOWELS for c in plain[start:cut]):
                pieces.append(plain[start:cut])
                start = cut
    pieces.append(plain[start:])
    said = "-".join("".join(_SAID.get(c, c) for c in piece) for piece in pieces)
    return said[:1].upper() + said[1:] if word[:1].isupper() else said


def espeak_voice(language: str) -> str:
    """espeak-ng's voice for a book's language: American English for English (hibari's)."""
    code = (language or "en").lower()
    return "en-us" if code.startswith("en") else code.split("-")[0]


def espeak_phonemes(words: list[str], voice: str = "en-us") -> list[str]:
    """espeak-ng's IPA for each word (one call for all: a line each); "" for a word it
    gives nothing for, or when espeak-ng is missing or fails."""
    plain = [" ".join(_LETTERS.findall(w))[:100] for w in words]
    return list(_espeak_batch(tuple(plain), voice))


@functools.lru_cache(maxsize=64)
def _espeak_batch(words: tuple[str, ...], voice: str) -> tuple[str, ...]:
    wanted = [w for w in words if w]
    try:
        done = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", voice],
                              input="".join(f"{w}.\n" for w in wanted), capture_output=True,
                              text=True, timeout=_ESPEAK_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return tuple("" for _ in words)
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    if done.returncode or len(lines) != len(wanted):  # out of step: asked one by one
        if len(wanted) == 1:
            return tuple("" for _ in words)
        return tuple(_espeak_batch((w,), voice)[0] if w else "" for w in words)
    said = iter(lines)
    return tuple(next(said) if w else "" for w in words)


# ---- how far apart two pronunciations are -------------------------------------------------

def letters_key(letters: str) -> str:
    """Letters as a listener's spelling of a name is compared: read as most languages
    spell them, each run of vowels one V (an unknown name's vowels are guessed at)."""
    return re.sub(f"[{''.join(sorted(_VOWELS))}]+", "V", _read(letters.lower(), _CONTINENTAL))


_CLASSES = {**dict.fromkeys("aɑɐæʌ", "a"), **dict.fromkeys("eɛəɜɚᵻ", "e"),
            **dict.fromkeys("iɪyɨ", "i"), **dict.fromkeys("oɔɒ", "o"),
            **dict.fromkeys("uʊɯ", "u"), "ɹ": "r", "ɾ": "t", "ɡ": "g"}


def sound_key(ipa: str) -> str:
    """IPA as a listener's spelling is compared: no stress, length or spaces, vowels in
    five classes (an unknown name's vowels are what a listener guesses at)."""
    return "".join(_CLASSES.get(c, c) for c in ipa if c not in "ˈˌː -")


def sound_distance(said: str, heard: str) -> float:
    """Edits between two sound keys per phoneme of the first (0: the same sounds)."""
    row = list(range(len(heard) + 1))
    for i, a in enumerate(said, start=1):
        previous, row[0] = row[0], i
        for j, b in enumerate(heard, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (a != b))
    return row[-1] / max(1, len(said))
