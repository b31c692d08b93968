"""Tencent Cloud API plumbing shared by the SSM secret source and the SCF Invoke client.

The SDK is imported inside these functions, never at module import: a function configured with
``WX_APPSECRET`` never loads it, so its cold start does not pay for it.

Credentials: SCF gives a function its execution role's temporary keys as
``TENCENTCLOUD_SECRETID``/``TENCENTCLOUD_SECRETKEY``/``TENCENTCLOUD_SESSIONTOKEN``, which the SDK's
own environment provider does not read (it wants ``TENCENTCLOUD_SECRET_ID`` with underscores and no
token), so we build the ``Credential`` ourselves, falling back to the SDK's spelling for backends.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigurationError

SDK_LOGGER = "tencentcloud_sdk_common"


class _NoWireDumps(logging.Filter):
    """The SDK's DEBUG dumps of each request and response carry the role's session token
    (``X-TC-Token``) and, for SSM, the secret itself: they are dropped, whatever the log level."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(("SendRequest", "GetResponse")))


logging.getLogger(SDK_LOGGER).addFilter(_NoWireDumps())


@dataclass(frozen=True)
class CloudCredentials:
    secret_id: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CloudCredentials | None:
        env = os.environ if environ is None else environ
        for id_name, key_name, token_name in (
            ("TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN"),
            ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN"),
        ):
            secret_id, secret_key = env.get(id_name, "").strip(), env.get(key_name, "").strip()
            if secret_id and secret_key:
                return cls(secret_id, secret_key, env.get(token_name, "").strip() or None)
        return None


@dataclass(frozen=True)
class CloudEndpoint:
    """Where to send API calls: the product's public endpoint by default, or an override such as
    ``http://127.0.0.1:9000`` (tests) or a private ``ssm.internal.tencentcloudapi.com``."""

    region: str
    endpoint: str | None = None
    timeout: int = 5

    def client_profile(self) -> Any:
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile

        scheme, host = "https", None
        if self.endpoint:
            given_scheme, _, host = self.endpoint.rpartition("://")
            scheme = given_scheme or "https"
        return ClientProfile(httpProfile=HttpProfile(protocol=scheme, endpoint=host, reqTimeout=self.timeout))


def sdk_credential(credentials: CloudCredentials) -> Any:
    from tencentcloud.common import credential

    return credential.Credential(credentials.secret_id, credentials.secret_key, credentials.token)


def describe_sdk_error(exc: Exception) -> str:
    """``Code: message (RequestId ...)`` of a TencentCloudSDKException; the type name otherwise."""
    get_code = getattr(exc, "get_code", None)
    if get_code is None:
        return type(exc).__name__
    request_id = exc.get_request_id() if hasattr(exc, "get_request_id") else None
    suffix = f" (RequestId {request_id})" if request_id else ""
    return f"{get_code()}: {exc.get_message()}{suffix}"  # type: ignore[attr-defined]


# SDK codes for failures of the network or of the service itself: transient, unlike auth or a
# missing resource.
_TRANSIENT_SDK_CODES = frozenset({"ClientNetworkError", "ServerNetworkError", "InternalError", "RequestLimitExceeded"})


def is_transient_sdk_error(exc: Exception) -> bool:
    get_code = getattr(exc, "get_code", None)
    return get_code is not None and str(get_code()).split(".")[0] in _TRANSIENT_SDK_CODES


def require_region(environ: Mapping[str, str], *names: str) -> str:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return value
    raise ConfigurationError(f"no Tencent Cloud region: set {' or '.join(names)}")
