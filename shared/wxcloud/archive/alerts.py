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
database driver or the SDK, so they are masked for tokens and credentials before they are sent.

What it does not hand-write: the HTTP exchange is the project's ``Transport`` (requests with a
connection pool, proxies from the environment, no redirects, and a wall-clock limit enforced by
the watchdog, which cuts a server that trickles bytes, something requests' own per-read timeout
cannot do), the SSM read is ``secrets.read_source``, and the masking is ``redaction``'s. A
WeCom client library would bring a dependency for one POST of one JSON object, and none bounds
the exchange by wall clock. What is written here is only what no library knows: which outcomes
of a run deserve a message, and what to advise for each.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..deadline import Deadline
from ..errcodes import INVALID_PARAM, JS_ERROR, NO_PERMISSION, OPENAPI_TIMEOUT, SYSTEM_ERROR
from ..errors import WxCloudError
from ..http.redaction import MASK, Sealed, mask
from ..http.timeouts import Timeouts
from ..http.transport import Transport
from ..settings import alert_webhook_url
from ..tencentcloud.ssm import read_source
from .settings import ArchiveSettings

__all__ = ["message_for", "notify", "post"]

logger = logging.getLogger("wxcloud")

# WeCom refuses markdown content over 4096 bytes (UTF-8); room is kept for the closing note.
MESSAGE_LIMIT = 4096
_NOTE_ROOM = 120
_TEXT_LIMIT = 160  # characters of one error text
_NAME_LIMIT = 60  # characters of a report's name or the appid
# Kept back from the invocation's deadline after the post, and the least a post is tried with.
DEADLINE_MARGIN = 0.25
MIN_POST_SECONDS = 0.5
_CONNECT_TIMEOUT = 2.0
_REPLY_LIMIT = 64 * 1024  # WeCom answers {"errcode":0,"errmsg":"ok"}

# Texts we did not write may hold a token or a secret: anything shaped like one (32 or more
# token characters with both letters and digits: WeChat's access tokens, an appsecret, a UUID
# webhook key) is masked, as is the password of a URL (``scheme://user:password@``).
_TOKEN_LIKE = re.compile(r"(?<![A-Za-z0-9_\-])(?=[A-Za-z0-9_\-]*[0-9])(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{32,}(?![A-Za-z0-9_\-])")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]+@")
_KEEP_CODE = r"\1"
_LEADING_CODE = re.compile(r"\s*(-?\d+)\b")
_FAIL_PREFIX = re.compile(r"^(\s*-?\d+\s+)[\w.]+:fail\s+")  # "45009 openapi.x:fail reach max..." -> "45009 reach max..."

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


# ---- the message ---------------------------------------------------------------------------------


