"""Rendering on a real Ray cluster (narrate[ray]) on loopback: a head node the test starts
with `ray start` and stops, and a local cluster a build starts for itself. Books built
through Ray match the local build from the same cache; a Ray worker killed mid-render
loses nothing."""

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import wait_until

pytestmark = pytest.mark.slow
NARRATE = [sys.executable, "-m", "narrate"]
RAY = str(Path(sys.executable).parent / "ray")
# Ray binds 127.0.0.1 only when told clusters are off (else the machine's own address);
# on loopback alone the test cluster needs no token
LOOPBACK = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "disabled",
            "RAY_USAGE_STATS_ENABLED": "0", "RAY_BACKEND_LOG_LEVEL": "error"}
BOOKS = {
    "rivers.md": "# Rivers\n\n" + " ".join(f"The river number {n} runs north through the hills "
                                           f"to the sea." for n in range(1, 9)) + "\n\n"
    + "\n\n".join(f"Paragraph {n} of the first lecture says a little more." for n in range(12)),
    "hills.txt": "\n\n".join(f"The hill number {n} stands above the town, quiet and green."
                             for n in range(1, 15)),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A head node of two CPUs on 127.0.0.1; stopped (all of it) at the end."""
    port = free_port()
    subprocess.run([RAY, "start", "--head", f"--port={port}", "--num-cpus=2",
                    "--include-dashboard=false", "--disable-usage-stats"], env=LOOPBACK,
                   check=True, capture_output=True)
    yield f"127.0.0.1:{port}"
    subprocess.run([RAY, "stop", "--force"], env=LOOPBACK, check=False, capture_output=True)


def sources(folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    for name, text in BOOKS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in BOOKS]


def files_of(out: Path) -> dict[str, str]:
    """Every chapter MP3 and m4b under out, by name, with the hash of its bytes."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted([*out.glob("*/*.mp3"), *out.glob("*/m4b/*.m4b")])}


def table(stdout: str) -> list[str]:
    """The batch table's lines: Ray's own log lines ("[date I pid] (raylet) ...") can land
    in a driver's output on a busy machine, and are not narrate's."""
    return [line for line in stdout.splitlines() if line and not line.lstrip().startswith("[")]


def rendered(stdout: str) -> dict[str, tuple[int, int]]:
    rows = [line.split() for line in table(stdout)[1:-1]]
    return {row[0]: tuple(map(int, row[3].split("/"))) for row in rows if row[3] != "-"}


def test_two_books_through_ray_match_the_local_build(cluster, tmp_path):
    books = sources(tmp_path / "books")
    (tmp_path / "books" / "broken.epub").write_bytes(b"not a zip")
    cache = tmp_path / "cache"
    through_ray = subprocess.run(
        NARRATE + ["build", str(tmp_path / "books"), "--out", str(tmp_path / "ray"),
                   "--cache", str(cache), "--executor", "ray", "--address", cluster],
        env=LOOPBACK, capture_output=True, text=True, check=False)
    assert through_ray.returncode == 1, through_ray.stderr  # the broken book, reported
    counts = rendered(through_ray.stdout)
    assert "failed:" in table(through_ray.stdout)[1]  # broken.epub sorts first
    assert counts["rivers.md"][0] > 10 and counts["hills.txt"][0] > 10
    local = subprocess.run(NARRATE + ["build", *map(str, books), "--out", str(tmp_path / "here"),
                                      "--cache", str(cache)],
                           capture_output=True, text=True, check=True)
    assert all(made == 0 for made, _ in rendered(local.stdout).values())  # all from Ray's
    made_by_ray, made_here = files_of(tmp_path / "ray"), files_of(tmp_path / "here")
    assert len(made_by_ray) == 4 and made_by_ray == made_here
    for book in ("rivers", "hills"):  # the same audio, sample for sample, in the manifests
        ours, theirs = (json.loads((tmp_path / where / book / "manifest.json").read_text())
                        for where in ("ray", "here"))
        assert ours["segments"] == theirs["segments"]
        assert [c["samples"] for c in ours["chapters"]] == \
            [c["samples"] for c in theirs["chapters"]]


def test_a_ray_worker_killed_mid_render_loses_nothing(tmp_path):
    """The build starts its own local cluster (so the actors inherit the hold); the
    actor that reaches its third segment says its pid and waits; the test kills it.
    Ray starts the actor again and runs its batch again; the build ends as one never
    disturbed would."""
    [book, _] = sources(tmp_path / "books")
    hold, cache = tmp_path / "held", tmp_path / "cache"
    env = {**LOOPBACK, "NARRATE_HOLD_AT": "segment:3", "NARRATE_HOLD_FILE": str(hold)}
    build = subprocess.Popen(NARRATE + ["build", str(book), "--out", str(tmp_path / "ray"),
                                        "--cache", str(cache), "--executor", "ray"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_until(lambda: hold.exists() and hold.read_text().strip().isdigit(), 180,
                      build), build.communicate()
    worker = int(hold.read_text())
    assert worker != build.pid
    os.kill(worker, signal.SIGKILL)
    out, err = build.communicate(timeout=300)
    assert build.returncode == 0, err
    assert "rendered" in out
    undisturbed = subprocess.run(NARRATE + ["build", str(book), "--out", str(tmp_path / "here"),
                                            "--cache", str(cache)],
                                 capture_output=True, text=True, check=True)
    assert "segments: 0 rendered" in undisturbed.stdout  # nothing was lost
    assert files_of(tmp_path / "ray") == files_of(tmp_path / "here")
