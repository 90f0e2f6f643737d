"""Hard text, rewritten in words before the ordinary number rules run.

Each rule is a regular expression and what a narrator says for it: times, money with
a magnitude, multipliers, degrees and units, fractions, ordinals with separators,
alphanumerics (MP3, 3D, x86-64), phone numbers, ISBNs and version numbers (which
are not ranges), symbols, and the scholarly abbreviations. English only: a book in
another language skips them (`to_say(..., english=False)`). Where a case is
ambiguous the lexicon, applied first, or an edit of the script's `say` decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction

from narrate.patterns import regex


def num2words(number: float, to: str = "cardinal") -> str:
    from num2words import num2words as spell  # on first use: a text with no numbers never pays

    return spell(number, to=to)

# what a pattern becomes: a template ("\\1 edition") or a function of the match
Replacement = str | Callable[[re.Match], str]


def cardinal(number: float) -> str:
    return num2words(number).replace(" and ", " ").replace(",", "")


def _number(text: str) -> str:
    plain = text.replace(",", "")
    if "." in plain:
        whole, part = plain.split(".", 1)
        return f"{cardinal(int(whole))} point {' '.join(cardinal(int(d)) for d in part)}"
    return cardinal(int(plain))


def _digits(text: str) -> str:
    return " ".join("oh" if d == "O" else cardinal(int(d)) for d in text if d.isdigit())


# ---- times --------------------------------------------------------------------------------------

def _time(m: re.Match) -> str:
    hour, minute = int(m["h"]), int(m["m"])
    meridiem = f" {m['ap'][0].upper()} M" if m["ap"] else ""
    if minute == 0:
        return f"{cardinal(hour)}{meridiem}" if meridiem else f"{cardinal(hour)} o'clock"
    spoken = f"oh {cardinal(minute)}" if minute < 10 else cardinal(minute)
    return f"{cardinal(hour)} {spoken}{meridiem}"


# ---- money, multipliers, units ------------------------------------------------------------------

_CURRENCY = {"$": "dollars", "£": "pounds", "€": "euros", "¥": "yen"}
_SCALE = {"k": "thousand", "m": "million", "mn": "million", "bn": "billion", "b": "billion",
          "tn": "trillion", "thousand": "thousand", "million": "million", "billion": "billion",
          "trillion": "trillion"}


def _money(m: re.Match) -> str:
    scale = _SCALE.get((m["scale"] or "").lower(), "")
    return " ".join(filter(None, [_number(m["n"]), scale, _CURRENCY[m["cur"]]]))


_UNITS = {"mm": "millimeter", "cm": "centimeter", "km": "kilometer", "mg": "milligram",
          "kg": "kilogram", "ml": "milliliter", "lb": "pound", "lbs": "pound", "oz": "ounce",
          "ft": "foot", "mph": "mile per hour", "km/h": "kilometer per hour", "Hz": "hertz",
          "kHz": "kilohertz", "MHz": "megahertz", "GHz": "gigahertz", "KB": "kilobyte",
          "kB": "kilobyte", "MB": "megabyte", "GB": "gigabyte", "TB": "terabyte",
          "ms": "millisecond", "sec": "second", "min": "minute", "hr": "hour", "hrs": "hour",
          "µs": "microsecond", "μs": "microsecond", "ns": "nanosecond",
          "KB/s": "kilobyte per second", "kB/s": "kilobyte per second",
          "MB/s": "megabyte per second", "GB/s": "gigabyte per second"}
_UNIT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_PLURAL = {"kilobyte per second": "kilobytes per second",
           "megabyte per second": "megabytes per second",
           "gigabyte per second": "gigabytes per second", "foot": "feet", "hertz": "hertz", "kilohertz": "kilohertz", "megahertz": "megahertz",
           "gigahertz": "gigahertz", "mile per hour": "miles per hour",
           "kilometer per hour": "kilometers per hour"}


_COLUMN_UNIT = regex(rf"(?<=\w) ?\[(?P<unit>{_UNIT}|s)\](?!\w)")


def column_units(text: str) -> str:
    """`Mean [s]`, `Time [ms]`: a table column's unit, as words ("Mean in seconds")."""
    def words(m: re.Match) -> str:
        unit = _UNITS.get(m["unit"], "second")
        return f" in {_PLURAL.get(unit, unit + 's')}"

    return _COLUMN_UNIT.sub(words, text) if "[" in text else text