def message_for(appid: str, result: Mapping[str, Any]) -> str | None:
    """One short WeCom markdown message about a run that needs attention; None for a healthy run.

    ``result`` is the run's answer in the cloud-call shape: an error value (``errCode`` non-zero)
    or the summary (``errCode`` 0, ``apis``, ``deadlineReached``, optional ``databaseError``).
    Periods WeChat has not computed yet (``notReady``) alone are no reason: the next run gets them.
    Every text that came from elsewhere is masked (tokens, secrets, URL passwords) and cut short,
    and the whole stays under WeCom's 4096-byte limit."""
    who = _clean(str(appid), _NAME_LIMIT) or "(no appid)"
    code = result.get("errCode") if isinstance(result, Mapping) else None
    if code != 0 or isinstance(code, bool):
        err_msg = result.get("errMsg") if isinstance(result, Mapping) else None
        shown_code = code if isinstance(code, int) and not isinstance(code, bool) else JS_ERROR
        text = _clean(str(err_msg or "no errMsg"), _TEXT_LIMIT * 2)
        database = shown_code == SYSTEM_ERROR and ("database" in text.lower() or "WX_ARCHIVE_URL" in text)
        line = f"- the run failed: `{text}` → {DATABASE_ADVICE if database else _advice(shown_code)}"
        return _assemble(f"**archiveAnalysis {who}: the run failed ({shown_code})**", [line])

    apis = result.get("apis")
    reports = {str(name): tally for name, tally in apis.items() if isinstance(tally, Mapping)} if isinstance(apis, Mapping) else {}
    database_error = result.get("databaseError")
    handed_on = isinstance(result.get("next"), Mapping) and "failed" not in result["next"]  # a worker's successor has the rest
    deadline_reached = result.get("deadlineReached") is True and not handed_on
    lines: list[str] = []
    stopped = result.get("stopped")
    if isinstance(stopped, str) and stopped:
        errors = result.get("errors")
        first = next((e for e in errors if isinstance(e, str)), None) if isinstance(errors, list) else None
        code = _code_of(first) if first is not None else None
        shown_error = f" `{_clean(_FAIL_PREFIX.sub(_KEEP_CODE, first, count=1), _TEXT_LIMIT)}`" if first is not None else ""
        lines.append(f"- the app stopped, {_clean(stopped, 40)}:{shown_error} → {_advice(code) if code is not None else 'see the function log'}")
    fanned = _fan_out_line(result.get("fanOut"))
    if fanned is not None:
        lines.append(fanned)
    if database_error:
        lines.append(f"- database: `{_clean(str(database_error), _TEXT_LIMIT)}` → {DATABASE_ADVICE}")
    affected = [_report_line(name, tally, database_error=bool(database_error), deadline_reached=deadline_reached, handed_on=handed_on)
                for name, tally in reports.items()]
    report_lines = [line for line in affected if line is not None]
    if deadline_reached:
        left = sum(_count(tally, "leftForLater") for tally in reports.values())
        lines.append(f"- time limit reached, {left} period(s) left for the next run → {DEADLINE_ADVICE}")
    if not lines and not report_lines:
        return None
    day = _clean(str(result.get("today") or ""), 8)
    title = f"**archiveAnalysis {who}{f', run of {day}' if day else ''}: needs attention**"
    return _assemble(title, lines + report_lines)


def _fan_out_line(fanned: Any) -> str | None:
    """What a dispatcher could not send to workers, and what to do; None when it sent everything."""
    if not isinstance(fanned, Mapping) or not (fanned.get("failed") or _count(fanned, "notSent")):
        return None
    failures = fanned.get("failed")
    first = next((str(text) for text in failures.values()), None) if isinstance(failures, Mapping) and failures else None
    shown_error = f" `{_clean(first, _TEXT_LIMIT)}`" if first is not None else ""
    left = _count(fanned, "notSent") + (len(failures) if isinstance(failures, Mapping) else 0)
    return f"- fan-out: the work of {left} app(s) was not sent to workers{shown_error} → {FAN_OUT_ADVICE}"


def _report_line(name: str, tally: Mapping[str, Any], *, database_error: bool, deadline_reached: bool, handed_on: bool = False) -> str | None:
    """``- **name**: what happened, `first error` → what to do``; None when nothing needs doing
    (``handed_on``: a worker's periods left for later are its successor's, not left behind)."""
    failed, quota, later = _count(tally, "failed"), _count(tally, "stoppedByQuota"), 0 if handed_on else _count(tally, "leftForLater")
    stopped = tally.get("stopped")
    stopped = _clean(stopped, 40) if isinstance(stopped, str) else ""
    if not (failed or quota or later or stopped):
        return None
    errors = tally.get("errors")
    first = next((e for e in errors if isinstance(e, str)), None) if isinstance(errors, list) else None
    code = _code_of(first) if first is not None else _code_of(stopped.partition("(")[2])
    left = quota + later
    if stopped.startswith("quota"):
        what = f"stopped by {stopped}, {left} period(s) left behind"
    elif stopped:
        what = f"stopped, {stopped}: {failed} period(s) failed, {left} left behind"
    elif failed:
        what = f"{failed} period(s) failed" + (f", {left} left behind" if left else "")
    else:
        what = f"left behind {left} period(s)"
    parts = [f"- **{_clean(name, _NAME_LIMIT)}**: {what}"]
    if first is not None:
        parts.append(f"`{_clean(_FAIL_PREFIX.sub(_KEEP_CODE, first, count=1), _TEXT_LIMIT)}`")
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


