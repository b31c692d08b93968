"""The exceptions a cloud call can end in, each carrying the cloud-call ``errCode``.

wx-server-sdk rejects a failed call with an Error whose ``errCode``/``errMsg`` the caller reads;
our calls raise these instead, and ``to_result()`` gives the exact object a cloud function returns
when it catches the error (``{"errCode": ..., "errMsg": "<api>:fail <reason>"}``)::

    WxCloudError                      any failed call; err_code, reason, hint, api
    ├── PlatformError                 codes of the cloud-call layer, with their fixed messages
    │   ├── InvalidParameters         -501007  the event is not a JSON object
    │   ├── ApiNotFound               -604100  no cloud-callable API has that name
    │   ├── PermissionDenied          -604101  the API is not declared in config.json
    │   ├── ConfigurationError        -601001  missing credentials, unreadable secret
    │   ├── StorageError              -601001  the archive's database failed while in use (UNAVAILABLE)
    │   └── DeadlineExceeded          -604102  the invocation's time budget is spent
    ├── RequestValidationError        61500 / 61501 / 61503: bad dates, 47001: a field missing or mistyped,
    │                                 caught before any network call
    ├── WeChatError                   WeChat's errcode, errmsg verbatim (rid included)
    │   └── TokenRejected             40001 / 40014 / 42001: the token is no longer valid
    ├── InvalidResponse               -601001  a reply that is not a JSON object
    ├── TransportError                -1       connection failure, timeout, HTTP 5xx
    └── RemoteCallError               any      an error value returned by a deployed function

An error's class (``errcodes.ErrorClass``) is its code's in ``errcodes.ERROR_CLASSES``, unless the
exception carries its own (``kind``): ``StorageError`` shares -601001 with ``ConfigurationError``
but is ``UNAVAILABLE``, as is the archive's ``DatabaseUnreachable`` (``archive/errors.py`` draws
the archive's part of this tree). ``retry_later`` is the one answer to "does an asynchronous
invocation raise this, so that SCF runs it again later, or return it as final?": ``scf/app.py``,
``scf/forward.py`` and the archive's function all ask it.

Messages never contain an access token, an appsecret or a request URL: transport failures are
described from the exception type and host alone, never from ``str(requests_exception)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

from .errcodes import (
    API_NOT_FOUND,
    INVALID_PARAM,
    JS_ERROR,
    NO_PERMISSION,
    OPENAPI_TIMEOUT,
    RETRY_LATER,
    SYSTEM_ERROR,
    ErrorClass,
    error_class,
)

_E = TypeVar("_E", bound="WxCloudError")

PLATFORM_MESSAGES = {
    INVALID_PARAM: "invalid parameters",
    SYSTEM_ERROR: "system error",
    API_NOT_FOUND: "API not found",
    NO_PERMISSION: "function has no permission to call this API",
    OPENAPI_TIMEOUT: "call open API timeout",
}


class WxCloudError(Exception):
    """A failed cloud call. ``api`` is filled in by the call layer, which knows the API's name."""

    # The error's class whatever its code says (None: its code's, from the table): for an error whose
    # code others of another class share, so that the code alone cannot tell (``class_of``).
    kind: ClassVar[ErrorClass | None] = None

    def __init__(self, err_code: int, reason: str, *, hint: str | None = None, api: str | None = None) -> None:
        self.err_code = err_code
        self.reason = reason
        self.hint = hint
        self.api = api
        super().__init__(err_code, reason)

    @property
    def err_msg(self) -> str:
        """The SDK's ``apiFailMsg``: ``<api>:fail <reason>``, with our ``hint: [...]`` appended."""
        prefix = f"{self.api}:fail " if self.api else "fail "
        suffix = f" hint: [{self.hint}]" if self.hint else ""
        return f"{prefix}{self.reason}{suffix}"

    def fresh_copy(self: _E) -> _E:
        """The same error as a new object, for another thread to raise (an exception object
        carries one traceback, so two threads must not raise the same one)."""
        clone = type(self).__new__(type(self))
        clone.args = self.args
        clone.__dict__.update(self.__dict__)
        return clone

    def to_result(self) -> dict[str, Any]:
        """What a cloud function returns when it catches the error: ``{errCode, errMsg}``."""
        return {"errCode": self.err_code, "errMsg": self.err_msg}

    def __str__(self) -> str:
        return f"errCode: {self.err_code} | errMsg: {self.err_msg}"


