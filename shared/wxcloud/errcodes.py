"""What an errCode means for whoever acts on it: one table, read by every decision that depends on it.

Three decisions hang on an error's class, and they must agree: whether a call retries it at once
(``retry.py``), whether an unattended invocation raises it so the platform runs it again later or
returns it as final (``RETRY_LATER``, read by ``errors.retry_later`` alone, which ``scf/app.py``,
``scf/forward.py`` and the archive's function all ask), and the status of an HTTP trigger's answer
(``gateway.py``). A code missing from the table is ``PERMANENT``: retrying what we do not know
burns quota and cannot be shown to help.

A few errors share their code with errors of another class: -601001 is a configuration error, a
reply we cannot read, and the archive's database failing or not answering. Those carry their class
themselves (``WxCloudError.kind``: ``UNAVAILABLE`` for the archive's database), and
``errors.class_of`` reads it before the table; no code maps to ``UNAVAILABLE``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

# Codes of the cloud-call layer (wx-server-sdk's error config); -1 is also every network failure.
JS_ERROR = -1
INVALID_PARAM = -501007
SYSTEM_ERROR = -601001
API_NOT_FOUND = -604100
NO_PERMISSION = -604101
OPENAPI_TIMEOUT = -604102


class ErrorClass(Enum):
    OK = "ok"
    TRANSIENT = "transient"  # WeChat busy or the network failed: retried at once, a few times
    TOKEN = "token"  # noqa: S105 - a class name; the access token is no longer valid: one fresh token, one retry
    NOT_READY = "not ready"  # the period is over but WeChat has not computed it: minutes to hours
    RATE_LIMITED = "rate limited"  # the minute quota: fine again next minute
    QUOTA = "quota"  # the daily quota: nothing more today
    TIMEOUT = "timeout"  # the invocation's time budget ran out
    BAD_REQUEST = "bad request"  # the caller's input; the same request always fails
    NO_PERMISSION = "no permission"
    PERMANENT = "permanent"  # configuration, unknown codes, unreadable replies
    # A store of ours (the archive's database) failed or did not take the connection: neither
    # WeChat's fault nor the request's, and a server down for a moment may be back in a minute.
    # Never retried at once (the call layer retries WeChat, not our database); worth running again later.
    UNAVAILABLE = "unavailable"


ERROR_CLASSES: dict[int, ErrorClass] = {
    0: ErrorClass.OK,
    JS_ERROR: ErrorClass.TRANSIENT,
    61504: ErrorClass.TRANSIENT,  # "system busy": no source documents it, retrying is harmless
    40001: ErrorClass.TOKEN,
    40014: ErrorClass.TOKEN,
    42001: ErrorClass.TOKEN,
    61503: ErrorClass.NOT_READY,
    45011: ErrorClass.RATE_LIMITED,
    45009: ErrorClass.QUOTA,
    OPENAPI_TIMEOUT: ErrorClass.TIMEOUT,
    INVALID_PARAM: ErrorClass.BAD_REQUEST,
    API_NOT_FOUND: ErrorClass.BAD_REQUEST,
    47001: ErrorClass.BAD_REQUEST,  # data format error: a field missing or of the wrong type
    40097: ErrorClass.BAD_REQUEST,
    61500: ErrorClass.BAD_REQUEST,
    61501: ErrorClass.BAD_REQUEST,
    NO_PERMISSION: ErrorClass.NO_PERMISSION,
    48001: ErrorClass.NO_PERMISSION,  # api unauthorized: the Mini Program lacks the API
}


def error_class(err_code: Any) -> ErrorClass:
    if isinstance(err_code, bool) or not isinstance(err_code, int):
        return ErrorClass.PERMANENT
    return ERROR_CLASSES.get(err_code, ErrorClass.PERMANENT)


# The app's own credentials refused: its appid (40013), its appsecret (40125), the caller's IP not
# on its whitelist (40164), or the app not authorized to the service provider's platform (61007).
# Nothing of that app can work until its configuration is fixed: a run over several apps stops
# that app alone, and says so.
APP_STOPPING = frozenset({40013, 40125, 40164, 61007})

# What an unattended invocation raises so that it runs again later, rather than returning as final
# (``errors.retry_later`` reads it; nothing else should).
RETRY_LATER = frozenset(
    {ErrorClass.TRANSIENT, ErrorClass.NOT_READY, ErrorClass.RATE_LIMITED, ErrorClass.TIMEOUT, ErrorClass.UNAVAILABLE}
)

# The HTTP status an HTTP trigger answers for each class (the body is the cloud-call JSON either way).
HTTP_STATUS: dict[ErrorClass, int] = {
    ErrorClass.OK: 200,
    ErrorClass.BAD_REQUEST: 400,
    ErrorClass.NO_PERMISSION: 403,
    ErrorClass.RATE_LIMITED: 429,
    ErrorClass.QUOTA: 429,
    ErrorClass.NOT_READY: 503,
    ErrorClass.TIMEOUT: 504,
}
