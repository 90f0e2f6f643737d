"""Property tests: any text converts without crashing, loses no word, and is deterministic."""

from conftest import read_words, spoken_words
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrate.convert import ConvertOptions, convert
from narrate.read.markdown import read_markdown
from narrate.read.text import read_text
from narrate.scriptfile import to_yaml

# Text made of the pieces that trip converters up, plus any Unicode at all.
PIECES = ["“", "”", "‘", "’", "\"", "'", "…", "...", " – ", "(15)", "(p. 135, 36)", "\n", "\n\n",
          "\n\n\n", "* * *", "CHAPTER IV", "IV.", "1879", "10,000", "2.5", "15th", "Nicholas II",
          "e.g.", "Mr.", " ", ". ", "word", "Trotsky’s", "workers’", "—", "#", "> ", "-", "Show more"]
messy_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)),
                      max_size=60).map("".join)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _letters(word_list):
    # a word longer than a segment is cut in two, so compare the letters in order
    return "".join(word_list)


@SETTINGS
@given(messy_text, st.booleans())
def test_never_crashes_and_loses_no_word(text, markdown):
    """Every word the reader classed as prose (or a heading) is spoken, in order."""
    book, _ = convert(text, ConvertOptions(markdown=markdown, max_segment_chars=60))
    document = read_markdown(text) if markdown else read_text(text)
    assert _letters(spoken_words(book)) == _letters(read_words(document))
    for segment in book.segments:
        assert len(segment.text) <= 60
        assert segment.text.strip() == segment.text and segment.text


@SETTINGS
@given(messy_text)
def test_deterministic(text):
    first, _ = convert(text)
    second, _ = convert(text)
    assert first == second


@settings(max_examples=100, deadline=None)
@given(messy_text)
def test_yaml_round_trip(tmp_path_factory, text):
    from narrate.scriptfile import load_script
    book, _ = convert(text)
    path = tmp_path_factory.mktemp("rt") / "s.yaml"
    path.write_text(to_yaml(book), encoding="utf-8")
    loaded = load_script(path)
    # segments whose speech is empty are skipped on load, by design
    assert loaded.segments == [s for s in book.segments if s.say.strip()]
