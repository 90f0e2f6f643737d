"""Lexicons (issue 35, Trust III): a word is read as written, an entry narrate cannot use
is one line naming the file and line, applying one takes time linear in the text whatever
its size, and lexicons layer (narrate's, the book's, the user's --lexicon) instead of
replacing one another."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest
import yaml
from conftest import SEED
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_reliability import one_line_error, run

import narrate
from narrate import metadata
from narrate.convert.lexicon import Lexicon
from narrate.errors import NarrateError
from narrate.metadata import SHIPPED_LEXICON, book_lexicon, load_lexicon


class PatternLexicon(Lexicon):
    """The lexicon as narrate applied it up to 0.2: one pattern of every entry, longest
    first. The matcher that replaced it must say every line of a book the same.
    `left_alone`: a place matched by a capitalised word written otherwise was left as it
    was (a shorter entry there went unused; the matcher uses it)."""

    left_alone = False

    def apply(self, text: str) -> str:
        if not self.entries:
            return text
        keys = "|".join(re.escape(k) for k in sorted(self.entries, key=len, reverse=True))
        folded = {k.lower(): k for k in self.entries if k == k.lower()}

        def respell(m: re.Match) -> str:
            word = m.group()
            if word in self.entries:
                return self.entries[word]
            key = folded.get(word.lower())
            if key is None:
                self.left_alone = True
                return word
            spoken = self.entries[key]
            return spoken[:1].upper() + spoken[1:] if word[:1].isupper() else spoken

        return re.sub(rf"(?<![\w-])(?:{keys})(?![\w])", respell, text, flags=re.IGNORECASE)


def _lexicon_file(tmp_path, text: str, name: str = "lex.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _source(tmp_path, text: str = "Deutscher wrote of Trotsky in Vienna.\n"):
    path = tmp_path / "book.txt"
    path.write_text(text, encoding="utf-8")
    return path


# ---- item 1: an empty or blank word ------------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.parametrize("entry", ['"": EMPTY', '" ": BLANK', '"\\t": TAB', "? ''\n: EMPTY"])
def test_an_empty_or_blank_word_is_one_line_naming_the_lexicon_and_its_line(tmp_path, entry):
    lexicon = _lexicon_file(tmp_path, f"Trotsky: Trotskee\n{entry}\n")
    out = tmp_path / "script.yaml"
    result = run("script", _source(tmp_path), "--lexicon", lexicon, "-o", out)
    one_line_error(result, f"{lexicon}:2: entry", "the word is empty", "delete the line")
    assert not out.exists()


@pytest.mark.unit
def test_a_word_or_respelling_with_spaces_around_it_is_refused_where_it_is(tmp_path):
    with pytest.raises(NarrateError, match=r"lex.yaml:1: entry ' Trotsky': the word starts"):
        load_lexicon(_lexicon_file(tmp_path, '" Trotsky": Trotskee\n'))
    with pytest.raises(NarrateError, match=r"lex.yaml:1: entry 'Trotsky': the respelling is empty"):
        load_lexicon(_lexicon_file(tmp_path, "Trotsky:\n"))


# ---- item 2: words and respellings as typed --------------------------------------------------

@pytest.mark.unit
def test_words_and_respellings_are_read_as_typed_not_as_yaml_values(tmp_path):
    lexicon = load_lexicon(_lexicon_file(tmp_path, "No: Noh\n010: ten\n12:30: half past twelve\n"
                                                   "yes: yeah\nnull: nothing\n1e3: a thousand\n"
                                                   "Trotsky: 1905\nOff: Orf\n"))
    assert lexicon.entries == {"No": "Noh", "010": "ten", "12:30": "half past twelve",
                               "yes": "yeah", "null": "nothing", "1e3": "a thousand",
                               "Trotsky": "1905", "Off": "Orf"}
    assert lexicon.apply("No, 010 at 12:30; yes, null, 1e3, Trotsky. Off.") == \
        "Noh, ten at half past twelve; yeah, nothing, a thousand, 1905. Orf."


@pytest.mark.unit
def test_a_respelling_tagged_as_text_is_the_text(tmp_path):
    lexicon = load_lexicon(_lexicon_file(tmp_path, "Vienna: !!str 12:30\nWien: ! Veen\n"))
    assert lexicon.entries == {"Vienna": "12:30", "Wien": "Veen"}


@pytest.mark.e2e
def test_a_list_respelling_is_one_line_naming_the_word_as_written(tmp_path):
    lexicon = _lexicon_file(tmp_path, "Trotsky: Trotskee\nNo: [Noh, Know]\n")
    one_line_error(run("script", _source(tmp_path), "--lexicon", lexicon, "-o", tmp_path / "s"),
                   f"{lexicon}:2: entry 'No': the respelling is a list", "write it as text")


@pytest.mark.unit
@pytest.mark.parametrize("text, needle", [
    ("Trotsky: {say: Trotskee, hibari: tɹˈɑtski}\nVienna: {say: [Vee, enna]}\n",
     "lex.yaml:2: entry 'Vienna': `say` is a list"),
    ("Vienna: {say: {a: b}}\n", "lex.yaml:1: entry 'Vienna': `say` is a mapping"),
    ("? [Vienna, Wien]\n: Vee-enna\n", "lex.yaml:1: a word is a list"),
    ("Vienna: &v Vee-enna\nWien: *v\n", "lex.yaml:2: entry 'Wien': the respelling is an alias"),
    ("No: Noh\nTrotsky: Trotskee\nNo: Know\n",
     "lex.yaml:3: the word 'No' appears twice (first on "),
    ("- Trotsky\n- Vienna\n", "lex.yaml:1: a lexicon is a mapping"),
    ("Vienna: Vee-enna\n---\nWien: Veen\n", "lex.yaml:2: a second YAML document"),
    ("Trotsky: Trotskee\nVienna: 'unclosed\n", "lex.yaml:2: YAML syntax error"),
    ("Trotsky: Trotskee\nVienna: Vee\x00enna\n", "lex.yaml:2: holds the control character U+0000"),
    ("Vienna: !!binary VGhlbiBoZSBsZWZ0Lg==\n",  # spoken "VGhlbiBoZSBsZWZ zero L g"
     "lex.yaml:1: entry 'Vienna': the respelling is tagged !!binary"),
    ("!!int 12: twelve\n", "lex.yaml:1: a word is tagged !!int"),
    ("Vienna: {say: !!timestamp 2001-12-14}\n", "entry 'Vienna': `say` is tagged !!timestamp"),
    ("Vienna: !python/name:os.system x\n", "the respelling is tagged !python/name:os.system"),
])
def test_an_entry_narrate_cannot_use_is_one_line_naming_its_line(tmp_path, text, needle):
    with pytest.raises(NarrateError) as raised:
        load_lexicon(_lexicon_file(tmp_path, text))
    assert needle in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.unit
def test_a_lexicon_of_comments_or_nothing_is_empty(tmp_path):
    for text in ("", "# nothing yet\n", "---\n"):
        assert load_lexicon(_lexicon_file(tmp_path, text)).entries == {}


# ---- item 3: size -------------------------------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.parametrize("entry, needle", [
    ("Trotsky: " + "a" * 100_000,
     "entry 'Trotsky': the respelling is 100,000 characters; at most 200"),
    ("Trotsky: " + "Trot " * 40 + "sky", "the respelling is 203 characters; at most 200"),
    ("W" * 101 + ": x", "the word is 101 characters; at most 100"),
])
def test_a_respelling_or_word_too_long_to_be_one_is_one_line(tmp_path, entry, needle):
    lexicon = _lexicon_file(tmp_path, f"Vienna: Vee-enna\n{entry}\n")
    one_line_error(run("script", _source(tmp_path), "--lexicon", lexicon, "-o", tmp_path / "s"),
                   f"{lexicon}:2: ", needle)


def _name(n: int) -> str:
    """A word of four letters for each number: aaaa, baaa, …"""
    return "".join(chr(97 + n // 26 ** i % 26) for i in range(4))


@pytest.mark.e2e
def test_a_lexicon_of_100000_words_sharing_a_first_word_converts_a_book(tmp_path):
    """Every entry begins `the river that runs past the mill`, so a pattern of every entry
    tried each of them, letter by letter, at each `the` of the text (minutes for this
    one); a lookup of the words that start at a place tries one entry for each length."""
    river = "the river that runs past the mill"
    entries = "".join(f"{river} {_name(n)}: the River {_name(n)}-ah\n" for n in range(100_000))
    lexicon = _lexicon_file(tmp_path, "Volga: Vol-gah\n" + entries)
    far, near = _name(99_999), _name(7)
    source = _source(tmp_path, f"On {river} {far} and the Volga, {river} {near} ran. " * 1_000)
    out = tmp_path / "script.yaml"
    done = subprocess.run([sys.executable, "-m", "narrate", "script", str(source), "--lexicon",
                           str(lexicon), "-o", str(out)], capture_output=True, text=True,
                          timeout=90, check=False)  # a bound on a hang, not a measure
    assert done.returncode == 0, done.stderr
    says = " ".join(s.say for s in narrate.script(out).spoken)
    assert says.count(f"the River {far}-ah and the Vol-gah, the River {near}-ah ran") == 1_000


@pytest.mark.unit
def test_the_seeds_cache_keys_are_those_the_pattern_gave(tmp_path, monkeypatch):
    """The seed converted and planned with the shipped lexicon applied by the matcher, and
    by the pattern narrate used before: the same speech, so the same key for every line."""
    from narrate import plan as planning
    from narrate.render.cache import Cache

    def keys() -> dict[str, str]:
        book = planning.load_book(SEED)
        assert sum("Doytcher" in s.say for s in book.spoken) > 3  # the lexicon applied
        return planning.plan_book(book, Cache(tmp_path / "c")).keys

    now = keys()
    from narrate.render import hints  # where planning has its lexicons layered

    layered = hints.book_lexicon
    monkeypatch.setattr(hints, "book_lexicon", lambda *files: PatternLexicon(
        layered(*files).entries, layered(*files).phonemes))
    assert keys() == now


@pytest.mark.unit
def test_phonemes_are_marked_where_the_pattern_marked_them():
    """The render stage marks a lexicon's phonemes with the same one-pass table."""
    from narrate.render.cast import spoken
    from narrate.render.items import RenderItem
    from narrate.render.profiles import load_profiles

    marks = (("Kamenev", "[Kamenev](/k/)"), ("Kamenev Zinoviev", "[Kamenev Zinoviev](/kz/)"),
             ("Ust-Kut", "[Ust-Kut](/u/)"), ("Kut", "[Kut](/k/)"))
    narrator = replace(load_profiles("natural")["narrator"], phonemes=marks)
    pattern = re.compile(r"(?<![\w\[-])(?:Kamenev Zinoviev|Ust-Kut|Kamenev|Kut)(?![\w\]-])")
    say = ("Kamenev's friend, Kamenev Zinoviev and kamenev; Kamenevs, [Kamenev](/k/), "
           "Ust-Kut, Kut-Ust, Kut. KamenevZ Kamenev-Kut Kamenev Zinovievs Kut")
    assert spoken(RenderItem("a", say, "narrator"), narrator).say == \
        pattern.sub(lambda m: dict(marks)[m.group()], say) != say


