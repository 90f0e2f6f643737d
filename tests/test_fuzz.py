"""The fuzzer (scripts/fuzz.py) names each outcome rightly: commands that stand in for
narrate end well, refuse in one line or two, raise, crash, hang or take too much memory,
and a fake narrate (fake_narrate.py) reads a hand-edited script faithfully, retypes it,
or drops a line with or without a word. Inputs are the same for the same seed."""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

import pytest
from conftest import wait_until

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import fake_narrate
import fuzz
from fuzzing import edited, lexicons, scriptfile, values
from fuzzing.book import SCRIPT, build_base
from fuzzing.running import GIB, Runner

pytestmark = pytest.mark.unit
FAKE = Path(__file__).with_name("fake_narrate.py")


def python(code: str, timeout: float = 60, memory: int = GIB) -> Runner:
    """A Runner whose 'narrate' is `python -c CODE`."""
    return Runner([sys.executable, "-c", code], dict(os.environ), timeout, memory)


@pytest.mark.parametrize("code, outcome, said", [
    ("pass", "ok", ""),
    ("import sys; sys.exit(1)", "ok", ""),
    (("import sys; print('narrate: warning: odd'); sys.stderr.write('narrate: warning: odd\\n"
      "narrate: error: book.yaml:3: `title` must be text; fix it\\n'); sys.exit(2)"),
     "refused", "book.yaml:3"),
    ("import sys; sys.stderr.write('narrate: error: one\\nnarrate: error: two\\n'); sys.exit(2)",
     "unclear", "2 lines"),
    ("import sys; sys.exit(2)", "unclear", "0 lines"),
    (("import sys; sys.stderr.write('rendering: 3/10 segments, about 4 s left\\n"
      "narrate: error: out of space; free some\\n'); sys.exit(2)"), "refused", "out of space"),
    ("raise ValueError('inside narrate')", "traceback", "ValueError: inside narrate"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", "traceback", "SIGSEGV"),
    ("b = bytearray(INHERITED + (300 << 20)); b[::4096] = b'x' * len(b[::4096])", "memory",
     "GB"),
    ("b = bytearray(3 << 30)", "memory", "MemoryError"),
])
def test_each_outcome_of_a_run_is_named(tmp_path, code, outcome, said):
    # a new process starts with the peak of the one that started it (pytest, large in the
    # whole suite): the run's own allocation and its limit are counted above that
    inherited = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    narrate = python(code.replace("INHERITED", str(inherited)), memory=inherited + (100 << 20))
    verdict = narrate.verdict(narrate("build", "book.txt", cwd=tmp_path))
    assert verdict.outcome == outcome, verdict
    assert said in verdict.detail


def test_a_hang_is_stopped_at_the_limit_with_its_whole_process_group(tmp_path):
    """The command and a child it started both wait for ever: the run ends at the limit,
    named a hang, and the child is gone too."""
    code = ("import subprocess, sys, signal; child = subprocess.Popen([sys.executable, '-c', "
            "'import signal; signal.pause()']); open('child', 'w').write(str(child.pid)); "
            "signal.pause()")
    narrate = python(code, timeout=5)
    run = narrate("build", "book.txt", cwd=tmp_path)
    assert narrate.verdict(run).outcome == "hang"
    status = Path(f"/proc/{(tmp_path / 'child').read_text()}/status")

    def gone() -> bool:  # a zombie is dead: only not yet reaped by init
        try:
            return "State:\tZ" in status.read_text()
        except FileNotFoundError:
            return True

    assert wait_until(gone, 60)  # SIGKILL was sent; dying takes the scheduler a moment


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """(make a Runner for a mode of the fake narrate, the book it built)."""
    def runner(mode: str) -> Runner:  # a generous limit, but for the hang
        return Runner([sys.executable, str(FAKE)], {**os.environ, "FAKE_NARRATE": mode},
                      timeout=1 if mode == "hang" else 60)

    return runner, build_base(runner("faithful"), tmp_path / "base")


def _edit(base, ident: str, value: values.Value) -> edited.Edit:
    script = scriptfile.set_field(base.script, ident, "say", value)
    return edited.Edit(f"say of {ident}: {value.name}", script.encode(), str(SCRIPT), False,
                       {ident: value})


NO = next(v for v in values.RETYPED if v.yaml == "No")
LIST = next(v for v in values.COLLECTIONS if v.name == "a flow list")
TILDE = next(v for v in values.BLANK if v.yaml == "~")


@pytest.mark.parametrize("mode, value, outcome, said", [
    ("faithful", NO, "ok", ""),
    ("retype", NO, "loss", "meant 'No', spoken 'False'"),
    ("faithful", TILDE, "ok", ""),
    ("retype", TILDE, "loss", "meant '~', spoken 'None'"),
    ("faithful", LIST, "refused", "must be text"),
    ("retype", LIST, "loss", "a flow list) is spoken as \"['Then', 'he', 'left']\""),
    ("drop", NO, "loss", "01.001.1 (plain `No` (YAML retypes it)) is not spoken"),
    ("drop-warned", NO, "ok", ""),
    ("traceback", NO, "traceback", "RuntimeError: the fake fails as asked"),
    ("hang", NO, "hang", "past 1 s"),
])
def test_a_hand_edited_say_is_judged_by_what_narrate_would_speak(fake, tmp_path, mode, value,
                                                                  outcome, said):
    runner, base = fake
    verdict = edited.trial(runner(mode), base, _edit(base, "01.001.1", value), tmp_path / "in")
    assert verdict.outcome == outcome, verdict
    assert said in verdict.detail


LTLT = next(v for v in values.RETYPED if v.yaml == "<<")


@pytest.mark.parametrize("mode, outcome", [("faithful", "ok"), ("claim", "loss")])
def test_a_script_kept_as_the_user_wrote_it_is_judged_by_narrate_s_reading(fake, tmp_path,
                                                                           mode, outcome):
    """`say: <<` built from the source: narrate keeps the user's script as they wrote it
    ("unchanged:"), so what it would speak is its reading of that script, written out by
    narrate (`script SCRIPT -o -`); that PyYAML cannot read the user's own `<<` is no loss
    (it was: "narrate wrote a script where YAML cannot read it"). A script narrate says
    it wrote is still held to any YAML reader."""
    runner, base = fake
    edit = _edit(base, "01.001.1", LTLT)
    edit.target = edited.SOURCE
    verdict = edited.trial(runner(mode), base, edit, tmp_path / "in")
    assert verdict.outcome == outcome, verdict
    assert outcome == "ok" or "YAML cannot read it" in verdict.detail


def test_an_input_is_the_same_for_the_same_seed_and_number(fake):
    _, base = fake
    kinds = list(fuzz.KINDS)
    for number in range(30):
        one, two = (fuzz.make_case(7, number, kinds, base) for _ in range(2))
        assert (one.kind, one.label, vars(one.made)) == (two.kind, two.label, vars(two.made))
    assert [fuzz.make_case(7, n, kinds, base).label for n in range(30)] != \
        [fuzz.make_case(8, n, kinds, base).label for n in range(30)]


def test_a_count_budget_runs_that_many_inputs_and_counts_them(capsys):
    """The command itself, on narrate's readers: two inputs, counted by kind and outcome."""
    code = fuzz.main(["--seed", "3", "--count", "2", "--kinds", "reader", "--jobs", "1"])
    printed = capsys.readouterr().out
    assert "fuzz: 2 inputs: " in printed and "  reader: 2 inputs: " in printed, printed
    assert code == (1 if "distinct findings" in printed else 0)


@pytest.mark.parametrize("say, wrong", [
    ("'No'", ""),
    ("No", "the say of 01.001.1 reads as '<bool False>' in YAML, not 'No'"),
    ("<<", "YAML cannot read it"),
])
def test_a_script_narrate_writes_must_read_back_as_typed_in_any_yaml_reader(say, wrong):
    """narrate reads a plain `say: No` as typed; a script it writes so must quote it."""
    script = fake_narrate.SCRIPT.replace("say: Then he left.", f"say: {say}")
    _, heard, found = scriptfile.read_back(script)
    assert heard["01.001.1"] == ("<<" if say == "<<" else "No")
    assert found.startswith(wrong) and bool(found) == bool(wrong), found


def test_the_readers_are_fed_a_pdf_a_word_document_an_odt_and_a_fictionbook_the_same_each_run():
    from fuzzing import sources

    made = sources._pdf_word_and_fb2_seeds()
    assert [suffix for suffix, _ in made] == [".pdf", ".docx", ".odt", ".fb2"]
    assert made == sources._pdf_word_and_fb2_seeds()  # fixed times: the same bytes
    assert {".pdf", ".docx", ".odt", ".fb2"} <= {suffix for suffix, _ in sources.seeds()}


def test_a_run_is_not_charged_the_memory_of_the_process_that_started_it(tmp_path):
    """Linux gives a new process the peak resident size of its parent: after a test suite
    had loaded 140 MB of modules, every stand-in run (10 MB) was judged past a 100 MB limit."""
    ballast = bytearray(160 << 20)
    ballast[::4096] = b"x" * len(ballast[::4096])  # this process's peak, past the limit
    narrate = python("pass", memory=100 << 20)
    verdict = narrate.verdict(narrate("build", "book.txt", cwd=tmp_path))
    assert verdict.outcome == "ok", verdict
    del ballast


@pytest.mark.parametrize("respelling, heard, outcome", [
    ("zorkan", "For zorkan.", "ok"),
    ("zorkan", "For Vienna.", "loss"),
    ("6.02e+23", "For {said}.", "ok"),  # digits are spoken as number words: as narrate reads them
    ("010", "For {said}.", "ok"),
    ("010", "For eight.", "loss"),  # YAML's octal 8
])
def test_a_respelling_with_digits_is_judged_by_the_words_they_are_spoken_as(
        fake, respelling, heard, outcome):
    """`vienna: 6.02e+23` spoken "six. two e+twenty-three" was "not applied": the fuzzer
    looked for the words "6", "02e" and "23", which no line speaks."""
    _, base = fake
    lexicon = lexicons.Lexicon("", [lexicons.Entry(values.Value("vienna", "vienna", "vienna"),
                                                   values.Value("", respelling, respelling))])
    from narrate.convert.speech import to_say

    said = to_say(respelling)  # "six. two e+twenty-three", "zero one zero"
    verdict = lexicons.judge(base, lexicon, {**base.says, "01.001.2": heard.format(said=said)})
    assert verdict.outcome == outcome, verdict
