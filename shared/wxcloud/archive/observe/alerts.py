"""An archive run that needs attention, told where the team already looks: a WeCom group robot.

Why: the archive runs unattended once a day, and a run that failed or left work behind says so
only in its return value and one log line, which nobody reads until a report is found missing
weeks later. Most problems want a person (a Mini Program not authorised for an API, a database
that moved, a time limit too short for the backlog) and each day unseen is a day of history that
WeChat stops keeping. So a run that needs attention posts one short markdown message to the
team's group chat, naming each affected report, what happened, the first error and what to do.
Healthy runs post nothing, nor does a period WeChat has not computed yet (the next run gets it):
an alert channel that talks every day is muted within a week.

What it must never do: fail the run or eat its time budget (a post is bounded by wall clock, a
few seconds at most, and every failure is one WARNING, never an exception), or leak a secret. The
webhook's ``key`` is one (anyone holding the URL can post to the group): the URL travels
``Sealed`` and is revealed only inside frames that return normally, logs name its host alone, and
the transport masks it in anything it quotes. Error texts in the message come from WeChat, the
database driver or the SDK, so they are masked for tokens and credentials before they are sent,
and for the webhook's own key (its parts, in each encoding a server or library applies: percent
escapes in either case, ``+`` for a space, JSON escapes) before anything holds them: the message
is written only once the key is known, and a reply is read by a frame that returns nothing but
its masked words. A key repeated in the URL's path is sealed like the query, and named to
``redaction.conceal_everywhere`` so urllib3's request line and a tracker's breadcrumbs mask it.

The settings are the alerts' own (``AlertSettings``, read apart from the rest of the archive's),
so a run that fails on its configuration still tells the team, naming the apps the environment
names when the run failed before it knew them (an unreachable database).

Every text from elsewhere (an appid, a report's name, an error, a day) goes through one function,
``markdown_text``, before it is put in the message: WeCom's markdown gives ``*``, ``_``, a
backtick, ``[``, ``]``, ``(``, ``)``, ``#``, ``>``, ``<`` (``<font>``, ``<@mention>``) and line
breaks a meaning, and it documents no escape (a backslash shows as itself). So each of those
becomes its full-width look-alike, which WeCom shows as text, a line break a space, and control
and format characters (bidirectional overrides, zero-width ones) are dropped: a hostile appid or
error text reads as what it is and cannot bold, link, colour, mention or add a line.

What it does not hand-write: the HTTP exchange is the project's ``Transport`` (requests with a
connection pool, proxies from the environment, no redirects, and a wall-clock limit enforced by
the watchdog, which cuts a server that trickles bytes, something requests' own per-read timeout
cannot do), the SSM read is ``secrets.read_source``, and the masking is ``redaction``'s (its
patterns and its list of a secret's encodings; only the webhook's parts, and where a part too
short to mask inside words stands alone, are worked out here). A WeCom client library would
bring a dependency for one POST of one JSON object, and none bounds the exchange by wall clock,
nor makes a text plain for WeCom's markdown. What is written here is only what no library
knows: which outcomes of a run deserve a message, what to advise for each, and how WeCom shows
a text.
"""

from __future__ import annotations

import json
import logging
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit

from ...deadline import Deadline
from ...errcodes import INVALID_PARAM, JS_ERROR, NO_PERMISSION, OPENAPI_TIMEOUT, SYSTEM_ERROR
from ...errors import WxCloudError
from ...http.redaction import MASK, Sealed, conceal_everywhere, encodings, redact
from ...http.timeouts import Timeouts
from ...http.transport import Transport
from ...settings import alert_webhook_url
from ...tencentcloud.ssm import read_source
from ...variables import WX_ARCHIVE_URL
from ..settings import AlertSettings

__all__ = ["markdown_text", "message_for", "message_for_apps", "notify", "notify_apps", "post"]

logger = logging.getLogger("wxcloud")

