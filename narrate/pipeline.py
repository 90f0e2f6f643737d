"""Orchestration: load or convert a book, and (later stages) render and stitch it."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import unicodedata
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from narrate.convert import ConvertOptions, ReadingPolicy, convert_document, words
from narrate.errors import NarrateError
from narrate.fileio import atomic_write_text
from narrate.lock import book_lock
from narrate.metadata import find_metadata, load_lexicon, load_metadata
from narrate.model import NARRATOR as NARRATOR_ROLE
from narrate.model import Book, Segment
from narrate.problems import WARNING, Problem
from narrate.read import read_document
from narrate.read.cover import save_cover
from narrate.render.profiles import VoiceProfile
from narrate.scriptfile import is_script_file, load_script

if TYPE_CHECKING:
    from narrate.render import RenderReport
    from narrate.render.retake import Judge, RetakeReport
    from narrate.stitch import ExportResult

OUTPUT_DIR = Path("output")
DEFAULT_RATE = VoiceProfile.rate  # words a minute, for a role with no profile


def load_book(target: str | Path, meta: str | Path | None = None,
              lexicon: str | Path | None = None, warnings: list | None = None,
              **options) -> Book:
    """A Book from a script file, or converted from a source text (with its metadata)."""
    target = Path(target)
    warnings = warnings if warnings is not None else []
    if is_script_file(target):
        return load_script(target, warnings)
    meta_path = Path(meta) if meta else find_metadata(target)
    metadata = load_metadata(meta_path) if meta_path else {}
    lexicon_path = lexicon or metadata.get("lexicon")
    chosen = {k: options.pop(k) for k in ("code", "notes", "tables") if k in options}
    policy = ReadingPolicy(**{**(metadata.get("reading") or {}),
                              **{k: v for k, v in chosen.items() if v}})
    convert_options = ConvertOptions(lexicon=load_lexicon(lexicon_path), policy=policy, **options)
    document = read_document(target)
    book, problems = convert_document(document, convert_options, metadata)
    if document.cover and not book.extra.get("cover"):
        cover, found = save_cover(*document.cover)
        problems += found
        if cover:
            book.extra["cover"] = str(cover)
    if not book.author:
        problems.append(Problem("no-author", "the book names no author; add `author: NAME` to "
                                f"{meta_path or target.with_suffix('.yaml')}", WARNING))
    warnings.extend(problems)
    return book


_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com\d|lpt\d)$")  # Windows device names


def slug(text: str) -> str:
    """A folder name safe on every OS that keeps the name's letters (書 and 日本 differ)."""
    name = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text).lower()).strip("-")[:60]
    name = name.strip("-") or "book"
    return f"{name}-book" if _RESERVED.match(name) else name


def book_folder(book: Book, root: str | Path = OUTPUT_DIR) -> Path:
    name = Path(book.source).stem if book.source else book.title
    return Path(root) / slug(name)


def estimate_seconds(segments: list[Segment], profiles: dict | None = None) -> float:
    """How long the segments take to speak, each at its voice profile's rate."""
    def rate(role: str) -> int:
        profile = (profiles or {}).get(role)
        return profile.rate if profile else DEFAULT_RATE

    return sum(len(words(s.say)) * 60.0 / rate(s.voice) for s in segments)


def voices_dir_for(book: Book, voices: str | Path | None) -> str | Path | None:
    """The voices folder asked for wins over the book's metadata `voices:` folder."""
    return voices or book.extra.get("voices")


def book_profiles(book: Book, voices: str | Path | None = None, warnings: list | None = None):
    """The voice profiles for a book: the cast (--voices, the metadata's, the default) in
    the book's language."""
    from narrate.render import cast_for_language
    from narrate.render.profiles import load_profiles

    profiles, found = cast_for_language(load_profiles(voices_dir_for(book, voices)),
                                        book.language)
    if warnings is not None:
        warnings.extend(found)
    return profiles


def render_book(book: Book, voices: str | Path | None = None, cache_dir: str | Path | None = None,
                jobs: int | None = None, progress: bool | None = None):
    """Render every segment of `book` through the cache; returns the RenderReport."""
    from narrate.render import book_items, render_items
    from narrate.render.cache import Cache

    profiles = book_profiles(book, voices)
    return render_items(book_items(book), profiles, Cache(cache_dir), jobs=jobs, progress=progress)


