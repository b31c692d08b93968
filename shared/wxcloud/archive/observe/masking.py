"""Masking a text that came from elsewhere before it is shown: each of the webhook's secret parts
in every encoding, anything shaped like a token or a URL's password, and then the text made plain
for WeCom's markdown (``markdown_text``). The alert's words (``alert_message.py``) and the
webhook's log lines (``webhook.py``) both show such texts, and mask them here alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ...http.redaction import MASK, Sealed, encodings, redact

__all__ = ["SHORT", "SHOWN_MASK", "Conceal", "by_value", "clean", "markdown_text", "masked"]

Conceal = Sequence[Sealed[str]]

# A part of the webhook shorter than this is masked only where it stands alone (see masked).
SHORT = 4

# Texts we did not write may hold a token or a secret: anything shaped like one (32 or more
# token characters with both letters and digits: WeChat's access tokens, an appsecret, a UUID
# webhook key) is masked, as is the password of a URL (``scheme://user:password@``).
_TOKEN_LIKE = re.compile(
    r"(?<![A-Za-z0-9_\-])(?=[A-Za-z0-9_\-]*[0-9])(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{32,}(?![A-Za-z0-9_\-])"
)
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]+@")


# What each character WeCom's markdown gives a meaning becomes in a text from elsewhere: its
# full-width look-alike (shown as text; WeCom documents no escape). ``&`` too: an entity such as
# ``&lt;`` would spell a ``<``. ``~`` and ``|`` (strike-through, tables) for renderers that have them.
_MARKDOWN = str.maketrans(
    {
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "#": "＃",
        ">": "＞",
        "<": "＜",
        "&": "＆",
        "\\": "＼",
        "~": "～",
        "|": "｜",
    }
)
_SCHEME_SEPARATOR = re.compile(r":(?=//)")  # "https://..." would become a link: "https：//..." stays text
SHOWN_MASK = MASK.translate(_MARKDOWN)  # a mask put in the message after it was made plain text


def markdown_text(text: str) -> str:
    """``text`` as plain text inside a WeCom markdown message: one line (every run of white space,
    line breaks included, one space), control and format characters dropped (a lone surrogate,
    which no UTF-8 body can carry, shown as U+FFFD), each character markdown gives a meaning its
    full-width look-alike, and ``://`` broken so no URL becomes a link. Every text that did not
    come from this module goes through it, and nothing else does the same job."""
    kept = []
    for char in " ".join(text.split()):
        kind = unicodedata.category(char)
        if kind == "Cs":
            kept.append("\ufffd")
        elif kind not in ("Cc", "Cf"):
            kept.append(char)
    return _SCHEME_SEPARATOR.sub("：", "".join(kept).translate(_MARKDOWN))


def clean(text: str, limit: int, conceal: Conceal = ()) -> str:
    """A text from elsewhere, fit for one line of a log: ``conceal`` and anything shaped like a
    secret masked, then one line of at most ``limit`` characters (masked first: a cut never
    leaves the first half of a secret)."""
    text = masked(text, conceal)
    text = _TOKEN_LIKE.sub(MASK, _URL_PASSWORD.sub(r"\1" + MASK + "@", text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def masked(text: str, secrets: Conceal) -> str:
    """``text`` from elsewhere with each of ``secrets`` masked in each of its encodings, and
    anything ``redaction`` finds by pattern (a ``key=...``). A part shorter than ``SHORT``
    characters is masked only where it stands alone, not inside a word: a key that short is no
    real WeCom key, yet still the key, and masked inside every word it would leave no text."""
    text = by_value(text, [sealed for sealed in secrets if len(sealed.reveal()) >= SHORT], MASK)
    for sealed in secrets:
        if len(sealed.reveal()) < SHORT:
            text = _standalone(text, sealed)
    return redact(text)


def by_value(text: str, secrets: Conceal, shown: str) -> str:
    """``text`` with every encoding of each of ``secrets`` (``redaction.encodings``) as ``shown``.
    Holds each encoding revealed, so it never raises: on a failure nothing of ``text`` is kept."""
    try:
        for sealed in secrets:
            for form in encodings(sealed.reveal()):
                if form in text:
                    text = text.replace(form, shown)
        return text
    except Exception:
        return shown


def _standalone(text: str, sealed: Sealed[str]) -> str:
    """``text`` with ``sealed``'s encodings masked where no letter or digit touches them. Holds the
    value revealed, so it never raises: on a failure nothing of ``text`` is kept."""
    try:
        forms = "|".join(re.escape(form) for form in encodings(sealed.reveal()))
        return re.sub(rf"(?<!\w)(?:{forms})(?!\w)", MASK, text) if forms else text
    except Exception:
        return MASK
