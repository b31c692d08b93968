"""The appsecret: ``WX_APPSECRET`` (simple), or Tencent Cloud SSM (``WX_APPSECRET_SSM_NAME``).

With SSM the secret never sits in the function's configuration: it is read once per cold start
with ``GetSecretValue``, signed with the execution role's temporary keys, in the runtime's region.
The read is budgeted to the invocation's deadline (a stalled endpoint ends in -604102 before SCF's
time limit, not in a killed invocation). Failures are cloud-call errors naming the secret, never
showing its value; no frame that raises one holds the secret, the role's keys or the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from .deadline import Deadline
from .errors import ConfigurationError, DeadlineExceeded, TransportError, WxCloudError
from .settings import WxSettings
from .tencentcloud import CloudCredentials, CloudEndpoint, SdkCallFailed, SdkCallTimedOut, call_sdk, region_from_env, sdk_credential

DEFAULT_VERSION = "SSM_Current"
# The budget of a read when the invocation has none (a local call whose context has no
# time_limit_in_ms): the SDK's own timeout would be 60 s.
UNBUDGETED_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class SsmSecretRef:
    name: str
    version: str = DEFAULT_VERSION

    def __str__(self) -> str:
        return f"SSM secret {self.name!r} (version {self.version!r})"


@dataclass(frozen=True)
class SsmSource:
    """What the environment says about reading the appsecret from SSM, read without raising so
    that the frame which reports a problem never holds the environment (with the role's keys)."""

    ref: SsmSecretRef
    credentials: CloudCredentials | None  # its repr hides the key and the token
    region: str | None
    endpoint: str | None
    appsecret_also_set: bool

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SsmSource | None:
        """None when ``WX_APPSECRET_SSM_NAME`` is not set."""
        env = os.environ if environ is None else environ
        name = env.get("WX_APPSECRET_SSM_NAME", "").strip()
        if not name:
            return None
        return cls(
            SsmSecretRef(name, env.get("WX_APPSECRET_SSM_VERSION", "").strip() or DEFAULT_VERSION),
            CloudCredentials.from_env(env),
            region_from_env(env, "WX_SSM_REGION", "TENCENTCLOUD_REGION"),
            env.get("WX_SSM_ENDPOINT", "").strip() or None,
            bool(env.get("WX_APPSECRET", "").strip()),
        )


def settings_with_secret(settings: WxSettings, *, deadline: Deadline | None = None, environ: Mapping[str, str] | None = None) -> WxSettings:
    """``settings`` with the appsecret filled from SSM when ``WX_APPSECRET_SSM_NAME`` is set, read
    within ``deadline``."""
    source = SsmSource.from_env(environ)
    if source is None:
        return settings
    if source.appsecret_also_set or settings.appsecret:
        raise ConfigurationError("set either WX_APPSECRET or WX_APPSECRET_SSM_NAME, not both")
    if source.credentials is None:
        raise ConfigurationError(
            f"cannot read {source.ref}: no Tencent Cloud credentials (TENCENTCLOUD_SECRETID/TENCENTCLOUD_SECRETKEY); "
            "give the function an execution role that may call ssm:GetSecretValue"
        )
    if source.region is None:
        raise ConfigurationError("no Tencent Cloud region: set WX_SSM_REGION or TENCENTCLOUD_REGION")
    budget = UNBUDGETED_TIMEOUT_SECONDS if deadline is None else deadline.remaining()
    return replace(settings, appsecret=read_ssm_secret(source.ref, source.credentials, CloudEndpoint(source.region, source.endpoint), budget))


def read_ssm_secret(ref: SsmSecretRef, credentials: CloudCredentials, endpoint: CloudEndpoint, budget: float) -> str:
    """The secret's ``SecretString``, read within ``budget`` seconds of wall clock."""
    if budget <= 0:
        raise DeadlineExceeded(f"no time left in the invocation's budget to read {ref}")
    try:
        from tencentcloud.ssm.v20190923 import models, ssm_client
    except ImportError as exc:
        raise ConfigurationError(f"cannot read {ref}: tencentcloud-sdk-python-ssm is not installed") from exc
    request = models.GetSecretValueRequest()
    request.SecretName = ref.name
    request.VersionId = ref.version

    def get_secret_string() -> object:  # only the string leaves the request thread, never the response model
        client = ssm_client.SsmClient(sdk_credential(credentials), endpoint.region, endpoint.client_profile(budget))
        return client.GetSecretValue(request).SecretString

    failure: WxCloudError
    try:
        value = call_sdk(get_secret_string, within=budget)
    except SdkCallTimedOut:
        failure = DeadlineExceeded(f"reading {ref} did not finish within the invocation's remaining {budget:.3g}s")
    except SdkCallFailed as exc:
        reason = f"reading {ref} failed: {exc}"
        failure = TransportError(reason) if exc.transient else ConfigurationError(reason)
    else:
        if isinstance(value, str) and value.strip():
            return value.strip()
        failure = ConfigurationError(f"{ref} has no SecretString (a binary secret cannot be an appsecret)")
    raise failure