def _unit(m: re.Match) -> str:
    return _unit_named(m, _UNITS[m["unit"]])


def _unit_named(m: re.Match, word: str) -> str:
    number = m["n"].strip()
    one = number == "1" or (m["art"] or "").strip()  # "a 2 km walk": the unit as an adjective
    return f"{m['art'] or ''}{_number(number)} {word if one else _PLURAL.get(word, word + 's')}"


# ---- fractions ----------------------------------------------------------------------------------

_VULGAR = {"½": Fraction(1, 2), "⅓": Fraction(1, 3), "⅔": Fraction(2, 3), "¼": Fraction(1, 4),
           "¾": Fraction(3, 4), "⅕": Fraction(1, 5), "⅛": Fraction(1, 8), "⅜": Fraction(3, 8),
           "⅝": Fraction(5, 8), "⅞": Fraction(7, 8)}
_DENOMINATORS = {2: ("half", "halves"), 4: ("quarter", "quarters")}


def fraction_words(value: Fraction) -> str:
    n, d = value.numerator, value.denominator
    single, plural = _DENOMINATORS.get(d, (num2words(d, to="ordinal"),
                                           num2words(d, to="ordinal") + "s"))
    return f"{cardinal(n)} {single if n == 1 else plural}"


def _fraction(m: re.Match) -> str:
    value = Fraction(int(m["a"]), int(m["b"])) if m["a"] else _VULGAR[m["v"]]
    whole = f"{cardinal(int(m['w']))} and " if m["w"] else ""
    spoken = whole + ("a " + fraction_words(value).split(" ", 1)[1] if whole and
                      value.numerator == 1 else fraction_words(value))
    return spoken + (" of a" if m["noun"] and value < 1 and not whole else "") + (m["noun"] or "")


# ---- alphanumerics and numbers that are not quantities ------------------------------------------

def _alphanumeric(m: re.Match) -> str:
    """MP3 -> M P three, 3D -> three D, x86-64 -> x eighty-six sixty-four."""
    parts = []
    for piece in re.findall(r"[A-Za-z]+|\d+", m.group()):
        if piece.isdigit() and len(piece) in (4, 5) and not piece.startswith("0"):
            parts.append(_model_digits(piece))  # i9-12900K: "twelve nine hundred"
        elif piece.isdigit():
            parts.append(_number(piece))
        elif piece.isupper() or len(piece) <= 2:
            parts.append(" ".join(piece))
        else:
            parts.append(piece)
    return " ".join(parts)


def _model_digits(digits: str) -> str:
    """A model number's digits as people say them, in a pair and the rest: 4090 "forty
    ninety", 12900 "twelve nine hundred", 7950 "seventy-nine fifty"."""
    head, rest = digits[:2], digits[2:]
    if int(rest) == 0:
        return f"{cardinal(int(head))} hundred" if len(rest) == 2 else \
            f"{cardinal(int(head))} thousand"
    if len(rest) == 2 and rest.startswith("0"):
        return f"{cardinal(int(head))} oh {cardinal(int(rest))}"
    return f"{cardinal(int(head))} {cardinal(int(rest))}"


def _digit_groups(m: re.Match) -> str:
    """555-1234, 978-0-14-044913-6: digits read group by group, not as a range."""
    return ", ".join(_digits(g) for g in re.findall(r"\d+", m.group()))


def _number_list(m: re.Match) -> str:
    """22–10–01B, 8–5–20: three or more numbers a dash joins are a code or a date, said one
    by one ("twenty-two, ten, zero one B"), never "twenty-two to ten"."""
    return ", ".join(re.split(r"[-–]", m.group()))


def _version(m: re.Match) -> str:
    return " point ".join(cardinal(int(p)) for p in m.group().split("."))


_ROMAN = r"(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"

