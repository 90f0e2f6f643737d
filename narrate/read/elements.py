"""HTML and XHTML elements as blocks: one walker for web pages, Gutenberg HTML and EPUB
parts. Block elements become blocks; the words inside them are joined with inline markup
removed; Gutenberg's conventions (page-number spans, sidenotes, footnote anchors and bodies)
and EPUB's semantics (`epub:type` noteref, footnote, pagebreak …) classify them.
"""

from __future__ import annotations

import re

from narrate.read import languages, sections
from narrate.read.document import (
    BACK_MATTER,
    BOILERPLATE,
    BREAK,
    CODE,
    CONTENTS,
    FIGURE,
    FRONT_MATTER,
    HEADING,
    INDEX,
    LIST_ITEM,
    NOTE,
    PAGE_NUMBER,
    PARAGRAPH,
    QUOTE,
    SIDENOTE,
    TABLE,
    Block,
)

EPUB_NS = "http://www.idpf.org/2007/ops"
_EPUB_TYPE = f"{{{EPUB_NS}}}type"
_SKIP = {"script", "style", "head", "template", "noscript", "button", "form", "input", "select"}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = {"p", "div", "section", "article", "main", "body", "header", "footer", "blockquote",
           "ul", "ol", "li", "dl", "dt", "dd", "pre", "table", "figure", "aside", "nav", "hgroup",
           "hr", "address", "center", "details", "summary", "figcaption", "caption"} | set(_HEADINGS)
# epub:type (and Gutenberg class) -> the kind of everything inside
_SEMANTIC = {
    "titlepage": FRONT_MATTER, "halftitlepage": FRONT_MATTER, "imprint": FRONT_MATTER,
    "dedication": FRONT_MATTER, "copyright-page": BACK_MATTER, "colophon": BACK_MATTER,
    "toc": CONTENTS, "landmarks": CONTENTS, "loi": CONTENTS, "lot": CONTENTS, "index": INDEX,
    "footnote": NOTE, "endnote": NOTE, "rearnote": NOTE, "footnotes": NOTE, "endnotes": NOTE,
    "rearnotes": NOTE, "pagebreak": PAGE_NUMBER, "frontispiece": FIGURE,
    # Gutenberg classes
    "pagenum": PAGE_NUMBER, "sidenote": SIDENOTE, "pg-boilerplate": BOILERPLATE,
    "blockquot": QUOTE, "poem": QUOTE,
}
_GUTENBERG_IDS = {"pg-header": BOILERPLATE, "pg-footer": BOILERPLATE}


def local(element) -> str:
    """The tag's name without its namespace. A prefixed HTML tag (`o:p`, as Word exports)
    or a tag with a control byte in it is its own name, never an error."""
    tag = element.tag
    return tag.rpartition("}")[2].lower() if isinstance(tag, str) else ""


def semantics(element) -> list[str]:
    """The element's epub:type words and classes, lower case."""
    words = (element.get(_EPUB_TYPE) or element.get("epub:type") or "").split()
    words += (element.get("class") or "").split()
    return [w.lower().split(":")[-1] for w in words]


