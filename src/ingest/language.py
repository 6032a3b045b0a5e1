"""Language identification with py3langid (its model ships in the wheel: no download)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _identifier() -> Any:
    # Imported on first use: loading the model costs ~0.7 s, which a run that never needs it
    # (a CLI --help, a rules check) should not pay.
    import py3langid

    return py3langid


def detect_language(text: str, min_words: int = 8) -> str | None:
    """ISO 639-1 code of the text's language, or None when it is too short to tell.

    >>> detect_language("The government said on Monday that the talks would resume next week.")
    'en'
    >>> detect_language("Too short") is None
    True
    """
    if len(text.split()) < min_words:
        return None
    # 600 characters decide the language as well as the whole story, at a fraction of the cost.
    lang, _ = _identifier().classify(text[:600])
    return str(lang)
