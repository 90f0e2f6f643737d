"""The house: the library as a newcomer meets it. The README's library example runs as a
plain script, every command's help carries a runnable example, a wheel built from the
project works from an empty folder, and no stage imports a later one."""

import ast
import os
import re
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ROOT

# the stages in the order data flows through them; a module may import its own stage
# and earlier ones only
STAGES = [("errors", "model", "problems", "fileio", "faults", "progress", "lock", "memory",
           "processes", "measure", "patterns", "names", "values"),
          ("read",), ("convert", "metadata", "scriptfile", "conflicts", "merge", "edits", "conversions"),
          ("render",), ("stitch",),
          ("outline", "plan", "pipeline", "manifest", "prune"), ("qa", "audition", "batch", "pronounce", "candidates", "fixwords", "studio"),
          ("commandline", "cli", "__init__", "__main__")]
LEVEL = {name: level for level, names in enumerate(STAGES) for name in names}


def _module(path: Path) -> str:
    """A file's dotted module name: narrate/render/__init__.py is narrate.render."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path):
    """(line, narrate module) for every import in the file, those inside functions too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names if a.name.startswith("narrate."))
        elif isinstance(node, ast.ImportFrom) and node.module == "narrate":
            yield from ((node.lineno, f"narrate.{a.name}") for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("narrate."):
            yield node.lineno, node.module


@pytest.mark.unit
def test_no_stage_imports_a_later_one():
    wrong = []
    for path in sorted((ROOT / "narrate").rglob("*.py")):
        module = _module(path)
        mine = _stage(module)
        assert mine in LEVEL, f"{path}: place the new module {mine!r} in STAGES"
        if mine == "values":  # names later stages' types for the type checker only: the
            continue  # test below holds it to importing nothing at run time
        for line, imported in _imports(path):
            theirs = _stage(imported)
            if theirs in LEVEL and LEVEL[theirs] > LEVEL[mine] and imported != "narrate.errors":
                wrong.append(f"{path.relative_to(ROOT)}:{line} ({mine}) imports {imported}")
    assert not wrong, "a stage imports a later one:\n" + "\n".join(wrong)


def _examples() -> dict[str, list[str]]:
    from narrate.cli import cli

    return {name: re.findall(r"Example: (narrate .+)", command.epilog or "")
            for name, command in cli.commands.items()}


@pytest.mark.unit
def test_every_command_help_carries_an_example_that_parses():
    from narrate.cli import cli

    examples = _examples()
    assert set(examples) >= {"build", "check", "script", "preview", "voices", "cache"}
    for name, found in examples.items():
        assert found, f"`narrate {name} --help` has no example"
        for example in found:
            words = shlex.split(example)
            assert words[:2] == ["narrate", name], example
            cli.commands[name].make_context(name, words[2:])  # raises when it does not parse
            for word in words[2:]:
                if word.startswith(("seeds/", "voices/")):
                    assert (ROOT / word).exists(), f"{example}: {word} does not exist"


@pytest.mark.e2e
def test_the_light_examples_run_as_written(tmp_path):
    """The examples that write nowhere but a temporary file run for real, from the root."""
    for name in ("script", "lint", "show"):
        for example in _examples()[name]:
            example = example.replace("/tmp/", f"{tmp_path}/")
            done = subprocess.run([sys.executable, "-m", *shlex.split(example)], cwd=ROOT,
                                  capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{example}: {done.stderr}"


def _library_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Library", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


@pytest.mark.slow
def test_the_readme_library_example_runs_as_a_plain_script(tmp_path):
    """No `if __name__ == "__main__":` guard: the workers must not run the script again
    (they did, and the second run found the book locked by the first)."""
    code = _library_example()
    assert "__main__" not in code and len(code.strip().splitlines()) <= 6
    (tmp_path / "seeds").mkdir()
    for name in ("prophet-essay.txt", "prophet-essay.yaml"):
        (tmp_path / "seeds" / name).write_bytes((ROOT / "seeds" / name).read_bytes())
    (tmp_path / "example.py").write_text("print('script started')\n" + code)
    done = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("script started") == 1
    passed, m4b = done.stdout.splitlines()[-1].split(" ", 1)
    assert passed == "True" and (tmp_path / m4b).is_file()


@pytest.mark.slow
def test_a_wheel_installed_elsewhere_builds_a_book_from_an_empty_folder(tmp_path):
    """The wheel carries the default cast and lexicon: no checkout needed."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(wheels), str(ROOT)], check=True,
                   capture_output=True, cwd=tmp_path)
    [wheel] = wheels.glob("narrate-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel],
                   check=True, capture_output=True)
    # its dependencies from the project's environment, not narrate itself (that environment
    # has narrate only as an editable finder, which a path entry does not load)
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "note.md").write_text("# A Note\n\nAuthor: Nobody\n\n## One\n\nIt was a short "
                                   "note, read aloud.\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run([python, "-c", "import narrate; print(narrate.__file__)"], cwd=empty,
                           capture_output=True, text=True, env=env, check=True).stdout
    assert where.startswith(str(venv))
    done = subprocess.run([venv / "bin" / "narrate", "build", "note.md", "-j", "1"], cwd=empty,
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert list((empty / "output" / "note").glob("*.mp3")) and "valid: )" not in done.stderr


@pytest.mark.e2e
def test_ruff_and_mypy_are_clean():
    """The static checks CI holds the code to (their settings are in pyproject.toml)."""
    bin_dir = Path(sys.executable).parent
    ruff = subprocess.run([bin_dir / "ruff", "check", "narrate", "tests", "scripts/bench.py"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert ruff.returncode == 0, ruff.stdout
    mypy = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert mypy.returncode == 0, mypy.stdout


@pytest.mark.unit
def test_the_commands_page_is_the_clis_own_help():
    """docs/commands.md is generated from --help (scripts/docs.py): it fails when the two
    differ, as sqlite-utils' cog check does."""
    written = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    fresh = subprocess.run([sys.executable, str(ROOT / "scripts" / "docs.py"), "--print"],
                           capture_output=True, text=True, check=True).stdout
    differ = next((f"{a!r} / {b!r}" for a, b in zip(written.splitlines(), fresh.splitlines())
                   if a != b), "")
    assert written == fresh, f"docs/commands.md is out of date ({differ}): run " \
        "`.venv/bin/python scripts/docs.py`"


@pytest.mark.unit
def test_the_readme_is_a_front_page_whose_links_lead_somewhere():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    for link in re.findall(r"\]\(((?:docs/)?[\w./-]+\.(?:md|png))\)", readme):
        assert (ROOT / link).is_file(), f"README links to {link}, which is not there"
    for doc in (ROOT / "docs").glob("*.md"):
        for link in re.findall(r"\]\(([\w./-]+\.md)\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / link).is_file(), f"{doc.name} links to {link}"


def _import_graph() -> dict[str, set[str]]:
    """narrate's modules and the narrate modules each imports (inside functions and
    TYPE_CHECKING blocks too: a cycle hidden there is still a cycle)."""
    modules = {_module(p): p for p in sorted((ROOT / "narrate").rglob("*.py"))}
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("narrate"):
                found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules
                          else node.module for a in node.names}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


@pytest.mark.unit
def test_no_module_imports_itself_round_a_cycle():
    graph = _import_graph()
    for start in graph:  # a walk from each module that comes back to it is a cycle
        seen, todo = set(), list(graph[start])
        while todo:
            module = todo.pop()
            assert module != start, f"{start} imports itself through a cycle"
            if module not in seen:
                seen.add(module)
                todo += graph[module]


@pytest.mark.e2e
def test_every_command_has_its_function_in_the_library(tmp_path):
    """The CLI is a thin layer: what `lint`, `show`, `diff`, `render` (render_book), `voices`
    (and --audition: audition_cast), `cache --prune` and `script` print, a program gets from narrate's own
    functions."""
    import narrate

    source = tmp_path / "note.md"
    source.write_text("# A Note\n\nAuthor: Nobody\n\n## One\n\nIt was a short note, read "
                      "aloud. He said, “This is a quotation of more than eight words, surely.”\n")
    edited = tmp_path / "edited.md"
    edited.write_text(source.read_text().replace("short note", "long note"))
    assert any("author" in line and warning for line, warning in narrate.lint(source))
    shown = narrate.show(source, voices="espeak")
    assert shown.title.startswith("A Note") and "words a minute" in shown.total
    assert [c.kind for c in narrate.diff(source, edited)] == ["changed"]
    assert any(line.startswith("casts") for line in narrate.voices())
    assert narrate.voices("espeak", check=True)
    heard = narrate.audition_cast("espeak", out=tmp_path / "cast.wav", play=False)
    assert [role for role, _ in heard.spoken] == ["narrator", "note", "quote"] and heard.seconds > 1
    cache = tmp_path / "cache"
    report = narrate.render_book(source, voices="espeak", cache=cache, jobs=1)
    assert not report.failed and report.rendered
    deleted, _, kept = narrate.prune([edited], cache=cache, voices="espeak")
    assert deleted >= 1 and kept >= 1  # the changed line's take goes, the others stay
    book, path, written = narrate.write_script(source, tmp_path / "out" / "script.yaml")
    assert written and path.is_file() and book.title == "A Note"
    assert narrate.write_script(source, path)[2] is False  # the same script: left as it is


@pytest.mark.unit
def test_convert_options_given_with_a_book_are_refused_not_dropped(tmp_path):
    import narrate

    book = narrate.Book(title="T", chapters=[])
    with pytest.raises(narrate.NarrateError, match="quote_min_words"):
        narrate.build(book, out=tmp_path, quote_min_words=3, dry_run=True)


MAX_LINES = 320  # about 300: a module longer than this is doing more than one job; split it by job


@pytest.mark.unit
def test_no_module_is_over_the_size_limit():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "narrate").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


@pytest.mark.unit
def test_the_values_passed_between_stages_import_nothing_from_narrate_at_run_time():
    tree = ast.parse((ROOT / "narrate" / "values.py").read_text(encoding="utf-8"))
    for node in tree.body:  # only a TYPE_CHECKING block may name narrate's types
        if isinstance(node, ast.ImportFrom):
            assert not (node.module or "").startswith("narrate"), node.module


@pytest.mark.unit
def test_planning_makes_one_frozen_plan_and_leaves_the_book_it_was_given_alone(tmp_path):
    import dataclasses

    from narrate import Book, BuildOptions, Chapter, Section, Segment
    from narrate.plan import plan_book
    from narrate.render.cache import Cache

    book = Book(title="Plain", author="A. Writer", chapters=[Chapter("01", "One", sections=[
        Section("01.001", [Segment("01.001.001", "narrator", "A line.", "A line.")])])])
    before = dataclasses.asdict(book)
    plan = plan_book(book, Cache(tmp_path / "c"), BuildOptions(out=tmp_path, voices="natural",
                                                               only="01.001"))
    assert dataclasses.asdict(book) == before  # the reader is credited in the plan's copy
    assert plan.book.narrator and not book.narrator
    assert plan.forced == {"01.001.001"} and plan.forced_chapters == {"01"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.folder = tmp_path  # type: ignore[misc]


@pytest.mark.unit
def test_the_architecture_page_names_every_module_in_its_stage():
    """docs/architecture.md's table has a row per stage (numbered as STAGES): each module
    is named in its stage's row, and every file a row names exists."""
    rows = {int(m[1]): m[2] for m in re.finditer(r"^\| (\d) \|(.*)$",
                                                 (ROOT / "docs" / "architecture.md").read_text(),
                                                 re.MULTILINE)}
    assert sorted(rows) == list(range(len(STAGES)))
    files = {p.name for p in (ROOT / "narrate").rglob("*.py")}
    for path in (ROOT / "narrate").rglob("*.py"):
        module = _module(path)
        if path.name != "__init__.py" or module == "narrate":
            assert f"`{path.name}`" in rows[LEVEL[_stage(module)]], \
                f"docs/architecture.md: name {path.relative_to(ROOT)} in stage {_stage(module)}'s row"
    named = set(re.findall(r"`(\w+\.py)`", "".join(rows.values())))
    assert named <= files, f"docs/architecture.md names modules that are gone: {named - files}"
