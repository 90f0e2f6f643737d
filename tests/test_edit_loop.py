"""The edit loop with the real engine and ffmpeg: rebuild exactly what changed; preview."""

import shutil
import subprocess
import sys
import wave

import pytest

from narrate import build
from narrate.errors import NarrateError
from narrate.outline import diff_books
from narrate.plan import load_book
from narrate.scriptfile import write_script

NARRATE = [sys.executable, "-m", "narrate"]

BOOK = """# One

The first chapter opens here, with a sentence of narration.

It goes on, and a scholar once wrote: “a quotation that is long enough to be spoken in the other voice.”

# Two

The middle chapter has a paragraph that a user will fix, with a typo in it: teh end.

And another paragraph that nobody touches at all.

# Three

The last chapter is short and closes the book.
"""


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("edit")
    (work / "book.md").write_text(BOOK, encoding="utf-8")
    result = build(work / "book.md", cache=work / "cache", out=work / "out",
                   progress=False)
    return work, result


@pytest.fixture
def work(first_build, tmp_path):
    """A private copy of the first build: source, cache and outputs."""
    source, _ = first_build
    for name in ("book.md", "cache", "out"):
        target = tmp_path / name
        (shutil.copytree if (source / name).is_dir() else shutil.copy2)(source / name, target)
    return tmp_path


def rebuild(work, target=None, **kw):
    return build(target or work / "book.md", cache=work / "cache", out=work / "out",
                 progress=False, **kw)


def snapshot(folder):
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.glob("*.mp3")}


def test_no_change_rebuild_does_nothing(work):
    folder = work / "out" / "book"
    before = snapshot(folder)
    result = rebuild(work)
    assert result.render.rendered == [] and result.export.exported == []
    assert snapshot(folder) == before


def test_fixing_a_typo_rerenders_one_segment_and_one_chapter(work):
    folder = work / "out" / "book"
    before = snapshot(folder)
    m4b_before = next(folder.glob("m4b/*.m4b")).stat().st_mtime_ns
    source = work / "book.md"
    source.write_text(source.read_text().replace("teh end", "the end"))
    result = rebuild(work)
    assert result.render.rendered == ["02.001.1"]
    assert result.export.exported == ["02"] and result.export.unchanged == ["01", "03"]
    after = snapshot(folder)
    for name in ("01 - One.mp3", "03 - Three.mp3"):
        assert after[name] == before[name]  # same bytes, same modification time
    assert after["02 - Two.mp3"] != before["02 - Two.mp3"]
    m4b = next(folder.glob("m4b/*.m4b"))
    assert m4b.stat().st_mtime_ns != m4b_before
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "csv=p=0",
                            str(m4b)], capture_output=True, text=True, check=False).stdout
    assert probe.count("\n") == 3


def test_inserting_a_paragraph_shifts_nothing_else(work):
    source = work / "book.md"
    source.write_text(source.read_text().replace(
        "# One\n\n", "# One\n\nA brand new paragraph at the top of the first chapter.\n\n"))
    result = rebuild(work)
    assert result.render.rendered == ["01.001.1"]
    assert result.export.exported == ["01"]


def test_editing_the_script_yaml_rerenders_that_segment(work):
    book = load_book(work / "book.md")
    script = work / "book.script.yaml"
    book.chapters[2].sections[0].segments[0].say = "The final chapter is brief."
    write_script(book, script)
    result = rebuild(work, script)
    assert result.render.rendered == ["03.001.1"]
    assert result.export.exported == ["03"]


def test_only_forces_a_new_take_of_a_section_and_its_chapter(work):
    result = rebuild(work, only="02.002")
    assert result.render.rendered == ["02.002.1"]
    assert result.export.exported == ["02"]


def test_only_role_rerenders_every_segment_of_a_role(work):
    book = load_book(work / "book.md")
    quotes = [s.id for s in book.segments if s.role == "quote"]
    result = rebuild(work, only="role:quote")
    assert sorted(result.render.rendered) == quotes == ["01.002.2"]
    assert result.export.exported == ["01"]