def used_cache_keys(books: list[Book], voices: str | Path | None = None) -> set[str]:
    from narrate.render import book_items, item_keys

    keys: set[str] = set()
    for book in books:
        profiles = book_profiles(book, voices)
        credit_reader(book, profiles, load_lexicon(book.extra.get("lexicon")))
        items = book_items(book) + extra_items(book, credits=True)
        keys |= set(item_keys(items, profiles).values())
    return keys


# ---- the whole job: script -> render -> stitch --------------------------------------------------

MANIFEST = "manifest.json"


@dataclass
class BuildResult:
    book: Book
    folder: Path
    render: RenderReport | None  # None for a dry run
    export: ExportResult | None = None  # None when segments failed, or for a dry run
    plan: BuildPlan | None = None  # for a dry run
    verify: RetakeReport | None = None  # with verify=N
    seconds: float = 0.0  # wall time

    def summary(self) -> list[str]:
        """What the build did (or, dry, would do), for a person; a line that needs the
        reader's action starts with "   ! "."""
        if self.plan:
            return self._plan_summary(self.plan)
        assert self.render is not None
        lines = [(f"segments: {len(self.render.rendered)} rendered, "
                 f"{len(self.render.reused)} reused")] + self.render.memory_summary()
        if self.export is None:
            return lines
        export = self.export
        lines.append(f"chapters: {len(export.exported)} re-exported, {len(export.unchanged)} "
                     "unchanged")
        lines += changed_sections(self.book, self.render.rendered, "rendered")
        for record in export.chapters:
            mark = "*" if record.id in export.exported else " "
            lines.append(f" {mark} {record.stem}.mp3  {clock(record.samples / record.rate)}  "
                         f"{len(record.markers)} markers")
        stem = export.m4b.stem
        lines.append(f"   {export.m4b.name}  {clock(export.seconds)}  {len(export.chapters)} "
                     f"chapters; chapters.json, {stem}.cue, {stem}.m3u8, "
                     f"{len(export.chapters)} .vtt, manifest.json")
        lines.append(f"made {clock(export.seconds)} of audio in {self.seconds:.1f} s -> "
                     f"{export.folder}/")
        return lines + (self._verify_summary(self.verify) if self.verify else [])

    def _plan_summary(self, plan: BuildPlan) -> list[str]:
        titles = {c.id: c.title for c in self.book.chapters}
        return ([(f"would render {len(plan.render)} segments, reuse {len(plan.reuse)} from the "
                 "cache")] + changed_sections(self.book, plan.render, "would render")
                + [f"would export chapter {c}  {titles[c]}" for c in plan.export]
                + [f"would keep {len(plan.keep)} chapters unchanged"
                   + (f" ({', '.join(plan.keep)})" if plan.keep else "")
                   + f"; then re-join the m4b and sidecars in {self.folder}/"])

    @staticmethod
    def _verify_summary(verified: RetakeReport) -> list[str]:
        how = "level, length and speech recognition" if verified.listened else \
            "level and length (install narrate[asr] to listen too)"
        return [(f"verified {verified.checked} new segments by {how}; "
                f"{len(set(verified.retaken))} rendered again; {len(verified.failing)} still "
                "failing")] + [f"   ! {ident}: {problem} — try another voice or wording, then "
                              f"build again with only={ident}"
                              for ident, problem in verified.failing.items()]


def changed_sections(book: Book, segment_ids, verb: str, limit: int = 12) -> list[str]:
    """The sections the segments belong to, with their first words."""
    from narrate.problems import first_words

    sections = {s.id: s for s in book.sections}
    changed = sorted({i.rsplit(".", 1)[0] for i in segment_ids if i.count(".") == 2})
    lines = [f"   {verb} {i}  {first_words(sections[i].text, 8)}" for i in changed[:limit]]
    return lines + ([f"   … and {len(changed) - limit} more sections"]
                    if len(changed) > limit else [])


