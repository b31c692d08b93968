"""Shared fixtures: one WeChat emulator on loopback for the session (reset before every test), the
function's environment pointed at it, and a log capture that fails any test whose log output
contains the appsecret or any token the emulator issued; a fake WeChat that each test scripts, for
the tests of the exact wire format; what a test does without a tool it needs."""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
import requests
from pytest_httpserver import HTTPServer
from tencentcloud_http import loopback_fixture
from wxcloud import ApiSpec, FunctionApp, Timeouts, WxSettings
from wxcloud.client import OpenApiClient
from wxcloud.permissions import Permissions
from wxcloud.retry import RetryPolicy

from devtools.install_wxsdk import SDK_VERSION, is_installed, sdk_dir
from devtools.platform_token_service import PlatformTokenService
from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, Received, WeChatEmulator

ROOT = Path(__file__).resolve().parent.parent
EVENTS = Path(__file__).resolve().parent / "events"
API = "analysis.getMonthlyVisitTrend"
DISPLAY = "openapi.analysis.getMonthlyVisitTrend"
PATH = "/datacube/getweanalysisappidmonthlyvisittrend"
STABLE = "/cgi-bin/stable_token"
AUTHORIZER = (
    "wx0000authorizer0001"  # an app that authorized the platform: its tokens come from the platform token service
)
PLATFORM_KEY = "-".join(("platform", "key", "0123456789abcdef"))  # the service's bearer key (fake test data)


UNWATCHED_HANDLE = FunctionApp.handle  # for a test whose tracker must not see the watcher's own frame

# The database kinds that live on a server (PostgreSQL, MariaDB): a test parametrized with one of
# them, directly or through a fixture's parameter, talks to that server.
SERVER_KINDS = frozenset({"postgresql", "mariadb"})


@pytest.hookimpl(tryfirst=True)  # before pytest's own hook deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks what ``dev.py test --fast`` leaves out, from what each test uses, so a new test is
    marked without anyone remembering to: ``browser`` for a test that takes the ``browser``
    fixture, ``servers`` for one whose parameters (its own, or its fixtures', such as ``db``'s)
    include a server database kind. A fixture that connects to a server therefore takes its kind
    as its parameter (``params=["postgresql"]``). Heavy tests and modules mark themselves ``slow``."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and any(
            isinstance(value, str) and value in SERVER_KINDS for value in callspec.params.values()
        ):
            item.add_marker(pytest.mark.servers)


def unavailable(message: str) -> NoReturn:
    """A tool the test needs is not installed: a visible skip here, a failure in CI (which installs it)."""
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def sdk_unavailable(reason: str) -> NoReturn:
    """node, the pinned wx-server-sdk or what it installs is missing: ``unavailable``, saying how to install them."""
    unavailable(f"{reason}; run `python devtools/install_wxsdk.py` (needs node + npm)")


@pytest.fixture(scope="module")
def sdk_path() -> Path:
    """The pinned wx-server-sdk the differential tests run in node (``sdk_unavailable`` without them)."""
    path = sdk_dir(ROOT)
    if shutil.which("node") is None:
        sdk_unavailable("node is not on PATH")
    if not is_installed(path):
        sdk_unavailable(f"wx-server-sdk@{SDK_VERSION} is not installed at {path}")
    return path


@pytest.fixture(name="browser", scope="module")
def browser_fixture() -> Iterator[Any]:
    """Headless Chromium for the report's browser tests (``unavailable`` where it is not installed)."""
    from devtools.browser import chromium, executables

    if executables() is None:
        unavailable("chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)")
    with chromium() as driver:
        yield driver


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A plain HTTP session, for the tests that speak to a server by hand."""
    with requests.Session() as session:
        yield session


def load_event(name: str) -> Any:
    return json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.texts.append(self.format(record))  # format() includes exc_info tracebacks

    def lines(self, level: int = logging.DEBUG) -> list[dict[str, Any]]:
        """The functions' JSON log lines (one per invocation) at ``level`` or above."""
        return [
            json.loads(r.getMessage())
            for r in self.records
            if r.name == "wxcloud" and r.levelno >= level and r.getMessage().startswith("{")
        ]


@pytest.fixture(scope="session")
def emulator() -> Iterator[WeChatEmulator]:
    with WeChatEmulator() as emu:
        yield emu


@pytest.fixture(scope="session", autouse=True)
def function_environment(emulator: WeChatEmulator) -> Iterator[None]:
    """The environment SCF would give the deployed function, aimed at the emulator."""
    saved = dict(os.environ)
    os.environ.update(WX_APPID=DEFAULT_APPID, WX_APPSECRET=DEFAULT_SECRET, WX_API_BASE_URL=emulator.url)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(name, None)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def clean_emulator(emulator: WeChatEmulator) -> None:
    emulator.clear()


