"""ffmpeg: PCM pieces -> MP3 (CBR) and AAC pieces (mp4.py joins those into the m4b).

Every command is an argument list (never a shell), and no text of the book reaches
ffmpeg's command line.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from narrate.errors import NarrateError
from narrate.fileio import (
    MAX_METADATA_BYTES,
    atomic_path,
    atomic_write_text,
    default_cache_dir,
    read_checked,
)
from narrate.measure import np, rms_db
from narrate.stitch import avpieces

INSTALL_FFMPEG = ("install it with `sudo apt-get install ffmpeg` (Debian/Ubuntu) or "
                  "`brew install ffmpeg` (macOS), or run scripts/setup")


def check_ffmpeg() -> None:
    for tool in ("ffmpeg", "ffprobe"):
        if not shutil.which(tool):
            raise NarrateError(f"{tool} is not installed; {INSTALL_FFMPEG}")


_running: set[subprocess.Popen] = set()  # this process's ffmpeg runs, for stop_encoders
_running_lock = threading.Lock()


def _run(args: list[str], what: str, stdin: bytes | None = None) -> None:
    try:
        process = subprocess.Popen(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
                                    "-y", *args], stdin=subprocess.PIPE if stdin else
                                   subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise NarrateError(f"ffmpeg is not installed; {INSTALL_FFMPEG}") from None
    with _running_lock:
        _running.add(process)
    try:
        _, err = process.communicate(stdin)
    finally:
        with _running_lock:
            _running.discard(process)
    if _stopped_by_ctrl_c(process.returncode, err):
        raise KeyboardInterrupt  # the user's Ctrl-C, which reached ffmpeg too: not a failure
    if process.returncode != 0:
        detail = err.decode("utf-8", "replace").strip().splitlines()
        raise NarrateError(f"ffmpeg failed to {what}: {detail[-1] if detail else process.returncode}")


def _stopped_by_ctrl_c(returncode: int, err: bytes) -> bool:
    """A Ctrl-C at a terminal goes to the whole process group, the encoders too. ffmpeg
    then ends with 255 and no error (it caught the signal), or dies of SIGINT (it had not
    set its handler yet); an error of its own says what went wrong."""
    return returncode == -signal.SIGINT or (returncode == 255 and not err.strip())


def stop_encoders() -> None:
    """Ctrl-C: stop this process's ffmpeg runs now (their threads then end at once)."""
    avpieces.stop()
    with _running_lock:
        running = list(_running)
    for process in running:
        process.kill()


def _pcm_input(rate: int) -> list[str]:
    return ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"]


# LAME quality 7 encodes about twice as fast as ffmpeg's default here, which is what
# keeps a one-chapter rebuild quick; on espeak-ng speech at 64 kbit/s it measured a
# higher SNR than the default (24.8 dB against 22.5 dB).
MP3_QUALITY = "7"


# ffmpeg's AAC encoder averages over its target: on narration, 64k came out at 71.8 kbit/s
# and 58k at 66.0 (five minutes of the seed). Asking for 90% lands near the rate asked.
AAC_REQUEST = 0.9


def aac_request(kbps: int) -> int:
    return max(16, round(kbps * AAC_REQUEST))


@functools.cache
def mp3_makeup_db(rate: int, kbps: int) -> float:
    """How much quieter LAME (through ffmpeg) plays audio back, measured once per setting
    on a tone: about 0.45 dB at 64 kbit/s, flat across the band. MP3 pieces are raised by
    it, so that the decoded MP3 and the m4b both land on the levelling target. Kept in the
    user cache for this ffmpeg (its file's size and time): measuring costs a rebuild 0.15 s."""
    binary = shutil.which("ffmpeg") or "ffmpeg"
    try:
        info = Path(binary).resolve().stat()
        key = f"{Path(binary).resolve()}:{info.st_size}:{info.st_mtime_ns}:{MP3_QUALITY}:" \
              f"{rate}:{kbps}"
    except OSError:
        return _measure_makeup_db(rate, kbps)
    kept = default_cache_dir() / "encoders.json"
    try:
        # a few lines narrate writes: never read whole, whatever is there
        known = json.loads(read_checked(kept, "cache file", MAX_METADATA_BYTES))
    except (OSError, ValueError, NarrateError):
        known = {}
    if not isinstance(known, dict) or not isinstance(known.get(key), (int, float)):
        known = known if isinstance(known, dict) else {}
        known[key] = _measure_makeup_db(rate, kbps)
        with contextlib.suppress(OSError):  # a cache it cannot write only costs time
            atomic_write_text(kept, json.dumps(known, indent=1))
    return float(known[key])


