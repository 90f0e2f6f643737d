"""The values a build passes from stage to stage, each made once and changed by nobody:
what the build was asked (`BuildOptions`: one name per option, the library's keyword and
the command line's flag alike), what planning decided (`BookPlan`), and what a dry run
says it would do (`BuildPlan`).

This module imports nothing else from narrate at run time (the types it names are for
the type checker only), so any stage may take these values without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from narrate.model import Book
    from narrate.render.engines.base import VoiceProfile
    from narrate.render.items import RenderItem
    from narrate.stitch.records import BookInfo, ChapterPlan
    from narrate.stitch.timeline import Mastering

OUTPUT_DIR = Path("output")


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build is asked, resolved once. The names are the library's keywords
    and, with `-` for `_`, the command line's flags: `out` is `--out`, `cache` `--cache`,
    `markers` `--markers`."""
    out: Path | str = OUTPUT_DIR  # books go into out/<book>/
    voices: str | Path | None = None  # a cast's name or folder; None: the book's, the default
    cache: str | Path | None = None  # the segment cache's folder or URL
    jobs: int | None = None  # workers; None: one per core
    mastering: Mastering | None = None
    credits: bool | None = None  # None: as the book's metadata says (spoken by default)
    markers: int = 1  # sections per chapter marker
    only: str | None = None  # an id, or role:ROLE, rendered and exported again
    dry_run: bool = False
    verify: int = 0  # judge new takes, and take a failing one again up to this many times
    progress: bool | None = None  # None, True: a bar on a terminal, lines elsewhere
    readalong: bool = False
    formats: str | tuple[str, ...] = "mp3,m4b"  # output formats, parsed by the build
    prefer: str | None = None  # "script" or "source": settles an edit whose source changed
    executor: str = "local"  # or "ray"
    address: str | None = None  # a Ray cluster's
    meta: str | Path | None = None  # the metadata YAML; None: the one beside the source
    lexicon: str | Path | None = None  # the pronunciation lexicon; None: the metadata's


DEFAULT_OPTIONS = BuildOptions()


@dataclass(frozen=True)
class BookPlan:
    """A book planned for a build, made once by `narrate.plan.plan_book`: the book as it is
    built (its reader credited), its cast, the lines to render under their cache keys, and
    its chapters' clips and keys. The renderer and the export take it as it is."""
    book: Book
    profiles: dict[str, VoiceProfile]
    items: list[RenderItem]
    keys: dict[str, str]  # item id -> audio key
    info: BookInfo
    chapters: list[ChapterPlan]
    folder: Path
    mastering: Mastering
    forced: frozenset[str] = frozenset()  # items to render again (`only`)
    forced_chapters: frozenset[str] = frozenset()
    lexicons: dict[str, str] = field(default_factory=dict)  # layer -> file read (resolved)


@dataclass(frozen=True)
class BuildPlan:
    """What a build will do: which segments it synthesises and which chapters it exports."""
    render: list[str]
    reuse: list[str]
    export: list[str]
    keep: list[str]
