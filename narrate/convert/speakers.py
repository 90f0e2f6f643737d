"""Who says each quotation, in a book told in dialogue (quotes.is_dialogue): every quote
segment's `speaker`, and the book's characters (narrate.convert.characters).

A sieve from the most certain evidence to the least, the way rule-based attribution
systems work; a paragraph with quotations is a turn, and the first rule that answers
for a turn decides:
1. tag: a speech tag beside a quotation ("said Harris", "Elizabeth said:") names its
   speaker, never a name inside the quotation. A pronoun or a description in the tag
   ("said she", "cried his wife") is the most recent character it fits (gender), not one
   named in the tag's own clause and, in a new turn, not the last speaker when another
   fits; "I" is the narrator. The paragraph's other quotations are the tagged speaker's.
2. continued: a quotation left open at its paragraph's end and taken up by the next.
3. addressed: the turn before called someone by name ("…, Jane."): they answer.
4. narration: the turn's own narration opens a sentence with a character
   (Elizabeth smiled. “…”).
5. alternation: in a run of turns, the speaker of the turn before last, when the last
   was another's.
Then, backwards: a turn still unknown is the one the next turn calls by name, or the
speaker of the turn after next when the next is another's. A first-person narrator's
character takes the name the others call them by. Nothing found: '' (the quote voice).
"""

from __future__ import annotations

import re
from collections import Counter

from narrate.convert.characters import (
    FEMALE,
    MALE,
    NAME,
    Cast,
    common_words,
    gather,
    name_at,
)
from narrate.convert.tags import CONTINUING, Tag, vocatives
from narrate.convert.turns import Paragraph, find_called, name_of, paragraphs
from narrate.model import Book, Character
from narrate.patterns import regex

NARRATOR_NAME = "the narrator"  # a first-person narrator no one calls by name
_NOUN_GENDERS = {
    **dict.fromkeys(("mother", "wife", "lady", "aunt", "sister", "daughter", "girl", "woman",
                     "niece", "mistress", "queen", "duchess", "landlady", "governess", "maid",
                     "widow", "bride", "hostess"), FEMALE),
    **dict.fromkeys(("father", "husband", "gentleman", "uncle", "brother", "son", "boy", "man",
                     "nephew", "master", "king", "lord", "fellow", "landlord", "host"), MALE),
}
_GENDER_OF = {"he": MALE, "she": FEMALE}
# a relative named by their title and the owner's surname: Mr. Bennet's wife, Mrs. Bennet
_FAMILY_TITLES = {"wife": "Mrs.", "lady": "Mrs.", "mother": "Mrs.", "husband": "Mr.",
                  "father": "Mr.", "brother": "Mr."}
_SPOUSES = {"wife": FEMALE, "lady": FEMALE, "husband": MALE}
_RECENT = 12  # characters remembered for a pronoun
_SENTENCE = regex(r"(?:[^.!?]|(?<=\bMr)\.|(?<=\bMrs)\.|(?<=\bDr)\.)+[.!?]*")
# a sentence's opening words, up to its subject: "Then, at last, she", "But Holmes"
_OPENING = regex(r"\s*(?:(?:And|But|Then|So|Now|Here|There|At last|Presently|Meanwhile|Still|"
                 r"Yet)\b,?\s+)?(?:(?P<pronoun>He|She)\b)?")
_JOINED = regex(r",?\s+(?:and|or|with)\s+[A-Z]")
_SENTENCE_END = regex(r"(?<!\bMr)(?<!\bMrs)(?<!\bDr)[.!?]+[”’\"')]*\s+")
_POSSESSIVE_AFTER = regex(r"['’]s?\b")
_PREPOSITION_BEFORE = regex(r"\b(?:to|with|at|of|for|from|on|upon|towards|about|than|like|by|"
                            r"into|over|under|behind|beside|near)\s+\Z", re.IGNORECASE)


def attribute(book: Book, given: list[Character] | None = None) -> dict[str, str]:
    """Give each quote segment of `book` its `speaker`, and `book.characters` the people
    who speak (with `given`, a user's characters, who win); returns the rule that
    decided each quote segment, by id."""
    chapters = paragraphs(book)
    every = [p for chapter in chapters for p in chapter]
    turns = [p for p in every if p.quotes]
    named = [(name_at(match), tag.trusted) for p in turns for q in p.quotes
             for tag, _ in q.tags if tag.kind == "name" and (match := NAME.search(tag.subject))]
    texts = [t for p in every for t in p.narration + [q.text for q in p.quotes]]
    common = common_words(texts)
    characters = _with_given(gather(named, texts, [t for p in every for t in p.narration],
                                    common), given or [])
    cast = Cast(characters)
    find_called(turns, cast)
    sieve = _Sieve(cast, _narrator(turns, cast, common))
    for chapter in chapters:
        sieve.read(chapter)
    sieve.backward(turns)
    rules: dict[str, str] = {}
    lines: Counter[str] = Counter()
    for turn in turns:
        for quote in turn.quotes:
            lines[quote.speaker.name if quote.speaker else ""] += len(quote.segments)
            for segment in quote.segments:
                segment.speaker = quote.speaker.name if quote.speaker else ""
                rules[segment.id] = turn.rule if quote.speaker else ""
    everyone = cast.characters + ([sieve.narrator] if sieve.narrator not in cast.characters
                                  else [])
    book.characters = sorted((c for c in everyone if lines[c.name] or c in (given or [])),
                             key=lambda c: (-lines[c.name], c.name))
    return rules


