"""The pronunciation lexicon: word -> respelling, applied to the speech text; and
lexicons layered, the later file's entry winning.

Applying one takes time linear in the text, whatever the lexicon's size: at each place
a word may start, a dict gives the lengths of the entries that begin with that word, and
each length (at most LONGEST_WORD of them) is one lookup. A pattern of every entry, tried
at every place, hung on a lexicon of 100,000 words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from narrate.patterns import regex

LONGEST_WORD = 100  # characters in an entry's word: the matcher looks this far at most
LONGEST_RESPELLING = 200  # characters in a respelling: a word or a short phrase

_TOKEN = regex(r"\w+|[^\w\s]")  # a word, or one mark: the places an entry may start at
WORD_BEFORE = regex(r"[\w-]")  # a word does not start after a letter or a hyphen
WORD_AFTER = regex(r"\w")  # nor end before a letter (a hyphen or an 's may follow)


class WordTable:
    """Where the table's words (or phrases) stand whole in a text, found in one pass: at
    each place a word may start, a dict gives the lengths of the table's words that begin
    with the word there, longest first, and each length is one lookup. `folded`: the
    table's words match in any case (`respell` decides what a case means)."""

    def __init__(self, words: Iterable[str], folded: bool, before=WORD_BEFORE,
                 after=WORD_AFTER):
        self._fold = str.lower if folded else str
        self._before, self._after = before, after
        self._words: set[str] = set()
        lengths: dict[str, set[int]] = {}
        for word in words:
            first = _TOKEN.match(word)
            if first:
                self._words.add(self._fold(word))
                lengths.setdefault(self._fold(first.group()), set()).add(len(word))
        self._lengths = {first: sorted(found, reverse=True) for first, found in lengths.items()}

    def sub(self, text: str, respell: Callable[[str], str | None]) -> str:
        """`text` with each word of the table found in it replaced by `respell(word as
        written)`; where that is None, the next shorter word of the table there is tried."""
        if not self._lengths:
            return text
        pieces, done = [], 0
        for token in _TOKEN.finditer(text):
            start = token.start()
            lengths = self._lengths.get(self._fold(token.group()))
            if not lengths or start < done or (start and self._before.match(text, start - 1)):
                continue  # no word starts so; replaced already; inside a word
            for length in lengths:
                end = start + length
                if end > len(text) or self._after.match(text, end) or \
                        self._fold(text[start:end]) not in self._words:
                    continue
                said = respell(text[start:end])
                if said is not None:
                    pieces += [text[done:start], said]
                    done = end
                    break
        return "".join(pieces) + text[done:] if pieces else text


@dataclass(frozen=True)
class LexiconEntry:
    """One line of a lexicon file, as a person wrote it."""
    word: str
    spoken: str  # the respelling; the word itself for an entry of phonemes alone
    place: str = ""  # file:line
    phonemes: tuple[tuple[str, str], ...] = ()  # (engine, its phonemes for `spoken`)
    replaces: str = ""  # the place of an earlier file's entry this one wins over
    cleaned: bool = False  # its respelling or phonemes held control characters, removed


@dataclass
class Lexicon:
    """Word -> respelling, whole words only. A key written in lower case matches any case;
    a key with capitals matches only as written; at one place the longest entry that
    matches wins. `phonemes` (engine -> spoken word -> (phonemes, where written)) are for
    the render stage: they change no `say`, so they are no part of a conversion. `listed`
    is every entry with the file and line it came from (`narrate words --entries`)."""

    entries: dict[str, str] = field(default_factory=dict)
    phonemes: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict, compare=False,
                                                            repr=False)
    listed: tuple[LexiconEntry, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        self._folded = {k.lower(): k for k in self.entries if k == k.lower()}
        self._table = WordTable(self.entries, folded=True)

    def apply(self, text: str) -> str:
        return self._table.sub(text, self._respelling) if self.entries else text

    def _respelling(self, word: str) -> str | None:
        """The respelling of `word` as it stands in the text; None when no entry matches it
        (a key with capitals, written otherwise)."""
        if word in self.entries:
            return self.entries[word]
        key = self._folded.get(word.lower())
        if key is None:
            return None
        spoken = self.entries[key]
        return spoken[:1].upper() + spoken[1:] if word[:1].isupper() else spoken


def layered(files: Iterable[Iterable[LexiconEntry]]) -> Lexicon:
    """One lexicon of several files' entries, a later file's entry winning over an earlier
    file's: a word written in lower case (it matches any case) over every spelling of it,
    a word with capitals over the same word. Within one file, `Tsar` and `tsar` both stay."""
    chosen: dict[str, LexiconEntry] = {}
    for entries in files:
        spellings: dict[str, list[str]] = {}  # the earlier files' words, by their folded form
        for word in chosen:
            spellings.setdefault(word.lower(), []).append(word)
        added: dict[str, LexiconEntry] = {}
        for entry in entries:
            folded = entry.word.lower()
            beaten = spellings.get(folded, []) if entry.word == folded else [entry.word]
            over = [chosen.pop(word) for word in beaten if word in chosen]
            added[entry.word] = replace(entry, replaces=over[0].place) if over else entry
        chosen.update(added)
    return from_entries(chosen.values())


def from_entries(listed: Iterable[LexiconEntry]) -> Lexicon:
    """The lexicon of these entries: an entry that says its word as written (phonemes
    alone) respells nothing; each engine's phonemes are keyed by the word spoken."""
    listed = tuple(listed)
    phonemes: dict[str, dict[str, tuple[str, str]]] = {}
    for entry in listed:
        for engine, said in entry.phonemes:
            phonemes.setdefault(engine, {})[entry.spoken] = \
                (said, f"{entry.place}: entry {entry.word!r}")
    return Lexicon({e.word: e.spoken for e in listed if e.spoken != e.word}, phonemes, listed)
