"""Page furniture: whole lines of residue that any news site leaves between paragraphs.

Credits, captions, ad slots, video-player blocks, teaser and related-story lines, sign-up
boxes, share buttons, tag lines, copyright trailers, table-pipe menus and media placeholders.
No profile is needed: each family is told by its *shape* (how long the line is, whether it
reads as a sentence, how a credit or a label is built, what its words are made of), with the
vocabulary that many sites share kept as data in ``default_rules.toml`` (``[generic.lines]``).

Pure functions over stripped line texts. :func:`find_furniture` maps the lines of one story
body to the family that removes each; the name is what the story's ``removed[]`` cites.
A line is furniture only when the whole line is: a sentence that merely mentions
"Advertisement" or "Photo" has words no furniture line is made of, so it stays.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ingest.published import says_age

_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# A sentence boundary inside a line: ". The", "? We" ("U.S. Army" is an abbreviation).
# Its stop first, then what may not stand before the stop: a pattern opening with a class lets
# the regex engine skip to the next stop in C, where the lookbehinds first were tried at every
# character (the same matches: ``(?<!X)[.!?]`` is ``[.!?](?<!X[.!?])``).
_SENTENCE_BREAK = re.compile(
    r"[.!?](?<!\b[A-Z][.!?])(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr|Mt|No|vs)[.!?])"
    r"(?<!(?:\bMrs|\bGen|\bSen|\bRep|\bGov|\bGen)[.!?])"
    r"[\"”’')\]]* +[\"“‘'(]*[A-Z]"
)
_LEADING_MARKS = "►▶▸▹•·»›>→■□◆◇●○*-–—+ "
_CLOSERS = "\"”’')]"
_ENDS = ".!?\"”’'"
_DURATION = re.compile(r"\b(?:\d{1,2}:)?[0-5]?\d:[0-5]\d\b")
_DURATION_LINE = re.compile(r"^(?:\d{1,2}:)?[0-5]?\d:[0-5]\d$")
_URL = re.compile(r"(?:https?://|www\.)\S+$")
_HANDLE = re.compile(r"(?<![\w.])@\w{2,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_CLOCK = r"\d{1,2}(?::\d{2})? ?(?:[AaPp]\.? ?[Mm]\.?)(?: [A-Z]{2,4})?"
_DATE = (
    rf"(?:{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?|\d{{1,2}} {_MONTH}(?: \d{{4}})?|"
    r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})"
)
_AGO = r"(?:\d{1,3}|an?|one) +(?:sec|second|min|minute|hr|hour|day|week|month)s? +ago"
# A time stamp closing a related-story line: "Apr 19, 4:29 PM", "3 hours ago".
_TIMED_STAMP = re.compile(
    rf"(?:^|[\s,·|–—-])(?:(?:{_DATE})(?:,| at| -| ·|,? )? ?{_CLOCK}|{_CLOCK}|{_AGO}|"
    rf"(?:{_DATE}),? \d{{1,2}}:\d{{2}})\.?$",
    re.IGNORECASE,
)
# A line that is only a date or time: the stamp line under a related story's headline.
_STAMP_LINE = re.compile(
    rf"^(?:(?:Updated|Published|Posted)[: ]+)?(?:{_DATE}(?:(?:,| at| -| ·|,? )? ?{_CLOCK})?|"
    rf"{_CLOCK}|{_AGO})\.?$",
    re.IGNORECASE,
)
# "Name/Agency", "AP Photo/Evan Vucci", "Doug Mills / The New York Times".
_NAME_SLASH_AGENCY = re.compile(
    r"^(?:[A-Z][\w.'’-]*|[A-Z]\.)(?: (?:[A-Z][\w.'’-]*|[A-Z]\.|de|van|von|da|del|la|le)){0,4}"
    r" ?/ ?(?:[A-Z]|the |The )[\w.'’&-]*(?:,? (?:[A-Z][\w.'’&-]*|of|the|for|via|and|de|&))*$"
)
# Label of a teaser without a space after its colon: "More:Headline", "Takeaways:What ...".
_TIGHT_LABEL = re.compile(r"^[^\W\d_][^:]{0,60}?[^\W\d_]:[\"“‘'(]?[A-Z0-9]")
_LABEL = re.compile(r"^(?P<label>[^:]{1,60}?) ?: ?(?P<rest>\S.*)$")
_QUOTES = "\"“‘'«"
_SHARED = frozenset(["story", "article", "page", "post", "link", "this", "video", "gallery"])
# A share counter printed before the buttons: "1.7Mshares Share on Facebook", "12K SHARES".
_SHARE_COUNT = re.compile(r"^\d[\d.,]*[KkMm]? ?(?:shares|SHARES|Shares)\b ?")
_PHOTO_WORDS = frozenset(
    {"getty", "images", "image", "photo", "photos", "shutterstock", "istock", "istockphoto"}
    | {"alamy", "pool", "handout", "file"}
)
_TIME_PREPS = frozenset(["at", "by", "until", "before", "after", "from", "to", "around"])
_ABBREVIATED = re.compile(r"(?:\b[A-Z]|\b(?:Jr|Sr|Inc|Co|Ltd|St))\.$")
_MEDIA_LABEL = re.compile(
    r"^(?:Image|Photo|Picture|Video|Media) (?:caption|source|credit|copyright)s?\b"
)
_CREDIT_TAIL = re.compile(r"\s(?:Credit|CREDIT|Credits)(?:\.\.\.|…|:)?\s+(?P<who>\S.*)$")
_CAPTION_LABEL = re.compile(
    r"^(?:(?:File |FILE )?(?:Photo|PHOTO|Photograph|Picture|Image|Caption)s?|Above|ABOVE|"
    r"Pictured|PICTURED)\s*:\s+\S"
)
_LAST_SENTENCE_END = re.compile(r"[.!?][\"”’')]* +(?=\S[^.!?]*$)")
_ODD_CHAR = re.compile(r"[^\w\s:.,()/%-]")
_CELL_TEXT = re.compile(r"[^\s|:+-]")
_ALPHA_WORD = re.compile(r"(?<!\S)[^\W\d_]{2,}")
_HAS_DIGIT = re.compile(r"\d")
# Small words a sentence-case headline has in lower case whatever its style.
_FUNCTION_SMALL = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or"}
    | {"the", "to", "with"}
)
_YOU = re.compile(r"\b(?:you|your|you're|you’re)\b", re.I)
_SAYS = re.compile(r"\b(?:said|says|told|according to|asked)\b")


class FurnitureSettings(Protocol):
    """The thresholds :func:`find_furniture` reads (``ingest.rules.Settings`` has them)."""

    @property
    def max_furniture_words(self) -> int: ...
    @property
    def max_credit_words(self) -> int: ...
    @property
    def max_caption_words(self) -> int: ...
    @property
    def max_promo_words(self) -> int: ...
    @property
    def min_related_run(self) -> int: ...
    @property
    def min_caps_link_words(self) -> int: ...
    @property
    def max_repeated_words(self) -> int: ...
    @property
    def min_line_repeats(self) -> int: ...


def alternation(items: Sequence[str]) -> str:
    """A regex alternation of literal phrases, longest first, a space matching any run of
    whitespace, factored by first character.

    ``c(?:a|b)`` matches what ``ca|cb`` matches, in the same order of preference, but the
    regex engine tries the rest of a phrase only at a character that can start it: a search
    over a line tried every phrase at every word (the promo cues were a third of the
    furniture checks' time). Left flat when two first characters are one letter in two cases
    (under ``re.I`` both groups could match, and their order would change the preference).

    >>> alternation(["subscribe", "signup", "app"])
    's(?:ubscribe|ignup)|a(?:pp)'
    >>> alternation(["Ad", "ad"]), alternation([])
    ('Ad|ad', '(?!)')
    """
    ordered = sorted(items, key=lambda s: (-len(s), s))
    parts = [re.escape(i).replace(r"\ ", r"\s+") for i in ordered]
    groups: dict[str, list[str]] = {}
    for part in parts:
        groups.setdefault(part[0], []).append(part[1:])
    if not parts:
        return "(?!)"
    if not all(c.isascii() and c.isalnum() for c in groups) or len(
        {c.lower() for c in groups}
    ) < len(groups):
        return "|".join(parts)
    return "|".join(f"{c}(?:{'|'.join(rest)})" for c, rest in groups.items())


def cue_words(cues: Sequence[str]) -> tuple[str, ...] | None:
    """Words in lower case of which a line naming one of ``cues`` holds one (see
    :func:`may_name_cue`): each cue's longest ASCII word, less any word holding another.
    None when a cue has no ASCII word.

    >>> cue_words(["sign up", "signup", "the app", "app store", "click aquí"])
    ('app', 'sign', 'click', 'store')
    """
    words = set()
    for cue in cues:
        ascii_words = [w.lower() for w in cue.split(" ") if w and w.isascii()]
        if not ascii_words:
            return None
        words.add(max(reversed(ascii_words), key=len))  # "the app": "app", the rarer
    kept: list[str] = []
    for word in sorted(words, key=lambda w: (len(w), w)):
        if not any(k in word for k in kept):
            kept.append(word)
    return tuple(kept)


# The characters other than ASCII that ``re.IGNORECASE`` matches to an ASCII letter but whose
# lower case is not that letter ("ı" matches "i"; the Kelvin sign's lower case is "k").
ODD_FOLDS = "\u0130\u0131\u017f"


@dataclass(frozen=True)
class Furniture:
    """The vocabulary of each family, from ``[generic.lines]``; empty means built-ins only.

    Word sets are lower case. ``off`` names families the user switched off.
    """

    ad_words: frozenset[str] = frozenset()
    ad_cores: frozenset[str] = frozenset()
    ad_alone: frozenset[str] = frozenset()
    placeholder_words: frozenset[str] = frozenset()
    placeholder_cores: frozenset[str] = frozenset()
    share_words: frozenset[str] = frozenset()
    share_cores: frozenset[str] = frozenset()
    link_labels: frozenset[str] = frozenset()
    networks: frozenset[str] = frozenset()
    tag_labels: tuple[str, ...] = ()
    credit_markers: frozenset[str] = frozenset()
    photo_agencies: frozenset[str] = frozenset()
    player_words: frozenset[str] = frozenset()
    player_strong: frozenset[str] = frozenset()
    player_controls: frozenset[str] = frozenset()
    teaser_labels: frozenset[str] = frozenset()
    content_labels: frozenset[str] = frozenset()
    teaser_tails: frozenset[str] = frozenset()
    related_headings: frozenset[str] = frozenset()
    heading_cores: tuple[str, ...] = ()
    promo_cues: tuple[str, ...] = ()
    promo_openers: frozenset[str] = frozenset()
    off: frozenset[str] = frozenset()
    # Derived patterns, built once in __post_init__.
    _promo: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _tag: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _tail: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _caption_end: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _credit_start: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _tail_ends: frozenset[str] = field(init=False, repr=False, compare=False)
    _media_words: frozenset[str] = field(init=False, repr=False, compare=False)
    _control_heads: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _cue_words: tuple[str, ...] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        alt = alternation
        markers = alt(sorted(self.credit_markers))
        agencies = alt(sorted(self.photo_agencies))
        set_ = object.__setattr__
        set_(self, "_promo", re.compile(rf"(?<![\w-])(?:{alt(self.promo_cues)})(?![\w-])", re.I))
        verbal = [t for t in self.tag_labels if re.search(r"tagged|filed|posted", t, re.I)]
        set_(
            self,
            "_tag",
            re.compile(rf"^(?:(?:{alt(self.tag_labels)})\s*:|(?:{alt(verbal)})\s)\s*\S", re.I),
        )
        set_(
            self,
            "_tail",
            re.compile(
                rf"(?:^|\s)[-–—|:»›>]*\s*[\[(]?(?:{alt(sorted(self.teaser_tails))})[\])]?"
                r"\s*[»›>→…]*\.{0,3}$",
                re.I,
            ),
        )
        # "... (Photo: Name, Agency)", "... Photograph: Name/Agency", "... (AP Photo/Name)".
        set_(
            self,
            "_caption_end",
            re.compile(
                rf"(?:\((?:[^()]{{0,40}}\b)?(?:{markers})\b[^()]{{0,160}}\)|"
                rf"\((?:[^()]{{0,60}}/ ?)?(?:{agencies})(?: ?/[^()]{{0,60}})?\)|"
                rf"(?<=[.!?\"”’)] )(?:{markers})s? ?(?:by|:|credit:?)\s*[^.!?]{{2,80}}"
                r"[^\s.!?]\.?)$",
                re.I,
            ),
        )
        set_(self, "_tail_ends", frozenset(t.split()[-1].lower() for t in self.teaser_tails))
        # A media control's words (a share bar may open with one), and the controls of more
        # than one word as a line opens with them: asked of every short line, built once.
        set_(self, "_media_words", self.placeholder_words | self.player_words)
        set_(self, "_control_heads", tuple(c + " " for c in self.player_controls if " " in c))
        set_(self, "_cue_words", cue_words(self.promo_cues))
        set_(
            self,
            "_credit_start",
            re.compile(
                rf"^(?:(?:featured|top|main|header|lead|cover|hero|banner|file) )?"
                rf"(?:{markers})s?(?: credit)?\s*(?:by\b|via\b|:|\.\.\.|…)\s*\S",
                re.I,
            ),
        )

    def enabled(self, family: str) -> bool:
        return family not in self.off


# Families that can take a line of six words or more ending like a sentence: a caption, a
# pitch, a copyright trailer, a video overlay, a bracketed teaser, tags, a time stamp, an
# embedded post.
_PROSE_FAMILIES = frozenset(
    {"copyright_trailer", "caption_line", "video_block", "teaser_line", "promo_line"}
    | {"tag_line", "time_stamp", "social_embed", "caps_link", "follow_prompt"}
)
_FAMILIES = (
    "ad_slot",
    "media_placeholder",
    "share_buttons",
    "link_line",
    "follow_prompt",
    "tag_line",
    "copyright_trailer",
    "credit_line",
    "caption_line",
    "video_block",
    "teaser_line",
    "caps_link",
    "promo_line",
    "table_pipe",
    "separator_line",
    "byline_line",
    "chart_block",
    "related_heading",
    "time_stamp",
    "social_embed",
    "related_run",
    "repeated_line",
    "title_repeat",
    "pull_quote",
)


def compile_furniture(table: dict[str, Any], where: str) -> Furniture:
    """Build :class:`Furniture` from the ``[generic.lines]`` table; refuse unknown keys.

    >>> f = compile_furniture({"ad_slot": {"words": ["Advertisement"], "cores": ["ad"]}}, "x")
    >>> sorted(f.ad_words), sorted(f.ad_cores)
    (['advertisement'], ['ad'])
    """
    from ingest.errors import RulesError  # errors imports nothing of ours; kept local anyway

    keys: dict[str, tuple[str, ...]] = {
        "ad_slot": ("words", "cores", "alone"),
        "media_placeholder": ("words", "cores"),
        "share_buttons": ("words", "cores"),
        "link_line": ("labels",),
        "follow_prompt": ("networks",),
        "tag_line": ("labels",),
        "credit_line": ("markers", "agencies"),
        "video_block": ("words", "strong", "controls"),
        "teaser_line": ("labels", "tails", "not_labels"),
        "related_run": ("headings", "cores"),
        "promo_line": ("cues", "openers"),
    }
    values: dict[str, list[str]] = {}
    off: list[str] = []
    for name, spec in table.items():
        if name == "off":
            off = _strings(spec, "generic.lines.off", where)
            unknown = sorted(set(off) - set(_FAMILIES))
            if unknown:
                raise RulesError(
                    f"rules {where}: generic.lines.off names unknown families {unknown}; "
                    f"known: {list(_FAMILIES)}"
                )
            continue
        if name not in keys or not isinstance(spec, dict):
            raise RulesError(
                f"rules {where}: unknown table generic.lines.{name}; known: {sorted(keys)} "
                "and the list 'off'"
            )
        for key, items in spec.items():
            if key not in keys[name]:
                raise RulesError(
                    f"rules {where}: unknown key generic.lines.{name}.{key}; "
                    f"known: {list(keys[name])}"
                )
            values[f"{name}.{key}"] = _strings(items, f"generic.lines.{name}.{key}", where)

    def words(key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in values.get(key, []))

    return Furniture(
        ad_words=words("ad_slot.words"),
        ad_cores=words("ad_slot.cores"),
        ad_alone=words("ad_slot.alone"),
        placeholder_words=words("media_placeholder.words"),
        placeholder_cores=words("media_placeholder.cores"),
        share_words=words("share_buttons.words"),
        share_cores=words("share_buttons.cores"),
        link_labels=words("link_line.labels"),
        networks=words("follow_prompt.networks"),
        tag_labels=tuple(values.get("tag_line.labels", [])),
        credit_markers=words("credit_line.markers"),
        photo_agencies=frozenset(values.get("credit_line.agencies", [])),
        player_words=words("video_block.words"),
        player_strong=words("video_block.strong"),
        player_controls=frozenset(values.get("video_block.controls", [])),
        teaser_labels=words("teaser_line.labels"),
        content_labels=words("teaser_line.not_labels"),
        teaser_tails=frozenset(values.get("teaser_line.tails", [])),
        related_headings=words("related_run.headings"),
        heading_cores=tuple(w.lower() for w in values.get("related_run.cores", [])),
        promo_cues=tuple(values.get("promo_line.cues", [])),
        promo_openers=words("promo_line.openers"),
        off=frozenset(off),
    )


def _strings(value: object, key: str, where: str) -> list[str]:
    from ingest.errors import RulesError

    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RulesError(f"rules {where}: {key} must be a list of non-empty strings")
    return list(value)


# ---------------------------------------------------------------------------------------
# Shape helpers


def word_tokens(text: str) -> list[str]:
    """The lower-case words of a line, without digits or punctuation.

    >>> word_tokens("Advertisement - Continue Reading Below (2:31)")
    ['advertisement', 'continue', 'reading', 'below']
    """
    return _WORDS.findall(text.lower())


def reads_as_sentences(text: str) -> bool:
    """Say whether a line holds a sentence boundary or ends like a sentence.

    >>> reads_as_sentences("Gun control debate at standstill despite agreement")
    False
    >>> reads_as_sentences("He left. She stayed")
    True
    >>> reads_as_sentences("Clinton wins in the U.S.")
    False
    >>> reads_as_sentences("Talks resume on Friday.")
    True
    """
    core = text.rstrip(_CLOSERS)
    if core.endswith(".") and not _ABBREVIATED.search(core[-5:]):
        return True
    return _SENTENCE_BREAK.search(text) is not None


def strip_marks(text: str) -> str:
    """A line without the bullets and arrows that sites put before links.

    >>> strip_marks("► Election:Takeaways"), strip_marks("• Item")
    ('Election:Takeaways', 'Item')
    """
    return text.lstrip(_LEADING_MARKS)


def too_long(text: str, max_words: int) -> bool:
    """Say whether a line has more than ``max_words`` words, without splitting a long line.

    Counting spaces (in C) settles most lines: most body lines are long paragraphs that no
    family takes, and splitting each one cost more than all the checks on short lines.

    >>> too_long("one two three", 3), too_long("one two three four", 3)
    (False, True)
    """
    spaces = text.count(" ")
    if spaces < max_words:
        return False
    if "  " not in text:
        return True  # single-spaced stripped text: spaces + 1 words
    return len(text.split()) > max_words


def _first_word_in(text: str, vocabulary: frozenset[str]) -> bool:
    """A cheap necessary test for ``_made_of``: the line's first word is in the vocabulary."""
    m = _WORDS.search(text)
    return m is not None and m.group().lower() in vocabulary


def may_name_cue(text: str, f: Furniture) -> bool:
    """A cheap necessary test for a match of ``f._promo`` in ``text``: the line in lower case
    holds one of :func:`cue_words` (the promo pattern reads case aside; a line with a
    character of :data:`ODD_FOLDS` is always searched).

    >>> f = Furniture(promo_cues=("sign up", "newsletter"))
    >>> may_name_cue("SIGN\tUP today", f), may_name_cue("He signed it.", f)
    (True, True)
    >>> may_name_cue("The council met on Monday.", f)
    False
    """
    words = f._cue_words
    if words is None or any(c in text for c in ODD_FOLDS):
        return True
    low = text.lower()
    return any(w in low for w in words)


def _made_of(tokens: Sequence[str], vocabulary: frozenset[str]) -> bool:
    return bool(tokens) and all(t in vocabulary for t in tokens)


# ---------------------------------------------------------------------------------------
# Families, one line each. Every check is given the stripped text and its word count.


def is_ad_slot(text: str, f: Furniture) -> bool:
    """An ad slot: a short line made only of ad-slot words, holding an ad word.

    >>> f = Furniture(ad_words=frozenset("advertisement story continues below the main "
    ...     "continue reading".split()), ad_cores=frozenset(["advertisement", "below"]))
    >>> is_ad_slot("ADVERTISEMENT", f), is_ad_slot("Story continues below", f)
    (True, True)
    >>> is_ad_slot('"Advertisement is everything," he said.', f)
    False

    Some words are an ad slot only alone: "AD" is one, "The ad ran twice." is not.

    >>> f = Furniture(ad_words=frozenset(["ad", "the"]), ad_alone=frozenset(["ad"]))
    >>> is_ad_slot("AD", f), is_ad_slot("The ad", f)
    (True, False)
    """
    if len(text) > 150 or not _first_word_in(text, f.ad_words):
        return False
    tokens = word_tokens(text)
    if len(tokens) == 1 and tokens[0] in f.ad_alone and len(text) <= len(tokens[0]) + 1:
        return True
    return len(tokens) <= 12 and _made_of(tokens, f.ad_words) and bool(f.ad_cores & set(tokens))


def is_media_placeholder(text: str, f: Furniture) -> bool:
    """A paragraph that is only a media word ("Photo", "Video", "View gallery", "1 of 12").

    >>> f = Furniture(placeholder_words=frozenset(["photo", "video", "of", "image", "loading"]),
    ...     placeholder_cores=frozenset(["photo", "video", "image", "loading"]))
    >>> is_media_placeholder("Photo", f), is_media_placeholder("Image 1 of 12", f)
    (True, True)
    >>> is_media_placeholder("Loading...", f), is_media_placeholder("of", f)
    (True, False)
    >>> is_media_placeholder("NATO", f), is_media_placeholder("Photo of the day: a fox.", f)
    (False, False)
    >>> is_media_placeholder("200122194509687", f), is_media_placeholder("2019", f)
    (True, False)
    """
    if text.isdigit() and len(text) >= 9:
        return True  # "200122194509687": a picture's id where the picture was, never a figure
    text = text.rstrip(".…")
    if len(text) > 40 or reads_as_sentences(text) or ":" in text or "&" in text:
        return False  # "Watch videos & view photos" is a menu's link, not a placeholder
    tokens = word_tokens(text)
    if not tokens or len(tokens) > 4 or not _made_of(tokens, f.placeholder_words):
        return False
    return bool(f.placeholder_cores & set(tokens))


def is_share_buttons(text: str, f: Furniture) -> bool:
    """A run of share-button words: "Share This Story Tweet Share Pin Email".

    Needs two share actions (or three button words), so "Facebook and Twitter" stays.

    >>> f = Furniture(share_words=frozenset("share this story article tweet pin email facebook "
    ...     "twitter mail to a friend print read later".split()),
    ...     share_cores=frozenset("share tweet pin email mail print".split()))
    >>> is_share_buttons("Share This Story Tweet Share Share Pin Email", f)
    True
    >>> is_share_buttons("Mail to a friend Print story Read later", f)
    True
    >>> is_share_buttons("Share this article", f)
    True
    >>> is_share_buttons("Facebook and Twitter", f), is_share_buttons("Share", f)
    (False, False)
    >>> is_share_buttons("1.7Mshares Share Tweet", f), is_share_buttons("Share This", f)
    (True, True)
    >>> is_share_buttons("1.7M shares of the stock", f)
    False
    >>> f = Furniture(share_words=frozenset("share this article tweet post email".split()),
    ...     share_cores=frozenset("share tweet email".split()),
    ...     placeholder_words=frozenset(["listen", "to", "article"]))
    >>> is_share_buttons("LISTEN TO ARTICLE 1:50 SHARE THIS ARTICLE Share Tweet Post Email", f)
    True
    >>> is_share_buttons("Listen to the article, then share it by email", f)
    False
    """
    if len(text) > 160:
        return False
    body = _SHARE_COUNT.sub("", text) or text
    first = _WORDS.search(body)
    word = first.group().lower() if first is not None else None
    # A bar opens with a share word or a media control (most lines open with neither): asked
    # before the costlier sentence test, which every bar must also pass.
    if (word not in f.share_words and word not in f._media_words) or reads_as_sentences(text):
        return False
    text = body
    if word not in f.share_words:
        # A player's or a media control first: "LISTEN TO ARTICLE 1:50 SHARE THIS ARTICLE
        # Share Tweet Post Email" is a bar of buttons when two of them are share actions.
        tokens = word_tokens(text)
        controls = f.share_words | f._media_words
        return _made_of(tokens, controls) and sum(t in f.share_cores for t in tokens) >= 2
    tokens = word_tokens(text)
    if not _made_of(tokens, f.share_words):
        return False
    if sum(t in f.share_cores for t in tokens) >= 2:
        return True
    # One button with its object: "Share this article", "Email this story".
    return 2 <= len(tokens) <= 4 and tokens[0] in f.share_cores and tokens[-1] in _SHARED


_CONTACT_VERBS = frozenset({"Email", "E-mail", "EMAIL", "Write", "Send", "Contact"})


def is_link_line(text: str, f: Furniture) -> bool:
    """A short label and a URL: "Read or Share this story: https://...".

    >>> f = Furniture(link_labels=frozenset(["share", "read", "source", "link"]))
    >>> is_link_line("Read or Share this story: http://usat.ly/2aZmkEG", f)
    True
    >>> is_link_line("https://example.com/a/b", f)
    False
    >>> is_link_line("He posted the video at https://example.com/v", f)
    False

    Or a short line closed by an email address:

    >>> is_link_line("Write to Ann Lee at ann.lee@example.com", f)
    True
    >>> is_link_line("Tips can be sent to tips@example.gov.", f)
    False
    >>> is_link_line("Got a TIP from the RIGHT or the LEFT? Email tips@example.com", f)
    True
    >>> is_link_line("He had a tip for us. Email records show he wrote to bo@example.com", f)
    False
    """
    if "@" in text[-60:] and _EMAIL.search(text, max(0, text.rfind(" "))):
        # "Write to Ann Lee at ann.lee@example.com": whom to write to, never a sentence
        if _SAYS.search(text) or len(text.split()) > 16:
            return False
        if len(text.split()) <= 12 and not reads_as_sentences(text):
            return True
        # "Got a tip? Email tips@example.com": a pitch, then where to write
        head = text[: text.rfind(" ")]  # the words before the address
        cut = max(head.rfind(". "), head.rfind("? "), head.rfind("! "))
        tail = text[cut + 2 :].split() if cut > 0 else []
        return 2 <= len(tail) <= 5 and tail[0] in _CONTACT_VERBS  # "Email us at <address>"
    if "http" not in text and "www." not in text:
        return False
    m = _URL.search(text, max(0, text.rfind(" ")))
    if m is None:
        return False
    label = text[: m.start()].strip()
    if not label:
        return False  # a bare URL: ingest.furniture.find_bare_urls weighs its neighbours
    tokens = word_tokens(label)
    if len(tokens) > 8 or not f.link_labels & set(tokens):
        return False
    return label.endswith(":") or tokens[-1] in ("at", "here", "on", "via", "from")


def is_follow_prompt(text: str, f: Furniture) -> bool:
    """A prompt to follow an account: "Follow @x", "Follow us on Twitter".

    >>> f = Furniture(networks=frozenset(["twitter", "facebook"]))
    >>> is_follow_prompt("Follow @politico", f), is_follow_prompt("Follow us on Facebook", f)
    (True, True)
    >>> is_follow_prompt("Follow the money, she said.", f)
    False

    A prompt that ends like a sentence names whom to follow, then the network:

    >>> is_follow_prompt("Follow Ann Lee on Twitter at https://twitter.com/annlee .", f)
    True
    >>> is_follow_prompt("Like many on Twitter, she said the post was cruel.", f)
    False
    """
    first = text.split(None, 1)[0].lower()
    if first not in ("follow", "like", "connect", "find", "join") or too_long(text, 20):
        # "Ann Lee on Twitter @annlee": a writer's handle at a story's foot
        return _ON_NETWORK.match(text) is not None
    return _follow_rest(text, f)


# "<Name> on Twitter @handle": up to four capitalised words, the network, then the handle.
_ON_NETWORK = re.compile(
    r"^(?:[A-Z][\w.'’-]* ){1,4}on (?:Twitter|X|Instagram|Threads|Bluesky)"
    r":? @\w{2,}$"
)


def _follow_rest(text: str, f: Furniture) -> bool:
    """:func:`is_follow_prompt` past its opener."""
    tokens = word_tokens(text)
    if text[-1] in ".!?" and text.count(" ") >= 5:
        if _SAYS.search(text) or not _FOLLOW_WHOM.match(text):
            return False
        return bool(f.networks & set(tokens))
    if _HANDLE.search(text):
        return True
    if _URL.search(text, max(0, text.rfind(" "))) and " at " in text and not _SAYS.search(text):
        return True  # "Follow our coverage of the storm at https://..."
    return "on" in tokens and bool(f.networks & set(tokens))


# "Follow us on", "Follow Ann Lee on X": whom to follow, then where.
_FOLLOW_WHOM = re.compile(r"Follow (?:us|me|him|her|them|(?:[A-Z][\w.'’-]* ){1,4})on [A-Z@]")


def is_tag_line(text: str, f: Furniture, max_words: int) -> bool:
    """A list of the story's tags or topics: "This article tagged under: Abortion".

    >>> f = Furniture(tag_labels=("Tags", "This article tagged under"))
    >>> is_tag_line("This article tagged under: Abortion", f, 30)
    True
    >>> is_tag_line("Tags: Politics, Elections", f, 30), is_tag_line("Tags are cheap.", f, 30)
    (True, False)
    >>> f = Furniture(tag_labels=("More about", "Filed under"))
    >>> is_tag_line("More about the plan", f, 30), is_tag_line("Filed under Politics", f, 30)
    (False, True)
    """
    if too_long(text, max_words) or not f._tag.match(text):
        return False
    return not reads_as_sentences(text)


_COPYRIGHT_START = re.compile(
    r"^(?:copyright\s*(?:©|\(c\))?\s*\d{4}|©|\(c\)\s*\d{4}|copyright\s*©)", re.I
)
_RIGHTS = re.compile(
    r"all rights reserved|may not be (?:published|reproduced|copied|redistributed)|"
    r"reprint permission|without (?:the )?(?:prior )?(?:express )?(?:written )?permission",
    re.I,
)


def is_copyright_trailer(text: str, max_words: int) -> bool:
    """A copyright or reprint trailer: "Copyright © 2019 X, LLC. Click here for reprint ...".

    >>> is_copyright_trailer("Copyright © 2019 The Daily Planet, LLC. All rights reserved.", 60)
    True
    >>> is_copyright_trailer("Copyright law was rewritten in 2019, the court said.", 60)
    False
    """
    if "©" not in text and "opyright" not in text and "OPYRIGHT" not in text and "(c)" not in text:
        return False  # every trailer names its copyright
    if too_long(text, max_words):
        return False
    if _COPYRIGHT_START.match(text):
        return True
    return _RIGHTS.search(text) is not None and ("©" in text or "copyright" in text.lower())


# A statement of the page's rights, in the languages the furniture reads: "All rights
# reserved", "La reproduction ... d'un article ... est strictement interdite", "Queda
# prohibida la reproducción total o parcial", "Alle Rechte vorbehalten". The second kind
# reads as a sentence too ("Reproduction of the memo is forbidden, a judge ruled."), so it
# needs a note of the box beside it.
_RESERVED = re.compile(
    r"\b(?:all rights reserved|tous droits réservés|todos los derechos reservados|"
    r"todos os direitos reservados|tutti i diritti riservati|alle rechte vorbehalten|"
    r"alle rechten voorbehouden)\b",
    re.I,
)
_NO_REPRODUCTION = re.compile(
    r"\b(?:reproduction|redistribution|republication|reproducción|reprodução|riproduzione|"
    r"vervielfältigung|nachdruck|reproductie)\b[^.!?]{0,160}?\b(?:prohibited|forbidden|"
    r"not permitted|interdite?s?|prohibida|proibida|vietata|untersagt|verboten|"
    r"nicht gestattet|verboden)\b|"
    r"\b(?:prohibited|forbidden|interdite?s?|prohibida|proibida|vietata|untersagt|verboten)"
    r"\b[^.!?]{0,40}?\b(?:reproduction|reproducción|reprodução|riproduzione|"
    r"vervielfältigung|nachdruck|reproductie)\b",
    re.I,
)
_RIGHTS_KEYS = (
    *("ts reserv", "ts réserv", "os reserv", "ti riserv", "te vorbeh", "ten voorbeh"),
    *("reprodu", "riprodu", "redistribu", "republicat", "vervielf", "nachdruck"),
)
# A rights box's other notes speak to the reader ("Vous pouvez partager un article ...",
# "consultez nos conditions générales", "you may share ...") or give where to write.
_TO_THE_READER = re.compile(
    r"\b(?:(?i:you|your|vous|votre|vos|nos|notre|usted|ustedes|nuestras?|nuestros?|"
    r"unsere[mnrs]?|voi|vostr[aoei]|nostr[aoei]|você|vocês|nossas?|nossos?|our)|"
    r"Sie|Ihnen|Ihre[mnrs]?)\b"
)


def find_rights_box(texts: Sequence[str], found: dict[int, str], max_words: int) -> list[int]:
    """A box of the page's rights at a story's top or foot: a statement that its text may not
    be reproduced ("All rights reserved", "La reproduction ... est strictement interdite"),
    with the notes around it that speak to the reader or name where to write ("Vous pouvez
    partager un article ...", "Pour toute demande d'autorisation, contactez droits@x.fr.").
    Between a story's paragraphs, or as a sentence someone said, it is the story's text.

    >>> box = ["You may share this article using the buttons above.",
    ...     "Reproduction of this article without written permission is prohibited.",
    ...     "For permissions, write to rights@example.com.",
    ...     "The council voted on Tuesday to expand the scheme to every district, it said."]
    >>> find_rights_box(box, {}, 40)
    [0, 1, 2]
    >>> find_rights_box([box[3], box[1], box[3], box[3]], {}, 40)
    []
    """
    story = "\n".join(texts).lower()
    if not any(k in story for k in _RIGHTS_KEYS):
        return []  # no line holds a stem: one look at the story instead of one per line
    n = len(texts)
    out: list[int] = []
    for i, text in enumerate(texts):
        low = text.lower()
        if not any(k in low for k in _RIGHTS_KEYS) or i in found:
            continue  # a cheap gate: every statement holds one of these stems
        if too_long(text, max_words) or _SAYS.search(text):
            continue
        reserved = _RESERVED.search(text) is not None
        if not reserved and _NO_REPRODUCTION.search(text) is None:
            continue
        lo = hi = i
        while lo > 0 and (lo - 1 in found or _box_note(texts[lo - 1], max_words)):
            lo -= 1
        while hi < n - 1 and (hi + 1 in found or _box_note(texts[hi + 1], max_words)):
            hi += 1
        notes = sum(j not in found for j in range(lo, hi + 1)) - 1
        if not reserved and notes == 0:
            continue
        if all(j in found for j in range(lo)) or all(j in found for j in range(hi + 1, n)):
            out.extend(j for j in range(lo, hi + 1) if j not in found and j not in out)
    return sorted(out)


def _box_note(text: str, max_words: int) -> bool:
    """A short line of a rights box beside its statement: to the reader, or a contact."""
    if too_long(text, max_words) or _SAYS.search(text):
        return False
    return bool(_TO_THE_READER.search(text) or _CONTACT.search(text))


_LICENSING = re.compile(r"\b(?:licens|reprint|republish|syndicat|reproduc)\w*", re.I)
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.\w|https?://|www\.")


def is_licensing_note(text: str, max_words: int) -> bool:
    """A story's last line offering its text to other publishers, with whom to write to:
    "Content created by X is available without charge to any eligible news publisher ...
    For licensing opportunities, please contact licensing@example.org." Only as the last
    line (:func:`find_furniture` asks no other).

    >>> is_licensing_note("Content by X is free to publishers. For licensing, contact"
    ...     " licensing@example.org.", 60)
    True
    >>> is_licensing_note("The firm is licensing its patents to rivals, it said.", 60)
    False
    """
    if too_long(text, max_words) or _CONTACT.search(text) is None:
        return False
    return _LICENSING.search(text) is not None and not _SAYS.search(text)


_FUNDING = re.compile(
    r"\b(?:receives|received) (?:financial )?support (?:for|from) .{0,80}\bcoverage\b|"
    r"\bsolely responsible for (?:all |the |its )?content\b"
)


def is_funding_note(text: str, max_words: int) -> bool:
    """A story's last line saying who funds the outlet's coverage: "The Daily Planet receives
    support for its science coverage from the X Foundation. The Planet is solely responsible
    for all content." Only as the last line.

    >>> is_funding_note("The News receives support for health coverage from the X Fund."
    ...     " The News is solely responsible for all content.", 60)
    True
    >>> is_funding_note("The clinic receives support from the county, the mayor said.", 60)
    False
    """
    return not too_long(text, max_words) and bool(_FUNDING.search(text)) and not _SAYS.search(text)


# Where a syndicated story ran first, as its last line with the page's notes after it: "This
# article originally appeared at The Aviationist. Copyright 2014. Follow ...". The note alone
# ("This article originally appeared on The Atlantic.") is text in readability's gold.
_ORIGINALLY = re.compile(
    r"^(?:This (?:article|story|post|piece|column|report|essay) (?:was )?)?(?:[Oo]riginally|"
    r"first) (?:appeared|published|posted|ran)(?: (?:at|on|in|by)) (?:the |The )?[A-Z]"
)
# A syndication credit: "DISTRIBUTED BY CREATORS.COM", "Distributed by Tribune Content Agency".
_SYNDICATED = re.compile(
    r"^(?:distributed|syndicated|provided|supplied|licensed) (?:by|through|via) \S", re.I
)
# A blog feed's footer: "The post <title> appeared first on <site>."
_APPEARED_FIRST = re.compile(r"^The post \S.{0,300} appeared first on [A-Z0-9][^.!?]{0,80}\.?$")


# A bracketed source line: "(Source: PIB/GR/TYP)", "(Quelle: dpa)", "(Fuente: EFE)".
_SOURCE_CREDIT = re.compile(r"^(?:Source|SOURCE|Sources|Quelle|Fuente|Fonte|Fonti) ?: ?\S")

# "Courtesy of The New York Times", "Courtesy of Ann Lee": a picture's source.
_COURTESY = re.compile(r"^(?:Courtesy|COURTESY) (?:of|OF) (?:the |The |THE )?[A-Z][^.!?]{0,80}$")


def is_credit_line(text: str, f: Furniture, max_words: int) -> bool:
    """A photo credit standing alone: "Name/Agency", "(Photo: AP)", "Photograph: X/Y".

    >>> f = Furniture(credit_markers=frozenset(["photo", "photograph", "credit"]),
    ...     photo_agencies=frozenset(["Getty Images", "AP Photo"]))
    >>> [is_credit_line(t, f, 12) for t in ("Doug Mills/The New York Times",
    ...     "(Photo: Phil Sears, AP)", "Photograph: Stefan Rousseau/PA", "Getty Images")]
    [True, True, True, True]
    >>> is_credit_line("DISTRIBUTED BY CREATORS.COM", f, 12)
    True
    >>> is_credit_line("Photo: Ann Lee/AFP Photo: Ann Lee/AFP", f, 12)
    True
    >>> is_credit_line("The post Stars Move appeared first on Universe Today.", f, 12)
    True
    >>> [is_credit_line(t, f, 12) for t in ("Israel/Palestine", "and/or",
    ...     "Photo editing is now routine, experts say.")]
    [False, False, False]
    """
    if text.startswith("The post ") and _APPEARED_FIRST.match(text):
        return True
    if too_long(text, 2 * max_words + 8):
        return False
    tokens = text.split()
    n = len(tokens) // 2
    if n >= 2 and len(tokens) % 2 == 0 and tokens[:n] == tokens[n:]:
        return is_credit_line(" ".join(tokens[:n]), f, max_words)  # the credit twice
    rest = _after_media_controls(text, f)
    if rest is not None and rest != text:
        # "Enlarge this image toggle caption Ann Lee/AP Ann Lee/AP": the credit printed twice
        half = rest.split()
        n = len(half) // 2
        if half and len(half) % 2 == 0 and half[:n] == half[n:] and n <= max_words:
            return not reads_as_sentences(rest)
        return is_credit_line(rest, f, max_words)
    if too_long(text, max_words + 4):
        return False
    words = tokens
    if text.startswith("(") and text.endswith(")"):
        inner = text[1:-1].strip()
        if _SOURCE_CREDIT.match(inner) and not reads_as_sentences(inner):
            return True  # "(Source: PIB/GR/TYP)": where a post's text came from
        if f._credit_start.match(inner) or (
            len(words) <= max_words and "/" in inner and _is_name_slash_agency(inner, f)
        ):
            return True
    if len(words) > max_words:
        return False
    if _SYNDICATED.match(text) or _COURTESY.match(text):
        return not _SAYS.search(text) and not _SENTENCE_BREAK.search(text)
    if f._credit_start.match(text):
        return not _SAYS.search(text) and not reads_as_sentences(text)
    if len(words) >= 2 and "/" in text and _is_name_slash_agency(text, f):
        return not reads_as_sentences(text)
    core = text.strip("()").strip()
    if ":" in core or not (_PHOTO_WORDS & set(word_tokens(core)) or "/" in core or ", " in core):
        return False  # "Contributing: The Associated Press"; a bare "AP" or "Reuters" byline
    return any(core == a or core.endswith((" " + a, "/" + a)) for a in f.photo_agencies) and (
        not reads_as_sentences(core)
    )


def is_picture_credit(text: str, f: Furniture, max_words: int) -> bool:
    """A credit that names a picture's maker, never an outlet: a photo word, a credit's
    opener, or a photographer and an agency ("JIM WATSON/AFP/Getty Images"). An outlet may
    print itself as a credit does ("CBS/AP", "NBC News/Yahoo"); those are not taken.

    >>> f = Furniture(credit_markers=frozenset(["photo"]), photo_agencies=frozenset(["AP",
    ...     "AFP", "Getty Images"]))
    >>> [is_picture_credit(t, f, 12) for t in ("JIM WATSON/AFP/Getty Images", "Getty Images",
    ...     "Photo: Ann Lee/AP", "CBS/AP", "NBC News/Yahoo", "Reuters")]
    [True, True, True, False, False, False]
    """
    picture = (
        text.count("/") >= 2
        or _PHOTO_WORDS & set(word_tokens(text.lower()))
        or f._credit_start.match(text)
    )
    return bool(picture) and is_credit_line(text, f, max_words)


def _after_media_controls(text: str, f: Furniture) -> str | None:
    """What follows a leading run of three or more media-control words holding one of their
    cores ("Enlarge this image toggle caption ..."), or None when the line has no such run.

    >>> f = Furniture(placeholder_words=frozenset("enlarge this image toggle caption".split()),
    ...     placeholder_cores=frozenset(["image", "caption"]))
    >>> _after_media_controls("Enlarge this image toggle caption Ann Lee/AP Ann Lee/AP", f)
    'Ann Lee/AP Ann Lee/AP'
    >>> _after_media_controls("This image shows the fire.", f) is None
    True
    """
    words = text.split()
    n = 0
    while n < len(words) and words[n].lower() in f.placeholder_words:
        n += 1
    if n < 3 or not f.placeholder_cores & {w.lower() for w in words[:n]}:
        return None
    return " ".join(words[n:])


def is_caption_line(text: str, f: Furniture, max_words: int) -> bool:
    """A photo caption: a paragraph closed by its credit, or "Image <caption> Credit <name>".

    >>> f = Furniture(credit_markers=frozenset(["photo", "photograph", "credit"]),
    ...     photo_agencies=frozenset(["AP", "Getty", "Getty Images", "AP Photo"]))
    >>> is_caption_line("Guns for sale at a shop. (Photo: Kristen Hwang/The Desert Sun)", f, 120)
    True
    >>> is_caption_line("Cruz speaks to the media in Chattanooga. | AP", f, 120)
    True
    >>> is_caption_line("Image Senator Brian Schatz on Monday. Credit Marco Garcia/AP", f, 120)
    True
    >>> is_caption_line("Boris Johnson in Downing Street. Photograph: Stefan Rousseau/PA", f, 120)
    True
    >>> is_caption_line("The photo, he said, was taken in 2019 (and he regrets it).", f, 120)
    False

    The credit may come first ("Name/Agency <caption>"), or a wire caption's opener may say
    what the picture is ("In this March 4, 2020, file photo, ...").

    >>> is_caption_line("Ann Lee/AP Protesters gather outside the court on Monday.", f, 120)
    True
    >>> is_caption_line("In this July 1944 photo, the crew stands by its bomber.", f, 120)
    True
    >>> is_caption_line("In this town, photos of the mayor hang in every shop.", f, 120)
    False

    ``max_words`` bounds the caption, not its closing credit: "<120 words> (AP Photo/J. Scott
    Applewhite, File)" is a caption.
    """
    if too_long(text, max_words) and too_long(_without_closing_credit(text, f), max_words):
        return False
    if _PHOTO_OPENER.match(text) or _credit_first(text, f) or _credit_opens(text, f):
        return True
    if text.endswith(")") or ":" in text[-90:]:
        # A credit is at most ~200 characters: look only there, not along the paragraph.
        m = f._caption_end.search(text, max(0, len(text) - 260))
        if (
            m is not None
            and m.start() > 0
            and not text.startswith("(")
            and not is_sentence_naming_a_picture(m.group(), f)
        ):
            return True
    if text.endswith(")") and _closing_credit(text, f):
        return True
    if text.endswith("]") and _bracketed_credit(text, f):
        return True  # "The quarantine camp in Taftan [Ann Lee]", "... on Monday. [Reuters]"
    if " | " in text[-80:] and _piped_credit(_last_sentence_tail(text), f):
        return True  # "... on March 17, 2020. Ann Lee | AFP | Getty Images"
    if " | " in text:
        before, _, credit = text.rpartition(" | ")
        if len(before.split()) >= 3 and "|" not in before and _is_credit_name(credit, f):
            return True
        if (
            len(before.split()) >= 3
            and "|" not in before
            and not reads_as_sentences(text)
            and _is_org_name(credit)
            and _ends_with_name(before)
        ):
            return True  # "Dave Calhoun, chairman of the board Ann Lee | Daily News"
    if _MEDIA_LABEL.match(text):
        return True  # "Image caption, Firefighters at the scene", "Image source, Getty"
    tail = _last_sentence_tail(text) if "/" in text[-60:] else ""
    if tail and len(tail.split()) <= 8 and "/" in tail and _is_name_slash_agency(tail, f):
        return True  # "... on Monday. REUTERS/Toby Melville", "... Doug Mills/The Times"
    if tail.count("/") >= 2 and _slashed_credit(tail, f):
        return True  # "... 2019. Ann Lee/Army Public Affairs/Handout via REUTERS"
    first = text.split(None, 1)[0]
    if first in ("Image", "Photo", "Picture", "Video", "Caption", "IMAGE", "PHOTO"):
        m = _CREDIT_TAIL.search(text)
        if m is not None and len(m.group("who").split()) <= 12:
            return True
    return _CAPTION_LABEL.match(text) is not None


def is_sentence_naming_a_picture(bracketed: str, f: Furniture) -> bool:
    """A sentence in brackets that names a picture, not a credit: it closes on a sentence's
    end and at least three words stand before its credit marker ("(The paper has viewed
    the photo of the visa.)"). A credit opens on its marker or one word before it ("(Photo
    courtesy of the family.)", "(AP Photo/Ann Lee)", "(Staff photo by Ann Lee.)").

    >>> f = Furniture(credit_markers=frozenset(["photo"]))
    >>> is_sentence_naming_a_picture("(The paper has viewed the photo of the visa.)", f)
    True
    >>> [is_sentence_naming_a_picture(t, f) for t in ("(Photo courtesy of the family.)",
    ...     "(Staff photo by Ann Lee.)", "(Courtesy of the Lee family photo archive)")]
    [False, False, False]
    """
    if not re.search(r"[.!?][\"\u201d\u2019]?\)$", bracketed):
        return False
    words = bracketed[1:].split()
    before = next((i for i, w in enumerate(words) if _word_core(w) in f.credit_markers), 0)
    return before >= 3


def _word_core(word: str) -> str:
    return word.strip("()[]\"'\u201c\u201d\u2018\u2019.,:;!?/").lower().removesuffix("s")


def _without_closing_credit(text: str, f: Furniture) -> str:
    """A paragraph without its closing bracketed credit: the caption that credit closes.

    >>> f = Furniture(credit_markers=frozenset(["photo"]), photo_agencies=frozenset(["AP"]))
    >>> _without_closing_credit("Crowds wait. (AP Photo/Evan Vucci, File)", f)
    'Crowds wait.'
    >>> _without_closing_credit("He backed the bill (and its rider).", f)
    'He backed the bill (and its rider).'
    """
    start = text.rfind("(") if text.endswith(")") else -1
    if start > 0 and (f._caption_end.match(text, start) or _closing_credit(text, f)):
        return text[:start].rstrip()
    return text


# A credit's trailing notes inside its brackets: "(Name/The Times via AP, File)".
_CREDIT_NOTES = re.compile(
    r"(?:,? (?:via|for|from) [A-Z][\w.'’&-]*(?: [A-Z][\w.'’&-]*){0,3})?(?:, ?File)?$"
)


# A photographer working for another title: "Eli Durst, special to The Times Magazine",
# "Ann Lee for The Washington Post".
_CONTRIBUTOR = re.compile(
    r"^[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3}(?:, special to| for) (?:The |the )?[A-Z][\w.'’&-]*"
    r"(?: [A-Z][\w.'’&-]*){0,5}$"
)


_QUOTE_MARK = re.compile(r"[\"“”«»]|(?<![^\W\d_])['‘’]|['‘’](?![^\W\d_])")
# What a transcript prints in square brackets: stage notes, not credits.
_STAGE_NOTES = frozenset(
    {"applause", "laughter", "laughs", "laughing", "laugh", "chuckles", "chuckling", "sighs"}
    | {"cheers", "cheering", "booing", "boos", "music", "inaudible", "unintelligible"}
    | {"crosstalk", "pause", "silence", "sic", "emphasis", "redacted", "edited", "updated"}
    | {"video", "audio", "photo", "image", "gallery", "embed", "chart", "graphic", "map"}
)


def _bracketed_credit(text: str, f: Furniture) -> bool:
    """Say whether a caption ends with its credit in square brackets: "The camp at Taftan
    [Ann Lee]", "Crowds in Cairo on Monday. [Ann Lee/Reuters]". The credit is a name of two
    words or more, a "Name/Agency" or an agency; a caption is no sentence in quotes.

    >>> f = Furniture(photo_agencies=frozenset(["Reuters", "AFP"]))
    >>> _bracketed_credit("The quarantine camp at Taftan [Ann Lee]", f)
    True
    >>> _bracketed_credit("Crowds gather in Cairo on Monday. [Reuters]", f)
    True
    >>> _bracketed_credit("The couple have been dating for the last year [Splash]", f)
    True
    >>> _bracketed_credit("Will it be third time lucky for Madonna's ex-husband? [Splash]", f)
    True
    >>> [_bracketed_credit(t, f) for t in ("Thank you all [Applause]", "He said no [sic]",
    ...     "I never planned any of it. [Laughs]", "It was " + "a long day " * 9 + "[Smith]")]
    [False, False, False, False]
    >>> [_bracketed_credit(t, f) for t in ("Thank you all [Applause]", "He said no [sic]",
    ...     '"It was his call," she said [Smith]', "[Ann Lee]", "The planet was toxic. [MP3 SP]",
    ...     "It was foreseen. [M1 SP / MP3 SP]")]
    [False, False, False, False, False, False]
    """
    start = text.rfind("[")
    before, inner = text[:start].rstrip(), text[start + 1 : -1].strip()
    words = inner.split()
    if start <= 0 or not 2 <= len(before.split()) <= 40 or not 1 <= len(words) <= 5:
        return False  # a long paragraph closed by "[MP3 SP]" cites its source
    if _QUOTE_MARK.search(before) or _SAYS.search(before):
        return False  # an apostrophe inside a word ("Madonna's ex-husband") is no quote
    if _HAS_DIGIT.search(inner):
        return False  # "[M1 SP / MP3 SP]": a citation of sources, not a credit
    if "/" in inner:
        return _is_name_slash_agency(inner, f)
    if inner in f.photo_agencies:
        return True
    if len(words) == 1:
        # An agency's one name under a short caption ("Has he popped the question? [Wenn]");
        # a transcript's stage note ("[Applause]", "[Laughs]") is no credit.
        word = inner.rstrip(".")
        return (
            len(before.split()) <= 25
            and word.isalpha()
            and word[:1].isupper()
            and word.lower() not in _STAGE_NOTES
        )
    # A person's name: two words or more, each a capital then lower-case letters.
    return len(words) >= 2 and all(
        w[:1].isupper() and w[1:].replace("-", "").replace("'", "").isalpha() and w[1:].islower()
        for w in words
    )


def _slashed_credit(tail: str, f: Furniture) -> bool:
    """A credit in three or more parts between slashes, closed by the agency that carried
    it: "Ann Lee/Army Public Affairs/Handout via REUTERS".

    >>> f = Furniture(photo_agencies=frozenset(["Reuters", "AP"]))
    >>> _slashed_credit("Ann Lee/Task Force Public Affairs/Handout via REUTERS", f)
    True
    >>> _slashed_credit("Ann Lee/City Hall/Handout", f)
    False
    >>> _slashed_credit("Economics/Law/Politics via Reuters, he said", f)
    False
    """
    parts = [p.strip() for p in tail.split("/")]
    if len(parts) < 3 or len(tail.split()) > 16:
        return False
    for part in parts:
        words = part.split()
        if not 1 <= len(words) <= 6 or not all(
            w[:1].isupper() or w in ("of", "the", "and", "for", "via", "de") for w in words
        ):
            return False
    _, via, agency = parts[-1].rpartition(" via ")
    return bool(via) and (
        agency.isupper() or agency.lower() in {a.lower() for a in f.photo_agencies}
    )


def _piped_credit(tail: str, f: Furniture) -> bool:
    """A credit in parts between bars, one part an agency: "Ann Lee | AFP | Getty Images".

    >>> f = Furniture(photo_agencies=frozenset(["AFP", "Getty Images"]))
    >>> _piped_credit("Eva Marie uzcategui | AFP | Getty Images", f)
    True
    >>> _piped_credit("Sports | Weather | News", f), _piped_credit("", f)
    (False, False)
    """
    parts = [p.strip() for p in tail.split("|")]
    if len(parts) < 2 or any(not p or len(p.split()) > 4 for p in parts):
        return False
    return any(p in f.photo_agencies for p in parts)


def _closing_credit(text: str, f: Furniture) -> bool:
    """Say whether a paragraph of sentences ends with a bracketed "Name/Agency" credit.

    >>> f = Furniture(photo_agencies=frozenset(["AP"]))
    >>> _closing_credit("Crews clean a school on Thursday. (Ann Lee/The Morning News via AP)", f)
    True
    >>> _closing_credit("Children play by the lake on Sunday. (Olga Burtseva via AP)", f)
    True
    >>> _closing_credit("Dailey in prison in May. (Eli Durst, special to The Times)", f)
    True
    >>> _closing_credit("He voted no. (Senators for Ohio Voters)", f)
    False
    >>> _closing_credit("He backed the bill (and/or its rider).", f)
    False
    >>> _closing_credit("The plan was dropped in 2019. (It was revived via AP)", f)
    False
    >>> _closing_credit("Voters split on the issue. (Israel/Palestine)", f)
    False
    """
    start = text.rfind("(")
    before = text[:start].rstrip()
    if start <= 0 or before[-1:] not in '.!?"”’' or len(before.split()) < 4:
        return False
    inner = text[start + 1 : -1].strip()
    if len(inner.split()) > 16:
        return False
    contributor = _CONTRIBUTOR.match(inner)
    if contributor is not None:
        return True
    if "/" not in inner:
        # "(Olga Burtseva via AP)", "(Hennepin County Sheriff's Office via AP)": a handout's
        # source, then the agency that carried it.
        who, via, agency = inner.rpartition(" via ")
        words = who.split()
        return (
            bool(via)
            and agency.removesuffix(", File") in f.photo_agencies
            and 1 <= len(words) <= 8
            and all(w[:1].isupper() or w in ("of", "the", "and", "for") for w in words)
        )
    credit = _CREDIT_NOTES.sub("", inner) or inner
    return _is_name_slash_agency(credit, f)


# A wire caption's opener: "In this Monday, March 4, 2020, file photo, ...".
_PHOTO_OPENER = re.compile(
    r"^In this (?:[\w.'’/-]+,? ){0,8}?(?:photo|photograph|image|picture|video still)s?"
    r"(?: (?:provided|released|taken|made available|obtained|posted|shared)\b[^,]{0,80})?, "
)


def _credit_first(text: str, f: Furniture) -> bool:
    """Say whether a line opens with a "Name/Agency" credit and goes on with its caption.

    >>> f = Furniture(photo_agencies=frozenset(["AP", "Getty Images"]))
    >>> _credit_first("Ann Lee/Getty Images Fans queue outside the stadium.", f)
    True
    >>> _credit_first("Israel/Palestine talks resume in Cairo on Monday.", f)
    False
    """
    left, slash, right = text.partition("/")
    if not slash or not 2 <= len(left.split()) <= 5 or not _NAME_SLASH_AGENCY.match(left + "/X"):
        return False
    right = right.lstrip()
    for agency in sorted(f.photo_agencies, key=len, reverse=True):
        if right.startswith(agency + " "):
            rest = right[len(agency) + 1 :]
            return (rest[:1].isupper() or rest[:1] in _QUOTES) and len(rest.split()) >= 4
    return False


def _credit_opens(text: str, f: Furniture) -> bool:
    """Say whether a line opens with a bracketed credit and goes on with its caption:
    "(Photo: Ann Lee/Reuters) Crews clear the road.", after up to three words of the
    picture's buttons ("Expand | Collapse (Photo: ...) ...").

    >>> f = Furniture(credit_markers=frozenset(["photo", "screenshot"]))
    >>> _credit_opens("(Screenshot: YouTube) The family gives a health update, May 1.", f)
    True
    >>> _credit_opens("Expand | Collapse (Photo: Reuters/Ann Lee) Vials of a medium.", f)
    True
    >>> _credit_opens("(Photo: AP) is how the paper credited it, he said.", f)
    False
    >>> _credit_opens("The council (Photo: archive) met on Monday to vote.", f)
    False
    """
    start = text.find("(")
    end = text.find(")", start + 1)
    if start < 0 or end < 0 or not f._credit_start.match(text[start + 1 : end]):
        return False
    buttons = text[:start].split()
    if len(buttons) > 3 or not all(w[:1].isupper() or not w[:1].isalnum() for w in buttons):
        return False
    if buttons and reads_as_sentences(text[:start]):
        return False
    caption = text[end + 1 :].split()
    return len(caption) >= 3 and (caption[0][:1].isupper() or caption[0][:1] in _QUOTES)


def _last_sentence_tail(text: str) -> str:
    """What follows a paragraph's last full stop, when the paragraph does not end there.

    >>> _last_sentence_tail("Crowds gather in London, March 3, 2024. REUTERS/Toby Melville")
    'REUTERS/Toby Melville'
    >>> _last_sentence_tail("No credit here.")
    ''
    """
    m = _LAST_SENTENCE_END.search(text)
    return text[m.end() :] if m else ""


def _is_org_name(text: str) -> bool:
    """A short name after a caption's bar: one to four capitalised words ("Daily News").

    >>> _is_org_name("CNBC"), _is_org_name("The Daily News"), _is_org_name("Business")
    (True, True, True)
    >>> _is_org_name("read more"), _is_org_name("a b c d e")
    (False, False)
    """
    words = text.split()
    return 1 <= len(words) <= 4 and all(w[:1].isupper() or w in ("of", "the") for w in words)


def _ends_with_name(text: str) -> bool:
    """Say whether a caption ends with a photographer's name: two capitalised words.

    >>> _ends_with_name("Dave Calhoun, chairman of the board Ann Lee")
    True
    >>> _ends_with_name("Shares fell on Monday after the report")
    False
    """
    words = text.split()
    return len(words) >= 2 and all(
        w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words[-2:]
    )


def _is_credit_name(text: str, f: Furniture) -> bool:
    """A short credit after a pipe: "AP", "Getty", "John Shinkle/POLITICO"."""
    words = text.split()
    if not 1 <= len(words) <= 6 or reads_as_sentences(text):
        return False
    if any(a in f.photo_agencies for a in (text, words[-1], text.split("/")[-1])):
        return True
    if "/" in text and _is_name_slash_agency(text, f):
        return True
    return bool(f.credit_markers & set(word_tokens(text)))


def _is_name_slash_agency(text: str, f: Furniture) -> bool:
    """ "Name/Agency": a person's name (two words or more) or an agency before the slash.

    >>> f = Furniture(photo_agencies=frozenset(["Reuters", "AP Photo"]))
    >>> [_is_name_slash_agency(t, f) for t in ("Jason Reed/Reuters", "REUTERS/Toby Melville",
    ...     "AP Photo/Evan Vucci", "Add-ons / Web Extensions", "Israel/Palestine")]
    [True, True, True, False, False]
    """
    if not _NAME_SLASH_AGENCY.match(text):
        return False
    left = text.split("/", 1)[0].strip()
    if len(left.split()) >= 2:
        return True
    return any(left.lower() == a.lower() for a in f.photo_agencies)


def is_player_line(text: str, f: Furniture) -> bool:
    """A video player's controls: "Replay", "More Videos", "Now Playing 2:31", "Up next".

    >>> f = Furniture(player_words=frozenset("replay more videos now playing up next".split()),
    ...     player_strong=frozenset(["replay", "videos", "playing"]))
    >>> is_player_line("Replay", f), is_player_line("More Videos 2:31", f)
    (True, True)
    >>> is_player_line("More", f), is_player_line("He watched the replay again.", f)
    (False, False)
    """
    if len(text) > 120 or not _first_word_in(text, f.player_words):
        return False
    tokens = word_tokens(text)
    if not _made_of(tokens, f.player_words) or not f.player_strong & set(tokens):
        return False
    rest = _DURATION.sub("", text)
    return not _ODD_CHAR.search(rest)


def is_player_title_line(text: str, f: Furniture, max_words: int) -> bool:
    """A video title run into its player's words and duration: "Title Replay More Videos 2:31".

    >>> f = Furniture(player_words=frozenset(["replay", "more", "videos"]),
    ...     player_strong=frozenset(["replay", "videos"]))
    >>> is_player_title_line("Trump holds rally in Ohio Replay More Videos 2:31", f, 40)
    True
    >>> is_player_title_line("The replay lasted 2:31 and nobody watched it.", f, 40)
    False

    A player that prints its title twice, before and after its controls, may hold a title
    that reads as a sentence ("Is it over? Replay More Videos ... MUST WATCH Is it over? 2:31").

    >>> is_player_title_line("JUST WATCHED Is the war over? Replay More Videos ... "
    ...     "MUST WATCH Is the war over? 02:45", f, 12)
    True
    >>> is_player_title_line("Is the war over? Replay More Videos are coming. Is it?", f, 12)
    False
    """
    if too_long(text, 2 * max_words):
        return False
    if text.isascii():
        low = text.lower()  # letter by letter in ASCII: a word's lower case is in the line's
        if not any(strong in low for strong in f.player_strong):
            return False
    words = text.split()
    strong_at = [i for i, w in enumerate(words) if w[:1].isupper() and w.lower() in f.player_strong]
    if not strong_at:
        return False
    strong = {words[i].lower() for i in strong_at}
    if not (len(strong) >= 2 or _DURATION.search(text) is not None):
        return False
    if not too_long(text, max_words) and not reads_as_sentences(text):
        return True
    return len(strong) >= 2 and _title_repeats(words[: strong_at[0]], words[strong_at[-1] + 1 :])


def _title_repeats(head: Sequence[str], tail: Sequence[str]) -> bool:
    """Say whether the end of ``head``, two words or more from a capital, comes again in ``tail``.

    >>> _title_repeats("JUST WATCHED Storm hits".split(), "MUST WATCH Storm hits 2:01".split())
    True
    >>> _title_repeats("He said it was one of the".split(), "one of the best".split())
    False
    """
    joined = " " + " ".join(tail) + " "
    return any(
        not head[k][:1].islower() and f" {' '.join(head[k:])} " in joined
        for k in range(max(0, len(head) - 20), len(head) - 1)
    )


def is_player_notice(text: str, f: Furniture, max_words: int) -> bool:
    """A player's notice run into its clip's caption label and caption.

    >>> f = Furniture(player_words=frozenset("media playback is unsupported on your device"
    ...     .split()), player_strong=frozenset(["playback"]))
    >>> is_player_notice("Media playback is unsupported on your device Media caption "
    ...     "The mayor speaks", f, 120)
    True
    >>> is_player_notice("Media playback is a caption of its own.", f, 120)
    False
    """
    if too_long(text, max_words):
        return False
    words = text.split()
    n = 0
    while n < len(words) and words[n].lower().strip(".,:") in f.player_words:
        n += 1
    if n < 3 or not f.player_strong & {w.lower().strip(".,:") for w in words[:n]}:
        return False
    # The caption's label closes the run ("... device Media caption") or follows it.
    return any(
        label + 1 < len(words)
        and words[label][:1].isupper()
        and words[label + 1].lower().strip(":") == "caption"
        for label in (n - 1, n)
    )


def is_player_caption(text: str, f: Furniture, max_words: int) -> bool:
    """A video overlay: a player control in capitals, then the clip's description.

    >>> f = Furniture(player_controls=frozenset(["CLOSE", "REPLAY"]))
    >>> is_player_caption("CLOSE President Trump slammed Antifa on Twitter. GeoBeats", f, 120)
    True
    >>> is_player_caption("CLOSE", f, 120), is_player_caption("Close to 50 died.", f, 120)
    (True, False)
    """
    if text[: text.find(" ") if " " in text else None] not in f.player_controls and not (
        text.startswith(f._control_heads)
    ):
        return False
    if too_long(text, max_words):
        return False
    words = text.split()
    for n in (2, 1):
        if " ".join(words[:n]) in f.player_controls:
            rest = words[n:]
            return not rest or rest[0][:1].isupper() or rest[0][:1] in _QUOTES
    return False


def is_teaser_line(text: str, f: Furniture, max_words: int) -> bool:
    """A link to another story, its label before or after the headline.

    Before: "SEE ALSO: <headline>", "More:<headline>", "( PHOTOS: <title>)", "(Also on X:
    <headline>)", "► Label:<headline>". After: "<headline> (VIDEO)", "<headline> Read more ».
    The headline reads as one (no full stop at its end, no sentence break), unless the label
    is glued to it ("More:Who was ...?") or the line is wrapped in brackets.

    >>> f = Furniture(teaser_labels=frozenset(["see also", "more", "photos", "also on"]),
    ...     teaser_tails=frozenset(["Read more", "video"]))
    >>> [is_teaser_line(t, f, 30) for t in ("SEE ALSO: Gun debate at standstill",
    ...     "More:Shutdown panics shelters", "( Also on NEWS: Congress mourns Mandela)",
    ...     "FERGUSON:Racial gap in arrest rates", "Trump slams media (VIDEO)")]
    [True, True, True, True, True]
    >>> [is_teaser_line(t, f, 30) for t in ("More: the vote was close.",
    ...     "TRUMP: We will win.", "ANALYSIS/OPINION:", "Read more about it in his book.",
    ...     "NEW DELHI: The government on Monday announced a scheme.")]
    [False, False, False, False, False]
    """
    body = strip_marks(text)
    if _is_button_card(body, f, max_words):
        return True
    if body.endswith(":") and len(body) < 40 and body[:-1].strip().lower() in f.teaser_labels:
        return True  # "WATCH:", "Related:": a label whose link or player was not kept
    bracketed = body.startswith(("(", "[")) and body.endswith((")", "]"))
    if bracketed:
        body = body[1:-1].strip()
    if too_long(body, max_words + 6):
        return False
    m = _LABEL.match(body) if ":" in body[:64] else None
    if m is not None:
        label, rest = m.group("label").strip(), m.group("rest")
        tight = _TIGHT_LABEL.match(body) is not None
        headline_first = rest.lstrip(_QUOTES + "‘’")[:1]
        caps = (
            tight
            or bracketed
            or rest[:1].isupper()
            or (
                rest[:1] in _QUOTES + "‘" and (headline_first.isupper() or headline_first.isdigit())
            )
        )
        if _is_teaser_label(label, f, allow_caps=caps):
            if rest[:1] in _QUOTES + "‘" and not tight:
                rest = rest[1:]
            if not (rest[:1].isupper() or rest[:1].isdigit() or rest[:1] in _QUOTES):
                return False
            if len(rest.split()) > max_words or len(_ALPHA_WORD.findall(rest)) < 2:
                return False  # "GPS: N24 39 16.4 E121": a headline is made of words
            if tight or bracketed:
                return True
            return not reads_as_sentences(rest) or _ends_question(rest)
        if tight and len(label.split()) <= 5 and label[:1].isupper() and not _SAYS.search(label):
            # "Governors under pressure:Anti-quarantine protests ...": a label glued to a link.
            return len(body.split()) <= max_words and not reads_as_sentences(label)
    last = body.rstrip(" »›>→….)]").rpartition(" ")[2].lstrip("([").lower()
    if last not in f._tail_ends:
        return False
    tail = f._tail.search(body, max(0, len(body) - 48))  # a tail marker is short
    if tail is None or tail.start() == 0:
        return False
    head = body[: tail.start()].rstrip(" -–—|:»›>")
    marker = tail.group().strip(" -–—|:»›>")
    words = head.split()
    return (
        2 <= len(words) <= max_words
        and words[0].lstrip(_QUOTES + "‘")[:1].isupper()  # "'The stakes': <headline> Read more"
        and not reads_as_sentences(head)
        and (marker[:1].isupper() or marker[:1] in "([")
    )


def _is_button_card(text: str, f: Furniture, max_words: int) -> bool:
    """A link card printed after its button: "Read More <Title Case Headline>. <its dek>".

    The label is set as a button (every word capitalised, no colon) and the next words read
    as a headline in Title Case, which a sentence after "Read more" never does.

    >>> f = Furniture(teaser_labels=frozenset(["read more", "related"]))
    >>> _is_button_card("Read More He’s a Liar, a Con Artist and a Snitch. His Word Sent "
    ...     "Him Away.", f, 30)
    True
    >>> [_is_button_card(t, f, 30) for t in ("Read more about it in his book.",
    ...     "Read More about the plan on our site", "Related Charges Were Dropped")]
    [False, False, True]
    """
    words = text.split(None, 3)
    for n in (2, 1):
        label = " ".join(words[:n])
        if len(words) <= n or label.lower() not in f.teaser_labels:
            continue
        if not all(w[:1].isupper() for w in words[:n]) or label.endswith(":"):
            return False
        rest = text[len(label) :].split()
        if too_long(" ".join(rest), 2 * max_words) or _SAYS.search(text):
            return False
        head = [w for w in rest[:6] if w.lower().strip(",.;") not in _FUNCTION_SMALL]
        if len(head) < 3 or not any(w[1:].islower() for w in head):
            return False  # Title Case, not a line in capitals ("CLICK HERE TO GET THE APP")
        return all(w[:1].isupper() or w[:1] in _QUOTES for w in head)
    return False


# A wire story's lead opens with its dateline: "WASHINGTON — ", "NEW YORK (AP) — ",
# "SELMA, Ala. (AP) — ".
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}(?:, [A-Z][a-z]+\.?(?: [A-Z][a-z]+\.?)?)?"
    r"(?: \([A-Za-z. ]{2,20}\))? ?[—–-]{1,2} ?[\"“‘A-Z0-9]"
)


