"""Invoke one analysis function locally, the way SCF would, and print its result.

    python3 dev.py demo [--api getDailyVisitTrend] [--month YYYY-MM | --begin yyyymmdd --end yyyymmdd]

The function is ``functions/<api>/index.py`` exactly as deployed (default ``getMonthlyVisitTrend``),
asked for the period you name or, by default, for what its timer asks: the newest period of its
kind that is over in Beijing time. Without ``WX_APPID``/``WX_APPSECRET`` in the environment it
starts the WeChat emulator on an ephemeral loopback port and points the function at it; with them
it calls WeChat itself (``WX_API_BASE_URL``, default the real API). It says which on stderr;
stdout is the result JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import sys
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"


def event_for(api: str, month: str | None, begin: str | None, end: str | None) -> dict[str, str]:
    """The cloud-call event: the period given, or what the function's timer would ask for now."""
    sys.path[:0] = [str(ROOT / "shared")]
    from wxcloud.periods import MONTH
    from wxcloud.spec import find_api

    spec = find_api(f"analysis.{api}")
    if spec is None:
        raise SystemExit(f"--api must name one of the functions in {FUNCTIONS}, got {api!r}")
    if begin or end:
        return {"beginDate": begin or end or "", "endDate": end or begin or ""}
    if month is not None:
        match = re.fullmatch(r"([0-9]{4})-?([0-9]{2})", month)
        if not match or not 1 <= int(match.group(1)) or not 1 <= int(match.group(2)) <= 12:
            raise SystemExit(f"--month must look like 2026-10, got {month!r}")
        return next(MONTH.series(date(int(match.group(1)), int(match.group(2)), 1), date.max)).data()
    data: dict[str, str] = spec.request_model.scheduled(datetime.now(timezone.utc))
    return data


def invoke(api: str, event: dict[str, Any]) -> dict[str, Any]:
    sys.path[:0] = [str(ROOT / "shared")]
    spec = importlib.util.spec_from_file_location("index", FUNCTIONS / api / "index.py")
    assert spec is not None and spec.loader is not None
    index = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(index)  # the function exactly as deployed
    context = {"request_id": str(uuid.uuid4()), "function_name": api, "time_limit_in_ms": 10_000, "memory_limit_in_mb": 128}
    with contextlib.redirect_stdout(sys.stderr):  # the function's log line goes to stdout, as on SCF
        result: dict[str, Any] = index.main_handler(event, context)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", default="getMonthlyVisitTrend", help="the function to invoke (default getMonthlyVisitTrend)")
    parser.add_argument("--month", help="YYYY-MM, for the monthly reports")
    parser.add_argument("--begin", help="beginDate yyyymmdd")
    parser.add_argument("--end", help="endDate yyyymmdd")
    args = parser.parse_args(argv)
    event = event_for(args.api, args.month, args.begin, args.end)

    if os.environ.get("WX_APPID") and os.environ.get("WX_APPSECRET"):
        target = os.environ.get("WX_API_BASE_URL") or "https://api.weixin.qq.com"
        print(f"target: WeChat at {target} (appid {os.environ['WX_APPID']})", file=sys.stderr)
        result = invoke(args.api, event)
    else:
        from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, WeChatEmulator

        with WeChatEmulator() as emulator:
            os.environ.update(WX_APPID=DEFAULT_APPID, WX_APPSECRET=DEFAULT_SECRET, WX_API_BASE_URL=emulator.url)
            print(f"target: built-in WeChat emulator at {emulator.url} (set WX_APPID and WX_APPSECRET to call WeChat instead)", file=sys.stderr)
            result = invoke(args.api, event)
    print(f"event: {json.dumps(event)}", file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result.get("errCode") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
