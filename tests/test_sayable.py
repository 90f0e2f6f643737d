"""What the voice cannot say (issue 42): a title, an author or a paragraph in letters the
book's voice does not read, or in emoji, is caught before rendering, and `narrate check`
passes every book narrate makes of it."""

import json

import pytest

import narrate
from narrate.convert import ConvertOptions, convert
from narrate.convert.headings import credit_segments
from narrate.convert.lexicon import Lexicon
from narrate.convert.speakable import sayable, says
from narrate.model import Book
from narrate.render import book_items

# Jane Austen, Pride and Prejudice (1813), chapter I, from Project Gutenberg (public domain)
AUSTEN = ("It is a truth universally acknowledged, that a single man in possession of a good "
          "fortune, must be in want of a wife.")
AUSTEN_TOO = ("However little known the feelings or views of such a man may be on his first "
              "entering a neighbourhood, this truth is so well fixed in the minds of the "
              "surrounding families.")
# Luo Guanzhong, 三國演義 (Romance of the Three Kingdoms), its opening, Project Gutenberg
THREE_KINGDOMS = "話說天下大勢，分久必合，合久必分。周末七國分爭，并入於秦。"

ODD_TITLES = {"cjk": "书" * 200, "emoji": "📚🎉", "rtl": "كتاب الرمل"}


@pytest.mark.unit
def test_what_a_voice_can_say_is_its_languages_letters_latin_and_digits():
    assert says("The Book 2", "en") and says("书", "zh") and says("كتاب", "ar")
    assert not says("书", "en") and not says("📚🎉!", "en") and not says("كتاب", "fr")
    assert sayable("书 and Co.", "en") == "and Co." and sayable("书", "en") == ""
    assert sayable("Ein “Buch”.", "de") == "Ein “Buch”."  # nothing left out: as written


@pytest.mark.unit
@pytest.mark.parametrize("kind", sorted(ODD_TITLES))
def test_credits_say_only_what_the_voice_can_say(kind):
    book = Book(title=ODD_TITLES[kind], author="Jane Austen", narrator="Heart")
    credits, closing = credit_segments(book, Lexicon())
    assert credits.text.startswith(ODD_TITLES[kind])  # the script shows the title
    assert credits.say == "Written by Jane Austen. Read by Heart."
    assert closing.say == "Here ends the audiobook, by Jane Austen."
    nameless = credit_segments(Book(title=ODD_TITLES[kind]), Lexicon())
    assert [(s.id, s.say) for s in nameless] == [("closing", "Here ends the audiobook.")]
    french = credit_segments(Book(title="书", author="📚", language="fr"), Lexicon())
    assert [s.say for s in french] == ["Ici se termine le livre audio."]


@pytest.mark.unit
def test_a_paragraph_the_books_voice_cannot_say_goes_to_a_voice_that_can():
    book, _ = convert(f"# 📚\n\n{AUSTEN}\n\n# 第二回\n\n{THREE_KINGDOMS}\n\n{AUSTEN_TOO}\n",
                             ConvertOptions(markdown=True))
    assert book.language == "en"
    first, second = book.chapters
    assert first.announce.say == "Chapter One." and not first.announce.language
    assert second.announce.language in ("zh", "ja")  # its characters, in a voice for them
    chinese = [s for s in book.segments if s.text == THREE_KINGDOMS]
    assert [s.language for s in chinese] == ["zh"]
    assert all(not s.language for s in book.segments if s.text != THREE_KINGDOMS)


@pytest.mark.unit
def test_a_paragraph_no_voice_can_say_is_not_rendered_and_lint_says_so(tmp_path):
    source = tmp_path / "book.txt"
    source.write_text(f"{AUSTEN}\n\n①②③ ④⑤⑥\n\n{AUSTEN_TOO}\n", encoding="utf-8")
    book = narrate.script(source)
    assert [s.text for s in book.segments] == [AUSTEN, "①②③ ④⑤⑥", AUSTEN_TOO]  # kept: editable
    assert [i.say for i in book_items(book)] == [AUSTEN, AUSTEN_TOO]
    book.segments[1].say = "One, two, three."  # what to say for it, written in the script
    assert len(book_items(book)) == 3
    lines = narrate.lint(source)
    said = [line for line, warning in lines if "no voice can say" in line]
    assert len(said) == 1 and "line 3" in said[0] and "①②③" in said[0]


@pytest.mark.e2e
@pytest.mark.parametrize("kind", sorted(ODD_TITLES))
def test_a_book_titled_in_letters_the_voice_cannot_say_passes_check(tmp_path, kind, recwarn):
    """Built with the espeak cast (English voices), as the tests build: espeak-ng named
    each letter it could not say ("Chinese letter" 200 times: 78 s of credits)."""
    source = tmp_path / "书.md"
    source.write_text(f"# 📚🎉\n\n{AUSTEN}\n\n# 第二回\n\n{AUSTEN_TOO}\n\n{THREE_KINGDOMS}\n",
                      encoding="utf-8")
    (tmp_path / "书.yaml").write_text(json.dumps({"title": ODD_TITLES[kind], "author": "📖",
                                                  "language": "en"}, ensure_ascii=False),
                                       encoding="utf-8")
    result = narrate.build(source, out=tmp_path / "out", cache=tmp_path / "c")
    closing = next(s for s in result.book.credits if s.id == "closing")
    assert closing.say == "Here ends the audiobook."
    report = narrate.check(result.folder)
    assert report.passed, report.summary()
    assert not [w for w in recwarn if "Glyph" in str(w.message)]  # check.png draws boxes
    voices = json.loads((result.folder / "manifest.json").read_text())["voices"]
    assert voices["narrator:zh"]["voice"].startswith("sit/")  # Chinese, in espeak-ng's voice


@pytest.mark.e2e
@pytest.mark.parametrize("cast", ["espeak", "natural"])
def test_a_chapter_with_nothing_a_voice_can_say_joins_the_one_before(tmp_path, monkeypatch,
                                                                     cast):
    """Alone, it was a chapter of the closing line alone, which `check` failed (its noise
    floor, its level). The natural voice says "This is the end of Odd." in half the time
    its six words predict, and check failed the line: it is judged by its syllables."""
    monkeypatch.setenv("NARRATE_VOICES", cast)
    source = tmp_path / "odd.txt"
    source.write_text(f"{AUSTEN}\n\n\n\n\n①②③ ④⑤⑥\n", encoding="utf-8")
    result = narrate.build(source, out=tmp_path / "out", cache=tmp_path / "c")
    assert [[s.text for s in c.segments] for c in result.book.chapters] == \
        [[AUSTEN, "①②③ ④⑤⑥"]]
    report = narrate.check(result.folder)
    assert report.passed, report.summary()


@pytest.mark.unit
def test_a_lines_length_is_predicted_by_its_syllables():
    from narrate.qa.mastering import segment_problems, spoken_measures

    short = spoken_measures(1.17, -20.0, 0, "This is the end of Odd.", 150)  # the natural voice
    assert short["words"] == 6 and 1.5 < short["predicted"] < 1.8 and not segment_problems(short)
    long = spoken_measures(4.0, -20.0, 0, "Unquestionably, institutionalization is "
                           "characteristically bureaucratic.", 150)
    assert long["predicted"] > 4.0  # long words: longer than their count says (2.0 s)
