import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from narrate.errors import NarrateError
from narrate.model import Book, Chapter, Section, Segment
from narrate.scriptfile import load_script, to_json_segments, to_yaml, write_script


def test_yaml_round_trip_gives_the_same_book(seed_book, tmp_path):
    book, _ = seed_book
    path = write_script(book, tmp_path / "script.yaml")
    assert load_script(path) == book


def test_json_lists_segments_for_other_tools(seed_book):
    book, _ = seed_book
    rows = json.loads(to_json_segments(book))
    assert len(rows) == len(book.segments)
    assert set(rows[0]) == {"id", "chapter", "section", "role", "text", "say", "citation"}
    assert any(r["citation"] == "(15)" for r in rows)


def test_write_is_atomic_and_leaves_no_temporary_files(seed_book, tmp_path):
    book, _ = seed_book
    write_script(book, tmp_path / "s.yaml")
    write_script(book, tmp_path / "s.yaml")
    assert [p.name for p in tmp_path.iterdir()] == ["s.yaml"]


def test_edited_say_changes_the_key(seed_book, tmp_path):
    book, _ = seed_book
    text = to_yaml(book)
    seg = book.segments[3]
    path = tmp_path / "s.yaml"
    path.write_text(text.replace(f"say: {seg.say[:30]}", f"say: Changed {seg.say[:30]}", 1))
    edited = load_script(path).segments[3]
    assert edited.say.startswith("Changed")
    # the key the cache uses (the voice profile's every field with the speech) changes
    from narrate.render import RenderItem, item_keys
    from narrate.render.profiles import load_profiles

    profiles = load_profiles(None)
    keys = item_keys([RenderItem("a", seg.say, seg.role), RenderItem("b", edited.say,
                                                                      edited.role)], profiles)
    assert keys["a"] != keys["b"]


SCRIPT = """narrate_script: 1
book: {title: T}
chapters:
- id: '01'
  title: One
  sections:
  - id: '01.001'
    segments:
    - id: 01.001.1
      role: narrator
      text: Hello.
      say: Hello.
"""


@pytest.mark.parametrize("change, message", [
    (lambda s: s.replace("role: narrator", "role: [narrator"), r"s\.yaml:1\d: YAML syntax"),
    (lambda s: s.replace("say: Hello.", "sya: Hello."), r"s\.yaml:9: unknown key 'sya'; did you mean 'say'"),
    (lambda s: s.replace("id: '01.001'", "id: 01.001.1"), "id 01.001.1 is used twice"),
    (lambda s: s.replace("book: {title: T}", "book: !!python/object:os.system {}"), "YAML"),
    (lambda s: "just: text\n", "not a narrate script"),
    (lambda s: s.replace("      role: narrator\n", ""), "missing `role`"),
])
def test_malformed_scripts_give_errors_naming_the_line(tmp_path, change, message):
    path = tmp_path / "s.yaml"
    path.write_text(change(SCRIPT))
    with pytest.raises(NarrateError, match=message):
        load_script(path)


def test_empty_say_is_skipped_with_a_warning(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SCRIPT.replace("say: Hello.", "say: ''"))
    warnings = []
    book = load_script(path, warnings)
    assert book.segments == []
    assert "01.001.1" in warnings[0] and "empty" in warnings[0]


def test_a_script_written_before_0_9_names_the_role_voice(tmp_path):
    """Scripts, JSON segment lists and manifests written before the role had its own word
    are read as they were written; the script narrate writes now says `role`."""
    path = tmp_path / "s.yaml"
    path.write_text(SCRIPT.replace("role: narrator", "voice: quote"))
    book = load_script(path)
    assert [s.role for s in book.segments] == ["quote"]
    assert "role: quote" in to_yaml(book) and "voice:" not in to_yaml(book)
    legacy = tmp_path / "s.json"
    legacy.write_text('[{"id": "1", "voice": "narrator", "say": "Hi."}]')
    write_script(book, legacy, as_json=True)  # narrate's own list: replaced without --force
    assert json.loads(legacy.read_text())[0]["role"] == "quote"
    from narrate.manifest import _spoken

    assert _spoken({"voice": "note", "say": "Hi."}) == _spoken({"role": "note", "say": "Hi."})


