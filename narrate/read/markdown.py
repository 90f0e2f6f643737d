"""Markdown (CommonMark, with tables, footnotes and YAML front matter) as a Document."""

from __future__ import annotations

import re
from collections import Counter

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from narrate.fileio import MAX_METADATA_BYTES, BoundedLoader
from narrate.problems import WARNING, Problem, first_words
from narrate.read.document import (
    BOILERPLATE,
    BREAK,
    CODE,
    CONTENTS,
    FIGURE,
    FRONT_MATTER,
    HEADING,
    LIST_ITEM,
    NOTE,
    PARAGRAPH,
    QUOTE,
    TABLE,
    Block,
    Document,
)
from narrate.read.files import normalise
from narrate.read.sections import settle_heading_levels

_PARSER = (MarkdownIt("commonmark", {"maxNesting": 50}).enable("table")
           .use(front_matter_plugin).use(footnote_plugin))
_TAG = re.compile(r"<[^>]*>")


def read_markdown(text: str, name: str = "<markdown>") -> Document:
    text, problems = normalise(text)
    tokens = _PARSER.parse(text)
    problems += _left_out(text, tokens)
    blocks: list[Block] = []
    metadata: dict = {}
    context: list[str] = []  # the open containers: blockquote, list_item, footnote
    notes: list[str] = []  # the footnote labels open
    i = 0
    while i < len(tokens):
        token = tokens[i]
        line = token.map[0] + 1 if token.map else None
        kind = token.type
        if kind in ("blockquote_open", "list_item_open"):
            context.append(kind)
        elif kind in ("blockquote_close", "list_item_close"):
            context.pop()
        elif kind == "footnote_open":
            notes.append(str(token.meta.get("label", token.meta.get("id", ""))))
        elif kind == "footnote_close":
            notes.pop()
        elif kind == "front_matter":
            found, problem = _front_matter(token.content, line)
            metadata.update(found)
            problems += [problem] if problem else []
            blocks.append(Block(FRONT_MATTER, token.content.strip(), line=line))
        elif kind == "heading_open":
            words, refs, _ = _inline(tokens[i + 1])
            blocks.append(Block(HEADING, words, line=line, level=int(token.tag[1]), refs=refs))
            i += 2
        elif kind == "paragraph_open":
            words, refs, only_images = _inline(tokens[i + 1], code_marks=True)
            kind = _links_kind(tokens[i + 1]) or _paragraph_kind(context, notes, only_images)
            blocks.append(Block(kind, words, line=line, refs=refs,
                                note_id=notes[-1] if notes else ""))
            i += 2
        elif kind in ("fence", "code_block"):
            blocks.append(Block(CODE, token.content.rstrip("\n"), line=line))
        elif kind == "table_open":
            end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
            cells = [t for t in tokens[i:end] if t.type == "inline"]
            pictures = all(_inline(t)[2] or not t.content.strip() for t in cells)
            blocks.append(Block(FIGURE if pictures else TABLE, _table_text(tokens[i:end]),
                                line=line))  # a table that lays out pictures is pictures
            i = end
        elif kind == "html_block":
            blocks.append(_html_block(token.content, line))
        elif kind == "hr":
            blocks.append(Block(BREAK, token.markup, line=line))
        i += 1
    _mark_sponsors(blocks)
    title = settle_heading_levels(blocks)
    if title and "title" not in metadata:
        metadata["title"] = title
    level = 1 if any(b.kind == HEADING for b in blocks) else None
    return Document(blocks, metadata, level, problems=problems, source=name)


def _paragraph_kind(context: list[str], notes: list[str], only_images: bool) -> str:
    if notes:
        return NOTE
    if only_images:
        return FIGURE
    if "blockquote_open" in context:
        return QUOTE
    if "list_item_open" in context:
        return LIST_ITEM
    return PARAGRAPH


