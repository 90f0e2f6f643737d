"""A book's own pronunciation hints: an EPUB 3's PLS lexicons and `ssml:ph` attributes
are lexicon entries of that book (IPA in hibari's phonemes), shown by `narrate words
--entries` with where they came from, overridden by a person's lexicon; an entry narrate
cannot use, or a PLS that is not well-formed or declares entities, is a warning naming
it, and skipped."""

import zipfile

import pytest
from test_reliability import run

from narrate.read.hints import epub_hints
from narrate.render.engines.hibari import from_ipa

PLS = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
  alphabet="ipa" xml:lang="en">
  <lexeme><grapheme>Kamenev</grapheme><phoneme>ˈkɑːmɪnjɛf</phoneme></lexeme>
  <lexeme><grapheme>Iskra</grapheme><phoneme alphabet="x-sampa">"iskr@</phoneme></lexeme>
  <lexeme><grapheme>Trotsky</grapheme><alias>Trotskee</alias></lexeme>
  <lexeme><grapheme>Radek</grapheme><phoneme>ˈrɑːdɛk☃</phoneme></lexeme>
</lexicon>"""
BROKEN = "<lexicon><lexeme><grapheme>Lenin</grapheme></lexicon>"
HOSTILE = ('<?xml version="1.0"?><!DOCTYPE lexicon [<!ENTITY a "aaaaaaaaaa">]>'
           "<lexicon><lexeme><grapheme>Lenin&a;</grapheme></lexeme></lexicon>")
BODY = ('<p>His assistants, <span ssml:ph="zɪˈnoʊvjɛf">Zinoviev</span> and Kamenev, '
        'had opposed him in the <span ssml:alphabet="x-sampa" ssml:ph="iskr@">Iskra</span> '
        "days, as the letters of the time show at some length.</p>")


def hinted_epub(tmp_path, lexicons=(("lexicon.pls", PLS),)):
    """A small EPUB 3 with PLS lexicons in its manifest and `ssml:ph` in its text."""
    items = "".join(f'<item id="pls{n}" href="{name}" media-type="application/pls+xml"/>'
                    for n, (name, _) in enumerate(lexicons))
    opf = f"""<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"
    unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">x</dc:identifier><dc:title>Hinted</dc:title>
    <dc:language>en</dc:language></metadata><manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>{items}</manifest>
    <spine><itemref idref="c1"/></spine></package>"""
    head = ('<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:epub="http://www.idpf.org/2007/ops" '
            'xmlns:ssml="http://www.w3.org/2001/10/synthesis"><head><title>t</title>'
            + "".join(f'<link rel="pronunciation" href="{name}" type="application/pls+xml"/>'
                      for name, _ in lexicons) + "</head>")
    path = tmp_path / "hinted.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", """<?xml version="1.0"?><container
        xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0"><rootfiles>
        <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
        </rootfiles></container>""")
        archive.writestr("OEBPS/content.opf", opf)
        archive.writestr("OEBPS/nav.xhtml", head + '<body><nav epub:type="toc"><ol><li>'
                         '<a href="c1.xhtml">One</a></li></ol></nav></body></html>')
        archive.writestr("OEBPS/c1.xhtml", head + f"<body><h1>One</h1>{BODY}</body></html>")
        for name, text in lexicons:
            archive.writestr(f"OEBPS/{name}", text)
    return path


@pytest.mark.unit
def test_pls_lexemes_and_ssml_ph_are_read_and_what_narrate_cannot_use_is_named(tmp_path):
    hints, warnings = epub_hints(hinted_epub(tmp_path))
    said = {h.word: (h.ipa, h.place) for h in hints}
    assert said["Kamenev"] == ("ˈkɑːmɪnjɛf", "hinted.epub: OEBPS/lexicon.pls: line 4")
    assert said["Zinoviev"][0] == "zɪˈnoʊvjɛf" and "OEBPS/c1.xhtml" in said["Zinoviev"][1]
    assert "Iskra" not in said and "Trotsky" not in said
    assert len(warnings) == 3, warnings  # Iskra twice (x-sampa), Trotsky (an alias)
    assert any("lexicon.pls: line 5: the pronunciation of 'Iskra'" in w and "x-sampa" in w
               for w in warnings)
    assert any("c1.xhtml" in w and "'Iskra'" in w for w in warnings)
    assert any("'Trotsky' gives no phonemes" in w for w in warnings)
    assert from_ipa("ˈkɑːmɪnjɛf") == "kˈɑmɪnjɛf"


@pytest.mark.unit
@pytest.mark.parametrize("text, needle", [(BROKEN, "not well-formed"),
                                          (HOSTILE, "declares XML entities")])
def test_a_pls_not_well_formed_or_hostile_is_one_warning_and_the_rest_is_read(
        tmp_path, text, needle):
    hints, warnings = epub_hints(hinted_epub(tmp_path, [("bad.pls", text),
                                                        ("lexicon.pls", PLS)]))
    assert "Kamenev" in {h.word for h in hints}
    bad = [w for w in warnings if "bad.pls" in w]
    assert len(bad) == 1 and needle in bad[0] and "pronunciations are skipped" in bad[0]


@pytest.mark.e2e
def test_the_hints_are_the_books_lexicon_shown_with_their_origin_a_persons_entry_winning(
        tmp_path):
    import narrate
    from narrate.plan import book_profiles, load_book, spoken_with

    source = hinted_epub(tmp_path)
    warnings: list = []
    book = load_book(source, warnings=warnings)
    assert any("'Radek'" in w and "hibari has no phoneme" in w for w in warnings)
    narrator = book_profiles(book, "natural", lexicon=spoken_with(book))["narrator"]
    marked = dict(narrator.phonemes)  # as the engine is given the word: the hint's phonemes
    assert marked["Kamenev"] == "[Kamenev](/kˈɑmɪnjɛf/)"
    assert marked["Zinoviev"] == f"[Zinoviev](/{from_ipa('zɪˈnoʊvjɛf')}/)"

    mine = tmp_path / "mine.yaml"
    mine.write_text("Kamenev: {hibari: kˈɑmənjˌɛf}\n")
    listed = {e.word: e for e in narrate.pronunciations(source, lexicon=mine)}
    assert listed["Zinoviev"].place.startswith("hinted.epub: OEBPS/c1.xhtml: line ")
    assert listed["Kamenev"].place == f"{mine}:1"  # the person's entry wins …
    assert listed["Kamenev"].replaces == "hinted.epub: OEBPS/lexicon.pls: line 4"  # … over it
    result = run("words", "--entries", source)
    assert result.returncode == 0, result.stderr
    assert "hinted.epub: OEBPS/lexicon.pls: line 4" in result.stdout
    spoken = spoken_with(book, mine)
    assert spoken.phonemes["hibari"]["Kamenev"][0] == "kˈɑmənjˌɛf"