def above_dateline(texts: Sequence[str], f: Furniture, max_words: int) -> list[int]:
    """Lines above a story's datelined lead, in its first four lines: a page's photo
    captions, printed before the story begins ("Ann Lee speaks in Arlington on Monday.").

    >>> f = Furniture(content_labels=frozenset(["editor's note"]))
    >>> above_dateline(["Esper speaks at a news conference in Arlington, Virginia.",
    ...     "WASHINGTON — The Pentagon will give 5 million masks.", "More text."], f, 120)
    [0]
    >>> above_dateline(["Editor's note: This story was updated.",
    ...     "WASHINGTON — The Pentagon will give 5 million masks to the states."], f, 120)
    []
    >>> above_dateline(["Ann Lee speaks.", "ADVERTISEMENT - CONTINUE READING BELOW"], f, 40)
    []
    >>> above_dateline(["The council voted on Tuesday.",
    ...     "WASHINGTON (AP) — The Senate voted on Tuesday to pass the bill."], f, 40)
    []
    >>> above_dateline(["The Pentagon will give 5 million masks.", "More text."], f, 120)
    []
    >>> above_dateline(["People walk past the exchange in Mumbai May 13, 2014.", "The best of "
    ...     "Bollywood in 2014.", "MUMBAI (Reuters) - Shares ended flat on Tuesday."], f, 120)
    [0, 1]
    """
    lead = next(
        (i for i, t in enumerate(texts[:4]) if i and _DATELINE.match(t) and _reads_as_prose(t)),
        None,
    )
    if lead is None:
        return []
    out: list[int] = []
    for i in range(lead):
        text = texts[i]
        m = _LABEL.match(text) if ":" in text[:40] else None
        if m is not None and m.group("label").strip().lower() in f.content_labels:
            continue  # the story's own note before its lead
        if too_long(text, max_words) or text.rstrip(_CLOSERS)[-1:] not in ".)":
            continue
        # A caption says when (a full date) or shows someone in the present tense; a story's
        # summary above its lead does neither ("The council voted on Tuesday.").
        if _FULL_DATE.search(text) or _PHOTO_VERB.search(text) or (out and len(text.split()) <= 12):
            out.append(i)  # under a caption there, a short line is a link ("The best of 2014.")
    return out


