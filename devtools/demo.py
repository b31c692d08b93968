"""Make one cloud call locally and print its result: an analysis function as SCF would invoke it,
or any other API of the catalogue through the library.

    python3 dev.py demo [--api NAME] [--month YYYY-MM | --begin yyyymmdd --end yyyymmdd] [--data JSON|@FILE]
        [--out FILE]

An analysis report is named bare or in full (``getDailyRetain``, ``analysis.getDailyRetain``;
default ``getMonthlyVisitTrend``): its function ``functions/<name>/index.py`` is invoked exactly
as deployed, by default for what its timer asks (the newest period of its kind that is over in
Beijing time), or for the period you name: ``--month 2026-10`` for a monthly report
(``getMonthlyVisitTrend``, ``getMonthlyRetain``; any other report refuses it rather than guess
which of its periods you meant), ``--begin`` and ``--end`` together for any report. ``--month``
beside ``--begin``/``--end``, one of ``--begin``/``--end`` alone, or a period flag beside
``--data`` is refused (exit 2, one line naming the flags that ask for the newest period).

Any other name is a cloud call as ``cloud.openapi`` spells it (``security.msgSecCheck``,
``wxacode.getUnlimited``; every name is in docs/openapi.md), called through ``wxcloud.openapi``
with a sample event for that API (a text to check, a page to make a code of, a file to upload,
...: :func:`sample_event`), or with your own: ``--data '{"content": "..."}'``, or ``--data
@event.json``. An upload's bytes in ``--data`` are written as the forwarding function
(``functions/openapi``) takes them: ``{"contentType": "image/png", "base64": "..."}`` or
``{"contentType": ..., "value": {"type": "Buffer", "data": [137, 80, ...]}}``. A binary result
(an image) is shown by its size, and ``--out FILE`` saves its bytes. An unknown name is exit 2
with the closest valid names.

Paths are the caller's: ``python3 dev.py demo`` runs in the directory you run it from, so a
relative ``--out`` or ``@FILE`` is read there, and messages name absolute paths. ``--out`` is
checked before any call.

Without ``WX_APPID``/``WX_APPSECRET`` in the environment it starts the WeChat emulator on an
ephemeral loopback port and points the call at it; with them it calls WeChat itself
(``WX_API_BASE_URL``, default the real API). It says which on stderr; stdout is the result JSON.
Exit 0 for a successful call, 1 for a failed one (its ``{errCode, errMsg}`` on stdout), 2 for
what the command line asks that cannot be done.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wxcloud.periods import PeriodKind

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
if str(ROOT / "shared") not in sys.path:
    sys.path.insert(0, str(ROOT / "shared"))

Call = Callable[[str, dict[str, Any]], dict[str, Any]]
"""``call(name, data)``: a cloud call's result, for a sample that needs another call first (a media
file uploaded before it is downloaded)."""

PROG = "python3 dev.py demo"  # how the user runs it: the usage line and every message name it so
DEMO_OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"  # the shape of an openid; no such user
DEMO_PAGE = "pages/index/index"


def _sample_png() -> bytes:
    from devtools.wechat_emulator.images import code_image

    return code_image(b"wxcloud demo", 100, text="wxcloud demo")


def _file() -> dict[str, Any]:
    return {"contentType": "image/png", "value": _sample_png()}


def _link_expiry() -> dict[str, Any]:
    return {"isExpire": True, "expireType": 1, "expireInterval": 7}


def _performance_span() -> dict[str, Any]:
    now = int(time.time())
    return {
        "time": {"beginTimestamp": now - 7 * 86400, "endTimestamp": now},
        "module": "10022",
        "params": [{"field": "networktype", "value": "wifi"}],
    }


# A sample event per API where one made from its field types alone would not be a meaningful call.
SAMPLES: dict[str, Callable[[Call], dict[str, Any]]] = {
    "security.msgSecCheck": lambda call: {
        "content": "Hello from the wxcloud demo",
        "version": 2,
        "scene": 2,
        "openid": DEMO_OPENID,
    },
    "security.imgSecCheck": lambda call: {"media": _file()},
    "wxacode.getUnlimited": lambda call: {
        "scene": "id=42",
        "page": DEMO_PAGE,
        "checkPath": False,
        "envVersion": "release",
        "width": 430,
    },
    "wxacode.get": lambda call: {"path": f"{DEMO_PAGE}?id=42", "envVersion": "release", "width": 430},
    "wxacode.createQRCode": lambda call: {"path": f"{DEMO_PAGE}?id=42", "width": 430},
    "subscribeMessage.send": lambda call: {
        "touser": DEMO_OPENID,
        "templateId": "demo-template-id",
        "page": DEMO_PAGE,
        "miniprogramState": "developer",
        "lang": "zh_CN",
        "data": {"thing1": {"value": "Your order shipped"}, "time2": {"value": "2024-01-01 12:00"}},
    },
    "urlscheme.generate": lambda call: {
        "jumpWxa": {"path": DEMO_PAGE, "query": "id=42", "envVersion": "release"},
        **_link_expiry(),
    },
    "urlscheme.query": lambda call: {
        "scheme": call("urlscheme.generate", SAMPLES["urlscheme.generate"](call))["openlink"]
    },
    "urlscheme.generateNFCScheme": lambda call: {
        "jumpWxa": {"path": DEMO_PAGE, "query": "id=42"},
        "modelId": "demo-model",
        "sn": "demo-sn",
    },
    "urllink.generate": lambda call: {"path": DEMO_PAGE, "query": "id=42", "envVersion": "release", **_link_expiry()},
    "urllink.query": lambda call: {"urlLink": call("urllink.generate", SAMPLES["urllink.generate"](call))["urlLink"]},
    "shortlink.generate": lambda call: {
        "pageUrl": f"{DEMO_PAGE}?id=42",
        "pageTitle": "wxcloud demo",
        "isPermanent": False,
    },
    "phonenumber.getPhoneNumber": lambda call: {"code": f"demo-code-{uuid.uuid4().hex[:12]}"},
    "customerServiceMessage.uploadTempMedia": lambda call: {"type": "image", "media": _file()},
    "customerServiceMessage.getTempMedia": lambda call: {
        "mediaId": call("customerServiceMessage.uploadTempMedia", {"type": "image", "media": _file()})["mediaId"],
    },
    "officialAccount.media.upload": lambda call: {"type": "image", "media": _file()},
    "officialAccount.material.addMaterial": lambda call: {"type": "image", "media": _file()},
    "officialAccount.material.get": lambda call: {
        "mediaId": call("officialAccount.material.addMaterial", {"type": "image", "media": _file()})["mediaId"],
    },
    "officialAccount.material.delelete": lambda call: {
        "mediaId": call("officialAccount.material.addMaterial", {"type": "image", "media": _file()})["mediaId"],
    },
    "img.scanQRCode": lambda call: {"img": _file()},
    "img.aiCrop": lambda call: {"img": _file(), "ratios": "1,0.79"},
    "ocr.printedText": lambda call: {"imgUrl": "https://example.com/receipt.jpg"},
    "ocr.idcard": lambda call: {"type": "photo", "imgUrl": "https://example.com/idcard.jpg"},
    "analysis.getPerformanceData": lambda call: _performance_span(),
}

_VALUES: dict[str, Callable[[], Any]] = {
    "str": lambda: "sample",
    "int": lambda: 1,
    "num": lambda: 1,
    "bool": lambda: False,
    "obj": dict,
    "list": list,
    "any": lambda: "sample",
    "file": _file,
}


def sample_event(name: str, call: Call) -> dict[str, Any]:
    """A cloud-call event for ``name`` as a caller writes it (camelCase keys): a value of each
    field the catalogue knows of, of its type, and a file for each upload; then, for the APIs
    whose answer depends on what is asked, a meaningful one (:data:`SAMPLES`). An analysis report
    asks for what its timer asks."""
    from wxcloud import catalog
    from wxcloud.casing import as_written
    from wxcloud.spec import api_named

    spec = api_named(name)
    scheduled = spec.request_model.scheduled(datetime.now(timezone.utc))
    if scheduled is not None:
        return dict(scheduled)
    event: dict[str, Any] = {}
    entry = catalog.find(name)
    for field in entry.fields if entry is not None else ():
        event[as_written(field.name, spec.body_case)] = _VALUES[field.type]()
    for upload in spec.uploads:
        event[as_written(upload, spec.body_case)] = _file()
    sample = SAMPLES.get(spec.name) or SAMPLES.get(name)
    if sample is not None:
        event.update(sample(call))
    return event


def _fail(message: str) -> SystemExit:
    print(f"{PROG}: {message}", file=sys.stderr)
    return SystemExit(2)


def analysis_functions() -> list[str]:
    """The analysis reports that have a function of their own (``functions/<name>/index.py``)."""
    from wxcloud.spec import find_api

    return sorted(
        folder.name
        for folder in FUNCTIONS.iterdir()
        if (folder / "index.py").is_file() and find_api(f"analysis.{folder.name}") is not None
    )


def resolve(api: str) -> tuple[str, bool]:
    """``(the catalogue name, whether it is an analysis function's)``. An analysis report is named
    bare or in full (``getDailyRetain``, ``analysis.getDailyRetain``); any other name in full, as
    ``cloud.openapi`` spells it. A name of neither is exit 2, with the closest valid names."""
    from wxcloud.spec import find_api

    functions = analysis_functions()
    bare = api[len("analysis.") :] if api.startswith("analysis.") else api
    if bare in functions:
        return f"analysis.{bare}", True
    if "." in api and find_api(api) is not None:
        return api, False
    if (
        "." not in api and find_api(f"analysis.{api}") is not None
    ):  # getPerformanceData: a report with no function of its own
        return f"analysis.{api}", False
    raise _fail(unknown_api(api, functions))


def unknown_api(api: str, functions: list[str]) -> str:
    """The line that refuses ``api``: the closest valid names in the form it was written in (bare
    or ``analysis.``), or, with none close, where the valid ones are."""
    import difflib

    from wxcloud import catalog

    full = api.startswith("analysis.")
    candidates = [*functions, *catalog.names()]
    close = difflib.get_close_matches(api[:200], candidates, n=6, cutoff=0.6)
    written = [
        f"analysis.{name}"
        if full and name in functions
        else name[len("analysis.") :]
        if not full and name[len("analysis.") :] in functions
        else name
        for name in close
    ]
    names = list(dict.fromkeys(written))[:3]
    got = f"--api {api[:80]!r} names no cloud call"
    if names:
        return f"{got}; did you mean {', '.join(names[:-1])}{' or ' if len(names) > 1 else ''}{names[-1]}?"
    return (
        f"{got}: give an analysis function ({', '.join(functions)}) or a cloud call of the catalogue as cloud.openapi "
        f"names it (security.msgSecCheck; every name is in {ROOT / 'docs' / 'openapi.md'})"
    )


SPANS = {
    "week": "one week, Monday to Sunday",
    "portrait": "1, 7 or 30 days",
}  # what a period kind covers, for a message


def period_kind(api: str) -> PeriodKind:
    """The period rule of the analysis function ``api`` (a day, a week, a month, a portrait's span)."""
    from wxcloud.analysis import PeriodRequest
    from wxcloud.spec import api_named

    model = api_named(f"analysis.{api}").request_model
    assert issubclass(model, PeriodRequest)  # every analysis function's report asks for one period
    return model.kind


def event_for(api: str, month: str | None, begin: str | None, end: str | None) -> dict[str, str]:
    """An analysis function's event: the period given, or what its timer would ask for now.
    ``--month`` names a month of a monthly report; ``--begin`` and ``--end`` any report's period,
    together. A contradiction (``--month`` beside ``--begin``, ``--begin`` alone, ``--month`` for a
    daily, weekly or portrait report) is exit 2, naming the flags that would ask for its newest
    period: nothing is picked silently."""
    from wxcloud.dates import beijing_today
    from wxcloud.periods import MONTH

    kind = period_kind(api)
    latest = kind.latest(beijing_today(datetime.now(timezone.utc)))
    flags = f"--begin {latest.begin_date} --end {latest.end_date}"
    if month is not None and (begin or end):
        raise _fail(
            "--month names a whole month and --begin/--end name the dates: give one or the other (the newest period "
            f"of {api}: {flags})"
        )
    if bool(begin) != bool(end):
        raise _fail(f"--begin and --end go together: give both, such as {flags} (the newest period of {api})")
    if begin and end:
        return {"beginDate": begin, "endDate": end}
    if month is not None:
        if kind is not MONTH:
            monthly = " and ".join(name for name in analysis_functions() if period_kind(name) is MONTH)
            covers = SPANS.get(kind.name, f"one {kind.name}")
            raise _fail(
                f"--month is for the monthly reports ({monthly}); {api} covers {covers}: give its dates, such as "
                f"{flags}"
            )
        match = re.fullmatch(r"([0-9]{4})-?([0-9]{2})", month)
        if not match:
            raise _fail(f"--month must look like 2026-10, got {month[:40]!r}")
        if not 1 <= int(match.group(2)) <= 12:  # the shape is right, the month is not one
            raise _fail(
                f"--month {month}: month {match.group(2)} is out of range, a month is 01 to 12 (such as 2026-10)"
            )
        if not 1 <= int(match.group(1)):
            raise _fail(f"--month {month}: year {match.group(1)} is out of range, the calendar begins with year 0001")
        return next(MONTH.series(date(int(match.group(1)), int(match.group(2)), 1), date.max)).data()
    return latest.data()


def invoke(api: str, event: dict[str, Any]) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("index", FUNCTIONS / api / "index.py")
    assert spec is not None and spec.loader is not None
    index = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(index)  # the function exactly as deployed
    context = {
        "request_id": str(uuid.uuid4()),
        "function_name": api,
        "time_limit_in_ms": 10_000,
        "memory_limit_in_mb": 128,
    }
    with contextlib.redirect_stdout(sys.stderr):  # the function's log line goes to stdout, as on SCF
        result: dict[str, Any] = index.main_handler(event, context)
    return result


def call_api(name: str, data: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(event, result)`` of ``wxcloud.openapi[name](event)`` with ``data`` or a sample event; a
    failed call's result is its ``{errCode, errMsg}``, as a cloud function returns it."""
    from wxcloud import OpenApiRoot, WxCloudError

    root = OpenApiRoot()

    def call(api: str, event: dict[str, Any]) -> dict[str, Any]:
        return root[api](event)

    try:
        event = data if data is not None else sample_event(name, call)
        return event, call(name, event)
    except WxCloudError as err:
        return data or {}, err.to_result()


def read_data(text: str, *, files: bool) -> dict[str, Any]:
    """``--data``: a JSON object, written out or ``@FILE`` (read from the caller's directory). With
    ``files``, an upload's bytes are written as the forwarding function takes them, ``"value":
    {"type": "Buffer", "data": [...]}`` or ``"base64": "..."`` in its place
    (``wxcloud.scf.bytes_json``), and become the bytes the call uploads."""
    from wxcloud.errors import WxCloudError

    if text.startswith("@"):
        path = Path(os.path.abspath(Path(text[1:]).expanduser()))
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            raise _fail(f"--data @{path} cannot be read: {reason}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise _fail('--data must be a JSON object, such as \'{"content": "hello"}\', or @FILE holding one')
    if not files:
        return data
    from wxcloud.scf.bytes_json import decode_files

    try:
        decoded: dict[str, Any] = decode_files(data)
    except WxCloudError as err:
        raise _fail(f"--data: {err.hint or err.reason}") from None
    return decoded


def output(path: Path) -> Path:
    """``--out`` made absolute against the caller's directory and checked before any call: a place
    no file can be written is exit 2, naming it."""
    from wxcloud import paths
    from wxcloud.errors import WxCloudError

    try:
        target: Path = paths.output(path, "--out")
    except WxCloudError as err:
        raise _fail(err.hint or err.reason) from None
    return target


def save(buffer: bytes | bytearray, out: Path) -> str | None:
    """Write a binary result to ``out``; why it could not be, or None."""
    from wxcloud import paths
    from wxcloud.errors import WxCloudError

    try:
        paths.write(out, bytes(buffer), "--out")
    except WxCloudError as err:
        return err.hint or err.reason
    return None


def shown(value: Any) -> Any:
    """``value`` as JSON can show it: bytes by their size."""
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {key: shown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shown(item) for item in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--api",
        default="getMonthlyVisitTrend",
        help="the analysis function or cloud call (default getMonthlyVisitTrend)",
    )
    parser.add_argument(
        "--month", help="YYYY-MM: the month of a monthly report (getMonthlyVisitTrend, getMonthlyRetain)"
    )
    parser.add_argument("--begin", help="beginDate yyyymmdd of an analysis report's period, with --end")
    parser.add_argument("--end", help="endDate yyyymmdd of an analysis report's period, with --begin")
    parser.add_argument("--data", help="the event as a JSON object, or @FILE holding one, instead of the sample one")
    parser.add_argument(
        "--out", type=Path, help="write a binary result's bytes (an image) to this file, relative to where you are"
    )
    args = parser.parse_args(argv)
    name, analysis = resolve(args.api)
    periods = [
        flag
        for flag, value in (("--month", args.month), ("--begin", args.begin), ("--end", args.end))
        if value is not None
    ]
    if periods and not analysis:
        raise _fail(f"--month, --begin and --end are for the analysis reports; give {name} its event with --data")
    if periods and args.data is not None:
        raise _fail(
            f"--data is the whole event, and {' and '.join(periods)} would be ignored: give the period in --data, or "
            "drop --data"
        )
    data = read_data(args.data, files=not analysis) if args.data is not None else None
    out = output(args.out) if args.out is not None else None  # before any call: a result is not fetched to be lost
    event: dict[str, Any] = {}
    if analysis:
        event = data if data is not None else event_for(name.split(".", 1)[1], args.month, args.begin, args.end)

    def run() -> tuple[dict[str, Any], dict[str, Any]]:
        if analysis:
            return event, invoke(name.split(".", 1)[1], event)
        return call_api(name, data)

    if os.environ.get("WX_APPID") and os.environ.get("WX_APPSECRET"):
        target = os.environ.get("WX_API_BASE_URL") or "https://api.weixin.qq.com"
        print(f"target: WeChat at {target} (appid {os.environ['WX_APPID']})", file=sys.stderr)
        sent, result = run()
    else:
        from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, WeChatEmulator

        with WeChatEmulator() as emulator:
            os.environ.update(WX_APPID=DEFAULT_APPID, WX_APPSECRET=DEFAULT_SECRET, WX_API_BASE_URL=emulator.url)
            print(
                f"target: built-in WeChat emulator at {emulator.url} (set WX_APPID and WX_APPSECRET to call WeChat "
                "instead)",
                file=sys.stderr,
            )
            sent, result = run()
    print(f"event: {json.dumps(shown(sent), ensure_ascii=False)}", file=sys.stderr)
    buffer = result.get("buffer")
    problem = None
    if isinstance(buffer, (bytes, bytearray)):
        if out is None:
            print(
                f"buffer: {len(buffer)} bytes of {result.get('contentType')} (--out FILE saves them)", file=sys.stderr
            )
        else:
            problem = save(buffer, out)
            if problem is None:
                print(f"buffer: {len(buffer)} bytes of {result.get('contentType')} written to {out}", file=sys.stderr)
    elif out is not None:
        print(f"nothing written to {out}: the result holds no bytes", file=sys.stderr)
    print(json.dumps(shown(result), ensure_ascii=False, indent=2))
    if problem is not None:
        raise _fail(problem)
    return 0 if result.get("errCode") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
