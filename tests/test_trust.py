"""Trust at book scale: nothing a user wrote is overwritten, one book per folder, the
script kept beside the audio, one-line errors for missing tools."""

import json
import subprocess
import sys

import pytest
from test_reliability import one_line_error, run

from narrate import build
from narrate.names import slug


def test_script_never_replaces_a_manuscript_or_metadata(tmp_path):
    source = tmp_path / "book.txt"
    source.write_text("A manuscript of some words.\n")
    meta = tmp_path / "book.yaml"
    meta.write_text("title: Book\nauthor: A. Writer\n")
    for target in (source, meta):
        before = target.read_bytes()
        one_line_error(run("script", source, "-o", target), str(target), "not a narrate script",
                       "--force")
        assert target.read_bytes() == before
    out = tmp_path / "s.yaml"
    assert run("script", source, "-o", out).returncode == 0
    assert run("script", source, "-o", out).returncode == 0  # its own script: replaced
    other = tmp_path / "notes.txt"
    other.write_text("keep me\n")
    assert run("script", source, "-o", other, "--force").returncode == 0
    assert "narrate_script" in other.read_text()


def test_folder_names_keep_their_letters():
    assert slug("書") != slug("日本") and slug("書") == "書"
    assert slug("Ça va – été") == "ça-va-été"
    assert slug("CON") == "con-book" and slug("///") == "book"