_FULL_DATE = re.compile(rf"\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?, \d{{4}}\b")
_PHOTO_VERB = re.compile(
    r"\b(?:speaks|poses|stands|walks|arrives|looks|listens|gestures|waves|attends|holds|"
    r"leaves|sits|talks|smiles|delivers|addresses|greets|reacts|is seen|are seen)\b"
)


# What a caption says a picture is: "A reproduction of ...", "An aerial view of ...".
_DEPICTION = re.compile(
    r"^(?:An?|The) (?:[a-z-]+ ){0,2}(?:photo|photograph|image|picture|reproduction|"
    r"screenshot|screengrab|still|rendering|illustration|sketch|drawing|view)s? of "
)
# A finite verb of the main clause: "A photo of the suspect was released ...".
_FINITE = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|may|might|must|shall|"
    r"should|do|does|did|shows?|showed|shown|said|says|appears?|appeared|led|went|made|"
    r"became|helped|sparked|drew|prompted|circulated|emerged|surfaced)\b"
)


def is_depiction_caption(text: str) -> bool:
    """A caption with neither credit nor date that names what the picture is: "A
    reproduction of notes the lawyers submitted as part of a January court filing.",
    "An aerial view of the flooded town". One sentence of at most 20 words whose main
    clause has no verb a story's sentence would ("A photo of the suspect was released on
    Monday." stays).

    >>> is_depiction_caption("A reproduction of notes the lawyers submitted in a filing.")
    True
    >>> is_depiction_caption("An aerial view of the flooded town of Selby")
    True
    >>> [is_depiction_caption(t) for t in ("A photo of the suspect was released on Monday.",
    ...     "A video of the attack led the group to organize a rally.",
    ...     "A view of the harbour. It was dawn.", "A photographer of the year award")]
    [False, False, False, False]
    """
    if too_long(text, 20) or not _DEPICTION.match(text):
        return False
    return not _FINITE.search(text) and not _SENTENCE_BREAK.search(text)


def is_title_case_link(texts: Sequence[str], i: int, max_words: int) -> bool:
    """A link to another story set between two paragraphs as a long Title Case headline
    ("U.S. Plays Down Expectations for Trump-Xi Meeting With Hard Line"); a subheading is
    shorter, and a sentence ends with its stop.

    >>> p = "The council voted on Tuesday to expand the scheme to every district."
    >>> link = "U.S. Plays Down Expectations for Trump-Xi Meeting With Hard Line"
    >>> is_title_case_link([p, link, p], 1, 30)
    True
    >>> [is_title_case_link([p, t, p], 1, 30) for t in ("Trade Balance",
    ...     "How the plan would work for families and for the schools they use",
    ...     "The Council Voted On Tuesday To Expand The Scheme To Every District.",
    ...     "But no, HE KNOWS HER POINT BETTER THAN SHE DOES:")]
    [False, False, False, False]
    """
    text = texts[i]
    if text[-1] in _ENDS or text[-1] == ":" or too_long(text, max_words):
        return False  # a line closed by a colon opens what follows it
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    if len(words) < 8:
        return False
    content = [w for w in words if w.lower() not in _FUNCTION_SMALL]
    capitalised = sum(w[:1].isupper() for w in content)
    if capitalised < 0.85 * len(content) or 2 * sum(w.isupper() for w in content) > len(content):
        return False  # a line in capitals is caps_link's, or a writer's shout
    return _reads_as_prose(texts[i - 1]) and _reads_as_prose(texts[i + 1])


# Words a caption uses of the picture it stands under.
_PICTURED = re.compile(
    r"\b(?:pictured|photographed|is seen|are seen|be seen|poses|posing)\b|"
    r"\((?:left|right|centre|center|top|above|below)\)",
    re.I,
)


def _stopless(text: str) -> bool:
    """A long line in sentence case that does not end like a sentence, nor introduce one."""
    words = text.split()
    if len(words) < 12 or not text[:1].isupper() or text.isupper():
        return False
    end = text.rstrip(_CLOSERS)
    if end[-1:] in ".!?…:;,—-" or text[-1] in ")]":
        return False
    content = [w for w in words if w.lower() not in _FUNCTION_SMALL]
    return sum(w[:1].isupper() for w in content) < 0.85 * len(content)  # not a headline


def find_stopless_captions(texts: Sequence[str], max_words: int) -> list[int]:
    """Captions printed as paragraphs with neither credit nor stop, as some papers print a
    story's pictures: "Benjamin Netanyahu, pictured yesterday at the Knesset, is due to find
    out ...". A long line that does not end like a sentence and says what a picture shows
    ("pictured", "can be seen", "(left)"), or stands next to such a caption; a story's own
    paragraphs end with their stop.

    >>> p = "The council voted on Tuesday to expand the scheme to every district."
    >>> cap = "Ann Lee, pictured yesterday at the town hall, is due to learn if she will stand"
    >>> nxt = "Supporters of the mayor chant slogans as they march outside the hall earlier today"
    >>> find_stopless_captions([p, cap, nxt, p], 120)
    [1, 2]
    >>> find_stopless_captions([p, nxt, p], 120)
    []
    >>> find_stopless_captions([p, "Ann Lee, pictured in 2019, said the vote was close.", p], 120)
    []
    """
    stopless = [i for i, t in enumerate(texts) if len(t) < 12 * max_words and _stopless(t)]
    if not stopless:
        return []
    cued = {i for i in stopless if _PICTURED.search(texts[i])}
    near = {i for i in stopless if i - 1 in cued or i + 1 in cued}
    return sorted(cued | near)


# A speaker's label opening a line of an interview: "CNN:", "Hickenlooper:", "Q:".
_SPEAKER = re.compile(r"^([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}):\s")


def interview_questions(texts: Sequence[str], teasers: Sequence[int], f: Furniture) -> list[int]:
    """The lines among ``teasers`` that are an interviewer's turns, not links: an interview
    prints each turn as "<Speaker>: <words>", so a label that opens two lines or more of a
    story with another speaker's label among its lines is a speaker ("CNN: Does the plan
    help you?" / "Hickenlooper: I think it does."). A teaser's own words ("RELATED:",
    "WATCH:") are never a speaker.

    >>> f = Furniture(teaser_labels=frozenset(["related"]))
    >>> texts = ["CNN: Will it pass?", "Lee: I think so.", "CNN: And the vote?", "Lee: Soon."]
    >>> interview_questions(texts, [0, 2], f)
    [0, 2]
    >>> interview_questions(["RELATED: Storm hits", "A.", "RELATED: Vote set", "Lee: Yes."],
    ...     [0, 2], f)
    []
    >>> interview_questions(["CNN: Will it pass?", "The vote is set.", "CNN: And then?"],
    ...     [0, 2], f)
    []
    >>> interview_questions(["PLAY: WILL HE PAY?", "Lee: Yes.", "PLAY: WHO WINS?", "Bo: No."],
    ...     [0, 2], f)
    []
    """
    if not teasers:
        return []
    labels: dict[int, str] = {}
    for i, text in enumerate(texts):
        m = _SPEAKER.match(text) if ":" in text[:40] else None
        if m is not None and not text[m.end() :].isupper():
            labels[i] = m.group(1)  # a turn; "POWER PLAY: WHAT WILL HE PAY?" is a headline
    counts = Counter(labels.values())
    if len(counts) < 2:
        return []  # a dialogue has two speakers at least
    return [
        i
        for i in teasers
        if i in labels
        and counts[labels[i]] >= 2
        and " ".join(word_tokens(labels[i])) not in f.teaser_labels
    ]


# A label alone on its line: "Editor's Note:", "Sponsored:", "From our partners:".
_LONE_LABEL = re.compile(r"^[A-Z][\w'’&-]*(?: [\w'’&-]+){0,3}:$")


def _is_title_case(text: str, min_words: int, max_words: int) -> bool:
    """Most of a line's words of content start with a capital, as a headline's do."""
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    if not min_words <= len(words) <= max_words:
        return False
    content = [w for w in words if w.lower() not in _FUNCTION_SMALL]
    return bool(content) and sum(w[:1].isupper() for w in content) >= 0.85 * len(content)


def find_label_cards(texts: Sequence[str], max_words: int) -> list[int]:
    """Link cards printed as two lines, a label alone over a Title Case headline ("Editor's
    Note:" / "Weird Trick Adds $1,000 to Your Checks"), above a story's first paragraph or
    below its last, where pages put promoted links. Both lines go.

    A label over a sentence ("Editor's note:" / "This story has been updated."), over a
    subheading in sentence case, or between the paragraphs stays.

    >>> p = "The council voted on Tuesday to expand the scheme to every district."
    >>> find_label_cards(["Editor's Note:", "Weird Trick Adds $1,000 to Your Checks", p], 30)
    [0, 1]
    >>> find_label_cards([p, p, "Sponsored:", "Is Your Bank About to Fail Next Year?"], 30)
    [2, 3]
    >>> find_label_cards(["Editor's note:", "This story has been updated.", p], 30)
    []
    >>> find_label_cards([p, "The plan:", "Build More Homes Near Every Station", p], 30)
    []
    >>> find_label_cards(["Editor's note:", "This story was updated on May 3", p], 30)
    []
    """
    if len(texts) < 3 or not any(t.endswith(":") for t in texts):
        return []

    def is_prose(i: int) -> bool:
        return texts[i][-1] in _ENDS and _reads_as_prose(texts[i])

    # Only the first and last paragraphs of prose bound the search: read in from both ends.
    first = next((i for i in range(len(texts)) if is_prose(i)), None)
    if first is None:
        return []
    last = next(i for i in range(len(texts) - 1, first - 1, -1) if is_prose(i))
    found: list[int] = []
    for i in range(len(texts) - 1):
        if first - 1 <= i <= last or not texts[i].endswith(":"):
            continue
        label, head = texts[i], texts[i + 1]
        if not _LONE_LABEL.match(label):
            continue
        if head.rstrip(_CLOSERS)[-1:] not in ".:;," and _is_title_case(head, 4, max_words):
            found += [i, i + 1]
    return found


def is_labelled_link(texts: Sequence[str], i: int, f: Furniture, max_words: int) -> bool:
    """A labelled link to another story between two paragraphs, its label a person's or a
    body's name and its headline in sentence case with no stop: "Sen. Ann Lee: Trump's feud with the
    FBI hurts the agenda". The shape of :func:`is_closing_teaser`, with a headline of six
    words or more; a speaker's sentence ends with its stop, and an interview's turns are
    kept by :func:`interview_questions`.

    >>> p = "The council voted on Tuesday to expand the scheme to every district."
    >>> f = Furniture()
    >>> link = "Sen. Ann Lee: Trump's feud with the FBI hurts the agenda"
    >>> is_labelled_link([p, link, p], 1, f, 30)
    True
    >>> is_labelled_link([p, "Sen. Ann Lee: We will not back down on this bill.", p], 1, f, 30)
    False
    >>> is_labelled_link([p, "Step 1: Fill in the form", p], 1, f, 30)
    False
    """
    text = texts[i]
    if ":" not in text[:40] or len(text.split()) < 8:
        return False
    if not (_reads_as_prose(texts[i - 1]) and _reads_as_prose(texts[i + 1])):
        return False
    label, rest = text.split(":", 1)
    words = label.split()
    if len(words) < 2 or not all(w[:1].isupper() for w in words) or label.isupper():
        return False  # a name, not a subheading's label ("Go deeper: How the plan works")
    return is_closing_teaser(text, f, max_words) and len(rest.split()) >= 6


def is_closing_teaser(text: str, f: Furniture, max_words: int) -> bool:
    """A story's last line as a labelled link to another story: "<Label>: <headline>".

    Only at the end of a story, where a page puts its "Go deeper:"/"Keep reading:" link,
    and only with a headline in sentence case that does not end like a sentence; a label of
    the story's own ("UPDATE:", "Correction:") and a source line ("Source: Bureau of Labor
    Statistics") stay.

    >>> f = Furniture(content_labels=frozenset(["update", "correction"]))
    >>> is_closing_teaser("Go deeper: How the plan to reopen schools could backfire", f, 30)
    True
    >>> [is_closing_teaser(t, f, 30) for t in ("UPDATE: Police found the missing boy alive",
    ...     "Source: Bureau of Labor Statistics", "Why it matters: The vote was close.",
    ...     "He said: we will fight on in the courts", "Read more: tariffs",
    ...     "Update 1100ET : Headlines from Seoul appear to have sparked the fall. As X reports,")]
    [False, False, False, False, False, False]
    """
    if ":" not in text[:40] or too_long(text, max_words) or text[-1] in _ENDS + ":,;":
        return False  # a comma or semicolon: a clause that goes on, no headline
    m = _LABEL.match(text)
    if m is None:
        return False
    label, rest = m.group("label").strip(), m.group("rest")
    words = rest.split()
    first = label.split()[0].lower() if label else ""
    own = label.lower() in f.content_labels or (
        first in f.content_labels and len(label.split()) <= 2  # "Update 1100ET", "Part two"
    )
    if not 1 <= len(label.split()) <= 3 or own:
        return False
    if not label[:1].isupper() or len(words) < 4 or reads_as_sentences(rest):
        return False
    if not (rest[:1].isupper() or rest[:1] in _QUOTES):
        return False
    lower = [w for w in words[1:] if w[:1].islower() and w.lower() not in _FUNCTION_SMALL]
    return len(lower) >= 2 and not _SAYS.search(text) and " said" not in label


def is_caps_link(text: str, min_words: int, max_words: int) -> bool:
    """A link to another story set in capitals on its own line, with no label.

    >>> is_caps_link("OFFICIALS WARN OF STORM SURGE AS HURRICANE NEARS", 5, 30)
    True
    >>> is_caps_link("IS THE FED ABOUT TO BLINK ON RATES?", 5, 30)
    True

    A section heading, an acronym, a speaker's label, a shouted sentence or a quote stay.

    >>> [is_caps_link(t, 5, 30) for t in ("SAUDI ARABIA", "NATO", "SEN. JOHN SMITH (R-OHIO):",
    ...     "WE WILL NEVER GIVE UP THIS FIGHT!", "THE VOTE IS OVER. WE LOST.",
    ...     '"CHANGE THE LAWS NOW, ALL OF THEM"', "The Fed is about to blink on rates",
    ...     "JANE DOE IS THE PAPER'S POLITICAL EDITOR")]
    [False, False, False, False, False, False, False, False]
    """
    if not text.isupper() or too_long(text, max_words) or text[0] in _QUOTES:
        return False
    if text.endswith((":", "!", ".")) or reads_as_sentences(text):
        return False
    if not text.endswith("?") and _COPULA.search(text):
        return False  # headlines drop "is"; "JANE DOE IS THE PAPER'S EDITOR" is a tagline
    return len(_ALPHA_WORD.findall(text)) >= min_words


_COPULA = re.compile(r"\b(?:IS|ARE|WAS|WERE)\b")


def _ends_question(text: str) -> bool:
    return text.rstrip(_CLOSERS).endswith(("?", "!")) and not _SENTENCE_BREAK.search(text)


def _is_teaser_label(label: str, f: Furniture, *, allow_caps: bool) -> bool:
    """A label of a link: teaser words ("See also", "Also on X", "From X"), or ALL CAPS.

    >>> f = Furniture(teaser_labels=frozenset(["see also", "also on", "from"]))
    >>> _is_teaser_label("SEE ALSO", f, allow_caps=False)
    True
    >>> _is_teaser_label("Also on POLITICO", f, allow_caps=False)
    True
    >>> _is_teaser_label("SPECIAL COVERAGE", f, allow_caps=True)
    True
    >>> _is_teaser_label("Q", f, allow_caps=True), _is_teaser_label("Mr Smith", f, allow_caps=True)
    (False, False)
    >>> f = Furniture(content_labels=frozenset(["update"]))
    >>> _is_teaser_label("UPDATE", f, allow_caps=True)
    False
    """
    words = label.split()
    if not words or len(words) > 6:
        return False
    low = " ".join(word_tokens(label))
    if low in f.content_labels or (words[0].lower() in f.content_labels and len(words) <= 2):
        return False  # "UPDATE: ...", "CORRECTION: ...", "Editor's note: ..." are the story's
    if low in f.teaser_labels:
        return True
    for n in (3, 2, 1):  # "Also on <name>", "More from <name>", "From <name> Magazine"
        head = " ".join(low.split()[:n])
        if head in f.teaser_labels and (n > 1 or head in ("from", "more")) and len(words) <= 5:
            return head != "more" or len(words) <= 4
    letters = [c for c in label if c.isalpha()]
    return (
        allow_caps
        and len(letters) >= 2
        and all(c.isupper() for c in letters)
        and len(words) <= 4
        and "/" not in label
    )


