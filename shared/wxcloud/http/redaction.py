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
* ``guard_library_records`` and ``scrub_tracker_event``: urllib3 logs each request line, query
  string included, at DEBUG, and the whole URL in a WARNING when a server's headers cannot be
  parsed (``urllib3.connection``, with the exception attached); sentry-sdk's stdlib integration
  records each request's query string (unsanitised) in a breadcrumb and sends the last hundred
  with every later event. Every record of the urllib3, requests and charset_normalizer logger
  hierarchies, at every level, is masked where it is made (the log record factory: a logger's
  filter sees only its own records, not its children's, nor those of modules imported later), and
  a global sentry event processor masks the token in breadcrumbs. A secret no pattern finds (a
  webhook's key in its URL's path) is masked there too once its sender names it
  (``conceal_everywhere``).
"""

from __future__ import annotations

import html
import json
import logging
import re
import sys
import threading
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


_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def quotes(body: bytes, secrets: Iterable[Sealed[str]], *, text: bool = True) -> bool:
    """Whether ``body`` holds a secret, in one of its encodings or (``text``) spelt with JSON escapes
    or HTML character references: the exact answer where ``appears_in`` answers "maybe". A binary
    reply needs it: an image holds every byte, backslashes and ``&#`` included, and quotes no token.
    ``text=False`` (an image, audio, video): the encodings' bytes alone, no decoding of the body,
    so a large image costs a few byte searches."""
    known = [sealed for sealed in secrets if sealed.reveal()]
    if not known:
        return False
    if not text:
        return any(form.encode("utf-8") in body for sealed in known for form in encodings(sealed.reveal()))
    if not appears_in(body, known):
        return False
    decoded = body.decode("utf-8", errors="replace")
    readings = [decoded]
    if "\\u" in decoded:
        readings.append(_JSON_ESCAPE.sub(lambda found: chr(int(found.group(1), 16)), decoded))
    if "&" in decoded:
        readings.append(html.unescape(decoded))
    return any(form in reading for sealed in known for form in encodings(sealed.reveal()) for reading in readings)


# The libraries under the transport whose records may quote a request's URL.
GUARDED_LOGGERS = ("urllib3", "requests", "charset_normalizer")


def _guarded(name: object) -> bool:
    """Whether a record's logger is one of the guarded hierarchies (``makeLogRecord`` makes records
    without a name: they are nobody's)."""
    return isinstance(name, str) and name.partition(".")[0] in GUARDED_LOGGERS


# Secrets that no pattern of ``redact`` finds where a library or a tracker shows a URL (a webhook's
# key in its path), as their senders named them: masked by value, with the patterns, in library
# records and tracker breadcrumbs. The last ``_CONCEALED_LIMIT`` named are kept, and with them
# every encoding of each, longest first, worked out once (records are many); both replaced whole
# under the lock, so a reader on any thread sees one state or the other.
_concealed: tuple[Sealed[str], ...] = ()
_concealed_forms: Sealed[tuple[str, ...]] = Sealed(())
_concealed_lock = threading.Lock()
_CONCEALED_LIMIT = 64


def conceal_everywhere(secrets: Iterable[Sealed[str]]) -> None:
    """Mask ``secrets`` (by value, in every encoding) in every record of the guarded libraries and
    every breadcrumb from now on, not only where a pattern finds them. For a few long-lived
    secrets that travel where no pattern looks; not for tokens that change by the hour."""
    global _concealed, _concealed_forms
    with _concealed_lock:
        known = {sealed.reveal() for sealed in _concealed}
        new = tuple(sealed for sealed in secrets if sealed.reveal() and sealed.reveal() not in known)
        if new:
            _concealed = (*new, *_concealed)[:_CONCEALED_LIMIT]
            forms = {form for sealed in _concealed for form in encodings(sealed.reveal())}
            _concealed_forms = Sealed(tuple(sorted(forms, key=len, reverse=True)))


def _cleaned(text: str) -> str:
    """``redact``, after the secrets named to ``conceal_everywhere`` are masked."""
    for form in _concealed_forms.reveal():
        if form in text:
            text = text.replace(form, MASK)
    return redact(text)


def mask_record(record: logging.LogRecord) -> None:
    """Mask the secrets in a record: its message (formatted now, arguments and all) and its
    exception, whose text is kept masked and whose object is dropped (an error tracker would
    record the object's message, and the frames' variables, URL and all)."""
    try:
        message = record.getMessage()
    except Exception:  # arguments that do not fit the message: logging would report it; keep its text
        message = str(record.msg)
    cleaned = _cleaned(message)
    if cleaned != message or record.args:
        record.msg, record.args = cleaned, None
    if record.exc_info:
        record.exc_text = _cleaned(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None


def guard_library_records() -> None:
    """Mask every record of the ``GUARDED_LOGGERS`` hierarchies, at every level, as it is made:
    whichever of their loggers made it, imported now or later, and before any handler, filter or
    error tracker sees it. Installed once, chained to whatever record factory was there."""
    global _guard_installed
    if _guard_installed:
        return
    previous = logging.getLogRecordFactory()

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _guarded(record.name):
            mask_record(record)
        return record

    logging.setLogRecordFactory(make)
    _guard_installed = True


_guard_installed = False
guard_library_records()

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
    """A sentry event processor: ``redact`` the URL fields of breadcrumbs and spans (and mask the
    secrets named to ``conceal_everywhere``)."""
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
            fields[key] = _cleaned(value)