_WORDS = st.sampled_from(["Tsar", "tsar", "TSAR", "US", "us", "Nashe", "Slovo", "Nashe Slovo",
                          "Ust-Kut", "Kut", "3M", "U.S.", "don't", "x", "Deutscher", "'em"])


@pytest.mark.unit
@settings(max_examples=300, deadline=None)
@given(keys=st.lists(_WORDS, min_size=1, max_size=6, unique=True),
       text=st.lists(st.one_of(_WORDS, st.sampled_from([" ", "-", ", ", "'s ", "s", ". ", "—"])),
                     max_size=30).map("".join))
def test_the_matcher_says_what_the_pattern_said(keys, text):
    """Any text, any lexicon of these words: the same words respelled, in the same case
    (but where the pattern left a place alone that a shorter entry matches: below)."""
    entries = {k: f"<{k.upper()}>" for k in keys}
    pattern = PatternLexicon(entries)
    said = pattern.apply(text)
    assume(not pattern.left_alone)
    assert Lexicon(entries).apply(text) == said


# ---- item 4: lexicons layer ---------------------------------------------------------------------

@pytest.mark.e2e
def test_a_users_lexicon_adds_to_the_shipped_one_and_every_other_line_keeps_its_key(tmp_path):
    """Two unrelated entries with --lexicon: every shipped respelling stays (Deutscher is
    still Doytcher) and only the lines that say Vienna or Kautsky are said anew."""
    from narrate.plan import load_book, plan_book
    from narrate.render.cache import Cache
    from narrate.values import BuildOptions

    mine = _lexicon_file(tmp_path, "Vienna: Vee-enna\nKautsky: Kowtsky\n")
    plans = [plan_book(load_book(SEED, lexicon=lex), Cache(tmp_path / "c"),
                       BuildOptions(lexicon=lex)) for lex in (None, mine)]
    before, after = ({i.id: i for i in p.items} for p in plans)
    moved = {i for i in before if plans[0].keys[i] != plans[1].keys[i]}
    assert moved == {i for i, item in before.items() if re.search(r"Vienna|Kautsky", item.say)}
    assert 0 < len(moved) < 5
    assert sum("Doytcher" in i.say for i in after.values()) == \
        sum("Doytcher" in i.say for i in before.values()) > 0
    assert all("Vee-enna" in after[i].say or "Kowtsky" in after[i].say for i in moved)


