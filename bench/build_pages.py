"""Build the HTML gold set in bench/pages/ from the hand-written corpus in tests/realistic/.

    python bench/build_pages.py

Each story of tests/realistic/ has a reviewed clean text (``<case>.expected.json``). This
renders stories as real-world-shaped HTML pages whose body is known:

- ``agg_*``: an aggregator page in the seeds' shape (main story, hashtags, AI box, comments,
  "Related Articles" cards with outlet, time, byline, headline and the flattened body with
  its inline residue, as the aggregator serves it). Gold: the main story's text.
- ``art_*``: every story of 40 words or more as an article page in one of four publisher
  templates (semantic news site, WordPress, div soup with data attributes, <br>-separated blog post), with navigation,
  share bars, newsletter boxes, comments, related links and footers. The residue the
  aggregator flattened into the body stands as publishers put it: "READ MORE:" teaser
  paragraphs and video players showing their duration. Gold: the story's text.

Writes ``<name>.html`` and ``<name>.gold.json`` (type, headline, outlet, text, cards). The
output is deterministic; the files are committed, so the bench never depends on this script
having run.
"""

# ruff: noqa: E501  (the page templates are data: one line of markup each)

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from ingest.clean import clean_dump
from ingest.decode import decode_bytes
from ingest.repair import repair_line
from ingest.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "realistic"
OUT = ROOT / "bench" / "pages"
_SENTENCE = re.compile(r"(?<=[.!?”\"'])\s+(?=[A-Z“\"'])")
_DURATION = re.compile(r"^(?:\d{1,2}:)?\d{1,2}:\d\d$")
TEMPLATES = ("news", "wordpress", "divsoup", "blog")
MIN_ARTICLE_WORDS = 40


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def split_raw_body(raw: str, residue: list[str]) -> list[tuple[str, str]]:
    """Cut a flattened body into ("text", ...) and ("residue", ...) pieces, in order."""
    pieces: list[tuple[str, str]] = []
    pos = 0
    for span in residue:
        at = raw.find(span, pos)
        if at < 0:
            continue
        if raw[pos:at].strip():
            pieces.append(("text", raw[pos:at].strip()))
        pieces.append(("residue", span))
        pos = at + len(span)
    if raw[pos:].strip():
        pieces.append(("text", raw[pos:].strip()))
    return pieces


def paragraphs_of(text: str, per: int = 3) -> list[str]:
    sentences = _SENTENCE.split(text)
    return [" ".join(sentences[i : i + per]) for i in range(0, len(sentences), per)]


def residue_html(span: str) -> str:
    if _DURATION.match(span):
        return (
            '<div class="video-player" data-component="video"><button aria-label="Play">'
            f'</button><span class="duration">{esc(span)}</span></div>'
        )
    marker, _, rest = span.partition(":")
    if rest:
        return (
            f'<p class="read-more"><strong>{esc(marker)}:</strong> '
            f'<a href="/news/{_slug(rest)}">{esc(rest.strip())}</a></p>'
        )
    return f"<p>{esc(span)}</p>"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def body_html(pieces: list[tuple[str, str]], para: str = "<p>{}</p>") -> list[str]:
    out = []
    for kind, text in pieces:
        if kind == "residue":
            out.append(residue_html(text))
        else:
            out.extend(para.format(esc(p)) for p in paragraphs_of(text))
    return out


def story_sources(case: Path) -> list[dict[str, Any]]:
    """Each story of a case: expected fields, and its raw body lines from the dump."""
    expected = json.loads(case.with_suffix(".expected.json").read_text("utf-8"))
    result = clean_dump(case.read_bytes(), path=case.name, rules=load_rules())
    lines = [repair_line(line)[0] for line in decode_bytes(case.read_bytes()).text.split("\n")]
    stories = []
    for doc, want in zip(result.documents, expected, strict=True):
        start, end = doc.source.line_start or 1, doc.source.line_end or 1
        span = [line.strip() for line in lines[start - 1 : end]]
        if want["headline"] in span:
            span = span[span.index(want["headline"]) + 1 :]
        body = [s for s in span if s]
        while body and (body[-1] in _CHROME or body[-1].startswith("#")):
            body.pop()  # the page chrome closing the main story, not a look-alike in it
        stories.append({**want, "raw": body})
    return stories