def _clean(text: str, limit: int) -> str:
    """A text from elsewhere, fit for one line of markdown inside backticks: secrets masked, one
    line, no backticks (which would end the code span), at most ``limit`` characters."""
    text = _TOKEN_LIKE.sub(MASK, _URL_PASSWORD.sub(r"\1" + MASK + "@", mask(text, ())))
    text = " ".join(text.replace("`", "'").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- the post ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """A webhook split for the transport, its query (the key) sealed."""

    base: str  # scheme://host[:port]
    path: str
    query: Sealed[str]
    host: str  # for logs: never more than this
    secrets: tuple[Sealed[str], ...]  # the query and each of its values, masked wherever they could show


def post(webhook: Sealed[str], message: str, *, timeout: float) -> bool:
    """POST ``message`` to a WeCom group robot as markdown; whether WeCom took it (errcode 0).

    Never raises: a refused connection, a timeout, an HTTP error, a non-zero errcode each log one
    WARNING naming the host and what went wrong (never the URL's query, which is the key) and
    return False. The whole exchange ends within ``timeout`` seconds of wall clock, whatever the
    server does."""
    target = _split(webhook)
    if target is None:
        logger.warning("archive alert not sent: the webhook is not a usable URL")
        return False
    if timeout <= 0:
        logger.warning("archive alert not sent to %s: no time left", target.host)
        return False
    try:
        problem = _exchange(target, message, timeout)
    except Exception as exc:  # a bug of ours or of a library: the alert is lost, the run goes on
        problem = f"unexpected {type(exc).__name__}"
    if problem is None:
        return True
    logger.warning("archive alert not delivered to %s: %s", target.host, mask(problem, target.secrets))
    return False


def _exchange(target: _Target, message: str, timeout: float) -> str | None:
    """One POST; None when WeCom took the message, else what went wrong, as words safe to log."""
    content = mask(message, target.secrets)  # an error text that quoted the webhook does not post its key to the group
    body = json.dumps({"msgtype": "markdown", "markdown": {"content": content}}, ensure_ascii=False).encode("utf-8")
    # connect + read == timeout: the socket timeouts and the wall-clock limit (the watchdog's) agree
    connect = min(_CONNECT_TIMEOUT, timeout * 0.3)
    transport = Transport(target.base, Timeouts(connect=connect, read=timeout - connect))
    try:
        reply = transport.post(target.path, body, query=target.query, conceal=target.secrets, timeout=timeout, limit=_REPLY_LIMIT)
    except WxCloudError as exc:  # the transport's errors name the host and the failure's class, never the URL
        return f"{type(exc).__name__}: {exc.reason}"
    finally:
        transport.close()
    if reply.status != 200:
        return f"HTTP {reply.status}"
    try:
        answer = json.loads(reply.body)
    except (ValueError, RecursionError):
        return "the reply is not JSON"
    errcode = answer.get("errcode") if isinstance(answer, dict) else None
    if errcode == 0 and not isinstance(errcode, bool):
        return None
    errmsg = answer.get("errmsg") if isinstance(answer, dict) else None
    return f"errcode {errcode!r}: {_clean(str(errmsg), 120)}" if errmsg else f"errcode {errcode!r}"


def _split(webhook: Sealed[str]) -> _Target | None:
    """The webhook's parts. Reveals the URL, so it never raises: no traceback holds this frame."""
    try:
        parts = urlsplit(webhook.reveal())
        netloc = parts.netloc.rpartition("@")[2]
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            return None
        secrets = (Sealed(parts.query), *(Sealed(value) for _, value in parse_qsl(parts.query) if len(value) >= 4))
        return _Target(f"{parts.scheme}://{netloc}", parts.path or "/", Sealed(parts.query), f"{parts.scheme}://{netloc}", secrets)
    except ValueError:
        return None


# ---- notify: message_for + the webhook + post, within the run's budget ---------------------------


def notify(settings: ArchiveSettings, appid: str, result: Mapping[str, Any], *, deadline: Deadline | None, budget: float = 5.0) -> bool | None:
    """Post the alert for a run's ``result``, if it needs one and a webhook is configured.

    None: nothing to say, or nowhere to say it; else whether WeCom took the message. Costs at most
    ``budget`` seconds (reading the webhook from SSM included) and never more than ``deadline``
    leaves, less a small margin; never raises: a webhook that fails or hangs must not fail the run."""
    return notify_apps(settings, {appid: result}, deadline=deadline, budget=budget)


def message_for_apps(results: Mapping[str, Mapping[str, Any]], *, fan_out: Any = None) -> str | None:
    """One message for a run over several apps: each app that needs attention, its own part (as
    ``message_for`` says it), apps that are fine left out, and once what the run could not send
    to workers (``fan_out``, the run's ``fanOut``); None when nothing needs attention. One
    message, not one per app: a robot takes 20 a minute, and a fleet's bad day is one event."""
    parts = [message for appid, result in results.items() if (message := message_for(appid, result)) is not None]
    fanned = _fan_out_line(fan_out)
    if fanned is None and len(parts) <= 1:
        return parts[0] if parts else None
    title = f"**archiveAnalysis: {len(parts)} of {len(results)} apps need attention**"
    return _assemble(title, ([fanned] if fanned else []) + [line for part in parts for line in part.splitlines()])


def notify_apps(
    settings: ArchiveSettings, results: Mapping[str, Mapping[str, Any]], *, deadline: Deadline | None, budget: float = 5.0,
    fan_out: Any = None,
) -> bool | None:
    """``notify`` for a run over several apps (appid -> that app's answer, ``fan_out``: what the
    run could not send to workers): one message at most."""
    started = time.monotonic()
    try:
        message = message_for_apps(results, fan_out=fan_out)
    except Exception as exc:  # a result of a shape nobody foresaw: say so in the log, not in a crash
        logger.warning("archive alert not sent: the run's result could not be read (%s)", type(exc).__name__)
        return False
    if message is None or not settings.alerts_configured:
        return None
    webhook = settings.alert_webhook
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
    return post(webhook, message, timeout=left)


def _budgeted(deadline: Deadline | None, budget: float) -> Deadline:
    """The earlier of ``deadline`` and ``budget`` seconds from now, less the margin."""
    clock = time.monotonic if deadline is None else deadline.monotonic
    expires = clock() + budget
    if deadline is not None:
        expires = min(expires, deadline.expires_at - DEADLINE_MARGIN)
    return Deadline(expires, clock)


def _webhook_from_ssm(settings: ArchiveSettings, deadline: Deadline) -> Sealed[str] | None:
    """The webhook read from SSM and checked, sealed; None (and one WARNING) when that fails. The
    revealed value is never held by a variable of this frame, nor of one that is kept."""
    source = settings.alert_webhook_ssm
    if source is None:
        return None
    problem: str
    try:
        return Sealed(
            alert_webhook_url(
                read_source(source, deadline=deadline, what=f"the alert webhook in {source.ref}"),
                allow_insecure=settings.alert_allow_insecure,
            )
        )
    except WxCloudError as exc:  # its text names the secret and the failure, never the value (settings.py, tencentcloud/ssm.py)
        problem = _clean(exc.err_msg, 400)
    except Exception as exc:
        problem = f"unexpected {type(exc).__name__}"
    logger.warning("archive alert not sent: the webhook could not be read from %s: %s", source.ref, problem)
    return None
