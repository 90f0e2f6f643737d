"""The shortcuts that keep a rebuild fast give exactly what the long way gives: a
conversion kept from the last build, libyaml's emitter, the XML escapes written here
instead of importing xml.sax, a take's sound found from its ends, and the imports a
build with nothing to do never makes."""

import subprocess
import sys
from xml.sax.saxutils import escape, quoteattr

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from narrate import conversions, plan
from narrate.convert.speech import to_say
from narrate.fileio import default_cache_dir
from narrate.scriptfile import END, HEADER, book_to_data, to_yaml
from narrate.stitch.library import xml_attr, xml_text


@pytest.mark.unit
def test_a_conversion_is_kept_and_given_back_while_nothing_it_depends_on_changes(
        short_source, monkeypatch):
    first_warnings: list = []
    first = plan.load_book(short_source, warnings=first_warnings)

    def no_conversion(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(conversions, "convert_document", no_conversion)
    again_warnings: list = []
    again = plan.load_book(short_source, warnings=again_warnings)
    assert again == first and [str(w) for w in again_warnings] == \
        [str(w) for w in first_warnings]
    with pytest.raises(AssertionError, match="converted again"):  # another option
        plan.load_book(short_source, quote_min_words=3)
    short_source.write_text(short_source.read_text() + "\nOne more line.\n")
    with pytest.raises(AssertionError, match="converted again"):  # another text
        plan.load_book(short_source)
    short_source.with_suffix(".yaml").write_text("title: Another Title\n")
    with pytest.raises(AssertionError, match="converted again"):  # other metadata
        plan.load_book(short_source)


@pytest.mark.unit
def test_a_damaged_kept_conversion_is_converted_again(short_source):
    book = plan.load_book(short_source)
    kept = list((default_cache_dir() / "books").glob("*.pickle"))
    assert len(kept) == 1
    kept[0].write_bytes(b"not a pickle")
    assert plan.load_book(short_source) == book


@pytest.mark.unit
def test_libyaml_writes_the_same_script_as_pyyaml(seed_book):
    book, _ = seed_book
    assert to_yaml(book) == HEADER + yaml.safe_dump(book_to_data(book), allow_unicode=True,
                                                    sort_keys=False, width=100) + END + "\n"


@pytest.mark.unit
@given(st.text())
def test_xml_escapes_match_the_standard_librarys(text):
    legal = "".join(ch for ch in text if ch in "\t\n\r" or (" " <= ch <= "\ud7ff")
                    or ("\ue000" <= ch <= "\ufffd") or ch > "\uffff")
    assert xml_text(legal) == escape(legal)
    assert xml_attr(legal) == quoteattr(legal)


@pytest.mark.unit
def test_a_build_with_nothing_to_do_imports_no_numpy_markdown_or_pydub():
    code = ("import sys; import narrate.cli, narrate.pipeline, narrate.plan; "
            "print(sorted(m for m in ('numpy', 'pydub', 'markdown_it', 'num2words', 'lxml') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.unit
def test_the_engine_version_in_every_cache_key_is_read_as_before():
    from importlib.metadata import version

    from narrate.render.engines import espeak

    assert espeak.version().startswith(f"pyttsx3 {version('pyttsx3')}, ")


@pytest.mark.e2e
def test_the_mp3_makeup_is_measured_once_per_ffmpeg_and_kept(monkeypatch):
    from narrate.stitch import encode

    encode.mp3_makeup_db.cache_clear()
    measured = encode.mp3_makeup_db(22050, 64)
    assert 0.1 < measured < 1.5  # LAME plays back a little quieter
    kept = default_cache_dir() / "encoders.json"
    assert kept.exists()

    def no_measuring(rate, kbps):
        raise AssertionError("measured again")

    monkeypatch.setattr(encode, "_measure_makeup_db", no_measuring)
    encode.mp3_makeup_db.cache_clear()
    assert encode.mp3_makeup_db(22050, 64) == measured
    with pytest.raises(AssertionError, match="measured again"):  # another setting
        encode.mp3_makeup_db(44100, 192)
    encode.mp3_makeup_db.cache_clear()


@settings(max_examples=200, deadline=None)
@given(lead=st.integers(0, 20_000), body=st.integers(0, 3000), tail=st.integers(0, 20_000),
       seed=st.integers(0, 2**32 - 1), floor=st.integers(0, 200))
def test_sound_bounds_from_the_ends_are_those_of_the_whole_take(lead, body, tail, seed, floor):
    """sound_bounds looks from both ends in growing blocks (a take's sound is near them):
    the same bounds as finding every loud sample, silent takes and room noise included."""
    import numpy as np

    from narrate.measure import SILENCE_DB, sound_bounds

    rng = np.random.default_rng(seed)
    pcm = rng.integers(-floor, floor + 1, lead + body + tail).astype(np.int16)
    pcm[lead:lead + body] = rng.integers(-30000, 30000, body)
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > 32768 * 10 ** (SILENCE_DB / 20))
    expected = (int(loud[0]), int(loud[-1])) if loud.size else None
    assert sound_bounds(pcm) == expected


@pytest.mark.unit
def test_an_edited_text_speaks_only_its_changed_paragraph_anew(short_source, monkeypatch):
    """The words spoken for each paragraph are kept from the last conversion: after an edit
    only the edited paragraph goes through the speech rules, and the book is the one a
    conversion from nothing makes."""
    from narrate.convert import options

    plan.load_book(short_source)
    text = short_source.read_text()
    paragraphs = text.split("\n\n")
    edited = next(n for n, p in enumerate(paragraphs) if len(p.split()) > 12)
    paragraphs[edited] = paragraphs[edited].replace(" ", " very ", 1)
    short_source.write_text("\n\n".join(paragraphs))
    spoken = []
    monkeypatch.setattr(options, "to_say", lambda text, *args: spoken.append(text) or
                        to_say(text, *args))
    again = plan.load_book(short_source)
    assert len(spoken) == 1 and "very" in spoken[0]
    monkeypatch.undo()
    for kept in (default_cache_dir() / "books").iterdir():
        kept.unlink()
    assert plan.load_book(short_source) == again


@pytest.mark.unit
def test_a_regex_compiled_on_first_use_behaves_as_re_compile_s():
    import re

    from narrate.patterns import regex

    lazy = regex(r"(?P<w>\w+)\.", re.IGNORECASE)
    eager = re.compile(r"(?P<w>\w+)\.", re.IGNORECASE)
    text = "Mr. Smith met Dr. Jones."
    assert lazy.sub(r"<\g<w>>", text) == eager.sub(r"<\g<w>>", text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert lazy.pattern == eager.pattern and lazy.flags == eager.flags
