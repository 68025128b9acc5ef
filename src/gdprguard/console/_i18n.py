"""English and Japanese: the language of a page, and its messages.

The language is the one the user chose with the switch (a cookie), else the best match of the
browser's ``Accept-Language``, else English. Messages are looked up by key in the catalogues of
``_messages``; a key missing from Japanese falls back to English (a test keeps them complete).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._messages import CATALOGUES

__all__ = ["LANGUAGES", "LANG_COOKIE", "Translator", "choose_language", "translator"]

LANGUAGES = ("en", "ja")
LANG_COOKIE = "gg_lang"

Translator = Callable[..., str]


def choose_language(cookie: str | None, accept: Any) -> str:
    """The page language: the cookie's choice, else the browser's best match, else English.

    *accept* is Werkzeug's ``request.accept_languages``.
    """
    if cookie in LANGUAGES:
        return str(cookie)
    best = accept.best_match(LANGUAGES) if accept is not None else None
    return str(best) if best in LANGUAGES else "en"


def translator(lang: str) -> Translator:
    """``t(key, **values)``: the message *key* in *lang*, with ``{name}`` fields filled in."""
    catalogue = CATALOGUES.get(lang, CATALOGUES["en"])
    fallback = CATALOGUES["en"]

    def t(key: str, **values: Any) -> str:
        text = catalogue.get(key) or fallback.get(key)
        if text is None:  # a value no catalogue names yet: shown as the engines wrote it
            return key.split(".", 1)[-1]
        return text.format(**values) if values else text

    return t
