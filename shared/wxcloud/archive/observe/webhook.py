"""The WeCom group robot's webhook: its secret parts, and one POST of a message to it.

The webhook's ``key`` is a secret (anyone holding the URL can post to the group): the URL travels
``Sealed`` and is revealed only inside frames that return normally, logs name its host alone, and
the transport masks it in anything it quotes; a message quoting it is masked for it (its parts, in
each encoding a server or library applies) before it is sent. Never raises: every failure is one
WARNING, so an alert that fails never fails the run.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit

from ...errors import WxCloudError
from ...http.redaction import Sealed, conceal_everywhere
from ...http.timeouts import Timeouts
from ...http.transport import Transport
from .masking import SHORT, SHOWN_MASK, Conceal, by_value, clean, markdown_text, masked

logger = logging.getLogger("wxcloud")

_CONNECT_TIMEOUT = 2.0
_REPLY_LIMIT = 64 * 1024  # WeCom answers {"errcode":0,"errmsg":"ok"}
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def masked_message(message: str, secrets: Conceal) -> str:
    """A message (its texts from elsewhere already masked and made plain text) masked again for
    ``secrets`` of ``SHORT`` characters or more, each mask itself plain text (``＊＊＊``: an
    ASCII ``***`` would be markdown). No patterns, nor short parts: they would match the message's
    own words and markup, and its texts from elsewhere had both when they were put in."""
    return by_value(message, [sealed for sealed in secrets if len(sealed.reveal()) >= SHORT], SHOWN_MASK)


def _secret_parts(path: str, query: str) -> tuple[tuple[Sealed[str], ...], tuple[Sealed[str], ...]]:
    """What of a webhook URL is secret, in each form a server or library may give it back; and
    which of those library records and tracker breadcrumbs must mask too (``conceal_everywhere``),
    where ``redaction``'s pattern masks ``key=...`` already.

    Secret: the query whole, every value of the query of 4 characters or more, each ``key`` value
    of any length, and the path whole when a key is in it too (WeCom's key is in the query alone; a
    gateway's URL may repeat it in the path); each raw (as configured: ``%2f`` stays lower case),
    decoded (``+`` a space or a plus), with its percent escapes in upper and in lower case, and as
    ``markdown_text`` shows it (a message is made plain text before it is masked again). Masked
    everywhere: the values of 4 characters or more, and the path when it holds a shorter key
    alone. Called by ``split_webhook`` only, which never raises."""
    values: set[str] = set()
    for piece in re.split("[&;]", query):
        name, _, value = piece.partition("=")
        values |= {
            form
            for form in (value, unquote(value), unquote_plus(value))
            if len(form) >= SHORT or (name.lower() == "key" and form)
        }
    in_path = [value for value in values if value.lower() in path.lower()]
    wholes = {query, path} if in_path else {query}
    long_values = {value for value in values if len(value) >= SHORT}
    everywhere = long_values | ({path} if in_path and not long_values & set(in_path) else set())
    return _sealed_forms(values | wholes), _sealed_forms(everywhere)


def _sealed_forms(parts: set[str]) -> tuple[Sealed[str], ...]:
    """``parts`` with their percent escapes in upper and in lower case and as ``markdown_text``
    shows them, sealed, longest first (a form holding another is masked whole)."""
    cased = set()
    for part in parts:
        for form in (part, quote(part, safe=""), quote_plus(part, safe="")):
            if "%" in form:
                cased |= {
                    _PERCENT.sub(lambda m: m.group().upper(), form),
                    _PERCENT.sub(lambda m: m.group().lower(), form),
                }
    found = parts | cased
    found |= {markdown_text(part) for part in found}
    return tuple(Sealed(part) for part in sorted(found, key=len, reverse=True) if part)


@dataclass(frozen=True)
class Target:
    """A webhook split for the transport: its path and query sealed (either may hold the key)."""

    base: str  # scheme://host[:port]
    path: Sealed[str]
    query: Sealed[str]
    host: str  # for logs: never more than this
    secrets: tuple[Sealed[str], ...]  # its secret parts (_secret_parts), masked wherever they could show
    everywhere: tuple[
        Sealed[str], ...
    ]  # those a library's record or a tracker's breadcrumb could show, past redaction's pattern


def split_webhook(webhook: Sealed[str]) -> Target | None:
    """The webhook's parts. Reveals the URL, so it never raises: no traceback holds this frame."""
    try:
        parts = urlsplit(webhook.reveal())
        netloc = parts.netloc.rpartition("@")[2]
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            return None
        base = f"{parts.scheme}://{netloc}"
        secrets, everywhere = _secret_parts(parts.path, parts.query)
        return Target(base, Sealed(parts.path or "/"), Sealed(parts.query), base, secrets, everywhere)
    except Exception:  # not a URL, or a bug of ours: the alert is lost, not the run
        return None


# ---- the post ------------------------------------------------------------------------------------


def post(webhook: Sealed[str], message: str, *, timeout: float) -> bool:
    """POST ``message`` to a WeCom group robot as markdown; whether WeCom took it (errcode 0).

    Never raises: a refused connection, a timeout, an HTTP error, a non-zero errcode each log one
    WARNING naming the host and what went wrong (never the URL's path or query, which hold the
    key) and return False. The whole exchange ends within ``timeout`` seconds of wall clock,
    whatever the server does. A message that quotes the webhook does not post its key."""
    target = split_webhook(webhook)
    if target is None:
        logger.warning("archive alert not sent: the webhook is not a usable URL")
        return False
    message = masked_message(message, target.secrets)  # from here on, no frame holds the caller's text unmasked
    return deliver(target, message, timeout)


def deliver(target: Target, message: str, timeout: float) -> bool:
    """``post`` to a split webhook, ``message`` already masked."""
    if timeout <= 0:
        logger.warning("archive alert not sent to %s: no time left", target.host)
        return False
    try:
        problem = _exchange(target, message, timeout)
    except Exception as exc:  # a bug of ours or of a library: the alert is lost, the run goes on
        problem = f"unexpected {type(exc).__name__}"
    if problem is None:
        return True
    logger.warning("archive alert not delivered to %s: %s", target.host, masked(problem, target.secrets))
    return False


def _exchange(target: Target, message: str, timeout: float) -> str | None:
    """One POST; None when WeCom took the message, else what went wrong, as words safe to log."""
    content = masked_message(
        message, target.secrets
    )  # an error text that quoted the webhook does not post its key to the group
    body = json.dumps({"msgtype": "markdown", "markdown": {"content": content}}, ensure_ascii=False).encode("utf-8")
    # connect + read == timeout: the socket timeouts and the wall-clock limit (the watchdog's) agree
    connect = min(_CONNECT_TIMEOUT, timeout * 0.3)
    conceal_everywhere(
        target.everywhere
    )  # urllib3's request line and sentry's breadcrumbs show the path, which no pattern masks
    transport = Transport(target.base, Timeouts(connect=connect, read=timeout - connect))
    try:
        reply = transport.post(
            target.path, body, query=target.query, conceal=target.secrets, timeout=timeout, limit=_REPLY_LIMIT
        )
    except WxCloudError as exc:  # the transport's errors name the host and the failure's class, never the URL
        return f"{type(exc).__name__}: {exc.reason}"
    finally:
        transport.close()
    if reply.status != 200:
        return f"HTTP {reply.status}"
    return _verdict(reply.body, target.secrets)


def _verdict(body: bytes, secrets: Conceal) -> str | None:
    """What WeCom's reply says: None for errcode 0, else its errcode and errmsg, masked (a reply
    may echo the key, even spelled in JSON escapes). Holds the reply as it came, so it returns,
    never raises: no frame of it is kept by a traceback."""
    try:
        try:
            answer = json.loads(body)
        except (ValueError, RecursionError):
            return "the reply is not JSON"
        errcode = answer.get("errcode") if isinstance(answer, dict) else None
        if errcode == 0 and not isinstance(errcode, bool):
            return None
        errmsg = answer.get("errmsg") if isinstance(answer, dict) else None
        shown_code = clean(repr(errcode), 40, secrets)
        return f"errcode {shown_code}: {clean(str(errmsg), 120, secrets)}" if errmsg else f"errcode {shown_code}"
    except Exception as exc:
        return f"the reply could not be read (unexpected {type(exc).__name__})"
