"""Keeping the appsecret and access tokens out of everything that records: texts, logs, error
trackers.

Three tools, each for a way a secret escapes:

* ``Sealed``: a secret value that prints as ``<sealed>``. Error trackers (sentry-sdk by default,
  with ``include_local_variables``) record ``repr()`` of every local variable and argument of every
  frame between where an exception is caught and where it was raised, for the exception and for
  each one it chains from. So on the call path a secret never sits in a plain ``str``/``bytes``
  variable: it travels sealed (the token request's body, the token going into a query string) and
  is revealed only inside a frame that returns normally, so no traceback ever holds that frame.
* ``redact`` / ``mask``: texts we did not write (exception messages that quote a URL, pages that
  echo the request) get ``access_token``/``secret`` values masked by pattern, and the secrets we
  know masked by value, in every encoding a server or library might have applied.
* ``RedactingFilter`` and ``scrub_tracker_event``: urllib3 logs each request line, query string
  included, at DEBUG; sentry-sdk's stdlib integration records each request's query string
  (unsanitised) in a breadcrumb and sends the last hundred with every later event. The filter and
  a global sentry event processor mask the token there.
"""

from __future__ import annotations

import html
import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import Any, Generic, TypeVar
from urllib.parse import quote, quote_plus

T = TypeVar("T")

MASK = "***"

# ``key``: a WeCom group robot's webhook (the archive's alerts) is authorised by its key alone.
_SECRET_IN_QUERY = re.compile(r"((?:access_token|secret|appsecret|key)=)[^&\s'\"<>)]+", re.IGNORECASE)
_PLAIN = re.compile(r"[A-Za-z0-9._~\-]+")
_SECRET_IN_JSON = re.compile(r'("(?:access_token|secret|appsecret)"\s*:\s*")(?:[^"\\]|\\.)*"', re.IGNORECASE)


class Sealed(Generic[T]):
    """A secret that shows as ``<sealed>`` in any repr, str, log or error tracker's frame dump.
    ``reveal()`` it only in a frame that cannot be on an exception's traceback (one that returns
    normally), and never keep the revealed value in a variable of a frame that might raise."""

    __slots__ = ("_value",)

    def __init__(self, value: T) -> None:
        self._value = value

    def reveal(self) -> T:
        return self._value

    def __repr__(self) -> str:
        return "<sealed>"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a sealed secret is not serialised")


def redact(text: str) -> str:
    """Mask every ``access_token``/``secret`` value in a text (and a webhook's ``key``): in query
    strings (URLs inside exception messages, proxy pages) and in JSON (a token endpoint's reply)."""
    return _SECRET_IN_JSON.sub(r'\1***"', _SECRET_IN_QUERY.sub(r"\1***", text))


def encodings(secret: str) -> list[str]:
    """The forms a secret takes when a server or library re-encodes it: raw, percent-encoded (as
    we send a token, and as ``quote``/``quote_plus`` would), HTML-escaped, JSON-escaped. Longest
    first, so a form containing another is masked whole."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        html.escape(secret),
        html.escape(secret, quote=False),
        html.escape(quote(secret, safe="")),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        "".join(f"&#{ord(c)};" for c in secret),
    }
    return sorted((f for f in forms if f), key=len, reverse=True)


def mask(text: str, secrets: Iterable[Sealed[str]]) -> str:
    """``text`` with every known secret masked in each of its encodings, then ``redact``ed."""
    for sealed in secrets:
        secret = sealed.reveal()
        if secret:
            for form in encodings(secret):
                if form in text:
                    text = text.replace(form, MASK)
    return redact(text)


def appears_in(body: bytes, secrets: Iterable[Sealed[str]]) -> bool:
    """Whether any secret may be in ``body``: one of its encodings as bytes, or any JSON escape
    (``\\u0041``...) or HTML character reference (``&#65;``), which could spell it without its
    bytes appearing. A fast pre-check for the common case, a reply that holds none of them: for a
    plain secret (letters, digits, ``-._~``) every encoding is the raw text, so one search does."""
    if b"\\" in body or b"&#" in body:
        return True
    for sealed in secrets:
        secret = sealed.reveal()
        if not secret:
            continue
        if _PLAIN.fullmatch(secret):
            if secret.encode("ascii") in body:
                return True
        elif any(form.encode("utf-8") in body for form in encodings(secret)):
            return True
    return False


class RedactingFilter(logging.Filter):
    """urllib3 logs every request line, query string included, at DEBUG level: with this filter
    on its loggers, the token is masked even when a user turns DEBUG logging on."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_REDACTING_FILTER = RedactingFilter()
for _name in ("urllib3.connectionpool", "urllib3.util.retry", "requests"):
    logging.getLogger(_name).addFilter(_REDACTING_FILTER)

_URL_FIELDS = ("http.query", "url", "url.full", "url.query", "http.url", "message", "description")
_tracker_hooked = False


def hook_error_tracker() -> None:
    """When sentry-sdk is loaded, mask tokens in the request URLs it records (breadcrumbs and span
    data) before any event leaves the process. Without importing it: a process that does not use
    sentry pays nothing. Call again at any time; it installs once."""
    global _tracker_hooked
    if _tracker_hooked:
        return
    sentry_scope = sys.modules.get("sentry_sdk.scope")
    if sentry_scope is None:
        return
    add = getattr(sentry_scope, "add_global_event_processor", None)
    if add is None:
        return
    add(scrub_tracker_event)
    _tracker_hooked = True


def scrub_tracker_event(event: dict[str, Any], hint: Any) -> dict[str, Any]:
    """A sentry event processor: ``redact`` the URL fields of breadcrumbs and spans."""
    crumbs = event.get("breadcrumbs")
    values = crumbs.get("values") if isinstance(crumbs, dict) else crumbs
    for item in [*(values if isinstance(values, list) else []), *(event.get("spans") or [])]:
        if isinstance(item, dict):
            _scrub_fields(item)
            for key in ("data", "attributes"):
                if isinstance(item.get(key), dict):
                    _scrub_fields(item[key])
    return event


def _scrub_fields(fields: dict[str, Any]) -> None:
    for key in _URL_FIELDS:
        value = fields.get(key)
        if isinstance(value, str):
            fields[key] = redact(value)
