"""index.html: the book to read while it plays, with nothing fetched from anywhere.

A player per chapter above the chapter's text; the segment being read is highlighted and
scrolled into view, and clicking a sentence plays from it. The timings are the chapter's
WebVTT captions (each cue is named by its segment id), carried inside the page so that
it works from file:// too, where a browser will not let a page load the .vtt files
beside it. The text is the book's and untrusted: all of it is escaped.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from narrate.stitch.readalong import paragraphs_of, segment_anchor

STYLE = """body { font-family: Georgia, serif; max-width: 42em; margin: 2em auto; padding: 0 1em;
  line-height: 1.6; color: #222; }
audio { width: 100%; position: sticky; top: 0; background: #fff; }
.seg { cursor: pointer; border-radius: 3px; }
.seg:hover { background: #eef; }
.seg.active { background: #ffe08a; }
p.credit { font-style: italic; }"""

FOLLOW = (Path(__file__).parent / "follow.js").read_text(encoding="utf-8")
SCRIPT = FOLLOW + """(function () {
  function seconds(stamp) {
    var parts = stamp.trim().split(':').map(Number);
    return parts.reduce(function (total, part) { return total * 60 + part; }, 0);
  }
  function cues(vtt) {  // WebVTT: a cue is an id line, then "start --> end", then text
    var found = [], lines = vtt.split(/\\r?\\n/);
    for (var i = 1; i < lines.length; i++) {
      var times = lines[i].split(' --> ');
      if (times.length === 2) {
        found.push({id: lines[i - 1].trim(), start: seconds(times[0]),
                    end: seconds(times[1].split(' ')[0])});
      }
    }
    return found;
  }
  document.querySelectorAll('section.chapter').forEach(function (chapter) {
    var audio = chapter.querySelector('audio');
    var timed = cues(chapter.querySelector('pre.vtt').textContent);
    followPlayer(audio, function () { return timed; }, function (id) {
      return chapter.querySelector('[data-cue="' + id + '"]');
    });
    chapter.querySelectorAll('.seg').forEach(function (span) {
      span.addEventListener('click', function () {
        var cue = timed.filter(function (c) { return c.id === span.dataset.cue; })[0];
        if (!cue) { return; }
        audio.currentTime = cue.start + 0.001;
        audio.play();
      });
    });
  });
})();"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def page_html(info, chapters: list[tuple[str, str, str, list[dict]]]) -> str:
    """The page. `chapters`: (title, MP3 file name, its WebVTT text, its cues)."""
    sections = []
    for number, (title, mp3, vtt, cues) in enumerate(chapters, start=1):
        body = []
        paragraphs = paragraphs_of([c for c in cues if c["text"].strip()])
        for kind, group in paragraphs:
            spans = " ".join(f"<span class=\"seg\" id=\"{segment_anchor(c['id'])}\" "
                             f"data-cue=\"{_esc(c['id'])}\">{_esc(c['text'])}</span>"
                             for c in group)
            tag = "h2" if kind == "title" else "p"
            css = " class=\"credit\"" if kind == "credit" else ""
            body.append(f"<{tag}{css}>{spans}</{tag}>")
        if not any(kind == "title" for kind, _ in paragraphs):
            body.insert(0, f"<h2>{_esc(title)}</h2>")
        sections.append(
            f"<section class=\"chapter\" id=\"chapter-{number}\">\n"
            f"<audio controls preload=\"metadata\" src=\"{quote(mp3)}\"></audio>\n"
            f"<pre class=\"vtt\" hidden>{_esc(vtt)}</pre>\n" + "\n".join(body) + "\n</section>")
    byline = f"<p>{_esc(info.author)}</p>" if info.author else ""
    page = (f"<!DOCTYPE html>\n<html lang=\"{_esc(info.language or 'en')}\">\n<head>\n"
            "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n"
            f"<title>{_esc(info.title)}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
            f"<h1>{_esc(info.title)}</h1>\n{byline}\n" + "\n".join(sections)
            + f"\n<script>\n{SCRIPT}\n</script>\n</body>\n</html>\n")
    return page
