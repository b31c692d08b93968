"""A loopback HTTP emulator of the WeChat server API used by this project (see ``server``)."""

from devtools.wechat_emulator.server import (
    ANALYSIS_PATHS,
    DEFAULT_APPID,
    DEFAULT_SECRET,
    MONTHLY_VISIT_TREND_PATH,
    STABLE_TOKEN_PATH,
    Fault,
    Received,
    WeChatEmulator,
    main,
)

__all__ = [
    "ANALYSIS_PATHS",
    "DEFAULT_APPID",
    "DEFAULT_SECRET",
    "MONTHLY_VISIT_TREND_PATH",
    "STABLE_TOKEN_PATH",
    "Fault",
    "Received",
    "WeChatEmulator",
    "main",
]