def _links_kind(token) -> str | None:
    """A paragraph of links and little else is navigation: a list of in-page links (a
    contents) or of other pages (language versions, badges)."""
    children = token.children or []
    inside: list[str] = []
    outside: list[str] = []
    links = anchors = depth = 0
    for child in children:
        if child.type == "link_open":
            depth += 1
            links += 1
            anchors += str(child.attrs.get("href", "")).startswith("#")
        elif child.type == "link_close":
            depth -= 1
        elif child.type in ("text", "code_inline"):
            (inside if depth else outside).append(child.content)
    linked = len(" ".join(inside).split())
    loose = len(re.findall(r"\w+", " ".join(outside)))
    if links and links == anchors and loose == 0:
        return CONTENTS
    if links >= 3 and loose <= max(2, linked // 5):
        return BOILERPLATE
    return None


def _inline(token, code_marks: bool = False) -> tuple[str, tuple[str, ...], bool]:
    """An inline token's words (link text kept, URLs dropped, code as written, in its
    backticks with `code_marks`: the narrator reads it as code), the notes it
    references, and whether it holds nothing but images."""
    parts: list[str] = []
    refs: list[str] = []
    images = 0
    for child in token.children or []:
        if child.type == "code_inline" and code_marks and "`" not in child.content:
            parts.append(f"`{child.content}`")
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            images += 1
            parts.append(" ")
        elif child.type == "footnote_ref":
            refs.append(str(child.meta.get("label", child.meta.get("id", ""))))
    text = " ".join("".join(parts).split())
    return text, tuple(refs), images > 0 and not re.search(r"\w", text)


def _code_cell(token) -> str:
    """A cell that is all code (a command in a table of results) as the program it runs:
    `fd -HI '.*[0-9]\\.jpg$'` is "fd" to a listener, never its characters spelled out."""
    parts = [c for c in token.children or [] if c.type != "text" or c.content.strip()]
    if len(parts) != 1 or parts[0].type != "code_inline":
        return ""
    program = (parts[0].content.split() or [""])[0].rsplit("/", 1)[-1]
    return program if re.fullmatch(r"[A-Za-z][\w.+-]{0,40}", program) else "a command"


_SPONSORS = re.compile(r"^(?:our |gold |silver )?(?:sponsors?|sponsored by|backers|supporters|"
                       r"patrons)\W*$", re.IGNORECASE)


def _mark_sponsors(blocks: list[Block]) -> None:
    """A README's sponsors section (its heading, thanks and logos, down to the next heading
    as high as its own) is boilerplate, never read."""
    level = None
    for block in blocks:
        if block.kind == HEADING:
            if level is not None and block.level <= level:
                level = None
            if level is None and _SPONSORS.match(block.text.strip()):
                level = block.level
        if level is not None:
            block.kind = BOILERPLATE


def _table_text(tokens) -> str:
    """One line a row, cells separated by " | ". Two commands of a column that run the
    same program are told apart by their options (`find -iregex`, `find -iname`)."""
    rows: list[list[tuple[str, str]]] = []  # (what is said, the code it stands for)
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            program = _code_cell(token)
            rows[-1].append((program or _inline(token)[0], _code(token) if program else ""))
    for column in range(max(map(len, rows), default=0)):
        cells = [row[column] for row in rows if column < len(row) and row[column][1]]
        said = Counter(text for text, _ in cells)
        codes = {text: {code for t, code in cells if t == text} for text in said}
        for row in rows:
            if column < len(row) and len(codes.get(row[column][0], ())) > 1:
                row[column] = (_with_options(row[column][0], row[column][1]), row[column][1])
    return "\n".join(" | ".join(text for text, _ in row) for row in rows)


def _code(token) -> str:
    return next((c.content for c in token.children or [] if c.type == "code_inline"), "")


def _with_options(program: str, code: str) -> str:
    """`find . -iname '*.jpg'` as its program and options, as code: `find -iname`."""
    options = [word for word in code.split()[1:] if re.fullmatch(r"--?[A-Za-z][\w-]{0,30}", word)]
    return f"`{' '.join([program, *options[:3]])}`" if options else program


def _html_block(content: str, line: int | None) -> Block:
    text = " ".join(_TAG.sub(" ", re.sub(r"<!--.*?-->", " ", content, flags=re.DOTALL)).split())
    if text:
        return Block(PARAGRAPH, text, line=line)
    return Block(FIGURE if "<img" in content.lower() else BOILERPLATE, content.strip(), line=line)


# blocks that hold a source's text; what none of them covers, markdown-it dropped (it
# stops at its nesting limit, and everything nested deeper, or after, is gone)
_LEAVES = {"paragraph_open", "heading_open", "fence", "code_block", "html_block", "table_open",
           "hr", "front_matter"}
_NO_TEXT = re.compile(r"^[\s>*+\-\d.)#|:=`~_]*$|^\s*\[[^\]]+\]:\s*\S")  # marks, a link's URL


def _left_out(text: str, tokens) -> list[Problem]:
    """A warning naming the lines markdown-it did not read: text nested too deep."""
    lines = text.split("\n")
    covered = bytearray(len(lines) + 1)
    for token in tokens:
        if token.type in _LEAVES and token.map:
            start, end = token.map
            covered[start:end] = b"\1" * (end - start)
    lost = [n for n, line in enumerate(lines) if not covered[n] and not _NO_TEXT.match(line)]
    if not lost:
        return []
    deep = _PARSER.options["maxNesting"] // 2  # a list and its item are two levels each
    return [Problem("nested-too-deep", f"{len(lost)} lines from line {lost[0] + 1} on are "
                    f"nested too deep (lists or quotes more than about {deep} inside each "
                    "other), which narrate cannot read; they are left out — flatten them",
                    WARNING, line=lost[0] + 1, words=first_words(lines[lost[0]]))]


def _front_matter(content: str, line: int | None) -> tuple[dict, Problem | None]:
    """The metadata narrate uses from the front matter, and why none when it cannot."""
    if len(content.encode("utf-8")) > MAX_METADATA_BYTES:  # parsed in pure Python: minutes
        return {}, Problem("front-matter", f"the front matter is not read (more than "
                           f"{MAX_METADATA_BYTES // 2**20} MB, as a metadata file); move the "
                           "text out of it", WARNING, line=line)
    try:
        data = yaml.load(content, Loader=BoundedLoader)  # a safe loader, bounded
    except yaml.YAMLError as exc:
        what = getattr(exc, "problem", None) or "not YAML"
        return {}, Problem("front-matter", f"the front matter is not read ({what}); fix it "
                           "to give the title and author", WARNING, line=line)
    if not isinstance(data, dict):
        return {}, None
    keys = ("title", "subtitle", "author", "narrator", "language", "description", "publisher",
            "year", "date")
    found = {k: v for k, v in data.items() if k in keys and isinstance(v, (str, int))}
    if "date" in found:
        year = re.search(r"\d{4}", str(found.pop("date")))
        if year and "year" not in found:
            found["year"] = year.group()
    if isinstance(data.get("authors"), list) and "author" not in found:
        found["author"] = ", ".join(str(a) for a in data["authors"])
    return found, None
