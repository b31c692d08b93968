"""Invoke the getMonthlyVisitTrend function locally, the way SCF would, and print its result.

    python3 dev.py demo [--month YYYY-MM]

Without ``WX_APPID``/``WX_APPSECRET`` in the environment it starts the WeChat emulator on an
ephemeral loopback port and points the function at it; with them it calls WeChat itself
(``WX_API_BASE_URL``, default the real API). It says which on stderr; stdout is the result JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import sys
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_DIR = ROOT / "functions" / "getMonthlyVisitTrend"


def month_event(month: str | None) -> dict[str, str]:
    """The cloud-call event for ``YYYY-MM`` (or ``YYYYMM``); default: the last finished month."""
    sys.path[:0] = [str(ROOT / "shared")]
    from wxcloud.dates import beijing_today
    from wxcloud.periods import MONTH

    today = beijing_today(datetime.now(timezone.utc))
    if month is None:
        return MONTH.latest(today).data()
    match = re.fullmatch(r"([0-9]{4})-?([0-9]{2})", month)
    if not match or not 1 <= int(match.group(1)) or not 1 <= int(match.group(2)) <= 12:
        raise SystemExit(f"--month must look like 2026-10, got {month!r}")
    first = date(int(match.group(1)), int(match.group(2)), 1)
    return next(MONTH.series(first, date.max)).data()


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    sys.path[:0] = [str(FUNCTION_DIR), str(ROOT / "shared")]
    import index  # the function exactly as deployed: functions/getMonthlyVisitTrend/index.py

    context = {
        "request_id": str(uuid.uuid4()),
        "function_name": "getMonthlyVisitTrend",
        "time_limit_in_ms": 10_000,
        "memory_limit_in_mb": 128,
    }
    with contextlib.redirect_stdout(sys.stderr):  # the function's log line goes to stdout, as on SCF
        result: dict[str, Any] = index.main_handler(event, context)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--month", help="YYYY-MM to query (default: the last finished month, Beijing time)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="log: %(message)s", stream=sys.stderr)
    event = month_event(args.month)

    if os.environ.get("WX_APPID") and os.environ.get("WX_APPSECRET"):
        target = os.environ.get("WX_API_BASE_URL") or "https://api.weixin.qq.com"
        print(f"target: WeChat at {target} (appid {os.environ['WX_APPID']})", file=sys.stderr)
        result = invoke(event)
    else:
        from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, WeChatEmulator

        with WeChatEmulator() as emulator:
            os.environ.update(WX_APPID=DEFAULT_APPID, WX_APPSECRET=DEFAULT_SECRET, WX_API_BASE_URL=emulator.url)
            print(
                f"target: built-in WeChat emulator at {emulator.url} "
                "(set WX_APPID and WX_APPSECRET to call WeChat instead)",
                file=sys.stderr,
            )
            result = invoke(event)
    print(f"event: {json.dumps(event)}", file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result.get("errCode") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
