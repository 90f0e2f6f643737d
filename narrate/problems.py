"""Problems found in a source (by its reader or the converter): reported by `narrate lint`, never fatal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class Problem:
    code: str  # short machine name, e.g. "quote-unclosed"
    message: str
    severity: str = WARNING
    line: int | None = None  # 1-based line in the source
    chapter: int | None = None  # 1-based
    paragraph: int | None = None  # 1-based within the chapter
    words: str = ""  # the first words of the place, to find it
    part: str = ""  # the file and element inside an EPUB or HTML page

    def where(self) -> str:
        parts = [self.part] if self.part else []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.chapter is not None:
            parts.append(f"chapter {self.chapter}")
        if self.paragraph is not None:
            parts.append(f"paragraph {self.paragraph}")
        return ", ".join(parts)

    def format(self) -> str:
        place = self.where()
        text = f"{self.severity}: {self.message}"
        if place:
            text = f"{place}: {text}"
        if self.words:
            text += f' — "{self.words}"'
        return text


def first_words(text: str, count: int = 8) -> str:
    near = text[:count * 50]  # the words are near the start: never split a whole book
    words = near.split()
    head = " ".join(words[:count])
    return head + (" …" if len(words) > count or len(near) < len(text.rstrip()) else "")


def counted(number: int, noun: str, plural: str = "") -> str:
    """"1 part", "2 parts": a count with its noun in agreement."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def is_warning(problem: Problem | str) -> bool:
    """Readers report Problems; a few stages add plain warning lines."""
    return isinstance(problem, str) or problem.severity == WARNING


def as_line(problem: Problem | str) -> str:
    return problem if isinstance(problem, str) else problem.format()


BOOK_WARNINGS = ("encoding", "no-author", "cover", "metadata-chapters", "left-out",
                 "repeated-text", "language")
SHOWN_A_KIND = 5  # lines of one kind `script` and `build` print; `lint` lists them all


def about_the_book(problems: list) -> list[str]:
    """The warnings `script` and `build` print themselves (the rest are for `lint`): text
    left out is always said, the first few places of a kind and how many more."""
    lines: list[str] = []
    counts: Counter = Counter()
    for p in problems:
        code = "" if isinstance(p, str) else p.code
        if code and code not in BOOK_WARNINGS:
            continue
        counts[code] += 1
        if not code or counts[code] <= SHOWN_A_KIND:
            lines.append(as_line(p))
    return lines + [f"warning: … and {n - SHOWN_A_KIND:,} more like these ({code}): see "
                    "`narrate lint`" for code, n in counts.items() if code and n > SHOWN_A_KIND]


def by_line(problems: list) -> list[tuple[str, bool]]:
    """(line, is a warning) for each problem, in the order of the source."""
    ordered = sorted(problems, key=lambda p: getattr(p, "line", 0) or 0)
    return [(as_line(p), is_warning(p)) for p in ordered]


def controls_removed(places: list[str], where: str) -> str:
    """The one warning for the texts of a file a person wrote that held control characters,
    removed (`places`: each "file:line: what", the first named)."""
    more = f" (and {len(places) - 1} more)" if len(places) > 1 else ""
    return f"{places[0]} held control characters{more}: removed, never spoken; delete " \
           f"them from {where}"
