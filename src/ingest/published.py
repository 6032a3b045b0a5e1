"""Relative publication times ("2 hours ago", "yesterday") made absolute."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

# Relative times in every language the splitter reads, as data: both the `[header]` anchor
# patterns (:func:`relative_patterns`, which ingest.rules puts before the rules file's own
# `published` list) and :func:`parse_relative` are built from these tables, so a unit or
# language added here is both found as a header time and resolved to `published`.
#
# Each unit's words, spelled out (plurals and grammatical cases), by its length in seconds.
UNIT_WORDS: dict[int, tuple[str, ...]] = {
    1: (
        "second", "seconds", "sec", "secs",  # en
        "seconde", "secondes",  # fr
        "segundo", "segundos",  # es pt
        "sekunde", "sekunden", "sek",  # de
        "secondo", "secondi",  # it
        "seconden",  # nl
        "sekundę", "sekundy", "sekund",  # pl
        "секунду", "секунды", "секунд",  # ru
        "saniye",  # tr
        "sekunder",  # sv da no
        "detik",  # id
        "sekundami", "sekundou",  # cs
        "秒", "秒钟", "秒鐘", "초",  # ja zh ko
        "δευτερόλεπτο", "δευτερόλεπτα",  # el
        "giây",  # vi
        "ثانية", "ثوان", "ثواني",  # ar
        "שנייה", "שניות",  # he
        "sekunti", "sekuntia",  # fi
        "secundă", "secunde",  # ro
        "секунди",  # uk
        "सेकंड",  # hi
        "วินาที",  # th
        "segon", "segons",  # ca
        "sekundi",  # hr
        "ثانیه",  # fa
    ),
    60: (
        "minute", "minutes", "min", "mins",  # en fr
        "minuto", "minutos",  # es pt
        "minuten",  # de nl
        "minuti",  # it
        "minutę", "minuty", "minut",  # pl sv
        "минуту", "минуты", "минут",  # ru
        "dakika",  # tr
        "minuter", "minutter",  # sv da no
        "menit",  # id
        "minutami", "minutou",  # cs
        "分", "分钟", "分鐘", "분",  # ja zh ko
        "λεπτό", "λεπτά",  # el
        "phút",  # vi
        "دقيقة", "دقائق", "دقيقتين",  # ar
        "דקה", "דקות",  # he
        "minuutti", "minuuttia",  # fi
        "хвилину", "хвилини", "хвилин",  # uk
        "मिनट",  # hi
        "นาที",  # th
        "minuts",  # ca
        "minuta",  # hr
        "دقیقه",  # fa
    ),
    3600: (
        "hour", "hours", "hr", "hrs",  # en
        "heure", "heures",  # fr
        "hora", "horas",  # es pt
        "stunde", "stunden", "std",  # de
        "ora", "ore",  # it
        "uur",  # nl
        "godzinę", "godziny", "godzin",  # pl
        "час", "часа", "часов",  # ru
        "saat",  # tr
        "timme", "timmar", "time", "timer",  # sv da no
        "jam",  # id
        "hodinou", "hodinami",  # cs
        "時間", "小时", "小時", "시간",  # ja zh ko
        "ώρα", "ώρες",  # el
        "giờ",  # vi
        "ساعة", "ساعات", "ساعتين",  # ar
        "שעה", "שעות",  # he
        "tunti", "tuntia",  # fi
        "oră",  # ro
        "годину", "години", "годин",  # uk
        "घंटा", "घंटे",  # hi
        "ชั่วโมง",  # th
        "hores",  # ca
        "sat", "sata", "sati",  # hr
        "ساعت",  # fa
    ),
    86400: (
        "day", "days",  # en
        "jour", "jours",  # fr
        "día", "días", "dia", "dias",  # es pt
        "tag", "tagen", "tage",  # de
        "giorno", "giorni",  # it
        "dag", "dagen",  # nl
        "dzień", "dni",  # pl
        "день", "дня", "дней",  # ru
        "gün",  # tr
        "dagar", "dage", "dager", "døgn",  # sv da no
        "hari",  # id
        "dnem", "dny",  # cs
        "日", "天", "일",  # ja zh ko
        "ημέρα", "ημέρες", "μέρα", "μέρες",  # el
        "ngày",  # vi
        "يوم", "أيام", "يومين",  # ar
        "יום", "ימים",  # he
        "päivä", "päivää",  # fi
        "zi", "zile",  # ro
        "дні", "днів",  # uk
        "दिन",  # hi
        "วัน",  # th
        "dies",  # ca
        "dan", "dana",  # hr
        "روز",  # fa
    ),
    7 * 86400: (
        "week", "weeks", "wk", "wks",  # en
        "semaine", "semaines",  # fr
        "semana", "semanas",  # es pt
        "woche", "wochen",  # de
        "settimana", "settimane",  # it
        "weken",  # nl
        "tydzień", "tygodnie", "tygodni",  # pl
        "неделю", "недели", "недель",  # ru
        "hafta",  # tr
        "vecka", "veckor", "uge", "uger", "uke", "uker",  # sv da no
        "minggu",  # id
        "týdnem", "týdny",  # cs
        "週間", "周", "週", "주",  # ja zh ko
        "εβδομάδα", "εβδομάδες",  # el
        "tuần",  # vi
        "أسبوع", "أسابيع",  # ar
        "שבוע", "שבועות",  # he
        "viikko", "viikkoa",  # fi
        "săptămână", "săptămâni",  # ro
        "тиждень", "тижні", "тижнів",  # uk
        "हफ्ता", "हफ्ते", "सप्ताह",  # hi
        "สัปดาห์",  # th
        "setmanes",  # ca
        "tjedan", "tjedna", "tjedana",  # hr
        "هفته",  # fa
    ),
    30 * 86400: (
        "month", "months", "mo",  # en
        "mois",  # fr
        "mes", "meses",  # es pt
        "monat", "monaten", "monate",  # de
        "mese", "mesi",  # it
        "maand", "maanden",  # nl
        "miesiąc", "miesiące", "miesięcy",  # pl
        "месяц", "месяца", "месяцев",  # ru
        "ay",  # tr
        "månad", "månader", "måned", "måneder",  # sv da no
        "bulan",  # id
        "měsícem", "měsíci",  # cs
        "か月", "ヶ月", "カ月", "个月", "個月", "개월",  # ja zh ko
        "μήνα", "μήνες",  # el
        "tháng",  # vi
        "شهر", "أشهر", "شهور",  # ar
        "חודש", "חודשים",  # he
        "kuukausi", "kuukautta",  # fi
        "lună", "luni",  # ro
        "місяць", "місяці", "місяців",  # uk
        "महीना", "महीने",  # hi
        "เดือน",  # th
        "mesos",  # ca
        "mjesec", "mjeseca", "mjeseci",  # hr
        "ماه",  # fa
    ),
    365 * 86400: (
        "year", "years", "yr", "yrs",  # en
        "an", "ans",  # fr
        "año", "años", "ano", "anos",  # es pt
        "jahr", "jahren", "jahre",  # de
        "anno", "anni",  # it
        "jaar",  # nl
        "rok", "lata", "lat",  # pl
        "год", "года", "лет",  # ru
        "yıl",  # tr
        "år",  # sv da no
        "tahun",  # id
        "rokem", "lety",  # cs
        "年", "년",  # ja zh ko
        "χρόνο", "χρόνια", "έτος", "έτη",  # el
        "năm",  # vi
        "سنة", "سنوات", "عام", "أعوام",  # ar
        "שנה", "שנים",  # he
        "vuosi", "vuotta",  # fi
        "ani",  # ro
        "рік", "роки", "років",  # uk
        "साल", "वर्ष",  # hi
        "ปี",  # th
        "anys",  # ca
        "godinu", "godine", "godina",  # hr
        "سال",  # fa
    ),
}  # fmt: skip
# Units that say "ago" themselves, as Hungarian's do ("3 órája", "5 perce").
AGO_UNITS: dict[str, int] = {
    "másodperce": 1, "perce": 60, "órája": 3600, "napja": 86400, "hete": 7 * 86400,
    "hónapja": 30 * 86400, "éve": 365 * 86400,
}  # fmt: skip
# Short forms that are a time with no "ago" word: "3h", "45m", "2d", "1 wk", "3 hrs".
COMPACT_UNITS: dict[str, int] = {
    "m": 60, "min": 60, "mins": 60, "h": 3600, "hr": 3600, "hrs": 3600, "d": 86400,
    "w": 7 * 86400, "wk": 7 * 86400, "wks": 7 * 86400, "mo": 30 * 86400,
    "y": 365 * 86400, "yr": 365 * 86400, "yrs": 365 * 86400,
}  # fmt: skip
# The word saying "ago", before the number ("il y a 2 heures") or after the unit
# ("3 hours ago", "3時間前"). Swedish, Danish and Norwegian print a word before the number
# too ("för 3 timmar sedan"), one that alone says no time ("for 3 days").
AGO_BEFORE = (
    "il y a", "hace", "há", "vor", "před", "πριν από", "منذ", "לפני", "acum", "fa", "prije",
)  # fmt: skip
ALSO_BEFORE = ("för", "for")
AGO_AFTER = (
    "ago", "fa", "geleden", "temu", "назад", "önce", "sedan", "siden", "yang lalu", "lalu",
    "trước", "πριν", "sitten", "тому", "ที่แล้ว", "پیش", "前", "전", "पहले",
)  # fmt: skip
# Numbers in words: "three hours ago".
NUMBER_WORDS: dict[str, int] = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "forty-five": 45, "fifty": 50,
}  # fmt: skip
# "one", as the number of a unit: "an hour ago", "il y a une heure", "vor einem Tag".
ONE_WORDS = (
    "a", "an", "one", "un", "une", "una", "uno", "um", "uma", "einer", "einem", "eine", "een",
)  # fmt: skip
# Counts said in words that give no number: the header time is found, but `published`
# stays null rather than a guess ("a few minutes ago", "several hours ago").
VAGUE_COUNTS = ("a few", "few", "several", "a couple of", "some")
# Times of day in words: found as a header time, `published` left null.
VAGUE_NAMED = (
    "this morning", "this afternoon", "this evening", "tonight", "earlier today", "earlier",
)  # fmt: skip
# A stamp word before the time ("Updated 2 hours ago") and a hedge before the number.
STAMP_WORDS = ("updated", "published", "posted", "edited")
HEDGE_WORDS = ("about", "over", "almost", "around", "nearly")
# Relative times said in words, with how long ago each is.
NAMED_TIMES: dict[str, int] = {
    "now": 0,
    "just now": 0,
    "moments ago": 0,
    "half an hour ago": 1800,
    "today": 0,
    "yesterday": 86400,
    "last night": 86400,
    "last week": 7 * 86400,
    "last month": 30 * 86400,
    "last year": 365 * 86400,
}
_UNIT_SECONDS = (
    {word: seconds for seconds, words in UNIT_WORDS.items() for word in words}
    | COMPACT_UNITS
    | AGO_UNITS
)


def _alternatives(words: Iterable[str]) -> str:
    """A regex alternation of words, longest first so "hours" is tried before "hour",
    factored by first character.

    ``h(?:ours|our)`` matches what ``hours|hour`` matches, in the same order of preference,
    but the regex engine tries the rest of a word only after a character that can start it:
    flat, the 600 units were each tried at the start of every short text of a page (a
    third of finding a page's card anchors). Left flat when two first characters match
    each other without regard to case (both groups could match, and their order would
    change the preference).

    >>> _alternatives(["hour", "hours", "il y a", "h"])
    'i(?:l +y +a)|h(?:ours|our|)'
    >>> _alternatives(["Ab", "ac"])
    'Ab|ac'
    """
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    groups: dict[str, list[str]] = {}
    for word in ordered:
        groups.setdefault(word[:1], []).append(_escape_words(word[1:]))
    keys = list(groups)
    firsts = [re.compile(re.escape(c), re.IGNORECASE) for c in keys]
    if "" in groups or any(
        firsts[i].fullmatch(keys[j]) or firsts[j].fullmatch(keys[i])
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
    ):
        return "|".join(_escape_words(w) for w in ordered)
    return "|".join(f"{re.escape(c)}(?:{'|'.join(rest)})" for c, rest in groups.items())


def _escape_words(text: str) -> str:
    """``text`` as a regex, each space matching a run of spaces."""
    return re.escape(text).replace(r"\ ", " +")


_STAMP = rf"(?:(?:{_alternatives(STAMP_WORDS)}):? +)"
_HEDGE = rf"(?:(?:{_alternatives(HEDGE_WORDS)}) +)"
_COUNT = (
    rf"(?:(?P<n>\d{{1,3}})|(?P<word>{_alternatives(NUMBER_WORDS)}) "
    rf"|(?:{_alternatives(ONE_WORDS)}) )"
)
_UNIT = rf"(?P<unit>{_alternatives(_UNIT_SECONDS)})\.?"
_BEFORE = rf"(?:(?:{_alternatives(AGO_BEFORE)}) +)"
_ALSO_BEFORE = rf"(?:(?:{_alternatives(ALSO_BEFORE)}) +)"
_AFTER = rf"(?: *(?:{_alternatives(AGO_AFTER)}))"
# Anything a relative time may be, loosely (the "ago" word optional): what
# :func:`parse_relative` reads. A unit with no number needs its "ago" word ("godzinę temu").
# A second, smaller unit after the first: "1h 20m ago", "2 hours 15 minutes ago".
_AND_UNIT = rf"(?:,? +(?P<n2>\d{{1,3}}) *{_UNIT.replace('<unit>', '<unit2>')})?"
_RELATIVE = re.compile(
    rf"(?i)^{_STAMP}?{_HEDGE}?(?:{_BEFORE}|{_ALSO_BEFORE})?"
    rf"(?:{_COUNT} *{_UNIT}{_AND_UNIT}|{_UNIT.replace('<unit>', '<bare>')}(?={_AFTER}$))"
    rf"{_AFTER}?$"
)


# A relative time that says "ago" in words of its own, the count in figures or "a"/"an"/"une":
# "6 years ago", "il y a 2 heures", "hace 3 horas", "vor 2 Stunden", "2 ore fa", "3 órája"
# ("3 hours" alone is a duration; "Two years ago" alone may be a subhead or a clause).
_AGO_COUNT = rf"(?:\d{{1,3}}|(?:{_alternatives(ONE_WORDS)}) )"
_AGO_UNIT = _UNIT.replace("?P<unit>", "?:")
_AGE = re.compile(
    rf"^{_HEDGE}?(?:{_BEFORE}{_HEDGE}?{_AGO_COUNT} *{_AGO_UNIT}{_AFTER}?"
    rf"|{_AGO_COUNT} *{_AGO_UNIT}{_AFTER}|\d{{1,3}} *(?:{_alternatives(AGO_UNITS)}))\.?$",
    re.IGNORECASE,
)


def says_age(text: str) -> bool:
    """Whether ``text`` is only a relative time with its "ago" word, in any language read.

    >>> [says_age(t) for t in ("3 hours ago", "il y a 2 heures", "hace 3 horas", "vor 2 Stunden")]
    [True, True, True, True]
    >>> [says_age(t) for t in ("an hour ago", "2 ore fa", "3 órája", "Il y a 2 heures.")]
    [True, True, True, True]
    >>> [says_age(t) for t in ("3 hours", "Two years ago", "3h", "Il y a deux ans, il partait")]
    [False, False, False, False]
    """
    # the longest ("il y a environ 12 heures") is far shorter: most lines skip the pattern
    return len(text) <= 48 and _AGE.match(" ".join(text.split())) is not None


def relative_patterns() -> tuple[str, ...]:
    """The `[header] published` patterns for relative times, from the tables above.

    A unit in words needs its "ago" word, before or after, or a stamp word ("3 hours" alone
    is a duration); a compact unit stands alone ("3h", "45m").

    >>> pats = [re.compile(p) for p in relative_patterns()]
    >>> [any(p.match(t) for p in pats) for t in ("3 hours ago", "3 hours", "3h", "3時間前")]
    [True, False, True, True]
    >>> [any(p.match(t) for p in pats) for t in ("il y a 2 heures", "för 3 timmar sedan")]
    [True, True]
    >>> [any(p.match(t) for p in pats) for t in ("Updated 2 hrs", "Yesterday", "3 miles ago")]
    [True, True, False]
    """
    and_unit = re.sub(r"\?P<\w+>", "?:", _AND_UNIT)
    unit = _UNIT.replace("?P<unit>", "?:")
    count = re.sub(r"\?P<\w+>", "?:", _COUNT)[:-1] + f"|(?:{_alternatives(VAGUE_COUNTS)}) )"
    compact = _alternatives(COMPACT_UNITS)
    return (
        rf"(?i)^{_HEDGE}?{_ALSO_BEFORE}?(?:{count} *{unit}{and_unit}|{unit}){_AFTER}$",
        rf"(?i)^{_BEFORE}{_HEDGE}?{count} *{unit}{and_unit}{_AFTER}?$",
        rf"(?i)^{_STAMP}{_HEDGE}?{count} *{unit}{and_unit}{_AFTER}?$",
        rf"(?i)^\d{{1,3}} ?(?:{compact})(?: \d{{1,2}} ?(?:{compact}))?(?: +ago)?$",
        rf"(?i)^{_HEDGE}?\d{{1,3}} *(?:{_alternatives(AGO_UNITS)})$",
        rf"(?i)^(?:{_alternatives([*NAMED_TIMES, *VAGUE_NAMED])})$",
    )


def parse_relative(text: str) -> timedelta | None:
    """How long ago a relative time says, or None if it is not one.

    >>> parse_relative("an hour ago")
    datetime.timedelta(seconds=3600)
    >>> parse_relative("3 days ago")
    datetime.timedelta(days=3)
    >>> parse_relative("yesterday")
    datetime.timedelta(days=1)
    >>> parse_relative("at noon") is None
    True
    >>> parse_relative("3h"), parse_relative("Updated 2 hrs ago")
    (datetime.timedelta(seconds=10800), datetime.timedelta(seconds=7200))
    >>> parse_relative("il y a 2 heures"), parse_relative("vor einem Tag")
    (datetime.timedelta(seconds=7200), datetime.timedelta(days=1))
    >>> parse_relative("3 miles") is None, parse_relative("Apr 19, 2024") is None
    (True, True)
    """
    s = " ".join(text.split()).lower()
    if s in NAMED_TIMES:
        return timedelta(seconds=NAMED_TIMES[s])
    m = _RELATIVE.match(s)
    if not m:
        return None
    n = int(m["n"]) if m["n"] else NUMBER_WORDS[m["word"].lower()] if m["word"] else 1
    seconds = n * _UNIT_SECONDS[(m["unit"] or m["bare"]).lower()]
    if m["n2"]:
        seconds += int(m["n2"]) * _UNIT_SECONDS[m["unit2"].lower()]
    return timedelta(seconds=seconds)


# Every story of a dump shares the scrape time, and a handful of relative times ("2 hours
# ago") cover most stories: parsing and strftime once per distinct pair, not per story.
@functools.lru_cache(maxsize=1024)
def resolve_published(text: str | None, scraped_at: datetime | None) -> str | None:
    """Absolute ISO-8601 UTC time for a relative time, measured back from the scrape time.

    >>> resolve_published("2 hours ago", datetime(2025, 8, 15, 12, 0, tzinfo=UTC))
    '2025-08-15T10:00:00Z'
    >>> resolve_published("2 hours ago", None) is None
    True
    """
    if text is None or scraped_at is None:
        return None
    delta = parse_relative(text)
    if delta is None:
        return None
    try:
        return format_utc(scraped_at - delta)
    except OverflowError:  # before year 1: no such time
        return None


def format_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z, to the second.

    >>> format_utc(datetime(2025, 1, 2, 3, 4, 5, 678, tzinfo=UTC))
    '2025-01-02T03:04:05Z'
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime | None:
    """An ISO-8601 time as written (``Z`` for UTC accepted; naive when it names no offset),
    or None when it is not one. The one parser of absolute times: callers decide what a
    naive time means.

    >>> parse_iso("2025-08-15T12:00:00Z")
    datetime.datetime(2025, 8, 15, 12, 0, tzinfo=datetime.timezone.utc)
    >>> parse_iso("2025-08-15"), parse_iso("2 hours ago")
    (datetime.datetime(2025, 8, 15, 0, 0), None)
    """
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment.astimezone(UTC)  # 9999-12-31T23:59:59-14:00 is past year 9999 in UTC
    except (ValueError, OverflowError):
        return None
    return moment


def parse_utc(text: str) -> datetime | None:
    """:func:`parse_iso`, a naive time taken as UTC (scrape times from users and records).

    >>> parse_utc("2025-08-15T12:00:00")
    datetime.datetime(2025, 8, 15, 12, 0, tzinfo=datetime.timezone.utc)
    """
    moment = parse_iso(text)
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
