"""The archive's apps: which Mini Programs one archive keeps, and where each one's tokens come from.

One archive may keep several apps (a brand's Mini Programs, or the apps a service provider
serves), each row keyed by its appid. The apps come from configuration:

* ``WX_ARCHIVE_APPS``: a JSON object ``{"<appid>": "<appsecret>", ...}``, for local use; an app whose
  tokens come from the service provider's platform names that source instead of a secret:
  ``{"<appid>": {"token": "platform"}}`` (the platform's token service is ``WX_PLATFORM_TOKEN_URL``);
* or ``WX_ARCHIVE_APPS_SSM_NAME`` (and ``_VERSION``): one SSM secret holding that JSON, read like the
  appsecret (with the role's keys, within the invocation's deadline);
* neither: ``WX_APPID`` with ``WX_APPSECRET`` (or its SSM name) is one app, as before (``None`` here:
  the caller keeps its single client).

Every appsecret is ``Sealed`` from the moment it is parsed; nothing here shows the JSON or a value
of it, and a malformed configuration is reported by the parse frame's *return value* (a problem
text), raised only by a frame that never held the text: an error tracker that records the locals of
a raised exception's frames finds no secret.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..deadline import Deadline
from ..errors import ConfigurationError
from ..http.redaction import Sealed
from ..secret_text import NOT_TEXT, is_text, secret_problem
from ..settings import read_environment
from ..tencentcloud.credentials import SsmSource
from ..variables import WX_APPSECRET, WX_APPSECRET_SSM, WX_ARCHIVE_APPS, WX_ARCHIVE_APPS_SSM

MAX_APPS = 1000  # one archive, one dispatcher: a fleet larger than this is several deployments
APPID = re.compile(
    r"wx[A-Za-z0-9_-]{1,62}"
)  # WeChat's appids are wx + 16 hex (the emulator's are longer); a secret is not
PLATFORM = {"token": "platform"}
_DIGEST_KEY = secrets.token_bytes(32)  # per process: a secret's fingerprint means nothing outside it


@dataclass(frozen=True)
class App:
    """One app of the archive: its appid, and its appsecret (sealed), or None when its tokens come
    from the service provider's platform. ``fingerprint`` tells two reads of the same secret apart
    from a changed one (a warm invocation keeps an app's client, and its token cache, only while
    its secret is the same), without keeping a comparable copy of the secret."""

    appid: str
    secret: Sealed[str] | None = field(default=None, repr=False, compare=False)
    fingerprint: str = field(default="", repr=False)

    @classmethod
    def with_secret(cls, appid: str, secret: str) -> App:
        digest = hashlib.blake2b(secret.encode("utf-8", "surrogatepass"), key=_DIGEST_KEY, digest_size=16).hexdigest()
        return cls(appid, Sealed(secret), digest)


@dataclass(frozen=True)
class AppsSource:
    """Where the apps are configured (``WX_ARCHIVE_APPS``, sealed, or its SSM secret), read from the
    environment without raising on the value: ``load`` reads and checks it."""

    given: Sealed[str] | None = field(default=None, repr=False, compare=False)
    ssm: SsmSource | None = None
    variable: str = WX_ARCHIVE_APPS.name

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AppsSource | None:
        """The apps' source; None when neither variable is set (one app: ``WX_APPID``)."""
        return read_environment(cls._read, environ)

    @classmethod
    def _read(cls, env: Mapping[str, str]) -> AppsSource | None:
        given = WX_ARCHIVE_APPS.of(env)
        ssm = SsmSource.from_env(env, variable=WX_ARCHIVE_APPS_SSM)
        if not given and ssm is None:
            return None
        if given and ssm is not None:
            raise ConfigurationError(f"set either {WX_ARCHIVE_APPS} or {WX_ARCHIVE_APPS_SSM.name}, not both")
        if WX_APPSECRET.of(env) or WX_APPSECRET_SSM.name.of(env):
            raise ConfigurationError(
                f"set either {WX_ARCHIVE_APPS} (or its SSM name) for several apps, or {WX_APPSECRET} (or its SSM name) "
                f"for one, not both: add the one app to {WX_ARCHIVE_APPS}"
            )
        if given:
            return cls(given=Sealed(given))
        return cls(ssm=ssm, variable=f"the apps in {ssm.ref}" if ssm is not None else WX_ARCHIVE_APPS.name)

    def load(self, *, deadline: Deadline | None = None) -> tuple[App, ...]:
        """The apps, read (from SSM within ``deadline``) and checked."""
        if self.given is not None:
            parsed = _parse(self.given, self.variable)
        else:
            assert self.ssm is not None  # from_env makes one or the other
            from ..tencentcloud.ssm import read_source  # only SSM users pay for importing the SDK

            parsed = _parse(Sealed(read_source(self.ssm, deadline=deadline, what=self.variable)), self.variable)
        if isinstance(parsed, str):
            raise ConfigurationError(parsed)  # a frame that never held the configuration's text
        return parsed


