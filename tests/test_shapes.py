"""The last reading shapes (issue 27), each on a short excerpt.

Excerpts: Jerome K. Jerome, *Three Men in a Boat* (1889), Standard Ebooks edition, CC0 1.0;
Charles Dickens, *A Christmas Carol* (1843), public domain; hyperfine's README
(github.com/sharkdp/hyperfine, MIT or Apache-2.0, David Peter and contributors)."""

from __future__ import annotations

import unicodedata

import pytest
from test_readers import _epub

import narrate
from narrate.convert.speech import to_say

JEROME = ("<p>Three invalids\u2060—Sufferings of George and Harris\u2060—A victim to one hundred "
          "and seven fatal maladies.</p><p>There were four of us\u2060—George, and William Samuel "
          "Harris, and myself, and Montmorency.</p>")


@pytest.mark.unit
def test_no_format_character_reaches_a_say(tmp_path):
    book = narrate.script(_epub(tmp_path, {"a.xhtml": JEROME}))
    says = " ".join(s.say for s in book.segments)
    assert "four of us" in says
    assert not [c for c in says if unicodedata.category(c) == "Cf"]
    assert to_say("soft\u00adhyphen and zero\u200bwidth") == "softhyphen and zerowidth"


@pytest.mark.unit
def test_an_ordinal_then_a_title_is_spoken_as_the_unit_and_named_by_the_title(tmp_path):
    links = '<li><a href="a.xhtml">IV: The Exile</a></li>'
    book = narrate.script(_epub(tmp_path, {"a.xhtml": JEROME}, links=links))
    chapter = book.chapters[-1]
    assert chapter.title == "The Exile"  # file names and markers: the title, no numeral
    assert chapter.announce.say.startswith("Chapter Four")


@pytest.mark.unit
def test_a_continued_chapter_keeps_its_title(tmp_path):
    source = tmp_path / "k.txt"
    source.write_text("CHAPTER IV\n\nVARIOUS INSTRUMENTS (continued)\n\nThe horn is a brass "
                      "instrument with a long history, and it sounds well in a hall.\n")
    chapter = narrate.script(source).chapters[-1]
    assert chapter.title == "VARIOUS INSTRUMENTS (continued)"
    assert not any("VARIOUS" in s.text for s in chapter.segments)  # not read as a paragraph


@pytest.mark.unit
def test_title_and_author_lines_opening_a_plain_text_name_the_book(tmp_path):
    source = tmp_path / "dickens-c2.txt"
    source.write_text("Title: A Christmas Carol\nAuthor: Charles Dickens\n\nSTAVE ONE\n\n"
                      "Marley was dead: to begin with. There is no doubt whatever about that.\n")
    book = narrate.script(source)
    assert (book.title, book.author) == ("A Christmas Carol", "Charles Dickens")
    assert not any("Title:" in s.text for s in book.segments)
    assert book.chapters[-1].announce.say.startswith("Stave One")


@pytest.mark.unit
@pytest.mark.parametrize(("written", "spoken"), [
    ("It took 0.082s to run.", "zero point zero eight two seconds"),
    ("Mean 2.275 ± 0.046 s", ("two point two seven five plus or minus zero point zero four six "
                             "seconds")),
    ("Mean [s]", "Mean in seconds"),
    ("Time [ms]", "Time in milliseconds"),
    ("It reads 1.5 MB/s.", "one point five megabytes per second"),
    ("in the 1990s", "nineteen nineties"),  # a decade, not seconds
    ("when he was in his 20s", "in his twenties"),
    ("in the early 90s", "early nineties"),
    ("An i9-12900K CPU.", "twelve nine hundred K"),  # a model number as people say it
    ("An RTX4090 card.", "R T X forty ninety"),
    ("The Ryzen 9 7950X.", "seventy-nine fifty X"),
])
def test_units_after_numbers_are_words(written, spoken):
    assert spoken in to_say(written)


@pytest.mark.unit
def test_a_chapter_summary_line_is_a_list_of_phrases(tmp_path):
    body = ('<header><h2 epub:type="z3998:ordinal">I</h2><p epub:type="se:bridgehead">Three '
            "invalids\u2060—Sufferings of George and Harris\u2060—A victim to one hundred and seven "
            "fatal maladies</p></header>" + JEROME)
    links = '<li><a href="a.xhtml">I</a></li>'
    chapter = narrate.script(_epub(tmp_path, {"a.xhtml": body}, links=links)).chapters[-1]
    assert chapter.announce.say == "Chapter One."
    phrases = [s.say for s in chapter.sections[0].segments] + \
        [s.say for s in chapter.sections[1].segments]
    assert phrases[:2] == ["Three invalids", "Sufferings of George and Harris"]
    assert chapter.sections[0].kind == "list item"


@pytest.mark.unit
def test_a_cockney_elision_before_a_capital_opens_no_quotation(tmp_path):
    source = tmp_path / "jerome.txt"
    source.write_text("It contained a party of provincial ’Arrys and ’Arriets, out for a day, "
                      "and they were all singing. “Hullo, what are you all doing out here?” said "
                      "George.\n")
    warnings: list = []
    book = narrate.script(source, warnings=warnings)
    quoted = [s.text for s in book.segments if s.role == "quote"]
    assert quoted == ["“Hullo, what are you all doing out here?”"]
    assert not [w for w in warnings if "never closed" in str(getattr(w, "message", w))]


HYPERFINE_TABLE = """# hyperfine

## Usage

You can use the `--export-markdown <file>` option to create tables like the following:

| Command | Mean [s] | Min [s] | Max [s] | Relative |
|:---|---:|---:|---:|---:|
| `find . -iregex '.*[0-9]\\.jpg$'` | 2.275 ± 0.046 | 2.243 | 2.397 | 9.79 ± 0.22 |
| `fd -HI '.*[0-9]\\.jpg$'` | 0.232 ± 0.002 | 0.230 | 0.236 | 1.00 |
"""