SHOWN_CHARS = 60  # of a caller's string quoted in an error message


def shown(value: Any) -> str:
    """A value someone sent, as an error message may show it: a string cut to ``SHOWN_CHARS``,
    anything else by its type only (never ``str()`` of a structure, which may be nested too deep
    or huge)."""
    return repr(value[:SHOWN_CHARS]) if isinstance(value, str) else f"a {type(value).__name__}"


@contextmanager
def calling(api: str) -> Iterator[None]:
    """Name ``api`` (``openapi.analysis.getDailyVisitTrend``) on any ``WxCloudError`` raised inside:
    the SDK names the API in every errMsg, and only the layer that started the call knows it.
    Always overwritten: an error shared between calls (a failed token fetch handed to its
    waiters) must name the API of the call that raises it."""
    try:
        yield
    except WxCloudError as exc:
        exc.api = api
        raise


class PlatformError(WxCloudError):
    """A code of the cloud-call layer itself: ``<api>:fail <code> <its message> hint: [...]``."""

    code: ClassVar[int]

    def __init__(self, hint: str) -> None:
        super().__init__(self.code, f"{self.code} {PLATFORM_MESSAGES[self.code]}", hint=hint)


class InvalidParameters(PlatformError):
    code = INVALID_PARAM


class RequestValidationError(WxCloudError):
    """Input WeChat would reject, reported with WeChat's own code so callers handle one set."""


class ApiNotFound(PlatformError):
    code = API_NOT_FOUND


class PermissionDenied(PlatformError):
    code = NO_PERMISSION


class ConfigurationError(PlatformError):
    code = SYSTEM_ERROR


class StorageError(PlatformError):
    """The archive's database failed while in use (a write, a read after the schema was ready):
    not the configuration's fault, so not a ``ConfigurationError``, with the same code. Its class
    is ``UNAVAILABLE``: the server may be back in a minute, so an asynchronous invocation is worth
    running again (``retry_later``)."""

    code = SYSTEM_ERROR
    kind = ErrorClass.UNAVAILABLE


class WeChatError(WxCloudError):
    """WeChat answered with a non-zero errcode; ``reason`` is its errmsg verbatim."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errcode, errmsg)


class TokenRejected(WeChatError):
    """40001 / 40014 / 42001: refresh the token once and retry once."""


def wechat_error(errcode: int, errmsg: str) -> WeChatError:
    cls = TokenRejected if error_class(errcode) is ErrorClass.TOKEN else WeChatError
    return cls(errcode, errmsg)


class InvalidResponse(WxCloudError):
    """A 200 reply we cannot read as WeChat JSON (the SDK's WX_SYSTEM_ERROR path)."""

    def __init__(self, reason: str) -> None:
        super().__init__(SYSTEM_ERROR, reason)


class TransportError(WxCloudError):
    """The request did not produce a usable reply: the SDK reports these as errCode -1."""

    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(JS_ERROR, reason)
        self.retryable = retryable


class DeadlineExceeded(PlatformError):
    code = OPENAPI_TIMEOUT


class RemoteCallError(WxCloudError):
    """The ``{errCode, errMsg}`` a deployed function returned through SCF Invoke, kept exactly."""

    def __init__(self, err_code: int, err_msg: str) -> None:
        super().__init__(err_code, err_msg)
        self._remote_err_msg = err_msg

    @property
    def err_msg(self) -> str:
        return self._remote_err_msg


def class_of(error: WxCloudError) -> ErrorClass:
    """The class of ``error``: its own (``kind``) when it carries one, else its code's."""
    return error.kind if error.kind is not None else error_class(error.err_code)


def retry_later(error: WxCloudError) -> bool:
    """Whether an asynchronous invocation that failed with ``error`` raises it, so that SCF runs it
    again a minute or two later, rather than returning it as final: WeChat busy or the network
    failed, data not ready yet, the minute quota, the time budget, and the archive's database
    failing or not taking the connection (``errcodes.RETRY_LATER``). The archive's
    ``DatabaseUnreachable`` is retried although its code is a configuration error's: a database
    that does not connect may be a server down for a moment, and one more try a minute later
    costs nothing. The one rule: ``scf/app.py``, ``scf/forward.py`` and the archive's function
    each ask it, and ask nothing else."""
    return class_of(error) in RETRY_LATER