# WeCom refuses markdown content over 4096 bytes (UTF-8); room is kept for the closing note.
MESSAGE_LIMIT = 4096
_NOTE_ROOM = 120
_TEXT_LIMIT = 160  # characters of one error text
_NAME_LIMIT = 60  # characters of a report's name or an appid
_WHO_LIMIT = 200  # characters of the apps a title names
_NAMED_APPS = 3  # apps a title names before "and N more"
# Kept back from the invocation's deadline after the post, and the least a post is tried with.
DEADLINE_MARGIN = 0.25
MIN_POST_SECONDS = 0.5
_CONNECT_TIMEOUT = 2.0
_REPLY_LIMIT = 64 * 1024  # WeCom answers {"errcode":0,"errmsg":"ok"}
# A part of the webhook shorter than this is masked only where it stands alone (see _masked).
_SHORT = 4

# Texts we did not write may hold a token or a secret: anything shaped like one (32 or more
# token characters with both letters and digits: WeChat's access tokens, an appsecret, a UUID
# webhook key) is masked, as is the password of a URL (``scheme://user:password@``).
_TOKEN_LIKE = re.compile(
    r"(?<![A-Za-z0-9_\-])(?=[A-Za-z0-9_\-]*[0-9])(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{32,}(?![A-Za-z0-9_\-])"
)
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]+@")
_KEEP_CODE = r"\1"
_LEADING_CODE = re.compile(r"\s*(-?\d+)\b")
_FAIL_PREFIX = re.compile(
    r"^(\s*-?\d+\s+)[\w.]+:fail\s+"
)  # "45009 openapi.x:fail reach max..." -> "45009 reach max..."
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")

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
_SHOWN_MASK = MASK.translate(_MARKDOWN)  # a mask put in the message after it was made plain text

# What to do, by error code (the first error of a report, or a failed run's errCode).
ADVICE: dict[int, str] = {
    45009: "daily quota spent; the next run resumes, or lower WX_ARCHIVE_APIS",
    45011: "minute quota hit; the next run resumes, or lower WX_ARCHIVE_CONCURRENCY",
    48001: "the API is not authorised for this Mini Program: authorise it or remove it from WX_ARCHIVE_APIS",
    61500: "WeChat refused the dates: check WX_ARCHIVE_SINCE",
    61501: "WeChat no longer keeps these periods: move WX_ARCHIVE_SINCE later",
    40001: "WeChat refused the access token: check WX_APPSECRET (or its SSM secret)",
    40125: "WeChat refused the appsecret: check WX_APPSECRET (or its SSM secret)",
    JS_ERROR: "WeChat or the network failed; the next run retries",
    61504: "WeChat was busy; the next run retries",
    OPENAPI_TIMEOUT: "raise the function's timeout or narrow the run",
    NO_PERMISSION: "declare the archived APIs in the function's config.json",
    INVALID_PARAM: "fix the run's event or the timer's Message",
    SYSTEM_ERROR: "fix the function's configuration as the hint says",
}
DATABASE_ADVICE = "check WX_ARCHIVE_URL (or its SSM secret) and that the database accepts the function's connections"
FAN_OUT_ADVICE = "give the function's role scf:InvokeFunction on the function itself, or set WX_ARCHIVE_FAN_OUT=off"
DEADLINE_ADVICE = "raise the function's timeout or narrow the run"

Conceal = Sequence[Sealed[str]]


# ---- the message ---------------------------------------------------------------------------------


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


