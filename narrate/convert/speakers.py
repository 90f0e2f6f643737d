"""Who says each quotation, in a book told in dialogue (quotes.is_dialogue): every quote
segment's `speaker`, and the book's characters (narrate.convert.characters).

A sieve from the most certain evidence to the least, the way rule-based attribution
systems work; a paragraph with quotations is a turn, and the first rule that answers
for a turn decides:
1. tag: a speech tag beside a quotation ("said Harris", "Elizabeth said:") names its
   speaker, never a name inside the quotation. A pronoun or a description in the tag
   ("said she", "cried his wife") is the most recent character it fits (gender), not one
   named in the tag's own clause and, in a new turn, not the last speaker when another
   fits, unless the narration since is about them or they talk to themselves; "I" is
   the narrator. The paragraph's other quotations are the tagged speaker's.
2. continued: a quotation left open at its paragraph's end and taken up by the next.
3. addressed: the turn before called someone by name ("…, Jane."), or its tag said
   whom it was said to ("said Jane to Elizabeth"): they answer.
4. unanswered: the narration since the turn before says one made no answer, or shows
   one the turn calls by name doing something (“…” Jane shook her head. “Jane, …”): the
   last speaker goes on.
5. narration: the turn's own narration opens a sentence with a character
   (Elizabeth smiled. “…”), not one its quotation names, or with "he" or "she".
6. alternation: in a run of turns, the speaker of the turn before last, when the last
   was another's; a first-person narrator is in every conversation they tell.
Then, backwards: a turn still unknown is the one the next turn calls by name, or the
speaker of the turn after next when the next is another's. A first-person narrator's
character takes the name the others call them by. Nothing found: '' (the quote voice).
"""

from __future__ import annotations

from collections import Counter

from narrate.convert.characters import NAME, Cast, common_words, gather, name_at
from narrate.convert.salience import NARRATOR_NAME, NOBODY, NOUN_GENDERS, Salience, add
from narrate.convert.tags import vocatives
from narrate.convert.turns import Paragraph, find_called, name_of, paragraphs
from narrate.model import Book, Character
from narrate.patterns import regex

_DESCRIBED = regex(r"the (?:[a-z]+ )?[a-z]+")  # the cook, the little man
# narration between two turns telling that the one spoken to did not answer
_UNANSWERED = regex(r"\b(?:made no (?:answer|reply)|was silent|said nothing|did not (?:answer|"
                    r"reply)|no (?:answer|reply) (?:was|came))\b")
_PRONOUN_OPENS = regex(r"\s*(?:He|She)\b")
_SENTENCE_END = regex(r"(?<!\bMr)(?<!\bMrs)(?<!\bDr)[.!?]+[”’\"')]*\s+")


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
    cast = Cast(characters + _described(turns))
    find_called(turns, cast)
    telling = any(tag.subject == "i" for t in turns for q in t.quotes for tag, _ in q.tags)
    sieve = _Sieve(cast, _narrator(turns, cast, common), telling)
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


