"""A PDF made in the test built into an audiobook with the espeak cast, read back with
mutagen and ffprobe; and a hostile PDF on the command line is one line, exit 2."""

import json
import subprocess

import pytest
from click.testing import CliRunner
from mutagen.mp3 import MP3
from pdfmaker import new_pdf, parted_pdf, put_lines, running_heads, save

from narrate import build
from narrate.cli import cli


def two_chapter_pdf(path):
    pdf = new_pdf(title="Two Short Walks", author="Ann Walker")
    for number, title in ((1, "The Hill"), (2, "The Shore")):
        pdf.add_page()
        pdf.start_section(title)
        running_heads(pdf, "A DIARY OF WALKS", number)
        put_lines(pdf, 40, 80, [title], size=16)
        put_lines(pdf, 40, 120, [f"We walked to the {title.lower()[4:]} in the morning and came",
                                 "home before the rain."])
    return save(pdf, path)


@pytest.mark.e2e
def test_a_pdf_builds_into_an_audiobook_of_its_outline_chapters(tmp_path):
    source = two_chapter_pdf(tmp_path / "walks.pdf")
    book = build(source, cache=tmp_path / "cache", out=tmp_path / "out", progress=False)
    mp3s = sorted(p.name for p in book.folder.glob("*.mp3"))
    assert mp3s == ["01 - The Hill.mp3", "02 - The Shore.mp3"]
    for name in mp3s:
        assert MP3(book.folder / name).info.length > 1.0
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-show_format", "-of", "json",
         str(book.export.m4b)], capture_output=True, text=True, check=True).stdout)
    assert [c["tags"]["title"] for c in probe["chapters"]] == ["The Hill", "The Shore"]
    assert probe["format"]["tags"]["artist"] == "Ann Walker"
    script = (book.folder / "script.yaml").read_text(encoding="utf-8")
    assert "DIARY" not in script.upper()
    assert "before the rain" in script


@pytest.mark.unit
def test_a_locked_pdf_on_the_command_line_is_one_line_and_exit_2(tmp_path):
    pdf = new_pdf()
    pdf.add_page()
    put_lines(pdf, 40, 80, ["Words behind a password."])
    pdf.set_encryption(owner_password="o", user_password="u")
    path = save(pdf, tmp_path / "locked.pdf")
    result = CliRunner().invoke(cli, ["script", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "password" in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.e2e
def test_a_part_page_of_only_its_title_is_a_chapter_of_the_audiobook(tmp_path):
    source = parted_pdf(tmp_path / "parts.pdf")
    book = build(source, cache=tmp_path / "cache", out=tmp_path / "out", progress=False)
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(book.export.m4b)],
        capture_output=True, text=True, check=True).stdout)
    titles = [c["tags"]["title"] for c in probe["chapters"]]
    assert titles == ["Hills", "The Ridge", "Shores", "The Bay", "The Cliffs"]
    shores = probe["chapters"][2]
    assert float(shores["end_time"]) - float(shores["start_time"]) > 0.3  # "Shores." is said
