"""An account's daily quota of one WeChat API, read from WeChat itself.

Why it exists: WeChat allows each account a number of requests per API per day and answers
45009 once they are spent, for the rest of the day. A caller about to make many requests (an
archive backfill: one per report and period) can ask first how many are left,
``POST /cgi-bin/openapi/quota/get`` with ``{"cgi_path": "/datacube/..."}``, and plan within it
instead of running into the wall. The read goes through the client's own token, retry and
deadline machinery (``OpenApiClient.post_json``); this module only checks the answer's shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import InvalidResponse, calling

if TYPE_CHECKING:
    from .client import OpenApiClient
    from .deadline import Deadline

QUOTA_GET_PATH = "/cgi-bin/openapi/quota/get"

_FIELDS = ("daily_limit", "used", "remain")


@dataclass(frozen=True)
class Quota:
    """Today's quota of one API for this account: ``daily_limit`` requests, ``used`` of them so
    far, ``remain`` left (as WeChat reports them; never recomputed here)."""

    daily_limit: int
    used: int
    remain: int


def read_quota(client: OpenApiClient, cgi_path: str, *, deadline: Deadline | None = None) -> Quota:
    """Today's quota of ``cgi_path`` (``/datacube/getweanalysisappiddailyretaininfo``): one
    request, or a ``WxCloudError`` (WeChat's code, such as 76021 for a path it does not know;
    ``InvalidResponse`` for an answer without a well-formed ``quota``)."""
    reply = client.post_json(QUOTA_GET_PATH, {"cgi_path": cgi_path}, deadline=deadline)
    with calling(QUOTA_GET_PATH):
        return _quota(reply.get("quota"))


def _quota(value: Any) -> Quota:
    if not isinstance(value, dict):
        raise InvalidResponse(
            f"wechat server internal error, the quota reply has no quota object (got a {type(value).__name__})"
        )
    figures: dict[str, int] = {}
    for name in _FIELDS:
        figure = value.get(name)
        if isinstance(figure, bool) or not isinstance(figure, int) or figure < 0:
            got = (
                "a negative number"
                if isinstance(figure, int) and not isinstance(figure, bool)
                else f"a {type(figure).__name__}"
            )
            raise InvalidResponse(
                f"wechat server internal error, the quota's {name} must be a whole number >= 0, got {got}"
            )
        figures[name] = figure
    return Quota(**figures)
