"""A user's characters: the `characters:` map of a book's metadata or of its script
(name -> aliases, gender, and for the cast a voice), read, written, and carried into a new
conversion of the source.

    characters:
      Elizabeth: {aliases: [Lizzy, Eliza], gender: female}
      Mr. Darcy: {aliases: [Darcy], gender: male}
"""

from __future__ import annotations

from dataclasses import dataclass

from narrate.errors import NarrateError
from narrate.fileio import check_keys, nearest, where
from narrate.model import GENDERS, Book, Character

CHARACTER_KEYS = ("aliases", "gender", "voice")


def characters_data(characters: list[Character]) -> dict:
    """name -> {aliases, gender, voice}, each only when it has one."""
    return {c.name: {**({"aliases": list(c.aliases)} if c.aliases else {}),
                     **({"gender": c.gender} if c.gender else {}),
                     **({"voice": c.voice} if c.voice else {})} for c in characters}


def characters_from_data(data, path) -> list[Character]:
    """A `characters:` map read back (None: no map); one line naming the entry and the fix
    when it is not name -> {aliases: [...], gender: male|female, voice: ...}."""
    if data is None:
        return []
    if not isinstance(data, dict):
        raise NarrateError(f"{where(path, data)}: `characters` must be a mapping of names "
                           f"(Elizabeth: {{aliases: [Lizzy], gender: female}}), not "
                           f"{type(data).__name__}")
    found = []
    for name, entry in data.items():
        place = where(path, data, name)
        entry = {} if entry is None else entry
        if not isinstance(name, str) or not name.strip() or not isinstance(entry, dict):
            raise NarrateError(f"{place}: character {name!r} must be a name with a mapping "
                               f"under it, not {type(entry).__name__}",
                               hint="write it as `NAME: {aliases: [OTHER NAME], gender: "
                                    "female}`")
        check_keys(entry, CHARACTER_KEYS, f"{place}: character {name!r}")
        aliases, gender, voice = (entry.get(k) for k in CHARACTER_KEYS)
        aliases = [] if aliases is None else aliases
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise NarrateError(f"{where(path, entry, 'aliases')}: character {name!r}: `aliases` "
                               "must be a list of names", hint="write [Lizzy, Eliza]")
        if gender not in (None, "", *GENDERS):
            raise NarrateError(f"{where(path, entry, 'gender')}: character {name!r}: gender "
                               f"{gender!r} is not one narrate knows",
                               hint=f"write {' or '.join(GENDERS)}, or leave it out")
        if voice is not None and not isinstance(voice, str):
            raise NarrateError(f"{where(path, entry, 'voice')}: character {name!r}: `voice` "
                               "must be a voice's name")
        found.append(Character(name.strip(), [a.strip() for a in aliases if a.strip()],
                               gender or "", voice or "",
                               where(path, entry, "voice") if voice else place))
    return found


def kept_characters(base: Book, mine: Book, out: Book) -> int:
    """`out`, a new conversion, with the user's edits of the characters in `mine` (the
    script they edited; `base` what narrate wrote there) carried in (the edit rule,
    narrate.edits): a character they changed, added or removed is as they left it, for
    they know the book's people best. Returns how many they changed."""
    before = {c.name: c for c in base.characters}
    theirs = {c.name: c for c in mine.characters}
    changed = {name for name in {*before, *theirs} if before.get(name) != theirs.get(name)}
    new = {c.name for c in out.characters}
    out.characters = [theirs.get(c.name, c) for c in out.characters
                      if c.name not in changed or c.name in theirs]
    out.characters += [theirs[name] for name in sorted(changed - new) if name in theirs]
    return len(changed)


def unknown_speakers(book: Book) -> list[str]:
    """A warning for each line whose `speaker` names none of the book's characters (a
    typo in an edit): where the script says it, the nearest names; it is read in the
    quote voice."""
    known = {n.casefold() for c in book.characters for n in c.names}
    names = [n for c in book.characters for n in c.names]
    return [f"{s.origin or book.source or 'the script'}: segment {s.id}: speaker "
            f"{s.speaker!r} is none of the book's characters ({nearest(s.speaker, names)}); "
            "read in the quote voice until it is one (or add it to `characters:`)"
            for s in book.spoken if s.speaker and s.speaker.casefold() not in known]


@dataclass(frozen=True)
class CastEntry:
    """One character as `narrate cast` lists them."""
    name: str
    lines: int  # the quote segments they say
    first: str  # their first line, as written ("" when they say none)
    first_id: str
    aliases: tuple[str, ...]
    gender: str
    voice: str


@dataclass(frozen=True)
class BookCast:
    """A book's characters, those who speak most first, and how many quote segments
    nothing in the text gives a speaker (read in the quote voice)."""
    characters: list[CastEntry]
    unknown: int
    dialogue: bool  # whether the book has speakers at all (a novel, or a user's characters)
    heard: object = None  # `narrate cast --listen`: the preview of their voices


def cast_of(book: Book) -> BookCast:
    spoken = [(s, s.speaker) for s in book.segments if s.speaker is not None]
    names = {n.casefold(): c.name for c in book.characters for n in c.names}
    said: dict[str, list] = {}
    for segment, speaker in spoken:
        said.setdefault(names.get(speaker.casefold(), speaker), []).append(segment)
    entries = [CastEntry(c.name, len(said.get(c.name, [])),
                         said[c.name][0].text if said.get(c.name) else "",
                         said[c.name][0].id if said.get(c.name) else "", tuple(c.aliases),
                         c.gender, c.voice) for c in book.characters]
    entries.sort(key=lambda e: -e.lines)  # stable: the book's own order among equals
    return BookCast(entries, len(said.get("", [])), bool(spoken or book.characters))