def message_for(appid: str, result: Mapping[str, Any], *, conceal: Conceal = ()) -> str | None:
    """One short WeCom markdown message about a run that needs attention; None for a healthy run.

    ``result`` is the run's answer in the cloud-call shape: an error value (``errCode`` non-zero)
    or the summary (``errCode`` 0, ``apis``, ``deadlineReached``, optional ``databaseError``).
    Periods WeChat has not computed yet (``notReady``) alone are no reason: the next run gets them.
    Every text that came from elsewhere is masked (tokens, secrets, URL passwords, and each of
    ``conceal``: the webhook's key), cut short and made plain text (``markdown_text``), and the
    whole stays under WeCom's 4096-byte limit."""
    who = _shown(str(appid), _WHO_LIMIT, conceal) or "(no appid)"
    code = result.get("errCode") if isinstance(result, Mapping) else None
    if code != 0 or isinstance(code, bool):
        err_msg = result.get("errMsg") if isinstance(result, Mapping) else None
        shown_code = code if isinstance(code, int) and not isinstance(code, bool) else JS_ERROR
        raw = str(err_msg or "no errMsg")
        database = shown_code == SYSTEM_ERROR and ("database" in raw.lower() or WX_ARCHIVE_URL.name in raw)
        line = f"- the run failed: `{_shown(raw, _TEXT_LIMIT * 2, conceal)}` → {DATABASE_ADVICE if database else _advice(shown_code)}"
        return _assemble(f"**archiveAnalysis {who}: the run failed ({shown_code})**", [line])

    apis = result.get("apis")
    reports = (
        {str(name): tally for name, tally in apis.items() if isinstance(tally, Mapping)}
        if isinstance(apis, Mapping)
        else {}
    )
    database_error = result.get("databaseError")
    handed_on = (
        isinstance(result.get("next"), Mapping) and "failed" not in result["next"]
    )  # a worker's successor has the rest
    deadline_reached = result.get("deadlineReached") is True and not handed_on
    lines: list[str] = []
    stopped = result.get("stopped")
    if isinstance(stopped, str) and stopped:
        errors = result.get("errors")
        first = next((e for e in errors if isinstance(e, str)), None) if isinstance(errors, list) else None
        code = _code_of(first) if first is not None else None
        shown_error = (
            f" `{_shown(_FAIL_PREFIX.sub(_KEEP_CODE, first, count=1), _TEXT_LIMIT, conceal)}`"
            if first is not None
            else ""
        )
        advice = _advice(code) if code is not None else "see the function log"
        lines.append(f"- the app stopped, {_shown(stopped, 40, conceal)}:{shown_error} → {advice}")
    fanned = _fan_out_line(result.get("fanOut"), conceal)
    if fanned is not None:
        lines.append(fanned)
    if database_error:
        lines.append(f"- database: `{_shown(str(database_error), _TEXT_LIMIT, conceal)}` → {DATABASE_ADVICE}")
    affected = [
        _report_line(
            name,
            tally,
            database_error=bool(database_error),
            deadline_reached=deadline_reached,
            handed_on=handed_on,
            conceal=conceal,
        )
        for name, tally in reports.items()
    ]
    report_lines = [line for line in affected if line is not None]
    if deadline_reached:
        left = sum(_count(tally, "leftForLater") for tally in reports.values())
        lines.append(f"- time limit reached, {left} period(s) left for the next run → {DEADLINE_ADVICE}")
    if not lines and not report_lines:
        return None
    day = _shown(str(result.get("today") or ""), 8, conceal)
    title = f"**archiveAnalysis {who}{f', run of {day}' if day else ''}: needs attention**"
    return _assemble(title, lines + report_lines)


def _fan_out_line(fanned: Any, conceal: Conceal = ()) -> str | None:
    """What a dispatcher could not send to workers, and what to do; None when it sent everything."""
    if not isinstance(fanned, Mapping) or not (fanned.get("failed") or _count(fanned, "notSent")):
        return None
    failures = fanned.get("failed")
    first = (
        next((str(text) for text in failures.values()), None) if isinstance(failures, Mapping) and failures else None
    )
    shown_error = f" `{_shown(first, _TEXT_LIMIT, conceal)}`" if first is not None else ""
    left = _count(fanned, "notSent") + (len(failures) if isinstance(failures, Mapping) else 0)
    return f"- fan-out: the work of {left} app(s) was not sent to workers{shown_error} → {FAN_OUT_ADVICE}"