def _parse(sealed: Sealed[str], source: str) -> tuple[App, ...] | str:
    """The apps of the JSON text, or what is wrong with it (never a value of it: the text holds
    secrets). Returns, never raises, whatever the text: this frame holds it. Numbers are never
    converted (no app needs one, and a number of thousands of digits would raise), NaN and
    Infinity are not JSON, and nesting too deep for the parser is an answer like any other."""
    hint = (
        f'a JSON object {{"<appid>": "<appsecret>", ...}} (or {{"<appid>": {json.dumps(PLATFORM)}}} for a platform app)'
    )
    if not is_text(sealed.reveal()):
        return f"{source} {NOT_TEXT}: give {hint}"
    try:
        data: Any = json.loads(
            sealed.reveal(),
            object_pairs_hook=_no_duplicates,
            parse_int=_number,
            parse_float=_number,
            parse_constant=_not_json,
        )
    except _NotJson:
        return f"{source} is not valid JSON (NaN, Infinity and -Infinity are not JSON numbers): give {hint}"
    except RecursionError:
        return f"{source} is nested too deeply to be read: give {hint}"
    except ValueError as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        return f"{source} is not valid JSON{where}: give {hint}"
    if data is _DUPLICATE:
        return f"{source} names an app twice: give each appid once"
    if not isinstance(data, dict) or not data:
        return f"{source} must be {hint}, with at least one app"
    if len(data) > MAX_APPS:
        return f"{source} names {len(data)} apps; one archive keeps at most {MAX_APPS}"
    apps: list[App] = []
    for appid, value in data.items():
        if not APPID.fullmatch(appid):
            return (
                f"{source}: app number {len(apps) + 1} is not named by an appid (wx, then letters, digits, _ or -, "
                "at most 64; the key is not shown: it may be a secret)"
            )
        if isinstance(value, str) and value.strip():
            problem = secret_problem(value.strip())
            if problem is not None:
                return f"{source}: the appsecret of the app {appid} {problem}; it is not shown"
            apps.append(App.with_secret(appid, value.strip()))
        elif value == PLATFORM:
            apps.append(App(appid))
        else:
            return f"{source}: the app {appid} needs its appsecret as a non-empty string, or {json.dumps(PLATFORM)}"
    return tuple(apps)


_DUPLICATE: Any = object()
_NUMBER: Any = object()  # a JSON number, unconverted


class _NotJson(ValueError):
    """NaN, Infinity or -Infinity in the text: Python's parser accepts them, JSON does not."""


def _number(_literal: str) -> Any:
    return _NUMBER


def _not_json(_literal: str) -> Any:
    raise _NotJson


def _no_duplicates(pairs: list[tuple[str, Any]]) -> Any:
    """A JSON object's pairs as a dict, or ``_DUPLICATE`` when a key repeats (the last would win silently)."""
    keys = [key for key, _ in pairs]
    return _DUPLICATE if len(set(keys)) != len(keys) else dict(pairs)
