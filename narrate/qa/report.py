"""What a check found, and how it is written: check.json and a one-screen summary."""

from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass, field
from pathlib import Path

from narrate.manifest import Manifest
from narrate.names import legacy_slug, slug
from narrate.outline import clock


@dataclass(frozen=True)
class Finding:
    level: str  # "fail" or "warn"
    where: str  # file, and the place in it
    what: str
    fix: str = ""


@dataclass
class CheckReport:
    folder: str
    profile: str
    files: list[dict] = field(default_factory=list)  # measurements per output file
    findings: list[Finding] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)  # per-segment measures (and ASR)
    asr: dict = field(default_factory=dict)  # summary per role when --asr ran
    seconds: float = 0.0

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "fail"]

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_json(self) -> dict:
        return {"folder": self.folder, "profile": self.profile, "passed": self.passed,
                "seconds": round(self.seconds, 2), "files": self.files,
                "findings": [asdict(f) for f in self.findings], "asr": self.asr,
                "segments": self.segments}

    def summary(self, limit: int = 12) -> list[str]:
        lines = [(f"{'file':44} {'RMS':>6} {'speech':>6} {'peak':>6} {'floor':>6} {'head':>5} "
                 f"{'tail':>5} {'rate':>6} {'kbit/s':>7} {'length':>8}")]
        for f in self.files:
            lines.append(f"{f['file'][:44]:44} {f['rms_db']:6.1f} {f['speech_rms_db']:6.1f} "
                         f"{f['peak_db']:6.1f} "
                         f"{f['noise_floor_db']:6.0f} {f['head_s']:5.2f} {f['tail_s']:5.2f} "
                         f"{f['sample_rate']:6d} {f.get('kbps') or '-':>7} "
                         f"{clock(f['seconds']):>8}")
        for role, stats in sorted(self.asr.items()):
            lines.append(f"ASR {role}: {stats['segments']} segments, median WER "
                         f"{stats['median_wer']:.1%}, p95 {stats['p95_wer']:.1%}, "
                         f"{stats['above_threshold']} above {stats['threshold']:.0%}")
        groups = grouped(self.findings)
        for finding, places in groups[:limit]:
            lines.append(f"{finding.level.upper():4} {places}: {finding.what}"
                         + (f" — {finding.fix}" if finding.fix else ""))
        if len(groups) > limit:
            lines.append(f"... and {len(groups) - limit} more in check.json")
        count = len(self.failures)
        verdict = "PASSED" if self.passed else \
            f"FAILED ({count} problem{'s' if count > 1 else ''})"
        lines.append(f"check ({self.profile} profile): {verdict} in {self.seconds:.1f} s")
        return [*lines, f"wrote {Path(self.folder, 'check')}/check.json and check.png"]



def grouped(findings: list[Finding], named: int = 3) -> list[tuple[Finding, str]]:
    """Findings that say the same thing of several places, once each, failures first, with
    the places: all of up to `named`, else the first and how many more (check.json lists
    every one)."""
    places: dict[tuple[str, str, str], list[str]] = {}
    for finding in findings:
        places.setdefault((finding.level, finding.what, finding.fix), []).append(finding.where)
    ordered = sorted(places.items(), key=lambda item: item[0][0] != "fail")
    return [(Finding(level, where[0], what, fix), _places(where, named))
            for (level, what, fix), where in ordered]


def _places(where: list[str], named: int) -> str:
    if len(where) <= named:
        return ", ".join(where)
    return f"{where[0]}, {where[1]} and {len(where) - 2} more"


def rebuild_fix(fix: str, folder: Path, manifest: Manifest) -> str:
    """A finding's fix with the real command: the book's source, and where it was built.
    A folder renamed or copied under another name is not where a build writes: the fix
    gives it the name a build gives it, builds, and gives its name back."""
    source = shlex.quote(manifest.source or "SOURCE")
    place = Path(folder).resolve()
    out = "" if place.parent == Path("output").resolve() else \
        f" --out {shlex.quote(str(place.parent))}"
    fix = fix.replace("SOURCE", source + out)
    name = Path(manifest.source).stem if manifest.source else manifest.book
    if "narrate build" not in fix or place.name in (slug(name), legacy_slug(name)):
        return fix
    built = place.parent / slug(name)
    if built.exists():  # taken: the fix cannot make this folder
        return f"{fix} (that builds {built}, not this copy; check it there)"
    there, here = shlex.quote(str(built)), shlex.quote(str(place))
    return fix.replace("narrate build", f"mv {here} {there} && narrate build") + \
        f" && mv {there} {here}"