class _Walker:
    """Walks the element tree once, in document order, making blocks."""

    def __init__(self, part: str):
        self.part = part
        self.blocks: list[Block] = []

    def add(self, kind: str, text: str, element, **fields) -> None:
        lines = text.split("\n") if kind == TABLE else [text]  # a table keeps a line a row
        text = "\n".join(" ".join(line.split()) for line in lines)
        if not text and kind not in (BREAK, FIGURE):
            return
        anchor = element.get("id") or element.get("name") or ""
        self.blocks.append(Block(kind, text, line=element.sourceline, part=self.part,
                                 anchor=anchor, language=language_of(element), **fields))

    def walk(self, element, context: str | None = None) -> None:
        tag = local(element)
        if tag in _SKIP or not tag:
            return
        kind = self._semantic_kind(element) or context
        if tag in _HEADINGS:
            text, refs = inline_text(element)
            self.add(kind if kind and kind != QUOTE else HEADING, text, element,
                     level=_HEADINGS[tag], refs=refs)
        elif tag == "hgroup":
            self._hgroup(element, kind)
        elif tag == "pre":
            text = "".join(element.itertext())
            gutenberg = "project gutenberg" in text.lower()
            self.blocks.append(Block(BOILERPLATE if gutenberg else (kind or CODE), text.strip("\n"),
                                     line=element.sourceline, part=self.part,
                                     anchor=element.get("id") or ""))
        elif tag == "table":
            self.add(kind if kind in (CONTENTS, INDEX, BOILERPLATE) else TABLE,
                     table_text(element), element)
        elif tag == "hr":
            self.add(BREAK, "", element)
        elif tag in ("img", "svg", "math"):
            self.add(kind or FIGURE, element.get("alt") or "", element)
        elif tag == "figure":
            self._children(element, kind or FIGURE)
        elif kind == NOTE and ((tag == "li" and element.get("id")) or (
                tag in ("aside", "div", "p") and _note_id(element)
                and not _has_block_children(element))):
            self.add(NOTE, inline_text(element)[0], element, note_id=_note_id(element))
        elif tag == "nav":
            self._children(element, kind or CONTENTS)
        elif tag == "aside":
            self._children(element, kind or SIDENOTE)
        elif tag == "blockquote":
            self._children(element, kind or QUOTE)
        elif tag in ("ul", "ol", "dl"):
            self._children(element, kind or LIST_ITEM)
        elif _has_block_children(element):
            self._children(element, kind)
        elif tag not in ("body", "html"):
            self._leaf(element, tag, kind)

    def _semantic_kind(self, element) -> str | None:
        if element.get("id") in _GUTENBERG_IDS:
            return _GUTENBERG_IDS[element.get("id")]
        for word in semantics(element):
            if word in _SEMANTIC and word != "pagenum":
                return _SEMANTIC[word]
        if "footnote" in (element.get("class") or "").split():
            return NOTE
        return None

    def _leaf(self, element, tag: str, kind: str | None) -> None:
        text, refs = inline_text(element)
        if not text and any(local(e) == "img" for e in element.iter()):
            self.add(FIGURE, _alt_text(element), element)
            return
        if kind is None:
            kind = LIST_ITEM if tag in ("li", "dt", "dd") else PARAGRAPH
        if kind == PARAGRAPH and any(w.endswith("bridgehead") for w in semantics(element)):
            # a chapter's summary, phrases joined by dashes ("Three invalids—Sufferings of
            # George and Harris—…"): a list, each phrase said with a pause after it
            for phrase in _SUMMARY_DASH.split(text):
                self.add(LIST_ITEM, phrase, element)
            return
        self.add(kind, text, element, refs=refs)
        if self.blocks and self.blocks[-1].text == " ".join(text.split()):
            self.blocks[-1].emphasis = _all_italic(element)

    def _children(self, element, kind: str | None) -> None:
        """Block children are walked; runs of loose text and inline elements between them
        are paragraphs of their own."""
        run: list[str] = [element.text or ""]
        refs: list[str] = []
        for child in element.iterchildren():
            if not isinstance(child.tag, str):
                run.append(child.tail or "")
            elif local(child) in _BLOCKS or local(child) in ("img", "svg", "math"):
                self.add(kind or PARAGRAPH, "".join(run), element, refs=tuple(refs))
                self.walk(child, kind)
                run, refs = [child.tail or ""], []
            elif local(child) not in _SKIP:
                text, found = inline_text(child)
                run += [" ", text, " ", child.tail or ""]
                refs += found
            else:
                run.append(child.tail or "")
        self.add(kind or PARAGRAPH, "".join(run), element, refs=tuple(refs))

    def _hgroup(self, element, kind: str | None) -> None:
        """<hgroup><h2>Lecture I</h2><p>The Present Dilemma</p></hgroup>: one heading."""
        heading = next((c for c in element.iterchildren() if local(c) in _HEADINGS), None)
        level = _HEADINGS[local(heading)] if heading is not None else 2
        texts = [inline_text(c)[0] for c in element.iterchildren() if local(c)]
        label, title = "", " ".join(t for t in texts if t)
        if texts and sections.is_label_only(texts[0]):
            label, title = " ".join(texts[0].split()), " ".join(texts[1:])
        self.add(kind if kind and kind != QUOTE else HEADING, title or label, element,
                 level=level, label=label if title else "")


