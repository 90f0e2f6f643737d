"""Planning: everything a build decides before it renders or writes anything. Which
book (a source converted, or a script), which voices, which lines are spoken and under
which cache keys, what each chapter holds and whether it changed. The build
(narrate.pipeline), preview (narrate.audition) and `show` all plan here.

The stitch stage (numpy, pydub) is imported only by the functions that plan chapters.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import asdict, replace
from pathlib import Path

from narrate.conversions import converted
from narrate.convert import ConvertOptions, ReadingPolicy
from narrate.convert.headings import credit_segments
from narrate.convert.language import asked_language
from narrate.convert.lexicon import Lexicon, layered
from narrate.edits import load_edited, respelled
from narrate.errors import NarrateError
from narrate.fileio import nearest
from narrate.metadata import (
    find_metadata,
    in_metadata_file,
    lexicon_files,
    load_metadata,
    read_lexicon,
    warn_of_cleaned,
)
from narrate.model import MAX_TAKE, Book
from narrate.model import NARRATOR as NARRATOR_ROLE
from narrate.names import legacy_slug, slug
from narrate.outline import DEFAULT_RATE
from narrate.problems import WARNING, Problem
from narrate.render import RenderItem, book_items, item_keys, sayable_line
from narrate.render.cast import cast_for_language, passage_cast, with_phonemes
from narrate.render.hints import hinted_lexicon
from narrate.render.items import line_item
from narrate.render.profiles import load_profiles
from narrate.render.voicing import character_profiles
from narrate.scriptfile import is_script_file, load_script
from narrate.values import DEFAULT_OPTIONS, OUTPUT_DIR, BookPlan, BuildOptions, BuildPlan


def load_book(target: str | Path, meta: str | Path | None = None,
              lexicon: str | Path | None = None, warnings: list | None = None,
              voices: str | Path | None = None, out: str | Path = OUTPUT_DIR,
              **options) -> Book:
    """A Book from a script file, or converted from a source text (with its metadata and
    the lexicons a build into `out` reads), crediting the reader of `voices` (the cast) as
    a build will."""
    target = Path(target)
    warnings = warnings if warnings is not None else []
    language = asked_language(options.pop("language", None))
    if is_script_file(target):
        book = respelled(load_edited(target, warnings, lexicon), lexicon)
        book.language = language or book.language  # asked for: over the script's
        return book
    meta_path = Path(meta) if meta else find_metadata(target, warnings)
    metadata = load_metadata(meta_path, warnings) if meta_path else {}
    chosen = {k: options.pop(k) for k in ("code", "notes", "tables") if k in options}
    policy = ReadingPolicy(**{**(metadata.get("reading") or {}),
                              **{k: v for k, v in chosen.items() if v}})
    if options.get("max_chapter_minutes") and "words_per_minute" not in options:
        # long chapters are cut by the time the narrator of the cast used takes to read them
        narrator = load_profiles(voices or metadata.get("voices")).get(NARRATOR_ROLE)
        options["words_per_minute"] = narrator.rate if narrator else DEFAULT_RATE
    spoken_as = hinted_lexicon(metadata.get("lexicon"), lexicon, target_folder(target, out),
                               target, warnings)
    warn_of_cleaned(spoken_as, warnings)
    convert_options = ConvertOptions(lexicon=spoken_as, policy=policy, language=language,
                                     **options)
    book, problems = converted(target, convert_options, metadata)
    problems = in_metadata_file(problems, meta_path, metadata)
    book = credited(book, book_profiles(book, voices, lexicon=convert_options.lexicon),
                    convert_options.lexicon)
    if not book.author:
        problems.append(Problem("no-author", "the book names no author; add `author: NAME` to "
                                f"{meta_path or target.with_suffix('.yaml')}", WARNING))
    warnings.extend(problems)
    return book


def spoken_with(book: Book, lexicon: str | Path | None = None,
                out: str | Path = OUTPUT_DIR) -> Lexicon:
    """The lexicon a build of `book` into `out` speaks with: narrate's, the book's, its
    folder's, then `lexicon` (--lexicon)."""
    return hinted_lexicon(book.extra.get("lexicon"), lexicon, book_folder(book, out), book.source)


def book_folder(book: Book, root: str | Path = OUTPUT_DIR) -> Path:
    name = Path(book.source).stem if book.source else book.title
    folder, older = Path(root) / slug(name), Path(root) / legacy_slug(name)
    if older != folder and book.source and not folder.exists():
        # a long-named book narrate 0.2.0 built keeps its folder, and the edits in it
        from narrate.manifest import built_from

        if Path(built_from(older) or "").name == Path(book.source).name:
            return older
    return folder


def target_folder(target: str | Path, root: str | Path = OUTPUT_DIR) -> Path:
    """The folder a build of this file goes into, without converting it: a source's, by
    its own name; a script's, by the source it was made from."""
    target = Path(target)
    book = load_script(target, []) if is_script_file(target) else Book("", source=str(target))
    return book_folder(book, root)


