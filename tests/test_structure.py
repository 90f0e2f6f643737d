from narrate.convert import ConvertOptions, convert
from narrate.convert.structure import split_chapters as split_document
from narrate.read.markdown import read_markdown
from narrate.read.text import join_lines, read_text


def split_chapters(text, markdown=False):
    return split_document(read_markdown(text) if markdown else read_text(text))[0]


def titles(text, markdown=False):
    return [c.heading for c in split_chapters(text, markdown)]


def test_hard_wrapped_lines_are_joined_and_blank_lines_separate_paragraphs():
    [chapter] = split_chapters("One long\nwrapped line.\n\nSecond para-\ngraph here.\n")
    assert [p.text for p in chapter.paragraphs] == ["One long wrapped line.",
                                                    "Second para-graph here."]
    assert [p.line for p in chapter.paragraphs] == [1, 4]


def test_join_lines_keeps_hyphens_and_joins_with_spaces():
    assert join_lines(["well-", "known"]) == "well-known"
    assert join_lines(["  A line  ", "another"]) == "A line another"


def test_markdown_headings_make_chapters_and_win_over_blank_runs():
    text = "# Book\n\n## One\nText one.\n\n\n\nMore one.\n\n## Two\n\nText two.\n"
    chapters = split_chapters(text, markdown=True)
    assert [c.heading for c in chapters] == ["One", "Two"]  # the single # is the book's title
    assert [len(c.paragraphs) for c in chapters] == [2, 1]
    assert convert(text, ConvertOptions(markdown=True))[0].title == "Book"


def test_markdown_blockquote_and_list_items():
    [chapter] = split_chapters("> A quoted\n> passage.\n\n- item one\n- item two\n", True)
    assert [(p.text, p.role, p.kind) for p in chapter.paragraphs] == [
        ("A quoted passage.", "quote", ""), ("item one", None, "list item"),
        ("item two", None, "list item")]


def test_heading_lines_chapter_roman_and_lecture():
    body = "A body of text that is long enough to be a chapter's own."
    text = (f"Preface words.\n\nCHAPTER IV\n\n{body}\n\nIV. The Exile\n\n{body}\n\n"
            f"Lecture 3\n\n{body}\n\nVII\nThe Return\n\n{body}\n\nIX\n\nA Title Line\n\n"
            f"{body}\n")
    assert titles(text) == [None, "CHAPTER IV", "IV: The Exile", "Lecture 3",
                            "VII: The Return", "IX: A Title Line"]
    assert [c.title for c in split_chapters(text)] == [None, None, "The Exile", None,
                                                       "The Return", "A Title Line"]


def test_two_blank_lines_split_chapters():
    assert len(split_chapters("One.\n\nTwo.\n\n\nThree.\n\n\n\nFour.\n")) == 3


def test_scene_breaks_split_when_nothing_stronger_exists():
    chapters = split_chapters("One.\n\n* * *\n\nTwo.\n\n***\n\nThree.\n")
    assert [[p.text for p in c.paragraphs] for c in chapters] == [["One."], ["Two."], ["Three."]]


def test_scene_break_inside_headed_chapters_is_not_spoken():
    chapters = split_chapters("CHAPTER 1\n\nOne.\n\n* * *\n\nTwo.\n")
    assert [p.text for p in chapters[0].paragraphs] == ["One.", "Two."]


def test_titles_come_from_heading_metadata_or_opening_words():
    book, _ = convert("CHAPTER ONE\n\nIt was a dark and stormy night, and the rain fell.\n")
    assert (book.chapters[0].title, book.chapters[0].title_source) == ("CHAPTER ONE", "heading")
    book, _ = convert("It was a dark and stormy night, and the rain fell.\n")
    assert (book.chapters[0].title, book.chapters[0].title_source) == (
        "It was a dark and stormy…", "opening")
    book, _ = convert("Words here.\n", meta={"chapters": ["Given"]})
    assert (book.chapters[0].title, book.chapters[0].title_source) == ("Given", "metadata")


def test_max_chapter_minutes_splits_at_paragraph_boundaries():
    paragraph = " ".join(["word"] * 100) + "."
    text = "\n\n".join([paragraph] * 10)
    book, _ = convert(text, ConvertOptions(max_chapter_minutes=2))  # 320 words a chapter
    assert [len(c.sections) for c in book.chapters] == [3, 3, 3, 1]


def test_ids_are_positional_and_zero_padded():
    book, _ = convert("One.\n\nTwo.\n\n\nThree.\n")
    assert [s.id for s in book.segments] == ["01.001.1", "01.002.1", "02.001.1"]


def test_short_title_drops_quote_marks_but_keeps_apostrophes():
    from narrate.convert import short_title

    assert short_title("Trotsky’s fate, they don’t say (Deutscher 1954)") == \
        "Trotsky’s fate, they don’t say"
    assert short_title("“The years of reaction were over,” he said", count=5) == \
        "The years of reaction were…"
    assert short_title("‘Yes’ — and “no”") == "Yes — and no"
    assert short_title("“…”", fallback="Section") == "Section"


def test_long_chapters_are_cut_at_the_pace_of_the_cast_asked_for(tmp_path):
    """`--voices` with `--max-chapter-minutes` cut chapters at the default cast's pace: the
    narrator's rate was taken from the metadata's cast alone."""
    import shutil

    import narrate
    from narrate.metadata import DEFAULT_VOICES_DIR

    slow = tmp_path / "slow"
    shutil.copytree(DEFAULT_VOICES_DIR / "espeak", slow)
    narrator = slow / "narrator.yaml"
    narrator.write_text(narrator.read_text().replace("rate: 160", "rate: 80"))
    source = tmp_path / "book.txt"
    source.write_text("\n\n".join([" ".join(["word"] * 100) + "."] * 10))
    default = narrate.script(source, max_chapter_minutes=2)  # 150 words a minute: 300
    slower = narrate.script(source, max_chapter_minutes=2, voices=slow)  # 80: 160
    assert len(default.chapters) == 4
    assert [len(c.sections) for c in slower.chapters] == [1] * 10