def test_a_file_where_the_folder_goes_and_another_books_folder(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("One sentence here.\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a").write_text("I am a file")
    one_line_error(run("build", source, "--out", tmp_path / "out", "--cache", tmp_path / "c"),
                   "is a file, not a folder")
    other = tmp_path / "x" / "b.txt"
    other.parent.mkdir()
    other.write_text("Another book.\n")
    (tmp_path / "out" / "a").unlink()
    (tmp_path / "out" / "a").mkdir()
    (tmp_path / "out" / "a" / "manifest.json").write_text(json.dumps({"source": str(other)}))
    one_line_error(run("build", source, "--out", tmp_path / "out", "--cache", tmp_path / "c"),
                   "holds another book", "b.txt")


def test_check_without_ffprobe_is_one_line(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("One sentence here.\n")
    result = build(source, cache=tmp_path / "c", out=tmp_path / "out", progress=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    env = {"PATH": f"{bin_dir}:/nonexistent"}
    one_line_error(run("check", result.folder, env=env), "ffprobe is not installed",
                   "apt-get install ffmpeg")


def test_the_script_is_kept_beside_the_audio_and_an_edited_one_is_not_replaced(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("The first paragraph is here.\n\nThe second one follows it.\n")
    args = {"cache": tmp_path / "c", "out": tmp_path / "out", "progress": False}
    result = build(source, **args)
    script = result.folder / "script.yaml"
    assert "narrate_script: 1" in script.read_text()
    # what the credits really say: the espeak cast has no name a listener takes for a
    # reader's, so no "Read by" line (it was "Read by eSpeak NG", heard as "EPC and E")
    assert "text: A." in script.read_text() and "Read by" not in script.read_text()
    edited = script.read_text().replace("say: The second one follows it.",
                                        "say: The second one follows, edited.")
    script.write_text(edited)
    again = build(source, **args)  # from the source again: the edit is kept, and heard
    assert script.read_text() == edited and again.render.rendered == ["01.002.1"]
    again = build(script, **args)  # from the edited script: the same book, nothing to render
    assert again.render.rendered == [] and script.read_text() == edited


def test_the_m4b_is_an_audiobook_and_a_renamed_book_leaves_nothing_behind(tmp_path):
    from mutagen.mp4 import MP4

    source = tmp_path / "a.txt"
    source.write_text("Ünïcode names stay. One sentence here.\n")
    (tmp_path / "a.yaml").write_text("title: Première\nauthor: A. Writer\n")
    args = {"cache": tmp_path / "c", "out": tmp_path / "out", "progress": False}
    result = build(source, **args)
    m4b = result.export.m4b
    assert MP4(str(m4b)).tags["stik"] == [2]
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-of", "json", str(m4b)],
                           capture_output=True, text=True, check=True)
    assert json.loads(probe.stdout)["format"]["tags"]["major_brand"].strip() == "M4B"
    assert (result.folder / "Première.m3u8").read_text(encoding="utf-8").startswith("#EXTM3U")
    (tmp_path / "a.yaml").write_text("title: Seconde\nauthor: A. Writer\n")
    build(source, **args)
    names = sorted(p.name for p in [*result.folder.iterdir(), *(result.folder / "m4b").iterdir()]
                   if p.suffix in (".m4b", ".cue", ".m3u", ".m3u8"))
    assert names == ["Seconde.cue", "Seconde.m3u8", "Seconde.m4b"]


def test_split_chapters_are_titled_as_parts_of_their_chapter():
    from narrate.convert import ConvertOptions, convert

    paragraph = " ".join(["word"] * 100) + "."
    text = "\n\n".join([paragraph] * 6) + "\n\n\n" + "\n\n".join([paragraph] * 2)
    book, _ = convert(text, ConvertOptions(max_chapter_minutes=2),
                      meta={"chapters": ["Early Years", "War and Revolution"]})
    assert [(c.title, c.title_source) for c in book.chapters] == [
        ("Early Years", "metadata"), ("Early Years (part 2)", "metadata"),
        ("War and Revolution", "metadata")]
    assert book.chapters[1].announce.say == "Early Years, part two"


def test_metadata_that_does_not_fit_the_book_is_warned_about(tmp_path):
    source = tmp_path / "b.txt"
    source.write_text("One chapter.\n\n\nAnother chapter.\n")
    (tmp_path / "b.yaml").write_text("author: A\nchapters:\n  - One\n  - {name: x}\n  - Three\n")
    result = run("script", source, "-o", tmp_path / "s.yaml")
    assert result.returncode == 0
    assert "`chapters:` entry 2 has no title" in result.stderr
    assert "gives 3 titles for the 2 chapters found; only the first 2 are used" in result.stderr
    (tmp_path / "b.yaml").write_text("author: A\ntitle: X\nauthor: B\n")
    one_line_error(run("script", source, "-o", tmp_path / "s.yaml"), "b.yaml:3",
                   "'author' appears twice (first on line 1)")


def test_a_profile_error_names_the_keys_line(tmp_path):
    voices = tmp_path / "v"
    voices.mkdir()
    (voices / "quote.yaml").write_text("engine: pyttsx3\nvoice: gmw/en-US\nrate: 150\npitch: 150\n")
    one_line_error(run("voices", "--check", "--voices", voices), "quote.yaml:4",
                   "`pitch` 150 is out of range")


def test_a_dry_run_fails_where_the_build_would_and_says_would(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("One sentence here.\n")
    voices = tmp_path / "v"
    voices.mkdir()
    (voices / "narrator.yaml").write_text("engine: nosuchengine\nvoice: x\n")
    dry = run("build", source, "--dry-run", "--voices", voices, "--out", tmp_path / "out",
              "--cache", tmp_path / "c")
    real = run("build", source, "--voices", voices, "--out", tmp_path / "out", "--cache",
               tmp_path / "c")
    assert dry.returncode == real.returncode == 2 and dry.stderr == real.stderr
    fine = run("build", source, "--dry-run", "--out", tmp_path / "out", "--cache", tmp_path / "c")
    assert fine.returncode == 0 and "would render 01.001" in fine.stdout
    assert "   rendered" not in fine.stdout


def test_a_dry_run_checks_the_engines_it_would_use(tmp_path, monkeypatch):
    """As when the neural extras are not installed: the dry run fails as the build would."""
    import pytest

    from narrate.errors import NarrateError
    from narrate.render import engines

    def missing(name, source=""):
        raise NarrateError(f"the {name} engine is not installed; pip install 'narrate[{name}]'")

    monkeypatch.setattr(engines, "check_engine", missing)
    source = tmp_path / "a.txt"
    source.write_text("One sentence here.\n")
    with pytest.raises(NarrateError, match="engine is not installed"):
        build(source, dry_run=True, cache=tmp_path / "c", out=tmp_path / "out")


@pytest.mark.slow  # a whole build: the full suite runs it, not the quick tier
def test_prune_keeps_every_key_the_build_uses(tmp_path):
    """Credits, chapter titles and the closing line too: after a prune, nothing to render."""
    source = tmp_path / "b.md"
    source.write_text("# One\n\nThe first chapter.\n\n# Two\n\nThe second chapter.\n")
    (tmp_path / "b.yaml").write_text("title: B\nauthor: A. Writer\n")
    other = tmp_path / "other.txt"
    other.write_text("Another book entirely.\n")
    cache = tmp_path / "c"
    for book in (source, other):
        assert run("build", book, "--out", tmp_path / "out", "--cache", cache).returncode == 0
    pruned = run("cache", "--prune", source, "--cache", cache)
    assert pruned.returncode == 0 and "pruned" in pruned.stdout
    dry = run("build", source, "--dry-run", "--out", tmp_path / "out", "--cache", cache)
    assert "would render 0 segments" in dry.stdout, dry.stdout
    again = run("build", other, "--dry-run", "--out", tmp_path / "out", "--cache", cache)
    assert "would render 0 segments" not in again.stdout  # the other book's audio went


@pytest.mark.slow  # a whole build: the full suite runs it, not the quick tier
def test_every_fix_the_check_suggests_runs_and_fixes_it(tmp_path):
    """Damage a built book the ways check catches, run each suggested command as printed,
    and check again: it passes."""
    import shlex

    from mutagen.id3 import ID3

    from narrate.qa import check_book

    source = tmp_path / "b.md"
    source.write_text("# One\n\nThe first chapter has a sentence or two in it.\n\n# Two\n\n"
                      "The second chapter has its own sentence too.\n")
    (tmp_path / "b.yaml").write_text("title: B\n")  # no author: a warning
    args = ["--out", tmp_path / "out", "--cache", tmp_path / "c"]
    assert run("build", source, *args).returncode == 0
    folder = tmp_path / "out" / "b"
    tags = ID3(str(folder / "02 - Two.mp3"))
    tags.delall("TALB")
    tags.save(str(folder / "02 - Two.mp3"), v2_version=3)
    (folder / "m4b" / "B.m4b").unlink()
    (folder / "chapters.json").write_text("{}")
    report = check_book(folder, picture=False)
    fixes = {f.fix for f in report.findings}
    assert not report.passed and len(fixes) >= 2
    (tmp_path / "b.yaml").write_text("title: B\nauthor: A. Writer\n")  # what the warning asks
    for fix in fixes:
        command = shlex.split(fix[fix.index("narrate build"):])
        assert command[:3] == ["narrate", "build", str(source)], fix
        result = run(*command[1:], *args)
        assert result.returncode == 0, (fix, result.stderr)
    again = check_book(folder, picture=False)
    assert again.passed and not again.findings, [(f.where, f.what) for f in again.findings]


@pytest.mark.slow  # a whole build: the full suite runs it, not the quick tier
def test_levels_land_on_the_target_as_decoded(tmp_path):
    """Read back with ffmpeg: each chapter MP3 and the m4b within 0.3 dB of -20 dB RMS,
    every peak under the -3 dB ceiling. With the default (natural) cast: espeak-ng's
    hiss above the codecs' low-pass makes its decoded level about 0.4 dB low."""
    from narrate.measure import scan_file
    from narrate.qa.mastering import probe

    source = tmp_path / "b.md"
    source.write_text("# One\n\nThe prophets of old studied their sacred texts, and so did the "
                      "young Russians of the last century.\n\nHe said there was no one else.\n\n"
                      "# Two\n\nIn 1905 the first revolution began in Petersburg, and thirty "
                      "thousand workers went on strike.\n")
    result = build(source, cache=tmp_path / "c", out=tmp_path / "out", progress=False,
                   voices="natural")
    for path in [*sorted(result.folder.glob("*.mp3")), result.export.m4b]:
        rate = int(probe(path)["streams"][0]["sample_rate"])
        measured = scan_file(path, rate).measures()
        assert abs(measured["speech_rms_db"] + 20.0) <= 0.3, (path.name, measured)
        assert measured["peak_db"] <= -3.0, (path.name, measured)
