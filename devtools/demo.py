"""Make one cloud call locally and print its result: an analysis function as SCF would invoke it,
or any other API of the catalogue through the library.

    python3 dev.py demo [--api NAME] [--month YYYY-MM | --begin yyyymmdd --end yyyymmdd] [--data JSON] [--out FILE]

``NAME`` is a cloud-call name as ``cloud.openapi`` spells it (``security.msgSecCheck``,
``wxacode.getUnlimited``). An analysis report may be named bare or in full (``getDailyRetain``,
``analysis.getDailyRetain``; default ``getMonthlyVisitTrend``): its function
``functions/<api>/index.py`` is invoked exactly as deployed, for the period you name or, by
default, for what its timer asks: the newest period of its kind that is over in Beijing time.
Any other name is called through ``wxcloud.openapi`` with a sample event for that API (a text to
check, a page to make a code of, a file to upload, ...: :func:`sample_event`), or with your own
(``--data '{"content": "..."}'``); a binary result (an image) is shown by its size, and ``--out``
saves its bytes.

Without ``WX_APPID``/``WX_APPSECRET`` in the environment it starts the WeChat emulator on an
ephemeral loopback port and points the call at it; with them it calls WeChat itself
(``WX_API_BASE_URL``, default the real API). It says which on stderr; stdout is the result JSON.
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
if str(ROOT / "shared") not in sys.path:
    sys.path.insert(0, str(ROOT / "shared"))

Call = Callable[[str, dict[str, Any]], dict[str, Any]]
"""``call(name, data)``: a cloud call's result, for a sample that needs another call first (a media
file uploaded before it is downloaded)."""

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
    return {"time": {"beginTimestamp": now - 7 * 86400, "endTimestamp": now}, "module": "10022",
            "params": [{"field": "networktype", "value": "wifi"}]}


# A sample event per API where one made from its field types alone would not be a meaningful call.
SAMPLES: dict[str, Callable[[Call], dict[str, Any]]] = {
    "security.msgSecCheck": lambda call: {"content": "Hello from the wxcloud demo", "version": 2, "scene": 2, "openid": DEMO_OPENID},
    "security.imgSecCheck": lambda call: {"media": _file()},
    "wxacode.getUnlimited": lambda call: {"scene": "id=42", "page": DEMO_PAGE, "checkPath": False, "envVersion": "release", "width": 430},
    "wxacode.get": lambda call: {"path": f"{DEMO_PAGE}?id=42", "envVersion": "release", "width": 430},
    "wxacode.createQRCode": lambda call: {"path": f"{DEMO_PAGE}?id=42", "width": 430},
    "subscribeMessage.send": lambda call: {
        "touser": DEMO_OPENID, "templateId": "demo-template-id", "page": DEMO_PAGE, "miniprogramState": "developer", "lang": "zh_CN",
        "data": {"thing1": {"value": "Your order shipped"}, "time2": {"value": "2024-01-01 12:00"}},
    },
    "urlscheme.generate": lambda call: {"jumpWxa": {"path": DEMO_PAGE, "query": "id=42", "envVersion": "release"}, **_link_expiry()},
    "urlscheme.query": lambda call: {"scheme": call("urlscheme.generate", SAMPLES["urlscheme.generate"](call))["openlink"]},
    "urlscheme.generateNFCScheme": lambda call: {"jumpWxa": {"path": DEMO_PAGE, "query": "id=42"}, "modelId": "demo-model", "sn": "demo-sn"},
    "urllink.generate": lambda call: {"path": DEMO_PAGE, "query": "id=42", "envVersion": "release", **_link_expiry()},
    "urllink.query": lambda call: {"urlLink": call("urllink.generate", SAMPLES["urllink.generate"](call))["urlLink"]},
    "shortlink.generate": lambda call: {"pageUrl": f"{DEMO_PAGE}?id=42", "pageTitle": "wxcloud demo", "isPermanent": False},
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
    "str": lambda: "sample", "int": lambda: 1, "num": lambda: 1, "bool": lambda: False, "obj": dict, "list": list, "any": lambda: "sample",
    "file": _file,
}


def sample_event(name: str, call: Call) -> dict[str, Any]:
    """A cloud-call event for ``name`` as a caller writes it (camelCase keys): a value of each
    field the catalogue knows of, of its type, and a file for each upload; then, for the APIs
    whose answer depends on what is asked, a meaningful one (:data:`SAMPLES`). An analysis report
    asks for what its timer asks."""
    from wxcloud import catalog
    from wxcloud.casing import snake_to_camel
    from wxcloud.spec import api_named

    spec = api_named(name)
    scheduled = spec.request_model.scheduled(datetime.now(timezone.utc))
    if scheduled is not None:
        return dict(scheduled)
    event: dict[str, Any] = {}
    entry = catalog.find(name)
    for field in entry.fields if entry is not None else ():
        key = field.name if spec.body_case == "camel" else snake_to_camel(field.name)
        event[key] = _VALUES[field.type]()
    for upload in spec.uploads:
        event[upload if spec.body_case == "camel" else snake_to_camel(upload)] = _file()
    sample = SAMPLES.get(spec.name) or SAMPLES.get(name)
    if sample is not None:
        event.update(sample(call))
    return event


def _fail(message: str) -> SystemExit:
    print(f"demo: {message}", file=sys.stderr)
    return SystemExit(2)


def resolve(api: str) -> tuple[str, bool]:
    """``(the catalogue name, whether it is an analysis function's)``; a name of neither is exit 2."""
    from wxcloud import catalog
    from wxcloud.spec import find_api

    bare = api[len("analysis.") :] if api.startswith("analysis.") else api
    if "." not in bare and (FUNCTIONS / bare / "index.py").is_file() and find_api(f"analysis.{bare}") is not None:
        return f"analysis.{bare}", True
    spec = find_api(api) if "." in api else None
    if spec is None:
        close = catalog.suggest(api) or catalog.suggest(f"analysis.{api}")
        tip = f"; did you mean {' or '.join(close)}?" if close else ""
        raise _fail(f"--api must name a cloud call of the catalogue (security.msgSecCheck) or an analysis function of {FUNCTIONS.name}/, "
                    f"got {api[:80]!r}{tip}")
    return api, False


def event_for(api: str, month: str | None, begin: str | None, end: str | None) -> dict[str, str]:
    """An analysis function's event: the period given, or what its timer would ask for now."""
    from wxcloud.periods import MONTH
    from wxcloud.spec import find_api

    spec = find_api(f"analysis.{api}")
    if spec is None:
        raise _fail(f"--api must name one of the functions in {FUNCTIONS}, got {api!r}")
    if begin or end:
        return {"beginDate": begin or end or "", "endDate": end or begin or ""}
    if month is not None:
        match = re.fullmatch(r"([0-9]{4})-?([0-9]{2})", month)
        if not match or not 1 <= int(match.group(1)) or not 1 <= int(match.group(2)) <= 12:
            raise _fail(f"--month must look like 2026-10, got {month!r}")
        return next(MONTH.series(date(int(match.group(1)), int(match.group(2)), 1), date.max)).data()
    data: dict[str, str] = spec.request_model.scheduled(datetime.now(timezone.utc))
    return data


def invoke(api: str, event: dict[str, Any]) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("index", FUNCTIONS / api / "index.py")
    assert spec is not None and spec.loader is not None
    index = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(index)  # the function exactly as deployed
    context = {"request_id": str(uuid.uuid4()), "function_name": api, "time_limit_in_ms": 10_000, "memory_limit_in_mb": 128}
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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", default="getMonthlyVisitTrend", help="the cloud call or analysis function (default getMonthlyVisitTrend)")
    parser.add_argument("--month", help="YYYY-MM, for the monthly reports")
    parser.add_argument("--begin", help="beginDate yyyymmdd, for the analysis reports")
    parser.add_argument("--end", help="endDate yyyymmdd, for the analysis reports")
    parser.add_argument("--data", help="the event as a JSON object, instead of the sample one")
    parser.add_argument("--out", type=Path, help="write a binary result's bytes (an image) to this file")
    args = parser.parse_args(argv)
    name, analysis = resolve(args.api)
    data: dict[str, Any] | None = None
    if args.data is not None:
        try:
            data = json.loads(args.data)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise _fail("--data must be a JSON object, such as '{\"content\": \"hello\"}'")
    event: dict[str, Any] = {}
    if analysis:
        event = data if data is not None else event_for(name.split(".", 1)[1], args.month, args.begin, args.end)
    elif args.month or args.begin or args.end:
        raise _fail(f"--month, --begin and --end are for the analysis reports; give {name} its event with --data")

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
            print(f"target: built-in WeChat emulator at {emulator.url} (set WX_APPID and WX_APPSECRET to call WeChat instead)", file=sys.stderr)
            sent, result = run()
    print(f"event: {json.dumps(shown(sent), ensure_ascii=False)}", file=sys.stderr)
    buffer = result.get("buffer")
    if isinstance(buffer, (bytes, bytearray)):
        if args.out is not None:
            args.out.write_bytes(buffer)
            print(f"buffer: {len(buffer)} bytes of {result.get('contentType')} written to {args.out}", file=sys.stderr)
        else:
            print(f"buffer: {len(buffer)} bytes of {result.get('contentType')} (--out FILE saves them)", file=sys.stderr)
    print(json.dumps(shown(result), ensure_ascii=False, indent=2))
    return 0 if result.get("errCode") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
