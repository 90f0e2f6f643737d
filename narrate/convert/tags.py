"""Speech tags: the narration beside a quotation that says who spoke it ("said Harris",
"she replied", "cried his wife", "Elizabeth, smiling, said:"); from them, whether a book
is told in dialogue and whether a quotation in it is a character speaking; and the names
a quotation calls out to (a vocative: "My dear Mr. Bennet, …" names who is spoken to,
never the speaker). Every pattern is anchored or bounded: linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from narrate.convert.characters import CAP, TITLE, TITLES
from narrate.patterns import regex

VERBS = (
    "said|says|asked|asks|answered|answers|replied|replies|cried|cries|shouted|shouts|"
    "whispered|whispers|exclaimed|exclaims|continued|continues|added|adds|remarked|remarks|"
    "observed|observes|murmured|murmurs|returned|retorted|muttered|mutters|called|calls|"
    "went on|goes on|began|begins|thought|thinks|repeated|repeats|rejoined|interrupted|"
    "interposed|resumed|pursued|explained|suggested|ejaculated|remonstrated|protested|"
    "insisted|demanded|inquired|enquired|responded|declared|screamed|sobbed|sighed|laughed|"
    "growled|grumbled|roared|snapped|stammered|faltered|urged|persisted|concluded|echoed|"
    "yelled|bawled|hissed|groaned|whimpered|gasped|panted|pleaded|begged|admitted|agreed|"
    "objected|shrieked|squeaked|thundered|read|sang|chuckled|whined|moaned|wailed|howled|"
    "bellowed|croaked|drawled|mumbled|snarled|sneered|stuttered|commented|announced|"
    "ordered|commanded|warned|assented|conceded|confessed|corrected|reasoned|reflected|"
    "mused|ventured|queried|broke in|put in|struck in|chimed in|cut in|burst out|"
    "called out|cried out|sang out|spoke|speaks|say|saying|remarking|crying out|calling out")
PRONOUNS = ("he", "she", "it", "i", "they", "we", "you")
# verbs that carry on the speech before: the speaker of the turn before, when it fits
CONTINUING = frozenset(("continued", "continues", "added", "adds", "went on", "goes on",
                        "resumed", "pursued", "repeated", "persisted", "concluded"))
_ADVERB = r"(?:[a-z]+ly|again|then|thus|now|aloud|at once|at last|presently)"
# a description in a tag: his lady, her mother, the poor child, my companion
_DESCRIPTION = (r"(?:the|his|her|my|our|their|your|a|an)\s+[a-z]\w*(?:-\w+)*(?:\s+(?![a-z]+ly\b)"
                r"(?!(?:to|with|in|as|and|at|for|of|from|on|that|who|which|but|when|while|"
                r"after|before|into|upon|very|quite|so|again|then|softly|aloud)\b)"
                r"[a-z]\w*(?:-\w+)*){0,2}")
_NAMED = (rf"(?:the\s+)?(?:(?:poor|little|old|young|dear|good|wise|kind)\s+)?"
          rf"(?:(?:{TITLE})\.?\s+)?{CAP}"
          rf"(?:\s+(?:(?:de|van|von|du|da|del|le|la)\s+)?{CAP}){{0,3}}")
_SUBJECT = (rf"(?P<subject>\b(?:he|she|it|I|they|we|He|She|It|They|We)(?![\w’'])|{_NAMED}"
            rf"|{_DESCRIPTION})")
_VERB = rf"(?P<verb>{VERBS})\b"
_LEAD = r"[\s,;:—–\-]*"
_AFTER_VERB_FIRST = regex(rf"{_LEAD}(?:{_ADVERB}\s+)?{_VERB}(?:\s+{_ADVERB})?\s+{_SUBJECT}\b")
_AFTER_SUBJECT_FIRST = regex(rf"{_LEAD}{_SUBJECT}(?:\s*,[^,.!?;“”\"]{{1,60}},)?\s+"
                             rf"(?:{_ADVERB}\s+)?{_VERB}")
_AFTER_ANSWER = regex(rf"{_LEAD}was\s+(?P<subject>his|her|my|their)\s+(?:\w+\s+)?"
                      rf"(?:answer|reply|response|rejoinder|retort)\b")
# the subject right before a tag's verb: "Elizabeth said", "Mr. Darcy, smiling, replied"
_ADJACENT = regex(rf"{_SUBJECT}(?:\s*,[^,.!?;“”\"]{{1,60}},)?\s+(?:{_ADVERB}\s+)?\Z")
# where the clause, or the sentence, before a quotation begins (not at Mr.'s full stop)
_NOT_TITLE = r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)"
_CLAUSE_START = regex(rf".*{_NOT_TITLE}[.!?;]\s", re.DOTALL)
_SENTENCE_START = regex(rf".*{_NOT_TITLE}[.!?]\s", re.DOTALL)
# a clause that ends introducing a quotation: its last speech verb near the end, then a
# comma, a colon or a dash ("said to her--"), or a few words ("said to the Knave “…”")
_INTRODUCING = regex(rf"\b{_VERB}(?:(?:(?!\b(?:{VERBS})\b)[^.!?“”\"]){{0,60}}[,:—–\-]|"
                     rf"[^.!?“”\",;:]{{0,40}}|(?:(?<=began)|(?<=resumed)|(?<=went on)|(?<=continued))(?:\s+again)?\.)\s*\Z")
# a person in a clause: a pronoun, or a name that is not a sentence's first word ("To
# interrupt a silence…, she said")
_PERSON = regex(rf"(?P<subject>\b(?:he|she|I|He|She)(?![\w’'])|(?!(?:To|In|On|At|As|If|When|"
                rf"While|After|Before|But|And|Then|So|Yet|For|With|Without|Though|Although|"
                rf"Since|Unless|Until|Upon|This|That|It|There|Here|What|How|Why|Where|Who|However|"
                rf"Still|Yet|Now|Soon|Once|Just|Only|Even|Again|Thus|Perhaps|Indeed|Suddenly|"
                rf"Presently|Meanwhile|Instead|Besides|Nevertheless|Accordingly)\b)"
                rf"{_NAMED})")
_RELATIVE = regex(r",?\s+who\b")
_PREPOSITION = regex(r"\b(?:to|with|at|of|for|from|on|upon|towards|after|about|than|like|by|"
                     r"on|in|into|over|under|behind|before|beside|near)\s+\Z", re.IGNORECASE)
_REACH = 300  # characters of narration a tag is looked for in, before a quotation
_POSSESSIVE = {"his": "he", "her": "she", "my": "i", "their": "they"}


@dataclass(frozen=True)
class Tag:
    """Who a tag says spoke: a pronoun ("she"), a description ("her mother") or a name
    as written ("Mr. Bennet"); `start`, `end`: where in the narration it stands."""
    subject: str
    kind: str  # "pronoun", "description" or "name"
    start: int
    end: int
    verb: str = ""
    trusted: bool = False  # a name after its verb ("said Small"): capitalised as a name


def _tag(match: re.Match, offset: int = 0) -> Tag:
    subject = match.group("subject")
    word = subject.lower()
    start, end = offset + match.start(), offset + match.end()
    if word in _POSSESSIVE:  # "was her answer"
        return Tag(_POSSESSIVE[word], "pronoun", start, end)
    verb = match.groupdict().get("verb") or ""
    if word in PRONOUNS:
        kind = "pronoun"
    elif any(w[:1].isupper() for w in subject.split()[1:]) or subject[:1].isupper():
        kind = "name"
    else:
        kind = "description"
    return Tag(word if kind == "pronoun" else subject, kind, start, end, verb,
               bool(verb) and match.start("verb") < match.start("subject"))


def tag_after(narration: str) -> Tag | None:
    """The tag that opens the narration after a quotation: "said Harris", "she replied"."""
    for pattern in (_AFTER_VERB_FIRST, _AFTER_SUBJECT_FIRST, _AFTER_ANSWER):
        match = pattern.match(narration)
        if match:
            return _tag(match)
    return None


def tag_before(narration: str) -> Tag | None:
    """The tag that closes the narration before a quotation: "Elizabeth said:", "Mr.
    Darcy felt their rudeness and immediately said,--"."""
    start = max(0, len(narration) - _REACH)
    tail = narration[start:]
    for opening in (_CLAUSE_START, _SENTENCE_START):
        found = opening.match(tail)
        at = found.end() if found else 0
        verb = _INTRODUCING.search(tail, at)
        if verb is None:
            return None
        subject = _ADJACENT.search(tail, at, verb.start())
        if subject is None or _tag(subject).kind == "description" and \
                _after_preposition(tail, at, subject):  # "with a smile replied"
            subject = _sentence_subject(tail, at, verb)
        if subject is not None:
            tag = _tag(subject, start)
            return Tag(tag.subject, tag.kind, tag.start, tag.end, verb.group("verb"))
    return None


