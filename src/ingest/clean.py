"""The cleaning pipeline for one dump: bytes in, story documents out, nothing lost.

decode -> repair each line -> detect profiles -> find headers -> per story: header fields,
chrome runs, inline residue -> Document. Every line of the dump lands in exactly one story's
line span; every character is either kept (text or metadata) or recorded in ``removed``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ingest.decode import decode_bytes, file_source
from ingest.document import Document, Evidence, RecordFailure, Removal, Repair
from ingest.errors import check_size, no_story
from ingest.furniture import find_furniture, is_byline_line, is_picture_credit
from ingest.language import detect_language
from ingest.learn import (
    LEARNING,
    Learned,
    StoryFeatures,
    collapse_line,
    line_ids,
    match_story,
    source_of,
    story_features,
    story_of,
)
from ingest.published import resolve_published
from ingest.repair import repair_lines
from ingest.residue import (
    apply_cuts,
    find_cuts,
    find_glued_caption,
    find_glued_repeat,
    group_quotable,
)
from ingest.rules import InlineRule, LineRule, Profile, Rules, Settings, profile_settings
from ingest.split import (
    Block,
    count_gap_lines,
    detect_profiles,
    find_chrome,
    find_headers,
    is_name,
    looks_like_headline,
    looks_like_title_over,
    outlet_names,
    split_blocks,
    split_outlet_tail,
)

_SENTENCE_ENDS = frozenset(".!?…")
_CLOSERS = "”’\"')]"


@dataclass(frozen=True)
class PageLines:
    """An HTML page's text as its cleaning read it, for ``ingest inspect`` and the run's report.

    ``lines``: the extracted lines the documents' ``removed[].line`` count;
    ``not_extracted``: the page's own text lines (one per block element) that extraction
    left out. Handed over from the cleaning so the report need not read the page again.
    """

    lines: tuple[str, ...]
    not_extracted: tuple[str, ...]


@dataclass(frozen=True)
class DumpResult:
    """What one dump became: its documents, and removals that belong to no story."""

    documents: tuple[Document, ...]
    orphans: tuple[Removal, ...]
    repairs: tuple[Repair, ...]
    sha256: str
    aggregator: str | None
    failures: tuple[RecordFailure, ...] = ()
    # The names of the profiles detected in it; None where the front end does not say.
    profiles: tuple[str, ...] | None = None
    # Each story's contribution to learned boilerplate (ingest.learn), when asked for.
    stories: tuple[StoryFeatures, ...] = ()
    # An HTML page's lines for the inspect report, when asked for (``page_lines``).
    page: PageLines | None = None


@dataclass(frozen=True)
class LineStory:
    """A story found by :func:`clean_lines` in text another front end extracted.

    ``first``/``last`` are its 1-based line span in those lines; ``dropped`` holds the header
    fields of a story left with no text (kept in the audit, as in a dump).
    """

    first: int
    last: int
    outlet: str | None
    headline: str | None
    published_text: str | None
    text: str
    truncated: bool
    removed: tuple[Removal, ...]
    dropped: tuple[Removal, ...]


@dataclass(frozen=True)
class _Context:
    lines: list[str]
    rules: Rules
    chrome: tuple[LineRule, ...]
    inline: tuple[InlineRule, ...]
    settings: Settings
    to_end: tuple[LineRule, ...] = ()
    # Learned boilerplate: the dump's source, what was learned from it, and whether to
    # collect each story's features for learning.
    source: str = ""
    learned: Learned | None = None
    collect: bool = False


def _context(
    lines: list[str],
    rules: Rules,
    profiles: tuple[Profile, ...],
    source: str = "",
    learned: Learned | None = None,
    collect: bool = False,
) -> _Context:
    """What cleaning one dump's lines needs: its profiles' rules and settings."""
    chrome = tuple(r for p in profiles for r in p.chrome_lines)
    return _Context(
        lines=lines,
        rules=rules,
        chrome=tuple(r for r in chrome if r.kind == "line"),
        inline=rules.inline + tuple(r for p in profiles for r in p.inline),
        settings=profile_settings(rules.settings, profiles),
        to_end=tuple(r for r in chrome if r.kind == "to_end"),
        source=source,
        learned=learned if learned is not None and learned.features else None,
        collect=collect,
    )


def clean_dump(
    data: bytes,
    *,
    path: str,
    rules: Rules,
    scraped_at: datetime | None = None,
    learn: bool = False,
    learned: Mapping[str, Learned] | None = None,
    scraped_from: str | None = None,
    sha256: str | None = None,
) -> DumpResult:
    """Clean one dump's bytes into documents, or raise IngestError saying why it cannot be.

    ``path`` is recorded as provenance; ``scraped_at`` anchors relative times ("2 hours ago"),
    and ``scraped_from`` says where it came from (ingest.scraped; default ``flag``).
    ``learn`` collects each story's line features (``DumpResult.stories``); ``learned``
    (source → what was learned from it, ingest.learn) removes the dump's source's learned
    boilerplate. Without either, a :data:`ingest.learn.LEARNING` set around the call (a JSON
    record's text) says what to do, and gathers the stories.
    """
    learning = LEARNING.get() if not (learn or learned) else None
    if learning is not None:
        learn, learned = learning.collect, learning.learned
    check_size(len(data), rules.settings.max_file_bytes)
    decoded = decode_bytes(data)
    base = file_source(
        data, decoded, path=path, scraped_at=scraped_at, scraped_from=scraped_from, sha256=sha256
    )
    sha = base.sha256
    lines = decoded.text.split("\n")
    repairs = repair_lines(lines)
    profiles = detect_profiles(lines, rules)
    aggregator = next((p.aggregator for p in profiles if p.aggregator), None)
    source = source_of(path, (p.name for p in profiles)) if learn or learned else ""
    ctx = _context(lines, rules, profiles, source, (learned or {}).get(source), collect=learn)
    docs: list[Document] = []
    # A story left with no text gives no document; what was taken from it (its header as
    # empty_story, its chrome and residue) goes into the audit of the story before it, or
    # of the first one when it comes first, so every removed span is in some document.
    # Gathered here and handed over once, in line order: a run of empty stories costs
    # one copy of the document, not one each.
    orphans: list[Removal] = []
    stories: list[StoryFeatures] = []
    headers = find_headers(lines, rules, ctx.chrome)
    names = outlet_names((h.outlet for h in headers if h.outlet), lines) if headers else {}
    for index, block in enumerate(split_blocks(lines, headers)):
        story = _clean_block(ctx, block)
        if story.features is not None:
            stories.append(story.features)
        if not story.text:
            dropped = [*story.removed, *story.header_removals(lines)]
            orphans.extend(sorted(dropped, key=lambda r: (r.line, r.start)))
            continue
        if orphans and docs:
            docs[-1] = _with_removals(docs[-1], orphans)
            orphans = []
        elif orphans:
            story.removed[:0] = orphans
            orphans = []
        first, last = _trim_span(lines, block)
        outlet = names.get(story.outlet, story.outlet) if story.outlet else story.outlet
        docs.append(
            Document(
                source=dataclasses.replace(
                    base,
                    index=index,
                    line_start=first + 1,
                    line_end=last + 1,
                    outlet_text=story.outlet if outlet != story.outlet else None,
                ),
                outlet=outlet,
                headline=story.headline,
                aggregator=aggregator,
                published_text=story.published_text,
                published=resolve_published(story.published_text, scraped_at),
                text=story.text,
                language=detect_language(
                    story.text, ctx.settings.min_language_words, ctx.rules.language
                ),
                truncated=not _ends_complete(story.text),
                removed=tuple(story.removed),
                repairs=tuple(r for r in repairs if first < r.line <= last + 1),
            )
        )
    if orphans and docs:
        docs[-1] = _with_removals(docs[-1], orphans)
        orphans = []
    if not docs:
        raise no_story((r.rule for r in orphans), len(orphans))
    if learning is not None:
        learning.stories.extend(stories)
    return DumpResult(
        tuple(docs),
        tuple(orphans),
        tuple(repairs),
        sha,
        aggregator,
        profiles=tuple(p.name for p in profiles),
        stories=tuple(stories),
    )


def clean_lines(
    lines: list[str],
    rules: Rules,
    profiles: tuple[Profile, ...],
    *,
    split: bool = True,
    find_headline: bool = True,
) -> tuple[LineStory, ...]:
    """Run the dump path's story splitting, chrome and residue rules over extracted lines.

    For front ends whose text comes from elsewhere (HTML pages, JSON records): ``lines``
    are already decoded and repaired, one paragraph each. ``split=False`` keeps them one
    story (no related-story header is looked for); ``find_headline=False`` never takes the
    first line as the headline. Every story is returned, including those left empty.

    Learned boilerplate takes part when :data:`ingest.learn.LEARNING` is set (the front end's
    file is being learned from): each story's features are gathered there.

    >>> from ingest.rules import load_rules
    >>> [s.text for s in clean_lines(["Body. 3:10 More body."], load_rules(), ())]
    ['Body. More body.']
    """
    learning = LEARNING.get()
    if learning is None:
        ctx = _context(lines, rules, profiles)
    else:
        source = source_of(learning.path, (p.name for p in profiles))
        learned = learning.learned.get(source)
        ctx = _context(lines, rules, profiles, source, learned, collect=learning.collect)
    headers = find_headers(lines, rules, ctx.chrome) if split else []
    stories = []
    for block in split_blocks(lines, headers):
        story = _clean_block(ctx, block, find_headline=find_headline)
        if learning is not None and story.features is not None:
            learning.stories.append(story.features)
        first, last = _trim_span(lines, block)
        stories.append(
            LineStory(
                first=first + 1,
                last=last + 1,
                outlet=story.outlet,
                headline=story.headline,
                published_text=story.published_text,
                text=story.text,
                truncated=bool(story.text) and not _ends_complete(story.text),
                removed=tuple(story.removed),
                dropped=tuple(story.header_removals(lines)),
            )
        )
    return tuple(stories)


@dataclass
class _Story:
    outlet: str | None
    headline: str | None
    published_text: str | None
    text: str
    removed: list[Removal]
    kept_lines: list[tuple[int, str]]
    features: StoryFeatures | None = None

    def header_removals(self, lines: list[str]) -> list[Removal]:
        """Header fields of a story with no text, kept in the audit as removed.

        Each at its column in its line (an indented outlet line, a byline's outlet after
        its dash), so the audit's positions hold.
        """
        return [
            Removal("empty_story", text, line, max(lines[line - 1].find(text), 0))
            for line, text in self.kept_lines
            if text
        ]


def _with_removals(doc: Document, extra: list[Removal]) -> Document:
    """A document whose audit also lists ``extra`` (spans after its own, in line order)."""
    return dataclasses.replace(doc, removed=(*doc.removed, *extra))


def _clean_block(ctx: _Context, block: Block, *, find_headline: bool = True) -> _Story:
    lines = ctx.lines
    removed: list[Removal] = []
    kept: list[tuple[int, str]] = []
    header = block.header
    outlet = headline = published_text = None
    body_start = block.start
    if header is not None:
        published_text = header.published_text
        kept.append((header.published_line + 1, published_text))
        # The time line's other fields: "Reuters · 3h", "3h ago • By Jane Doe".
        start = _indent(lines[header.published_line])
        text = lines[header.published_line].strip()
        for a, b in header.fields:
            removed.append(Removal("header_field", text[a:b], header.published_line + 1, start + a))
        for n in header.field_lines:  # "3 min read" under the time
            removed.append(Removal("header_field", lines[n].strip(), n + 1, _indent(lines[n])))
        if header.outlet_line is None:
            pass
        elif header.outlet_line in (header.published_line, header.headline_line):
            outlet = header.outlet  # "Reuters · 3h", "Headline - Reuters"
            kept.append((header.outlet_line + 1, outlet or ""))
        elif is_picture_credit(
            text := lines[header.outlet_line].strip(),
            ctx.rules.furniture,
            ctx.settings.max_furniture_words,
        ):
            # A photo's credit over the story's date is no outlet ("JIM WATSON/AFP/Getty
            # Images" / "22 Dec, 2016"): the header stands, the credit goes.
            n = header.outlet_line
            removed.append(Removal("credit_line", text, n + 1, _indent(lines[n])))
        else:
            outlet = header.outlet
            kept.append((header.outlet_line + 1, text))
        if header.byline_line is not None:
            removed.extend(_byline_removals(lines, header.byline_line, header.outlet_line))
            if header.outlet_line is None:
                outlet = header.byline
                kept.append((header.byline_line + 1, header.byline or ""))
        if header.headline_line is not None:
            headline = header.headline
            kept.append((header.headline_line + 1, headline or ""))
            n = header.headline_line
            for a, b in header.headline_fields:  # "Headline - Reuters": the dash
                text = lines[n].strip()
                removed.append(Removal("header_field", text[a:b], n + 1, _indent(lines[n]) + a))
        # A card's footer ("Headline" / snippet / "Reuters · 3h"): the body is above it.
        body_start = (header.headline_line or 0) + 1 if header.footer else header.last + 1
    header_lines = {header.published_line} if header is not None and header.footer else set()
    chrome = find_chrome(lines, body_start, block.end, ctx.chrome, ctx.settings.min_chrome_run)
    if ctx.to_end:
        chrome.update(_find_to_end(lines, body_start, block.end, ctx.to_end, chrome))
    for n, rule in sorted(chrome.items()):
        text = lines[n].strip()
        removed.append(Removal(rule, text, n + 1, _indent(lines[n])))
    body = [
        n
        for n in range(body_start, block.end)
        if lines[n].strip() and n not in chrome and n not in header_lines
    ]
    if find_headline and header is None and len(body) > 1:
        first = lines[body[0]]
        if looks_like_headline(first, ctx.settings.max_headline_words) or looks_like_title_over(
            first, lines[body[1]]
        ):
            headline = first.strip()
            tail = split_outlet_tail(headline, ctx.settings.max_outlet_chars)
            if tail is not None and is_name(tail[1]):
                # The page's title as saved: "Headline | Outlet", "Headline - BBC News".
                headline, outlet, (a, b) = tail
                n = body[0]
                removed.append(
                    Removal("header_field", first.strip()[a:b], n + 1, _indent(first) + a)
                )
                kept.append((n + 1, outlet))
            kept.append((body[0] + 1, headline))
            body = body[1:]
            k = _date_under_title(ctx, body)
            if k is not None:
                published_text = lines[body[k]].strip()
                kept.append((body[k] + 1, published_text))
                body = body[:k] + body[k + 1 :]
    body = _drop_furniture(ctx, body, removed, headline)
    if header is not None or block.end < len(lines):  # a page of story cards
        gap = count_gap_lines([lines[n].strip() for n in body])
        for n in body[len(body) - gap :]:
            removed.append(Removal("between_stories", lines[n].strip(), n + 1, _indent(lines[n])))
        body = body[: len(body) - gap]
    features = None
    if (ctx.collect or ctx.learned) and body:
        texts = [lines[n].strip() for n in body]
        max_words = ctx.settings.learn_max_words
        # Each line's features and their ids once, for what is learned and removed alike.
        collapsed = [collapse_line(t) for t in texts]
        per_line = story_features(texts, max_words, collapsed)
        ids = line_ids(per_line)
        if ctx.collect:
            features = story_of(ctx.source, collapsed, ids, collapsed=True)
        if ctx.learned:
            gone = set()
            for i, match in match_story(texts, ctx.learned, max_words, per_line, ids):
                n = body[i]
                gone.add(n)
                evidence = Evidence(ctx.source, match.pattern)
                removed.append(Removal(match.rule, texts[i], n + 1, _indent(lines[n]), evidence))
            body = [n for n in body if n not in gone]
    paragraphs: list[str] = []
    settings, cues = ctx.settings, ctx.rules.cues
    quotable = group_quotable(lines[n].strip() for n in body)
    for n in body:
        raw = lines[n]
        text = raw.strip()
        offset = _indent(raw)
        cuts = find_cuts(text, ctx.inline, cues, settings)
        same = quotable.get(text.split(" ", 1)[0], ()) if text else ()
        glued = find_glued_repeat(text, (t for t in same if t != text)) if same else None
        if glued is not None and not any(c.start < glued.end for c in cuts):
            cuts.insert(0, glued)
        caption = find_glued_caption(text) if n != body[-1] else None
        if caption is not None and not any(c.end > caption.start for c in cuts):
            cuts.append(caption)
        for cut in cuts:
            removed.append(Removal(cut.rule, text[cut.start : cut.end], n + 1, offset + cut.start))
        paragraph = apply_cuts(text, cuts) if cuts else text
        if paragraph:
            paragraphs.append(paragraph)
    removed.sort(key=lambda r: (r.line, r.start))
    return _Story(
        outlet, headline, published_text, "\n\n".join(paragraphs), removed, kept, features
    )


def _date_under_title(ctx: _Context, body: list[int]) -> int | None:
    """The index in ``body`` of the story's date alone under its title ("August 25, 2013",
    "il y a 2 heures"), read by the header's own time patterns: the first line, or the
    second under a byline, over a paragraph. A date between paragraphs, or one of several
    (a diary's entries), is the story's text."""
    lines, published = ctx.lines, ctx.rules.published

    def is_date(n: int) -> bool:
        text = lines[n].strip()
        return len(text) <= 60 and any(p.match(text) for p in published)

    k = 1 if len(body) > 1 and is_byline_line(lines[body[0]].strip()) else 0
    if k + 1 >= len(body) or len(lines[body[k + 1]].split()) < 8 or not is_date(body[k]):
        return None
    return None if any(is_date(n) for n in body[k + 1 :]) else k


def _drop_furniture(
    ctx: _Context, body: list[int], removed: list[Removal], headline: str | None
) -> list[int]:
    """Record the body's furniture lines (credits, ad slots, teasers ...) as removed.

    A story whose every line reads as furniture keeps them all: a one-line story "Video"
    or a lone credit is more likely text than a page with nothing but furniture.
    """
    lines = ctx.lines
    texts = [lines[n].strip() for n in body]
    found = find_furniture(texts, ctx.rules.furniture, ctx.settings, headline)
    if not found or len(found) == len(body):
        return body
    for k, rule in sorted(found.items()):
        n = body[k]
        removed.append(Removal(rule, lines[n].strip(), n + 1, _indent(lines[n])))
    return [n for k, n in enumerate(body) if k not in found]


def _find_to_end(
    lines: list[str], start: int, end: int, rules: tuple[LineRule, ...], chrome: dict[int, str]
) -> dict[int, str]:
    """The lines a ``to_end`` rule removes: its heading and everything after it in the story.

    Only once some body text precedes the heading, so a story is never cut to nothing.

    >>> import re
    >>> rule = LineRule("x.comments", re.compile("^Comments$"), "to_end")
    >>> _find_to_end(["Body.", "Comments", "Nice!", "", "Agreed"], 0, 5, (rule,), {})
    {1: 'x.comments', 2: 'x.comments', 4: 'x.comments'}
    >>> _find_to_end(["Comments", "Body."], 0, 2, (rule,), {})
    {}
    """
    seen_body = False
    for n in range(start, end):
        text = lines[n].strip()
        if not text or n in chrome:
            continue
        rule = next((r for r in rules if r.pattern.match(text)), None) if seen_body else None
        if rule is not None:
            return {k: rule.name for k in range(n, end) if lines[k].strip() and k not in chrome}
        seen_body = True
    return {}


def _ends_complete(text: str) -> bool:
    """Say whether text ends a sentence: a full stop, ?, ! or …, then only closing quotes.

    Same as the regex ``[.!?…][”’\\"')\\]]*$`` used before, which was tried at every full
    stop of the story and scanned on from each; stripping the closing quotes and brackets
    and looking at one character is the same test (``$`` also matches before one final
    newline, hence its removal first).

    >>> [_ends_complete(t) for t in ("Done.", 'He said "done."', "Not done", "Why?\\n", "")]
    [True, True, False, True, False]
    """
    body = text[:-1] if text.endswith("\n") else text
    tail = body.rstrip(_CLOSERS)
    return bool(tail) and tail[-1] in _SENTENCE_ENDS


def _indent(line: str) -> int:
    """Where a non-blank line's stripped text starts: ``line.index(line.strip())``.

    The stripped text begins with the first non-whitespace character, so it cannot occur
    earlier; measuring the leading whitespace avoids searching a whole paragraph for itself.

    >>> _indent("  Body text. "), _indent("Body")
    (2, 0)
    """
    return len(line) - len(line.lstrip())


def _byline_removals(lines: list[str], n: int, outlet_line: int | None) -> list[Removal]:
    """A byline repeating the outlet line goes whole; a byline alone loses only its dash."""
    text = lines[n].strip()
    start = _indent(lines[n])
    if outlet_line is not None:
        return [Removal("byline", text, n + 1, start)]
    marker = text[: len(text) - len(text[1:].lstrip())]
    return [Removal("byline_marker", marker, n + 1, start)]


def _trim_span(lines: list[str], block: Block) -> tuple[int, int]:
    first, last = block.start, block.end - 1
    while first < last and not lines[first].strip():
        first += 1
    while last > first and not lines[last].strip():
        last -= 1
    return first, last