def _with_given(found: list[Character], given: list[Character]) -> list[Character]:
    """A user's characters, then those found that none of theirs names."""
    theirs = {n.casefold() for c in given for n in c.names}
    return list(given) + [c for c in found if not {n.casefold() for n in c.names} & theirs]


def _narrator(turns: list[Paragraph], cast: Cast, common: set[str]) -> Character:
    """A first-person narrator's character ("I said"): the one the turns before the
    narrator's own call by name, twice at least, and whom no tag names (the narrator is
    never "said Watson"); else the narrator unnamed."""
    def says_i(turn: Paragraph) -> bool:
        return any(tag.subject == "i" for q in turn.quotes for tag, _ in q.tags)

    tagged = {tag.subject for t in turns for q in t.quotes for tag, _ in q.tags
              if tag.kind == "name"}
    tagged |= {c.name for name in tagged if (c := cast.find(name_of(name)))}
    called: Counter = Counter()
    for turn in turns:
        if turn.prev and says_i(turn) and not says_i(turn.prev):
            for name in {v for q in turn.prev.quotes for v in vocatives(q.text)}:
                character = cast.find(name_of(name))
                if character is not None or name not in common:  # not "Yes"
                    called[character.name if character else name] += 1
    found = [(name, n) for name, n in called.most_common() if name not in tagged]
    if not found or found[0][1] < 2:
        return Character(NARRATOR_NAME, ["I"])
    by_name = {c.name: c for c in cast.characters}
    return by_name.get(found[0][0]) or Character(found[0][0], ["I"])