def _sentence_subject(tail: str, at: int, verb: re.Match) -> re.Match | None:
    """The subject of a clause whose speech verb has words before it ("Mr. Darcy felt
    their rudeness and immediately said"): one a relative clause names ("Lydia, who,
    flying to her, cried"), else its first person not after a preposition."""
    people = list(_PERSON.finditer(tail, at, verb.start()))
    relative = [m for m in people if _RELATIVE.match(tail, m.end())]
    people = [m for m in people if not _after_preposition(tail, at, m)]
    return next(iter(relative or people), None)


def _after_preposition(text: str, at: int, match: re.Match) -> bool:
    return bool(_PREPOSITION.search(text, max(at, match.start() - 12), match.start()))


# a name called out at a quotation's start or end, or between commas: "Lizzy, …",
# "…, my dear Jane.", "Oh, Mr. Darcy, …"
_CALLED = (rf"(?!(?:Yes|No|Well|Oh|Ah|Why|Now|Come|Nay|Indeed|Pray|Hush|Alas|Hullo|Hallo|"
           rf"Hello|Please|Look|Listen|Stop|Wait|Certainly|Quite|Very|Good|Thank|Thanks|Here|"
           rf"There|Then|So|Sure|Really|Lord|God|Heaven|Heavens)\b)"
           rf"(?P<name>(?:{TITLE})\.?\s+{CAP}(?:\s+{CAP})?|{CAP}(?:\s+{CAP})?)")
