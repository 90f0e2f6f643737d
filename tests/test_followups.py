"""Trust III, what the other groups found: a prune keeps what a built book plays, the book
folder's lexicon is read by every build, the lexicon a build was given is used again by
the studio and --only, control characters from metadata and lexicons never reach an
engine, every YAML and JSON file narrate reads is capped, and a short book narrate made
passes narrate's own check."""

from __future__ import annotations

import json

from test_reliability import run


def _two_lines(folder):
    source = folder / "b.md"
    source.write_text("# One\n\nThe first chapter.\n\nA second line here.\n")
    (folder / "b.yaml").write_text("title: B\nauthor: A. Writer\n")
    return source


# ---- 1. a prune keeps what the built book plays ------------------------------------------------

def test_a_prune_keeps_the_retakes_and_edits_the_built_book_plays(tmp_path):
    """The prune used to keep the keys of a fresh conversion of the source: it deleted the
    retake (`--only`) and the hand-edited say the book in output/ plays."""
    _two_lines(tmp_path)
    cache = tmp_path / "c"
    assert run("build", "b.md", "--cache", cache, cwd=tmp_path).returncode == 0
    assert run("build", "b.md", "--cache", cache, "--only", "01.001.1",
               cwd=tmp_path).returncode == 0  # its take 2
    script = tmp_path / "output" / "b" / "script.yaml"
    script.write_text(script.read_text().replace("say: A second line here.",
                                                 "say: A second line, said my way."))
    assert run("build", "b.md", "--cache", cache, cwd=tmp_path).returncode == 0
    played = set(json.loads((script.parent / "manifest.json").read_text())["segments"].values())
    assert run("cache", "--prune", "b.md", "--cache", cache, cwd=tmp_path).returncode == 0
    assert played <= {p.stem for p in cache.glob("??/*.wav")}
    dry = run("build", "b.md", "--cache", cache, "--dry-run", cwd=tmp_path)
    assert "would render 0 segments" in dry.stdout, dry.stdout


def test_a_prune_of_a_book_folder_keeps_what_it_plays(tmp_path):
    """A book built with --out is named by its folder (or the source with the same --out)."""
    source = _two_lines(tmp_path)
    cache, out = tmp_path / "c", tmp_path / "elsewhere"
    assert run("build", source, "--cache", cache, "--out", out).returncode == 0
    assert run("build", source, "--cache", cache, "--out", out, "--only", "01.001.1"
               ).returncode == 0
    played = set(json.loads((out / "b" / "manifest.json").read_text())["segments"].values())
    for named in ([out / "b"], [source, "--out", out]):
        pruned = run("cache", "--prune", *named, "--cache", cache)
        assert pruned.returncode == 0, pruned.stderr
        assert played <= {p.stem for p in cache.glob("??/*.wav")}, named