@pytest.mark.unit
def test_a_table_of_results_is_heard_as_sense_never_as_a_command_s_characters(tmp_path):
    source = tmp_path / "hyperfine.md"
    source.write_text(HYPERFINE_TABLE)
    tables = [s.say for sec in narrate.script(source).sections if sec.kind == "table"
              for s in sec.segments]
    said = " ".join(tables)
    assert "Command: fd; Mean in seconds: zero point two three two plus or minus" in said
    assert "iregex" not in said and "jpg" not in said and "zero to nine" not in said


@pytest.mark.unit
def test_notation_in_brackets_opens_no_quotation(tmp_path):
    source = tmp_path / "verse.txt"
    source.write_text("The verse runs [- ' '] and then ([- -]) and [' ' -] again, as the poet "
                      "wrote it. He said, ‘this is a quotation of some length here’, and went on.\n")
    quoted = [s.text for s in narrate.script(source).segments if s.role == "quote"]
    assert quoted == ["‘this is a quotation of some length here’"]


HYPERFINE_PROSE = """# hyperfine

## Usage

To run a benchmark, call `hyperfine <command>...`. Use `--warmup 3` to fill the disk caches.
You can search with `fd -e jpg` or `find . -iregex '.*[0-9]\\.jpg$'`. Then compare.
"""


@pytest.mark.unit
def test_inline_code_in_prose_is_read_as_code_and_kept_for_people(tmp_path):
    source = tmp_path / "usage.md"
    source.write_text(HYPERFINE_PROSE)
    segments = [s for s in narrate.script(source).segments if "warmup" in s.text or "fd" in s.text]
    said = " ".join(s.say for s in segments)
    assert "Use dash dash warmup three to fill" in said
    assert "call hyperfine command and more" in said  # a placeholder: its name (issue 38)
    assert "find dot dash iregex" in said
    assert any("`find . -iregex" in s.text for s in segments)  # the script shows the code
    # a dot inside code ends no sentence: the command is one segment's, whole
    assert not any(s.say.startswith(("jpg", "iregex")) for s in segments)
    assert to_say("Settings live in `/etc`.") == "Settings live in slash etc."
    assert to_say("Run `sleep 0.3` and `cd ..` then `v1.2.3`, or `su - root`.") == \
        "Run sleep zero point three and cd dot dot then v one dot two dot three, or su dash root."
    assert to_say("Use `--shell <SHELL>` or `a < b`.") == "Use dash dash shell SHELL or a less than b."


HYPERFINE_INSTALL = """# hyperfine

## Installation

### On Ubuntu

On Ubuntu, hyperfine can be installed from the official repositories:

```
apt install hyperfine
```

Alternatively, for the latest version, you can download the `.deb` package and install it:

```bash
wget https://github.com/sharkdp/hyperfine/releases/download/v1.19.0/hyperfine_1.19.0_amd64.deb
sudo dpkg -i hyperfine_1.19.0_amd64.deb
```

### On Arch Linux

```
$ pacman -S hyperfine
```
"""


@pytest.mark.unit
def test_an_install_recipe_of_one_short_command_is_said_and_a_longer_one_is_a_cue(tmp_path):
    source = tmp_path / "install.md"
    source.write_text(HYPERFINE_INSTALL)
    said = [s.say for s in narrate.script(source).segments]
    assert "apt install hyperfine" in said
    assert "pacman dash S hyperfine" in said  # the prompt is not said
    assert said.count("A code example follows in the text.") == 1  # the two-line block
    assert not [s for s in said if "wget" in s or "amd64" in s]


# Three Men in a Boat, chapter III (Standard Ebooks, CC0): dialogue, short speeches and tags
DIALOGUE = [
    "“Oh, it’s you, is it?” he says, recognising you at the same moment.",
    "“Yes,” you answer, rubbing your eyes; “what’s happened?”",
    "“Bally tent’s blown down, I think,” he says. “Where’s Bill?”",
    ("Then you both raise up your voices and shout for “Bill!” and the ground beneath you "
     "heaves and rocks."),
    "“Most extraordinary thing I ever heard of,” said George.",
    "She said no, she did not see any lock; and I said, “Oh!”",
]


@pytest.mark.unit
def test_in_fiction_every_speech_is_the_quote_voice_and_the_tags_the_narrator(tmp_path):
    source = tmp_path / "boat.txt"
    source.write_text("\n\n".join(DIALOGUE * 3) + "\n")  # enough speech tags to be fiction
    runs = [(s.role, s.text) for s in narrate.script(source).chapters[0].sections[0].segments]
    assert runs == [("quote", "“Oh, it’s you, is it?”"),
                    ("narrator", "he says, recognising you at the same moment.")]
    said = {(s.role, s.text) for s in narrate.script(source).segments}
    assert {("quote", "“Yes,”"), ("narrator", "you answer, rubbing your eyes;"),
            ("quote", "“what’s happened?”"), ("quote", "“Where’s Bill?”"),
            ("quote", "“Oh!”")} <= said
    assert not [text for voice, text in said if voice == "quote" and "Bill!" in text]  # a name shouted


@pytest.mark.unit
def test_outside_fiction_a_short_quotation_stays_in_the_narrators_voice(tmp_path):
    source = tmp_path / "essay.txt"
    source.write_text("He called it “the permanent revolution,” and she said, “No.”\n\n"
                      "“Freedom,” he wrote, “is the recognition of necessity.”\n")
    assert {s.role for s in narrate.script(source).segments} == {"narrator"}