RULES: list[tuple[re.Pattern, Replacement]] = [
    # 9:30 a.m., 12:00
    (regex(r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b(?:\s*(?P<ap>[ap])\.?m\.?(?=\W|$))?",
                re.IGNORECASE), _time),
    # £4m, $1.2bn, $5 million
    (regex(r"(?P<cur>[$£€¥])\s?(?P<n>\d[\d,]*(?:\.\d+)?)(?:(?P<scale>bn|mn|tn|[kmb])\b|"
                r"\s+(?P<scale2>thousand|million|billion|trillion)\b)?"),
     lambda m: _money(m) if not m["scale2"] else
     f"{_number(m['n'])} {m['scale2']} {_CURRENCY[m['cur']]}"),
    # 1.5x, 10x
    (regex(r"\b(?P<n>\d+(?:\.\d+)?)x\b"), lambda m: f"{_number(m['n'])} times"),
    # 25°C, 90°
    (regex(r"(?P<n>-?\d+(?:\.\d+)?)\s?°\s?(?P<s>[CF])\b"),
     lambda m: f"{_number(m['n'].lstrip('-'))} degrees "
               f"{'Celsius' if m['s'] == 'C' else 'Fahrenheit'}"
               if not m["n"].startswith("-") else
               f"minus {_number(m['n'][1:])} degrees {'Celsius' if m['s'] == 'C' else 'Fahrenheit'}"),
    (regex(r"(?P<n>\d+(?:\.\d+)?)\s?°"), lambda m: f"{_number(m['n'])} degrees"),
    # 3/4 cup, 1½, ½
    (regex(r"(?<![\d/])(?:(?P<w>\d+)\s?)?(?:(?P<a>[1-9])/(?P<b>[2-9]|10)|(?P<v>[½⅓⅔¼¾⅕⅛⅜⅝⅞]))"
                r"(?![\d/])(?P<noun>\s(?!of\b|to\b|and\b|or\b)[a-z]+\b)?"), _fraction),
    # 60 cm, a 2 km walk
    (regex(rf"(?P<art>\b[Aa]n? )?\b(?P<n>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)\s?"
           rf"(?P<unit>{_UNIT})(?![\w/])"), _unit),
    # 0.082s, 2.3 s: seconds after a decimal or after a space (never "the 1990s", "his 20s")
    (regex(r"(?P<art>\b[Aa]n? )?\b(?P<n>\d+\.\d+\s?|\d+(?:\.\d+)? )s(?![\w'’/])"),
     lambda m: _unit_named(m, "second")),
    # 2.275 ± 0.046
    (regex(r"\s*±\s*"), " plus or minus "),
    # phone numbers and ISBNs: digit groups, not ranges
    (regex(r"\b\d{3}-\d{4}\b(?!-)|\b\d{1,5}(?:-\d{1,7}){2,}-[\dX]\b|"
           r"(?:\(\d{3}\)\s?|\b\d{3}[-–])\d{3}[-–]\d{4}\b(?![-–])"), _digit_groups),
    (regex(r"\b\d{1,6}(?:[-–]\d{1,6}){2,}(?=[A-Z]?\b)"), _number_list),
    (regex(r"\bISBN(?:-1[03])?:?"), "I S B N"),
    # 14.1.1
    (regex(r"\b\d+\.\d+\.\d+(?:\.\d+)*\b"), _version),
    # 4me Série, 1er, 2ème: a French ordinal in an English book ("four m e" before)
    (regex(r"\b(?P<n>\d{1,3})(?:me|ème|er|re)\b"),
     lambda m: num2words(int(m["n"]), to="ordinal")),
    # 2d, 3d: the old ordinals ("2d ed.", "the 3d act")
    (regex(r"\b(?P<n>[23])d(?= (?:ed\.|edition|[a-z]))"),
     lambda m: "second" if m["n"] == "2" else "third"),
    # 100,000th
    (regex(r"\b(?P<n>\d{1,3}(?:,\d{3})+)(?:st|nd|rd|th)\b"),
     lambda m: num2words(int(m["n"].replace(",", "")), to="ordinal").replace(" and ", " ")
     .replace(",", "")),
    # MP3, 3D, PCRE2, x86-64, 4K (not 1st, 1960s, 15th)
    (regex(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])(?![0-9]+(?:st|nd|rd|th|s)\b)"
                r"[A-Za-z0-9]+(?:-\d+)*\b"), _alphanumeric),
    # symbols
    (regex(r"(?<=\s)\+(?=\s)|(?<=\d)\+(?=\d)"), "plus"),
    (regex(r"(?<=\s)=(?=\s)"), "equals"),
    (regex(r"\s&\s"), " and "),
    (regex(r"#\s?(?=\d)"), "number "),
    (regex(r"§§\s?(?=\d)"), "sections "),
    (regex(r"§\s?(?=\d)"), "section "),
]

