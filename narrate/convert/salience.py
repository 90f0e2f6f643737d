"""Whom a story is about at each point, as its speaker sieve reads it (narrate.convert.
speakers): the characters it named last, the people of the conversation, the one the
narration since the last turn follows; and from them, the character a pronoun or a
description in a speech tag stands for ("said she", "cried his wife", "replied the other").
"""

from __future__ import annotations

import re

from narrate.convert.characters import FEMALE, MALE, NAME, Cast, name_at
from narrate.convert.tags import CONTINUING, Tag
from narrate.convert.turns import Paragraph, name_of
from narrate.model import Character
from narrate.patterns import regex

NARRATOR_NAME = "the narrator"  # a first-person narrator no one calls by name
NOUN_GENDERS = {
    **dict.fromkeys(("mother", "wife", "lady", "aunt", "sister", "daughter", "girl", "woman",
                     "niece", "mistress", "queen", "duchess", "landlady", "governess", "maid",
                     "widow", "bride", "hostess", "ladyship"), FEMALE),
    **dict.fromkeys(("father", "husband", "gentleman", "uncle", "brother", "son", "boy", "man",
                     "nephew", "master", "king", "lord", "fellow", "landlord", "host", "lordship"), MALE),
}
GENDER_OF = {"he": MALE, "she": FEMALE}
# a description of no one in particular: "replied the other"
NOBODY = frozenset(("other", "latter", "former", "first", "second", "last", "same", "rest",
                    "one", "voice", "company", "party"))
# nouns for a person whatever their gender: "said my companion", "cried her friend"
_PEOPLE = frozenset(("companion", "friend", "visitor", "guest", "partner", "cousin", "child",
                     "neighbour", "neighbor", "host", "colleague", "fellow-traveller"))
# a relative named by their title and the owner's surname: Mr. Bennet's wife, Mrs. Bennet
_FAMILY_TITLES = {"wife": "Mrs.", "lady": "Mrs.", "mother": "Mrs.", "husband": "Mr.",
                  "father": "Mr.", "brother": "Mr."}
_SPOUSES = {"wife": FEMALE, "lady": FEMALE, "husband": MALE}
_TO_ONESELF = regex(r"(?:\s+[a-z]+ly)?\s+to\s+(?:herself|himself|itself)\b")
_KIN = regex(r"\b([Hh]is|[Hh]er) (wife|lady|mother|husband|father|brother)\b")
_RECENT = 12  # characters remembered for a pronoun
_SENTENCE = regex(r"(?:[^.!?]|(?<=\bMr)\.|(?<=\bMrs)\.|(?<=\bDr)\.)+[.!?]*")
# a sentence's opening words, up to its subject: "Then, at last, she", "But Holmes"
_OPENING = regex(r"\s*(?:(?:And|But|Then|So|Now|Here|There|At last|Presently|Meanwhile|Still|"
                 r"Yet)\b,?\s+)?(?:(?P<pronoun>[Hh]e|[Ss]he)\b)?")
_INNER_PRONOUN = regex(r"[,;]\s+(?:(?:and|but|then|so)\s+)?(he|she)\b")  # a clause's subject
_JOINED = regex(r",?\s+(?:and|or|with)\s+[A-Z]")
_POSSESSIVE_AFTER = regex(r"['’]s?\b")
_PREPOSITION_BEFORE = regex(r"\b(?:to|with|at|of|for|from|on|upon|towards|about|than|like|by|"
                            r"into|over|under|behind|beside|near)\s+\Z", re.IGNORECASE)


def add(people: list[Character], character: Character) -> list[Character]:
    """`people` with `character` the most recent (a bounded memory: linear time)."""
    return [*(c for c in people[-_RECENT:] if c is not character), character]