def watch_answers(monkeypatch: pytest.MonkeyPatch, handler_class: type[Any]) -> list[str]:
    """Every answer of ``handler_class.handle`` (and every error it raises), as text, in a list
    that grows while the test runs."""
    seen: list[str] = []
    original = handler_class.handle

    def watched(self: Any, event: Any, context: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = original(self, event, context)
        except BaseException as exc:
            seen.append("".join(traceback.format_exception(exc)))
            raise
        seen.append(json.dumps(result, ensure_ascii=False, default=repr))
        return result

    monkeypatch.setattr(handler_class, "handle", watched)
    return seen


@pytest.fixture(autouse=True)
def no_secrets_in_answers(emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Watches every handler answer and every error raised to a caller, in every test: neither may
    contain the appsecret or a token the emulator issued."""
    seen = watch_answers(monkeypatch, FunctionApp)
    yield seen
    secrets = [DEFAULT_SECRET, PLATFORM_KEY, *emulator.issued_tokens]
    leaks = [text for text in seen for secret in secrets if secret in text]
    assert not leaks, f"secret or token in an answer: {leaks[:3]}"


@pytest.fixture(autouse=True)
def no_secrets_in_logs(emulator: WeChatEmulator) -> Iterator[_Capture]:
    """Every test runs with all loggers at DEBUG captured; none may show a secret or a token. A
    function's own ``wxcloud`` logger does not propagate, so it is watched as well."""
    capture = _Capture()
    root, own = logging.getLogger(), logging.getLogger("wxcloud")
    old_levels = root.level, own.level
    for logger in (root, own):
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        for logger, level in zip((root, own), old_levels, strict=True):
            logger.removeHandler(capture)
            logger.setLevel(level)
    secrets = [DEFAULT_SECRET, PLATFORM_KEY, *emulator.issued_tokens]
    leaks = [text for text in capture.texts for secret in secrets if secret in text]
    assert not leaks, f"secret or token in log output: {leaks[:3]}"


@pytest.fixture
def wxlog(no_secrets_in_logs: _Capture) -> _Capture:
    """What the functions logged in this test (``wxlog.lines()``: their JSON lines)."""
    return no_secrets_in_logs


@pytest.fixture
def settings(emulator: WeChatEmulator) -> WxSettings:
    return WxSettings(DEFAULT_APPID, DEFAULT_SECRET, emulator.url, Timeouts(connect=1.0, read=1.0))


@pytest.fixture(scope="session")
def platform_service(emulator: WeChatEmulator) -> Iterator[PlatformTokenService]:
    emulator.add_authorizer(AUTHORIZER)
    with PlatformTokenService(emulator, key=PLATFORM_KEY) as service:
        yield service


@pytest.fixture
def platform(platform_service: PlatformTokenService) -> PlatformTokenService:
    """The provider's token service on loopback (over the emulator), with no requests or faults yet."""
    platform_service.clear()
    return platform_service


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


@pytest.fixture(params=["stable", "platform"])
def side(request: pytest.FixtureRequest, emulator: WeChatEmulator, settings: WxSettings) -> TokenSide:
    if request.param == "stable":
        return TokenSide(
            "stable",
            settings,
            lambda: emulator.requests_to(STABLE),
            lambda fault, times=1: emulator.add_fault(STABLE, fault, times),
            lambda: None,
        )
    from wxcloud.http.redaction import Sealed
    from wxcloud.platform_tokens import PlatformTokenSource

    service: PlatformTokenService = request.getfixturevalue("platform")
    platform_settings = WxSettings(AUTHORIZER, "", emulator.url, settings.timeouts)
    return TokenSide(
        "platform",
        platform_settings,
        service.requests,
        service.add_fault,
        lambda: PlatformTokenSource(AUTHORIZER, service.url, key=Sealed(PLATFORM_KEY), timeouts=settings.timeouts),
    )


class Sleeps(list[float]):
    """An injected ``sleep`` that records instead of waiting, so retry tests run instantly."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def run_at_once(count: int, work: Any) -> list[Any]:
    """``work(i)`` for i in range(count), in as many threads released together by a barrier."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


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


@pytest.fixture
def app(settings: WxSettings, tmp_path: Path, sleeps: Sleeps) -> FunctionApp:
    return make_app(tmp_path, settings, sleep=sleeps)


@pytest.fixture
def client(settings: WxSettings, sleeps: Sleeps) -> Iterator[OpenApiClient]:
    c = OpenApiClient(settings, permissions=Permissions.allow(API), sleep=sleeps, retry=RetryPolicy(random=lambda: 0.5))
    yield c
    c.close()


# ---- a fake WeChat that each test scripts (pytest-httpserver), for the calls' exact wire format ----


# A fake WeChat on loopback of the module's own, answering as each test scripts it.
wechat = loopback_fixture("wechat")


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


# ---- the real error tracker, sending to a list ----


@contextmanager
def sentry_envelopes(**options: Any) -> Iterator[list[str]]:
    """The real sentry client with every frame's local variables and PII recorded, sending to the
    yielded list instead of a server: each envelope serialised exactly as it would go on the wire.
    ``options``: more of ``sentry_sdk.init``'s. Afterwards a client without a DSN, which sends nothing.
    Imported here: loading sentry-sdk is what makes the library hook it, so only its tests load it."""
    import sentry_sdk
    from sentry_sdk.envelope import Envelope
    from sentry_sdk.transport import Transport as SentryTransport

    captured: list[str] = []

    class Capture(SentryTransport):
        def capture_envelope(self, envelope: Envelope) -> None:
            captured.append(envelope.serialize().decode("utf-8", errors="replace"))

    with warnings.catch_warnings():  # send_default_pii is deprecated in favour of data_collection; it still works
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_sdk.init(
            dsn="http://public@127.0.0.1:1/1",
            transport=Capture,
            include_local_variables=True,
            send_default_pii=True,
            **options,
        )
    try:
        yield captured
    finally:
        sentry_sdk.flush()
        sentry_sdk.init()  # no DSN: a disabled client for the rest of the session


@pytest.fixture
def envelopes() -> Iterator[list[str]]:
    """What sentry would have sent, each envelope serialised exactly as it goes on the wire, with
    request bodies kept: a test of secrets looks for them everywhere the tracker could put them."""
    with sentry_envelopes(max_request_body_size="always") as captured:
        yield captured