def _report_line(
    name: str,
    tally: Mapping[str, Any],
    *,
    database_error: bool,
    deadline_reached: bool,
    handed_on: bool = False,
    conceal: Conceal = (),
) -> str | None:
    """``- **name**: what happened, `first error` → what to do``; None when nothing needs doing
    (``handed_on``: a worker's periods left for later are its successor's, not left behind)."""
    failed, quota, later = (
        _count(tally, "failed"),
        _count(tally, "stoppedByQuota"),
        0 if handed_on else _count(tally, "leftForLater"),
    )
    raw_stopped = tally.get("stopped")
    raw_stopped = raw_stopped if isinstance(raw_stopped, str) else ""
    stopped = _shown(raw_stopped, 40, conceal)
    if not (failed or quota or later or stopped):
        return None
    errors = tally.get("errors")
    first = next((e for e in errors if isinstance(e, str)), None) if isinstance(errors, list) else None
    code = _code_of(first) if first is not None else _code_of(raw_stopped.partition("(")[2])
    left = quota + later
    if raw_stopped.startswith("quota"):
        what = f"stopped by {stopped}, {left} period(s) left behind"
    elif stopped:
        what = f"stopped, {stopped}: {failed} period(s) failed, {left} left behind"
    elif failed:
        what = f"{failed} period(s) failed" + (f", {left} left behind" if left else "")
    else:
        what = f"left behind {left} period(s)"
    parts = [f"- **{_shown(name, _NAME_LIMIT, conceal)}**: {what}"]
    if first is not None:
        parts.append(f"`{_shown(_FAIL_PREFIX.sub(_KEEP_CODE, first, count=1), _TEXT_LIMIT, conceal)}`")
    if code is not None:
        parts.append(f"→ {_advice(code)}")
    elif database_error:
        parts.append("(database error above)")
    elif deadline_reached:
        parts.append("(time limit)")
    return " ".join(parts)


def _assemble(title: str, lines: list[str]) -> str:
    """Title and lines, cut to fit WeCom's limit with a note of how many lines were left out."""
    text = title
    for index, line in enumerate(lines):
        candidate = f"{text}\n{line}"
        if len(candidate.encode("utf-8")) > MESSAGE_LIMIT - _NOTE_ROOM:
            more = len(lines) - index
            return f"{text}\n… and {more} more line(s), see the function's log"
        text = candidate
    return text


def _advice(code: int) -> str:
    return ADVICE.get(code, "see the function's log for the details")


def _code_of(text: str) -> int | None:
    found = _LEADING_CODE.match(text)
    return int(found.group(1)) if found else None