class Salience:
    def __init__(self, cast: Cast, narrator: Character):
        self.cast, self.narrator = cast, narrator
        self.recent: list[Character] = []  # named in narration or speaking, the book over
        self.talk: list[Character] = []  # the conversation's people, the most recent last
        self.focus: Character | None = None  # whom the narration since the last turn is about

    def subjects(self, text: str) -> list[Character]:
        """Characters named in `text` who may be doing something: not in a possessive
        (Miss Lucas's), not after a preposition (to Jane)."""
        return [c for start, end, c in self.cast.mentions(text)
                if not _POSSESSIVE_AFTER.match(text, end)
                and not _PREPOSITION_BEFORE.search(text, max(0, start - 12), start)]

    def follow(self, text: str) -> None:
        """Whom the narration is about: the last of its sentences that opens with one
        character ("Holmes rubbed his hands", not "Holmes and Jones sat"), or with "he" or
        "she" (whom the narration was about already, or the most salient of that gender)."""
        for sentence in _SENTENCE.finditer(text):
            opening = _OPENING.match(sentence.group())
            pronoun = opening.group("pronoun") if opening else None
            if pronoun:
                self.focus = self.fit(GENDER_OF[pronoun.lower()], {self.narrator.name}, None,
                                       [])
            named = list(self.cast.mentions(sentence.group()))
            if opening and not pronoun and named and named[0][0] == opening.end() and \
                    not _JOINED.match(sentence.group(), named[0][1]):
                self.focus = named[0][2]
            elif not pronoun and (inner := _INNER_PRONOUN.search(sentence.group())):
                # "since Mrs. Bennet had been down, … she took her seat": the one named
                # before it in its sentence
                gender = GENDER_OF[inner.group(1)]
                self.focus = next((c for start, _, c in reversed(named) if start < inner.start()
                                   and c.gender == gender), self.focus)
            for character in self.subjects(sentence.group()):  # not "the back of Harris"
                self.recent = add(self.recent, character)
            for kin in _KIN.finditer(sentence.group()):  # "she was met by her father"
                gender = GENDER_OF["he" if kin.group(1).lower() == "his" else "she"]
                owner = self.fit(gender, {self.narrator.name}, None, [])
                relative = self._relative(owner, kin.group(2))
                if relative is not None:
                    self.recent = add(self.recent, relative)

    def resolve(self, tag: Tag, text: str, paragraph: Paragraph, here: list[Character]
                 ) -> Character | None:
        """The character a tag names, or a pronoun or a description in it stands for."""
        if tag.kind == "name":
            return self.cast.find(name_of(tag.subject))
        if tag.subject == "i":
            return self.narrator
        prev = paragraph.prev
        earlier = next((q.speaker for q in paragraph.quotes if q.speaker), None)
        # not one the tag's own clause names, nor the narrator ("I", never "he")
        clause = {c.name for _, _, c in self.cast.mentions(text[tag.start:tag.end + 60])}
        clause.add(self.narrator.name)
        exclude = clause | paragraph.named
        if tag.kind == "pronoun":
            gender = GENDER_OF.get(tag.subject, "it" if tag.subject == "it" else None)
            shown = [c for c in [*here, self.focus] if c and self.fits(c, gender, exclude)]
            same = earlier or (prev.speaker if prev and tag.verb in CONTINUING and not shown
                               else None)  # "added" is the last speaker's, unless the
            # narration since shows another
            if same is not None and self.fits(same, gender, exclude):
                return same
            alone = tag.verb in ("thought", "thinks") or _TO_ONESELF.match(text, tag.end)
            return self.fit(gender, exclude, prev.speaker if prev and not paragraph.gap and
                            not alone else None, here)  # to oneself: no turn to alternate
        words = tag.subject.lower().split()
        head, owner_word = words[-1], words[0]
        if tag.subject.lower() in self.cast.by_name:  # "the cook", one of the characters
            return self.cast.by_name[tag.subject.lower()]
        if head in ("other", "latter"):  # the other of the two
            return self.fit("", exclude, prev.speaker if prev else None, here)
        owner = None
        if owner_word in ("his", "her"):  # one the quotation calls to may be the owner
            owner = self.fit(GENDER_OF["he" if owner_word == "his" else "she"], clause,
                              None, here + paragraph.called)
        elif owner_word in ("my", "our"):
            owner = self.narrator
        relative = self._relative(owner, head)
        if relative is None and owner_word in ("his", "her"):  # the owner named without
            owner_gender = GENDER_OF["he" if owner_word == "his" else "she"]  # a surname:
            relative = next((r for c in [*reversed(here + paragraph.called), *self.talk[::-1]]
                             if c is not owner and self.fits(c, owner_gender, clause)
                             and (r := self._relative(c, head))), None)  # "Lizzy"'s kin
        if relative is not None:
            return relative
        title = _FAMILY_TITLES.get(head)
        if owner is not None and title and owner.name.startswith(title + " ") and \
                owner.name not in exclude:  # "her" was taken for the mother herself
            return owner
        gender = NOUN_GENDERS.get(head)
        if gender is None and (owner is None or head not in _PEOPLE):  # "her answer": no one
            return None
        return self.fit(gender or "", exclude | {owner.name if owner else ""}, None, here)

    def _relative(self, owner: Character | None, noun: str) -> Character | None:
        """Mr. Bennet's wife is Mrs. Bennet (whether the book has named her yet or not),
        Miss Bingley's brother Mr. Bingley."""
        title = _FAMILY_TITLES.get(noun)
        if owner is None or title is None:
            return None
        for written in owner.names:
            match = NAME.fullmatch(written)
            name = name_at(match) if match else None
            if name is None or not (name.title or len(name.words) > 1):
                continue
            relative = f"{title} {name.words[-1]}"
            found = self.cast.by_name.get(relative.casefold())
            if found is None and noun in _SPOUSES and name.title in ("Mr", "Mrs"):
                found = self.cast.add(Character(relative, [], _SPOUSES[noun]))
            if found is not None and found is not owner:
                return found
        return None

    @staticmethod
    def fits(character: Character, gender: str | None, exclude: set[str]) -> bool:
        if gender is None or character.name in exclude:
            return False
        wanted = "" if gender == "it" else gender
        return gender == "" or character.gender in (wanted, "")

    def fit(self, gender: str | None, exclude: set[str], avoid: Character | None,
            here: list[Character]) -> Character | None:
        """The most salient character of `gender` ("" any, "it" one of no known gender),
        not in `exclude`: named earlier in the paragraph, then the one the narration is
        about, then the last the book named (the narration since the conversation began
        may have moved on to another), then one in the conversation; one of that gender
        before one of
        none known; `avoid` (the last speaker: turns alternate) only when no other fits,
        or when the paragraph itself names them ("Alice thought. “…” she said")."""
        if gender is None:
            return None
        fitting = [c for c in reversed(here) if self.fits(c, gender, exclude)]
        named = next((c for c in fitting if c.gender or gender in ("", "it")), None) or \
            next(iter(fitting), None)  # one known to be of that gender first
        if named is not None:  # the paragraph's own, of that gender or none known
            return named
        tiers = [[self.focus] if self.focus else [], self.recent[::-1], self.talk[::-1]]
        exact = "" if gender == "it" else gender
        groups = [[c for tier in tiers for c in tier if c.name not in exclude and
                   (gender == "" or c.gender == exact)]]
        if gender not in ("", "it"):
            groups.append([c for tier in tiers for c in tier if c.name not in exclude and
                           not c.gender])
        for fits in groups:
            if fits and fits[0] is self.focus:  # the narration since the last turn is theirs
                return fits[0]
            if fits:
                return next((c for c in fits if c is not avoid), fits[0])
        return None
