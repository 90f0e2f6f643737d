"""A three-way merge of a script: the conversion narrate wrote there (its base), the script
as the user left it, and a new conversion of the source. The rule is narrate.edits'.
Sections are aligned by the source paragraph they came from; a user's change to one whose
paragraph is the same in both conversions is carried; where both changed, `prefer` settles
it or the merge stops with one line naming the segment.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path

from narrate.conflicts import (
    clash,
    derived_says,
    first_change,
    line_of,
    renamed,
    text_follows_say,
)
from narrate.convert.castlist import kept_characters
from narrate.errors import NarrateError
from narrate.model import Book, Chapter, Section
from narrate.problems import counted
from narrate.scriptfile import book_to_data

_FIELDS = ("title", "author", "narrator", "language")  # a Book's own; the rest is in extra


def same_book(one: Book, other: Book) -> bool:
    """Whether two books say the same (as their scripts would)."""
    return book_to_data(one) == book_to_data(other)


def _content(section: Section | None) -> tuple:
    if section is None:
        return ()
    return (section.kind, section.title,
            tuple((*line_of(s), s.citation) for s in section.segments))


def _source_of(section: Section) -> tuple[str, str]:
    """What a section was made from: the paragraph as written (however it was cut)."""
    return section.kind, " ".join(section.text.split())


def _head(chapter: Chapter) -> tuple:
    announce = chapter.announce
    return (chapter.title, chapter.label, chapter.heading, chapter.title_source,
            line_of(announce) if announce else None)


@dataclass
class Merge:
    base: Book
    mine: Book
    new: Book
    prefer: str | None
    preferred: set[str] = field(default_factory=set)  # base sections kept over the source's
    conflicts: list[str] = field(default_factory=list)
    kept: int = 0  # the user's edits carried into the new conversion
    taken: list[str] = field(default_factory=list)  # conflicts settled by `prefer`
    _preferred_now: set[str] = field(default_factory=set)  # new sections kept as the user's

    def result(self, script: Path) -> tuple[Book, list[str]]:
        self._check_structure(script)
        out = copy.deepcopy(self.new)
        self._fields(out)
        self.kept += kept_characters(self.base, self.mine, out)
        self._credits(out)
        self._sections(out)
        self._chapters(out)
        self._order(out, script)
        if self.conflicts and self.prefer is None:
            more = len(self.conflicts) - 1
            raise NarrateError(
                self.conflicts[0] + (f" (and {more} more)" if more else ""), where=str(script),
                hint="keep your edit with {arg:prefer=script}, or take the source's with "
                     "{arg:prefer=source}")
        out.chapters = [c for c in out.chapters if c.sections]
        out.preferred = sorted(self._preferred_now)
        lines = []
        if self.kept and not same_book(self.base, self.new):
            lines.append(f"{script}: your edits to {counted(self.kept, 'part')} of the script "
                         "are kept in the new conversion of the source")
        lines += [f"{script}: {what}" for what in self.taken]
        return out, lines

    def _settle(self, what: str) -> str | None:
        """A conflict: recorded, and the side `prefer` takes (None until one is given)."""
        self.conflicts.append(what)
        if self.prefer:
            self.taken.append(f"took the {self.prefer}'s version where {what}")
        return self.prefer

    def _check_structure(self, script: Path) -> None:
        """Moves, and chapters the user added, are not carried: say so rather than lose them."""
        base_chapters = {c.id for c in self.base.chapters}
        where = {s.id: (c.id, n) for n, (c, s) in enumerate(_flat(self.base))}
        last: dict[str, int] = {}  # chapter id -> the base place of its last section met
        for chapter, section in _flat(self.mine):
            if chapter.id not in base_chapters:
                raise NarrateError(f"chapter {chapter.id} is not one narrate made; edits are "
                                   "carried into a new conversion, chapters added are not",
                                   where=str(script), hint=_BUILD_IT.format(script=script))
            found = where.get(section.id)
            if found is None:
                continue
            if found[0] != chapter.id or found[1] < last.get(chapter.id, -1):
                raise NarrateError(f"section {section.id} was moved; edits are carried into a "
                                   "new conversion, moves are not", where=str(script),
                                   hint=_BUILD_IT.format(script=script))
            last[chapter.id] = found[1]

    def _order(self, out: Book, script: Path) -> None:
        """Chapters the user reordered keep that order while the source has the same ones."""
        order = [c.id for c in self.mine.chapters]
        if order == [c.id for c in self.base.chapters if c.id in order]:
            return
        if [c.id for c in self.new.chapters] != [c.id for c in self.base.chapters]:
            raise NarrateError(
                f"its chapters were put in another order ({', '.join(order)}) and the source's "
                "chapters changed too, so the order cannot be carried over", where=str(script),
                hint=_BUILD_IT.format(script=script) + " (then reorder its chapters again)")
        rank = {ident: n for n, ident in enumerate(order)}
        out.chapters.sort(key=lambda c: rank.get(c.id, len(rank)))
        self.kept += 1

    def _fields(self, out: Book) -> None:
        base, mine, new = (_book_fields(b) for b in (self.base, self.mine, self.new))
        for key in sorted(set(base) | set(mine) | set(new)):
            b, m, n = base.get(key), mine.get(key), new.get(key)
            if m == b or m == n:
                continue
            if n != b and self._settle(f"`{key}` was edited ({m!r}) and the source's "
                                       f"changed too ({n!r})") != "script":
                continue
            self.kept += n == b
            if key in _FIELDS:
                setattr(out, key, m or "")
            elif m is None:
                out.extra.pop(key, None)
            else:
                out.extra[key] = m

    def _credits(self, out: Book) -> None:
        def lines(book: Book) -> list:
            return [line_of(s) for s in book.credits]

        if lines(self.mine) == lines(self.base) or lines(self.mine) == lines(self.new):
            return
        if lines(self.new) != lines(self.base) and self._settle(
                "the credits were edited and the book's details changed too") != "script":
            return
        self.kept += lines(self.new) == lines(self.base)
        out.credits = copy.deepcopy(self.mine.credits)

    def _chapters(self, out: Book) -> None:
        """Chapter titles (and their spoken announcements) the user changed."""
        mine = {c.id: c for c in self.mine.chapters}
        by_new_id = {c.id: c for c in out.chapters}
        for i, j in _aligned([_head(c) for c in self.base.chapters],
                             [_head(c) for c in self.new.chapters]):
            chapter = self.base.chapters[i]
            edited = mine.get(chapter.id)
            if edited is None or _head(edited) == _head(chapter):
                continue
            target = by_new_id.get(self.new.chapters[j].id) if j is not None else None
            if j is None or _head(self.new.chapters[j]) != _head(chapter):
                if self._settle(f"chapter {chapter.id}'s title was edited ({edited.title!r}) and "
                                "the source's heading changed too") != "script" or target is None:
                    continue
            else:
                self.kept += 1
            if target is not None:
                _take_head(target, edited)

    def _sections(self, out: Book) -> None:
        base, new = _flat(self.base), _flat(self.new)
        mine = {s.id: s for _, s in _flat(self.mine)}
        place = _places([_source_of(s) for _, s in base], [_source_of(s) for _, s in new])
        instead: dict[int, list[Section]] = {}  # new index -> the sections in its place
        around: dict[tuple[int, int], list[Section]] = {}  # (new index, -1 before/1 after)
        for i, (_, section) in enumerate(base):
            edited = mine.get(section.id)
            if _content(edited) == _content(section):
                continue
            how, j = place[i]
            if how == "same" and section.id in self.preferred and self.prefer == "source":
                self.taken.append(f"took the source's version of {section.id}, yours since "
                                  "--prefer script kept it over a change of the source")
                continue
            if how != "same" and _only_retaken(section, edited):
                self.taken.append(f"section {section.id} was taken again, and its source "
                                  "paragraph changed since: the new text is its first take")
                continue
            now = new[j][1] if how == "paired" else None
            if how != "same" and self._settle(
                    clash(section, first_change(section, edited), now)) != "script":
                continue
            self.kept += how == "same"
            kept = [] if edited is None else [copy.deepcopy(edited)]
            if how != "same":  # the captions show what is said, not the old source's text
                text_follows_say(kept, section)
            else:  # a say the user left as narrate wrote it is derived anew (a lexicon's)
                derived_says(kept, section, new[j][1])
            if kept and how != "before" and (how != "same" or section.id in self.preferred):
                self._preferred_now.add(new[j][1].id)
            if how == "before":  # its paragraph is gone from the source: where it was
                around.setdefault((j, -1), []).extend(kept)
            else:
                instead[j] = [renamed(s, new[j][1].id) for s in kept]
        for anchor, added in self._added().items():
            how, j = place[anchor] if anchor is not None else ("before", 0)
            around.setdefault((j, -1 if how == "before" else 1), []).extend(added)
            self.kept += len(added)
        _rebuild(out, new, instead, around)
        _unique_ids(out, [s for sections in around.values() for s in sections])

    def _added(self) -> dict[int | None, list[Section]]:
        """Sections the user added, by the base section each follows."""
        index = {s.id: n for n, (_, s) in enumerate(_flat(self.base))}
        added: dict[int | None, list[Section]] = {}
        anchor = None
        for _, section in _flat(self.mine):
            if section.id in index:
                anchor = index[section.id]
            else:
                added.setdefault(anchor, []).append(copy.deepcopy(section))
        return added


_BUILD_IT = ("build the script as it is (`narrate build {script}`), or move it aside to "
             "take the source's")


def _book_fields(book: Book) -> dict:
    data = {k: getattr(book, k) for k in _FIELDS}
    data.update({k: v for k, v in book.extra.items() if k != "cover"})
    return data


def _flat(book: Book) -> list[tuple[Chapter, Section]]:
    return [(c, s) for c in book.chapters for s in c.sections]


def _places(base: list, new: list) -> list[tuple[str, int]]:
    """For each base item: ("same", j) when the new conversion has it unchanged at j,
    ("paired", j) when it changed into j, ("before", j) when it is gone (j: what follows)."""
    place: list[tuple[str, int]] = [("before", len(new))] * len(base)
    matcher = difflib.SequenceMatcher(None, base, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(i2 - i1):
            if op == "equal":
                place[i1 + k] = ("same", j1 + k)
            elif op == "replace" and j1 + k < j2:
                place[i1 + k] = ("paired", j1 + k)
            else:
                place[i1 + k] = ("before", j2)
    return place


def _aligned(base: list, new: list) -> list[tuple[int, int | None]]:
    return [(i, j if how != "before" else None)
            for i, (how, j) in enumerate(_places(base, new))]


def _only_retaken(section: Section, edited: Section | None) -> bool:
    """Whether a take is all that changed in `section` (a new text is rendered anew)."""
    return edited is not None and _content(section) == _content(
        replace(edited, segments=[replace(s, take=1) for s in edited.segments]))


def _take_head(target: Chapter, edited: Chapter) -> None:
    target.title, target.label, target.heading = edited.title, edited.label, edited.heading
    target.title_source = edited.title_source
    if edited.announce is None:
        target.announce = None
    else:
        announce = copy.deepcopy(edited.announce)
        announce.id = target.announce.id if target.announce else f"{target.id}.000"
        target.announce = announce


def _rebuild(out: Book, new: list, instead: dict, around: dict) -> None:
    """`out`'s chapters with the user's sections in place of, before and after new ones."""
    chapters = {c.id: c for c in out.chapters}
    for chapter in out.chapters:
        chapter.sections = []
    for j, (chapter, section) in enumerate(new):
        chapters[chapter.id].sections += (around.get((j, -1), []) + instead.get(j, [section])
                                          + around.get((j, 1), []))
    if out.chapters:
        out.chapters[-1].sections += around.get((len(new), -1), [])


def _unique_ids(book: Book, inserted: list[Section]) -> None:
    """A section the user added, or kept where its paragraph is gone, may bear an id the
    new conversion gave another: it (never the new one) is renamed."""
    ours = {id(s) for s in inserted}
    seen: set[str] = {s.id for s in book.credits}
    seen |= {c.id for c in book.chapters} | {c.announce.id for c in book.chapters if c.announce}
    for chapter in book.chapters:
        for section in chapter.sections:
            if id(section) not in ours:
                seen |= {section.id} | {s.id for s in section.segments}
    for section in inserted:
        section.id = _free(section.id, seen)
        for segment in section.segments:
            segment.id = _free(segment.id, seen)


def _free(ident: str, seen: set[str]) -> str:
    name, n = ident, 1
    while name in seen:
        name, n = f"{ident}+{n}", n + 1
    seen.add(name)
    return name