def _count(tally: Mapping[str, Any], key: str) -> int:
    value = tally.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _clean(text: str, limit: int, conceal: Conceal = ()) -> str:
    """A text from elsewhere, fit for one line of a log: ``conceal`` and anything shaped like a
    secret masked, then one line of at most ``limit`` characters (masked first: a cut never
    leaves the first half of a secret)."""
    text = _masked(text, conceal)
    text = _TOKEN_LIKE.sub(MASK, _URL_PASSWORD.sub(r"\1" + MASK + "@", text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(text: str, limit: int, conceal: Conceal = ()) -> str:
    """A text from elsewhere as the message shows it: ``_clean``, then ``markdown_text``."""
    return markdown_text(_clean(text, limit, conceal))


# ---- the webhook's secret parts ------------------------------------------------------------------


def _masked(text: str, secrets: Conceal) -> str:
    """``text`` from elsewhere with each of ``secrets`` masked in each of its encodings, and
    anything ``redaction`` finds by pattern (a ``key=...``). A part shorter than ``_SHORT``
    characters is masked only where it stands alone, not inside a word: a key that short is no
    real WeCom key, yet still the key, and masked inside every word it would leave no text."""
    text = _by_value(text, [sealed for sealed in secrets if len(sealed.reveal()) >= _SHORT], MASK)
    for sealed in secrets:
        if len(sealed.reveal()) < _SHORT:
            text = _standalone(text, sealed)
    return redact(text)


def _masked_message(message: str, secrets: Conceal) -> str:
    """A message (its texts from elsewhere already masked and made plain text) masked again for
    ``secrets`` of ``_SHORT`` characters or more, each mask itself plain text (``＊＊＊``: an
    ASCII ``***`` would be markdown). No patterns, nor short parts: they would match the message's
    own words and markup, and its texts from elsewhere had both when they were put in."""
    return _by_value(message, [sealed for sealed in secrets if len(sealed.reveal()) >= _SHORT], _SHOWN_MASK)


def _by_value(text: str, secrets: Conceal, shown: str) -> str:
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
    alone. Called by ``_split`` only, which never raises."""
    values: set[str] = set()
    for piece in re.split("[&;]", query):
        name, _, value = piece.partition("=")
        values |= {
            form
            for form in (value, unquote(value), unquote_plus(value))
            if len(form) >= _SHORT or (name.lower() == "key" and form)
        }
    in_path = [value for value in values if value.lower() in path.lower()]
    wholes = {query, path} if in_path else {query}
    long_values = {value for value in values if len(value) >= _SHORT}
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
class _Target:
    """A webhook split for the transport: its path and query sealed (either may hold the key)."""

    base: str  # scheme://host[:port]
    path: Sealed[str]
    query: Sealed[str]
    host: str  # for logs: never more than this
    secrets: tuple[Sealed[str], ...]  # its secret parts (_secret_parts), masked wherever they could show
    everywhere: tuple[
        Sealed[str], ...
    ]  # those a library's record or a tracker's breadcrumb could show, past redaction's pattern


def _split(webhook: Sealed[str]) -> _Target | None:
    """The webhook's parts. Reveals the URL, so it never raises: no traceback holds this frame."""
    try:
        parts = urlsplit(webhook.reveal())
        netloc = parts.netloc.rpartition("@")[2]
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            return None
        base = f"{parts.scheme}://{netloc}"
        secrets, everywhere = _secret_parts(parts.path, parts.query)
        return _Target(base, Sealed(parts.path or "/"), Sealed(parts.query), base, secrets, everywhere)
    except Exception:  # not a URL, or a bug of ours: the alert is lost, not the run
        return None


# ---- the post ------------------------------------------------------------------------------------


def post(webhook: Sealed[str], message: str, *, timeout: float) -> bool:
    """POST ``message`` to a WeCom group robot as markdown; whether WeCom took it (errcode 0).

    Never raises: a refused connection, a timeout, an HTTP error, a non-zero errcode each log one
    WARNING naming the host and what went wrong (never the URL's path or query, which hold the
    key) and return False. The whole exchange ends within ``timeout`` seconds of wall clock,
    whatever the server does. A message that quotes the webhook does not post its key."""
    target = _split(webhook)
    if target is None:
        logger.warning("archive alert not sent: the webhook is not a usable URL")
        return False
    message = _masked_message(message, target.secrets)  # from here on, no frame holds the caller's text unmasked
    return _deliver(target, message, timeout)


def _deliver(target: _Target, message: str, timeout: float) -> bool:
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
    logger.warning("archive alert not delivered to %s: %s", target.host, _masked(problem, target.secrets))
    return False


def _exchange(target: _Target, message: str, timeout: float) -> str | None:
    """One POST; None when WeCom took the message, else what went wrong, as words safe to log."""
    content = _masked_message(
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
        shown_code = _clean(repr(errcode), 40, secrets)
        return f"errcode {shown_code}: {_clean(str(errmsg), 120, secrets)}" if errmsg else f"errcode {shown_code}"
    except Exception as exc:
        return f"the reply could not be read (unexpected {type(exc).__name__})"


# ---- notify: message_for + the webhook + post, within the run's budget ---------------------------


def notify(
    settings: AlertSettings,
    appid: str | None,
    result: Mapping[str, Any],
    *,
    deadline: Deadline | None,
    budget: float = 5.0,
) -> bool | None:
    """Post the alert for a run's ``result``, if it needs one and a webhook is configured.

    ``appid``: the run's app; None when the run failed before it knew it, and the title names
    the apps the environment names (``settings.apps``). None: nothing to say, or nowhere to say
    it; else whether WeCom took the message. Costs at most ``budget`` seconds (reading the
    webhook from SSM included) and never more than ``deadline`` leaves, less a small margin;
    never raises: a webhook that fails or hangs must not fail the run."""
    return notify_apps(settings, {appid or _named(settings.apps): result}, deadline=deadline, budget=budget)


def _named(apps: Sequence[str]) -> str:
    """The apps a title names: the first few, and how many more."""
    shown = ", ".join(app[:_NAME_LIMIT] for app in apps[:_NAMED_APPS])
    return f"{shown} and {len(apps) - _NAMED_APPS} more" if len(apps) > _NAMED_APPS else shown


def message_for_apps(
    results: Mapping[str, Mapping[str, Any]], *, fan_out: Any = None, conceal: Conceal = ()
) -> str | None:
    """One message for a run over several apps: each app that needs attention, its own part (as
    ``message_for`` says it), apps that are fine left out, and once what the run could not send
    to workers (``fan_out``, the run's ``fanOut``); None when nothing needs attention. One
    message, not one per app: a robot takes 20 a minute, and a fleet's bad day is one event."""
    parts = [
        message
        for appid, result in results.items()
        if (message := message_for(appid, result, conceal=conceal)) is not None
    ]
    fanned = _fan_out_line(fan_out, conceal)
    if fanned is None and len(parts) <= 1:
        return parts[0] if parts else None
    title = f"**archiveAnalysis: {len(parts)} of {len(results)} apps need attention**"
    return _assemble(title, ([fanned] if fanned else []) + [line for part in parts for line in part.splitlines()])


def notify_apps(
    settings: AlertSettings,
    results: Mapping[str, Mapping[str, Any]],
    *,
    deadline: Deadline | None,
    budget: float = 5.0,
    fan_out: Any = None,
) -> bool | None:
    """``notify`` for a run over several apps (appid -> that app's answer, ``fan_out``: what the
    run could not send to workers): one message at most."""
    started = time.monotonic()
    try:  # whether there is anything to say; the message itself is written once the key is known, to be masked in it
        needed = message_for_apps(results, fan_out=fan_out) is not None
    except Exception as exc:  # a result of a shape nobody foresaw: say so in the log, not in a crash
        logger.warning("archive alert not sent: the run's result could not be read (%s)", type(exc).__name__)
        return False
    if not needed:
        return None
    if settings.problem is not None:
        logger.warning("archive alert not sent: the webhook setting is unusable: %s", _clean(settings.problem, 400))
        return False
    if not settings.configured:
        return None
    webhook = settings.webhook
    if webhook is None:
        webhook = _webhook_from_ssm(settings, _budgeted(deadline, budget))
        if webhook is None:
            return False
    left = budget - (time.monotonic() - started)
    if deadline is not None:
        left = min(left, deadline.remaining() - DEADLINE_MARGIN)
    if left < MIN_POST_SECONDS:
        logger.warning("archive alert not sent: only %.2gs left of the run's budget", max(left, 0.0))
        return False
    target = _split(webhook)
    if target is None:
        logger.warning("archive alert not sent: the webhook is not a usable URL")
        return False
    try:  # written now that the key's parts are known, to be masked in it
        message = message_for_apps(results, fan_out=fan_out, conceal=target.secrets)
    except Exception as exc:  # it was written once already: a bug of ours
        logger.warning("archive alert not sent: the run's result could not be read (%s)", type(exc).__name__)
        return False
    return None if message is None else _deliver(target, message, left)


def _budgeted(deadline: Deadline | None, budget: float) -> Deadline:
    """The earlier of ``deadline`` and ``budget`` seconds from now, less the margin."""
    clock = time.monotonic if deadline is None else deadline.monotonic
    expires = clock() + budget
    if deadline is not None:
        expires = min(expires, deadline.expires_at - DEADLINE_MARGIN)
    return Deadline(expires, clock)


def _webhook_from_ssm(settings: AlertSettings, deadline: Deadline) -> Sealed[str] | None:
    """The webhook read from SSM and checked, sealed; None (and one WARNING) when that fails. The
    revealed value is never held by a variable of this frame, nor of one that is kept."""
    source = settings.webhook_ssm
    if source is None:
        return None
    problem: str
    try:
        read = Sealed(read_source(source, deadline=deadline, what=f"the alert webhook in {source.ref}"))
    except WxCloudError as exc:  # its text names the secret and the failure, never the value (tencentcloud/ssm.py)
        problem = _clean(exc.err_msg, 400)
    except Exception as exc:
        problem = f"unexpected {type(exc).__name__}"
    else:
        checked = _checked(read, allow_insecure=settings.allow_insecure)
        if isinstance(checked, Sealed):
            return checked
        problem = checked
    logger.warning("archive alert not sent: the webhook could not be read from %s: %s", source.ref, problem)
    return None


def _checked(webhook: Sealed[str], *, allow_insecure: bool) -> Sealed[str] | str:
    """The webhook if it is a usable URL (``alert_webhook_url``), else what is wrong with it (its
    scheme and host at most). Returns, never raises: the checking frames held the URL."""
    try:
        return Sealed(alert_webhook_url(webhook.reveal(), allow_insecure=allow_insecure))
    except WxCloudError as exc:
        return _clean(exc.err_msg, 400)
    except Exception as exc:
        return f"unexpected {type(exc).__name__}"
