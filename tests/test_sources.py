"""What a source, a device or an engine can do (issue 35, Trust III): a book held twice,
text that is all notation or punctuation, HTML entities under an EPUB 2 DOCTYPE, devices
and pipes named as files, a huge contents, a `say` longer than an engine takes, and
notes that are read said to be read."""

from __future__ import annotations

import zipfile

import pytest
from test_readers import PROSE_P, _epub
from test_reliability import one_line_error, run

import narrate

OEB_DOCTYPE = ('<!DOCTYPE package PUBLIC "+//ISBN 0-9673008-1-9//DTD OEB 1.2 Package//EN" '
               '"http://openebook.org/dtds/oeb-1.2/oebpkg12.dtd">')
XHTML_DOCTYPE = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
                 '"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">')


def _rewrite(path, name: str, change) -> None:
    """Replace one member of a zip with `change(its text)`."""
    with zipfile.ZipFile(path) as archive:
        data = {n: archive.read(n) for n in archive.namelist()}
    data[name] = change(data[name].decode()).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for member, content in data.items():
            archive.writestr(member, content)


# ---- HTML entities under a DOCTYPE ---------------------------------------------------------------

def _epub2_with_entities(tmp_path, publisher: str, body: str):
    path = _epub(tmp_path, {"a.xhtml": "<?xml version='1.0'?>" + XHTML_DOCTYPE
                            + '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title>'
                            f"</head><body>{body}</body></html>"},
                 opf_extra=f"<dc:publisher>{publisher}</dc:publisher>")
    _rewrite(path, "OEBPS/content.opf",
             lambda opf: opf.replace('<?xml version="1.0"?>', '<?xml version="1.0"?>' + OEB_DOCTYPE))
    return path


@pytest.mark.unit
def test_an_epub2_package_and_part_with_a_doctype_and_html_entities_are_read(tmp_path):
    path = _epub2_with_entities(tmp_path, "Hand&nbsp;&amp;&nbsp;Made &copy; 1907",
                                "<p>Some words&nbsp;of real prose &mdash; enough of them to "
                                "be read aloud as a paragraph.</p>")
    book = narrate.script(path)
    assert book.extra["publisher"] == "Hand & Made © 1907"
    assert "of real prose — enough" in " ".join(s.text for s in book.segments)


@pytest.mark.unit
def test_an_entity_html_does_not_name_is_one_line_naming_it(tmp_path):
    path = _epub2_with_entities(tmp_path, "Hand&madeup;Made", PROSE_P)
    opf = zipfile.ZipFile(path).read("OEBPS/content.opf").decode()
    line = opf[:opf.index("&madeup;")].count("\n") + 1
    one_line_error(run("script", path, "-o", "-"), "content.opf", "&madeup;", f"line {line}:")