def clock(seconds: float) -> str:
    """1:02:03, or 2:03 under an hour."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def credit_reader(book: Book, profiles: dict, lexicon) -> None:
    """Credit the narrator's voice as the reader when the metadata names none; credits the
    user has edited in the script are left as they are."""
    from narrate.convert.headings import credit_segments

    if book.narrator or NARRATOR_ROLE not in profiles:
        return
    made = credit_segments(book, lexicon)
    book.narrator = profiles[NARRATOR_ROLE].name
    if not book.credits or [(s.text, s.say) for s in book.credits] == \
            [(s.text, s.say) for s in made]:
        book.credits = credit_segments(book, lexicon)


def extra_items(book: Book, credits: bool):
    """Spoken titles of chapters and, unless turned off, the credits: all from the script."""
    from narrate.render import RenderItem

    lines = (book.credits if credits else []) + [c.announce for c in book.chapters if c.announce]
    return [RenderItem(s.id, s.say, s.voice, s.text) for s in lines if s.say.strip()]


def segment_clips(flat: list[tuple[str, Segment]], paths: dict, profiles: dict,
                  lists: AbstractSet[str] = frozenset(), titles: dict | None = None) -> list:
    """Clips for (section id, segment) pairs in reading order, each with the pause its
    voice profile asks for after it: sentence, change of voice, paragraph, or the shorter
    one between two items of a list (`lists`: the sections that are list items)."""
    from narrate.stitch.timeline import Clip

    titles = titles or {}
    clips = []
    for i, (section_id, segment) in enumerate(flat):
        pauses = profiles[segment.voice].pauses
        following = flat[i + 1] if i + 1 < len(flat) else None
        if following and following[0] != section_id and {section_id, following[0]} <= lists:
            pause = pauses["list_item"]
        elif following is None or following[0] != section_id:
            pause = pauses["paragraph"]
        elif following[1].voice != segment.voice:
            pause = pauses["voice_change"]
        else:
            pause = pauses["sentence"]
        title = titles.get(section_id, "") if i == 0 or flat[i - 1][0] != section_id else ""
        clips.append(Clip(segment.id, paths[segment.id], pause, section_id, segment.text, title))
    return clips


def chapter_clips(book: Book, index: int, paths: dict, profiles: dict, credits: bool) -> list:
    """A chapter's clips: credits (first chapter), spoken title, segments, closing (last)."""
    from narrate.stitch.timeline import Clip

    chapter = book.chapters[index]
    narrator_pauses = profiles[NARRATOR_ROLE].pauses
    clips = []
    lines = {s.id: s for s in book.credits if s.id in paths}
    if credits and index == 0 and "credits" in lines:
        clips.append(Clip("credits", paths["credits"], narrator_pauses["paragraph"] * 2,
                          text=lines["credits"].text))
    if chapter.announce and chapter.announce.id in paths:
        clips.append(Clip(chapter.announce.id, paths[chapter.announce.id],
                          narrator_pauses["paragraph"], text=chapter.title))
    flat = [(section.id, segment) for section in chapter.sections for segment in section.segments
            if segment.id in paths]
    lists = {section.id for section in chapter.sections if section.kind == "list item"}
    titles = {section.id: section.title for section in chapter.sections if section.title}
    clips += segment_clips(flat, paths, profiles, lists, titles)
    if credits and index == len(book.chapters) - 1 and "closing" in lines:
        clips.append(Clip("closing", paths["closing"], 0, text=lines["closing"].text))
    return clips


def chapter_key(clips, keys: dict, mastering, tags: dict, marker_sections: int) -> str:
    from dataclasses import asdict

    data = {"clips": [[keys[c.id], c.pause_after_ms, c.section, c.text, c.title] for c in clips],
            "mastering": asdict(mastering), "tags": tags, "markers": marker_sections}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


def load_manifest(folder: Path) -> dict:
    """The last build's manifest; {} when there is none or it is broken (then everything
    is exported again)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_manifest(folder: Path, data: dict | None = None) -> dict:
    """Its chapters' records by id (from `data` when the manifest is already read)."""
    from narrate.stitch import ChapterRecord

    data = load_manifest(folder) if data is None else data
    try:
        return {c["id"]: ChapterRecord(**c) for c in data.get("chapters", [])}
    except (TypeError, KeyError):
        return {}


@dataclass
class BuildPlan:
    """What a build will do: which segments it synthesises and which chapters it exports."""
    render: list[str]
    reuse: list[str]
    export: list[str]
    keep: list[str]


