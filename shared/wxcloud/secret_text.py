"""What the text of a secret read from configuration may hold, checked where it is read.

A secret reaches us as a ``str`` from the environment (whose bytes Python decodes with
``surrogateescape``: bytes that are not UTF-8 become lone surrogates), from SSM (a JSON answer, whose
``\\ud800`` escapes become lone surrogates too) or from JSON configuration (``WX_ARCHIVE_APPS``). A
lone surrogate cannot be encoded to send, to fingerprint or to mask: it fails deep in the call path
with a ``UnicodeEncodeError`` whose frames and text hold the secret. A control character in an
appsecret or a key is never part of a real one (WeChat's appsecrets are 32 hex digits), and a
header value may carry printable ASCII only. So each is refused where the secret is read, as a
``ConfigurationError`` naming the setting and never showing the value.

Each function here returns what is wrong (words safe to show) or None, and never raises: its frame
holds the secret.
"""

from __future__ import annotations

import re

__all__ = ["NOT_TEXT", "header_problem", "is_text", "secret_problem"]

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_HEADER_VALUE = re.compile("[\x21-\x7e]+(?: [\x21-\x7e]+)*")

NOT_TEXT = (
    "is not UTF-8 text (it holds bytes that are not UTF-8, or half of a character escaped alone, such as \\ud800)"
)


def is_text(value: str) -> bool:
    """Whether ``value`` can be encoded as UTF-8: it holds no lone surrogate."""
    return _SURROGATE.search(value) is None


def secret_problem(value: str) -> str | None:
    """What makes ``value`` unusable as an appsecret or a key, or None."""
    if not is_text(value):
        return NOT_TEXT
    if _CONTROL.search(value) is not None:
        return "holds a control character (a line break, a tab, NUL...)"
    return None


def header_problem(value: str) -> str | None:
    """What makes ``value`` unusable in an HTTP header (``Authorization: Bearer <value>``), or None."""
    problem = secret_problem(value)
    if problem is not None:
        return problem
    if _HEADER_VALUE.fullmatch(value) is None:
        return "holds a character an HTTP header cannot carry (only printable ASCII)"
    return None