def _measure_makeup_db(rate: int, kbps: int) -> float:
    seconds = 2
    t = np.arange(rate * seconds) / rate
    tone = (np.sin(2 * np.pi * 440 * t) * 3277).astype(np.int16)  # -20 dBFS
    with tempfile.TemporaryDirectory(prefix="narrate-lame-") as work:
        dest = Path(work) / "tone.mp3"
        _run([*_pcm_input(rate), *_mp3_args(kbps), "-f", "mp3", str(dest)], "encode a test tone",
             tone.tobytes())
        decoded = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(dest), "-f",
                                  "s16le", "-ac", "1", "-"], capture_output=True, check=False).stdout
    back = np.frombuffer(decoded, np.int16)[rate // 2:rate * 3 // 2]
    if not len(back) or not back.any():
        return 0.0
    return round(rms_db(tone[rate // 2:rate * 3 // 2]) - rms_db(back), 2)


def _mp3_args(kbps: int) -> list[str]:
    return ["-c:a", "libmp3lame", "-b:a", f"{kbps}k", "-compression_level", MP3_QUALITY,
            "-id3v2_version", "0"]


def encode_mp3(pcm: bytes, rate: int, dest: Path, kbps: int = 64) -> Path:
    """PCM -> a standalone CBR MP3 file (a preview)."""
    with atomic_path(dest) as tmp:
        _run([*_pcm_input(rate), "-map_metadata", "-1", *_mp3_args(kbps), "-f", "mp3", str(tmp)],
             f"encode {dest.name}", pcm)
    return dest


@dataclass(frozen=True)
class PieceJob:
    """Samples start..stop of a chapter's PCM file, encoded to `dest`. A start before
    0 is silence; `frames` is how many MP3 frames must come out (checked: the
    chapter's timeline depends on it)."""
    start: int
    stop: int
    dest: Path
    frames: int | None = None


def encode_pieces(pcm_file: Path, rate: int, jobs: list[PieceJob], codec: str, kbps: int) -> None:
    """Encode several pieces of one PCM file, each with its own encoder, so that each file
    stands alone: in this process when PyAV is installed (avpieces.py), else in one ffmpeg
    run. MP3 pieces are bare frames, no ID3 and no Xing header, to be joined."""
    if IN_PROCESS:
        makeup = 10 ** (mp3_makeup_db(rate, kbps) / 20) if codec == "mp3" else 1.0
        options = ({"compression_level": MP3_QUALITY} if codec == "mp3" else
                   {"aac_coder": AAC_CODER})
        bit_rate = 1000 * (kbps if codec == "mp3" else aac_request(kbps))
        avpieces.encode_pieces(pcm_file, jobs, codec, rate, bit_rate, options, makeup)
    else:
        _encode_with_ffmpeg(pcm_file, rate, jobs, codec, kbps)
    for job in jobs:
        made = mp3_frame_count(job.dest.read_bytes()) if job.frames else None
        if made != job.frames:
            raise NarrateError(f"the encoder made {made} MP3 frames for {job.dest.name} where "
                               f"narrate expected {job.frames}; this LAME pads "
                               "differently: please report it with `ffmpeg -version`")


def _encode_with_ffmpeg(pcm_file: Path, rate: int, jobs: list[PieceJob], codec: str,
                        kbps: int) -> None:
    """The pieces in one ffmpeg run: one start-up instead of one per piece."""
    split = "".join(f"[s{n}]" for n in range(len(jobs)))
    graph = [f"[0:a]asplit={len(jobs)}{split}"]
    # read from the first piece's start (every branch of the split sees every sample read:
    # the chapter before the pieces cost a twentieth of the encoders' time)
    skip = max(0, min(job.start for job in jobs))
    for n, job in enumerate(jobs):
        delay = f",adelay=delays={-job.start}S:all=1" if job.start < 0 else ""
        makeup = f",volume={mp3_makeup_db(rate, kbps)}dB" if codec == "mp3" else ""
        graph.append(f"[s{n}]atrim=start_sample={max(job.start, 0) - skip}:end_sample="
                     f"{job.stop - skip}{delay},asetpts=PTS-STARTPTS{makeup}[p{n}]")
    codec_args = (_mp3_args(kbps) + ["-write_xing", "0", "-f", "mp3"] if codec == "mp3" else
                  ["-c:a", "aac", "-aac_coder", AAC_CODER, "-b:a", f"{aac_request(kbps)}k",
                   "-f", "mp4"])
    with contextlib.ExitStack() as stack:
        temps = [stack.enter_context(atomic_path(job.dest)) for job in jobs]
        outputs = [arg for n, tmp in enumerate(temps)
                   for arg in ("-map", f"[p{n}]", "-map_metadata", "-1", *codec_args, str(tmp))]
        _run(["-f", "s16le", "-ar", str(rate), "-ac", "1", "-skip_initial_bytes", str(skip * 2),
              "-i", str(pcm_file),
              "-filter_complex", ";".join(graph), *outputs],
             f"encode {len(jobs)} {codec.upper()} piece(s) of {pcm_file.stem}")


_MP3_KBPS = {1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
             2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]}
_MP3_RATES = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]}


def info_frame(first_frame: bytes, frames: int, audio_bytes: int, skip: int) -> bytes:
    """A LAME "Info" frame for a CBR stream we joined: its frame count and size (so
    players know the exact length and that it is CBR) and the gapless fields.

    A decoder drops `skip` samples at the head (encoder delay + its own 529) and,
    with padding 529, nothing at the tail: what plays is exactly the chapter.
    """
    header = int.from_bytes(first_frame[:4], "big") | 1 << 16  # no CRC
    header &= ~(1 << 9)  # no padding slot
    mpeg1 = (header >> 19) & 3 == 3
    kbps = _MP3_KBPS[1 if mpeg1 else 2][(header >> 12) & 15]
    rate = _MP3_RATES[(header >> 19) & 3][(header >> 10) & 3]
    size = (144 if mpeg1 else 72) * kbps * 1000 // rate
    side_info = (17 if mpeg1 else 9) if (header >> 6) & 3 == 3 else (32 if mpeg1 else 17)
    total = size + audio_bytes
    tag = bytearray(header.to_bytes(4, "big") + bytes(side_info) + b"Info")
    tag += (1 | 2 | 8).to_bytes(4, "big") + frames.to_bytes(4, "big") + total.to_bytes(4, "big")
    tag += (100 - int(MP3_QUALITY) * 10).to_bytes(4, "big")
    tag += b"LAME3.100" + bytes([0x01, 0]) + bytes(8)  # tag revision 0, CBR; no replay gain
    tag += bytes([0, min(kbps, 255)])
    tag += ((skip - 529) << 12 | 529).to_bytes(3, "big") + bytes(4) + total.to_bytes(4, "big")
    tag += bytes(2)  # music CRC: optional, left 0
    tag += _crc16(bytes(tag[:190]) + bytes(max(0, 190 - len(tag)))).to_bytes(2, "big")
    if len(tag) > size:
        raise NarrateError(f"{kbps} kbit/s is too low a bit rate for narrate's MP3 header; "
                           "use --bitrate 48 or more")
    return bytes(tag) + bytes(size - len(tag))


def _crc16(data: bytes) -> int:
    """CRC-16/ARC, the checksum of a LAME tag."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def mp3_frame_count(data: bytes) -> int:
    """Frames in a bare Layer III stream, walked header to header."""
    count = at = 0
    while at + 4 <= len(data):
        header = int.from_bytes(data[at:at + 4], "big")
        version, kbps_index = (header >> 19) & 3, (header >> 12) & 15
        if header >> 21 != 0x7FF or version == 1 or kbps_index in (0, 15):
            raise NarrateError(f"not an MP3 frame at byte {at}")
        kbps = _MP3_KBPS[1 if version == 3 else 2][kbps_index]
        rate = _MP3_RATES[version][(header >> 10) & 3]
        at += (144 if version == 3 else 72) * kbps * 1000 // rate + ((header >> 9) & 1)
        count += 1
    return count


# ffmpeg's "fast" AAC coder runs about 7x faster than its default "twoloop" here, and on
# espeak-ng speech at 64 kbit/s it measured a higher SNR (30 dB against 23 dB).
AAC_CODER = "fast"
# pieces are encoded in this process when PyAV is installed (tests set this to try both)
IN_PROCESS = avpieces.available()


def encoder_settings() -> str:
    """In every piece's name: a change of encoder settings, or of the encoder (PyAV's
    FFmpeg or the ffmpeg program), makes new pieces."""
    where = avpieces.version() if IN_PROCESS else "ffmpeg-program"
    return f"lame-q{MP3_QUALITY}-bare-makeup/aac-{AAC_CODER}-request90/v4/{where}"
