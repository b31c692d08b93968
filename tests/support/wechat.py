"""The WeChat side of the tests: the API most tests call and its paths, the token sources a client
can use, the function as deployed over a client of the test's choosing, and a client of a fake
WeChat that a test scripts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from wxcloud import ApiSpec, FunctionApp, OpenApiClient, Permissions, WxSettings

from devtools.wechat_emulator import Received

API = "analysis.getMonthlyVisitTrend"
DISPLAY = "openapi.analysis.getMonthlyVisitTrend"
PATH = "/datacube/getweanalysisappidmonthlyvisittrend"
STABLE = "/cgi-bin/stable_token"
EVENT = {"beginDate": "20170301", "endDate": "20170331"}  # a month of the API under test, long closed
AUTHORIZER = (
    "wx0000authorizer0001"  # an app that authorized the platform: its tokens come from the platform token service
)
# The fields of a row of the monthly visit trend, in the order WeChat's documentation gives them.
TREND_FIELDS = (
    "refDate",
    "sessionCnt",
    "visitPv",
    "visitUv",
    "visitUvNew",
    "stayTimeUv",
    "stayTimeSession",
    "visitDepth",
)
PLATFORM_KEY = "-".join(("platform", "key", "0123456789abcdef"))  # the service's bearer key (fake test data)


UNWATCHED_HANDLE = FunctionApp.handle  # for a test whose tracker must not see the watcher's own frame


@dataclass
class TokenSide:
    """Where a test's clients get their tokens: ``stable`` (stable_token with the appsecret) or
    ``platform`` (the provider's token service, no appsecret). ``client(**options)`` builds one;
    ``requests()`` are the token requests so far; ``path``/``add_fault`` script the token endpoint."""

    kind: str
    settings: WxSettings
    requests: Callable[[], list[Received]]
    add_fault: Callable[..., None]
    source: Callable[[], Any]

    def client(self, **options: Any) -> OpenApiClient:
        options.setdefault("permissions", Permissions.allow(API))
        return OpenApiClient(self.settings, token_source=self.source(), **options)


def write_config(directory: Path, *apis: str) -> Path:
    """A function's config.json declaring ``apis`` (default: the API under test)."""
    path = directory / "config.json"
    path.write_text(json.dumps({"permissions": {"openapi": list(apis or (API,))}}))
    return path


def make_app(directory: Path, settings: WxSettings | None = None, **client_options: Any) -> FunctionApp:
    """The function as deployed, with its config.json in ``directory``: a cold instance, whose
    client is built on first use from ``settings`` (or, without them, from the environment)."""
    from wxcloud.analysis import Analysis

    config = write_config(directory)
    if settings is None:
        return FunctionApp(Analysis.getMonthlyVisitTrend, (config,))
    return FunctionApp(
        Analysis.getMonthlyVisitTrend,
        (config,),
        client_factory=lambda permissions: OpenApiClient(settings, permissions=permissions, **client_options),
    )


# ---- a fake WeChat that each test scripts (pytest-httpserver), for the calls' exact wire format ----


def client_of(wechat: HTTPServer, token: str, appid: str, appsecret: str) -> Iterator[OpenApiClient]:
    """A fixture body: a client of ``wechat``, whose stable_token answers ``token``; what the fake
    was told and logged is cleared before and after."""
    wechat.clear()
    wechat.expect_request(STABLE, method="POST").respond_with_json({"access_token": token, "expires_in": 7200})
    made = OpenApiClient(WxSettings(appid=appid, appsecret=appsecret, api_base_url=wechat.url_for("").rstrip("/")))
    yield made
    made.close()
    wechat.clear()


class ClientBackend:
    """What a root over ``client`` calls through (``wxcloud.OpenApiRoot(ClientBackend(client))``),
    as ``wxcloud.openapi`` calls through the environment's client."""

    def __init__(self, client: OpenApiClient) -> None:
        self._client = client

    def client(self) -> OpenApiClient:
        return self._client

    def call(self, spec: ApiSpec[Any, Any], data: Any, *, convert_case: bool = True) -> dict[str, Any]:
        return self._client.call(spec, data, convert_case=convert_case)
