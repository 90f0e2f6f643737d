"""Numbers as a narrator says them: dates, years and decades, money, percentages,
ranges, ordinals, and a roman numeral after a name (Henry VIII, World War II).

Pure functions on strings, English only (convert.speech calls them for an English book).
"""

from __future__ import annotations

import re

from narrate.convert.normalise import Replacement, num2words
from narrate.patterns import regex

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
_MONTH_ABBR = {m[:3]: m for m in MONTHS} | {"Sept": "September"}
_MONTH = r"(?P<month>" + "|".join(MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)"
_DAY = r"(?P<day>[12]?\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1\d{3}|20\d{2})"


def _month(name: str) -> str:
    return _MONTH_ABBR.get(name.rstrip("."), name)


def cardinal(number: float) -> str:
    words = num2words(number)
    return words.replace(" and ", " ").replace(",", "")


def ordinal(number: int) -> str:
    return num2words(number, to="ordinal").replace(" and ", " ").replace(",", "")


def year(number: int) -> str:
    if 2000 <= number <= 2009:
        return cardinal(number)
    return num2words(number, to="year").replace(" and ", " ")


def _plural(words: str) -> str:
    if words.endswith("y"):
        return words[:-1] + "ies"
    return words + "s"


def _digits(digits: str) -> str:
    return " ".join(cardinal(int(d)) for d in digits)


def _number(text: str) -> str:
    """Any run of digits with separators: 10,000 -> ten thousand; 2.5 -> two point five."""
    plain = text.replace(",", "")
    whole = plain.split(".")[0]
    if len(whole) > 15 or (len(whole) > 1 and whole.startswith("0")):
        return _digits(plain.replace(".", ""))  # too long or zero-led: read digit by digit
    if "." in plain:
        integer, fraction = plain.split(".", 1)
        return f"{cardinal(int(integer))} point {_digits(fraction)}"
    return cardinal(int(plain))


def _is_range(a: str, b: str) -> bool:
    """12–15, 1–100, 112–18 are ranges; 6–4 (a score), 90740–5600 (a ZIP+4) and 2020–17221
    (a document's number) are not: a range rises, and a long number's end is no longer."""
    if len(b) < len(a) and len(b) <= 2:
        b = a[:len(a) - len(b)] + b  # 112–18: the end's first figures are the start's
    return int(b) > int(a) and (len(a) <= 3 or len(b) == len(a))


_NUMBER_RULES: list[tuple[re.Pattern, Replacement]] = [
    # 24-25 October -> the twenty-fourth to the twenty-fifth of October
    (regex(rf"\b(?P<d1>[12]?\d|3[01])\s*[-–]\s*(?P<d2>[12]?\d|3[01])\s+{_MONTH}"),
     lambda m: f"the {ordinal(int(m['d1']))} to the {ordinal(int(m['d2']))} of {_month(m['month'])}"),
    # October 26, 1879
    (regex(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
     lambda m: f"{_month(m['month'])} {ordinal(int(m['day']))}, {year(int(m['year']))}"),
    # 4 January 1923
    (regex(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"),
     lambda m: f"the {ordinal(int(m['day']))} of {_month(m['month'])}, {year(int(m['year']))}"),
    # October 15th, October 17
    (regex(rf"\b{_MONTH}\s+{_DAY}\b(?![,.]?\d)"),
     lambda m: f"{_month(m['month'])} {ordinal(int(m['day']))}"),
    # 3 July
    (regex(rf"\b{_DAY}\s+{_MONTH}"),
     lambda m: f"the {ordinal(int(m['day']))} of {_month(m['month'])}"),
    # 1852-3: the year's last two figures, as said
    (regex(r"\b(?P<a>1\d{3}|20\d{2})\s*[-–]\s*(?P<b>\d)\b(?![.,]?\d)"),
     lambda m: f"{year(int(m['a']))} to {cardinal(int(m['a'][2] + m['b']))}"),
    # 1918-1919, 1918-19
    (regex(r"\b(?P<a>1\d{3}|20\d{2})\s*[-–]\s*(?P<b>\d{4}|\d{2})\b(?![.,]?\d)"),
     lambda m: f"{year(int(m['a']))} to "
               f"{year(int(m['b']) if len(m['b']) == 4 else int(m['a'][:2] + m['b']))}"),
    # the 1860s, the '60s
    (regex(r"\b(?P<y>1\d{2}0|20\d0)s\b"), lambda m: _plural(year(int(m["y"])))),
    (regex(r"[’'‘](?P<y>\d0)s\b"), lambda m: _plural(cardinal(int(m["y"])))),
    # in his 20s, the early 90s: a decade of a life or a century, said as its plural
    (regex(r"\b(?P<y>[1-9]0)s\b"), lambda m: _plural(cardinal(int(m["y"])))),
    # 15th, 2nd
    (regex(r"\b(?P<n>\d+)(?:st|nd|rd|th)\b"), lambda m: ordinal(int(m["n"]))),
    # $5 million, £300
    (regex(r"(?P<cur>[$£€])\s?(?P<n>\d[\d,]*(?:\.\d+)?)(?:\s+(?P<scale>thousand|million|billion))?"),
     lambda m: " ".join(filter(None, [_number(m["n"]), m["scale"],
                                      {"$": "dollars", "£": "pounds", "€": "euros"}[m["cur"]]]))),
    # 45%, 45 per cent
    (regex(r"(?P<n>\d[\d,]*(?:\.\d+)?)\s?%"), lambda m: f"{_number(m['n'])} percent"),
    # 12-15 (pages, counts)
    (regex(r"\b(?P<a>\d+)\s*[-–]\s*(?P<b>\d+)\b(?![.,]?\d)"),
     lambda m: f"{_number(m['a'])} {'to' if _is_range(m['a'], m['b']) else ','} {_number(m['b'])}"),
    # a year standing alone: in 1896
    (regex(rf"(?<![\d,.]){_YEAR}(?![\d]|[.,]\d)"), lambda m: year(int(m["year"]))),
    # everything else: 10,000; 2.5; 30
    (regex(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?"),
     lambda m: _number(m.group())),
]


def spell_numbers(text: str) -> str:
    if not any(ch.isdigit() for ch in text):
        return text
    for pattern, replace in _NUMBER_RULES:
        text = pattern.sub(replace, text)
    return text


# ---- roman numerals after names ---------------------------------------------------------

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_CARDINAL_NOUNS = r"War|Chapter|Part|Book|Volume|Vol\.|Act|Lecture|Section|Phase|Stage|Appendix|Article"
REGNAL = regex(r"\b(?P<name>[A-Z][a-z]+)\s(?P<num>(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))\b")


def roman_value(numeral: str) -> int:
    total = 0
    for i, ch in enumerate(numeral):
        value = _ROMAN_VALUES[ch]
        nxt = _ROMAN_VALUES[numeral[i + 1]] if i + 1 < len(numeral) else 0
        total += -value if value < nxt else value
    return total


def regnal(m: re.Match) -> str:
    name, numeral = m["name"], m["num"]
    if not numeral or (len(numeral) == 1 and numeral not in "V"):
        return m.group()  # "I" is usually the pronoun, "X" a name (Malcolm X)
    if re.fullmatch(_CARDINAL_NOUNS, name):
        return f"{name} {cardinal(roman_value(numeral))}"
    return f"{name} the {ordinal(roman_value(numeral)).capitalize()}"