@pytest.mark.unit
def test_lexicons_layer_narrates_then_the_books_then_the_users(tmp_path):
    (tmp_path / "book.yaml").write_text("title: B\nauthor: A\nlexicon: words.yaml\n")
    _lexicon_file(tmp_path, "Deutscher: Doytch-uh\nVienna: Vee-enna\nTrotsky: Trotskee\n",
                  "words.yaml")
    mine = _lexicon_file(tmp_path, "deutscher: Doitcher\nTrotsky: Trotsky\nLenin: Lennin\n",
                         "mine.yaml")
    source = _source(tmp_path, "Deutscher met Trotsky and Lenin in Vienna at Zimmerwald. "
                               "DEUTSCHER!\n")
    def said(**lexicon) -> str:
        return next(s.say for s in narrate.script(source, **lexicon).spoken if " met " in s.say)

    assert "Doytch-uh met Trotskee and Lenin in Vee-enna at Tsimmer-vahlt" in said()
    assert "Doitcher met Trotsky and Lennin in Vee-enna at Tsimmer-vahlt. Doitcher" in \
        said(lexicon=mine)  # the user's last
    listed = {e.word: e for e in narrate.pronunciations(source, lexicon=mine)}
    books = (tmp_path / "words.yaml").resolve()
    assert listed["deutscher"].place == f"{mine}:1"
    assert listed["deutscher"].replaces == f"{books}:1"
    assert listed["Vienna"].place == f"{books}:2"
    assert listed["Zimmerwald"].place.startswith(f"{SHIPPED_LEXICON}:")
    assert "Trotsky" in listed and "Trotsky" not in book_lexicon(
        tmp_path / "words.yaml", mine).entries  # said as written: the book's undone