_CHROME = {
    "Hashtags",
    "Try Our AI Features",
    "Explore what Daily8 AI can do for you:",
    "Comments",
    "No comments yet...",
    "Related Articles",
}


def render_aggregator(stories: list[dict[str, Any]], name: str) -> str:
    main = stories[0]
    paras = "\n".join(f"<p>{esc(p)}</p>" for p in main["raw"])
    cards = []
    for k, s in enumerate(stories[1:], start=1):
        byline = f'<div class="byline">- {esc(s["outlet"])}</div>' if s["outlet"] else ""
        body = " ".join(s["raw"])
        cards.append(
            f"""<div class="article-card">
<div class="source">{esc(s["outlet"] or "")}</div>
<div class="time">{esc(s["published_text"] or "")}</div>
{byline}
<h3 class="card-title"><a href="/news/{name}-{k}">{esc(s["headline"] or "")}</a></h3>
<div class="card-body"><p>{esc(body)}</p></div>
</div>"""
        )
    title = esc(main["headline"] or "Daily8")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - Daily8</title>
<meta property="og:site_name" content="Daily8"><meta property="og:title" content="{title}">
<meta name="viewport" content="width=device-width"><script>window.dataLayer=[];</script>
<link rel="canonical" href="https://daily8.example/news/{name}"></head>
<body><header class="site-header"><a class="logo" href="/">Daily8</a>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a> <a href="/sport">Sport</a></nav></header>
<main><article class="story"><h1>{title}</h1>
<div class="story-body">
{paras}
</div>
<div class="hashtags"><h3>Hashtags</h3></div>
<section class="ai-box"><h3>Try Our AI Features</h3><p>Explore what Daily8 AI can do for you:</p>
<button>Summarise</button> <button>Translate</button></section>
<section class="comments"><h3>Comments</h3><p>No comments yet...</p></section>
</article>
<section class="related-articles"><h2>Related Articles</h2>
{chr(10).join(cards)}
</section></main>
<footer><p>© 2025 Daily8</p><a href="/about">About</a> <a href="/privacy">Privacy</a></footer>
</body></html>
"""


def render_article(story: dict[str, Any], template: str, name: str) -> str:
    title = esc(story["headline"] or "")
    outlet = esc(story["outlet"] or "The Courier")
    pieces = [piece for line in story["raw"] for piece in split_raw_body(line, story["removed"])]
    head = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | {outlet}</title>
<meta property="og:site_name" content="{outlet}"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="2025-08-15T08:00:00+00:00">
<link rel="canonical" href="https://news.example/{name}">
<script>var ads = {{slots: ["top", "mpu"]}};</script><style>body{{margin:0}}</style></head>"""
    if template == "news":
        body = body_html(pieces)
        body.insert(min(3, len(body)), _NEWSLETTER)
        return f"""{head}
<body><div class="cookie-banner"><p>We use cookies to give you the best experience. Manage your preferences or accept all cookies.</p><button>Accept</button></div>
<header><a class="logo" href="/">{outlet}</a><nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav></header>
<main><article><h1>{title}</h1>
<div class="byline">By <a href="/staff/reporter">Staff Reporter</a> · <time datetime="2025-08-15T08:00:00+00:00">15 August 2025</time></div>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#">Copy link</a></div>
{chr(10).join(body)}
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
</article>
<section class="comments"><h2>Comments (2)</h2>
<div class="comment"><p class="author">reader_one</p><p>I have been saying this for years and nobody in charge ever listens to us.</p></div>
<div class="comment"><p class="author">localview</p><p>Good to see this finally getting the attention it deserves from the press.</p></div></section>
<section class="more-stories"><h2>More stories</h2><ul>
<li class="story-card"><span class="outlet">{outlet}</span> <time>4 hours ago</time><h3><a href="/news/other-1">Council backs plan for new cycle lanes in city centre</a></h3><p>The scheme will cost £2m and take a year to build.</p></li>
<li class="story-card"><span class="outlet">{outlet}</span> <time>6 hours ago</time><h3><a href="/news/other-2">School holiday dates confirmed for next year</a></h3></li>
</ul></section></main>
<footer><p>© 2025 {outlet}. All rights reserved.</p><a href="/privacy">Privacy policy</a> <a href="/terms">Terms</a></footer>
</body></html>
"""
    if template == "wordpress":
        body = body_html(pieces)
        return f"""{head}
<body class="single-post"><div id="page" class="site">
<header id="masthead" class="site-header"><p class="site-title"><a href="/">{outlet}</a></p>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu"><li><a href="/">Home</a></li><li><a href="/category/politics">Politics</a></li><li><a href="/category/culture">Culture</a></li><li><a href="/contact">Contact</a></li></ul></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article class="post type-post status-publish hentry"><header class="entry-header"><h1 class="entry-title">{title}</h1>
<div class="entry-meta"><span class="posted-on">Posted on <time class="entry-date published" datetime="2025-08-15T08:00:00+00:00">August 15, 2025</time></span> <span class="byline">by <span class="author vcard"><a class="url fn n" href="/author/editor">editor</a></span></span></div></header>
<div class="entry-content">
{chr(10).join(body)}
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3><ul><li><a class="share-twitter" href="#">Twitter</a></li><li><a class="share-facebook" href="#">Facebook</a></li></ul></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Related</em></h3>
<div class="jp-relatedposts-items"><p class="jp-relatedposts-post"><a href="/2025/08/01/a">Town hall vote set for September</a></p><p class="jp-relatedposts-post"><a href="/2025/07/20/b">Library hours cut again</a></p></div></div>
</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/category/politics">Politics</a></span> <span class="tags-links">Tagged <a href="/tag/news">news</a></span></footer></article>
<div id="comments" class="comments-area"><h2 class="comments-title">One thought on “{title}”</h2>
<ol class="comment-list"><li class="comment"><article class="comment-body"><footer class="comment-meta"><b class="fn">Margaret</b> <time datetime="2025-08-15T10:00:00+00:00">August 15, 2025 at 10:00 am</time></footer>
<div class="comment-content"><p>Thank you for writing this up, it is more detail than the local paper gave us.</p></div></article></li></ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3><form><p class="comment-notes">Your email address will not be published. Required fields are marked *</p><textarea></textarea><input type="submit" value="Post Comment"></form></div></div>
</main></div>
<aside id="secondary" class="widget-area"><section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul><li><a href="/x">Harbour festival returns</a></li><li><a href="/y">Bus timetable changes from Monday</a></li></ul></section>
<section class="widget widget_tag_cloud"><h2 class="widget-title">Tags</h2><div class="tagcloud"><a href="/tag/a">council</a> <a href="/tag/b">transport</a> <a href="/tag/c">weather</a></div></section></aside>
</div><footer id="colophon" class="site-footer"><div class="site-info">Proudly powered by WordPress</div></footer></div></body></html>
"""
    if template == "divsoup":
        body = body_html(pieces, '<div data-component="text-block"><p>{}</p></div>')
        return f"""{head}
<body><div id="orb-banner"><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a> <a href="/weather">Weather</a> <a href="/iplayer">iPlayer</a></div>
<div class="ssrcss-1ocoo3l-Wrap"><div class="ssrcss-nav"><a href="/news/world">World</a> <a href="/news/uk">UK</a> <a href="/news/business">Business</a> <a href="/news/politics">Politics</a></div>
<div id="main-content" class="ssrcss-main"><div data-component="headline-block"><h1 id="main-heading">{title}</h1></div>
<div data-component="byline-block"><span>15 August 2025</span> <span>Share</span> <span>Save</span></div>
{chr(10).join(body)}
<div data-component="tag-list"><h2>Related topics</h2><ul><li><a href="/t/1">Politics</a></li><li><a href="/t/2">Europe</a></li></ul></div>
<div data-component="links-block"><h2>More on this story</h2><ul><li><a href="/n/1">What the deal means for you</a></li><li><a href="/n/2">Five things we learned this week</a></li></ul></div></div>
<div class="ssrcss-top-stories"><h2>Top stories</h2><ul><li><a href="/n/3">Storm warnings issued for the weekend</a><span>2 hours ago</span></li><li><a href="/n/4">Prices rise at fastest rate in a year</a><span>3 hours ago</span></li></ul></div>
<div class="ssrcss-most-read"><h2>Most read</h2><ol><li><a href="/n/5">Man rescued from cliff after six hours</a></li><li><a href="/n/6">Zoo welcomes twin red pandas</a></li></ol></div></div>
<div id="orb-footer"><a href="/terms">Terms of Use</a> <a href="/about">About the site</a> <a href="/privacy">Privacy Policy</a> <p>Copyright 2025. We are not responsible for the content of external sites.</p></div>
</body></html>
"""
    body = body_html(pieces, "{}<br><br>")
    return f"""{head}
<body><div id="header"><h2><a href="/">{outlet} blog</a></h2><div class="menu"><a href="/">Home</a> | <a href="/archive">Archive</a> | <a href="/about">About</a></div></div>
<div id="wrapper"><div class="post"><h1 class="post-title">{title}</h1><div class="post-info">Posted by admin on August 15, 2025</div>
<div class="post-body">
{chr(10).join(body)}
</div><div class="post-footer">Labels: <a href="/l/news">news</a> | <a href="#comments">3 comments</a> | <a href="#">Share to Twitter</a> <a href="#">Share to Facebook</a></div></div>
<div id="comments"><h4>3 comments:</h4><dl><dt>Anonymous said...</dt><dd>Great post, thanks for sharing this with us all.</dd><dt>Ravi said...</dt><dd>I saw this on the news last night but your summary is much clearer.</dd></dl></div>
<div id="sidebar"><h3>Blog Archive</h3><ul><li>August (12)</li><li>July (9)</li></ul><h3>About Me</h3><p>I write about local news and politics.</p></div></div>
<div id="footer">Powered by Blogger.</div></body></html>
"""