def folder_name(target: str | Path) -> str:
    """The name of the folder a build of this file goes into, without converting it: a
    source's own name; a script's, the name of the source it was made from."""
    target = Path(target)
    if is_script_file(target):
        return book_folder(load_script(target, []), "").name
    return slug(target.stem)


def voices_dir_for(book: Book, voices: str | Path | None) -> str | Path | None:
    """The voices folder asked for wins over the book's metadata `voices:` folder."""
    return voices or book.extra.get("voices")


def book_profiles(book: Book, voices: str | Path | None = None, warnings: list | None = None,
                  lexicon: Lexicon | None = None):
    """The voice profiles for a book: the cast (--voices, the metadata's, the default) in
    the book's language and, as "role:language", in its passages' languages, with its
    lexicon's phonemes for their engines (`lexicon`, or the book's own over narrate's)."""
    cast = load_profiles(voices_dir_for(book, voices))
    profiles, found = cast_for_language(cast, book.language)
    passages, said = passage_cast(cast, profiles, [(s.role, s.language) for s in book.spoken
                                                   if s.language])
    (warnings if warnings is not None else []).extend(found + said)
    voiced = character_profiles(book, profiles)  # a voice for each of the book's people
    return with_phonemes({**profiles, **passages, **voiced}, lexicon or spoken_with(book))


def credited(book: Book, profiles: dict, lexicon) -> Book:
    """`book` with the narrator's voice credited as the reader when the metadata names
    none (a copy: the book given is not changed); credits the user has edited in the
    script are left as they are."""
    if book.narrator or NARRATOR_ROLE not in profiles:
        return book
    made = credit_segments(book, lexicon)
    reader = replace(book, narrator=profiles[NARRATOR_ROLE].name)
    if not book.credits or [(s.text, s.say) for s in book.credits] == \
            [(s.text, s.say) for s in made]:
        taken = {(s.id, s.say): s.take for s in book.credits}  # a retake of a line said alike
        reader.credits = [replace(s, take=taken.get((s.id, s.say), 1))
                          for s in credit_segments(reader, lexicon)]
    return reader


def check_roles(book: Book, items: list[RenderItem], profiles: dict) -> None:
    """Every line's role is one of the cast's: one line naming the first that is not, where
    the script says it (a conversion gives only the cast's roles: a person wrote it)."""
    for item in items:
        if item.role not in profiles:
            origin = next((s.origin for s in book.spoken if s.id == item.id), "")
            raise NarrateError(
                f"segment {item.id}'s role {item.role!r} is not one of the cast's "
                f"({'|'.join(profiles)})", where=origin or book.source,
                hint=f"{nearest(item.role, profiles)}, or add {item.role}.yaml to a voices "
                     "folder (--voices FOLDER)")


def extra_items(book: Book, credits: bool):
    """Spoken titles of chapters and, unless turned off, the credits: all from the script."""
    lines = (book.credits if credits else []) + [c.announce for c in book.chapters if c.announce]
    return [line_item(s) for s in lines if sayable_line(s, book.language)]


def chapter_key(clips, keys: dict, mastering, tags: dict, markers: int) -> str:
    data = {"clips": [[keys[c.id], c.pause_after_ms, c.section, c.text, c.title] for c in clips],
            "mastering": asdict(mastering), "tags": tags, "markers": markers}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


