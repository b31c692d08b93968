"""The appsecret: ``WX_APPSECRET`` (simple), or Tencent Cloud SSM (``WX_APPSECRET_SSM_NAME``).

With SSM the secret never sits in the function's configuration: it is read once per cold start
with ``GetSecretValue``, signed with the execution role's temporary keys, in the runtime's region.
Failures are cloud-call errors naming the secret, never showing its value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from .errors import ConfigurationError, TransportError
from .settings import WxSettings
from .tencentcloud import CloudCredentials, CloudEndpoint, describe_sdk_error, is_transient_sdk_error, require_region, sdk_credential

DEFAULT_VERSION = "SSM_Current"
# Whole seconds (the SDK's unit). Small against serverless.yml's 15 s limit, and the WeChat calls'
# budget is counted from the start of the invocation, so time spent here is deducted from theirs.
SSM_TIMEOUT_SECONDS = 3


@dataclass(frozen=True)
class SsmSecretRef:
    name: str
    version: str = DEFAULT_VERSION

    def __str__(self) -> str:
        return f"SSM secret {self.name!r} (version {self.version!r})"


def settings_with_secret(settings: WxSettings, environ: Mapping[str, str] | None = None) -> WxSettings:
    """``settings`` with the appsecret filled from SSM when ``WX_APPSECRET_SSM_NAME`` is set."""
    env = os.environ if environ is None else environ
    name = env.get("WX_APPSECRET_SSM_NAME", "").strip()
    if not name:
        return settings
    if settings.appsecret:
        raise ConfigurationError("set either WX_APPSECRET or WX_APPSECRET_SSM_NAME, not both")
    ref = SsmSecretRef(name, env.get("WX_APPSECRET_SSM_VERSION", "").strip() or DEFAULT_VERSION)
    credentials = CloudCredentials.from_env(env)
    if credentials is None:
        raise ConfigurationError(
            f"cannot read {ref}: no Tencent Cloud credentials (TENCENTCLOUD_SECRETID/TENCENTCLOUD_SECRETKEY); "
            "give the function an execution role that may call ssm:GetSecretValue"
        )
    endpoint = CloudEndpoint(
        require_region(env, "WX_SSM_REGION", "TENCENTCLOUD_REGION"),
        env.get("WX_SSM_ENDPOINT", "").strip() or None,
        timeout=SSM_TIMEOUT_SECONDS,
    )
    return replace(settings, appsecret=read_ssm_secret(ref, credentials, endpoint))


def read_ssm_secret(ref: SsmSecretRef, credentials: CloudCredentials, endpoint: CloudEndpoint) -> str:
    try:
        from tencentcloud.ssm.v20190923 import models, ssm_client
    except ImportError as exc:
        raise ConfigurationError(f"cannot read {ref}: tencentcloud-sdk-python-ssm is not installed") from exc
    request = models.GetSecretValueRequest()
    request.SecretName = ref.name
    request.VersionId = ref.version
    try:
        client = ssm_client.SsmClient(sdk_credential(credentials), endpoint.region, endpoint.client_profile())
        response = client.GetSecretValue(request)
    except Exception as exc:  # TencentCloudSDKException, including the SDK's own network errors
        reason = f"reading {ref} failed: {describe_sdk_error(exc)}"
        if is_transient_sdk_error(exc):  # worth running again later (a timer's retry), not a misconfiguration
            raise TransportError(reason) from exc
        raise ConfigurationError(reason) from exc
    value = (response.SecretString or "").strip()
    if not value:
        raise ConfigurationError(f"{ref} has no SecretString (a binary secret cannot be an appsecret)")
    return value