class _Sieve:
    def __init__(self, cast: Cast, narrator: Character):
        self.cast, self.narrator = cast, narrator
        self.recent: list[Character] = []  # named in narration or speaking, the book over
        self.talk: list[Character] = []  # the conversation's people, the most recent last
        self.focus: Character | None = None  # whom the narration since the last turn is about

    @staticmethod
    def _add(people: list[Character], character: Character) -> list[Character]:
        return [*(c for c in people[-_RECENT:] if c is not character), character]

    def _subjects(self, text: str) -> list[Character]:
        """Characters named in `text` who may be doing something: not in a possessive
        (Miss Lucas's), not after a preposition (to Jane)."""
        return [c for start, end, c in self.cast.mentions(text)
                if not _POSSESSIVE_AFTER.match(text, end)
                and not _PREPOSITION_BEFORE.search(text, max(0, start - 12), start)]

    def read(self, chapter: list[Paragraph]) -> None:
        """The chapter's turns in order, rules 1 to 5; the narration's names remembered."""
        between: list[Character] = []  # the people the narration since the last turn names
        for paragraph in chapter:
            if not paragraph.quotes:
                for text in paragraph.narration:
                    self._follow(text)
                    for character in self._subjects(text):
                        between = self._add(between, character)
                continue
            self.talk = self.talk if paragraph.prev else []
            for character in between:
                self.talk = self._add(self.talk, character)
            self._follow(paragraph.lead)
            self._turn(paragraph)
            between, self.focus = [], None

    def _follow(self, text: str) -> None:
        """Whom the narration is about: the last of its sentences that opens with one
        character ("Holmes rubbed his hands", not "Holmes and Jones sat"), or with "he" or
        "she" (whom the narration was about already, or the most salient of that gender)."""
        for sentence in _SENTENCE.finditer(text):
            opening = _OPENING.match(sentence.group())
            pronoun = opening.group("pronoun") if opening else None
            if pronoun:
                self.focus = self._fit(_GENDER_OF[pronoun.lower()], {self.narrator.name}, None,
                                       [])
            named = list(self.cast.mentions(sentence.group()))
            if opening and not pronoun and named and named[0][0] == opening.end() and \
                    not _JOINED.match(sentence.group(), named[0][1]):
                self.focus = named[0][2]
            for _, _, character in named:  # the book's most recent, sentence by sentence
                self.recent = self._add(self.recent, character)

    def _turn(self, paragraph: Paragraph) -> None:
        prev = paragraph.prev
        here = self._subjects(paragraph.lead)
        for quote in paragraph.quotes:
            for tag, text in quote.tags:
                if quote.speaker is None:
                    quote.speaker = self._resolve(tag, text, paragraph, here)
            here += self._subjects(quote.after)
        tagged = [q.speaker for q in paragraph.quotes if q.speaker]
        rule, speaker = "tag", tagged[-1] if tagged else None
        if speaker is None and paragraph.continues and prev:
            rule, speaker = "continued", prev.speaker
        if speaker is None and prev:
            rule, speaker = "addressed", next((c for c in prev.called if c is not prev.speaker
                                               and c not in paragraph.called), None)
        if speaker is None:
            rule, speaker = "narration", self._narration_subject(paragraph)
        if speaker is None and prev and prev.speaker:
            before = prev.prev.speaker if prev.prev else None
            rule, speaker = "alternation", next(
                (c for c in [before, *reversed(self.talk)] if c and c is not prev.speaker
                 and c not in paragraph.called), None)
        paragraph.speaker, paragraph.rule = speaker, rule if speaker else ""
        for quote in paragraph.quotes:  # one paragraph, one speaker, unless tagged apart
            quote.speaker = quote.speaker or speaker
        for character in paragraph.called + ([speaker] if speaker else []):
            self.talk = self._add(self.talk, character)
            self.recent = self._add(self.recent, character)

    def _resolve(self, tag: Tag, text: str, paragraph: Paragraph, here: list[Character]
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
        exclude = clause | {c.name for c in paragraph.called}
        if tag.kind == "pronoun":
            gender = _GENDER_OF.get(tag.subject, "it" if tag.subject == "it" else None)
            same = earlier or (prev.speaker if prev and tag.verb in CONTINUING else None)
            if same is not None and self._fits(same, gender, exclude):
                return same
            return self._fit(gender, exclude, prev.speaker if prev and not paragraph.gap else None, here)
        words = tag.subject.lower().split()
        head, owner_word = words[-1], words[0]
        if head in ("other", "latter"):
            return self._fit("", exclude, prev.speaker if prev else None, here)
        owner = None
        if owner_word in ("his", "her"):  # one the quotation calls to may be the owner
            owner = self._fit(_GENDER_OF["he" if owner_word == "his" else "she"], clause,
                              None, here + paragraph.called)
        elif owner_word in ("my", "our"):
            owner = self.narrator
        relative = self._relative(owner, head)
        if relative is not None:
            return relative
        gender = _NOUN_GENDERS.get(head)
        if owner is None and gender is None:
            return None
        return self._fit(gender or "", exclude | {owner.name if owner else ""}, None, here)

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
    def _fits(character: Character, gender: str | None, exclude: set[str]) -> bool:
        if gender is None or character.name in exclude:
            return False
        wanted = "" if gender == "it" else gender
        return gender == "" or character.gender in (wanted, "")

    def _fit(self, gender: str | None, exclude: set[str], avoid: Character | None,
             here: list[Character]) -> Character | None:
        """The most salient character of `gender` ("" any, "it" one of no known gender),
        not in `exclude`: named earlier in the paragraph, then the one the narration is
        about, one in the conversation, then in the book; one of that gender before one of none known; `avoid` (the last
        speaker: turns alternate) only when no other fits."""
        if gender is None:
            return None
        tiers = [here[::-1], [self.focus] if self.focus else [], self.talk[::-1],
                 self.recent[::-1]]
        exact = "" if gender == "it" else gender
        groups = [[c for tier in tiers for c in tier if c.name not in exclude and
                   (gender == "" or c.gender == exact)]]
        if gender not in ("", "it"):
            groups.append([c for tier in tiers for c in tier if c.name not in exclude and
                           not c.gender])
        for fits in groups:
            if fits:
                return next((c for c in fits if c is not avoid), fits[0])
        return None

    def _narration_subject(self, paragraph: Paragraph) -> Character | None:
        """The first character doing something in the sentence of narration just before
        the turn's first quotation ("So Alice soon began talking again. “…”")."""
        lead = paragraph.lead.rstrip()
        start = max((m.end() for m in _SENTENCE_END.finditer(lead, 0, len(lead) - 1)), default=0)
        return next(iter(self._subjects(lead[start:])), None)

    def backward(self, turns: list[Paragraph]) -> None:
        """Turns still unknown, from the turns after them."""
        following: dict[int, Paragraph] = {id(t.prev): t for t in turns if t.prev}
        for turn in reversed(turns):
            after = following.get(id(turn))
            if turn.speaker is not None or after is None:
                continue
            second = following.get(id(after))
            called = next((c for c in after.called if c is not after.speaker), None)
            if called is not None:
                turn.speaker, turn.rule = called, "addressed"
            elif second and after.speaker and second.speaker and \
                    second.speaker is not after.speaker:
                turn.speaker, turn.rule = second.speaker, "alternation"
            for quote in turn.quotes:
                quote.speaker = quote.speaker or turn.speaker
