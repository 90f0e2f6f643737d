import pytest

from narrate.errors import InputError
from narrate.read.document import BOILERPLATE, PROSE
from narrate.read.files import decode, normalise, read_source
from narrate.read.text import read_text


def test_utf8_with_bom_and_crlf():
    src = decode("\ufeffOne line.\r\nTwo line.\r\n".encode("utf-8"))
    assert src.text == "One line.\nTwo line.\n"
    assert src.encoding == "utf-8-sig"
    assert not src.problems


def test_utf16_with_bom():
    src = decode("Caf\u00e9 au lait.".encode("utf-16"))
    assert src.text == "Caf\u00e9 au lait."


def test_latin1_falls_back_with_a_warning_naming_the_encoding():
    data = "Line one.\nThe caf\u00e9 \u2013 na\u00efve.".encode("cp1252")
    src = decode(data)
    assert src.text == "Line one.\nThe caf\u00e9 \u2013 na\u00efve."
    assert src.encoding == "cp1252"
    [problem] = src.problems
    assert "cp1252" in problem.message and problem.line == 2


@pytest.mark.parametrize("data, words", [
    (b"", "empty"), (b"   \n\n \t ", "empty"),
    (b"ID3\x04\x00\x00\x00\x00", "MP3"), (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
    (bytes(range(256)) * 4, "binary"), (b"!!! ??? ...", "no text to read aloud"),
])
def test_unusable_input_is_a_clear_error(data, words):
    with pytest.raises(InputError, match=words):
        decode(data, "book.txt")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_source(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="folder"):
        read_source(tmp_path)


def test_control_characters_and_lone_surrogates_are_cleaned():
    text, problems = normalise("Bell\x07 here.\x00 And \ud800 there.")
    assert "\x07" not in text and "\x00" not in text and "\ud800" not in text
    assert [p.code for p in problems] == ["control-characters"]


def test_trailing_web_junk_is_not_read():
    document = read_text("A real sentence.\n\nShow more\n")
    assert [(b.kind, b.line) for b in document.blocks] == [("paragraph", 1), (BOILERPLATE, 3)]


def test_gutenberg_header_and_footer_are_dropped():
    raw = ("The Project Gutenberg eBook of X\nLicence blah\n"
           "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\nThe story.\n\n"
           "*** END OF THE PROJECT GUTENBERG EBOOK X ***\nMore licence.\n")
    document = read_text(raw)
    assert [b.text for b in document.blocks if b.kind in PROSE] == ["The story."]
    assert [b.line for b in document.blocks if b.kind in PROSE] == [5]  # lines stay true
    assert {b.kind for b in document.blocks if b.kind not in PROSE} == {BOILERPLATE}
