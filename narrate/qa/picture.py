"""check.png: loudness over time for every chapter, its markers drawn, the
profile's RMS window shaded, so a person sees where a chapter sags, spikes or goes silent."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from narrate.fileio import atomic_path
from narrate.measure import SILENCE_DB, WINDOW
from narrate.qa.mastering import CheckProfile

MAX_ROWS = 24  # chapters drawn; a longer book shows its first ones


def draw(curves: list[tuple[str, np.ndarray, list[float]]], rules: CheckProfile,
         dest: Path) -> Path:
    """curves: (chapter title, dB per WINDOW seconds, marker starts in seconds)."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen
    import matplotlib.pyplot as plt

    rows = curves[:MAX_ROWS] or [("(no chapters)", np.array([-60.0]), [])]
    with warnings.catch_warnings():  # a title in letters the font lacks is drawn as boxes,
        warnings.filterwarnings("ignore", "Glyph .* missing from font")  # not warned of
        _plot(plt, rows, rules, dest)
    return dest


def _plot(plt, rows, rules: CheckProfile, dest: Path) -> None:
    figure, axes = plt.subplots(len(rows), 1, figsize=(12, 1.6 * len(rows) + 0.6), squeeze=False)
    for axis, (title, levels, markers) in zip(axes[:, 0], rows):
        minutes = np.arange(len(levels)) * WINDOW / 60
        axis.axhspan(*rules.rms, color="tab:green", alpha=0.35, linewidth=0)
        axis.axhline(rules.peak, color="tab:red", linewidth=0.6, linestyle=":")
        speech = np.where(levels > SILENCE_DB, levels, np.nan)  # pauses show as gaps
        axis.plot(minutes, speech, linewidth=0.6, color="tab:blue")
        silent = levels <= SILENCE_DB
        axis.fill_between(minutes, -72, -66, where=silent, color="tab:red", linewidth=0,
                          step="mid")
        for start in markers:
            axis.axvline(start / 60, color="tab:gray", linewidth=0.4, alpha=0.6)
        axis.set_ylim(-72, 0)
        axis.set_xlim(0, max(minutes[-1], 0.1))
        axis.set_ylabel("dBFS", fontsize=7)
        axis.set_title(title, fontsize=8, loc="left")
        axis.tick_params(labelsize=7)
    axes[-1, 0].set_xlabel(f"minutes (RMS per {WINDOW:g} s; green: the {rules.name} profile's "
                           "RMS window; dotted red: peak ceiling; grey lines: chapter markers; "
                           "red at the bottom: silence)", fontsize=7)
    figure.tight_layout()
    with atomic_path(dest) as tmp:
        figure.savefig(tmp, dpi=90, format="png")
    plt.close(figure)
