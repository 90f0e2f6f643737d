"""Passages in another language (issue 42): HTML and EPUB mark them (`lang`, `xml:lang`);
their segments carry `language:` in the script and are read by a voice that speaks it."""

import json

import pytest
from test_readers import _epub

import narrate
from narrate.convert import convert_document
from narrate.plan import book_profiles
from narrate.read.html import read_html
from narrate.render import book_items, item_keys
from narrate.scriptfile import load_script, to_yaml

# Jane Austen, Pride and Prejudice (1813), chapter I; Jules Verne, Le tour du monde en
# quatre-vingts jours (1873), chapter I: both from Project Gutenberg (public domain)
ENGLISH = ("It is a truth universally acknowledged, that a single man in possession of a good "
           "fortune, must be in want of a wife.")
FRENCH = ("En l'année 1872, la maison portant le numéro 7 de Saville-row, Burlington Gardens, "
          "était habitée par Phileas Fogg, esq., l'un des membres les plus singuliers et les "
          "plus remarqués du Reform-Club de Londres.")
PAGE = f"""<html lang="en"><head><meta charset="utf-8"><title>A Book</title></head><body>
<h1>One</h1><p>{ENGLISH}</p>
<blockquote xml:lang="fr"><p>{FRENCH}</p></blockquote>
<p><i lang="fr">{FRENCH}</i></p>
<p>{ENGLISH} As the French say, <i lang="fr">c'est la vie</i>, and so on.</p>
<p lang="en-GB">{ENGLISH}</p>
</body></html>"""


def _book():
    return convert_document(read_html(PAGE.encode(), "book.html"))[0]


@pytest.mark.unit
def test_marked_passages_become_segments_in_their_language():
    book = _book()
    languages = [(s.role, s.language) for s in book.segments]
    assert languages == [("narrator", ""), ("quote", "fr"), ("narrator", "fr"),
                         ("narrator", ""), ("narrator", "")]  # one foreign phrase: the lexicon's
    french = book.segments[1]
    assert "1872" in french.say and "eighteen" not in french.say  # its numbers are its own


@pytest.mark.unit
def test_a_segments_language_is_written_only_when_it_differs_and_read_back(tmp_path):
    book = _book()
    text = to_yaml(book)
    assert text.count("language: fr") == 2 and "language: en" not in text.split("book:")[1] \
        .split("chapters:")[1]
    path = tmp_path / "script.yaml"
    path.write_text(text, encoding="utf-8")
    again = load_script(path)
    assert [s.language for s in again.segments] == [s.language for s in book.segments]
    path.write_text(text.replace("language: fr", "language: de", 1), encoding="utf-8")
    assert load_script(path).segments[1].language == "de"  # an edit like any field
    path.write_text(text.replace("language: fr", "language: Klingon!", 1), encoding="utf-8")
    with pytest.raises(narrate.NarrateError, match="`language` 'Klingon!' is not a language"):
        load_script(path)


@pytest.mark.unit
@pytest.mark.parametrize("cast", ["espeak", "natural"])
def test_a_passage_is_read_by_its_roles_voice_for_its_language_under_its_own_key(cast):
    book = _book()
    warnings: list = []
    profiles = book_profiles(book, cast, warnings)
    assert profiles["quote:fr"].voice == "roa/fr+f2" and profiles["narrator:fr"].voice == "roa/fr"
    assert warnings == ["2 segments in French (fr): read by roa/fr, roa/fr+f2"]
    items = book_items(book)
    keys = item_keys(items, profiles)
    english = [i for i in items if not i.language]
    french = [i for i in items if i.language]
    assert {i.voice for i in french} == {"quote:fr", "narrator:fr"}
    # the same words in the book's own voice are another line in the cache
    as_english = item_keys([type(i)(i.id, i.say, i.role, i.text) for i in french], profiles)
    assert all(keys[i.id] != as_english[i.id] for i in french)
    same = [keys[i.id] for i in english if i.say == ENGLISH]
    assert len(same) == 2 and len(set(same)) == 1  # the same words, the same voice: one line


@pytest.mark.e2e
def test_an_epub_with_french_passages_speaks_them_in_french(tmp_path):
    path = _epub(tmp_path, {"one.xhtml": f"<h1>One</h1><p>{ENGLISH}</p>"
                            f'<blockquote xml:lang="fr"><p>{FRENCH}</p></blockquote>'
                            f"<p>{ENGLISH}</p>"})
    warnings: list = []
    result = narrate.build(path, out=tmp_path / "out", cache=tmp_path / "c", warnings=warnings)
    assert "1 segment in French (fr): read by roa/fr+f2" in warnings
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert manifest["voices"]["quote:fr"]["voice"] == "roa/fr+f2"
    french = [i for i, s in manifest["spoken"].items() if s["role"] == "quote:fr"]
    assert len(french) == 1 and "language: fr" in (result.folder / "script.yaml").read_text()
    report = narrate.check(result.folder)
    assert report.passed, report.summary()


@pytest.mark.unit
def test_a_paragraph_marked_since_the_last_conversion_is_said_by_its_languages_rules():
    from narrate.convert import ConvertOptions

    unmarked = PAGE.replace('xml:lang="fr"', "").replace(f'<i lang="fr">{FRENCH}', f"<i>{FRENCH}")
    options = ConvertOptions()
    english = convert_document(read_html(unmarked.encode(), "book.html"), options)[0]
    assert [s.language for s in english.segments] == [""] * 5
    assert "eighteen seventy-two" in english.segments[1].say  # read as English, kept
    options.said.known, options.said.used = options.said.used, {}
    marked = convert_document(read_html(PAGE.encode(), "book.html"), options)[0]
    assert marked.segments[1].language == "fr" and "1872" in marked.segments[1].say