@pytest.mark.unit
def test_within_one_file_a_capitalised_word_and_its_lower_case_both_stay(tmp_path):
    lexicon = book_lexicon(None, _lexicon_file(tmp_path, "Tsar: Zar\ntsar: zahr\n"))
    assert lexicon.apply("The Tsar, the tsar, TSAR.") == "The Zar, the zahr, Zahr."


@pytest.mark.e2e
def test_words_entries_names_the_file_each_entry_came_from(tmp_path):
    mine = _lexicon_file(tmp_path, "Deutscher: Doytch\nVienna: Vee-enna\n")
    result = run("words", "--entries", SEED, "--lexicon", mine)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    shipped = SHIPPED_LEXICON.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(shipped, 1) if line.startswith("Deutscher:"))
    assert lines["Deutscher"].endswith(f"{mine}:1, over {SHIPPED_LEXICON}:{at}")
    assert "Vee-enna" in lines["Vienna"] and lines["Vienna"].endswith(f"{mine}:2")
    assert "Tsimmer-vahlt" in lines["Zimmerwald"] and f"{SHIPPED_LEXICON}:" in lines["Zimmerwald"]
    assert "(hibari: " in lines["Kamenev"]
    assert f"2 from {mine} (1 over an earlier file's)" in result.stdout.splitlines()[-1]


def _studio(tmp_path, lexicon):
    source = _source(tmp_path, "The river runs north past the mill.\n\nThe Volga is wide.\n")
    (tmp_path / "book.yaml").write_text(f"title: B\nauthor: A\nlexicon: {lexicon}\n")
    return narrate.open_studio(source, voices="espeak", cache=tmp_path / "c",
                               out=tmp_path / "out").session


@pytest.mark.e2e
def test_a_text_typed_in_the_studio_is_spoken_with_narrates_lexicon_and_the_books(tmp_path):
    _lexicon_file(tmp_path, "Volga: Vol-gah\n", "words.yaml")
    session = _studio(tmp_path, "words.yaml")
    try:
        first = next(s.id for s in session.book.spoken if "river" in s.text)
        session.keep(first, text="Deutscher saw the Volga at Zimmerwald.")
        said = {s.id: s.say for s in session.book.spoken}
        assert said[first] == "Doytcher saw the Vol-gah at Tsimmer-vahlt."
    finally:
        session.close()


@pytest.mark.e2e
def test_the_studio_writes_a_respelling_to_the_books_lexicon_never_narrates(tmp_path,
                                                                           monkeypatch):
    """A book whose metadata names the lexicon narrate ships (every book reads it first):
    the word goes into the book's folder, not into narrate's file."""
    shipped = tmp_path / "shipped" / "lexicon.yaml"
    shipped.parent.mkdir()
    shutil.copy(SHIPPED_LEXICON, shipped)
    monkeypatch.setattr(metadata, "SHIPPED_LEXICON", shipped)
    shipped_bytes = shipped.read_bytes()
    session = _studio(tmp_path, shipped)
    try:
        session.pronounce("Volga", "Vol-gah")
        assert shipped.read_bytes() == shipped_bytes
        assert yaml.safe_load((session.folder / "lexicon.yaml").read_text()) == \
            {"volga": "Vol-gah"}
    finally:
        session.close()
