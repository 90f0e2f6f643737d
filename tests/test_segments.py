from narrate.convert import ConvertOptions, convert
from narrate.convert.segments import sentence_ends, split_run


def test_sentence_ends_skip_abbreviations_and_initials():
    text = "Mr. Smith met J. Jones on p. 5. Then they left! “Quoted.” Next one… And more"
    ends = [text[:e].split()[-1] for e in sentence_ends(text)]
    assert ends == ["5.", "left!", "“Quoted.”", "one…"]


def test_short_run_is_one_segment():
    assert split_run("  One. Two.  ", 400) == [(2, 11)]


def test_long_run_splits_at_sentences_evenly_within_the_limit():
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    pieces = split_run(text, 200)
    assert all(e - s <= 200 for s, e in pieces)
    assert all(text[s:e].endswith(".") for s, e in pieces)
    sizes = [e - s for s, e in pieces]
    assert min(sizes) > max(sizes) / 2  # no short tail
    assert " ".join(text[s:e] for s, e in pieces) == text


def test_sentence_longer_than_limit_splits_at_clauses_then_spaces_then_hard():
    clauses = ", ".join(["a clause of some words"] * 30)
    assert all(e - s <= 100 for s, e in split_run(clauses, 100))
    long_word = "x" * 950
    pieces = split_run(long_word, 400)
    assert [e - s for s, e in pieces] == [400, 400, 150]


def test_segments_respect_max_chars_option():
    text = " ".join(["This is a sentence of narration."] * 50)
    book, _ = convert(text, ConvertOptions(max_segment_chars=120))
    assert len(book.segments) > 10
    assert all(len(s.text) <= 120 for s in book.segments)
    assert [s.id for s in book.segments][:3] == ["01.001.1", "01.001.2", "01.001.3"]