def is_promo_line(text: str, f: Furniture, max_words: int) -> bool:
    """An app, newsletter or subscription pitch addressed to the reader, or its sign-up form.

    >>> f = Furniture(promo_cues=("sign up", "newsletter", "newsletters", "inbox",
    ...     "download the", "app", "privacy policy", "unsubscribe", "subscribe"),
    ...     promo_openers=frozenset(["sign", "get", "subscribe", "start"]))
    >>> is_promo_line("Sign up for Daily Newsletters Manage Newsletters", f, 120)
    True
    >>> is_promo_line("Start the day smarter: Get the Daily Briefing in your inbox", f, 120)
    True
    >>> is_promo_line("Subscribers to the newsletter rose 10 percent, the company said.", f, 120)
    False
    >>> is_promo_line('"Subscribe to my newsletter," she told the crowd.', f, 120)
    False
    >>> is_promo_line("This story is from our newsletter. Sign up to get it here.", f, 120)
    True
    >>> is_promo_line("Like farming? Get our newsletter in your inbox. Sign Up", f, 120)
    True
    >>> is_promo_line("Like farming? Most readers get the newsletter in their inbox.", f, 120)
    False
    >>> para = "The row went on. Download the app for the newsletter in your inbox. " * 4
    >>> is_promo_line(para, f, 120)
    False

    A paragraph of any length closed by "Click here ..." that offers something free or
    speaks to the reader is an advertiser's; "Click here" inside a quote or a report stays.

    >>> f = Furniture(promo_cues=("click here",))
    >>> is_promo_line("Thousands are moving savings into gold. " * 5 +
    ...     "Learn how with a kit. Click here to get your free Info Kit on Gold.", f, 120)
    True
    >>> is_promo_line("The agency posted the report online. " * 5 +
    ...     "Click here to read the report.", f, 120)
    False
    """
    if too_long(text, max_words) or text[:1] in _QUOTES:
        return False
    if not may_name_cue(text, f):
        return False  # every pitch names one of its cues (most short lines name none)
    words = text.split()
    first = words[0].lower().strip(".,:;!?")
    # "Interested in Farm Policy? Add ... Add Interest": a short question to the reader opens
    # a pitch that ends on its button, not on a sentence.
    opener = first in f.promo_openers or (
        "?" in text[:80] and len(text[: text.find("?")].split()) <= 6 and text[-1] not in _ENDS
    )
    if not opener and len(words) > 15 and ("you" not in text.lower() or not _YOU.search(text)):
        return False  # a long line that neither opens a pitch nor speaks to the reader
    sentence = not opener and len(words) <= 15 and reads_as_sentences(text)
    if sentence and _pitch_closes(text, f):
        return True  # "... adapted from our newsletter. Sign up to receive it here."
    if sentence and not _YOU.search(text):
        return False  # a short sentence is a pitch only with an opener or said to "you"
    if _SAYS.search(text):
        return False
    cues = {m.group().lower() for m in f._promo.finditer(text)}
    if not cues:
        return False
    if opener and len(words) <= 40:
        return True
    if _CLICK_CLOSE.search(text) and (_YOU.search(text) or _FREE.search(text)):
        return True  # "... protect your savings. Click here to get your free Info Kit."
    if first == "click" and len(words) <= 20 and not reads_as_sentences(text):
        return True  # "CLICK HERE TO GET THE NEWS APP", "Click here to subscribe"
    if len(words) > 40 and not opener and not _all_sentences_pitch(text, f):
        return False  # a paragraph that mentions a pitch: removing it would lose its sentences
    if len(words) > 15 or sentence:
        return len(cues) >= 3 and _YOU.search(text) is not None
    return len(cues) >= 2


# A pitch's button as its last sentence: "... Click here to get your free kit.", "CLICK HERE".
_CLICK_CLOSE = re.compile(r"(?:^|[.!?] )(?:Click|CLICK) (?:here|Here|HERE)\b[^.!?]{0,80}[.!]?$")
_FREE = re.compile(r"\b(?:free|FREE|Free)\b")


def _all_sentences_pitch(text: str, f: Furniture) -> bool:
    """Say whether every sentence of a line names a pitch's cue or speaks to the reader.

    >>> f = Furniture(promo_cues=("sign up", "newsletter", "unsubscribe", "app"))
    >>> _all_sentences_pitch("Sign up for our newsletter. You can unsubscribe at any time.", f)
    True
    >>> _all_sentences_pitch("The row went on. Download the app. Critics say it falls short.", f)
    False
    """
    starts = [0, *(m.end() - 1 for m in _SENTENCE_BREAK.finditer(text)), len(text)]
    return all(
        f._promo.search(text, a, b) is not None or _YOU.search(text, a, b) is not None
        for a, b in itertools.pairwise(starts)
    )


def _pitch_closes(text: str, f: Furniture) -> bool:
    """Say whether a short line's last sentence is a pitch ("... newsletter. Sign up to
    receive it here.") and the line names two of the pitch's cues.

    >>> f = Furniture(promo_cues=("sign up", "newsletter"), promo_openers=frozenset(["sign"]))
    >>> _pitch_closes("This story is adapted from our newsletter. Sign up to receive it here.", f)
    True
    >>> _pitch_closes("The union met. Sign up sheets were posted.", f)
    False
    """
    breaks = [m.end() for m in _SENTENCE_BREAK.finditer(text)]
    if not breaks:
        return False
    tail = text[breaks[-1] - 1 :]
    first = tail.split(None, 1)[0].lower().strip("\"“‘'(")
    if first not in f.promo_openers or len(tail.split()) > 10 or _SAYS.search(text):
        return False
    return len({m.group().lower() for m in f._promo.finditer(text)}) >= 2


# A story's age alone on its line: "6 years ago", "an hour ago", "3 days ago".
_AGE_LINE = re.compile(
    r"^(?:This (?:article|story|post|page|piece|report) is )?(?:more than |over |about )?"
    r"(?:\d{1,3}|an?|one) +(?:sec|second|min|minute|hr|hour|day|week|month|year|yr)s? +"
    r"(?:ago|old)\.?$",
    re.I,
)
# A clock time with its half of the day alone on a line: "6:45 PM" ("13:05", a live blog's
# entry time, has none).
_CLOCK_LINE = re.compile(r"^\d{1,2}:\d{2} ?[AaPp]\.?[Mm]\.?$")
# A link to a recording left without its player: "Link to Audio", "7:12 PM Link to Video".
_MEDIA_LINK = re.compile(
    r"^(?:\d{1,2}:\d{2} ?[AaPp]\.?[Mm]\.? )?(?:Link to|LINK TO|Listen to|Download) (?:the )?"
    r"(?:Audio|AUDIO|audio|Video|VIDEO|video|Podcast|podcast|Recording|recording|MP3)$"
)
_STAMP_LABEL = re.compile(
    r"^(?:(?:last |first )?(?:updated|published|posted|modified)(?: on| at)?|"
    r"(?:last )?update|published date|date)\s*:?\s+(?=.*\d)",
    re.I,
)
# The same label in French, Spanish, German, Italian, Portuguese and Dutch: "Publié le",
# "Mis à jour le", "Actualizado el", "Aktualisiert am", "Pubblicato il", "Bijgewerkt op".
_WORLD_LABELS = (
    r"(?:publié|mis à jour|modifié|actualisé|publicado|actualizado|modificado|"
    r"veröffentlicht|aktualisiert|geändert|pubblicato|aggiornato|modificato|atualizado|"
    r"gepubliceerd|bijgewerkt)"
)
_STAMP_LABEL_WORLD = re.compile(
    rf"^{_WORLD_LABELS}(?: le| el| am| il| em| op| à| a las| às)?\s*:?\s+(?=.*\d)", re.I
)
# "Publié le 3 mars 2024 à 14h05, modifié le 4 mars 2024 à 08h12": the update after a comma
_SECOND_STAMP = re.compile(rf",? (?={_WORLD_LABELS}\b)", re.I)
# A date in any of those languages by its shape, with no list of month names: a day, one
# word for the month, a year, and a clock time ("3 mars 2024 à 14h05", "3. März 2024, 14:05
# Uhr", "3 de marzo de 2024"); or figures ("03.03.2024 14:05", "03/03/2024").
_WORLD_DATE = re.compile(
    r"^(?:[^\W\d_]{2,12}\.?,? )?(?:\d{1,2}\.?(?: de)? [^\W\d_]{3,12}\.?(?: de)?,? \d{4}|"
    r"\d{1,2}[./-]\d{1,2}[./-]\d{4}|\d{4}-\d{2}-\d{2})"
    r"(?:,? (?:à |um |a las |alle |às |om |at )?\d{1,2}[:h.]\d{2}"
    r"(?: ?(?:h|Uhr|CET|CEST|UTC))?)?\.?$",
    re.I,
)


def is_time_stamp(text: str, max_words: int) -> bool:
    """A line that only says when the story was published or updated.

    >>> is_time_stamp("Updated 3:45 PM ET, Tue March 5, 2019", 30)
    True
    >>> is_time_stamp("Published: 14 June 2023", 30), is_time_stamp("March 5, 2019", 30)
    (True, False)
    >>> is_time_stamp("Updated figures show 40,000 homes lost power.", 30)
    False
    >>> [is_time_stamp(t, 30) for t in ("Publié le 3 mars 2024 à 14h05", "Aktualisiert am "
    ...     "3. März 2024, 14:05 Uhr", "Actualizado el 03/03/2024", "Aggiornato 2 ore fa",
    ...     "Publié le 3 mars 2024 à 14h05, modifié le 4 mars 2024 à 08h12")]
    [True, True, True, True, True]
    >>> [is_time_stamp(t, 30) for t in ("Publié le 3 mars 2024, le rapport a fait scandale.",
    ...     "Actualizado el plan de 2024", "Veröffentlicht am Ende des Jahres 2024")]
    [False, False, False]
    """
    if too_long(text, 15 if max_words > 15 else max_words):
        return False
    m = _STAMP_LABEL.match(text)
    if m is None:
        m = _STAMP_LABEL_WORLD.match(text)
        if m is None:
            return False  # a bare date may be the page's dateline, kept as text
        first, *then = _SECOND_STAMP.split(text[m.end() :], maxsplit=1)
        stamped = _WORLD_DATE.match(first) is not None or says_age(first)
        return stamped and all(is_time_stamp(t, max_words) for t in then)
    rest = text[m.end() :]
    if _STAMP_LINE.match(rest.rstrip(".")):
        return True
    # "Updated 3:45 PM ET, Tue March 5, 2019": only dates, times, zones and weekdays.
    words = word_tokens(rest)
    return bool(_DATE_ANY.search(rest) or _DURATION.search(rest)) and all(
        w in _STAMP_WORDS for w in words
    )


_DATE_ANY = re.compile(_DATE, re.I)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august"]
_MONTHS += ["september", "october", "november", "december"]
# The words a "Updated 3:45 PM ET, Tue March 5, 2019" line may hold besides digits.
_STAMP_WORDS = frozenset(
    {*_WEEKDAYS, *_MONTHS, *(d[:3] for d in _WEEKDAYS), *(m[:3] for m in _MONTHS)}
    | {"tues", "thur", "thurs", "sept", "am", "pm", "a", "m", "p", "on", "at", "by"}
    | {"utc", "gmt", "bst", "est", "edt", "cst", "cdt", "pst", "pdt", "et", "pt", "cet", "cest"}
    | {"hkt", "st", "nd", "rd", "th", "updated", "published"}
)
_EMBED = re.compile(
    r"^(?:A (?:post|photo|video) shared by\b|View (?:this|more) (?:post|posts|photo|video)s? "
    r"on (?:Instagram|Facebook|Twitter|TikTok|X|Threads)\b|(?:Watch|View|Listen|Play)"
    r"(?: (?:it|this|the (?:video|clip|episode)))? on (?:YouTube|Vimeo|Facebook|Instagram|"
    r"Twitter|X|TikTok|Spotify|SoundCloud|Apple Podcasts)$)",
)


def is_social_embed(text: str, max_words: int, networks: frozenset[str] = frozenset()) -> bool:
    """What an embedded social post leaves: "View this post on Instagram", "A post shared by",
    or a hosted file's title line: "<title> by <Name> on <platform>" (platforms: ``networks``).

    >>> is_social_embed("BudgetMemo.2017 by Ann Lee on Scribd", 30, frozenset(["scribd"]))
    True
    >>> is_social_embed("He was praised by Ann Lee on Scribd.", 30, frozenset(["scribd"]))
    False
    >>> is_social_embed("Storm Over The Bay. from ann lee on Vimeo.", 30, frozenset(["vimeo"]))
    True
    >>> is_social_embed("The clip came from a user on Vimeo.", 30, frozenset(["vimeo"]))
    False

    >>> is_social_embed("View this post on Instagram", 30)
    True
    >>> is_social_embed("A post shared by Jane Doe (@janedoe) on Mar 5, 2019 at 10:30am PST", 30)
    True
    >>> is_social_embed("A post shared by thousands of users drew criticism.", 30)
    False
    """
    if too_long(text, max_words):
        return False
    if not _EMBED.match(text):
        if " on " not in text:
            return False  # "<title> by <Name> on <Platform>", "... from <user> on Vimeo."
        m = _HOSTED_BY.match(text)
        if m is not None:
            return m.group("host").lower() in networks and len(text.split()) <= 12
        m = _HOSTED_FROM.match(text)
        if m is None or m.group("host").lower() not in networks:
            return False
        # A clip's title is set in capitals or Title Case; "The clip came from a user on
        # YouTube." is a sentence.
        title = _WORDS.findall(m.group("title"))
        return len(title) >= 2 and 2 * sum(w[:1].isupper() for w in title) > len(title)
    return text.startswith("View") or "@" in text or not reads_as_sentences(text)


# "<title> by <Name> on <Platform>": the title line a hosted document or clip leaves.
_HOSTED_BY = re.compile(
    r"^\S(?:[^.!?]|\.(?=\S)){0,80} by (?:[A-Z][\w.'’-]*)(?: [A-Z][\w.'’-]*){0,3}"
    r" on (?P<host>[A-Z]\w+)$"
)
# "<Title> from <user> on Vimeo.": a clip's fallback line, the user's name as typed.
_HOSTED_FROM = re.compile(
    r"^(?P<title>\S(?:[^.!?]|[.!?](?=\S)){0,100}[.!?]?) from [\w.'’-]+(?: [\w.'’-]+){0,3}"
    r" on (?P<host>[A-Z]\w+)\.$"
)


def is_related_heading(text: str, f: Furniture) -> bool:
    """The heading of a list of links: "Related Stories", "Most Read", "You may also like".

    >>> f = Furniture(related_headings=frozenset("related stories most read you may also "
    ...     "like what we know".split()), heading_cores=("related", "most read", "also like"))
    >>> [is_related_heading(t, f) for t in ("Related Stories", "Most Read", "You may also like")]
    [True, True, True]
    >>> is_related_heading("What we know", f), is_related_heading("Related charges.", f)
    (False, False)
    >>> is_related_heading("Related Stories...", f)
    True
    """
    if len(text) > 50 or not _first_word_in(text, f.related_headings):
        return False
    if reads_as_sentences(text.rstrip(":").removesuffix("...").rstrip("…")):
        return False  # "More On This..." is a heading; "Related charges." a sentence
    tokens = word_tokens(text)
    if len(tokens) > 5 or not _made_of(tokens, f.related_headings):
        return False
    joined = " " + " ".join(tokens) + " "
    return any(f" {core} " in joined for core in f.heading_cores)


def is_separator_line(text: str) -> bool:
    """A rule between blocks: a line of marks with no letter or digit ("___", "* * *").

    >>> [is_separator_line(t) for t in ("___", "* * *", "-----", "• • •", "~")]
    [True, True, True, True, True]
    >>> [is_separator_line(t) for t in ("—30—", "...", "1.", "A", "?")]
    [False, False, False, False, False]

    Or one letter typed over and over, longer than a word: "xxxxxxxxxxxx" ("Zzzz", "AAAH"
    stay).

    >>> [is_separator_line(t) for t in ("xxxxxxxxxxxxxxxx", "XXXXXXXXXX", "Zzzzz", "AAAAAAAAH")]
    [True, True, False, False]
    """
    if len(text) > 80 or text in ("...", "…", "?", "!"):
        return False  # an ellipsis or a lone mark may stand for words (an omission, a reply)
    if len(text) >= 10 and len(set(text.lower())) == 1:
        return True  # "xxxxxxxxxxxx": a rule typed with one letter, longer than any word
    return not any(ch.isalnum() for ch in text)


# "By Ann Lee", "By Ann Lee and Bo Chen - August 22, 2012", "BY ANN LEE | Daily News".
_BYLINE = re.compile(
    r"^(?:By|BY) (?P<names>[A-Z][\w.'’-]*(?:,? (?:[A-Z][\w.'’-]*|de|van|von|da|del|la|le|"
    r"and|&))*?)(?: ?[-–—|,] ?(?P<rest>\S.*))?$"
)
_NOT_NAMES = frozenset(["The", "THE", "A", "An", "This", "That", "Our", "Its", "Their", "His"])


def is_byline_line(text: str) -> bool:
    """A byline standing alone: "By" and a name, maybe a date or an outlet after a dash/bar.

    >>> [is_byline_line(t) for t in ("By John Stossel - August 22, 2012", "By Ann Lee",
    ...     "BY ANN LEE AND BO CHEN | Daily News", "By Ann Lee, Reuters",
    ...     "-- By Michael Russell Follow @tdmrussell")]
    [True, True, True, True, True]
    >>> [is_byline_line(t) for t in ("By Monday, the deal was done.", "By The Numbers",
    ...     "By Ann Lee - the reporter who broke the story, said it first.", "By 2030")]
    [False, False, False, False]
    """
    if " | " in text and _is_piped_byline(text):
        return True
    if text[:1] in "-–—":
        text = _FOLLOW_TAIL.sub("", text.lstrip("-–— "))  # "-- By Ann Lee Follow @annlee"
    if len(text) > 100 or text.rstrip(_CLOSERS)[-1:] in "!?" or not text.startswith(("By ", "BY ")):
        return False
    m = _BYLINE.match(text)
    if m is None:
        return False
    names = m.group("names").replace(",", " ").split()
    capitalised = [w for w in names if w[:1].isupper()]
    if len(capitalised) < 2 or len(names) > 9 or names[0] in _NOT_NAMES:
        return False
    rest = m.group("rest")
    if rest is None:
        return not text.endswith(".") or _ABBREVIATED.search(text[-5:]) is not None
    # After the dash: a date or time, or a short name (the outlet), never a sentence.
    if _DATE_ANY.search(rest) and len(rest.split()) <= 8:
        return True
    return len(rest.split()) <= 4 and not reads_as_sentences(rest) and rest[:1].isupper()


_FOLLOW_TAIL = re.compile(r",? (?:Follow|FOLLOW) @\w{2,}$")


def _is_piped_byline(text: str) -> bool:
    """A byline's fields between bars: a name, a role, a date ("Ann Lee | Staff Writer |
    Tuesday, 25 November 2014"). A table's row has no name and date side by side.

    >>> _is_piped_byline("Stevie Martin | Staff Writer | Tuesday, 25 November 2014")
    True
    >>> _is_piped_byline("Rovers | 12 | 3 | 39"), _is_piped_byline("Ann Lee | Staff Writer")
    (False, False)
    """
    fields = [p.strip() for p in text.split(" | ")]
    if not 2 <= len(fields) <= 4 or len(text) > 120:
        return False
    name = fields[0].split()
    return (
        2 <= len(name) <= 4
        and all(w[:1].isupper() and w[1:].replace("-", "").replace("'", "").isalpha() for w in name)
        and _DATE_ANY.search(fields[-1]) is not None
        and len(fields[-1].split()) <= 6
    )


# A flattened chart or table: a title, its cells, and a source line closing the paragraph.
_CHART_SOURCE = re.compile(r"\b(?:Sources?|SOURCES?|Data|DATA)\s?: [^.!?]{3,160}$")
_NUMBER = re.compile(r"(?<![\w.])\d(?:[\d,.]*\d)?%?(?![\w])")
_CELLS = re.compile(r"(?<![\w.])\d(?:[\d,.]*\d)?%?\*? (?=\d|[A-Z])")


def is_chart_block(text: str) -> bool:
    """A chart or table flattened into one line: many figures, closed by its source list.

    >>> is_chart_block("Signatures needed by state State Target Required Days Calif. Newsom "
    ...     "1,495,708 160 N.J. Murphy 1,484,358 320 Colo. Polis 631,266 60 "
    ...     "Sources: Ballotpedia, Media reports")
    True
    >>> is_chart_block("The count reached 1,495,708 in 160 days, and 631,266 in 60 more, "
    ...     "the office said. Source: the state")
    False
    >>> is_chart_block("Turnout rose. Sources: Ballotpedia, Media reports")
    False
    """
    if "ource" not in text and "OURCE" not in text and "ata:" not in text and "ATA:" not in text:
        return False
    m = _CHART_SOURCE.search(text, max(0, len(text) - 200))
    if m is None or m.start() < 40:
        return False
    body = text[: m.start()]
    if _SAYS.search(body[-200:]):
        return False
    # Cells side by side: a figure followed straight by another figure or a capitalised
    # cell ("1,495,708 160 days N.J. Phil Murphy 1,484,358 320 Colo."), as prose never runs.
    return len(_NUMBER.findall(body)) >= 6 and len(_CELLS.findall(body)) >= 4


# A chart's source line on its own: "SOURCE: Aviation Safety Network; ICAO; WORLD BANK."
_CHART_SOURCE_LINE = re.compile(r"^(?:SOURCES?|Sources?|DATA|Data)\s?: ?[^.!?]{2,160}\.?$")
# A chart's title: a label, a colon and the years it covers, perhaps its unit in brackets:
# "Commercial flights and passengers carried: 1975 - 2014 (rate per million)".
_CHART_TITLE = re.compile(
    r"^[A-Z][^.!?:]{2,90}:? (?:since:? )?(?:19|20)\d\d(?: ?[-–—] ?(?:(?:19|20)\d\d|today|"
    r"present))?(?: \([^()]{1,40}\))?$"
)
# A chart's footnote under its source: "* Accidents refers to ...", "** Includes 162 ...".
_CHART_NOTE = re.compile(r"^(?:\*{1,3}|†|‡) ?[A-Z0-9]")


def find_chart_notes(texts: Sequence[str]) -> list[int]:
    """A chart flattened into lines of their own: its titles (a label and the years it
    covers), its source line and the footnotes under it. The source line is the anchor: a
    chart title or a footnote must stand beside it, or it must say "SOURCE" in capitals.

    >>> story = ["A modern airliner vanished from radar on Sunday.", "Crashes since: 1975",
    ...     "With 33 million flights in 2014, the rate has never been lower.",
    ...     "Flights and passengers carried: 1975 - 2014", "SOURCE: Aviation Network; ICAO.",
    ...     "* Accidents refers to fatal hull-loss accidents.", "Nearly two days after, ..."]
    >>> find_chart_notes(story)
    [1, 3, 4, 5]

    A source named in a sentence, a year in a subheading with no source beside it, and a
    list of bullet points under no source stay:

    >>> find_chart_notes(["Intro.", "Source: the ministry said it would act.", "Outro."])
    []
    >>> find_chart_notes(["Intro.", "The class of: 2014", "Text.", "* First point", "Outro."])
    []
    """
    anchors = [
        i
        for i, t in enumerate(texts)
        if _CHART_SOURCE_LINE.match(t) and len(t.split()) <= 16 and not _SAYS.search(t)
    ]
    notes: set[int] = set()
    for a in anchors:
        below = a + 1
        while below < len(texts) and _CHART_NOTE.match(texts[below]):
            if too_long(texts[below], 40):
                break
            below += 1
        titles = [
            i
            for i in range(max(0, a - 6), a)
            if len(texts[i].split()) <= 14 and _CHART_TITLE.match(texts[i])
        ]
        if below == a + 1 and not titles and not texts[a].startswith(("SOURCE", "DATA")):
            continue
        notes.update(titles)
        notes.update(range(a, below))
    return sorted(notes)


def is_table_pipe(text: str) -> bool:
    """Menu or table furniture: three or more short cells between pipes, or only rules.

    >>> is_table_pipe("Home | News | Sport | Weather"), is_table_pipe("|---|---|")
    (True, True)
    >>> is_table_pipe("He said: the choice is A | B."), is_table_pipe("Rovers | 12 | 3 | 39")
    (False, False)
    >>> is_table_pipe("| | 71.1 MB | 13.4 MB (-81%) | 8.0 MB (-89%) |")
    False
    """
    if "|" not in text:
        return False
    if not _CELL_TEXT.search(text):
        return True
    cells = [c.strip() for c in text.strip("|").split("|")]
    filled = [c for c in cells if c]
    if len(filled) < 3 or len(text) > 300 or any(_HAS_DIGIT.search(c) for c in filled):
        return False  # a row of figures is a data table's
    return all(len(c.split()) <= 5 and not reads_as_sentences(c) for c in filled)


# ---------------------------------------------------------------------------------------
# Runs over a story's lines


def _is_stamp_line(text: str) -> bool:
    """A line that is only a date, a time or a story's age, in English or an age in any
    language the header reads ("vor 3 Stunden", "il y a 2 heures")."""
    return _STAMP_LINE.match(text) is not None or says_age(text)


def has_time_stamp(text: str, max_words: int) -> bool:
    """A related-story line: a headline closed by a date and time, or only a stamp.

    >>> has_time_stamp("Senate passes farm bill Apr 19, 4:29 PM", 30)
    True
    >>> has_time_stamp("3 hours ago", 30), has_time_stamp("Iowa caucuses, Feb. 3", 30)
    (True, False)
    >>> has_time_stamp("The vote is at 4:30 p.m.", 30)
    False
    """
    if too_long(text, max_words):
        return False
    if _is_stamp_line(text):
        return True
    last = text.rstrip(".").rpartition(" ")[2]
    if not (last[-1:].isdigit() or last[-1:] in "mM" or last.lower() == "ago" or last.isupper()):
        return False  # a stamp ends in a digit, "PM", "a.m.", "ago" or a time zone
    m = _TIMED_STAMP.search(text, max(0, len(text) - 64))  # a stamp is short
    if m is None or m.start() == 0:
        return False
    head = text[: m.start()].rstrip(" ,·|–—-")
    # "... closes at 4:30 p.m." is a sentence's time, not a stamp.
    return (
        bool(head) and not reads_as_sentences(head) and head.split()[-1].lower() not in _TIME_PREPS
    )


def _is_headline_like(text: str, max_words: int) -> bool:
    if too_long(text, max_words):
        return False
    words = text.split()
    return 0 < len(words) <= max_words and words[0][:1].isupper() and not reads_as_sentences(text)


def find_related_runs(
    texts: Sequence[str], f: Furniture, max_words: int, min_run: int
) -> dict[int, str]:
    """Runs of related-story lines, each with its date stamp: every line of the run goes.

    A run is consecutive lines that each end in a time stamp ("Headline Apr 19, 4:29 PM"),
    or headline / stamp-only pairs; it needs ``min_run`` stamps. A short heading just above
    made of related-story words ("Related Stories", "More from us") goes with it.

    >>> f = Furniture(related_headings=frozenset(["related", "stories"]))
    >>> texts = ["Body text here.", "Related Stories", "Farm bill passes Apr 19, 4:29 PM",
    ...          "Storm hits coast Apr 18, 10:02 AM", "Body again."]
    >>> sorted(find_related_runs(texts, f, 30, 2))
    [1, 2, 3]
    >>> find_related_runs(["Body.", "Iowa caucuses, Feb. 3", "New Hampshire, Feb. 11"], f, 30, 2)
    {}
    """
    found: dict[int, str] = {}
    n = len(texts)
    i = 0
    while i < n:
        run: list[int] = []
        stamps = 0
        j = i
        while j < n:
            if has_time_stamp(texts[j], max_words):
                run.append(j)
                stamps += 1
                j += 1
            elif (
                j + 1 < n
                and _is_stamp_line(texts[j + 1])
                and _is_headline_like(texts[j], max_words)
            ):
                run += [j, j + 1]
                stamps += 1
                j += 2
            else:
                break
        if stamps >= max(min_run, 1) and run:
            head = run[0] - 1
            if (
                head >= 0
                and len(texts[head].split()) <= 5
                and _made_of(word_tokens(texts[head]), f.related_headings)
            ):
                run.insert(0, head)
            for k in run:
                found[k] = "related_run"
            i = j
        else:
            i += 1
    return found


# What opens a credit under a picture's label ("Photo" / "by Ann Lee"): not a sentence's rest.
_CREDIT_OPENERS = ("by ", "courtesy", "via ", "credit", "source")


def continues_sentence(texts: Sequence[str], i: int) -> bool:
    """The line at ``i`` is a hard-wrapped sentence's first words: no closing mark, and the
    line under it goes on in lower case for six words or more ("Photos" / "which were
    released online and are making the rounds on social media,").

    >>> continues_sentence(["Photos", "which were released online are making the rounds,"], 0)
    True
    >>> continues_sentence(["Photos", "by Ann Lee for The Daily Courier newspaper here"], 0)
    False
    >>> continues_sentence(["Photos", "The council voted on Tuesday to add the lanes."], 0)
    False
    """
    if i + 1 >= len(texts) or not texts[i][-1:].isalnum():
        return False
    below = texts[i + 1]
    return (
        below[:1].islower()
        and len(below.split()) >= 6
        and not below.lower().startswith(_CREDIT_OPENERS)
    )


def _story_foot(found: Container[int], last: int) -> int:
    """The story's last line that no family has named yet, looking up from ``last`` (never
    above line 1): where a story's closing notes stand, above the page's furniture.

    >>> _story_foot({5: "promo_line", 4: "tag_line"}, 5), _story_foot({1: "x", 2: "y"}, 2)
    (3, 1)
    """
    foot = last
    while foot > 1 and foot in found:
        foot -= 1
    return foot