def resolve_only(book: Book, items: list, only: str) -> tuple[set[str], set[str]]:
    """only=ID|role:ROLE -> (item ids to re-synthesise, chapter ids to re-export);
    `voice:ROLE` is an earlier narrate's spelling."""
    if only.startswith(("role:", "voice:")):
        role = only.split(":", 1)[1]
        roles = {i.role for i in items}
        if role not in roles:
            raise NarrateError(f"no segment has the role {role!r}", hint=nearest(role, roles),
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


def next_takes(items: list[RenderItem], keys: dict, ids, cache, profiles) -> dict[str, int]:
    """For each of `ids` whose take is in the cache (the same take again would be the same
    audio: the engines are deterministic), its next take not in the cache: a retake is
    always audio not heard before, and the same take number renders it again anywhere."""
    found = {}
    for item in items:
        if item.id not in ids or not cache.get(keys[item.id]):
            continue
        for take in range(item.take + 1, MAX_TAKE + 1):
            retake = replace(item, take=take)
            if not cache.get(item_keys([retake], profiles)[item.id]):
                found[item.id] = take
                break
    return found


def with_takes(book: Book, takes: dict[str, int]) -> Book:
    """A copy of `book` whose lines named in `takes` play those takes."""
    book = copy.deepcopy(book)
    for segment in book.spoken:
        segment.take = takes.get(segment.id, segment.take)
    return book


def with_kept_takes(plan: BookPlan, takes: dict[str, int], cache,
                    options: BuildOptions) -> BookPlan:
    """`plan` with the lines in `takes` playing those takes (the retakes `verify` kept)."""
    again = plan_book(with_takes(plan.book, takes), cache, replace(options, only=None))
    return replace(again, forced=plan.forced, forced_chapters=plan.forced_chapters)


def _cover_hash(path) -> str:
    """The cover's hash, read as the export will read it: a missing or broken cover is
    said before anything is rendered."""
    from narrate.stitch import read_cover

    cover = read_cover(path)
    return hashlib.sha256(cover).hexdigest()[:16] if cover else ""


def plan_book(book: Book, cache, options: BuildOptions = DEFAULT_OPTIONS,
              warnings: list | None = None) -> BookPlan:
    """The one plan of a build of `book` (not changed: the plan holds a credited copy)."""
    from narrate.stitch.pauses import chapter_clips
    from narrate.stitch.records import BookInfo, ChapterPlan
    from narrate.stitch.timeline import Mastering

    credits = book.extra.get("credits", True) if options.credits is None else options.credits
    folder = book_folder(book, options.out)
    lexicons = lexicon_files(book.extra.get("lexicon"), options.lexicon, folder)
    spoken_as = layered(read_lexicon(path) for path in lexicons.values())  # read once
    warn_of_cleaned(spoken_as, warnings)
    profiles = book_profiles(book, options.voices, warnings, spoken_as)
    mastering = (options.mastering or Mastering()).at_rate(narrator_rate(profiles))
    only, markers = options.only, options.markers
    book = credited(book, profiles, spoken_as)
    items = book_items(book) + extra_items(book, credits)
    check_roles(book, items, profiles)
    forced, forced_chapters = resolve_only(book, items, only) if only else (set(), set())
    keys = item_keys(items, profiles)
    retakes = next_takes(items, keys, forced, cache, profiles)
    if retakes:  # `only` asks for new audio: the next takes, which the script will keep
        book = with_takes(book, retakes)
        items = book_items(book) + extra_items(book, credits)
        keys = item_keys(items, profiles)
    extra = {k: str(book.extra.get(k) or "") for k in
             ("subtitle", "series", "series_index", "publisher", "isbn")}
    info = BookInfo(book.title, book.author, book.narrator, str(book.extra.get("year", "")),
                    str(book.extra.get("genre", "Audiobook")),
                    str(book.extra.get("description", "")), book.extra.get("cover"),
                    language=book.language, **extra)
    paths = {item_id: cache.path(key) for item_id, key in keys.items()}
    chapters, cover = [], _cover_hash(info.cover)
    width = max(2, len(str(len(book.chapters))))  # as a conversion numbers its chapter ids
    for index, chapter in enumerate(book.chapters):
        clips = chapter_clips(book, index, paths, profiles, credits)
        tags = {**asdict(info), "cover": cover, "title": chapter.title,
                "track": f"{index + 1}/{len(book.chapters)}"}
        chapters.append(ChapterPlan(chapter.id, index + 1, chapter.title,
                                    chapter_key(clips, keys, mastering, tags, markers),
                                    clips, width))
    return BookPlan(book, profiles, items, keys, info, chapters, folder, mastering,
                    frozenset(forced), frozenset(forced_chapters),
                    {layer: str(path.resolve()) for layer, path in lexicons.items()})


def narrator_rate(profiles: dict) -> int:
    """The narrator's sample rate: a book mastered at it resamples most of its takes not
    at all (resampling every take of a chapter was a fifth of an edit's rebuild)."""
    from narrate.render.engines import own_rate

    narrator = profiles.get("narrator") or next(iter(profiles.values()), None)
    return own_rate(narrator) if narrator else 22050


def would_do(plan: BookPlan, cache, formats: tuple[str, ...]) -> BuildPlan:
    """What building `plan` into `formats` would render and export, checking the engines
    it would use (a dry run fails where the build would)."""
    from narrate.manifest import last_manifest
    from narrate.render.engines import check_engine, check_voice
    from narrate.stitch import chapters_to_export

    before = last_manifest(plan.folder)
    previous = {c.id: c for c in before.chapters} if before else {}
    items, keys = plan.items, plan.keys
    missing = {i.id for i in items if i.id in plan.forced or not cache.get(keys[i.id])}
    for role in sorted({i.voice for i in items if i.id in missing}):
        check_engine(plan.profiles[role].engine)
        check_voice(plan.profiles[role])
    export = [c.id for c in chapters_to_export(plan.chapters, plan.folder, previous,
                                               plan.forced_chapters, formats)]
    exported = set(export)  # sets: a list's `in` made 20,000 lines 400 million steps
    return BuildPlan([i.id for i in items if i.id in missing],
                     [i.id for i in items if i.id not in missing], export,
                     [c.id for c in plan.chapters if c.id not in exported])
