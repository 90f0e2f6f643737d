"""The CLI: each command through click's runner; errors are one line with exit code 2."""

import json

from click.testing import CliRunner
from conftest import SEED

from narrate.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_script_writes_yaml_and_json(tmp_path):
    result = run("script", SEED, "-o", tmp_path / "s.yaml")
    assert result.exit_code == 0, result.output
    assert "4 chapters" in result.output
    assert (tmp_path / "s.yaml").read_text().count("- id: 0") > 100
    result = run("script", SEED, "--json", "-o", tmp_path / "s.json")
    assert result.exit_code == 0
    assert len(json.loads((tmp_path / "s.json").read_text())) > 200


def test_script_to_stdout():
    result = run("script", SEED, "-o", "-")
    assert result.exit_code == 0
    assert result.output.startswith("# narrate script")


def test_lint_lists_problems_and_exits_zero_on_warnings():
    result = run("lint", SEED)
    assert result.exit_code == 0
    assert "quote opened with “ closed with ’" in result.output
    assert "chapter 2, paragraph 9" in result.output


def test_show_prints_titles_voices_and_durations(tmp_path):
    run("script", SEED, "-o", tmp_path / "s.yaml")
    result = run("show", tmp_path / "s.yaml")
    assert result.exit_code == 0
    assert "01  The Prophets  (~" in result.output
    assert "4 chapters" in result.output and "words a minute: narrator 160" in result.output


def test_bad_input_is_one_line_exit_2(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    png = tmp_path / "picture.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    for path, words in [(empty, "empty"), (png, "PNG"), (tmp_path / "missing.txt", "no such file"),
                        (tmp_path, "folder")]:
        result = run("script", path)
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and words in lines[0] and str(path) in lines[0]
        assert "Traceback" not in result.output


def test_debug_shows_the_traceback(tmp_path):
    result = CliRunner().invoke(cli, ["--debug", "script", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2
    assert "Traceback" in result.output


def test_latin1_source_warns_and_converts(tmp_path):
    source = tmp_path / "old.txt"
    source.write_bytes("Caf\u00e9 society.\n".encode("latin-1"))
    result = run("script", source, "-o", tmp_path / "s.yaml")
    assert result.exit_code == 0
    assert "decoded as cp1252" in result.output


def test_python_m_narrate_works():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "narrate", "--help"], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and "script" in out.stdout


def test_a_reader_that_has_gone_ends_narrate_quietly(tmp_path):
    """`narrate show SRC | head` printed "Broken pipe; check the paths given …" and exited
    2: a closed stdout is no error of the user's. narrate stops as other Unix tools do:
    nothing said, exit 141 (128 + SIGPIPE). The pipe's reading end is closed before
    narrate writes a line, so the first line meets no reader."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run([sys.executable, "-m", "narrate", "show", str(SEED)],
                                stdout=write, stderr=subprocess.PIPE, text=True, check=False,
                                timeout=300)
    finally:
        os.close(write)
    assert result.stderr == "" and result.returncode == 141, result.stderr