_SUMMARY_DASH = re.compile(r"\s*[\u2060\u200b]*[—–][\u2060\u200b]*\s*")


def _note_id(element) -> str:
    if element.get("id"):
        return element.get("id")
    anchor = element.find(".//{*}a[@id]")
    if anchor is None:
        anchor = element.find(".//a[@id]")
    if anchor is None:
        anchor = element.find(".//a[@name]")
    return (anchor.get("id") or anchor.get("name") or "") if anchor is not None else ""


def _all_italic(element) -> bool:
    """Every word inside <i> or <em>: an italic line (title pages, epigraphs)."""
    if (element.text or "").strip():
        return False
    children = [c for c in element.iterchildren() if isinstance(c.tag, str)]
    return bool(children) and all(local(c) in ("i", "em") and not (c.tail or "").strip()
                                  for c in children)


def language_of(element) -> str:
    """The language an element's markup gives its words: its `lang` or `xml:lang`, else
    its nearest ancestor's, or that of the one inline element holding all its words
    (<p><i xml:lang="fr">…</i></p>); "" when none names a language."""
    children = [c for c in element.iterchildren() if isinstance(c.tag, str)]
    only = children[0] if len(children) == 1 and not (element.text or "").strip() and \
        not (children[0].tail or "").strip() and local(children[0]) not in _BLOCKS else None
    for node in ([only] if only is not None else []) + [element, *element.iterancestors()]:
        given = node.get(_XML_LANG) or node.get("xml:lang") or node.get("lang")  # XHTML, HTML
        if given is not None:
            return languages.language_code(given)
    return ""


_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _has_block_children(element) -> bool:
    return any(local(c) in _BLOCKS for c in element.iterchildren())


def _alt_text(element) -> str:
    return " ".join(img.get("alt") or "" for img in element.iter()
                    if local(img) == "img").strip()


def inline_text(element) -> tuple[str, tuple[str, ...]]:
    """The words inside an element: page numbers and note references left out (the notes'
    ids returned), line breaks as spaces, images as nothing."""
    parts: list[str] = []
    refs: list[str] = []

    def visit(node, top: bool) -> None:
        tag = local(node)
        if not top:
            words = semantics(node)
            if tag in _SKIP or {"pagenum", "pagebreak", "backlink"} & set(words):
                parts.append(node.tail or "")
                return
            if "noteref" in words or "fnanchor" in words or _is_note_link(node):
                href = node.get("href") or (node.find(".//{*}a") if tag != "a" else None)
                target = href if isinstance(href, str) else (href.get("href") if href is not None
                                                            else "")
                refs.append((target or "").rsplit("#", 1)[-1])
                parts.append(node.tail or "")
                return
            if tag == "br":
                parts.append(" ")
        parts.append(node.text or "" if tag not in ("img",) else " ")
        for child in node.iterchildren():
            if isinstance(child.tag, str):
                visit(child, False)
            else:
                parts.append(child.tail or "")
        if not top:
            parts.append(node.tail or "")

    visit(element, True)
    return " ".join("".join(parts).split()), tuple(r for r in refs if r)


def _is_note_link(node) -> bool:
    """<sup><a href="#fn1">1</a></sup> and <a href="#fn1">[1]</a>: a note mark."""
    tag = local(node)
    if tag == "sup":
        links = [c for c in node.iter() if local(c) == "a" and (c.get("href") or "").startswith("#")]
        text = "".join(node.itertext()).strip()
        return bool(links) and bool(re.fullmatch(r"\[?\*?\w{1,3}\]?", text))
    if tag == "a":
        text = "".join(node.itertext()).strip()
        href = node.get("href") or ""
        return "#" in href and bool(re.fullmatch(r"\[\w{1,3}\]", text))
    return False


def table_text(element) -> str:
    """One line a row, cells separated by " | "."""
    rows = []
    for row in element.iter():
        if local(row) != "tr":
            continue
        cells = [inline_text(c)[0] for c in row.iterchildren() if local(c) in ("td", "th")]
        rows.append(" | ".join(cells))
    return "\n".join(rows)


def body_blocks(root, part: str = "") -> list[Block]:
    body = next((e for e in root.iter() if local(e) == "body"), root)
    walker = _Walker(part)
    walker.walk(body)
    return walker.blocks
