"""A segment cache that several machines share: an fsspec URL, a shared folder (file://)
or an S3 bucket (a real S3 API served by moto on 127.0.0.1). Two "machines" are two local
mirrors: the second renders nothing the first has put in the store, and builds the same
files; an entry damaged in the store is noticed on read and rendered again."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

NARRATE = [sys.executable, "-m", "narrate"]
BOOK = "# Shared\n\nThe first machine renders this paragraph.\n\nAnd this one, a little longer.\n"


def build(source: Path, cache: str, out: Path, mirror: Path, env: dict | None = None):
    return subprocess.run(NARRATE + ["build", str(source), "--cache", cache, "--out", str(out)],
                          env={**(env or os.environ), "NARRATE_CACHE_MIRROR": str(mirror)},
                          capture_output=True, text=True, check=False)


def mp3s(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.glob("*/*.mp3")}


def two_machines(tmp_path: Path, cache: str, env: dict | None = None):
    source = tmp_path / "shared.md"
    source.write_text(BOOK)
    first = build(source, cache, tmp_path / "one", tmp_path / "mirror-one", env)
    assert first.returncode == 0, first.stderr
    assert "segments: 0 rendered" not in first.stdout
    second = build(source, cache, tmp_path / "two", tmp_path / "mirror-two", env)
    assert second.returncode == 0, second.stderr
    assert "segments: 0 rendered" in second.stdout, second.stdout  # all from the store
    assert mp3s(tmp_path / "one") == mp3s(tmp_path / "two") and mp3s(tmp_path / "one")
    return source


@pytest.mark.slow  # a whole build: the full suite runs it, not the quick tier
def test_a_shared_folder_by_url(tmp_path):
    store = tmp_path / "store"
    two_machines(tmp_path, store.as_uri())
    entries = sorted(store.glob("??/*.wav"))
    assert entries and not list(store.glob("??/*.tmp"))  # renamed into place, none left half


@pytest.fixture(scope="module")
def s3():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield {**os.environ, "FSSPEC_S3_ENDPOINT_URL": f"http://{host}:{port}",
           "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}
    server.stop()


@pytest.mark.slow  # a whole build: the full suite runs it, not the quick tier
def test_an_s3_bucket_shared_and_checked_on_read(tmp_path, s3):
    import s3fs

    source = two_machines(tmp_path, "s3://narrate-cache/books", s3)
    store = s3fs.S3FileSystem(endpoint_url=s3["FSSPEC_S3_ENDPOINT_URL"], key="test",
                              secret="test")
    entries = store.glob("narrate-cache/books/*/*.wav")
    assert len(entries) >= 3
    store.pipe(entries[0], b"RIFF, but not a wave at all")  # damaged in the store
    third = build(source, "s3://narrate-cache/books", tmp_path / "three",
                  tmp_path / "mirror-three", s3)
    assert third.returncode == 0, third.stderr
    assert "segments: 1 rendered" in third.stdout, third.stdout
    assert store.cat(entries[0])[:4] == b"RIFF" and len(store.cat(entries[0])) > 1000


def test_an_unreachable_store_is_one_line(tmp_path, s3):
    source = tmp_path / "b.md"
    source.write_text(BOOK)
    env = {**s3, "FSSPEC_S3_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}
    result = build(source, "s3://narrate-cache/x", tmp_path / "out", tmp_path / "m", env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "s3://narrate-cache/x" in lines[0] and "Traceback" not in lines[0]
