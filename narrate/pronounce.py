"""Pronunciation a user can fix before a long build: the words the cast's engine does
not know (hibari finds them in none of its lexicons and spells them by rule), most
frequent first, each with where it is first said; with a listener, which of them a
speech recogniser mishears in their own sentence. And the lexicon a build of a file
speaks with, each entry with its file and line (`lexicon_for`).

    words = unknown_words(book, profiles)
    heard = listen(words, profiles["narrator"], cache, jobs=2)
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from narrate.convert.lexicon import Lexicon, LexiconEntry
from narrate.errors import NarrateError
from narrate.metadata import book_lexicon, find_metadata, load_metadata
from narrate.model import NARRATOR, Book
from narrate.plan import target_folder
from narrate.render.engines import engine
from narrate.render.hints import book_hints
from narrate.render.profiles import VoiceProfile
from narrate.scriptfile import is_script_file, load_script

_POSSESSIVE = re.compile(r"['’]s?$")
_SENTENCE = re.compile(r"[^.!?…]*[.!?…]+|[^.!?…]+$")


@dataclass(frozen=True)
class UnknownWord:
    word: str
    count: int
    first: str  # the segment it is first said in
    sentence: str  # the sentence it is first said in (its `say`)
    heard: str | None = None  # what the listener heard of that sentence
    misheard: bool | None = None

    def line(self) -> str:
        """The word for a person: how often, where first, in its sentence, and as heard."""
        heard = "" if self.heard is None else (
            f"  MISHEARD: “{around(self.sentence, self.word, 3, self.heard)}”" if self.misheard
            else "  heard")
        return (f"{self.count:5}  {self.word:18} {self.first:9} "
                f"“{around(self.sentence, self.word)}”{heard}")


def words_summary(found: list[UnknownWord], limit: int) -> str:
    more = f" ({len(found) - limit} more: --limit)" if len(found) > limit else ""
    return (f"{len(found)} words the engine does not know{more}; give them a respelling or "
            "phonemes in a lexicon (docs/voices.md: Pronunciation)")


def entry_line(entry: LexiconEntry) -> str:
    """A lexicon entry for a person: the word, how it is said, and where it was written
    (and the earlier file's entry it wins over)."""
    said = entry.spoken + "".join(f" ({engine}: {phonemes})" for engine, phonemes in
                                  entry.phonemes)
    over = f", over {entry.replaces}" if entry.replaces else ""
    return f"{entry.word:18} {said:30} {entry.place}{over}"


def entries_summary(listed: list[LexiconEntry]) -> str:
    """How many entries each lexicon file gave, in the order they are layered."""
    files: Counter[str] = Counter(e.place.rsplit(":", 1)[0] for e in listed)
    over = sum(1 for e in listed if e.replaces)
    given = ", ".join(f"{count} from {name}" for name, count in files.items()) or "none"
    return (f"{len(listed)} lexicon entries: {given}"
            + (f" ({over} over an earlier file's)" if over else "")
            + "; a later file's entry wins (docs/voices.md: Pronunciation)")


def unknown_words(book: Book, profile: VoiceProfile, lexicon=None) -> list[UnknownWord]:
    """The words of `book`'s speech that `profile`'s engine does not know, most frequent
    first. Respellings the lexicon already gives are left out: they were chosen."""
    finder = getattr(engine(profile.engine), "unknown_words", None)
    if finder is None:
        raise NarrateError(f"the narrator's engine ({profile.engine}) cannot say which words "
                           "it knows", hint="ask the natural cast's engine: --voices natural")
    chosen = {w.lower() for spoken in getattr(lexicon, "entries", {}).values()
              for w in re.findall(r"[^\W\d_]+", spoken)}
    lines = [s for s in book.spoken if s.say.strip()]
    counts: Counter[str] = Counter()
    first: dict[str, tuple[str, str]] = {}
    for line, found in zip(lines, finder([s.say for s in lines])):
        for word in found:
            word = _POSSESSIVE.sub("", word)  # Trotsky's is Trotsky
            if word.lower() in chosen or len(word) < 2:
                continue
            counts[word] += 1
            first.setdefault(word, (line.id, _sentence_with(line.say, word)))
    return [UnknownWord(word, count, *first[word]) for word, count in
            sorted(counts.items(), key=lambda item: (-item[1], item[0].lower()))]


def _sentence_with(say: str, word: str) -> str:
    for sentence in _SENTENCE.findall(say):
        if word in sentence:
            return sentence.strip()
    return say.strip()


def listen(words: list[UnknownWord], profile: VoiceProfile, cache, jobs: int = 1,
           progress=None) -> list[UnknownWord]:
    """Each word's first sentence rendered in `profile`'s voice and transcribed: a word
    the listener does not hear in it is misheard."""
    heard = hear_lines({f"word{n}": w.sentence for n, w in enumerate(words)}, profile, cache,
                       jobs, progress)
    return [replace(word, heard=heard.get(f"word{n}", ""),
                    misheard=not _folded(word.word) <= _folded(heard.get(f"word{n}", "")))
            for n, word in enumerate(words)]


def hear_lines(lines: dict[str, str], profile: VoiceProfile, cache, jobs: int = 1,
               progress=None) -> dict[str, str]:
    """Each line (id -> what is said) rendered in `profile`'s voice and transcribed by the
    machine listener: id -> what it heard ("" for a line that did not render)."""
    from narrate.qa.listen import check_asr, transcribe_all
    from narrate.qa.verify import as_16k, read_take
    from narrate.render import RenderItem, render_items

    check_asr()
    items = [RenderItem(ident, say, NARRATOR) for ident, say in lines.items()]
    report = render_items(items, {NARRATOR: profile}, cache, jobs, progress=progress)
    clips = {i.id: as_16k(*read_take(report.paths[i.id])) for i in items if i.id in report.paths}
    return transcribe_all(clips, jobs, progress)


def _folded(text: str) -> set[str]:
    """The words of a text as a listener's are compared: no accents, no possessive."""
    from narrate.qa.listen import normalise

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return {_POSSESSIVE.sub("", w) for w in normalise(plain)}


def around(sentence: str, word: str, words: int = 6, heard: str | None = None) -> str:
    """The few words either side of `word` in `sentence`, for a person to find it; with
    `heard`, the words of what was heard at the same place in it."""
    tokens = sentence.split()
    at = next((n for n, token in enumerate(tokens) if word in token), 0)
    if heard is not None:
        at, tokens = at * len(heard.split()) // max(1, len(tokens)), heard.split()
    start, stop = max(0, at - words), min(len(tokens), at + words + 1)
    return ("… " if start else "") + " ".join(tokens[start:stop]) + (" …" if stop < len(tokens)
                                                                       else "")


def lexicon_for(target: str | Path | None = None, meta: str | Path | None = None,
                lexicon: str | Path | None = None) -> Lexicon:
    """The lexicon a build of `target` speaks with (narrate's, the book's, its folder's,
    `lexicon`), found without converting it: the book's is its metadata's or its script's."""
    book_file = None
    if target and is_script_file(Path(target)):
        book_file = load_script(Path(target), []).extra.get("lexicon")
    elif meta or target:
        found = meta or find_metadata(target)  # type: ignore[arg-type]  # one is given
        book_file = load_metadata(found).get("lexicon") if found else None
    return book_lexicon(book_file, lexicon, target_folder(target) if target else None,
                        book_hints(target))