# ---- hand-edited values (issue 35): text fields hold text ----------------------------------------

RETYPED = ["No", "yes", "off", "12:30", "010", "0x1F", "1_000", "1.5e3", ".inf", "2020-01-01",
           "2001-12-14 21:59:43.10 -5", "true", "=", "<<"]


def _with(key: str, value: str) -> str:
    """SCRIPT with `key` (say, text, or the chapter's title) holding `value` as typed."""
    old = {"say": "say: Hello.", "text": "text: Hello.", "title": "title: One"}[key]
    return SCRIPT.replace(old, f"{old.split(':')[0]}: {value}")


@pytest.mark.parametrize("value", RETYPED)
@pytest.mark.parametrize("key", ["say", "text", "title"])
def test_a_plain_value_in_a_text_field_is_read_as_typed(tmp_path, key, value):
    """`say: No` is "No" (YAML 1.1 reads False, spoken "False"); `12:30` is not 750."""
    path = tmp_path / "s.yaml"
    path.write_text(_with(key, value))
    book = load_script(path)
    read = {"say": book.segments[0].say, "text": book.segments[0].text,
            "title": book.chapters[0].title}[key]
    assert read == value


@pytest.mark.parametrize("value, kind", [("[a, b]", "a list"), ("{a: b}", "a mapping"),
                                         ("!!binary aGVsbG8=", "binary data"),
                                         ("!!set {a}", "a set"), ("!!float 1", "float")])
@pytest.mark.parametrize("key, line", [("say", 12), ("text", 11), ("title", 5)])
def test_a_list_mapping_or_tagged_value_in_a_text_field_is_one_line_naming_it(
        tmp_path, key, line, value, kind):
    path = tmp_path / "s.yaml"
    path.write_text(_with(key, value))
    with pytest.raises(NarrateError, match=rf"s\.yaml:{line}: `{key}` must be text, not "
                                           rf".*{kind}; write the words themselves") as caught:
        load_script(path)
    assert "\n" not in str(caught.value)


# what YAML reads as nothing, as a merge, a comment, an anchor, a tag, a block, a flow or a
# document marker when it stands plain: each alone, and among words (a long line is folded)
YAML_WORDS = [*RETYPED, "null", "Null", "NULL", "~", "-", "- x", "?", "? x", ":", "x: y", "#",
              "x #y", "&a", "*a", "!x", "!!str", "|", ">", "%x", "@x", "`x", "'", '"', "[", "]",
              "{", "}", ",", "---", "...", "\\", " x", "x "]
CHARACTERS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1)
TEXTS = st.one_of(st.sampled_from(YAML_WORDS), CHARACTERS,  # control characters: see below
                  st.lists(st.sampled_from(YAML_WORDS) | CHARACTERS, min_size=2, max_size=60)
                  .map(" ".join))


@settings(max_examples=200, deadline=None)
@given(say=TEXTS.filter(str.strip), text=TEXTS, title=TEXTS, label=TEXTS)
def test_what_narrate_writes_is_read_back_as_the_same_text(tmp_path_factory, say, text, title,
                                                           label):
    """narrate's own script never writes a value YAML would retype: read back by narrate,
    or by any YAML reader, each text field is the text written."""
    book = Book("T", chapters=[Chapter("01", title, label=label, sections=[Section(
        "01.001", [Segment("01.001.1", "narrator", text, say)])])])
    path = tmp_path_factory.mktemp("rt") / "s.yaml"
    write_script(book, path)
    assert load_script(path) == book
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    chapter = data["chapters"][0]
    segment = chapter["sections"][0]["segments"][0]
    assert (segment["say"], segment["text"], chapter["title"], chapter["label"]) == \
        (say, text, title, label)


def test_a_book_in_norwegian_is_in_norwegian(tmp_path):
    """`language: no` is Norwegian (YAML 1.1 reads false: the book was in "False")."""
    path = tmp_path / "s.yaml"
    path.write_text(SCRIPT.replace("book: {title: T}", "book: {title: T, language: no}"))
    assert load_script(path).language == "no"