def find_furniture(
    texts: Sequence[str], f: Furniture, settings: FurnitureSettings, headline: str | None = None
) -> dict[int, str]:
    """Map the index of each furniture line of one story body to its family's name.

    ``texts`` are the stripped, non-empty lines of the body in order, ``headline`` the
    story's own (a body line that repeats it is the page's, :func:`find_title_repeats`).
    Families are tried in order, the first that claims a line names it; runs (related
    stories, a video title above its player's controls) are found after.

    >>> from ingest.rules import load_rules
    >>> rules = load_rules()
    >>> body = ["Advertisement", "Officials said the fund would grow.", "Jason Reed/Reuters",
    ...         "NATO", "Read more about the fund in our report.", "Photo"]
    >>> find_furniture(body, rules.furniture, rules.settings)
    {0: 'ad_slot', 2: 'credit_line', 5: 'media_placeholder'}
    """
    found: dict[int, str] = {}
    short = settings.max_furniture_words
    active, prose, longest, seen = _plan(f, settings)
    charts = f.enabled("chart_block")
    captions, caption_words = f.enabled("caption_line"), settings.max_caption_words
    for i, text in enumerate(texts):
        if len(text) > 12 * longest or too_long(text, longest):
            # A paragraph longer than any furniture line, unless a flattened chart's cells,
            # or a long caption (its closing credit not counted)
            if charts and is_chart_block(text):
                found[i] = "chart_block"
            elif text[-1] == ")" and captions and is_caption_line(text, f, caption_words):
                found[i] = "caption_line"
            continue
        # A short line's family depends on its text alone, and sites print the same short
        # lines (outlets, headings, labels) in story after story: decide each text once.
        family = seen.get(text, _UNSEEN)
        if family is _UNSEEN:
            family = _line_family(text, f, settings, active, prose)
            if len(seen) >= _MAX_SEEN:
                seen.clear()
            seen[text] = family
        if family is not None:
            found[i] = family
    for i in [i for i, name in found.items() if name == "media_placeholder"]:
        if continues_sentence(texts, i):
            del found[i]
    if f.enabled("video_block"):
        _extend_video_blocks(texts, found, f, short)
    for i in [i for i, name in found.items() if name == "caps_link"]:
        # A link sits between paragraphs; a line in capitals at the end of a story is its
        # writer's tagline, and one among short lines is code or a table ("ROWS BETWEEN ...").
        if i == len(texts) - 1 or not any(
            0 <= j < len(texts) and _reads_as_prose(texts[j]) for j in (i - 1, i + 1)
        ):
            del found[i]
    if _writes_in_capitals(texts):
        # A writer who sets figures and sentences in capitals ("GOLD: $1357.15 UP $25.00",
        # "WE HAD 11,759 ISSUED."): a line in capitals is their text, not a link or a credit.
        for i in [i for i, name in found.items() if name in ("caps_link", "credit_line")]:
            if texts[i].isupper() and len(_ALPHA_WORD.findall(texts[i])) >= 4:
                del found[i]
    last = len(texts) - 1
    if f.enabled("link_line"):
        for i in find_bare_urls(texts):
            found.setdefault(i, "link_line")
    if f.enabled("credit_line"):
        for i, text in enumerate(texts):
            if i not in found and text.startswith("The post ") and _APPEARED_FIRST.match(text):
                found[i] = "credit_line"  # a blog feed's footer, however long the title
    if f.enabled("time_stamp"):
        # "6 years ago", "il y a 2 heures", "This article is more than 1 year old" over a
        # story's first paragraph: the page's note of the story's age, sometimes printed
        # twice. Lower down, "2 hours ago" under a headline is a related card's stamp
        # (related_run weighs it).
        for i in range(min(3, len(texts))):
            if _AGE_LINE.match(texts[i]) or says_age(texts[i]):
                found.setdefault(i, "time_stamp")
            elif i >= 1:
                break
    if f.enabled("byline_line"):
        # A byline stands at a story's top or foot, never between its paragraphs.
        for i in {0, 1, last} & set(range(len(texts))):
            if i not in found and is_byline_line(texts[i]):
                found[i] = "byline_line"
    if f.enabled("teaser_line"):
        for i in range(1, last):
            if i not in found and is_title_case_link(texts, i, short):
                found[i] = "teaser_line"
    if f.enabled("teaser_line"):
        for i in find_label_cards(texts, short):
            found.setdefault(i, "teaser_line")
        for i in interview_questions(texts, [i for i, n in found.items() if n == "teaser_line"], f):
            del found[i]
    if f.enabled("caption_line"):
        _extend_printed_twice(texts, found, f)
        _extend_credited_captions(texts, found, f)
        for i in find_stopless_captions(texts, settings.max_caption_words):
            found.setdefault(i, "caption_line")
        for i in above_dateline(texts, f, settings.max_caption_words):
            found.setdefault(i, "caption_line")
        for i, text in enumerate(texts):
            if i not in found and is_depiction_caption(text):
                found[i] = "caption_line"
    if last >= 2 and f.enabled("copyright_trailer"):
        # the story's last line before the page's furniture under it
        foot = _story_foot(found, last)
        note = texts[foot]
        if foot not in found and (
            is_licensing_note(note, 2 * short)
            or is_funding_note(note, 2 * short)
            or (_ORIGINALLY.match(note) is not None and _SENTENCE_BREAK.search(note) is not None)
        ):
            found[foot] = "copyright_trailer"
            _extend_foot_notes(texts, found, foot, 2 * short)
    if f.enabled("copyright_trailer"):
        for i in find_rights_box(texts, found, 2 * short):
            found[i] = "copyright_trailer"
        _extend_under_copyright(texts, found)
    if f.enabled("ad_slot"):
        for i in find_sponsored_foot(texts):
            found.setdefault(i, "ad_slot")
    if f.enabled("credit_line") and last >= 2:
        _extend_source_foot(texts, found)
    if f.enabled("separator_line") and last >= 2:
        foot = _story_foot(found, last)
        if foot not in found and _END_OF.match(texts[foot]):
            found[foot] = "separator_line"  # "End of <the story's title>"
    if f.enabled("promo_line") and last >= 2:
        foot = _story_foot(found, last)
        if foot not in found and is_bullet_note(texts, foot):
            found[foot] = "promo_line"  # "• <Film> is out now on Blu-ray and DVD."
        if foot not in found and (is_paywall_note(texts[foot]) or is_visit_pitch(texts[foot])):
            found[foot] = "promo_line"
        for i in find_paywall_foot(texts, found):
            found.setdefault(i, "promo_line")
        for i in find_foot_pitches(texts, found):
            found[i] = "promo_line"
        for i, text in enumerate(texts):
            if i not in found and _UNFILLED.match(text) and not _SHELL_WORD.search(text):
                found[i] = "promo_line"  # "% of readers think this story is Fact."
    if last >= 2 and f.enabled("promo_line"):
        # The story's last line, above its furniture and a short list of its references
        # ("Further Reading: ESO, MNRAS").
        foot = last
        while foot > 1 and (foot in found or _REFERENCE_LABEL.match(texts[foot])):
            foot -= 1
        if foot not in found and is_dangling_prompt(texts[foot]):
            found[foot] = "promo_line"  # "Check out the interview below:", the player not kept
        for i, text in enumerate(texts):
            if i not in found and is_shouted_pitch(text):
                found[i] = "promo_line"
    if f.enabled("teaser_line"):
        for i in range(1, last):
            if i not in found and is_labelled_link(texts, i, f, short):
                found[i] = "teaser_line"
        for i in interview_questions(texts, [i for i, n in found.items() if n == "teaser_line"], f):
            del found[i]
    if f.enabled("teaser_line"):
        for i, text in enumerate(texts):
            if i not in found and (_PAGER.match(text) or (i and is_parenthesised_headline(text))):
                found[i] = "teaser_line"  # "Next Post"; "(<Another story's headline>)"
    closing = last >= 2 and last not in found and f.enabled("teaser_line")
    if closing and is_closing_teaser(texts[last], f, short):
        found[last] = "teaser_line"
    if f.enabled("promo_line"):
        _extend_foot_prompts(texts, found, short)
        for i, text in enumerate(texts):
            if i not in found and is_bracketed_prompt(text):
                found[i] = "promo_line"
    for i in range(1, len(texts)):
        # "<what the clip shows>. WATCH HERE." under the clip's title: the card's blurb
        family = found.get(i - 1)
        under_link = i not in found and family in ("teaser_line", "video_block", "caps_link")
        blurb = under_link and not too_long(texts[i], 3 * short)
        if blurb and family and _BARE_PROMPT_END.search(texts[i]):
            found[i] = family
    if charts:
        for i in find_chart_notes(texts):
            found.setdefault(i, "chart_block")
    if f.enabled("pull_quote"):
        for i in find_pull_quotes(texts, found):
            found.setdefault(i, "pull_quote")
    if f.enabled("repeated_line"):
        for i in find_repeated_lines(texts, settings.max_repeated_words, settings.min_line_repeats):
            found.setdefault(i, "repeated_line")
    for i in [i for i, name in found.items() if name == "table_pipe"]:
        # A menu is one line; rows next to rows are a table's, and a table is content.
        if any(0 <= j < len(texts) and texts[j].count("|") >= 2 for j in (i - 1, i + 1)):
            del found[i]
    if f.enabled("related_run"):
        for i in find_headline_foot(texts, found, f, short):
            found.setdefault(i, "related_run")
    if f.enabled("related_run") and len(texts) >= settings.min_related_run:
        for i, name in find_related_runs(texts, f, short, settings.min_related_run).items():
            found.setdefault(i, name)
        _extend_related_lists(texts, found, short, settings.min_related_run)
    if headline and f.enabled("title_repeat"):
        for i in find_title_repeats(texts, headline, settings.max_caption_words):
            found[i] = "title_repeat"  # the surest reason for a line another family took
    if f.enabled("video_block"):
        for i, text in enumerate(texts):
            if i not in found and _MEDIA_LINK.match(text):
                found[i] = "video_block"  # "7:12 PM Link to Audio": a player's link
    _extend_edge_shapes(texts, found, f)
    if f.enabled("time_stamp") and len(texts) > 2:
        # "6:45 PM" over a post's first paragraph, under the page's furniture: its time.
        for i, text in enumerate(texts[:4]):
            if i in found:
                continue
            if _CLOCK_LINE.match(text):
                found[i] = "time_stamp"
            break
    find_held_out_shapes(texts, found, f, short)  # last: an older family names a line first
    return found


_MIN_TITLE_WORDS = 4  # "Comments", "Live updates": a short headline is also a line of text
# What a hero block prints before the headline: "A photo of the author", "Share:".
_HERO_LABEL = re.compile(r"^[^.,;!?\"“”()]+:? $")
_STOPS = ".!?…"


def find_title_repeats(texts: Sequence[str], headline: str, max_words: int) -> list[int]:
    """Body lines that print the story's headline again: the title alone, anywhere; or, in
    the first three lines, a hero block that sets it between other pieces of the page with
    no stop at either seam ("A photo of the author <headline> <standfirst>"), after at most
    a short label (twelve words, no punctuation but a closing colon) and with at most
    ``max_words`` words besides the headline.

    A story's sentence that opens with the headline's words goes on in lower case or after
    a stop ("<headline> and found peace.", "<headline>. Then ..."), so it stays; so does a
    headline of under four words, and a sentence with a link card to the story spliced
    into it ("... said Rep. Ann Lee <card: other headlines, this one> MORE (R-N.C.) ...").

    >>> h = "Confessions of a recovering Libertarian: How I escaped Ron Paul hero worship"
    >>> find_title_repeats([h, "A photo of the author " + h + " In the right hands, it works.",
    ...     "Body text.", h.upper()], h, 120)
    [0, 1, 3]
    >>> find_title_repeats([h + " and found peace.", "He wrote " + h + ". Then he left.",
    ...     "Body text."], h, 120)
    []
    >>> q = "Can the ceasefire really deliver an election?"
    >>> find_title_repeats([q + " Analysts doubt it.", "Body.", "Photo " + q + " Dek."], q, 120)
    [2]
    >>> find_title_repeats(["Live updates", "Body."], "Live updates", 120)
    []
    >>> k = "Key takeaways from first public impeachment hearing"
    >>> find_title_repeats(["Body.", f"“No,” said Rep. Ann LeeA card {k} MORE (R-N.C.)."], k, 120)
    []
    """
    title = " ".join(headline.split())
    if len(title.split()) < _MIN_TITLE_WORDS:
        return []
    folded = title.casefold()
    out = []
    for i, text in enumerate(texts):
        line = " ".join(text.split())
        if line.casefold() == folded:
            out.append(i)
            continue
        at = line.find(title) if i < 3 else -1
        if at < 0 or too_long(line, max_words + len(title.split())):
            continue
        before, after = line[:at], line[at + len(title) :]
        label = before.endswith(" ") and _HERO_LABEL.match(before) and not too_long(before, 12)
        if before and not label:
            continue  # inside a word, or a sentence that holds the headline's words
        if not before and title[-1] in _STOPS:
            continue  # "<question>? <next sentence>": the story's own sentence
        seam = not after or (after[0] == " " and after[1:2].isupper())
        if seam and (before or after):
            out.append(i)
    return out


_CAPS_FIGURE = re.compile(r": ?[$€£]?\d")


def _writes_in_capitals(texts: Sequence[str]) -> bool:
    """Say whether a story's writer sets text in capitals: two lines or more in capitals
    that close like a sentence or give a figure after a label ("NY PRICE AT THE SAME TIME:
    $1341.15"). A page's links in capitals are headlines: no stop, no figures after a colon.

    >>> _writes_in_capitals(["GOLD FIX AT THE SAME TIME: $1341.15", "WE HAD 11,759 ISSUED.", "x"])
    True
    >>> _writes_in_capitals(["OFFICIALS WARN OF STORM SURGE", "The storm hit on Monday."])
    False
    """
    n = 0
    for text in texts:
        if text.isupper() and len(_ALPHA_WORD.findall(text)) >= 3:
            n += text.endswith(".") or _CAPS_FIGURE.search(text) is not None
    return n >= 2


# A URL alone on its line: "https://www.youtube.com/watch?v=x", "vimeo.com/ondemand/x".
_BARE_URL = re.compile(
    r"^(?:(?:https?://|www\.)\S+|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*)"
    r"(?: [-–—|] (?:[A-Z][\w'’()&.-]*)(?: [\w'’()&.-]+){0,5})?$"
)


# The heading of a post's list of references: "Sources & links", "Further reading".
_REFERENCES = re.compile(
    r"\b(?:sources?|links?|references?|reading|resources?|notes|bibliography|citations?)\b",
    re.I,
)


def find_bare_urls(texts: Sequence[str]) -> list[int]:
    """Lines that are a URL alone: what an embedded player or a source link leaves. A post's
    list of references stays: three URLs or more in a row, or URLs under a line that
    introduces them ("Read the filings here:", "Sources & links").

    >>> find_bare_urls(["He spoke.", "https://www.youtube.com/watch?v=x1", "vimeo.com/a/b"])
    [1, 2]
    >>> find_bare_urls(["He spoke.", "http://example.blogspot.com – The Ann Lee Blog"])
    [1]
    >>> find_bare_urls(["Sources & links", "https://example.org/report", "www.example.gov/a"])
    []
    >>> find_bare_urls(["He spoke.", "https://a.org/1", "https://b.org/2", "https://c.org/3"])
    []
    >>> find_bare_urls(["Visit example.com for more.", "He said www.example.com was down."])
    []
    """
    found: list[int] = []
    i = 0
    while i < len(texts):
        if not _BARE_URL.match(texts[i]):
            i += 1
            continue
        end = i
        while end < len(texts) and _BARE_URL.match(texts[end]):
            end += 1
        above = texts[i - 1] if i else ""
        heading = above.endswith(":") or (
            len(above.split()) <= 5 and _REFERENCES.search(above) is not None
        )
        if end - i < 3 and not heading:
            found.extend(range(i, end))
        i = end
    return found


# The heading of a block of paid links (Outbrain, Taboola): "Sponsored Content", "Promoted
# Stories", "Contenus sponsorisés par Outbrain", "Gesponserte Inhalte".
_SPONSORED = re.compile(
    r"sponsor|gesponsert|patrocinad|promoted|outbrain|taboola|paid (?:content|post|partner)",
    re.I,
)