def resolve_only(book: Book, items: list, only: str) -> tuple[set[str], set[str]]:
    """only=ID|voice:ROLE -> (item ids to re-synthesise, chapter ids to re-export)."""
    from narrate.fileio import nearest

    if only.startswith("voice:"):
        role = only.split(":", 1)[1]
        roles = {i.role for i in items}
        if role not in roles:
            raise NarrateError(f"no segment has the voice {role!r}", hint=nearest(role, roles),
                               option=("only", only))
        titles = {c.announce.id for c in book.chapters if c.announce}
        ids = {i.id for i in items if i.role == role and i.id not in titles
               and i.id not in ("credits", "closing")}
    else:
        ids = {i.id for i in items if i.id == only or i.id.startswith(only + ".")}
        if not ids:
            raise NarrateError("no chapter, section or segment has that id",
                               hint=nearest(only, book.ids, 5), option=("only", only))
    ends = {"credits": book.chapters[0].id, "closing": book.chapters[-1].id} if book.chapters \
        else {}
    chapters = {ends.get(i, i.split(".")[0]) for i in ids}
    return ids, chapters


def build(target: str | Path | Book, voices=None, cache_dir=None, jobs: int | None = None,
          out_root: str | Path = OUTPUT_DIR, mastering=None, credits: bool | None = None,
          marker_sections: int = 1, progress: bool | None = None, warnings: list | None = None,
          only: str | None = None, dry_run: bool = False, meta=None, lexicon=None,
          verify: int = 0, judge: Judge | None = None, **convert) -> BuildResult:
    """Script (when given a source) + render + stitch, into out_root/<book>/.

    Only segments whose audio key is not cached are synthesised, and only chapters
    whose key changed are exported; `only` forces both for one id or voice.
    With `dry_run`, nothing is rendered or written: `result.plan` says what would be.
    With `verify` N and a `judge` (narrate.qa.verify.TakeJudge), new takes are judged
    and failing ones taken again up to N times.
    """
    from dataclasses import asdict

    started = time.perf_counter()
    from narrate.render import Renderer, book_items, item_keys
    from narrate.render.cache import Cache
    from narrate.render.retake import retake_failing
    from narrate.stitch import BookInfo, ChapterPlan, export_book, needs_export
    from narrate.stitch.encode import check_ffmpeg
    from narrate.stitch.timeline import Mastering

    if not dry_run:
        check_ffmpeg()
    book = target if isinstance(target, Book) else \
        load_book(target, meta=meta, lexicon=lexicon, warnings=warnings, **convert)
    mastering = mastering or Mastering()
    credits = book.extra.get("credits", True) if credits is None else credits
    profiles = book_profiles(book, voices, warnings)
    credit_reader(book, profiles, load_lexicon(lexicon or book.extra.get("lexicon")))
    items = book_items(book) + extra_items(book, credits)
    forced, forced_chapters = resolve_only(book, items, only) if only else (set(), set())
    cache = Cache(cache_dir)
    keys = item_keys(items, profiles)
    folder = book_folder(book, out_root)
    info = BookInfo(book.title, book.author, book.narrator, str(book.extra.get("year", "")),
                    str(book.extra.get("genre", "Audiobook")),
                    str(book.extra.get("description", "")), book.extra.get("cover"))
    paths = {item_id: cache.path(key) for item_id, key in keys.items()}
    plans = []
    for index, chapter in enumerate(book.chapters):
        clips = chapter_clips(book, index, paths, profiles, credits)
        tags = {**asdict(info), "cover": _file_hash(info.cover), "title": chapter.title,
                "track": f"{index + 1}/{len(book.chapters)}"}
        plans.append(ChapterPlan(chapter.id, index + 1, chapter.title,
                                 chapter_key(clips, keys, mastering, tags, marker_sections), clips))
    if dry_run:
        from narrate.render.engines import check_engine, check_voice

        previous = read_manifest(folder)
        missing = [i.id for i in items if i.id in forced or not cache.get(keys[i.id])]
        for role in sorted({i.role for i in items if i.id in missing}):
            check_engine(profiles[role].engine)  # a dry run fails where the build would
            check_voice(profiles[role])
        export = [p.id for p in plans if p.id in forced_chapters or needs_export(p, folder, previous)]
        plan = BuildPlan(missing, [i.id for i in items if i.id not in missing], export,
                         [p.id for p in plans if p.id not in export])
        return BuildResult(book, folder, None, plan=plan)
    _claim_folder(folder, book)
    with book_lock(folder):
        with Renderer(profiles, cache, jobs) as renderer:
            report = renderer.render(items, forced, progress, keys)
            checked = None
            if verify and judge and not report.failed:
                checked = retake_failing(renderer, items, report, judge, verify)
        result = BuildResult(book, folder, report, verify=checked)
        if report.failed:
            return result
        last = load_manifest(folder)  # read once, under the lock: as the last build left it
        result.export = export_book(info, plans, folder, mastering, jobs or os.cpu_count() or 1,
                                    marker_sections, read_manifest(folder, last),
                                    force=forced_chapters, progress=progress,
                                    m4b_stamp=last.get("m4b_stamp"))
        manifest = {"narrate_manifest": 1, "book": book.title, "source": book.source,
                    "mastering": asdict(mastering), "segments": keys,
                    "chapters": [asdict(r) for r in result.export.chapters],
                    # what `narrate check` compares the audio with
                    "spoken": {i.id: {"voice": i.role, "say": i.say} for i in items},
                    "voices": {role: {"engine": p.engine, "voice": p.voice, "rate": p.rate}
                               for role, p in profiles.items()},
                    "cache": str(cache.root.resolve()),
                    "tags": {"narrator": info.narrator, "author": info.author,
                             "cover": bool(info.cover)}}
        manifest["script"] = _keep_script(book, folder, book if isinstance(target, Book)
                                          else Path(target), last.get("script"), warnings)
        manifest["m4b_stamp"] = result.export.m4b_stamp
        atomic_write_text(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    result.seconds = time.perf_counter() - started
    return result


def _claim_folder(folder: Path, book: Book) -> None:
    """The book's folder must be a folder, and not another book's."""
    if folder.exists() and not folder.is_dir():
        raise NarrateError(f"{folder}: is a file, not a folder; move it away or build into "
                           "another folder with --out")
    built = load_manifest(folder).get("source")
    # by the file's name, so that a project moved to another place still builds
    if built and book.source and Path(built).name != Path(book.source).name:
        raise NarrateError(f"{folder}: holds another book (built from {built}); build this one "
                           "elsewhere with --out, or remove that folder")


def _keep_script(book: Book, folder: Path, target: Path | Book, written: str | None,
                 warnings: list | None) -> str:
    """Write script.yaml beside the audio when built from a source, unless the user has
    edited the one there (its hash is not the one narrate wrote last). Returns the hash of
    the script in the folder."""
    from narrate.scriptfile import to_yaml

    path = folder / "script.yaml"
    current = path.read_bytes() if path.is_file() else None
    digest = hashlib.sha256(current).hexdigest()[:16] if current is not None else ""
    if not isinstance(target, Book) and is_script_file(target) and \
            Path(target).resolve() == path.resolve():
        return digest  # built from it: it stays as the user left it
    if current is not None and written and digest != written:
        if warnings is not None:
            warnings.append(f"{path}: edited since narrate wrote it, so kept; build it with "
                            f"`narrate build {path}`")
        return written
    text = to_yaml(book).encode("utf-8")
    if text != current:
        atomic_write_text(path, text.decode("utf-8"))
    return hashlib.sha256(text).hexdigest()[:16]


def _file_hash(path) -> str:
    if not path or not Path(path).is_file():
        return ""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


# ---- what changed between two versions of a book -------------------------------------------------

@dataclass
class SectionChange:
    kind: str  # "changed", "inserted" or "deleted"
    old_id: str | None
    new_id: str | None
    words: str


def diff_books(old: Book, new: Book) -> list[SectionChange]:
    """Sections that differ in what is spoken (voice and say), aligned by content, so an
    inserted paragraph shows as one insertion, not as every later section changed."""
    import difflib

    from narrate.problems import first_words

    def signature(section):
        return tuple((s.voice, s.say) for s in section.segments)

    old_sections, new_sections = old.sections, new.sections
    matcher = difflib.SequenceMatcher(None, [signature(s) for s in old_sections],
                                      [signature(s) for s in new_sections], autojunk=False)
    changes = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = max(i2 - i1, j2 - j1)
        for k in range(pairs):
            o = old_sections[i1 + k] if i1 + k < i2 else None
            n = new_sections[j1 + k] if j1 + k < j2 else None
            kind = "changed" if o and n else ("inserted" if n else "deleted")
            shown = n or o
            assert shown is not None  # one side of a difference has a section
            changes.append(SectionChange(kind, o.id if o else None, n.id if n else None,
                                         first_words(shown.text)))
    return changes