ABBREVIATIONS: list[tuple[re.Pattern, Replacement]] = [
    (regex(r"\b(?:c|ca|circ)\.\s?(?=\d)"), "circa "),
    (regex(r"\bvols\.\s?(?=\d|[IVXL]+\b)", re.IGNORECASE), "volumes "),
    (regex(r"\bvol\.\s?(?=\d|[IVXL]+\b)", re.IGNORECASE), "volume "),
    (regex(r"\bchs\.\s?(?=\d|[IVXL]+\b)", re.IGNORECASE), "chapters "),
    (regex(r"\bch\.\s?(?=\d|[IVXL]+\b)", re.IGNORECASE), "chapter "),
    (regex(r"\bfigs\.\s?(?=\d)", re.IGNORECASE), "figures "),
    (regex(r"\bfig\.\s?(?=\d)", re.IGNORECASE), "figure "),
    (regex(r"\bibid\.", re.IGNORECASE), "ibidem"),
    (regex(r"\bop\.\s?cit\.", re.IGNORECASE), "in the work cited"),
    (regex(r"\bloc\.\s?cit\.", re.IGNORECASE), "in the place cited"),
    (regex(r"\b(\d+(?:st|nd|rd|th|d)) ed\.(?=\W|$)"), r"\1 edition"),
    # --release, --set-enabled: a command-line flag, as it is read aloud
    (regex(r"(?<![\w-])--(?=[a-z])"), "dash dash "),
    # README.md, setup.py: a file's name
    # a file's name (bounded: a long run of letters and dashes is looked at in linear time)
    (regex(r"\b(?P<name>[\w-]{1,100})\.(?P<ext>md|txt|py|sh|json|ya?ml|html?|js|csv|xml|pdf|zip|gz|"
                r"tar|toml|cfg|ini|log|conf)\b"), lambda m: f"{m['name']} dot {m['ext']}"),
]


def normalise(text: str) -> str:
    for pattern, replacement in ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    if any(ch.isdigit() for ch in text) or re.search(r"[#§&=+½⅓⅔¼¾⅕⅛⅜⅝⅞]", text):
        for pattern, replacement in RULES:
            text = pattern.sub(replacement, text)
    return text


# ---- regnal numerals in lists: "Louis XIV or XV" --------------------------------------------------

_REGNAL_LIST = regex(rf"(?P<head>\bthe (?P<ord>[A-Z][a-z-]+))(?P<sep>,? (?:or|and|to) |, )"
                          rf"(?P<num>{_ROMAN})\b(?! [A-Z][a-z])")


def regnal_lists(text: str, ordinal) -> str:
    """After "Louis the Fourteenth", a bare numeral in the same list is a regnal number too."""
    def replace(m: re.Match) -> str:
        if not m["num"] or (len(m["num"]) == 1 and m["num"] != "V"):
            return m.group()
        from narrate.read.sections import roman_value

        return f"{m['head']}{m['sep']}the {ordinal(roman_value(m['num'])).capitalize()}"
    previous = None
    while previous != text:
        previous, text = text, _REGNAL_LIST.sub(replace, text)
    return text


# ---- roman numerals in a list: "the essays numbered I, V, VI and XIX" -----------------------------

_ROMAN_ITEM = r"(?:XC|XL|L?X{1,3}|L)(?:IX|IV|V?I{0,3})|(?:IX|IV|V?I{1,3}|V)"
_ROMAN_LIST = regex(rf"(?<![\w’'-])(?:{_ROMAN_ITEM})(?:(?:, | (?:and|or|to) |, (?:and|or) )"
                    rf"(?:{_ROMAN_ITEM}))+(?![\w’'-])")
_ROMAN_ONE = regex(_ROMAN_ITEM)


def roman_lists(text: str) -> str:
    """Two or more roman numerals in a list, one of them of two letters or more, are
    numbers ("one, five, six and nineteen"), never letters; a lone "I" stays a pronoun."""
    from narrate.read.sections import roman_value

    def replace(m: re.Match) -> str:
        items = _ROMAN_ONE.findall(m.group())
        if max(map(len, items)) < 2:
            return m.group()
        return _ROMAN_ONE.sub(lambda n: cardinal(roman_value(n.group())), m.group())
    return _ROMAN_LIST.sub(replace, text)