_DEAR = r"(?:(?i:my|oh|o|ah|dear|dearest|poor|good|well|yes|no|now|come|why|nay|dear,)\s+){0,3}"
_VOCATIVE_START = regex(rf"\W*(?:[A-Za-z]+[,!]\s+)?{_DEAR}{_CALLED}\s*[,!?]")
_VOCATIVE_END = regex(rf",\s*{_DEAR}{_CALLED}\s*[.!?,;—–-]*[\s”’\"']*\Z")
_VOCATIVE_MIDDLE = regex(rf",\s+{_DEAR}{_CALLED}\s*,")
_EDGE = 200  # characters at each end a vocative is looked for in


def vocatives(quotation: str) -> list[str]:
    """The names a quotation calls out to, as written."""
    found = []
    head, tail = quotation[:_EDGE], quotation[-_EDGE:]
    for match in (_VOCATIVE_START.match(head), _VOCATIVE_END.search(tail)):
        if match:
            found.append(match.group("name"))
    found += [m.group("name") for m in _VOCATIVE_MIDDLE.finditer(head)]
    return [name for name in found if name.rstrip(".") not in TITLES]  # not "Sir", "Madam"


# Whether a book is fiction told in dialogue: a speech, then a tag naming who spoke
# (“…,” he said / said George), counted with a short list of verbs (kept as it was: it
# decides which books are dialogue)
_TELLING = (r"said|says|say|asked|asks|ask|answered|answers|answer|replied|replies|reply|"
            r"cried|cries|cry|shouted|shouts|shout|whispered|exclaimed|continued|added|"
            r"remarked|observed|murmured|returned|retorted|muttered|called|went on")
_DIALOGUE_TAG = regex(rf"[,?!—–-]\s*[”\"’]\s*(?:(?:he|she|I|you|they|we|it|[A-Z][a-z]+"
                      rf"(?: [A-Z][a-z]+)?)\s+(?:{_TELLING})|(?:{_TELLING})\s+(?:he|she|I|you|"
                      rf"they|we|[A-Z][a-z]+))\b")
_INTRODUCED = regex(rf"\b(?:{_TELLING})\b[^.!?]{{0,40}}[:,]\s*\Z", re.IGNORECASE)
# a speech verb right before a quotation: 'called out “The race is over!”'
_SAYING = regex(rf"\b(?:{VERBS}|saying|crying|calling|asking|thinking|shouting|singing|"
                rf"whispering|muttering|repeating|cackled)\b[^.!?“”\"]{{0,60}}\Z")
DIALOGUE_TAGS = 1.0  # speech tags a thousand words that make a book's quotations dialogue


def is_dialogue(paragraphs: list[str]) -> bool:
    """Whether the book tells its story in dialogue (fiction): speech tags at least one
    a thousand words. Three Men in a Boat has 1.8; the essays and lectures 0.0-0.3."""
    tags = sum(len(_DIALOGUE_TAG.findall(p)) for p in paragraphs)
    words = sum(len(p.split()) for p in paragraphs)
    return tags >= 10 and 1000 * tags / max(1, words) >= DIALOGUE_TAGS


def is_speech(text: str, start: int, end: int, after_speech: int | None) -> bool:
    """In dialogue, whether the quotation text[start:end] is a character speaking, at any
    length: it opens the paragraph, follows a speech with a short tag between ("he
    says; "), is introduced ("I said: ", "called out “…”") or is followed by a speech
    tag ("“Is she?” he said"). A quotation inside narration ("shout for “Bill!”") is
    not. `after_speech`: where the paragraph's last speech ended."""
    if start <= 3 and not text[:start].strip(" —–-("):  # a paragraph's text is stripped
        return True
    if after_speech is not None and start - after_speech <= 120 and \
            len(text[after_speech:start].split()) <= 12:
        return True
    before = text[max(0, start - 60):start]
    return bool(_INTRODUCED.search(before) or _SAYING.search(before)
                or tag_after(text[end:end + _REACH]))