_NEWSLETTER = (
    '<aside class="newsletter-signup"><h3>Sign up for our morning briefing</h3><p>The news you '
    'need to start your day, in your inbox every weekday.</p><form><input type="email" '
    'placeholder="Email address"><button>Sign up</button></form></aside>'
)


def build(out: Path = OUT) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    names = []
    article_count = 0
    for case in sorted(CORPUS.glob("*.txt")):
        stories = story_sources(case)
        stem = case.stem.split("_", 1)[0]
        name = f"agg_{stem}"
        _write(out, name, render_aggregator(stories, name), "aggregator", stories[0], stories[1:])
        names.append(name)
        for k, story in enumerate(stories):
            if len(story["text"].split()) < MIN_ARTICLE_WORDS:
                continue  # short related teasers do not make article pages
            template = TEMPLATES[article_count % len(TEMPLATES)]
            article_count += 1
            name = f"art_{stem}_{k}_{template}"
            _write(out, name, render_article(story, template, name), "article", story, [])
            names.append(name)
    return names


def _write(
    out: Path,
    name: str,
    page: str,
    kind: str,
    story: dict[str, Any],
    cards: list[dict[str, Any]],
) -> None:
    (out / f"{name}.html").write_text(page, "utf-8")
    gold = {
        "type": kind,
        "headline": story["headline"],
        "text": story["text"],
        "residue": story["removed"],
        "cards": [
            {"outlet": c["outlet"], "headline": c["headline"], "text": c["text"]} for c in cards
        ],
    }
    (out / f"{name}.gold.json").write_text(
        json.dumps(gold, ensure_ascii=False, indent=1) + "\n", "utf-8"
    )


if __name__ == "__main__":
    built = build()
    print(f"{len(built)} pages written to {OUT}")
