"""The fixtures of more than one folder: one WeChat emulator on loopback for the session (reset
before every test), the function's environment pointed at it, and a log capture that fails any test
whose log output contains the appsecret or any token the emulator issued; a fake WeChat that each
test scripts, for the tests of the exact wire format; the archive's databases. The markers the quick
loop leaves out are applied here too. A fixture of one folder lives in that folder's conftest.py;
the plain helpers all these use are in tests/support/."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests
from wxcloud import FunctionApp, OpenApiClient, Permissions, RetryPolicy, Timeouts, WxSettings

from devtools.install_wxsdk import SDK_VERSION, is_installed, sdk_dir
from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, WeChatEmulator
from tests.support.checkout import ROOT, sdk_unavailable
from tests.support.clocks import Sleeps
from tests.support.leaks import LogCapture, sentry_envelopes, watch_answers
from tests.support.tencentcloud_http import loopback_fixture
from tests.support.wechat import API, PLATFORM_KEY, make_app

if TYPE_CHECKING:
    from tests.support.archive import Db

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


@pytest.fixture(scope="module")
def sdk_path() -> Path:
    """The pinned wx-server-sdk the differential tests run in node (``sdk_unavailable`` without them)."""
    path = sdk_dir(ROOT)
    if shutil.which("node") is None:
        sdk_unavailable("node is not on PATH")
    if not is_installed(path):
        sdk_unavailable(f"wx-server-sdk@{SDK_VERSION} is not installed at {path}")
    return path


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A plain HTTP session, for the tests that speak to a server by hand."""
    with requests.Session() as session:
        yield session


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
def no_secrets_in_logs(emulator: WeChatEmulator) -> Iterator[LogCapture]:
    """Every test runs with all loggers at DEBUG captured; none may show a secret or a token. A
    function's own ``wxcloud`` logger does not propagate, so it is watched as well."""
    capture = LogCapture()
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
def wxlog(no_secrets_in_logs: LogCapture) -> LogCapture:
    """What the functions logged in this test (``wxlog.lines()``: their JSON lines)."""
    return no_secrets_in_logs


@pytest.fixture
def settings(emulator: WeChatEmulator) -> WxSettings:
    return WxSettings(DEFAULT_APPID, DEFAULT_SECRET, emulator.url, Timeouts(connect=1.0, read=1.0))


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


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


# ---- the real error tracker, sending to a list ----


@pytest.fixture
def envelopes() -> Iterator[list[str]]:
    """What sentry would have sent, each envelope serialised exactly as it goes on the wire, with
    request bodies kept: a test of secrets looks for them everywhere the tracker could put them."""
    with sentry_envelopes(max_request_body_size="always") as captured:
        yield captured


# ---- the archive's databases, for the archive's tests and the few others that run it ----


@pytest.fixture(name="db", params=["sqlite", "postgresql", "mariadb"])
def db_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A real database of each kind, with tables of this test's own (``tests.support.archive``)."""
    from tests.support.archive import make_db

    yield from make_db(request.param, tmp_path)


@pytest.fixture(name="sqlite_db")
def sqlite_db_fixture(tmp_path: Path) -> Iterator[Db]:
    from tests.support.archive import make_db

    yield from make_db("sqlite", tmp_path)


@pytest.fixture
def no_db_password_anywhere(
    no_secrets_in_logs: LogCapture, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """Every archive answer and error, and every log line, is checked for the database password;
    the answers also for the appsecret and every token the emulator issued (the suite's own watch
    covers the logs and the single-API functions' answers). Every test of tests/archive/ takes it
    (its conftest.py); a test elsewhere that runs the archive asks for it by name."""
    from wxcloud.archive import ArchiveFunction

    from tests.support.archive import DB_PASSWORD

    seen = watch_answers(monkeypatch, ArchiveFunction)
    yield seen
    texts = [*seen, *no_secrets_in_logs.texts]
    leaks = [text for text in texts if DB_PASSWORD in text]
    assert not leaks, f"database password in an answer or a log: {leaks[:2]}"
    wechat_secrets = [DEFAULT_SECRET, *emulator.issued_tokens]
    leaks = [text for text in seen for secret in wechat_secrets if secret in text]
    assert not leaks, f"appsecret or token in an archive answer: {leaks[:2]}"
