"""One rule says what an asynchronous invocation raises for SCF to run it again later.

``wxcloud.errors.retry_later`` reads ``errcodes.RETRY_LATER`` through an error's class (its own
``kind``, else its code's in the table); ``scf/app.py``, ``scf/forward.py`` and the archive's
function ask it and nothing else. So the table, every exception of the library and of the archive,
and the three handlers agree: a failure one of them runs again later, every one does.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from wxcloud import Analysis, ErrorClass, FunctionApp, error_class, errors
from wxcloud.archive.errors import (
    DatabaseError,
    DatabaseUnreachable,
    NothingArchived,
    NotStored,
    RetryLater,
    RowRefused,
)
from wxcloud.archive.function import handler as archive_function
from wxcloud.archive.function.fanout import WORK_KEY
from wxcloud.errcodes import ERROR_CLASSES, RETRY_LATER
from wxcloud.errors import (
    ApiNotFound,
    ConfigurationError,
    DeadlineExceeded,
    InvalidParameters,
    InvalidResponse,
    PermissionDenied,
    PlatformError,
    RemoteCallError,
    RequestValidationError,
    StorageError,
    TokenRejected,
    TransportError,
    WeChatError,
    WxCloudError,
    class_of,
    retry_later,
)
from wxcloud.http.transport import TimedOut
from wxcloud.scf import app as scf_app
from wxcloud.scf import forward
from wxcloud.scf.forward import OpenApiFunction

from tests.support.archive import function, timer
from tests.support.checkout import ROOT, load_event
from tests.support.tencentcloud_http import closed_port
from tests.support.wechat import write_config

# The archive runs here too: its answers and logs are watched for the database password.
pytestmark = pytest.mark.usefixtures("no_db_password_anywhere")

# Every exception of the library and of the archive, with what an asynchronous invocation does with it.
DECIDED: list[tuple[WxCloudError, bool]] = [
    (InvalidParameters("h"), False),
    (ApiNotFound("h"), False),
    (PermissionDenied("h"), False),
    (ConfigurationError("h"), False),
    (StorageError("h"), True),
    (DeadlineExceeded("h"), True),
    (RequestValidationError(61500, "date format error"), False),
    (RequestValidationError(61503, "data not ready"), True),
    (WeChatError(45009, "daily quota"), False),
    (WeChatError(45011, "minute quota"), True),
    (WeChatError(61504, "system busy"), True),
    (WeChatError(48001, "api unauthorized"), False),
    (TokenRejected(40001, "invalid credential"), False),
    (InvalidResponse("not json"), False),
    (TransportError("connection refused"), True),
    (TransportError("reply too large", retryable=False), True),
    (TimedOut("read timed out", cut_short=True), True),
    (RemoteCallError(-1, "system error"), True),
    (RemoteCallError(-601001, "system error"), False),
    # the archive's (archive/errors.py)
    (
        DatabaseUnreachable("h"),
        True,
    ),  # was permanent by its code, retried by the archive's own list: retried by the rule
    (DatabaseError("h"), True),
    (RowRefused("h"), True),
    (NotStored("h", {"errCode": 0}), True),
    (NothingArchived("no file"), False),
]


def _subclasses(cls: type[WxCloudError]) -> set[type[WxCloudError]]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


@pytest.mark.parametrize(("code", "kind"), sorted(ERROR_CLASSES.items(), key=lambda item: item[0]))
def test_every_code_of_the_table_is_retried_later_exactly_when_its_class_is(code: int, kind: ErrorClass) -> None:
    for error in (WxCloudError(code, "x"), RemoteCallError(code, "x"), WeChatError(code, "x")):
        assert class_of(error) is kind
        assert retry_later(error) is (kind in RETRY_LATER)


@pytest.mark.parametrize("code", [99999, -604001, -601001, 40013, 0.0, "61504", None, True])
def test_a_code_the_table_does_not_know_is_final(code: Any) -> None:
    assert not retry_later(WxCloudError(code, "x"))


@pytest.mark.parametrize(
    ("error", "later"), DECIDED, ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value)
)
def test_each_exception_is_retried_later_by_its_class(error: WxCloudError, later: bool) -> None:
    own = type(error).kind
    assert class_of(error) is (own if own is not None else error_class(error.err_code))
    assert retry_later(error) is later is (class_of(error) in RETRY_LATER)


def test_every_exception_class_is_decided_here() -> None:
    """A new exception of the library or the archive must say here what becomes of it."""
    ours = {cls for cls in _subclasses(WxCloudError) if cls.__module__.startswith("wxcloud.")} - {
        PlatformError
    }  # its own code each
    assert ours - {type(error) for error, _ in DECIDED} == set()


def test_a_class_of_its_own_is_only_for_codes_that_cannot_tell() -> None:
    """``kind`` overrides the code only where the code is shared with errors of another class;
    no code maps to the class that exists for them."""
    carriers = {cls for cls in _subclasses(WxCloudError) if cls.__dict__.get("kind") is not None}
    assert carriers == {StorageError, DatabaseUnreachable}
    assert ErrorClass.UNAVAILABLE in RETRY_LATER and ErrorClass.UNAVAILABLE not in ERROR_CLASSES.values()
    assert (
        error_class(StorageError("h").err_code) is error_class(ConfigurationError("h").err_code) is ErrorClass.PERMANENT
    )


def test_the_three_handlers_ask_the_one_rule() -> None:
    for module in (scf_app, forward, archive_function):
        assert module.retry_later is errors.retry_later, module.__name__
        source = Path(sys.modules[module.__name__].__file__ or "").read_text(encoding="utf-8")
        assert "RETRY_LATER" not in source.replace("errcodes.RETRY_LATER", "") and "error_class(" not in source, (
            module.__name__
        )


def _unavailable(permissions: Any) -> Any:
    raise DatabaseUnreachable("the store did not take the connection")


def test_a_function_app_raises_an_archive_database_error_on_a_timer_and_returns_it_otherwise(tmp_path: Path) -> None:
    app = FunctionApp(Analysis.getMonthlyVisitTrend, (write_config(tmp_path),), client_factory=_unavailable)
    with pytest.raises(DatabaseUnreachable):  # SCF runs the timer again later
        app.handle(load_event("timer"), {"time_limit_in_ms": 5000})
    answer = app.handle({"beginDate": "20170301", "endDate": "20170331"}, {"time_limit_in_ms": 5000})
    assert answer["errCode"] == -601001


def test_the_forwarding_function_raises_an_archive_database_error_on_a_timer_and_returns_it_otherwise() -> None:
    handler = OpenApiFunction((ROOT / "functions" / "openapi" / "config.json",), client_factory=_unavailable)
    call = {"api": "urlscheme.generate", "data": {"isExpire": False}}
    with pytest.raises(DatabaseUnreachable):
        handler({**load_event("timer"), "Message": json.dumps(call)}, {"time_limit_in_ms": 5000})
    assert handler(call, {"time_limit_in_ms": 5000})["errCode"] == -601001


@pytest.mark.parametrize("trigger", ["worker", "timer", "direct"])
def test_the_archive_raises_for_an_unreachable_database_only_on_a_worker(trigger: str) -> None:
    """A worker's event is asynchronous and SCF delivers it again when it raises; a timer run never
    raises (the next daily run resumes), and a direct invocation's caller reads the answer."""
    apps = {"wxretrylater0001": "retry-later-secret"}
    url = f"postgresql+psycopg://postgres:Unreachable-pw@127.0.0.1:{closed_port()}/test"
    handler = function({"WX_ARCHIVE_URL": url, "WX_APPID": "", "WX_APPSECRET": "", "WX_ARCHIVE_APPS": json.dumps(apps)})
    events: dict[str, Any] = {
        "worker": {
            WORK_KEY: {
                "appid": "wxretrylater0001",
                "today": "20260615",
                "apis": ["analysis.getDailyVisitTrend"],
                "slices": [["20260401", None]],
                "handoff": "0123456789abcdef" * 2,
            }
        },
        "timer": timer(datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")),
        "direct": {},
    }
    context = {"request_id": "r", "time_limit_in_ms": 5000}
    if trigger == "worker":
        with pytest.raises(RetryLater) as caught:
            handler(events[trigger], context)
        assert caught.value.args[0].startswith("-601001 ")
    else:
        answer = handler(events[trigger], context)
        assert answer["errCode"] == -601001 and "cannot be used" in answer["errMsg"]
