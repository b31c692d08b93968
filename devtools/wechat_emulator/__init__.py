"""A loopback HTTP emulator of the WeChat server API, for the tests and the bench (stdlib only).

The parts, each importing only those listed before it: ``values`` (the default app, Received,
Fault, ApiError), ``endpoints`` (WeChat's table of its endpoints, the emulator's own), ``images``
(PNG images), ``visits`` (the users every analysis figure is a share of: an app's days, and
what a week or a month of them adds up to), ``pages`` and ``portraits`` (getVisitPage's and
getUserPortrait's shares of them), ``datacube`` (the analysis APIs' replies and period rules),
``quotas`` (the daily quota per app and path), ``checks`` (how WeChat reads a request), ``desk``
(what it keeps between calls), ``answers`` (what it answers), ``plumbing`` (the HTTP server),
``loopback`` (serving it in a thread: start, URL, stop), ``server`` (WeChatEmulator and
``main``); ``python -m devtools.wechat_emulator`` serves.
"""

from devtools.wechat_emulator.datacube import ANALYSIS_PATHS, MONTHLY_VISIT_TREND_PATH
from devtools.wechat_emulator.quotas import DEFAULT_DAILY_LIMIT
from devtools.wechat_emulator.server import WeChatEmulator, main
from devtools.wechat_emulator.values import (
    DEFAULT_APPID,
    DEFAULT_RISKY_WORD,
    DEFAULT_SECRET,
    QUOTA_GET_PATH,
    STABLE_TOKEN_PATH,
    Fault,
    Received,
)

__all__ = [
    "ANALYSIS_PATHS",
    "DEFAULT_APPID",
    "DEFAULT_DAILY_LIMIT",
    "DEFAULT_RISKY_WORD",
    "DEFAULT_SECRET",
    "MONTHLY_VISIT_TREND_PATH",
    "QUOTA_GET_PATH",
    "STABLE_TOKEN_PATH",
    "Fault",
    "Received",
    "WeChatEmulator",
    "main",
]