def test_only_with_an_unknown_id_lists_the_nearest(work):
    with pytest.raises(NarrateError, match=r"only='02\.009': no chapter, section or segment.*'02"
                       ) as raised:
        rebuild(work, only="02.009")
    assert raised.value.message("cli").startswith("--only 02.009: no chapter")
    with pytest.raises(NarrateError, match="no segment has the role 'qoute'; did you mean 'quote'"):
        rebuild(work, only="role:qoute")


def test_dry_run_plans_and_changes_nothing(work):
    folder = work / "out" / "book"
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    cached = sorted((work / "cache").rglob("*.wav"))
    source = work / "book.md"
    source.write_text(source.read_text().replace("teh end", "the end"))
    result = subprocess.run(NARRATE + ["build", str(source), "--dry-run", "--cache",
                                       str(work / "cache"), "--out", str(work / "out")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "would render 1 segment," in result.stdout
    assert "would render 02.001" in result.stdout and "would export chapter 02  Two" in result.stdout
    assert "would keep 2 chapters unchanged (01, 03)" in result.stdout
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
    assert sorted((work / "cache").rglob("*.wav")) == cached  # nothing rendered
    assert rebuild(work).render.rendered == ["02.001.1"]


def test_build_summary_names_changed_sections(work):
    source = work / "book.md"
    source.write_text(source.read_text().replace("teh end", "the end"))
    result = subprocess.run(NARRATE + ["build", str(source), "--cache", str(work / "cache"),
                                       "--out", str(work / "out")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "segments: 1 rendered," in result.stdout
    assert "chapters: 1 re-exported, 2 unchanged" in result.stdout
    assert "rendered 02.001  The middle chapter has a paragraph that a" in result.stdout


def test_diff_lists_changed_and_inserted_sections(work, tmp_path):
    old = load_book(work / "book.md")
    text = BOOK.replace("teh end", "the end").replace(
        "# Three\n\n", "# Three\n\nAn inserted paragraph.\n\n")
    (tmp_path / "new.md").write_text(text)
    changes = diff_books(old, load_book(tmp_path / "new.md"))
    assert [(c.kind, c.old_id, c.new_id) for c in changes] == [
        ("changed", "02.001", "02.001"), ("inserted", None, "03.001")]
    result = subprocess.run(NARRATE + ["diff", str(work / "book.md"), str(tmp_path / "new.md")],
                            capture_output=True, text=True, check=False)
    assert "1 changed, 1 inserted, 0 deleted" in result.stdout


def _wav(path):
    with wave.open(str(path)) as handle:
        return handle.getframerate(), handle.getnframes()


def preview_section(work, out):
    return subprocess.run(NARRATE + ["preview", str(work / "book.md"), "01.002", "--out", str(out),
                                     "--cache", str(work / "cache")], capture_output=True, text=True, check=False)


def test_preview_writes_the_right_audio_without_a_device(work):
    out = work / "preview.wav"
    result = preview_section(work, out)
    assert result.returncode == 0, result.stderr
    assert "01.002.1 [narrator]" in result.stdout and "01.002.2 [quote]" in result.stdout
    assert f"to {out}" in result.stdout
    rate, frames = _wav(out)
    # the same clips, pauses and levelling as the chapter in the build
    manifest = __import__("json").loads((work / "out" / "book" / "manifest.json").read_text())
    cues = [c for c in manifest["chapters"][0]["cues"] if c["section"] == "01.002"]
    expected = cues[-1]["end"] - cues[0]["start"] + rate * 300 // 1000
    assert abs(frames - expected) < 9216  # the chapter is padded to whole piece frames
    import numpy as np

    from narrate.measure import rms_db
    with wave.open(str(out)) as handle:
        pcm = np.frombuffer(handle.readframes(frames), np.int16)
    assert -21.5 < rms_db(pcm) < -18.5


def test_preview_to_an_mp3_file(work):
    out = work / "preview.mp3"
    result = preview_section(work, out)
    assert result.returncode == 0, result.stderr
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name:format=duration",
                            "-of", "csv=p=0", str(out)], capture_output=True, text=True, check=True)
    codec, seconds = probe.stdout.split()
    assert codec == "mp3" and float(seconds) > 2


def test_preview_text_in_a_role_voice_warms_the_cache(tmp_path):
    out = tmp_path / "p.wav"
    cache = tmp_path / "cache"
    for _ in range(2):
        result = subprocess.run(NARRATE + ["preview", "--text", "Any words at all, said once.",
                                           "--role", "quote", "--out", str(out), "--cache",
                                           str(cache)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
    assert len(list(cache.rglob("*.wav"))) == 1
    assert _wav(out)[1] > 22050


def test_preview_with_no_device_says_where_it_wrote(work, monkeypatch):
    from narrate import audition as preview_module
    monkeypatch.setattr(preview_module, "has_audio_device", lambda: False)
    from click.testing import CliRunner

    from narrate.cli import cli
    result = CliRunner().invoke(cli, ["preview", str(work / "book.md"), "03", "--cache",
                                      str(work / "cache")])
    assert result.exit_code == 0, result.output
    assert "no audio device found; wrote" in result.output


def test_audition_speaks_every_role(tmp_path):
    out = tmp_path / "cast.wav"
    result = subprocess.run(NARRATE + ["voices", "--audition", "--out", str(out)],
                            capture_output=True, text=True, env={**__import__("os").environ,
                                                                 "NARRATE_CACHE": str(tmp_path)}, check=False)
    assert result.returncode == 0, result.stderr
    assert "[narrator]" in result.stdout and "[quote]" in result.stdout
    assert _wav(out)[1] > 22050 * 5


def test_preview_prints_what_is_spoken_and_writes_a_file_of_its_own(work, monkeypatch):
    from click.testing import CliRunner

    from narrate import audition as preview_module
    from narrate.cli import cli
    monkeypatch.setattr(preview_module, "has_audio_device", lambda: False)
    args = ["preview", str(work / "book.md"), "01.002", "--cache", str(work / "cache")]
    first, second = CliRunner().invoke(cli, args), CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    said = [line for line in first.output.splitlines() if line.startswith("01.002.")]
    book = load_book(work / "book.md")
    segments = {s.id: s for s in book.segments}
    assert said == [f"{i} [{segments[i].role}] {segments[i].say}" for i in
                    ("01.002.1", "01.002.2", "01.002.3") if i in segments][:len(said)]
    where = [line.rsplit(" to ", 1)[1] for line in (first.output, second.output)]
    assert where[0] != where[1]  # two previews never share a file
    late = CliRunner().invoke(cli, ["preview", str(work / "book.md"), "01.002", "--seconds", "5"])
    assert late.exit_code == 2 and "--seconds 5.0: goes with --from" in late.output


def test_preview_of_a_source_speaks_the_edits_its_build_keeps(work, monkeypatch):
    # README's loop: edit output/<book>/script.yaml, then `narrate preview SOURCE ID` —
    # which spoke the source as read, not the edit a build of that source keeps
    from click.testing import CliRunner

    from narrate import audition as preview_module
    from narrate.cli import cli
    monkeypatch.setattr(preview_module, "has_audio_device", lambda: False)
    (work / "out").rename(work / "output")  # where a build goes by default
    monkeypatch.chdir(work)
    script = work / "output" / "book" / "script.yaml"
    text = script.read_text(encoding="utf-8")
    assert "say: 'The middle chapter" in text
    script.write_text(text.replace("say: 'The middle chapter", "say: 'The fixed middle chapter"),
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["preview", "book.md", "02.001", "--cache",
                                      str(work / "cache")])
    assert result.exit_code == 0, result.output
    assert "02.001.1 [narrator] The fixed middle chapter" in result.output
