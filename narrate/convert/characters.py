"""The people of a book told in dialogue: their names as the book writes them, merged into
one character per person (Darcy, Mr. Darcy, Fitzwilliam Darcy), each with a gender when
the text shows one.

A name is a run of capitalised words, with a title (Mr., Mrs., Miss, Lady, Sir, Dr.,
Colonel …) or an article (the Hatter) before it when the book writes one. A character is
a name with a title, or a name the book makes the subject of a speech verb ("said
Harris"); a longer name that holds one of theirs (Fitzwilliam Darcy) joins it as an alias.
Two names are one person when one's words are a part of the other's (a title that names
a surname, Mr. Darcy, only its last word), their genders agree and no two titles differ
(Mrs. Bennet is not Miss Bennet); a short name several people share goes to the one the
book names most. Gender comes from the titles (Mr., Lady, the Queen), a given name
(Elizabeth Bennet: so never Mr. Bennet) and, failing those, from the pronouns of
sentences that name the character alone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from narrate.convert.given_names import FORMAL, given_gender
from narrate.model import Character
from narrate.patterns import regex

MALE, FEMALE = "male", "female"
TITLES = {
    **dict.fromkeys(("Mr", "Mister", "Sir", "Lord", "Colonel", "Captain", "Major", "General",
                     "Uncle", "King", "Prince", "Duke", "Count", "Baron", "Earl", "Emperor",
                     "Monsieur", "Master", "Father", "Brother"), MALE),
    **dict.fromkeys(("Mrs", "Miss", "Ms", "Lady", "Dame", "Madam", "Madame", "Mademoiselle",
                     "Aunt", "Queen", "Princess", "Duchess", "Countess", "Baroness", "Empress",
                     "Mistress", "Mother", "Sister"), FEMALE),
    **dict.fromkeys(("Dr", "Doctor", "Professor", "Inspector", "Sergeant", "Reverend", "Rev",
                     "Judge"), ""),
}
# titles that name a surname (Mr. Darcy): a title before a given name (Lady Catherine,
# Sir William, Miss Elizabeth) is not among them
SURNAME_TITLES = frozenset(("Mr", "Mister", "Mrs", "Ms", "Dr", "Colonel", "Captain", "Major",
                            "General", "Inspector", "Sergeant", "Professor", "Monsieur"))
_ABBREVIATED = frozenset(("Mr", "Mrs", "Ms", "Dr", "Rev"))  # written with a full stop
CAP = r"[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:-[A-Za-z][a-z]+)*"
TITLE = "|".join(sorted(TITLES, key=len, reverse=True))
# a name: an article or a title maybe, then one to four capitalised words ("de" between)
NAME = regex(rf"(?=\b(?:[A-Z]|the\s))(?:(?P<article>[Tt]he)\s+)?(?:\b(?P<title>{TITLE})\b\.?\s+)?"
             rf"(?P<words>\b{CAP}(?:\s+(?:(?:de|van|von|du|da|del|le|la)\s+)?{CAP}){{0,3}})\b")
_FAMILIAR_TITLES = frozenset(("", "Miss", "Master"))
# pet forms of English given names (hypocorisms): the given name each stands for
_SENTENCES = regex(r"[^.!?]+")
_PRONOUNS = regex(r"\b(?:(?P<male>he|him|his|himself)|(?P<female>she|her|hers|herself))\b",
                  re.IGNORECASE)
_LOWER_WORDS = regex(r"\b[a-z][a-z-]+\b")
_CAPITALISED = regex(rf"\b{CAP}\b")


@dataclass(frozen=True)
class Name:
    """One way the book writes a name: its title ("Mr"), article, and words."""
    title: str
    article: bool
    words: tuple[str, ...]

    @property
    def key(self) -> str:
        title = self.title + ("." if self.title in _ABBREVIATED else "") if self.title else ""
        return " ".join(filter(None, ("the" if self.article else "", title, *self.words)))

    @property
    def gender(self) -> str:
        head = self.title or (self.words[-1] if self.article else "")
        if TITLES.get(head) or self.article or not self.words:
            return TITLES.get(head, "")
        # a given name shows one (Elizabeth Bennet); a surname's title names no given name
        surname_only = self.title in SURNAME_TITLES and len(self.words) == 1
        return "" if surname_only else given_gender(self.words[0])


def name_at(match: re.Match) -> Name:
    """The Name a match of NAME holds (an article before a title is not kept)."""
    title = match.group("title") or ""
    return Name(title, bool(match.group("article")) and not title,
                tuple(match.group("words").split()))


@dataclass
class _Group:
    names: list[Name] = field(default_factory=list)
    count: int = 0
    gender: str = ""

    def takes(self, name: Name) -> bool:
        if name.gender and self.gender and name.gender != self.gender:
            return False
        if name.title and any(n.title and n.title != name.title for n in self.names):
            return False  # Miss Bennet is not Mrs. Bennet
        return any(_part_of(name, n) for n in self.names)


def _part_of(name: Name, other: Name) -> bool:
    """Whether `name` may be a shorter way of writing `other` (Darcy of Fitzwilliam Darcy)."""
    short, long = name.words, other.words
    if len(short) > len(long) or (name.article != other.article and short != long):
        return False
    if name.title in SURNAME_TITLES or other.title in SURNAME_TITLES:
        return long[len(long) - len(short):] == short  # Mr. Darcy names the surname
    return any(long[i:i + len(short)] == short for i in range(len(long) - len(short) + 1))


class Cast:
    """The characters of a book, and the names it writes for each (a lookup)."""

    def __init__(self, characters: list[Character]):
        self.characters: list[Character] = []
        self.by_name: dict[str, Character] = {}
        # a book's texts are looked through more than once: what each held, kept
        self._seen: dict[str, list[tuple[int, int, Character]]] = {}
        for character in characters:
            self.add(character)

    def add(self, character: Character) -> Character:
        self.characters.append(character)
        for name in character.names:
            self.by_name.setdefault(name.casefold(), character)
        self._seen.clear()
        return character

    def find(self, name: Name) -> Character | None:
        """The character a name names: the whole name, or the longest part of it known
        (Poor Alice, Then Mr. Bennet)."""
        found = self.by_name.get(name.key.casefold())
        if found or not name.words:
            return found
        words = name.words
        for size in range(len(words), 0, -1):
            for start in range(len(words) - size + 1):
                part = Name(name.title if start + size == len(words) else "", name.article
                            and start == 0, words[start:start + size])
                found = self.by_name.get(part.key.casefold())
                if found:
                    return found
        return None

    def mentions(self, text: str) -> list[tuple[int, int, Character]]:
        """(start, end, character) for each name of a character in `text`."""
        found = self._seen.get(text)
        if found is None:
            found = self._seen[text] = [
                (m.start(), m.end(), c) for m in NAME.finditer(text)
                if (c := self.find(name_at(m))) is not None]
        return found


def common_words(texts: list[str]) -> set[str]:
    """Capitalised words the book also writes in lower case as often: a sentence's first
    word (But, Nobody), not a name."""
    lower: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    for text in texts:
        lower.update(_LOWER_WORDS.findall(text))
        upper.update(_CAPITALISED.findall(text))
    return {word for word, count in upper.items() if lower[word.lower()] >= count}


def trimmed(name: Name, common: set[str]) -> Name | None:
    """A name without the sentence's first words before it (But Darcy); None if nothing
    of it is a name."""
    if name.title or name.article:
        return name
    words = name.words
    while words and words[0] in common:
        words = words[1:]
    return Name("", False, words) if words else None


def gather(speakers: list[tuple[Name, bool]], texts: list[str], narration: list[str],
           common: set[str] | None = None) -> list[Character]:
    """The characters: names with a title, and `speakers` (names the book makes the
    subject of a speech verb; True when the name follows its verb, "said Small", where a
    capital is a name's, not a sentence's), merged with the longer names that hold them;
    `texts` all the book's words (to count each name), `narration` the words outside
    quotations (for the pronouns); `common`, their common_words when known."""
    common = common_words(texts) if common is None else common
    trusted = {n for n, after_verb in speakers if after_verb}
    counts: Counter = Counter()
    for text in texts:
        for match in NAME.finditer(text):
            written = name_at(match)
            name = written if written in trusted else trimmed(written, common)
            if name is not None:
                counts[name] += 1
    said = trusted | {t for n, _ in speakers if (t := trimmed(n, common))}
    wanted = {n for n, c in counts.items() if n.title and (c >= 2 or n in said)} | said
    groups = _merge(sorted(wanted, key=lambda n: (-len(n.words), not n.title, -counts[n],
                                                   n.key)), counts)
    tokens = {w for g in groups for n in g.names for w in n.words}
    fuller = [n for n, c in counts.items() if len(n.words) > 1 and not n.article and
              (n.title or c >= 2) and n not in wanted and tokens & set(n.words)]
    _join(groups, sorted(fuller, key=lambda n: (-counts[n], n.key)), counts)
    shorter = [n for n, c in counts.items() if len(n.words) == 1 and not n.title and c >= 2
               and n not in wanted and n.words[0] in tokens]
    _join(groups, sorted(shorter, key=lambda n: (-counts[n], n.key)), counts, shorter=True)
    groups = _familiar_names(groups)
    characters = [_character(g, counts) for g in sorted(groups, key=lambda g: -g.count)]
    _pronoun_genders(characters, narration)
    return characters


def _merge(names: list[Name], counts: Counter) -> list[_Group]:
    groups: list[_Group] = []
    for name in names:
        fits = [g for g in groups if g.takes(name)]
        group = max(fits, key=lambda g: g.count) if fits else _Group()
        if not fits:
            groups.append(group)
        group.names.append(name)
        group.count += counts[name]
        group.gender = group.gender or name.gender
    return groups


def _join(groups: list[_Group], names: list[Name], counts: Counter, shorter: bool = False
          ) -> None:
    """A longer name (Fitzwilliam Darcy) that holds a character's name, or a shorter one
    (Watson of Dr. Watson), joins the character the book names most of those it fits."""
    for name in names:
        fits = [g for g in groups if not (name.gender and g.gender not in ("", name.gender))
                and (any(_part_of(name, n) for n in g.names) if shorter else _holds(name, g))]
        if fits:
            group = max(fits, key=lambda g: g.count)
            group.names.append(name)
            group.count += counts[name]


def _holds(name: Name, group: _Group) -> bool:
    """Whether a longer name may be the group's: by a name of theirs it holds that is its
    given name (Elizabeth of Elizabeth Bennet) or a surname the book uses alone (Darcy of
    Fitzwilliam Darcy), never with another given name (Bartholomew is not Thaddeus Sholto;
    Mordecai Smith may not be Mrs. Smith)."""
    given, surname = name.words[0], name.words[-1]
    if any(len(n.words) > 1 and n.words[-1] == surname and n.words[0] != given
           for n in group.names):
        return False
    # by a bare surname only when no gender is in doubt: Bennet, Mr. Bennet's, does not
    # bring in a Bennet whose given name shows none
    by_surname = bool(name.gender or not group.gender)
    return any(_part_of(n, name) and (n.words[0] == given or by_surname and not n.title
                                      and len(n.words) == 1) for n in group.names)


def _familiar_names(groups: list[_Group]) -> list[_Group]:
    """A person called by a pet form of their given name (Lizzy, Eliza of Elizabeth; Bill
    of William) is the one the book gives that name: when one character alone has it,
    among those no title but Miss or Master names (one called Lizzy is no Lady), and
    their surnames and genders do not differ."""
    def given(group: _Group) -> set[str]:
        return {n.words[0] for n in group.names if not n.article}

    familiar = [g for g in groups if all(n.title in _FAMILIAR_TITLES for n in g.names)]
    merged = []
    for group in sorted(familiar, key=lambda g: g.count):
        formal = {FORMAL.get(word) for word in given(group)} - {None}
        fits = [g for g in familiar if g is not group and g not in merged and
                formal & given(g) and _agree(group, g)]
        if len(fits) == 1:
            fits[0].names += group.names
            fits[0].count += group.count
            fits[0].gender = fits[0].gender or group.gender
            merged.append(group)
    return [g for g in groups if g not in merged]


def _agree(one: _Group, other: _Group) -> bool:
    """Whether two groups may be one person: no two genders or surnames that differ."""
    surnames = [{n.words[-1] for n in g.names if len(n.words) > 1} for g in (one, other)]
    return not (one.gender and other.gender and one.gender != other.gender) and \
        not (surnames[0] and surnames[1] and not surnames[0] & surnames[1])


def _character(group: _Group, counts: Counter) -> Character:
    """Named as the book names them most; by a fuller name (Jonathan Small, Mr. Darcy) when
    the book uses it a quarter as often at least."""
    ordered = sorted(group.names, key=lambda n: (-counts[n], -len(n.key), n.key))
    full = [n for n in ordered if len(n.words) + bool(n.title) > 1 and counts[n] >= 2]
    name = full[0] if full and 4 * counts[full[0]] >= counts[ordered[0]] else ordered[0]
    return Character(name.key, sorted(n.key for n in ordered if n != name), group.gender)


def _pronoun_genders(characters: list[Character], narration: list[str]) -> None:
    """A gender for those no title gave one: the pronouns after their name in sentences
    that name them alone, two to one at least."""
    cast = Cast(characters)
    votes: dict[str, Counter] = {}
    for text in narration:
        for sentence in _SENTENCES.finditer(text):
            found = {c.name: end for _, end, c in cast.mentions(sentence.group())}
            if len(found) != 1:
                continue
            (name, end), = found.items()
            for match in _PRONOUNS.finditer(sentence.group(), end):
                votes.setdefault(name, Counter())[match.lastgroup] += 1
    for character in characters:
        tally = votes.get(character.name, Counter())
        for gender, other in ((MALE, FEMALE), (FEMALE, MALE)):
            if not character.gender and tally[gender] >= 2 and tally[gender] >= 2 * tally[other]:
                character.gender = gender
