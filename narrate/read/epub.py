"""EPUB 2 and 3 as a Document, with zipfile and lxml (no EbookLib: it is AGPL).

META-INF/container.xml names the package (OPF); its spine is the reading order
(`linear="no"` items are left out); nav.xhtml (EPUB 3) or toc.ncx (EPUB 2) titles
the chapters; the OPF's metadata gives title, creators with their roles, language,
date, publisher, description, series and the cover image. Each spine document
starts a chapter at its first heading (or at its start, when the table of contents
names it); its other headings are sections.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

from narrate.errors import InputError
from narrate.problems import INFO, WARNING, Problem
from narrate.read import sections
from narrate.read.document import HEADING, PROSE, Block, Document
from narrate.read.elements import body_blocks, inline_text, local
from narrate.read.files import MAX_HTML_BYTES
from narrate.read.html import merge_numbered_headings
from narrate.read.safe import SafeZip, parse_html, parse_xml

_FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
_XHTML_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}


def read_epub(path: str) -> Document:
    archive = SafeZip(path)
    try:
        return _Epub(path, archive).read()
    finally:
        archive.close()


def manifest_parts(path: str, types: set[str]) -> list[tuple[str, str, bytes]]:
    """The package's items of these media types, in manifest order: (href in the zip,
    media type, bytes); an item missing from the archive is left out."""
    archive = SafeZip(path)
    try:
        epub = _Epub(path, archive)
        package = epub._package_path()
        epub.base = posixpath.dirname(package)
        items = epub._manifest(parse_xml(archive.read(package), f"{path}: {package}")).values()
        return [(i["href"], i["type"], archive.read(i["href"])) for i in items
                if i["type"] in types and i["href"] in archive.names]
    finally:
        archive.close()


class _Epub:
    def __init__(self, path: str, archive: SafeZip):
        self.path, self.zip = path, archive
        self.problems: list[Problem] = []
        self._id_cache: dict[str, set[str]] = {}

    def fail(self, what: str) -> InputError:
        return InputError(f"{self.path}: {what}")

    def read(self) -> Document:
        if "META-INF/container.xml" not in self.zip.names:
            raise self.fail("a zip archive but not an EPUB (no META-INF/container.xml); "
                            "pass an .epub book")
        self._check_drm()
        opf_path = self._package_path()
        opf = parse_xml(self.zip.read(opf_path), f"{self.path}: {opf_path}")
        self.base = posixpath.dirname(opf_path)
        manifest = self._manifest(opf)
        spine = self._spine(opf, manifest)
        titles = self._toc_titles(opf, manifest)
        blocks: list[Block] = []
        for href in spine:
            blocks += self._document_blocks(href, titles.get(href))
        sections.mark_named_sections(blocks)
        metadata = self._metadata(opf)
        level = 1 if any(b.kind == HEADING for b in blocks) else None
        return Document(blocks, metadata, level, cover=self._cover(opf, manifest),
                        problems=self.problems, source=self.path)

    def _check_drm(self) -> None:
        if "META-INF/rights.xml" in self.zip.names:
            raise self.fail("is DRM-protected (META-INF/rights.xml); narrate reads only "
                            "DRM-free EPUBs")
        if "META-INF/encryption.xml" not in self.zip.names:
            return
        root = parse_xml(self.zip.read("META-INF/encryption.xml"),
                         f"{self.path}: META-INF/encryption.xml")
        methods = {m.get("Algorithm") for m in root.iter() if local(m) == "encryptionmethod"}
        if methods - _FONT_OBFUSCATION:
            raise self.fail("is DRM-protected (META-INF/encryption.xml encrypts its text); "
                            "narrate reads only DRM-free EPUBs")

    def _package_path(self) -> str:
        container = parse_xml(self.zip.read("META-INF/container.xml"),
                              f"{self.path}: META-INF/container.xml")
        for rootfile in container.iter():
            if local(rootfile) == "rootfile" and rootfile.get("full-path"):
                path = rootfile.get("full-path")
                if path not in self.zip.names:
                    raise self.fail(f"the package file {path!r} named in META-INF/container.xml "
                                    "is missing; the EPUB is incomplete")
                return path
        raise self.fail("META-INF/container.xml names no package file (OPF); the EPUB is "
                        "incomplete")

    def _href(self, href: str, base: str | None = None) -> str:
        """A manifest or link href as a path inside the zip (fragment dropped)."""
        href = unquote(href.split("#", 1)[0])
        return posixpath.normpath(posixpath.join(self.base if base is None else base, href))

    def _manifest(self, opf) -> dict[str, dict]:
        items = {}
        for item in opf.iter():
            if local(item) == "item" and item.get("id") and item.get("href"):
                items[item.get("id")] = {"href": self._href(item.get("href")),
                                         "type": item.get("media-type", ""),
                                         "properties": (item.get("properties") or "").split(),
                                         "line": item.sourceline}
        return items

    def _spine(self, opf, manifest: dict) -> list[str]:
        spine = next((e for e in opf.iter() if local(e) == "spine"), None)
        refs = [e for e in spine.iter() if local(e) == "itemref"] if spine is not None else []
        if not refs:
            raise self.fail("the package (OPF) has no spine, so no reading order; the EPUB is "
                            "incomplete")
        hrefs: list[str] = []
        named: set[str] = set()  # a set: a list's `in` made 20,000 documents quadratic
        for ref in refs:
            if not ref.get("idref"):
                raise self.fail(f"a spine <itemref> without an idref (OPF line {ref.sourceline}); "
                                "repair the EPUB")
            item = manifest.get(ref.get("idref"))
            if item is None:
                raise self.fail(f"spine item {ref.get('idref')!r} (OPF line {ref.sourceline}) "
                                "is not in the manifest; repair the EPUB")
            if item["href"] in named:  # read once: a spine naming a file 10,000 times
                self.problems.append(Problem("spine-repeat", f"{item['href']}: named again in "
                                             f"the spine (OPF line {ref.sourceline}); read once",
                                             WARNING))
                continue
            if item["href"] not in self.zip.names:
                raise self.fail(f"spine item {item['href']!r} is missing from the archive; "
                                "the EPUB is incomplete — export it again")
            if ref.get("linear") == "no":
                self.problems.append(Problem("not-linear", f"{item['href']}: linear=\"no\" in "
                                             "the spine, not read", INFO))
                continue
            if item["type"] in _XHTML_TYPES or item["href"].endswith((".xhtml", ".html", ".htm")):
                hrefs.append(item["href"])
                named.add(item["href"])
        return hrefs

    def _toc_titles(self, opf, manifest: dict) -> dict[str, str]:
        """file -> its first title in the EPUB 3 nav, else the EPUB 2 NCX."""
        nav = next((i for i in manifest.values() if "nav" in i["properties"]), None)
        if nav is not None:
            return self._nav_titles(nav["href"])
        spine = next((e for e in opf.iter() if local(e) == "spine"), None)
        ncx = manifest.get(spine.get("toc", "")) if spine is not None else None
        ncx = ncx or next((i for i in manifest.values()
                           if i["type"] == "application/x-dtbncx+xml"), None)
        return self._ncx_titles(ncx["href"]) if ncx else {}

    def _nav_titles(self, href: str) -> dict[str, str]:
        root = parse_html(self.zip.read(href), f"{self.path}: {href}", xhtml=True)
        base = posixpath.dirname(href)
        navs = [e for e in root.iter() if local(e) == "nav"]
        toc = next((n for n in navs if "toc" in _types(n)), navs[0] if navs else None)
        titles: dict[str, str] = {}
        for link in (toc.iter() if toc is not None else ()):
            if local(link) == "a" and link.get("href"):
                self._add_title(titles, link.get("href"), base, inline_text(link)[0], href)
        return titles

    def _ncx_titles(self, href: str) -> dict[str, str]:
        root = parse_xml(self.zip.read(href), f"{self.path}: {href}")
        base = posixpath.dirname(href)
        titles: dict[str, str] = {}
        for point in root.iter():
            if local(point) != "navpoint":
                continue
            label = next((e for e in point.iter() if local(e) == "text"), None)
            content = next((e for e in point.iter() if local(e) == "content"), None)
            if label is not None and content is not None and content.get("src"):
                self._add_title(titles, content.get("src"), base,
                                " ".join("".join(label.itertext()).split()), href)
        return titles

    def _add_title(self, titles: dict, link: str, base: str, title: str, toc: str) -> None:
        if re.match(r"^[a-z][a-z0-9+.-]*:", link, re.IGNORECASE) or not link.split("#")[0]:
            return  # a web address, or a place in the contents page itself: not a chapter
        target = self._href(link, base)
        if target not in self.zip.names:
            raise self.fail(f"the table of contents ({toc}) points at {link!r}, which is "
                            "missing from the archive; repair the EPUB's navigation")
        fragment = link.split("#", 1)[1] if "#" in link else ""
        if fragment and fragment not in self._ids(target):
            self.problems.append(Problem("toc-link", f"{toc}: {link!r} points at an id that "
                                         f"{target} does not have; its title is used for the "
                                         "whole file", WARNING))
        if title and target not in titles:
            titles[target] = title

    def _ids(self, href: str) -> set[str]:
        """The ids in a file, read once however many links point into it."""
        if href not in self._id_cache:
            text = self.zip.read(href).decode("utf-8", "replace")
            self._id_cache[href] = set(re.findall(r"""\bid=["']([^"']{1,200})["']""", text))
        return self._id_cache[href]

    def _document_blocks(self, href: str, toc_title: str | None) -> list[Block]:
        data = self.zip.read(href)
        if len(data) > MAX_HTML_BYTES:
            raise self.fail(f"{href} is {len(data) / 2**20:.0f} MB, more than narrate reads in "
                            f"one document ({MAX_HTML_BYTES // 2**20} MB); split it")
        root = parse_html(data, f"{self.path}: {href}", xhtml=True)
        blocks = body_blocks(root, href)
        merge_numbered_headings(blocks)
        headings = [b for b in blocks if b.kind == HEADING]
        if headings:
            top = min(b.level for b in headings)
            for block in headings:
                block.level = 1 + block.level - top
            if toc_title:
                headings[0].label, headings[0].text = sections.split_label(toc_title)
        elif toc_title and any(b.kind in PROSE for b in blocks):
            label, title = sections.split_label(toc_title)
            blocks.insert(0, Block(HEADING, title, part=href, level=1, label=label))
        return blocks

    def _metadata(self, opf) -> dict:
        meta = next((e for e in opf.iter() if local(e) == "metadata"), None)
        if meta is None:
            return {}
        refines: dict[str, dict[str, str]] = {}
        named: dict[str, str] = {}
        for e in meta.iter():
            if local(e) == "meta" and e.get("refines"):
                values = refines.setdefault(e.get("refines").lstrip("#"), {})
                prop, value = e.get("property", ""), " ".join("".join(e.itertext()).split())
                values[prop] = f"{values[prop]} {value}" if prop == "role" and prop in values \
                    else values.get(prop, value)
            elif local(e) == "meta" and e.get("name"):
                named[e.get("name")] = e.get("content", "")
        found: dict = {}
        for e in meta.iter():
            tag, text = local(e), " ".join("".join(e.itertext()).split())
            if not text:
                continue
            props = refines.get(e.get("id", ""), {})
            if tag == "title":
                kind = props.get("title-type", "main")
                key = {"main": "title", "subtitle": "subtitle"}.get(kind)
                if key and key not in found:
                    found[key] = text
            elif tag == "creator":
                roles = (props.get("role") or _attr(e, "role") or "aut").split()
                key = "author" if "aut" in roles else "narrator" if "nrt" in roles else None
                if key:
                    found[key] = f"{found[key]}, {text}" if key in found else text
            elif tag == "language" and "language" not in found:
                found["language"] = text
            elif tag == "date" and "year" not in found and re.match(r"\d{4}", text):
                found["year"] = text[:4]
            elif tag == "publisher" and "publisher" not in found:
                found["publisher"] = text
            elif tag == "description" and "description" not in found:
                found["description"] = " ".join(re.sub(r"<[^>]*>", " ", text).split())
            elif (tag == "meta" and e.get("property") == "belongs-to-collection"
                  and props.get("collection-type", "series") == "series"
                  and "series" not in found):
                found["series"] = text
                if props.get("group-position"):
                    found["series_index"] = props["group-position"]
        if named.get("calibre:series") and "series" not in found:
            found["series"] = named["calibre:series"]
            if named.get("calibre:series_index"):
                found["series_index"] = named["calibre:series_index"]
        return found

    def _cover(self, opf, manifest: dict) -> tuple[str, bytes] | None:
        item = next((i for i in manifest.values() if "cover-image" in i["properties"]), None)
        if item is None:
            cover_id = next((e.get("content") for e in opf.iter()
                             if local(e) == "meta" and e.get("name") == "cover"), None)
            item = manifest.get(cover_id or "")
        if item is None or not item["type"].startswith("image/") or item["href"] not in self.zip.names:
            return None
        return posixpath.basename(item["href"]), self.zip.read(item["href"])


def _types(element) -> list[str]:
    return (element.get("{http://www.idpf.org/2007/ops}type") or element.get("epub:type")
            or "").split()


def _attr(element, name: str) -> str:
    """An attribute in any namespace (EPUB 2's opf:role)."""
    return next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == name), "")