def find_sponsored_foot(texts: Sequence[str]) -> list[int]:
    """A block of paid links closing a story: its heading ("CONTENUS SPONSORISÉS PAR
    OUTBRAIN", "Promoted Stories") in the story's second half and the two or more short lines
    under it to the end (the advertisers' names, their headlines, "PUBLICITÉ"). A heading
    followed by a paragraph of the story is no such block.

    >>> find_sponsored_foot(["A long story.", "More of it.", "Its end.", "Promoted Stories",
    ...     "FRANCE 24", "A headline of another site", "ADVERTISEMENT"])
    [3, 4, 5, 6]
    >>> find_sponsored_foot(["A story.", "Sponsored content", "Firms paid for the posts, "
    ...     "which ran for weeks on the site and drew millions of readers, the report said."])
    []
    """
    for i in range(len(texts) // 2, len(texts)):
        text = texts[i]
        if len(text.split()) > 6 or text[-1:] in ".!?" or not _SPONSORED.search(text):
            continue
        rest = texts[i + 1 :]
        if len(rest) >= 2 and all(len(t.split()) <= 20 and not reads_as_sentences(t) for t in rest):
            return list(range(i, len(texts)))
        return []
    return []


# A paywall's note where the scrape stops: "Il vous reste 69% de cet article à lire. La
# suite est réservée aux abonnés.", "The rest of this article is for subscribers only."
_SUBSCRIBERS = re.compile(
    r"\b(?:subscribers?|abonn(?:é|e)e?s|abonnement|abonnenten|suscriptores|assinantes|"
    r"abbonati)\b",
    re.I,
)
_READING = re.compile(
    r"\b(?:read|reading|lire|lesen|leer|ler|leggere|lezen|article|artikel|artículo|articolo|"
    r"artigo|story)\b",
    re.I,
)


def is_paywall_note(text: str) -> bool:
    """A paywall's note as a story's last line: it names the subscribers and the reading.

    >>> is_paywall_note("Il vous reste 72.46% de cet article à lire. La suite est réservée "
    ...     "aux abonnés.")
    True
    >>> is_paywall_note("The rest of this article is for subscribers only.")
    True
    >>> is_paywall_note("The paper said its subscribers read the article 20% more often.")
    False
    >>> is_paywall_note("Netflix added 5 million subscribers in the quarter.")
    False
    >>> is_paywall_note("Subscribers can read the full report on the company's website.")
    False
    """
    if len(text.split()) > 30 or _SAYS.search(text) or _WITHHELD.search(text) is None:
        return False
    return _SUBSCRIBERS.search(text) is not None and _READING.search(text) is not None


# What a paywall says of the text it holds back: "the rest", "69% of this article", "only".
_WITHHELD = re.compile(
    r"\b(?:rest|remaining|remainder|suite|reste|réservée?|reserved|exclusive|exclusively|only|"
    r"nur|solo|exclusivo|restante)\b|\d%|\d %",
    re.I,
)


# A short list of a story's references under a label: "Further Reading: ESO, MNRAS".
_REFERENCE_LABEL = re.compile(r"^[A-Z][\w ]{2,30}: [^.!?]{2,80}$")


def is_shouted_pitch(text: str) -> bool:
    """A pitch in Title Case with two exclamations or more: "Headline: Bitcoin Searches
    Exceed Trump! Blockchain Stocks Are Next!", "An Exclusive You Have To See: The Last
    Frontier Is Here! No More Censorship!". A sentence in lower case, a shouted quote or
    a short cry ("Go! Go! Go!") stays.

    >>> is_shouted_pitch("Headline: Bitcoin & Blockchain Searches Exceed Trump! Blockchain "
    ...     "Stocks Are Next!")
    True
    >>> is_shouted_pitch("“Go! Go! Go!” the crowd shouted as the runners passed the line!")
    False
    >>> is_shouted_pitch("Go! Go! Go!")
    False
    """
    if text.count("!") < 2 or text[:1] in _QUOTES or len(text) > 300:
        return False
    words = _WORDS.findall(text)
    if len(words) < 8:
        return False
    capitalised = sum(w[:1].isupper() for w in words if w.lower() not in _FUNCTION_SMALL)
    content = sum(1 for w in words if w.lower() not in _FUNCTION_SMALL)
    return content > 0 and capitalised >= 0.8 * content and not _SAYS.search(text)


# A widget whose number the scrape did not keep: "% of readers think this story is Fact.",
# "$ raised of our goal". No sentence opens with a unit sign and a space.
_UNFILLED = re.compile(r"^[%‰$€£] (?=[^\W\d_])")
# A shell prompt's command is no widget: "$ emcc hello.cpp -O3 -o hello.wasm".
_SHELL_WORD = re.compile(r"\w[./\\=]\w| --?\w")
# A story's end marker: "End of <Title>", "END OF STORY"; "End of an era." is a sentence.
_END_OF = re.compile(r"^(?:End|END) (?:of|OF) (?:[A-Z0-9][\w'’&:-]*(?: |$)){1,8}$")
# "Visit www.example.com for alternative news": the pitch of the site a post came from.
_VISIT = re.compile(
    r"(?:^|[.!?] )(?:Visit|VISIT) (?:us at )?(?:https?://|www\.)?[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"
    r"(?:/\S*)? (?:for|to)\b[^.!?]{0,120}[.!]?$"
)


def is_visit_pitch(text: str) -> bool:
    """A story's last line closed by a pitch for the site a post came from: "This article was
    contributed by <Site>. Visit www.example.com for alternative news and commentary."

    >>> is_visit_pitch("This article has been contributed by The Plan. Visit www.example.com "
    ...     "for alternative news, commentary and preparedness info.")
    True
    >>> is_visit_pitch("Visit cdc.gov for the guidance, the agency said.")
    False
    >>> is_visit_pitch("He urged voters to visit www.example.gov for the forms.")
    False
    """
    return len(text.split()) <= 40 and not _SAYS.search(text) and _VISIT.search(text) is not None


# A pitch's last sentence: a short imperative to the reader ("Show me the Bibles!", "Send us
# a correction", "Explore the Life in the Spirit Series.", "CLICK HERE").
_CALL_VERBS = frozenset(
    {"read", "follow", "join", "like", "sign", "subscribe", "download", "get", "watch"}
    | {"listen", "explore", "visit", "check", "see", "find", "discover", "share", "try"}
    | {"show", "send", "click", "shop", "buy", "order", "learn", "claim"}
)
_TO_READER = re.compile(r"\b(?:you|your|us|me|free|FREE|Free)\b")


def _closes_with_call(text: str) -> bool:
    """Say whether a line's last sentence is a short call to the reader and the line speaks
    to the reader or offers something free."""
    if text[:1] in _QUOTES or _SAYS.search(text):
        return False
    cut = max(
        text.rstrip(".!?").rfind(". "),
        text.rstrip(".!?").rfind("? "),
        text.rstrip(".!?").rfind("! "),
    )
    tail = text[cut + 2 :] if cut >= 0 else text
    words = tail.split()
    if not 1 <= len(words) <= 8 or words[0].lower().strip("\"“'") not in _CALL_VERBS:
        return False
    return words[0][:1].isupper() and _TO_READER.search(text) is not None


def find_foot_pitches(texts: Sequence[str], found: dict[int, str]) -> list[int]:
    """A run of two or more pitches closing a story, each ending on its button: "Connect with
    God as you read His Word. Bibles are 50% OFF. Show me the Bibles!", "See an error in this
    article? Send us a correction". The story's own last sentence, even an imperative one,
    stays alone.

    >>> story = ["The council met on Tuesday to vote on the plan for the bridge."]
    >>> find_foot_pitches([*story, "Read His Word as you wish. Show me the Bibles!",
    ...     "See an error in this article? Send us a correction"], {})
    [1, 2]
    >>> find_foot_pitches([*story, "Call your senator today. Tell them to vote no."], {})
    []
    """
    run: list[int] = []
    i = len(texts) - 1
    while i >= 1:
        if i in found:
            i -= 1
            continue
        if not _closes_with_call(texts[i]) or too_long(texts[i], 60):
            break
        run.append(i)
        i -= 1
    return sorted(run) if len(run) >= 2 else []


# A picture's controls printed into its credit line: "Credit: Ann Lee View full size image".
_PICTURE_CONTROLS = frozenset({"view", "enlarge", "expand", "fullscreen", "full", "size", "zoom"})


def _extend_credited_captions(texts: Sequence[str], found: dict[int, str], f: Furniture) -> None:
    """Captions a story's own credit lines point at: a line that opens with a credit the
    story also prints alone ("Boston Herald / Polaris" alone, and "Boston Herald / Polaris
    Firefighters slide out to the dog"), and a short line over a credit line at the story's
    top ("<caption>" over "Credit: Public Domain View full size image": the picture's own
    controls in the credit line), the lead picture's. (Over "Photo by Ann Lee/CNET" alone a
    line stays: readability's gold keeps cnet's.)

    >>> f = Furniture(credit_markers=frozenset(["credit", "photo"]))
    >>> found = {3: "credit_line"}
    >>> texts = ["The dog fell through the ice.", "Ann Lee / Polaris A firefighter slides out",
    ...     "More text of the story.", "Ann Lee / Polaris"]
    >>> _extend_credited_captions(texts, found, f); found
    {3: 'credit_line', 1: 'caption_line'}
    >>> found = {1: "credit_line"}
    >>> _extend_credited_captions(["Zombies had a taste for flesh.", "Credit: Public Domain "
    ...     "View full size image", "They moan. They bite."], found, f); found
    {1: 'credit_line', 0: 'caption_line'}
    >>> found = {1: "credit_line"}
    >>> _extend_credited_captions(["Ann Lee, the man with the plan.", "Photo by Bo Chen/CNET",
    ...     "They moan. They bite."], found, f); found
    {1: 'credit_line'}
    >>> found = {3: "credit_line"}
    >>> _extend_credited_captions(["Intro.", "Ann Lee / Polaris said so.", "More.",
    ...     "Ann Lee / Polaris"], found, f); found
    {3: 'credit_line'}
    """
    credits = {texts[i] for i, name in found.items() if name == "credit_line" and "/" in texts[i]}
    for i, text in enumerate(texts):
        if i in found or not credits:
            continue
        for credit in credits:
            rest = text[len(credit) + 1 :] if text.startswith(credit + " ") else ""
            if rest[:1].isupper() and len(rest.split()) >= 4 and not _SAYS.search(rest):
                found[i] = "caption_line"
                break
    if (
        len(texts) >= 3
        and 0 not in found
        and found.get(1) == "credit_line"
        and f._credit_start.match(texts[1])
        and len(_PICTURE_CONTROLS.intersection(word_tokens(texts[1]))) >= 2
        and not too_long(texts[0], 50)
        and texts[0].rstrip(_CLOSERS)[-1:] in ".!?"
    ):
        found[0] = "caption_line"


def _extend_printed_twice(texts: Sequence[str], found: dict[int, str], f: Furniture) -> None:
    """A picture's alt text over its caption, the caption being the same words and a credit
    ("<words>" over "<words>. Foto: EFE", or "<words>" over "Credit: <name> View full size
    image <words> <more words>"), goes with the caption; so does a bare count (a picture's
    number, its comments) next to either.

    >>> f = Furniture(credit_markers=frozenset(["credit", "photo"]))
    >>> cap = "The planet Mars is the fourth planet from the sun."
    >>> found = {}
    >>> _extend_printed_twice(["Text.", cap, f"Credit: Ann Lee View image {cap} See more",
    ...     "More text."], found, f)
    >>> found
    {1: 'caption_line', 2: 'caption_line'}
    >>> found = {}
    >>> _extend_printed_twice(["Text.", cap, f"{cap} It has two moons.", "More."], found, f)
    >>> found
    {}
    """
    for i in range(len(texts) - 1):
        nxt = texts[i + 1]
        if (
            i not in found
            and len(texts[i]) >= 20
            and f._credit_start.match(nxt)
            and len(nxt) > len(texts[i]) + 10
            and texts[i].rstrip(".") in nxt
        ):
            found[i] = found[i + 1] = "caption_line"  # the credit line prints it again
            continue
        if (
            found.get(i + 1) == "caption_line"
            and i not in found
            and len(texts[i]) >= 20
            and nxt.startswith(texts[i])
            and len(nxt) > len(texts[i])
        ):
            found[i] = "caption_line"
    for i, text in enumerate(texts):
        if i in found or not text.isdigit() or len(text) > 4:
            continue
        if any(found.get(j) == "caption_line" for j in (i - 1, i + 1)):
            found[i] = "caption_line"


_SOURCE_LABEL = re.compile(r"^(?:Source|Sources|Via|Fuente|Quelle|Fonte)\.?$")
# A source named in a few words, no sentence: "Source: KGUN 9", "Quelle: dpa".
_SOURCE_NAMED = re.compile(
    r"^(?:Source|Sources|SOURCE|Via|Fuente|Quelle|Fonte)\s?:\s?[\w@][^.!?:;\s]*"
    r"(?: [^.!?:;\s]+){0,4}$"
)


def _extend_source_foot(texts: Sequence[str], found: dict[int, str]) -> None:
    """A story's foot: "Source" alone, its link not kept, a source named in a few words
    under the page's furniture ("Share This" over "Source: KGUN 9"), and a site's name in
    Title Case over the source line that gives its address ("Ann's Garden Blog" over
    "Source: <url>"). A last sentence, a source under the text ("Source: Bureau of Labor
    Statistics" closes a table's story), and a name above anything but a found source line,
    stay.

    >>> found = {2: "share_buttons"}
    >>> _extend_source_foot(["Text.", "More text.", "Share This", "Source: KGUN 9"], found)
    >>> found
    {2: 'share_buttons', 3: 'credit_line'}
    >>> found = {}
    >>> _extend_source_foot(["Text.", "More text.", "Source: Bureau of Labor Statistics"], found)
    >>> found
    {}
    """
    foot = _story_foot(found, len(texts) - 1)
    if foot not in found and _SOURCE_LABEL.match(texts[foot]):
        found[foot] = "credit_line"
    elif foot == len(texts) - 1 and foot - 1 in found and _SOURCE_NAMED.match(texts[foot]):
        found[foot] = "credit_line"  # "Share This" / "Source: KGUN 9": the page's, not the text's
    for i in range(max(1, len(texts) - 4), len(texts) - 1):
        nxt = texts[i + 1]
        if i in found or found.get(i + 1) not in ("link_line", "credit_line"):
            continue
        if not nxt.startswith(("Source", "SOURCE", "Via ")):
            continue
        words = texts[i].split()
        if (
            2 <= len(words) <= 6
            and texts[i][-1] not in ".!?:"
            and all(w[:1].isupper() or w.lower() in _FUNCTION_SMALL for w in words)
        ):
            found[i] = "credit_line"


def find_paywall_foot(texts: Sequence[str], found: dict[int, str]) -> list[int]:
    """A paywall's note where the scrape stops and the page's notices under it to the end of
    the story (the subscriber's device limit, the offer, the app links): the story was cut
    there. Only under two lines of the story or more, at most twelve lines above its end,
    and over short notices only: a paragraph of the story under it ends the search (a
    teaser "Read also: <a subscribers' article>" is no paywall).

    >>> story = ["A paragraph of the story."] * 3
    >>> find_paywall_foot([*story, "Il vous reste 80% de cet article à lire. La suite est "
    ...     "réservée aux abonnés.", "Vous ne pouvez lire qu'un appareil.", "Abonnement"], {})
    [3, 4, 5]
    """
    for i in range(max(2, len(texts) - 13), len(texts)):
        if i in found or not is_paywall_note(texts[i]):
            continue
        under = [j for j in range(i + 1, len(texts)) if j not in found]
        if all(len(texts[j].split()) <= 35 for j in under):
            return list(range(i, len(texts)))
    return []


_NAMES_COPYRIGHT = re.compile(r"copyright|all rights reserved", re.I)


# "Delivered by <Site>", "Contributed by <Name> of <domain>.", "Republished with permission
# from <Name>": where a syndicated post came from.
_CAME_FROM = re.compile(
    r"^(?:Delivered|Contributed|Republished|Reposted|Reprinted|Originally published)\b"
    r"(?: with permission)? (?:by|from|at|of|on) [A-Z\w][^!?]{0,120}$"
)


def _extend_foot_notes(
    texts: Sequence[str], found: dict[int, str], foot: int, max_words: int
) -> None:
    """Above a licensing note closing a story, the rest of its syndication notes go with it:
    "We encourage you to share and republish our reports (Click for details).", "Delivered
    by <Site>". Only a run of such notes right above it; the story's own text ends the run.
    """
    i = foot - 1
    while i >= 1:
        text = texts[i]
        if i in found:
            i -= 1
            continue
        if too_long(text, max_words) or _SAYS.search(text):
            break
        if _LICENSING.search(text):
            found[i] = "copyright_trailer"
        elif _CAME_FROM.match(text):
            found[i] = "credit_line"
        else:
            break
        i -= 1


def _extend_under_copyright(texts: Sequence[str], found: dict[int, str]) -> None:
    """The lines under a story's copyright trailer are the page's foot: "RSS feed for <name>",
    "Older articles by <name>", the comment policy. Only when the trailer names its
    copyright ("© Getty Images" is a picture's credit) and at most four lines follow it in
    the story's second half.
    """
    trailers = [
        i
        for i, name in found.items()
        if name == "copyright_trailer" and _NAMES_COPYRIGHT.search(texts[i])
    ]
    if not trailers:
        return
    start = max(trailers)
    if start >= 3 and 2 * start >= len(texts) - 1 and len(texts) - 1 - start <= 4:
        for i in range(start + 1, len(texts)):
            found.setdefault(i, "copyright_trailer")


_CODE_CHARS = re.compile(r"[()\[\]{}=;<>_|│\\]")


_PULL_MIN_WORDS = 8  # "What can be done?": a short subheading may open a paragraph
# A pull quote of this many words may be edited: most (_PULL_SHARE) of its word triples in
# the paragraph ("The Interview has ..." lifted from "... the comedy has ...").
_PULL_FUZZY_WORDS = 12
_PULL_SHARE = 0.6
# A word triple that this many lines hold or more is the page's formula ("Paragraph 12 of
# a report on ..."), no evidence of a lifted quote; skipping it keeps the search linear.
_PULL_MAX_HOLDERS = 6
# A paragraph that quotes someone says who: a pull quote does not ("... Mr. Pence tweeted.").
_ATTRIBUTED = re.compile(r"\b(?:said|says|told|tweeted|wrote|writes|added|asked)\b")
_PULL_MAX_WORDS = 60
_PLAIN_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _longest_run(a: Sequence[str], b: Sequence[str]) -> int:
    """The longest run of words that ``a`` and ``b`` share, unbroken.

    >>> _longest_run("a b c d e".split(), "x b c d y e".split())
    3
    """
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for k, y in enumerate(b, 1):
            if x == y:
                cur[k] = prev[k - 1] + 1
                best = max(best, cur[k])
        prev = cur
    return best


def find_pull_quotes(texts: Sequence[str], taken: Container[int] = ()) -> list[int]:
    """Pull quotes: a line whose words, eight or more, a longer line of the same story holds
    word for word (punctuation and case aside). The page lifts a sentence out of the text and
    prints it again between paragraphs; the paragraph it came from keeps it (a line already
    ``taken`` as furniture, a caption glued to a paragraph, or an embedded post is no
    source). Not a line
    that the paragraph next to it opens with (a summary over its lead, a feed's description
    over its text), nor one that a paragraph opens with, glued (``glued_repeat`` cuts it). A
    pull quote ends like a sentence (a quoted subheading over its paragraph does not), and
    stands alone: the lines of an embedded post, each a sentence its paragraph quotes, stay.

    >>> para = ("The focus of her investigation was on how nuns live, work and pray, ranging "
    ...     "from communal prayer to community service.")
    >>> find_pull_quotes(["Intro.", para, "More text.", "The focus of her investigation was "
    ...     "on how nuns live, work and pray.", "End."])
    [3]

    A line printed twice, a short line and a paragraph that says more than another stay:

    >>> find_pull_quotes(["We will fight on the beaches and in the hills.", "He paused.",
    ...     "We will fight on the beaches and in the hills."])
    []
    >>> find_pull_quotes(["What can be done?", "What can be done? Plenty, said the mayor."])
    []
    >>> find_pull_quotes(["Intro.", para, para + " She wrote reports.", "End."])
    []
    >>> head = "‘The focus of her investigation was on how nuns live’"
    >>> find_pull_quotes(["Intro.", para, "More text.", head, "End."])
    []
    >>> said = "We are not overwhelmed. We have no intention of closing the state down again."
    >>> tweet = [said + " We remain confident.", "More text.", "We are not overwhelmed.",
    ...     "We have no intention of closing the state down again.", "End."]
    >>> find_pull_quotes(tweet), find_pull_quotes([said, "More text.", tweet[3], "End."])
    ([], [2])
    >>> dek = "Revisionism is attacking everything Southern on every level across America"
    >>> find_pull_quotes([dek, "Intro.", dek + " The flag stands for honour.", "End."])
    []

    A longer pull quote may be edited ("The Interview" for "the comedy", a list cut out):

    >>> para = ("But caricature notwithstanding, the comedy has a surprisingly nuanced streak "
    ...     "in its celluloid sea of swears and jokes.")
    >>> pull = ("Caricature notwithstanding, The Interview has a surprisingly nuanced streak in "
    ...     "its celluloid sea of swears and jokes.")
    >>> find_pull_quotes(["Intro.", pull, "More text.", para, "End."])
    [1]
    >>> find_pull_quotes(["Intro.", pull, para, "End."])
    [1]
    >>> tweet = pull + " — Ann Lee (@annlee) July 25, 2018"
    >>> find_pull_quotes(["Intro.", pull.replace("The Interview", "the film"), tweet, "End."])
    []
    >>> find_pull_quotes(["Intro.", para, para.replace(".", ", it says; it opens soon."),
    ...     "End."])
    []
    >>> find_pull_quotes(["Intro.", "Caricature aside, the film has a nuanced streak in a sea "
    ...     "of jokes about swearing, which critics missed.", "More text.", para, "End."])
    []
    >>> find_pull_quotes(["Costs rose. Ann Lee – who has led the campaign for 40 years – called "
    ...     "it a turning point. Who will pay for it? Figures came on Friday.", "More text.",
    ...     "Who will pay for it? Bo Chen – who has led the campaign for 10 years – called it "
    ...     "a turning point.", "End."])
    []
    """
    if len(texts) < 3:
        return []
    words = [_PLAIN_WORD.findall(t.lower()) if len(t) < 4000 else [] for t in texts]
    # A pull quote ends like a sentence: "‘Clinton is one of the most accomplished’" is a
    # quoted subheading.
    candidates = [
        i
        for i, w in enumerate(words)
        if _PULL_MIN_WORDS <= len(w) <= _PULL_MAX_WORDS
        and (texts[i].rstrip(_CLOSERS)[-1:] in ".!?" or is_quoted_pull(texts[i], len(w)))
    ]
    if not candidates:
        return []
    grams: dict[int, set[tuple[str, str, str]]] = {}

    def triples(k: int) -> set[tuple[str, str, str]]:
        """Line k's word triples (read only for candidates and the neighbours of a find)."""
        got = grams.get(k)
        if got is None:
            w = words[k]
            got = grams[k] = set(zip(w, w[1:], w[2:], strict=False))
        return got

    # Which lines hold each candidate triple that two lines or more hold, found by set
    # operations in C: a line's triples are matched against all the candidates' at once, not
    # looked up one by one (no other triple is asked about). Only a triple another line holds
    # too can count, and a triple in many lines is a formula: most triples are one line's own,
    # so the search reads only the rest.
    for i in candidates:
        triples(i)
    asked = set().union(*grams.values())
    held = [
        grams[j] if j in grams else asked.intersection(zip(w, w[1:], w[2:], strict=False))
        for j, w in enumerate(words)
    ]
    seen: set[tuple[str, str, str]] = set()
    repeated: set[tuple[str, str, str]] = set()
    for own in held:
        repeated |= own & seen
        seen |= own
    lines_of: dict[tuple[str, str, str], list[int]] = {gram: [] for gram in repeated}
    for j, own in enumerate(held):
        for gram in own & repeated:
            lines_of[gram].append(j)
    shared = {g: js for g, js in lines_of.items() if len(js) <= _PULL_MAX_HOLDERS}
    if not shared:
        return []

    def holders(i: int) -> dict[int, float]:
        """The longer lines that hold most of line i's word triples, with the share held."""
        counts: Counter[int] = Counter()
        size = len(words[i])
        for gram in grams[i] & shared.keys():
            for j in shared[gram]:
                if len(words[j]) > size:
                    counts[j] += 1
        return {j: n / len(grams[i]) for j, n in counts.items() if n >= _PULL_SHARE * len(grams[i])}

    # A candidate none of whose triples another line holds has no holder.
    sharing = set(itertools.chain.from_iterable(shared.values()))
    pulled = []
    for i in candidates:
        if i not in sharing:
            continue
        w, text = words[i], texts[i]
        for j, share in holders(i).items():
            if j in taken or _HANDLE.search(texts[j]) or "http" in texts[j]:
                continue  # a caption glued to a paragraph, an embedded post: no source
            if share < 1 and (
                len(w) < _PULL_FUZZY_WORDS
                or "..." in text
                or "…" in text
                or _ATTRIBUTED.search(text)
                or 2 * _longest_run(w, words[j]) < len(w)
            ):
                # Held in part: not a short line, a quote cut short or attributed, nor a
                # formula the story repeats with other names ("<Name> – who has led the
                # campaign for 10 years – called it ..."): half its words run on unbroken.
                continue
            if texts[j].startswith(text + " ") or (abs(i - j) < 2 and words[j][:3] == w[:3]):
                continue  # glued, or a summary over the lead it opens (a feed's description)
            if -1 <= j - i <= 2 and texts[i].rstrip(_CLOSERS)[-1:] not in ".!?":
                continue  # a quote with no stop over its section (a byline between): a subhead
            # An embedded post printed a sentence a line, each quoted in the paragraph.
            if any(
                0 <= k < len(texts) and k != j and len(words[k]) >= 3 and triples(k) <= triples(j)
                for k in (i - 1, i + 1)
            ):
                continue
            pulled.append(i)
            break
    return pulled


def find_repeated_lines(texts: Sequence[str], max_words: int, min_repeats: int) -> list[int]:
    """Short lines that come back ``min_repeats`` times (at least twice) in one story.

    A page prints a widget ("Urgent Poll:", "Vote Here!") again and again; a story does not
    repeat its lines. A line needs two words of letters and must read as text to a person
    (a capital first, some lower case, no code punctuation), so a transcript's "(APPLAUSE)",
    a "* * *" break and the lines of code samples ("GROUP BY", "x = f(y)") stay.

    >>> texts = ["Urgent Poll:", "Body one.", "Urgent Poll:", "Body two.", "Urgent Poll:"]
    >>> find_repeated_lines(texts, 12, 3)
    [0, 2, 4]
    >>> find_repeated_lines(["(APPLAUSE)", "A.", "(APPLAUSE)", "B.", "(APPLAUSE)"], 12, 3)
    []
    >>> find_repeated_lines(["Yes we can", "He paused.", "Yes we can"], 12, 3)
    []
    >>> find_repeated_lines(["ORDER BY", "x", "ORDER BY", "y", "ORDER BY"], 12, 3)
    []
    >>> find_repeated_lines(["Order by id", "f(x)", "Order by id", "y", "Order by id"], 12, 3)
    []
    """
    need = max(2, min_repeats)
    if len(texts) < need:
        return []
    counts = Counter(t for t in texts if len(t) <= 12 * max_words)
    repeated = {
        t
        for t, n in counts.items()
        if n >= need
        and not too_long(t, max_words)
        and len(_ALPHA_WORD.findall(t)) >= 2
        and t[:1].isupper()
        and not t.isupper()
        and not _CODE_CHARS.search(t)
    }

    def beside_code(i: int) -> bool:
        return any(
            0 <= j < len(texts) and _CODE_CHARS.search(texts[j]) and not too_long(texts[j], 8)
            for j in (i - 1, i + 1)
        )

    at = [i for i, t in enumerate(texts) if t in repeated]
    code = {texts[i] for i in at if beside_code(i)}  # "ORDER BY id" between lines of code
    return [i for i in at if texts[i] not in code]


# What a page's prompts under a story open with: "Read our magazine.", "Join us on X.".
_PROMPT_VERBS = frozenset(
    {"read", "follow", "join", "like", "sign", "subscribe", "download", "get", "watch"}
    | {"listen", "explore", "visit", "check", "see", "find", "discover", "share", "try"}
)
_PROMPT_FAMILIES = frozenset({"promo_line", "follow_prompt", "link_line", "share_buttons"})


# A paragraph closed by a bare link prompt: "... explain to Ann Lee. WATCH HERE."
_BARE_PROMPT_END = re.compile(
    r"(?:^|[.!?\"”’] )(?:WATCH|Watch|CLICK|Click|LISTEN|Listen|READ|Read)"
    r"(?: (?:MORE|More|more|IT|it))? (?:HERE|here)[.!]?$"
)


# What a line wholly in brackets opens with when it credits or corrects the story.
_NOTE_OPENERS = re.compile(
    r"^(?:Reporting|Additional|Editing|Writing|Compiled|Translated|Research|With|By|Photo|"
    r"Video|Image|Source|Via|Corrects?|Correction|Updates?|Updated|This|Editor|Note|Read|"
    r"Laughter|Applause|Continued|Story)\b"
)


def is_parenthesised_headline(text: str) -> bool:
    """Another story's headline in parentheses between paragraphs: "(AirAsia Flight 8501:
    What we know so far about the plane's disappearance)". A headline has no stop at its end
    and, in a short line, a kicker's colon or mostly capitalised words.

    >>> is_parenthesised_headline("(Flight 8501: What we know so far about the disappearance)")
    True
    >>> is_parenthesised_headline("(Trump Signs Order Ending Family Separations At Border)")
    True

    A stage note, a wire's credit or correction, and an aside that is a sentence stay:

    >>> [is_parenthesised_headline(t) for t in ("(APPLAUSE)", "(Reporting by Ann Lee; "
    ...     "Editing by Bob Ray)", "(Corrects spelling of name in paragraph 3)",
    ...     "(The vote was delayed until after the holiday, officials said.)",
    ...     "(the remaining funds were returned to the state budget)",
    ...     "(All photos: Atlas Obscura staff)")]
    [False, False, False, False, False, False]
    """
    if not (text.startswith("(") and text.endswith(")")) or text.count("(") != 1:
        return False
    inner = text[1:-1].strip()
    words = inner.split()
    if not 4 <= len(words) <= 20 or inner[-1] in ".!;," or not inner[:1].isupper():
        return False
    if _NOTE_OPENERS.match(inner) or _SAYS.search(inner):
        return False
    if _PHOTO_WORDS.intersection(w.lower().strip(":,") for w in words):
        return False  # "(All photos: Atlas staff)": the pictures' credit
    if ":" in inner:
        return True
    long_words = [w for w in words if len(w) >= 4]
    return len(long_words) >= 3 and sum(w[:1].isupper() for w in long_words) >= 0.75 * len(
        long_words
    )


# A pager's link to the story before or after: "Next Post", "Article suivant".
_PAGER = re.compile(
    r"^(?:(?:Next|Previous|Prev|Older|Newer|NEXT|PREVIOUS) (?:Post|Article|Story|Entry|Page|"
    r"post|article|story|entry|page|POST|ARTICLE|STORY)|Article (?:suivant|précédent)|"
    r"(?:Nächster|Vorheriger) Artikel|Artículo (?:siguiente|anterior)|"
    r"(?:Próximo|Próxima) (?:artigo|notícia)|Articolo (?:successivo|precedente))"
    r" ?[»›>→←‹«]*$"
)


def is_bullet_note(texts: Sequence[str], i: int) -> bool:
    """A note set off by a bullet under a story's last paragraph ("• Bridesmaids is out now
    on Blu-ray and DVD."): one short sentence, not the last item of a list.

    >>> story = ["The film took $286m worldwide.", "She smiles and leaves the restaurant."]
    >>> is_bullet_note([*story, "• Bridesmaids is out now on Blu-ray and DVD."], 2)
    True
    >>> is_bullet_note([story[0], "• Duolingo is free.", "• Live Mocha costs $5."], 2)
    False
    >>> is_bullet_note([story[0], "What you need:", "• A good pair of boots."], 2)
    False
    >>> is_bullet_note([*story, "• Ann Lee contributed to this report."], 2)
    False
    """
    text = texts[i]
    if i < 2 or not text.startswith(("• ", "· ")) or too_long(text, 25):
        return False
    before = texts[i - 1]
    if before.startswith(("•", "·", "-", "*")) or before.endswith(":"):
        return False
    if _CREDITS_WRITER.search(text):
        return False  # "• Ann Lee contributed to this report.": the story's own credit
    return text.rstrip(_CLOSERS)[-1:] in ".!" and _SENTENCE_BREAK.search(text) is None


_CREDITS_WRITER = re.compile(
    r"\b(?:contributed|reporting|reported|editor|correspondent|columnist|writer|author|"
    r"wrote|writes)\b",
    re.I,
)


def is_bracketed_prompt(text: str) -> bool:
    """A paragraph in square brackets that sends the reader elsewhere: "[Watch Fox: tune into
    <show>. Check local listings ...]", "[<Name> joined <host> on Thursday. Watch here.]".
    An editor's note in brackets ("[This story has been updated.]") stays.

    >>> is_bracketed_prompt("[Ann Lee joined the show on Thursday to talk about it. Watch here.]")
    True
    >>> is_bracketed_prompt("[Watch Now: tune into the evening show on Sundays.]")
    True
    >>> is_bracketed_prompt("[This story has been updated to correct a date.]")
    False
    """
    if not (text.startswith("[") and text.endswith("]")) or len(text) > 400:
        return False
    inner = text[1:-1].strip()
    first = inner.split(None, 1)[0].rstrip(":").lower() if inner else ""
    return first in _PROMPT_VERBS or _BARE_PROMPT_END.search(inner) is not None


def is_dangling_prompt(text: str) -> bool:
    """A story's last line pointing at a player, post or package that the scrape did not
    keep: "Check out the interview on CNBC below:", "Watch the full speech here:", or a
    link's words alone, a prompt verb and what it points at in at most three lower-case
    words ("Explore the digital package.", "Watch the video"). Only as the last line.

    >>> is_dangling_prompt("Check out the Toner interview on CNBC below:")
    True
    >>> [is_dangling_prompt(t) for t in ("Explore the digital package.", "See our full list")]
    [True, True]
    >>> is_dangling_prompt("Here are the particulars of the week ahead:")
    False
    >>> is_dangling_prompt("And be sure to enjoy this podcast explaining the discovery:")
    True
    >>> is_dangling_prompt("Be sure to vote on Tuesday, officials said:")
    False
    >>> [is_dangling_prompt(t) for t in ("Read the report and weep.",
    ...     "See you next week.", "Read the Constitution.", "Try the crab cakes, they said.")]
    [False, False, False, False]
    >>> is_dangling_prompt("Find out more reasons why Galena is a B&B Kinda Town here.")
    True
    >>> is_dangling_prompt("See you all back here."), is_dangling_prompt("Find it here. Or not.")
    (False, False)
    """
    m = _BE_SURE.match(text)
    if m is not None:
        text = text[m.end() :].capitalize()  # "And be sure to enjoy this podcast below:"
    words = text.split()
    if not (words and words[0].lower() in _PROMPT_VERBS | _ENJOY and words[0][:1].isupper()):
        return False
    if _POINTER.match(text):
        return True
    if text.rstrip(".!").endswith(" here") and 6 <= len(words) <= 20:
        return _SENTENCE_BREAK.search(text) is None  # "Find out more reasons why ... here."
    return text.endswith(":") and 2 <= len(words) <= 12 and not _SENTENCE_BREAK.search(text)


# "And be sure to ...", "Make sure to ...", "Don't forget to ...": a prompt's softer opener.
_BE_SURE = re.compile(
    r"^(?:(?:And|So|Also|Now),? )?(?:(?:be|Be|make|Make) sure to|(?:don't|Don't|don’t|Don’t) "
    r"forget to) "
)
_ENJOY = frozenset({"enjoy"})


# A link's words alone: a prompt verb, a determiner and up to three lower-case words, no
# second clause ("Read the report and weep.").
_POINTER = re.compile(
    r"^(?!.* (?:and|or|but|then|for|if|when|you|yourself)\b)"
    r"[A-Z][a-z]+(?: (?:out|through|to))? (?:the|our|this|these|all|more) "
    r"(?:[a-z][a-z'’-]* ){0,2}[a-z][a-z'’-]*[.!]?$"
)


def _extend_foot_prompts(texts: Sequence[str], found: dict[int, str], max_words: int) -> None:
    """A short imperative line among the prompts under a story goes with them: "Read our new
    magazine." over "Follow us on Twitter @x." and "Join us on Facebook/x.". Only in the run
    of furniture that closes a story, and only next to a prompt already found; the story's
    own last sentence, even an imperative, stays when no prompt follows it.
    """
    if not any(name in _PROMPT_FAMILIES for name in found.values()):
        return
    i = len(texts) - 1
    while i >= 1:
        if i in found:
            i -= 1
            continue
        words = texts[i].split()
        near = any(found.get(j) in _PROMPT_FAMILIES for j in (i - 1, i + 1))
        if (
            near
            and 2 <= len(words) <= min(max_words, 10)
            and words[0].lower() in _PROMPT_VERBS
            and words[0][:1].isupper()
            and not _SENTENCE_BREAK.search(texts[i])
            and not _SAYS.search(texts[i])
        ):
            found[i] = "promo_line"
            i -= 1
            continue
        break  # the story's own text: the foot's furniture ends here


_LINK_FAMILIES = frozenset({"teaser_line", "caps_link", "related_run", "related_heading"})
_BARE_LABEL = re.compile(r"^[^\W\d_][^\W\d_'’ -]{0,30}:$")


def find_headline_foot(
    texts: Sequence[str], found: dict[int, str], f: Furniture, max_words: int
) -> list[int]:
    """A list of other stories' headlines closing a story under a short heading ("Like
    this? You might also be interested in..." / "Related Articles:" over two Title Case
    headlines or more), and a lone label as a story's last line ("RELATED:", its links not
    kept; "Notes:" is no link heading). A list of items in sentence case, a heading over one
    headline, and a label over the text stay.

    >>> f = Furniture(related_headings=frozenset(["related"]), heading_cores=("related",))
    >>> story = ["The council met on Tuesday to vote on the plan.", "It passed by one vote."]
    >>> heads = ["Sold Out Moisturiser Is The Hero Of The Video",
    ...     "A Few Signs We Might Be Drifting Apart From Her"]
    >>> find_headline_foot([*story, "You might also be interested in...", *heads], {}, f, 16)
    [2, 3, 4]
    >>> find_headline_foot([*story, "RELATED:", "Image Credit: Getty"], {3: "credit_line"}, f, 16)
    [2]
    >>> find_headline_foot([*story, "Ingredients:", "Two cups of flour", "An egg"], {}, f, 16)
    []
    >>> find_headline_foot([*story, "Related Articles:", heads[0]], {}, f, 16)
    []
    >>> find_headline_foot([*story, "Related Articles:", *heads], {3: "teaser_line"}, f, 16)
    [2, 3, 4]
    >>> find_headline_foot(["Step one:", "Mix the flour and the eggs.", *story], {}, f, 16)
    []
    """
    out: list[int] = []
    foot = _story_foot(found, len(texts) - 1)
    start = foot + 1
    while start - 1 > 1 and found.get(start - 1, "teaser_line") in _LINK_FAMILIES:
        line = texts[start - 1]
        if not _is_title_case(line, 5, max_words) or line.rstrip(_CLOSERS)[-1:] in ".!?":
            break
        start -= 1
    heads = foot + 1 - start
    if heads >= 2 and found.get(start - 1, "teaser_line") in _LINK_FAMILIES:
        heading = texts[start - 1]
        if len(heading.split()) <= 10 and heading.endswith((":", "...", "…")):
            out.extend(range(start - 1, foot + 1))
    elif (
        heads == 0
        and foot > 1
        and foot not in found
        and _BARE_LABEL.match(texts[foot])
        and is_related_heading(texts[foot], f)
    ):
        out.append(foot)  # "RELATED:" with its links not kept
    return out


def _extend_related_lists(
    texts: Sequence[str], found: dict[int, str], max_words: int, min_run: int
) -> None:
    """The headlines listed under a link-list heading ("Related Stories") go with it.

    Only a run of at least ``min_run`` headline-like lines (no full stop, no sentence break)
    right under the heading: a real paragraph ends the list, and a heading followed by one
    short line is left as it was.
    """
    for i in sorted(i for i, name in found.items() if name == "related_heading"):
        j = i + 1
        while j < len(texts) and j not in found and _is_headline_like(texts[j], max_words):
            j += 1
        if j - (i + 1) >= max(min_run, 1):
            for k in range(i + 1, j):
                found[k] = "related_run"


# ---------------------------------------------------------------------------------------
# Shapes the held-out rounds 30-34 left (other extractors' text of sites no rule knew):
# each told by where a line stands, how long it is and what its neighbours are, never by a
# site's words. Called once from find_furniture, after every family above had its say.

# A wire picture's caption: "<date>; <place>; <what it shows>. Mandatory Credit: <Name>-<Agency>
# - <picture id>". The agencies' own marker of the credit the picture must carry.
_MANDATORY_CREDIT = re.compile(r"\b(?:Mandatory|MANDATORY) (?:Credit|CREDIT) ?: ?[A-Z]")
# A picture's number printed alone beside its caption: "4419915".
_PICTURE_NUMBER = re.compile(r"^\d{5,12}$")
# A pager's count, with or without its link: "Next › Page 1 of 2", "Page 2 of 5".
_PAGE_COUNT = re.compile(
    r"^(?:(?:Next|Previous|Prev|NEXT|PREV|PREVIOUS) ?[»›>→←‹«]* )?(?:Page|PAGE) \d{1,3} "
    r"(?:of|OF) \d{1,3}$"
)
# One word alone, as a section's kicker prints it over a story ("Sports", "Weihnachten") or
# a label over a picture ("Reference:").
_LONE_WORD = re.compile(r"^[^\W\d_][^\W\d_'’-]{2,24}:?$")
# A share counter glued to its word and followed by its button: "1.7Mshares Share on".
_GLUED_SHARES = re.compile(r"(?<![\w.])\d[\d.,]*[KkMm]?(?:shares|SHARES) (?:Share|SHARE)\b")
# What says a picture is beside the text: "is shown here retrieving", "is here shown".
_SHOWN_HERE = re.compile(r"\b(?:is|are) (?:shown?|seen) here\b|\bhere shown\b")
# An archive's note where a story's text should be: "The article you requested has been
# archived ... Click here to search for this article within the archive."
_ARCHIVED = re.compile(r"\b(?:has|have) been archived\b", re.I)
_TO_ARCHIVE = re.compile(r"\b(?:click|search|visit)\b[^.!?]{0,60}\barchives?\b", re.I)
# A site's rules for its comments: the comments, and its privacy policy or terms of use.
_COMMENTS = re.compile(
    r"\b(?:comments?|commentaires?|kommentare?|comentarios?|commenti|comentários)\b|"
    r"التعليقات|تعليقات|تعليقك",
    re.I,
)
# The comments' heading, always in the plural.
_COMMENTS_HEADING = re.compile(
    r"\b(?:comments|commentaires|kommentare|comentarios|commenti|comentários)\b", re.I
)
_SITE_POLICY = re.compile(
    r"\b(?:privacy policy|terms of (?:use|service)|community (?:guidelines|standards)|"
    r"datenschutz\w*|nutzungsbedingungen|politique de confidentialité|"
    r"política de privacidad|normas de uso)\b|سياسة الخصوصية|شروط استخدام|إرشادات الاستخدام",
    re.I,
)
# A list of topics linked as "More <Topic>, <topic> and <topic>": no verb, commas.
_MORE_TOPICS = re.compile(r"^More [A-Z][\w'’-]*(?:,? [\w'’&-]+)+$")
# A gallery's link: "<What happened>, in pictures", "<Place> – in photos".
_IN_PICTURES = re.compile(r"[,:–—-] in (?:pictures|photos|images|video)$", re.I)
# A pointer at a link the next line holds: "You can read more about Ann Lee here."
_POINTS_HERE = re.compile(
    r"^(?:(?:You|you) can |(?:You|you) could )?(?:[Rr]ead|[Ss]ee|[Ww]atch|[Ff]ind) "
    r"(?:more|the|our|all)\b.{0,160} here[.:]$"
)
_LEARN_VERBS = _PROMPT_VERBS | frozenset({"learn", "also", "related"})
# Words of four letters or more, cut to their first four: what an echo is counted in.
_STEM_WORD = re.compile(r"[^\W\d_]{4,}")


def is_wire_caption(text: str) -> bool:
    """A wire picture's caption, closed by the credit the agency makes mandatory.

    >>> is_wire_caption("Dec 27, 2014; Louisville, KY, USA; A forward posts up during the "
    ...     "first half. Mandatory Credit: Ann Lee-USA TODAY Sports - RTR4JDW4")
    True
    >>> is_wire_caption("The league dropped its mandatory credit rule for photographers.")
    False
    """
    if "andatory" not in text and "ANDATORY" not in text:
        return False  # most lines: no regex, no split
    return len(text.split()) <= 90 and _MANDATORY_CREDIT.search(text) is not None


def is_page_count(text: str) -> bool:
    """A pager's count: "Next › Page 1 of 2" ("Page 3 of the report says ..." stays).

    >>> [is_page_count(t) for t in ("Next › Page 1 of 2", "Page 2 of 5", "Page 3 of the report")]
    [True, True, False]
    """
    if not text.startswith(("Page", "PAGE", "Next", "NEXT", "Prev", "PREV")):
        return False
    return _PAGE_COUNT.match(text) is not None


def is_lone_kicker(texts: Sequence[str], found: Container[int]) -> bool:
    """A story's first line is one word over a picture's caption or credit: a section's
    kicker ("Sports" over a wire caption) or a label ("Reference:" over a caption and its
    credit). Over a paragraph, one word may be a subheading ("Introduction"), and stays; so
    do a word in capitals (a dateline's city) and a word closed by other marks ("Friend,").

    >>> p = "The council voted on Tuesday to expand the scheme to every district."
    >>> cap = "The probe snapped this shot of Mars on Aug. 26, 2003."
    >>> credit = "Credit: NASA/ESA View full size image"
    >>> [is_lone_kicker([t, "Dec 27, 2014; A forward ...", p], {1: "caption_line"})
    ...     for t in ("Sports", "Weihnachten", "Reference:")]
    [True, True, True]
    >>> is_lone_kicker(["Reference:", cap, credit, p], {2: "credit_line"})
    True
    >>> [is_lone_kicker([t, p, p], {}) for t in ("Introduction", "Weihnachten", "Reference:")]
    [False, False, False]
    >>> [is_lone_kicker([t, "x", p], {1: "caption_line"}) for t in ("WASHINGTON", "Friend,")]
    [False, False]
    """
    if len(texts) < 3 or not _LONE_WORD.match(texts[0]) or texts[0].isupper():
        return False
    if not texts[0][:1].isupper() or not texts[0][1:].rstrip(":").islower():
        return False
    return 1 in found or (2 in found and _credits_lead_picture(texts, 2))


def _credits_lead_picture(texts: Sequence[str], i: int) -> bool:
    """The line at ``i`` credits the picture the line above it captions: a credit line with
    the picture's own controls ("Credit: NASA/ESA View full size image") under one sentence
    or two of at most 50 words."""
    return (
        len(_PICTURE_CONTROLS.intersection(word_tokens(texts[i]))) >= 2
        and not too_long(texts[i - 1], 50)
        and texts[i - 1].rstrip(_CLOSERS)[-1:] in ".!?"
    )


def is_lone_comments(texts: Sequence[str], i: int) -> bool:
    """A story's last line is its comments' heading alone: "Comments", "Kommentare".

    >>> p = "The council voted on Tuesday to expand the scheme to every district."
    >>> [is_lone_comments([p, t], 1) for t in ("Kommentare", "Comments (12)", "Comments")]
    [True, True, True]
    >>> is_lone_comments([p, "Comments are closed on this story."], 1)
    False
    >>> is_lone_comments([p, "Comment"], 1)  # a word of the text, as a heading would be
    False
    """
    if len(texts[i]) > 40:
        return False
    words = _WORDS.findall(texts[i])
    rest = _COMMENTS_HEADING.sub("", texts[i]).strip(" ()0123456789:")
    return len(words) == 1 and not rest and _COMMENTS_HEADING.search(texts[i]) is not None


def is_comment_policy(text: str) -> bool:
    """A site's note on its comments: the comments and its privacy policy or terms of use,
    in any language ("ترحب شبكة CNN بالنقاش ... التعليقات ... سياسة الخصوصية"). A
    story that reports what someone said of a policy stays.

    >>> is_comment_policy("We welcome comments. All comments are moderated; see our "
    ...     "community guidelines and privacy policy.")
    True
    >>> is_comment_policy("Facebook said its community guidelines ban such comments.")
    False
    """
    if len(text.split()) > 120 or _SAYS.search(text):
        return False
    return _COMMENTS.search(text) is not None and _SITE_POLICY.search(text) is not None


def is_archive_note(text: str) -> bool:
    """An archive's note where the story's text should be: it says the article was
    archived and points at the archive.

    >>> is_archive_note("The article you requested has been archived. Articles do not always "
    ...     "include photos. » Click here to search for this article within the archive.")
    True
    >>> is_archive_note("The tapes have been archived at the library, officials said.")
    False
    """
    if len(text.split()) > 80 or _SAYS.search(text):
        return False
    return _ARCHIVED.search(text) is not None and _TO_ARCHIVE.search(text) is not None


def is_cut_stub(texts: Sequence[str], i: int) -> bool:
    """A paywall's stub as a story's last line: a sentence's first words cut off by an
    ellipsis under a paragraph ("その判断は…"). Only a stub with no space (a word, or a
    language written without spaces): "And then..." may be a writer's own ending.

    >>> p = "The council voted on Tuesday to expand the scheme to every district."
    >>> [is_cut_stub([p, t], 1) for t in ("その判断は…", "Continued...", "And then...")]
    [True, True, False]
    >>> is_cut_stub([p, "…"], 1), is_cut_stub(["Short.", "その判断は…"], 1)
    (False, False)
    """
    text = texts[i]
    stub = text.removesuffix("…").removesuffix("...")
    if stub == text or not stub or " " in stub or len(stub) > 24 or stub[-1] in ".!?。！？":
        return False
    before = texts[i - 1]
    return len(before) >= 60 and before.rstrip(_CLOSERS)[-1:] in ".!?。！？"


def is_glued_share_bar(text: str) -> bool:
    """A share bar, or a byline run into one: it holds a share counter glued to its word
    and followed by the button ("By Ann Lee Staff 1.7Mshares Share on Facebook × ...").

    >>> is_glued_share_bar("By Lisa Be Staff 1.7Mshares Share on Facebook × Want More?")
    True
    >>> is_glued_share_bar("Its 1.7M shares were sold on Friday.")
    False
    """
    if "hares" not in text and "HARES" not in text:
        return False
    return len(text.split()) <= 80 and _GLUED_SHARES.search(text) is not None


def _echo_stems(text: str) -> set[str]:
    return {w[:4].lower() for w in _STEM_WORD.findall(text)}


def find_echo_captions(texts: Sequence[str], found: Container[int]) -> list[int]:
    """Captions with neither credit nor stop that retell a paragraph of the story: "Kat
    will discover her uncle was a serial offender" beside "Kat will discover that her late
    uncle is a serial offender.". A short line (8 to 14 words) in sentence case, no stop,
    between paragraphs, most of whose words (by their first four letters) one longer
    paragraph above it that ends like a sentence holds; a story's own stopless sentence is
    longer, or says something no paragraph does, and a subheading retells the text under it.

    >>> story = ["Kat Moon will discover that her late uncle Harry is a serial sex offender.",
    ...     "Kat Slater will discover her uncle was a serial sex offender",
    ...     "Alfie Moon's wife was groomed by the relative from a young age."]
    >>> find_echo_captions(story, {})
    [1]
    >>> find_echo_captions([story[2], story[1], story[0]], {})
    []
    >>> find_echo_captions([story[0], "The same official later said the uncle was a serial "
    ...     "sex offender", story[2]], {})
    []
    >>> find_echo_captions([story[0], "Kat Slater Will Discover Her Uncle Was A Serial Sex "
    ...     "Offender", story[2]], {})
    []
    >>> find_echo_captions([story[0], "Kat Slater Will Discover the Uncle Harry Is a Serial "
    ...     "Sex Offender", story[2]], {})
    []

    A list's item under the sentence that introduces it is text:

    >>> find_echo_captions(["Some sites offer free shipping on orders over $50, so raise what"
    ...     " they spend by offering more off the more they have spent before.",
    ...     "3. Test your incentives", "Traffic can be offered several incentives, measured to"
    ...     " see which sells more. Test whether your visitors would rather have:",
    ...     "Free shipping if they spend $50 or more", "10% off sales of $100 or more",
    ...     "$20 off a $200 purchase"], {})
    []
    """
    out = []
    for i in range(1, len(texts) - 1):
        text = texts[i]
        if i in found or len(text) > 240 or text.rstrip(_CLOSERS)[-1:] in _STOPS:
            continue  # 14 words are never 240 characters: most paragraphs stop here
        words = text.split()
        if not 8 <= len(words) <= 14:
            continue
        if text[-1] in ",;:—-)]" or not text[:1].isupper():
            continue
        if texts[i - 1].rstrip().endswith(":"):
            continue  # "... would your visitors rather have:" over a list's items
        rest = [w for w in words[1:] if w.lower() not in _FUNCTION_SMALL]
        if 2 * sum(w[:1].isupper() for w in rest) >= len(rest):
            continue  # "Video is the Ultimate Engagement Tool for Marketers": a subheading
        if not (_reads_as_prose(texts[i - 1]) or _reads_as_prose(texts[i + 1])):
            continue
        stems = _echo_stems(text)
        if len(stems) < 5:
            continue
        for j, other in enumerate(texts[:i]):  # a subheading retells what comes after it
            if len(other.split()) <= len(words):
                continue
            if other.rstrip(_CLOSERS)[-1:] not in ".!?" or j in found:
                continue
            if len(stems & _echo_stems(other)) >= 0.7 * len(stems):
                out.append(i)
                break
    return out


def is_credit_named_below(texts: Sequence[str], i: int) -> bool:
    """A shop's or a maker's handle alone over a picture, that a product line of the story
    names after "by" ("NailSpin" ... '"The Godfather" by NailSpin at Etsy, $5'), or a
    "<Shop>/<Seller>" credit whose seller a line under it names. A product's name alone
    ("MarsEdit") that no line credits stays.

    >>> items = ["NailSpin", "For a date...", '"The Godfather" by NailSpin at Etsy, $5']
    >>> is_credit_named_below(items, 0)
    True
    >>> is_credit_named_below(["Jane's Tiny Things/Forever 21", "For your reunion...",
    ...     '"Saved by the Bell" nail decals at Forever 21, $9'], 0)
    True
    >>> is_credit_named_below(["MarsEdit", "MarsEdit is a blog editor by Red Sweater."], 0)
    False
    >>> is_credit_named_below(["Response", "A letter from Response to the council."], 0)
    False
    """
    text = texts[i]
    if " " in text and "/" not in text:
        return False  # neither a handle nor a slashed credit: most lines
    plain = text[:1].isupper() and text[1:].islower()  # "Response": a word, not a handle
    if " " not in text and _WORDS.fullmatch(text) and not plain:
        by = re.compile(rf"\b(?:by|from) {re.escape(text)}\b")
        # A line naming it holds "by <it>" or "from <it>": looked for in C before the search.
        named = (f"by {text}", f"from {text}")
        return any(
            (named[0] in other or named[1] in other)
            and by.search(other)
            and len(other.split()) <= 15
            for other in texts
            if other != text
        )
    if text.count("/") != 1 or len(text.split()) > 8 or text.rstrip()[-1:] in _STOPS:
        return False
    seller = text.split("/")[1].strip()
    if not seller[:1].isupper():
        return False
    near = texts[i + 1 : i + 4]
    return any(f" {seller}" in other and len(other.split()) <= 15 for other in near)


def is_topics_link(texts: Sequence[str], i: int) -> bool:
    """A link to a section's other stories set between paragraphs: "More Real estate
    transactions, awards, mergers and acquisitions, tech notes and grants". No verb, no stop.

    >>> p = "The council voted on Tuesday to expand the scheme to every district."
    >>> is_topics_link([p, "More Real estate transactions, awards, tech notes and grants", p], 1)
    True
    >>> is_topics_link([p, "More Americans are moving south, the census shows", p], 1)
    False
    """
    text = texts[i]
    if not text.startswith("More ") or "," not in text or not _MORE_TOPICS.match(text):
        return False
    if len(text.split()) > 16:
        return False
    if _FINITE.search(text):
        return False
    if not 0 < i < len(texts) - 1:
        return False
    return _reads_as_prose(texts[i - 1]) and _reads_as_prose(texts[i + 1])


def is_gallery_link(text: str) -> bool:
    """A gallery's link: "AirAsia plane found in Java Sea, in pictures".

    >>> is_gallery_link("AirAsia plane found in Java Sea, in pictures")
    True
    >>> is_gallery_link("The storm, seen in pictures, was larger than forecast.")
    False
    """
    if not text[-9:].lower().endswith(("pictures", "photos", "images", "video")):
        return False
    return len(text.split()) <= 14 and _IN_PICTURES.search(text) is not None


def find_pointed_links(texts: Sequence[str], found: Container[int]) -> list[int]:
    """A pointer at a link and the link under it: "You can read more about Ann Lee here." over
    "Ann Lee: profile of the council's new leader", a short line with no stop.

    >>> find_pointed_links(["Intro.", "You can read more about Mr Lee - the mayor - here.",
    ...     "Ann Lee missing: profile of the council leader", "More text."], {})
    [1, 2]
    >>> find_pointed_links(["Intro.", "You can read the report here.", "It is long.",], {})
    []
    """
    out = []
    for i in range(len(texts) - 1):
        link = texts[i + 1]
        if i in found or not _POINTS_HERE.match(texts[i]) or len(texts[i].split()) > 30:
            continue
        if 4 <= len(link.split()) <= 14 and link.rstrip(_CLOSERS)[-1:] not in _STOPS + ":,;":
            out += [i, i + 1]
    return out


def _is_pointer(text: str) -> bool:
    """An imperative pointer at more to read: "Learn more about Mars at NASA's website"."""
    words = text.split()
    if not 2 <= len(words) <= 20 or words[0].lower() not in _LEARN_VERBS:
        return False
    if not words[0][:1].isupper() or _SENTENCE_BREAK.search(text) or _SAYS.search(text):
        return False
    return words[1].lower() in ("about", "more", "the", "our", "also")


def find_pointer_foot(texts: Sequence[str], found: Container[int]) -> list[int]:
    """A short heading over pointers that close a story: "Additional resources" over "Read
    about and see pictures of more than 40 missions to Mars.", "Learn more about Mars at
    NASA's website.", "Related:", "Also see:". Every line to the end is an imperative
    pointer or a bare label, two of them pointers at least; a story's own closing advice
    goes on past a label, or has no heading.

    >>> story = ["The planet is cold and dry, the agency said in its report."]
    >>> foot = ["Additional resources", "Read about and see pictures of 40 missions.",
    ...     "Learn more about Mars at the agency's website.", "Related:", "Also see:"]
    >>> find_pointer_foot(story + foot, {})
    [1, 2, 3, 4, 5]
    >>> find_pointer_foot(story + ["Tips", "Check the oven after 20 minutes.",
    ...     "Try adding nuts, then bake it for an hour.", "Enjoy."], {})
    []
    """
    end = len(texts) - 1
    while end > 0 and end in found:
        end -= 1
    if end < 3:
        return []
    i, pointers = end, 0
    while i > 0:
        words = texts[i].split()
        if _LONE_LABEL.match(texts[i]) and len(words) <= 4:
            i -= 1
            continue
        if _is_pointer(texts[i]):
            pointers += 1
            i -= 1
            continue
        break
    heading = texts[i]
    if pointers < 2 or i == 0 or len(heading.split()) > 4 or heading[-1:] in _STOPS + ",;":
        return []
    if not heading[:1].isupper() or _reads_as_prose(heading):
        return []
    return list(range(i, end + 1))


def _extend_edge_shapes(texts: Sequence[str], found: dict[int, str], f: Furniture) -> None:
    """Rounds 30-34's shapes (see the functions above), each under the family it belongs to."""
    last = len(texts) - 1
    if f.enabled("caption_line"):
        for i, text in enumerate(texts):
            if i not in found and is_wire_caption(text):
                found[i] = "caption_line"
        for i, text in enumerate(texts):
            if i in found or not text.isdigit() or not _PICTURE_NUMBER.match(text):
                continue
            if any(found.get(j) in ("caption_line", "credit_line") for j in (i - 1, i + 1)):
                found[i] = "caption_line"  # the picture's number beside its caption
        for i in find_echo_captions(texts, found):
            found[i] = "caption_line"
        for i, text in enumerate(texts):
            if i not in found and "here" in text and _SHOWN_HERE.search(text) and _stopless(text):
                found[i] = "caption_line"  # "The ship is here shown retrieving the tube"
    if f.enabled("credit_line"):
        for i in range(len(texts)):
            if i not in found and is_credit_named_below(texts, i):
                found[i] = "credit_line"
    if f.enabled("tag_line") and 0 not in found and is_lone_kicker(texts, found):
        found[0] = "tag_line"
        if (
            f.enabled("caption_line")
            and len(texts) >= 4
            and 1 not in found
            and found.get(2) == "credit_line"
            and _credits_lead_picture(texts, 2)
        ):
            found[1] = "caption_line"  # the lead picture's caption under its label
    if f.enabled("share_buttons"):
        for i in {0, 1, last} & set(range(len(texts))):
            if i not in found and is_glued_share_bar(texts[i]):
                found[i] = "share_buttons"
        if last >= 1 and last not in found and is_lone_comments(texts, last):
            found[last] = "share_buttons"
    if f.enabled("teaser_line"):
        for i, text in enumerate(texts):
            if i in found:
                continue
            if is_page_count(text) or is_gallery_link(text) or is_topics_link(texts, i):
                found[i] = "teaser_line"
        for i in find_pointed_links(texts, found):
            found.setdefault(i, "teaser_line")
        for i in find_pointer_foot(texts, found):
            found.setdefault(i, "teaser_line")
    if f.enabled("promo_line"):
        foot = _story_foot(found, last)
        if foot >= 1 and foot not in found:
            note = texts[foot]
            if is_archive_note(note) or is_cut_stub(texts, foot):
                found[foot] = "promo_line"
    if f.enabled("copyright_trailer") and last >= 1:
        foot = _story_foot(found, last)
        if foot not in found and is_comment_policy(texts[foot]):
            found[foot] = "copyright_trailer"


Check = Callable[[str, Furniture, FurnitureSettings], bool]
# In order: the first family that claims a line names it.
_CHECKS: tuple[tuple[str, Check], ...] = (
    ("ad_slot", lambda t, f, s: is_ad_slot(t, f)),
    ("media_placeholder", lambda t, f, s: is_media_placeholder(t, f)),
    ("share_buttons", lambda t, f, s: is_share_buttons(t, f)),
    ("link_line", lambda t, f, s: is_link_line(t, f)),
    ("follow_prompt", lambda t, f, s: is_follow_prompt(t, f)),
    ("tag_line", lambda t, f, s: is_tag_line(t, f, s.max_furniture_words)),
    ("copyright_trailer", lambda t, f, s: is_copyright_trailer(t, 2 * s.max_furniture_words)),
    ("teaser_line", lambda t, f, s: is_teaser_line(t, f, s.max_furniture_words)),
    ("credit_line", lambda t, f, s: is_credit_line(t, f, s.max_credit_words)),
    ("caption_line", lambda t, f, s: is_caption_line(t, f, s.max_caption_words)),
    ("video_block", lambda t, f, s: _is_video_line(t, f, s)),
    ("promo_line", lambda t, f, s: is_promo_line(t, f, s.max_promo_words)),
    (
        "caps_link",
        lambda t, f, s: is_caps_link(t, s.min_caps_link_words, s.max_furniture_words),
    ),
    ("time_stamp", lambda t, f, s: is_time_stamp(t, s.max_furniture_words)),
    ("social_embed", lambda t, f, s: is_social_embed(t, s.max_furniture_words, f.networks)),
    ("table_pipe", lambda t, f, s: is_table_pipe(t)),
    ("separator_line", lambda t, f, s: is_separator_line(t)),
    ("chart_block", lambda t, f, s: is_chart_block(t)),
    ("related_heading", lambda t, f, s: is_related_heading(t, f)),
)


Checks = tuple[tuple[str, Check], ...]
# The enabled checks, those that can take prose, the longest line to try, and each short
# line's family (None: none) as decided so far.
Plan = tuple[Checks, Checks, int, dict[str, str | None]]
_MAX_SEEN = 16384  # short lines' families remembered; past it the memory starts again
_UNSEEN = ""  # no family is named "": a text not decided yet


def _line_family(
    text: str, f: Furniture, settings: FurnitureSettings, active: Checks, prose: Checks
) -> str | None:
    """The first family that claims a short line, or None."""
    checks = active
    if text[-1] in _ENDS and text.count(" ") >= 5:
        if not _may_be_prose_furniture(text, f):
            return None
        checks = prose  # a line of prose can only be one of these
    for name, check in checks:
        if check(text, f, settings):
            return name
    return None


# Plans by the identity of the loaded rules' objects: hashing a Furniture rehashes its word
# tuples on every call, and the rules live as long as the run.
_PLANS: dict[tuple[int, int], tuple[Furniture, FurnitureSettings, Plan]] = {}


def _plan(f: Furniture, settings: FurnitureSettings) -> Plan:
    """The enabled checks, those that can take a line of prose, and the longest line to try."""
    key = (id(f), id(settings))
    got = _PLANS.get(key)
    if got is not None and got[0] is f and got[1] is settings:
        return got[2]
    active = tuple((name, check) for name, check in _CHECKS if f.enabled(name))
    prose = tuple((name, check) for name, check in active if name in _PROSE_FAMILIES)
    short = settings.max_furniture_words
    longest = max(settings.max_caption_words, settings.max_promo_words, 2 * short)
    plan: Plan = (active, prose, longest, {})
    if len(_PLANS) >= 64:
        _PLANS.clear()  # rules reloaded many times (tests): start over
    _PLANS[key] = (f, settings, plan)
    return plan


def _reads_as_prose(text: str) -> bool:
    """A paragraph of running text: eight words or more, mostly in lower case.

    >>> _reads_as_prose("The council voted on Tuesday to expand it."), _reads_as_prose("GROUP BY")
    (True, False)
    """
    words = text.split()
    return len(words) >= 8 and sum(w[:1].islower() for w in words) >= len(words) // 3


def _may_be_prose_furniture(text: str, f: Furniture) -> bool:
    """Cheap signs that a long line ending like a sentence could still be furniture.

    A label near its start, a bracket around it, a copyright sign, a player control or
    pitch opener first, or words to "you". (A caption closed by its credit does not end
    like a sentence.) Most body paragraphs show none, and skip every family's checks.
    """
    if ":" in text[:64] or text[0] in "([" or text[-1] in ")]" or " | " in text:
        return True
    if "@" in text or text.startswith(("Follow ", "FOLLOW ")):
        return True  # "Follow Ann Lee on Twitter @annlee or email her at ann@example.com."
    if text[-1] == "?" and text.isupper():
        return True
    if "/" in text[:48] or text.startswith("In this "):
        return True  # a caption after its "Name/Agency" credit, a wire caption's opener
    if "©" in text or "opyright" in text or "OPYRIGHT" in text:
        return True
    first = text[: text.find(" ")]
    if first in f.player_controls or first.lower() in f.promo_openers:
        return True
    if first[:1].isupper() and (
        first.lower() in f.teaser_labels
        or " ".join(text.split(None, 2)[:2]).lower() in f.teaser_labels
    ):
        return True  # "Read More <Headline>. <dek>": a card after its button
    tail = max(0, len(text) - 90)
    if len(text) < 200 and may_name_cue(text[tail:], f) and f._promo.search(text, tail):
        return True  # "... our newsletter. Sign up to receive it here."
    if first in ("Image", "Photo", "Picture", "Video", "Media", "Caption", "IMAGE", "PHOTO"):
        return True
    if _STAMP_LABEL.match(text) or _EMBED.match(text):
        return True
    if " on " in text[-30:] and _HOSTED_FROM.match(text):
        return True  # "<Title>. from <user> on Vimeo."
    return ("you" in text or "You" in text or "YOU" in text) and _YOU.search(text) is not None


# A clip's card: its title, its duration, then where it is from ("<title> 02:41 - Source:
# CNN"), whatever player words come before it.
_CLIP_SOURCE = re.compile(r"(?<![\d:])(?:\d{1,2}:)?[0-5]?\d:[0-5]\d ?[-–—|] ?Source ?: ?[A-Z]\S*$")


def _is_video_line(text: str, f: Furniture, settings: FurnitureSettings) -> bool:
    if len(text) < 300 and "Source" in text and _CLIP_SOURCE.search(text):
        return True
    return (
        is_player_caption(text, f, settings.max_caption_words)
        or is_player_notice(text, f, settings.max_caption_words)
        or is_player_line(text, f)
        or is_player_title_line(text, f, settings.max_furniture_words)
    )


def _extend_video_blocks(
    texts: Sequence[str], found: dict[int, str], f: Furniture, max_words: int
) -> None:
    """A bare duration next to a player line is the player's; so is a title line above it.

    A duration alone elsewhere ("13:05" in a live blog) stays.
    """
    if not found:
        return
    players = [i for i, name in found.items() if name in ("video_block", "media_placeholder")]
    for i in sorted(players):
        for j in (i - 1, i + 1):
            if 0 <= j < len(texts) and j not in found and _DURATION_LINE.match(texts[j]):
                found[j] = "video_block"
    for i in sorted(i for i, name in found.items() if name == "video_block"):
        j = i - 1
        if j < 0 or j in found or not is_player_line(texts[i], f):
            continue
        if _is_headline_like(texts[j], min(max_words, 15)):
            found[j] = "video_block"


# ---------------------------------------------------------------------------------------
# Held-out rounds 35+: how to reach the writer, where a post came from, a glued link list.

# "To contact the reporter on this story: Ann Lee in Atlanta at alee@example.com": a label
# of whom to reach, then the names and addresses.
_TO_CONTACT = re.compile(
    r"^To (?:contact|reach|e-?mail|write to) (?:the |our |this )?(?:reporters?|editors?|"
    r"writers?|authors?|correspondents?|newsroom)\b[^:.!?]{0,60}: \S"
)
# "Ann Lee may be reached at alee@example.com.", "Correspondent Bo Chen can be reached at
# ...": a writer's name (a role word may open it), then how to reach them.
_REACHED_AT = re.compile(
    r"^(?:[A-Z][a-z]+(?: [a-z]+)? )?(?:[A-Z][\w.'’-]*(?: |$)){2,4}(?:may|can|could) be "
    r"(?:reached|contacted|emailed|e-mailed) (?:at|by|via|on) "
)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.\w|(?<![\w.])@\w{2,}")


def is_contact_note(text: str) -> bool:
    """How to reach the story's writer or editors, as the page prints it under the story.

    >>> is_contact_note("To contact the reporter on this story: Ann Lee in Atlanta at "
    ...     "alee@example.com")
    True
    >>> is_contact_note("Correspondent Bo Chen may be reached at bchen@example.net.")
    True
    >>> is_contact_note("Ann Lee may be reached at alee@example.com. Follow her on Twitter "
    ...     "@annlee. Find Example News on Facebook.")
    True

    Reported speech, a reader's call to an office, and a contact with no address stay:

    >>> is_contact_note("To contact the reporter, the family said, they used a neighbour.")
    False
    >>> is_contact_note("Crime Stoppers can be reached at 555-0100 any time of day.")
    False
    >>> is_contact_note("Ann Lee may be reached at alee@example.com, the court said.")
    False
    """
    if len(text) > 400 or _SAYS.search(text):
        return False
    if text.startswith("To ") and _TO_CONTACT.match(text):
        return True
    return _REACHED_AT.match(text) is not None and _ADDRESS.search(text) is not None


def find_contact_notes(texts: Sequence[str], found: Container[int]) -> list[int]:
    """The contact notes among a story's last lines (under them only furniture or other
    notes): a note in the middle of a story is a sentence about someone.

    >>> story = ["The council met on Tuesday.", "It passed by one vote."]
    >>> note = "Ann Lee may be reached at alee@example.com."
    >>> find_contact_notes([*story, note, "Loading Photo Gallery"], {3})
    [2]
    >>> find_contact_notes([story[0], note, story[1]], set())
    []
    """
    out = []
    for i in range(len(texts) - 1, 0, -1):
        if i in found:
            continue
        if not is_contact_note(texts[i]):
            break
        out.append(i)
    return sorted(out)


# Where a blogged item came from, in brackets alone on its line: "[via Buzzfeed]", "(h/t
# The Verge)". The source's name is capitalised: "(via satellite link)" stays.
_VIA_SOURCE = re.compile(
    r"^[\[(](?:via|Via|VIA|h/t|H/T|hat tip|Hat tip)\b:? (?:the |The )?"
    r"[A-Z0-9@][^\[\]()]{0,60}[\])]$"
)


def is_via_credit(text: str) -> bool:
    """A bracketed note of where a post came from.

    >>> is_via_credit("[via Buzzfeed]"), is_via_credit("(h/t The Verge)")
    (True, True)
    >>> is_via_credit("(via satellite link)"), is_via_credit("[Via the Met Office, a forecast.]")
    (False, False)
    """
    return text[-1] in ")]" and _VIA_SOURCE.match(text) is not None and text[-2] not in ".!?"


# The heading of another section's links under a story: "More from Example.com:", "More on
# Business:"; "More from the interview:" over sentences stays (its lines end like them).
_MORE_FROM = re.compile(
    r"^(?:More|MORE|Also|ALSO) (?:from|on|in|FROM|ON|IN) [^.!?:]{1,40}(?:\.[a-z]{2,4})?:$"
)


def find_glued_link_list(texts: Sequence[str], found: Container[int]) -> list[int]:
    """ "More from <Section>:" closing a story over its links, each a Title Case headline
    with no stop, the scrape having run them together on one line or kept one a line.

    >>> story = ["The council met on Tuesday.", "It passed by one vote."]
    >>> glued = ("The Gift of a Bright Business Idea Be Prepared for a Roller Coaster Ride: "
    ...     "5 Key Business Predictions for 2015")
    >>> find_glued_link_list([*story, "More from Example.com:", glued], set())
    [2, 3]

    Items that read as sentences, a heading with no list under it, and a heading in the
    middle of the story stay:

    >>> find_glued_link_list([*story, "More from the interview:", "We asked her why. She "
    ...     "laughed."], set())
    []
    >>> find_glued_link_list([*story, "More from Example.com:"], set())
    []
    >>> find_glued_link_list(["More on Business:", glued, *story], set())
    []
    """
    foot = _story_foot(found, len(texts) - 1)
    start = foot
    while start > 1 and start not in found and not _MORE_FROM.match(texts[start]):
        line = texts[start]
        if line.rstrip(_CLOSERS)[-1:] in ".!?" or not _is_title_case(line, 4, 120):
            return []
        start -= 1
    if start == foot or start < 2 or not _MORE_FROM.match(texts[start]):
        return []
    return list(range(start, foot + 1))


# A pull quote the page set in quotes without its stop: longer than a quoted subheading.
_QUOTED_PULL_WORDS = 14


def is_quoted_pull(text: str, n_words: int) -> bool:
    """A line wholly in quotes, fourteen words or more, with no stop of its own: the page's
    pull quote of a sentence (:func:`find_pull_quotes` looks for the paragraph holding it,
    not right above or below it). A quoted subheading is shorter.

    >>> is_quoted_pull("“My only wish is to prove to the American public that in my case "
    ...     "your tax money has not been wasted”", 19)
    True
    >>> is_quoted_pull("‘The focus of her investigation was on how nuns live’", 10)
    False
    >>> is_quoted_pull("“We will win,” he said, and the crowd cheered for a long time", 14)
    False
    """
    if n_words < _QUOTED_PULL_WORDS or text[0] not in "“\"‘'" or text[-1] not in "”\"’'":
        return False
    return len(_QUOTE_MARK.findall(text)) == 2


# A caption that the page's template labels in English whatever the story's language: "<the
# picture's credit in the story's language> Image caption <caption>".
_INNER_MEDIA_LABEL = re.compile(r"(?<=\S )(?:Image|Media|Photo|Video) caption (?=\S)")


def is_labelled_caption(text: str) -> bool:
    """A caption whose label stands after its credit: "Фото Ann Lee Image caption ...".

    >>> is_labelled_caption("ဓာတ်ပုံ မူပိုင် Ann Lee (Example) Image caption ရုံးတွင်")
    True
    >>> is_labelled_caption("Foto Ann Lee/EFE Media caption El ministro habla")
    True
    >>> is_labelled_caption("The museum's new Image caption rules were praised by critics.")
    False
    """
    m = _INNER_MEDIA_LABEL.search(text)
    if m is None or too_long(text, 80):
        return False
    head = text[: m.start()].split()
    if len(head) > 10 or _SENTENCE_BREAK.search(" ".join(head)):
        return False
    return head[-1][:1].isupper() or head[-1].endswith(")")  # the label follows a credit


# A caption closed by where its pictures came from, with no stop: "Maps of the city: the 1948
# plan (via Ann Lee/Flickr) and 2014 (via Example)".
_VIA_CLOSE = re.compile(r"\((?:via|Via) [A-Z0-9][^()]{0,60}\)$")


def is_via_caption(text: str) -> bool:
    """A short line with no stop of its own, closed by a bracketed "(via <source>)".

    >>> is_via_caption("Maps: the 1948 plan (via Ann Lee/Flickr) and 2014 (via Example)")
    True
    >>> is_via_caption("The hearing was held on Monday. (via Zoom)")
    False
    >>> is_via_caption("The hearing was held remotely (via video link)")
    False
    """
    if not text.endswith(")") or too_long(text, 30):
        return False
    m = _VIA_CLOSE.search(text)
    return m is not None and text[: m.start()].rstrip()[-1:] not in ".!?:" and m.start() > 0


# A call for the readers' own pictures or stories: "Are you in the storm? Please share your
# videos, pictures and stories at <site>.", "Send us your photos of the eclipse."
_SHARE_YOURS = re.compile(
    r"(?:^|[.!?] )(?:Please |PLEASE )?(?:[Ss]hare|[Ss]end|[Ss]ubmit|[Uu]pload|[Ee]-?mail)"
    r"(?: us)? (?:your|YOUR) (?:own )?(?:photos?|videos?|pictures?|images?|stories|story|"
    r"experiences?|tips?)\b[^.!?]{0,80}[.!]?$"
)


def is_reader_callout(text: str) -> bool:
    """A request that readers send in their pictures or stories, as its own line.

    >>> is_reader_callout("Are you in the storm? Please share your videos and stories at "
    ...     "Example Report.")
    True
    >>> is_reader_callout("Send us your photos of the eclipse.")
    True
    >>> is_reader_callout("“Please share your photos with the police,” the sheriff said.")
    False
    >>> is_reader_callout("Residents were asked to share their videos with investigators.")
    False
    """
    if too_long(text, 50) or _SAYS.search(text) or len(_QUOTE_MARK.findall(text)) > 0:
        return False
    return _SHARE_YOURS.search(text) is not None


_STOP_CHARS = ".!?。！？।؟"


def find_labelled_foot(
    texts: Sequence[str], found: Container[int], f: Furniture, max_words: int
) -> list[int]:
    """A related-stories heading alone on its line near a story's end (in any language the
    teaser labels hold: "Related", "เรื่องที่เกี่ยวข้อง", "関連記事") over the stories' titles,
    short lines with no stop, down to the story's end.

    >>> f = Furniture(teaser_labels=frozenset(["related", "関連記事"]))
    >>> story = ["The council met on Tuesday.", "It passed by one vote."]
    >>> titles = ["市議会が新橋を承認", "工事は春に始まる"]
    >>> find_labelled_foot([*story, "関連記事", *titles], set(), f, 16)
    [2, 3, 4]

    A heading over a sentence, or with nothing under it, stays (other rules weigh a lone
    label):

    >>> find_labelled_foot([*story, "Related", "It was the third vote this year."], set(), f, 16)
    []
    >>> find_labelled_foot([*story, "Related"], set(), f, 16)
    []
    """
    foot = _story_foot(found, len(texts) - 1)
    start = foot
    while start > 1 and start not in found:
        line = texts[start]
        if line.rstrip(":").strip().lower() in f.teaser_labels:
            break
        if (
            too_long(line, max_words)
            or len(line) > 160
            or line.rstrip(_CLOSERS)[-1:] in _STOP_CHARS
        ):
            return []
        start -= 1
    if (
        start == foot
        or start < 2
        or texts[start].rstrip(":").strip().lower() not in f.teaser_labels
    ):
        return []
    return list(range(start, foot + 1))


# A newsletter that introduces itself over (or under) its issue: "<Name> is a daily
# newsletter from <Site> that delivers ...".
_NEWSLETTER_SELF = re.compile(
    r"^(?:[A-Z][\w'’&.-]*|of|the)(?: (?:[A-Z][\w'’&.-]*|of|the)){0,4} (?:is|are) (?:a|an|our) "
    r"(?:[\w-]+ ){0,3}(?:newsletter|briefing|digest|roundup)\b"
)
# A pointer to the gallery the scrape did not keep: "See more photos in the gallery, images
# by <Name>", "View all pictures".
_GALLERY_POINTER = re.compile(
    r"^(?:See|View|Browse|Check out|Click through) (?:more|all|all the|the|our)?"
    r" ?(?:photos|pictures|images|pics|slides)\b(?: (?:in|from|of) (?:the|our|this) "
    r"(?:gallery|slideshow|album))?(?:[,;:]? [^.!?]{0,60})?\.?$"
)


def is_newsletter_intro(text: str) -> bool:
    """A newsletter's line about itself.

    >>> is_newsletter_intro("Money Notes is a daily newsletter from Example News that "
    ...     "delivers the top news for advisers.")
    True
    >>> is_newsletter_intro("The Daily Brief is our free morning briefing.")
    True
    >>> is_newsletter_intro("Her company is a small newsletter publisher in Ohio, she said.")
    False
    """
    return not too_long(text, 40) and not _SAYS.search(text) and bool(_NEWSLETTER_SELF.match(text))


def is_gallery_pointer(text: str) -> bool:
    """A pointer to a gallery of pictures, with its credit perhaps.

    >>> is_gallery_pointer("See more photos in the gallery, images by Ann Lee")
    True
    >>> is_gallery_pointer("View all pictures")
    True
    >>> is_gallery_pointer("See more photos of the flood and how it began on the coast last year.")
    False
    """
    if too_long(text, 16) or (text.endswith(".") and too_long(text, 6)):
        return False  # a sentence that sends the reader to pictures says more than a button
    return _GALLERY_POINTER.match(text) is not None


def is_glued_related_block(text: str, f: Furniture) -> bool:
    """A related-links box flattened into one line: its heading, then the headlines run
    together with no stop at the end ("Related articles 'He tried ...' <Name> opens up on
    ... <Name>").

    >>> f = Furniture(related_headings=frozenset(["related", "articles", "stories"]),
    ...     heading_cores=("related",))
    >>> is_glued_related_block("Related articles 'I knew it' Ann Lee opens up on her year "
    ...     "A day in the life of: the club with Ann Lee", f)
    True
    >>> is_glued_related_block("Related charges were filed against the two other men", f)
    False
    >>> is_glued_related_block("Related stories show the same pattern in every town.", f)
    False
    """
    words = text.split()
    if len(words) < 8 or len(words) > 80 or text.rstrip(_CLOSERS)[-1:] in _STOP_CHARS:
        return False
    if _SAYS.search(text):
        return False
    for n in (3, 2, 1):
        head = " ".join(words[:n])
        if is_related_heading(head, f) and (words[n][:1] in "'‘\"“" or words[n][:1].isupper()):
            return True
    return False


# A copyright line in the languages whose pages print it with "ⓒ" or a rights phrase of
# their own: "Copyright ⓒ Example.co.kr. 무단전재 및 재배포 금지" ("no reproduction or
# redistribution"), "版权所有", "無断転載を禁じます".
_WORLD_RIGHTS = re.compile(
    r"무단\s?전재|재배포\s?금지|無断転載|无断转载|禁止转载|不得转载|版[权權]所有"
)
_SIGNS = ("ⓒ", "©", "(c)", "(C)", "opyright", "OPYRIGHT", "저작권", "著作権", "版权", "版權")


def is_world_copyright(text: str) -> bool:
    """A copyright line with an East Asian rights phrase, or opened by "ⓒ".

    >>> is_world_copyright("Copyright ⓒ Example.co.kr. 무단전재 및 재배포 금지")
    True
    >>> is_world_copyright("저작권자 ⓒ 예시미디어(www.example.co.kr), 무단전재 및 재배포금지")
    True
    >>> is_world_copyright("이 기사는 무단전재 문제를 다룬다.")
    False
    """
    if not any(sign in text for sign in _SIGNS) or too_long(text, 40):
        return False
    return _WORLD_RIGHTS.search(text) is not None or text.startswith("ⓒ")


# A picture's credit in brackets, its label glued by "=" or a colon, as Korean, Japanese
# and Chinese pages print it: "[사진=JTBC, Example]", "(写真：Example)", "[Foto: EFE]".
_LABELLED_CREDIT = re.compile(
    r"^[\[(](?:사진|사진제공|자료사진|그래픽|写真|照片|图片|圖片|图|圖|Foto|Fotos|Photo|Photos|Bild|"
    r"Image)\s*[=:：]\s*[^\[\]()]{1,60}[\])]$"
)


def is_labelled_credit(text: str) -> bool:
    """A bracketed credit line: "[사진=JTBC, Example]".

    >>> is_labelled_credit("[사진=JTBC, 예시아시아]"), is_labelled_credit("(Foto: EFE)")
    (True, True)
    >>> is_labelled_credit("[Editor's note: the photo was taken in 2019]")
    False
    """
    return len(text) <= 80 and _LABELLED_CREDIT.match(text) is not None


# A sign-up form's messages, printed whatever state the form was in: "Thanks for signing
# up!", "There was an error processing your subscription.", "Keep an eye on your inbox ...".
_FORM_STATE = re.compile(
    r"^(?:Thanks|Thank you) for (?:signing up|subscribing|registering)\b|"
    r"\berror (?:processing|with) your (?:subscription|request|sign-?up)\b|"
    r"^(?:Keep an eye on|Check) your inbox\b|^You(?:'re|’re| are) (?:all )?(?:set|subscribed)\b"
)


def find_signup_widget(texts: Sequence[str], found: Container[int], f: Furniture) -> list[int]:
    """A newsletter box: its form's messages and the short lines of the box around them (its
    name, its pitch, "Sorry!", the next box's call). A story quoting such a line stays.

    >>> from ingest.rules import load_rules
    >>> f = load_rules().furniture
    >>> story = ["The council met on Tuesday to vote on the plan.", "It passed by one vote."]
    >>> box = ["Daily Briefing Newsletter", "Get the day's top stories in your inbox.",
    ...     "Thanks for signing up!", "Sorry!", "There was an error processing your "
    ...     "subscription."]
    >>> find_signup_widget([*story, *box, *story], set(), f)
    [2, 3, 4, 5, 6]
    >>> find_signup_widget([*story, "“Thanks for signing up!” the clerk said.", *story], set(), f)
    []
    """
    anchors = [
        i
        for i, t in enumerate(texts)
        if ("error" in t or t[:1] in "TKCY")  # the messages' first letters, or an error
        and _FORM_STATE.search(t)
        and i not in found
        and not too_long(t, 20)
        and not _QUOTE_MARK.search(t)
    ]

    def boxed(t: str) -> bool:
        if too_long(t, 20) or _QUOTE_MARK.search(t) or _SAYS.search(t):
            return False
        first = t.split(None, 1)[0].lower()
        return (
            len(t.split()) <= 3
            or first in f.promo_openers
            or f._promo.search(t) is not None
            or _FORM_STATE.search(t) is not None
        )

    out: set[int] = set()
    for a in anchors:
        lo = hi = a
        while lo - 1 >= 0 and lo - 1 not in out and boxed(texts[lo - 1]):
            lo -= 1
        while hi + 1 < len(texts) and boxed(texts[hi + 1]):
            hi += 1
        out.update(range(lo, hi + 1))
    return sorted(i for i in out if i not in found)


def find_separated_cards(texts: Sequence[str], found: Container[int]) -> list[int]:
    """Link cards closing a story, a lone rule ("-") between them, each card a title with
    no stop and perhaps a short blurb. Sections of an essay between rules end like
    sentences, and stay.

    >>> story = ["The council met on Tuesday to vote on the plan.", "It passed by one vote."]
    >>> cards = ["-", "Mayor joins the band", "She may have found her calling", "-",
    ...     "Week 12 picks", "-", "Coach tells an old story", "The owner might have hired him"]
    >>> find_separated_cards([*story, *cards], set())
    [2, 3, 4, 5, 6, 7, 8, 9]
    >>> essay = ["* * *", "The rain came at noon.", "* * *", "We left the next day."]
    >>> find_separated_cards([*story, *essay], set())
    []
    """
    foot = len(texts) - 1
    i, groups, top = foot, 0, -1
    while i > 1:
        group: list[str] = []
        while i > 1 and len(group) < 3 and not is_separator_line(texts[i]):
            group.append(texts[i])
            i -= 1
        if not 1 <= len(group) <= 2 or any(too_long(t, 25) for t in group):
            break
        if group[-1].rstrip(_CLOSERS)[-1:] in _STOP_CHARS:
            break  # a card opens with its title
        if not is_separator_line(texts[i]):
            break
        groups += 1
        top = i
        i -= 1
    if groups < 2:
        return []
    return [k for k in range(top, foot + 1) if k not in found]


# "Be sure to visit <Brand> on Facebook, Twitter, and Instagram.": a pitch to follow.
_BE_SURE_FOLLOW = re.compile(
    r"^(?:Be sure to|Make sure to|Don't forget to|Don’t forget to|Remember to) "
    r"(?:visit|follow|like|find|check out|connect with) [^.!?]{1,60}? on [A-Z]"
)


def is_be_sure_to_follow(text: str, f: Furniture) -> bool:
    """A pitch to follow a brand on the networks.

    >>> f = Furniture(networks=frozenset(["facebook", "twitter", "instagram"]))
    >>> is_be_sure_to_follow("Be sure to visit Example on Facebook, Twitter, and Instagram.", f)
    True
    >>> is_be_sure_to_follow("Be sure to visit the museum on Sunday, when it is free.", f)
    False
    """
    if too_long(text, 25) or _BE_SURE_FOLLOW.match(text) is None:
        return False
    return bool(f.networks & set(word_tokens(text.lower())))


# A prompt to follow a link the scrape did not keep: "* Click the link to see the full
# calendar", "Clique no link para ver ...", "Cliquez sur le lien ...".
_CLICK_LINK = re.compile(
    r"^\*? ?(?:Click|Clique|Clic|Haga clic|Haz clic|Cliquez|Klicken Sie|Clicca) "
    r"(?:on |no |en |sur |auf |sul |nel )?(?:the |this |o |el |le |den |il |este |ce )?"
    r"(?:link|links|enlace|lien|Link)\b"
)


# A comment policy: what the moderators will not approve, in the languages a page's foot
# prints it.
_COMMENT_POLICY = re.compile(
    r"(?i)\b(?:comments?|comentários?|comentarios?|commentaires?|kommentare?|commenti)\b"
    r"[^\n]{0,200}?\b(?:moderat\w*|approv\w*|aprovad\w*|aprobad\w*|freigeschaltet|"
    r"publiés?|pubblicat\w*)\b"
)


def is_link_prompt(text: str) -> bool:
    """A prompt to follow a link the scrape did not keep.

    >>> is_link_prompt("* Clique no link para ver o Calendário completo")
    True
    >>> is_link_prompt("Click beetles were found on the link road near the river.")
    False
    """
    return _CLICK_LINK.match(text) is not None and not too_long(text, 40)


def is_moderation_note(text: str) -> bool:
    """The comment policy, as a story's last lines print it (between paragraphs, a sentence
    on comments being approved is news).

    >>> is_moderation_note("ATENÇÃO: Comentários ofensivos não serão aprovados pelo moderador.")
    True
    >>> is_moderation_note("Comments on the plan will be approved by the council, she said.")
    False
    >>> is_moderation_note("Comments on the draft were approved by the board on Monday.")
    False
    """
    if too_long(text, 40) or _SAYS.search(text):
        return False
    # a policy says what will not pass, or who moderates
    return _COMMENT_POLICY.search(text) is not None and _REFUSAL.search(text) is not None


_REFUSAL = re.compile(r"(?i)\b(?:not|won't|won’t|não|no|ne|nicht|non|moderat\w*|moderador\w*)\b")


# The heading of readers' comments under a story, and the link that closes them: "Top Rated
# Comments", "[ Read All Comments ]". "Comments" or "Readers' Comments" may head a section
# of the story (a report's official comments, letters), so it counts only over that link.
_COMMENTS_HEAD = re.compile(
    r"^(?:Top|Most|Highest)[ -](?:Rated|Popular|Liked) (?:Comments|COMMENTS)(?: \(\d+\))?:?$"
)
_COMMENTS_TAIL = re.compile(
    r"^[\[(]? ?(?:Read|View|Show|See|Load) (?:all|more|All|More) (?:\d+ )?(?:comments|Comments)"
    r" ?[\])]?$"
)
_BARE_COMMENTS = re.compile(
    r"^(?:(?:Readers?['’]?|Latest|User|Recent) )?(?:Comments|COMMENTS)(?: \(\d+\))?:?$"
)


def find_comments_foot(texts: Sequence[str], found: Container[int]) -> list[int]:
    """Readers' comments printed under a story: from their heading to the story's end, when
    the heading says whose comments they are, or a link to the rest of them closes them.

    >>> story = ["The council met on Tuesday to vote on the plan.", "It passed by one vote."]
    >>> talk = ["Top Rated Comments", "Great idea, finally.", "No surprise here."]
    >>> find_comments_foot([*story, *talk], set())
    [2, 3, 4]
    >>> find_comments_foot([*story, "Comments", "Great idea.", "[ Read All Comments ]"], set())
    [2, 3, 4]
    >>> report = ["Comments", "The agency received 300 comments on the rule."]
    >>> find_comments_foot([*story, *report], set())
    []
    """
    foot = _story_foot(found, len(texts) - 1)
    closed = any(_COMMENTS_TAIL.match(texts[k]) for k in range(foot, len(texts)))
    for i in range(foot, 1, -1):
        if _COMMENTS_HEAD.match(texts[i]) or (closed and _BARE_COMMENTS.match(texts[i])):
            if i >= len(texts) // 3:  # under the story, not a section of it
                return [k for k in range(i, foot + 1) if k not in found]
            break
    return []


# A page's disclaimer of its columnists' views: "The views and opinions expressed in the
# article do not necessarily reflect those of <Site>."
_DISCLAIMER = re.compile(
    r"^(?:The )?(?:views?|opinions?)(?: and (?:views|opinions))? expressed (?:in|by) "
    r"(?:this|the|these) (?:article|post|column|piece|story|blog|commentary|op-ed)s?\b"
    r"[^.!?]{0,120}\b(?:necessarily|solely|do not|does not|are (?:those|the author))",
    re.I,
)
# A shop's share of what readers buy through a post: "If you buy something through this post,
# <Site> may get a share of the sale.", "We may earn a commission ...".
_AFFILIATE = re.compile(
    r"\b(?:[Ii]f you (?:buy|purchase) (?:something|anything|a product|an item) "
    r"(?:through|from|via)|\b(?:[Ww]e|I) (?:may|might|could) (?:earn|get|receive|collect) (?:a )?"
    r"(?:small )?(?:commission|share of (?:the )?sales?|portion of (?:the )?sales?))"
)
# A call for the readers' comments: "Leave your questions below!", "Deixe suas dúvidas e
# opiniões aqui embaixo!", "Let us know in the comments."
_COMMENT_CALL = re.compile(
    r"^(?:Leave|Share|Tell us|Let us know|Drop|Post|Deixe|Deja|Dejen|Laissez|Lasciate|Lascia|"
    r"Hinterlassen|Schreiben Sie)\b[^.!?]{0,80}\b(?:below|comments?|abaixo|embaixo|abajo|"
    r"ci-dessous|commentaires|unten|Kommentar\w*|qui sotto|commenti|comentários?|comentarios?)\b"
)
# A reading time over a story in the languages the furniture reads: "Reading time: 3
# minutes", "Tempo de leitura: 1 minuto", "Lesezeit: 4 Min.".
_READING_TIME = re.compile(
    r"^(?:Reading time|Read time|Tempo de leitura|Tiempo de lectura|Temps de lecture|"
    r"Lesezeit|Lesedauer|Tempo di lettura|Leestijd|Czas czytania)\s*:?\s*(?:<\s*)?\d{1,3}\s*"
    r"(?:minutes?|minutos?|minuti|minuten|minuty|min\.?|Min\.?|mins)$",
    re.I,
)


def is_page_disclaimer(text: str) -> bool:
    """A disclaimer of the page's, or its share of sales, as the story's last lines print it.

    >>> is_page_disclaimer("The views and opinions expressed in the article do not "
    ...     "necessarily reflect those of Example News.")
    True
    >>> is_page_disclaimer("Ann Lee curates deals.If you buy something through this post, "
    ...     "Example may get a share of the sale.")
    True
    >>> is_page_disclaimer("The views expressed in the article angered the minister, he said.")
    False
    """
    if too_long(text, 60) or _SAYS.search(text):
        return False
    return _DISCLAIMER.match(text) is not None or _AFFILIATE.search(text) is not None


def is_comment_call(text: str) -> bool:
    """A call to leave a comment under the story.

    >>> is_comment_call("Deixe suas dúvidas e opiniões aqui embaixo! Obrigado por compartilhar!")
    True
    >>> is_comment_call("Let us know in the comments.")
    True
    >>> is_comment_call("Leave the dog at home and bring the kids below the bridge.")
    False
    """
    if too_long(text, 25) or _SAYS.search(text) or _QUOTE_MARK.search(text):
        return False
    m = _COMMENT_CALL.match(text)
    return m is not None and _OPINION.search(m.group()) is not None


# What a call for comments asks the reader for.
_OPINION = re.compile(
    r"(?i)\b(?:comments?|commentaires|kommentar\w*|commenti|comentários?|comentarios?|"
    r"thoughts|opinions?|opiniões|opiniones|avis|meinung|dúvidas|dudas|questions|feedback)\b"
)
_LIST_MARK = re.compile(r"^(?:[-•*–] |\d{1,2}[.)] )")


def keep_list_items(texts: Sequence[str], found: dict[int, str]) -> None:
    """A pitch's shape inside a list of the story's own items ("- Sign up for a Hulu account
    for $11.99 a month" between two steps) is an item: it stays when an item beside it,
    marked the same way, is text.

    >>> found = {1: "promo_line"}
    >>> keep_list_items(["Steps:", "- Sign up for an account", "- Then visit your page"], found)
    >>> found
    {}
    """
    for i in [i for i, name in found.items() if name == "promo_line"]:
        m = _LIST_MARK.match(texts[i])
        if m is None:
            continue
        mark = m.group()[0]
        if any(
            0 <= j < len(texts)
            and j not in found
            and texts[j].startswith(mark)
            and _LIST_MARK.match(texts[j]) is not None
            for j in (i - 1, i + 1)
        ):
            del found[i]


# A picture's caption under its role's label: "Cover image: <caption>", "Top photo: ...".
_ROLE_CAPTION = re.compile(
    r"^(?:Cover|Main|Top|Lead|Header|Featured|Hero|Banner|Above|Inset) (?:image|photo|picture|"
    r"illustration)s?: \S"
)
# A shortcode a CMS left unrendered around its text: "[button link=...] Send us ...[/button]",
# "[caption id=...]...[/caption]": the tag's name opens the brackets and closes them again.
_SHORTCODE = re.compile(r"^\[(?P<tag>[a-z_]{2,20})(?:[ =][^\[\]]{0,200})?\].{0,200}\[/(?P=tag)\]$")


def is_role_caption(text: str) -> bool:
    """A caption labelled with its picture's role.

    >>> is_role_caption("Cover image: artist's impression of the installation at the festival")
    True
    >>> is_role_caption("Cover story: how the festival began in 2012")
    False
    """
    return not too_long(text, 60) and _ROLE_CAPTION.match(text) is not None


def is_shortcode(text: str) -> bool:
    """A CMS shortcode printed as text, its closing tag naming its opening one.

    >>> is_shortcode("[button link='http://example.com/' type='big'] Send us YOUR review[/button]")
    True
    >>> is_shortcode("[Editor's note: the photo was taken in 2019]"), is_shortcode("[sic] [/sic]")
    (False, True)
    """
    return _SHORTCODE.match(text) is not None


def _line_shape(text: str, f: Furniture) -> str | None:
    """The family of a line these rounds' shapes take wherever it stands, or None; each
    shape is tried only on lines that hold its cheap mark (a bracket, "your", a sign)."""
    first, end = text[0], text[-1]
    if first == "[" and text.endswith("]") and f.enabled("promo_line") and is_shortcode(text):
        return "promo_line"  # "[button link=...] Send us YOUR kit review[/button]"
    if first in "CMTLHFBAI" and f.enabled("caption_line") and is_role_caption(text):
        return "caption_line"  # "Cover image: <caption>"
    credit = first in "[(" and f.enabled("credit_line")
    if credit and (is_via_credit(text) or is_labelled_credit(text)):
        return "credit_line"  # "[via <Site>]", "[사진=<credit>]"
    caption = (" caption " in text or end == ")") and f.enabled("caption_line")
    if caption and (is_labelled_caption(text) or is_via_caption(text)):
        return "caption_line"  # "<credit> Image caption <caption>", "... (via <Site>)"
    if f.enabled("promo_line"):
        if ("your" in text or "YOUR" in text) and is_reader_callout(text):
            return "promo_line"  # "Please share your videos ... at <site>."
        if first in "SVBC" and is_gallery_pointer(text):
            return "promo_line"  # "See more photos in the gallery"
        if first in "BMDR*CcHK" and (is_be_sure_to_follow(text, f) or is_link_prompt(text)):
            return "promo_line"  # "Be sure to visit <X> on Facebook ...", "Click the link"
    related = f.enabled("related_run") and _first_word_in(text, f.related_headings)
    if related and is_glued_related_block(text, f):
        return "related_run"  # "Related articles <headline> <headline>"
    if f.enabled("copyright_trailer") and is_world_copyright(text):
        return "copyright_trailer"  # "Copyright ⓒ <site>. 무단전재 및 재배포 금지"
    return None


def find_held_out_shapes(
    texts: Sequence[str], found: dict[int, str], f: Furniture, max_words: int
) -> None:
    """Add the shapes of the held-out rounds 35+ to ``found``: lines taken wherever they
    stand (:func:`_line_shape`), then those a story's top or foot decides."""
    last = len(texts) - 1
    if f.enabled("link_line") and last >= 2:
        for i in find_contact_notes(texts, found):
            found[i] = "link_line"  # "<Name> may be reached at <address>." under the story
    for i, text in enumerate(texts):
        if i not in found:
            family = _line_shape(text, f)
            if family is not None:
                found[i] = family
    if f.enabled("teaser_line") and last >= 2:
        for i in find_glued_link_list(texts, found):
            found[i] = "teaser_line"  # "More from <Site>:" over its links, glued
    if f.enabled("related_run") and last >= 2:
        for i in find_labelled_foot(texts, found, f, max_words):
            found[i] = "related_run"  # "เรื่องที่เกี่ยวข้อง" over its links
        for i in find_separated_cards(texts, found):
            found[i] = "related_run"  # "-" / <title> / <blurb> / "-" / ...
    if f.enabled("promo_line"):
        for i in {0, 1, last} & set(range(len(texts))):
            if i not in found and is_newsletter_intro(texts[i]):
                found[i] = "promo_line"  # "<Name> is a daily newsletter from <Site> ..."
        for i in find_signup_widget(texts, found, f):
            found[i] = "promo_line"  # "<Name> Newsletter" ... "Thanks for signing up!"
    if f.enabled("byline_line"):
        for i in {0, 1} & set(range(len(texts))):
            text = texts[i]
            if i not in found and text.startswith("by ") and is_byline_line("B" + text[1:]):
                found[i] = "byline_line"  # "by Ann Lee" over the story
    if f.enabled("promo_line") and last >= 2:
        for i in find_comments_foot(texts, found):
            found[i] = "promo_line"  # "Top Rated Comments" and the comments under it
        foot = _story_foot(found, last)
        for i in range(foot, max(foot - 3, 1), -1):  # the story's last lines, in a run
            if i in found:
                continue
            note = texts[i]
            if not (is_page_disclaimer(note) or is_comment_call(note) or is_moderation_note(note)):
                break
            found[i] = "promo_line"  # "The views ... expressed in the article do not ..."
    if f.enabled("time_stamp"):
        for i in range(min(3, len(texts))):
            if i not in found and _READING_TIME.match(texts[i]):
                found[i] = "time_stamp"  # "Tempo de leitura: 1 minuto"
    if f.enabled("promo_line"):
        keep_list_items(texts, found)
