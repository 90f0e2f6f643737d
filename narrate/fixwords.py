"""`narrate words --fix`: pronunciation that fixes itself. Each word the engine does not
know is said in the whole sentence it is first said in and heard by the machine
listener; for each word it mishears there, the ways to say it (`narrate.candidates`) are
said in the same sentence and heard, a few at a time, and the first heard as the word is
kept: written to the book's own lexicon (its metadata's, or lexicon.yaml in its
folder, as the studio writes) with the evidence on its line.

"Heard as the word" (`heard_as`): the listener wrote it, or wrote something that reads
as it (its letters read as most languages spell them, within a fifth), or sounds as it
(espeak-ng's phonemes for both, vowels in five classes, within a tenth); and the other
words of its sentence heard no worse than before (`rest_edits`). The whole sentence, not
a few words of it: a name heard right in its sentence may be misheard in a few words,
and the other way round, and the book is heard in sentences. A word heard right is never changed, an entry
a person wrote is never replaced (such words are not listed: the lexicon chose them).

Bounded: at most `limit` words (the most frequent), MAX_CANDIDATES ways each, tried
ROUND at a time; deterministic (the listener's settings are, and so is the order).
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from re import escape

from narrate.candidates import (
    MAX_CANDIDATES,
    Candidate,
    candidates,
    espeak_phonemes,
    letters_key,
    sound_distance,
    sound_key,
)
from narrate.errors import NarrateError
from narrate.model import Book
from narrate.patterns import regex
from narrate.pronounce import UnknownWord, hear_lines
from narrate.render.engines import engine
from narrate.render.profiles import VoiceProfile
from narrate.values import OUTPUT_DIR

ROUND = 3  # ways tried for each word at once (one render and one listen for all words)
LETTERS_NEAR, SOUNDS_NEAR = 0.2, 0.1  # how far a heard spelling may be, per phoneme
_QUOTE = regex(r"[\"“”\n\r\t\\]")


@dataclass(frozen=True)
class Fix:
    """One misheard word: what was said and heard, and the way kept (None: none heard)."""
    word: str
    said: str  # the sentence it was said in
    heard_before: str
    kept: Candidate | None = None
    heard_as: str = ""  # what the listener wrote for the word, said the kept way
    tried: int = 0
    written: str = ""  # the lexicon file it went into, or why it did not

    def line(self) -> str:
        if self.kept is None:
            return (f"  {self.word:18} not fixed ({self.tried} ways tried); "
                    f"heard “{self.heard_before}”")
        said = self.kept.respelling or f"/{self.kept.phonemes}/"
        return (f"  {self.word:18} {said:22} ({self.kept.how}): {self.evidence()}"
                + (f"  -> {self.written}" if self.written else ""))

    def evidence(self) -> str:
        was = heard_at(self.said, self.word, self.heard_before)
        return f'heard as "{_QUOTE.sub("", self.heard_as)}" (was "{_QUOTE.sub("", was)}")'



def fix_words(words: list[UnknownWord], profile: VoiceProfile, cache, language: str = "en",
              jobs: int = 1, progress=None) -> list[Fix]:
    """A Fix for each of `words` the listener mishears in its sentence, with the first
    way of saying it heard as the word there (None when none was)."""
    mark = getattr(engine(profile.engine), "mark_phonemes", None)
    sentences = list(dict.fromkeys(w.sentence for w in words))  # names come together
    first = hear_lines({f"s{n}": said for n, said in enumerate(sentences)}, profile, cache,
                       jobs, progress)
    heard_in = {said: first.get(f"s{n}", "") for n, said in enumerate(sentences)}
    fixes = {w.word: Fix(w.word, w.sentence, heard_in[w.sentence])
             for w in words if heard_as(w.word, heard_in[w.sentence]) is None}
    ways = {word: candidates(word, language, phonemes=mark is not None) for word in fixes}
    for start in range(0, MAX_CANDIDATES, ROUND):
        lines = {f"{n}.{k}": _said_so(fix.said, fix.word, way, mark)
                 for n, fix in enumerate(fixes.values()) if fix.kept is None
                 for k, way in enumerate(ways[fix.word][start:start + ROUND], start)}
        if not lines:
            break
        heard = hear_lines(lines, profile, cache, jobs, progress)
        for n, (word, fix) in enumerate(list(fixes.items())):
            tried = [k for k in range(start, start + ROUND) if f"{n}.{k}" in lines]
            fixes[word] = _kept(fix, ways[word], tried, {k: heard.get(f"{n}.{k}", "")
                                                          for k in tried})
    return list(fixes.values())


def _kept(fix: Fix, ways: list[Candidate], tried: list[int], heard: dict[int, str]) -> Fix:
    """The fix with the first of the ways `tried` heard as the word, each other word of
    the sentence heard no worse than with the word as the engine says it."""
    if fix.kept is not None or not tried:
        return fix
    before = rest_edits(fix.said, fix.word, fix.heard_before)
    for k in tried:
        found = heard_as(fix.word, heard[k])
        if found is not None and rest_edits(fix.said, fix.word, heard[k]) <= before:
            return Fix(fix.word, fix.said, fix.heard_before, ways[k], found, k + 1)
    return Fix(fix.word, fix.said, fix.heard_before, tried=tried[-1] + 1)


def _said_so(said: str, word: str, way: Candidate, mark) -> str:
    """The sentence with `word` said `way` wherever it stands (as its lexicon entry will
    say it): its phonemes marked up, or its respelling."""
    spoken = mark(word, way.phonemes) if way.phonemes else way.respelling
    return _whole(word).sub(lambda _: spoken, said)


def _whole(word: str):
    return regex(rf"(?<!\w){escape(word)}(?!\w)")  # whole: not Leon in Leonid


def rest_edits(sentence: str, word: str, heard: str) -> int:
    """The listener's edits on the other words of `sentence`: the word's first place left
    out of it, and what the listener wrote there left out of `heard`."""
    from narrate.qa.listen import normalise, word_edits

    rest = _whole(word).sub("", sentence, count=1)
    got, own = normalise(heard), normalise(heard_at(sentence, word, heard))
    at = next((n for n in range(len(got) - len(own) + 1) if got[n:n + len(own)] == own), None)
    if own and at is not None:
        got = got[:at] + got[at + len(own):]
    return word_edits(rest, " ".join(got))


def heard_at(said: str, word: str, heard: str) -> str:
    """What the listener wrote where `word` stands in `said` (the words around it
    matched up with what it heard): "" for nothing."""
    from difflib import SequenceMatcher

    from narrate.qa.listen import normalise

    words, got = normalise(said), normalise(heard)
    at = next((n for n, w in enumerate(words) if w in normalise(word)), -1)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, words, got, autojunk=False).get_opcodes():
        if tag == "equal" and i1 <= at < i2:
            return word
        if i2 - i1 == j2 - j1 and i1 <= at < i2:  # one for one: the word's own
            return got[j1 + at - i1]
        if i1 <= at < i2:
            return " ".join(got[j1:j2])[:80]
    return ""


def heard_as(word: str, heard: str) -> str | None:
    """What in `heard` the listener wrote for `word` (one word or two, as it heard the
    sound), or None when nothing it wrote reads or sounds as the word."""
    from narrate.qa.listen import normalise

    def plain(text: str) -> list[str]:
        return normalise(unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode())

    target, tokens = "".join(plain(word)), plain(heard)
    spans = tokens + [a + b for a, b in pairwise(tokens)]
    if target in spans:
        return target
    letters = letters_key(target)
    near = [s for s in spans if sound_distance(letters, letters_key(s)) <= LETTERS_NEAR]
    if near:
        return near[0]
    sounds = [sound_key(p) for p in espeak_phonemes([target, *spans])]
    return next((s for s, key in zip(spans, sounds[1:])
                 if sounds[0] and sound_distance(sounds[0], key) <= SOUNDS_NEAR), None)


def write_fixes(fixes: list[Fix], book: Book, folder: Path, given: str | None,
                engine_name: str) -> list[Fix]:
    """Each kept way written to the book's own lexicon with its evidence; `written` says
    where, or why not (a person's entry for the word there is never replaced)."""
    from dataclasses import replace

    from narrate.fileio import atomic_write_bytes
    from narrate.studio.respellings import entry_edit

    out = []
    for fix in fixes:
        if fix.kept is None:
            out.append(fix)
            continue
        way = fix.kept
        key = fix.word.lower() if fix.word[1:] == fix.word[1:].lower() else fix.word
        said = {engine_name: way.phonemes} if way.phonemes else way.respelling
        try:
            edit = entry_edit(book, folder, fix.word if way.phonemes else key, said, given,
                              comment=fix.evidence())
        except NarrateError as error:
            out.append(replace(fix, written=f"not written: {error.what}"))
            continue
        edit.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(edit.path, edit.after)
        out.append(replace(fix, written=str(edit.path)))
    return out


def fix_book(source: str | Path | Book, *, voices=None, limit: int = 40,
              lexicon: str | Path | None = None, cache: str | Path | None = None,
              out: str | Path = OUTPUT_DIR, dry_run: bool = False, jobs: int | None = None,
              progress: bool | None = False, **options) -> list[Fix]:
    """`narrate words --fix`: the first `limit` words the narrator's engine does not know,
    each the listener mishears tried said other ways (narrate/fixwords.py); the way heard
    as the word is written to the book's own lexicon (its metadata's, or lexicon.yaml in
    its folder under `out`) with the evidence, unless `dry_run`. One Fix per misheard word."""
    from narrate.plan import book_folder, book_profiles, load_book, spoken_with
    from narrate.pronounce import unknown_words
    from narrate.render.cache import Cache

    book = source if isinstance(source, Book) else load_book(source, lexicon=lexicon, **options)
    spoken_as = spoken_with(book, lexicon, out)
    narrator = book_profiles(book, voices, lexicon=spoken_as)["narrator"]
    found = unknown_words(book, narrator, spoken_as)[:limit]
    fixes = fix_words(found, narrator, Cache(cache), book.language or "en",
                      jobs or os.cpu_count() or 1, progress)
    if dry_run:
        return fixes
    return write_fixes(fixes, book, book_folder(book, out), str(lexicon) if lexicon else None,
                       narrator.engine)


def fixes_summary(fixes: list[Fix], limit: int, dry_run: bool) -> str:
    kept = [f for f in fixes if f.kept is not None]
    where = sorted({f.written for f in kept if f.written and not f.written.startswith("not ")})
    done = ("(a dry run: nothing written)" if dry_run else
            f"written to {', '.join(where)}" if where else "nothing written")
    return (f"{len(fixes)} of the first {limit} words misheard, {len(kept)} fixed {done}; "
            f"at most {MAX_CANDIDATES} ways tried for each (docs/voices.md: narrate words)")
