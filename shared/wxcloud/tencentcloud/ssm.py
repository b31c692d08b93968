"""A secret read from Tencent Cloud SSM: the appsecret (``WX_APPSECRET_SSM_NAME``, see
``settings.settings_with_secret``), the archive's database URL, its alert webhook.

With SSM the secret never sits in the function's configuration: it is read once per cold start
with ``GetSecretValue``, signed with the execution role's temporary keys, in the runtime's region.
The read is budgeted to the invocation's deadline (a stalled endpoint ends in -604102 before SCF's
time limit, not in a killed invocation). Failures are cloud-call errors naming the secret, never
showing its value; no frame that raises one holds the secret, the role's keys or the environment.
"""

from __future__ import annotations

from dataclasses import replace

from ..deadline import Deadline
from ..errors import ConfigurationError, DeadlineExceeded, TransportError, WxCloudError
from ..extras import install_line
from ..http.redaction import Sealed
from ..secret_text import NOT_TEXT, is_text, secret_problem
from ..settings import WxSettings
from .credentials import CloudCredentials, SsmSecretRef, SsmSource
from .sdk import CloudEndpoint, SdkCallFailed, SdkCallTimedOut, call_sdk, sdk_credential

# The budget of a read when the invocation has none (a local call whose context has no
# time_limit_in_ms): the SDK's own timeout would be 60 s.
UNBUDGETED_TIMEOUT_SECONDS = 5.0


def read_source(source: SsmSource, *, deadline: Deadline | None = None, what: str = "") -> str:
    """The secret ``source`` names, read within ``deadline``; ``what`` names it in errors."""
    if source.credentials is None:
        raise ConfigurationError(
            f"cannot read {what or source.ref}: no Tencent Cloud credentials "
            "(TENCENTCLOUD_SECRETID/TENCENTCLOUD_SECRETKEY); "
            "give the function an execution role that may call ssm:GetSecretValue"
        )
    if source.region is None:
        raise ConfigurationError("no Tencent Cloud region: set WX_SSM_REGION or TENCENTCLOUD_REGION")
    budget = UNBUDGETED_TIMEOUT_SECONDS if deadline is None else deadline.remaining()
    return read_ssm_secret(source.ref, source.credentials, CloudEndpoint(source.region, source.endpoint), budget)


def read_ssm_secret(ref: SsmSecretRef, credentials: CloudCredentials, endpoint: CloudEndpoint, budget: float) -> str:
    """The secret's ``SecretString``, read within ``budget`` seconds of wall clock."""
    if budget <= 0:
        raise DeadlineExceeded(f"no time left in the invocation's budget to read {ref}")
    try:
        from tencentcloud.ssm.v20190923 import models, ssm_client
    except ImportError as exc:
        missing = f"cannot read {ref}: tencentcloud-sdk-python-ssm is not installed"
        raise ConfigurationError(f"{missing}; the 'ssm' extra brings it: {install_line('ssm')}") from exc
    request = models.GetSecretValueRequest()
    request.SecretName = ref.name
    request.VersionId = ref.version

    def get_secret_string() -> object:  # only the string leaves the request thread, never the response model
        client = ssm_client.SsmClient(sdk_credential(credentials), endpoint.region, endpoint.client_profile(budget))
        return client.GetSecretValue(request).SecretString

    failure: WxCloudError
    try:
        value = Sealed(call_sdk(get_secret_string, within=budget))  # sealed: this frame may raise
    except SdkCallTimedOut:
        failure = DeadlineExceeded(f"reading {ref} did not finish within the invocation's remaining {budget:.3g}s")
    except SdkCallFailed as exc:
        reason = f"reading {ref} failed: {exc}"
        failure = TransportError(reason) if exc.transient else ConfigurationError(reason)
    else:
        usable = _secret_string(value, ref)
        if isinstance(usable, str):
            return usable
        failure = usable
    raise failure


def _secret_string(value: Sealed[object], ref: SsmSecretRef) -> str | ConfigurationError:
    """The secret's text, stripped, or why it has none usable: a binary secret, or a string that is
    not text (a ``\\ud800`` escape in SSM's JSON answer is half a character alone, which nothing can
    send, mask or fingerprint). Returns, never raises: this frame holds the secret."""
    text = value.reveal()
    if not isinstance(text, str) or not text.strip():
        return ConfigurationError(f"{ref} has no SecretString (a binary secret cannot be an appsecret)")
    if not is_text(text):
        return ConfigurationError(f"the SecretString of {ref} {NOT_TEXT}; it is not shown")
    return text.strip()


def settings_with_secret(settings: WxSettings, source: SsmSource, *, deadline: Deadline | None = None) -> WxSettings:
    """``settings`` with the appsecret read from SSM as ``source`` says (``SsmSource.from_env``),
    within ``deadline``."""
    if source.appsecret_also_set or settings.appsecret:
        raise ConfigurationError("set either WX_APPSECRET or WX_APPSECRET_SSM_NAME, not both")
    secret = Sealed(read_source(source, deadline=deadline))  # sealed: this frame may raise
    problem = secret_problem(secret.reveal())
    if problem is not None:
        raise ConfigurationError(f"the appsecret in {source.ref} {problem}; it is not shown")
    return replace(settings, appsecret=secret.reveal())