def _described(turns: list[Paragraph]) -> list[Character]:
    """The people the book names by a description alone, in two tags at least ("said the
    cook", "said the detective"): characters of their own. A man, a lady, the other: no
    one in particular (their tags are read as pronouns are)."""
    said = Counter(tag.subject.lower() for t in turns for q in t.quotes for tag, _ in q.tags
                   if tag.kind == "description" and _DESCRIBED.fullmatch(tag.subject.lower()))
    return [Character(name) for name, n in sorted(said.items()) if n >= 2 and
            name.split()[-1] not in (*NOUN_GENDERS, *NOBODY)]


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
    def __init__(self, cast: Cast, narrator: Character, telling: bool = False):
        self.cast, self.narrator = cast, narrator
        # a first-person narrator ("I said") is in every conversation they tell
        self.present = [narrator] if telling else []
        self.seen = Salience(cast, narrator)

    def read(self, chapter: list[Paragraph]) -> None:
        """The chapter's turns in order, rules 1 to 6; the narration's names remembered."""
        between: list[Character] = []  # the people the narration since the last turn names
        for paragraph in chapter:
            if not paragraph.quotes:
                for text in paragraph.narration:
                    self.seen.follow(text)
                    for character in self.seen.subjects(text):
                        between = add(between, character)
                continue
            self.seen.talk = self.seen.talk if paragraph.prev else []
            for character in between:
                self.seen.talk = add(self.seen.talk, character)
            self.seen.follow(paragraph.lead)
            self._turn(paragraph)
            between, self.seen.focus = [], None

    def _turn(self, paragraph: Paragraph) -> None:
        prev = paragraph.prev
        here = self.seen.subjects(paragraph.lead)
        for quote in paragraph.quotes:
            for tag, text in quote.tags:
                if quote.speaker is None:
                    quote.speaker = self.seen.resolve(tag, text, paragraph, here)
            here += self.seen.subjects(quote.after)
        # the turn's speaker is its own quotations', not an aside's in parentheses
        tagged = [q.speaker for q in paragraph.quotes if q.speaker and not q.aside]
        rule, speaker = "tag", tagged[-1] if tagged else None
        if speaker is None and paragraph.continues and prev:
            rule, speaker = "continued", prev.speaker
        if speaker is None and prev:
            rule, speaker = "addressed", next((c for c in prev.called if c is not prev.speaker
                                               and c.name not in paragraph.named), None)
        if speaker is None and prev and prev.speaker and 0 < paragraph.gap and \
                _UNANSWERED.search(paragraph.preceding):  # the last speaker goes on
            rule, speaker = "unanswered", prev.speaker
        if speaker is None and prev and prev.speaker and 0 < paragraph.gap and \
                self._narration_subject(paragraph, called=True) not in (None, prev.speaker):
            rule, speaker = "unanswered", prev.speaker  # “…” Jane shook her head. “Jane, …”
        if speaker is None:
            rule, speaker = "narration", self._narration_subject(paragraph)
        if speaker is None and prev and prev.speaker:
            before = prev.prev.speaker if prev.prev else None
            rule, speaker = "alternation", next(
                (c for c in [before, *reversed(self.seen.talk), *self.present]
                 if c and c is not prev.speaker
                 and c.name not in paragraph.named), None)
        paragraph.speaker, paragraph.rule = speaker, rule if speaker else ""
        aside = None  # an untagged aside is the one of the aside before it ("said Alice")
        for quote in paragraph.quotes:  # one paragraph, one speaker, unless tagged apart
            quote.speaker = quote.speaker or (aside if quote.aside else None) or speaker
            aside = quote.speaker if quote.aside else aside
        for character in paragraph.called + ([speaker] if speaker else []):
            self.seen.talk = add(self.seen.talk, character)
            self.seen.recent = add(self.seen.recent, character)

    def _narration_subject(self, paragraph: Paragraph, called: bool = False
                           ) -> Character | None:
        """The first character doing something in the sentence of narration just before
        the turn's first quotation ("So Alice soon began talking again. “…”"), in its
        paragraph or ending the paragraph before ("Charlotte tried to console her.")."""
        lead = (paragraph.lead or paragraph.preceding).rstrip()
        start = max((m.end() for m in _SENTENCE_END.finditer(lead, 0, len(lead) - 1)), default=0)
        found = next((c for c in self.seen.subjects(lead[start:]) if (c in paragraph.called
                      if called else c.name not in paragraph.named)), None)  # not one the
        # quotation speaks to or of; `called`: one it calls by name
        focus = self.seen.focus  # "She looked at Jane, and smiled.": whom "she" stands for
        if found is None and not called and focus is not None and \
                focus.name not in paragraph.named and _PRONOUN_OPENS.match(lead, start):
            return focus
        return found

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
