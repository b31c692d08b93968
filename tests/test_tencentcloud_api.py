"""Tests for devtools.tencentcloud_api, driven by the REAL tencentcloud SDK.

Why: later tests trust this endpoint to prove that our code signs and sends
Tencent Cloud requests correctly, so here we prove the endpoint itself
accepts exactly what the official SDK produces and refuses, with Tencent
Cloud's error codes, what the real service would refuse.  Several tests
(wrong key, tampered body, altered signed header) fail if signature
checking were disabled.  Nothing here leaves 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from tencentcloud.common import credential as tc_credential
from tencentcloud.common.abstract_client import AbstractClient
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.scf.v20180416 import models as scf_models
from tencentcloud.scf.v20180416.scf_client import ScfClient
from tencentcloud.ssm.v20190923 import models as ssm_models
from tencentcloud.ssm.v20190923.ssm_client import SsmClient

from devtools.tencentcloud_api import (
    ApiError,
    ApiRequest,
    Credential,
    TencentCloudApiServer,
    canonical_request,
    payload_hash,
    ssm_secrets,
    string_to_sign,
    tc3_signature,
)

PERMANENT = Credential("AKIDpermanentEXAMPLE", "permanent-secret-key")
TEMPORARY = Credential("AKIDtemporaryEXAMPLE", "temporary-secret-key", token="token-of-temp-key")
REGION = "ap-shanghai"
SSM_VERSION = "2019-09-23"
SECRETS: dict[str, str | dict[str, str]] = {
    "wx/appsecret": "s3cr3t-value",
    "db/password": {"v1": "old-password", "v2": "new-password", "SSM_Current": "new-password"},
}


# --------------------------------------------------------------------------
# fixtures and helpers
# --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK takes HTTP_PROXY from the environment without honouring
    NO_PROXY for "127.0.0.1:PORT"; a proxy must never see these requests."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def make_server(clock: Callable[[], float] = time.time) -> TencentCloudApiServer:
    server = TencentCloudApiServer([PERMANENT, TEMPORARY], clock=clock)
    server.register("ssm", "GetSecretValue", ssm_secrets(SECRETS))
    return server


@pytest.fixture
def api() -> Iterator[TencentCloudApiServer]:
    with make_server() as server:
        yield server


def profile(server: TencentCloudApiServer, **http: Any) -> ClientProfile:
    return ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=server.endpoint, reqTimeout=5, **http))


def sdk_credential(cred: Credential, *, secret_key: str | None = None, token: str | None = None) -> tc_credential.Credential:
    return tc_credential.Credential(cred.secret_id, secret_key if secret_key is not None else cred.secret_key, token)


def ssm(
    server: TencentCloudApiServer,
    cred: tc_credential.Credential | None = None,
    region: str = REGION,
    **http: Any,
) -> SsmClient:
    return SsmClient(cred or sdk_credential(PERMANENT), region, profile(server, **http))


def get_secret(client: SsmClient, name: str, version: str | None = None) -> ssm_models.GetSecretValueResponse:
    request = ssm_models.GetSecretValueRequest()
    request.SecretName = name
    if version is not None:
        request.VersionId = version
    return client.GetSecretValue(request)


def sdk_error(call: Callable[[], object]) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as info:
        call()
    return info.value


def sign(
    *,
    secret_id: str,
    secret_key: str,
    body: bytes,
    host: str,
    service: str = "ssm",
    action: str = "GetSecretValue",
    version: str = SSM_VERSION,
    timestamp: int | None = None,
    date: str | None = None,
    region: str | None = REGION,
    token: str | None = None,
    content_type: str = "application/json",
    signed_headers: tuple[str, ...] = ("content-type", "host"),
) -> dict[str, str]:
    """An independent TC3-HMAC-SHA256 signer written from Tencent Cloud's
    documentation ("签名方法 v3"), for requests the SDK would never send."""
    ts = int(time.time()) if timestamp is None else timestamp
    day = date or datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")
    headers = {
        "Content-Type": content_type,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Version": version,
        "X-TC-Timestamp": str(ts),
    }
    if region is not None:
        headers["X-TC-Region"] = region
    if token is not None:
        headers["X-TC-Token"] = token
    lower = {k.lower(): v for k, v in headers.items()}
    canonical_headers = "".join(f"{h}:{lower[h].strip().lower()}\n" for h in signed_headers)
    signed = ";".join(signed_headers)
    canonical = "\n".join(["POST", "/", "", canonical_headers, signed, hashlib.sha256(body).hexdigest()])
    scope = f"{day}/{service}/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(ts),
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )

    def mac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(("TC3" + secret_key).encode(), day), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed}, Signature={signature}"
    return headers


def raw_post(server: TencentCloudApiServer, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """POST bytes as-is and return the ``Response`` object, checking the
    framing the SDK relies on (HTTP 200, exactly application/json)."""
    resp = requests.post(f"http://{server.endpoint}/", data=body, headers=headers, timeout=5)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    response: dict[str, Any] = resp.json()["Response"]
    uuid.UUID(response["RequestId"])
    return response


def signed_post(
    server: TencentCloudApiServer,
    params: dict[str, Any],
    cred: Credential = PERMANENT,
    **kw: Any,
) -> dict[str, Any]:
    body = json.dumps(params).encode()
    kw.setdefault("host", server.endpoint)
    headers = sign(secret_id=cred.secret_id, secret_key=cred.secret_key, body=body, **kw)
    return raw_post(server, headers, body)


# --------------------------------------------------------------------------
# SSM GetSecretValue through the real SsmClient
# --------------------------------------------------------------------------


def test_get_secret_value_with_version_id(api: TencentCloudApiServer) -> None:
    resp = get_secret(ssm(api), "db/password", "v1")
    assert (resp.SecretName, resp.VersionId, resp.SecretString) == ("db/password", "v1", "old-password")
    uuid.UUID(resp.RequestId)
    assert get_secret(ssm(api), "db/password", "SSM_Current").SecretString == "new-password"
    assert api.rejected == []


def test_get_secret_value_without_version_id(api: TencentCloudApiServer) -> None:
    resp = get_secret(ssm(api), "wx/appsecret")
    assert resp.SecretString == "s3cr3t-value"
    assert resp.SecretName == "wx/appsecret"
    assert api.received[-1].params == {"SecretName": "wx/appsecret"}
    # a str secret serves any version asked for
    assert get_secret(ssm(api), "wx/appsecret", "v9").SecretString == "s3cr3t-value"


def test_received_records_region_params_and_caller(api: TencentCloudApiServer) -> None:
    get_secret(ssm(api, region="ap-guangzhou"), "db/password", "v2")
    (req,) = api.received
    assert isinstance(req, ApiRequest)
    assert req.service == "ssm"
    assert req.action == "GetSecretValue"
    assert req.version == SSM_VERSION
    assert req.region == "ap-guangzhou"
    assert req.params == {"SecretName": "db/password", "VersionId": "v2"}
    assert req.secret_id == PERMANENT.secret_id
    # header lookup is case-insensitive, names stored lower-case
    assert req.headers["X-TC-Region"] == "ap-guangzhou"
    assert "x-tc-action" in req.headers
    assert "X-TC-Token" not in req.headers


def test_temporary_key_with_its_token_is_accepted(api: TencentCloudApiServer) -> None:
    client = ssm(api, sdk_credential(TEMPORARY, token=TEMPORARY.token))
    assert get_secret(client, "wx/appsecret").SecretString == "s3cr3t-value"
    assert api.received[-1].secret_id == TEMPORARY.secret_id
    assert api.received[-1].headers["x-tc-token"] == TEMPORARY.token


def test_ssm_secrets_reads_the_mapping_live() -> None:
    secrets: dict[str, str | dict[str, str]] = {"k": "one"}
    with TencentCloudApiServer([PERMANENT]) as server:
        server.register("ssm", "GetSecretValue", ssm_secrets(secrets))
        assert get_secret(ssm(server), "k").SecretString == "one"
        secrets["k"] = "two"
        assert get_secret(ssm(server), "k").SecretString == "two"


@pytest.mark.parametrize(
    ("name", "version", "code"),
    [
        ("no/such/secret", None, "ResourceNotFound"),
        ("no/such/secret", "v1", "ResourceNotFound"),
        ("db/password", "v404", "ResourceNotFound"),
        ("db/password", None, "MissingParameter"),
    ],
)
def test_get_secret_value_errors(api: TencentCloudApiServer, name: str, version: str | None, code: str) -> None:
    err = sdk_error(lambda: get_secret(ssm(api), name, version))
    assert err.get_code() == code
    uuid.UUID(err.get_request_id())
    if version is None and name.startswith("no/"):
        assert err.get_message() == "The secret does not exist."
    # an action-level error is not an authentication rejection
    assert api.rejected == []
    assert len(api.received) == 1


# --------------------------------------------------------------------------
# authentication failures through the real SDK
# --------------------------------------------------------------------------


def test_wrong_secret_key_is_signature_failure(api: TencentCloudApiServer) -> None:
    client = ssm(api, sdk_credential(PERMANENT, secret_key="not-the-key"))
    err = sdk_error(lambda: get_secret(client, "wx/appsecret"))
    assert err.get_code() == "AuthFailure.SignatureFailure"
    assert api.received == []
    assert api.rejected[-1][0] == "AuthFailure.SignatureFailure"
    assert "signature mismatch" in api.rejected[-1][1]


def test_unknown_secret_id(api: TencentCloudApiServer) -> None:
    client = ssm(api, tc_credential.Credential("AKIDnobodyEXAMPLE", PERMANENT.secret_key))
    err = sdk_error(lambda: get_secret(client, "wx/appsecret"))
    assert err.get_code() == "AuthFailure.SecretIdNotFound"
    assert api.received == []


@pytest.mark.parametrize(
    ("cred", "token"),
    [
        (TEMPORARY, None),  # temporary key without its token
        (TEMPORARY, "some-other-token"),  # temporary key with a wrong token
        (PERMANENT, "token-on-permanent-key"),  # a permanent key carries no token
    ],
)
def test_token_failures(api: TencentCloudApiServer, cred: Credential, token: str | None) -> None:
    client = ssm(api, sdk_credential(cred, token=token))
    err = sdk_error(lambda: get_secret(client, "wx/appsecret"))
    assert err.get_code() == "AuthFailure.TokenFailure"
    assert api.received == []
    assert api.rejected == [("AuthFailure.TokenFailure", api.rejected[0][1])]


@pytest.mark.parametrize("skew", [301, -301, 3600, -86400])
def test_timestamp_outside_five_minutes_is_expired(skew: int) -> None:
    with make_server(clock=lambda: time.time() + skew) as server:
        err = sdk_error(lambda: get_secret(ssm(server), "wx/appsecret"))
        assert err.get_code() == "AuthFailure.SignatureExpire"
        assert server.received == []


@pytest.mark.parametrize("skew", [250, -250])
def test_timestamp_within_five_minutes_is_accepted(skew: int) -> None:
    with make_server(clock=lambda: time.time() + skew) as server:
        assert get_secret(ssm(server), "wx/appsecret").SecretString == "s3cr3t-value"


def test_unregistered_action_is_invalid_action(api: TencentCloudApiServer) -> None:
    err = sdk_error(lambda: ssm(api).ListSecrets(ssm_models.ListSecretsRequest()))
    assert err.get_code() == "InvalidAction"
    # authenticated (so recorded) but refused before any handler
    assert api.received[-1].action == "ListSecrets"
    assert api.rejected[-1][0] == "InvalidAction"


def test_unsigned_payload_mode_is_supported(api: TencentCloudApiServer) -> None:
    prof = profile(api)
    prof.unsignedPayload = True
    client = SsmClient(sdk_credential(PERMANENT), REGION, prof)
    assert get_secret(client, "wx/appsecret").SecretString == "s3cr3t-value"
    assert api.received[-1].headers["x-tc-content-sha256"] == "UNSIGNED-PAYLOAD"


def test_get_requests_are_signed_over_the_query_string(api: TencentCloudApiServer) -> None:
    client = ssm(api, sdk_credential(TEMPORARY, token=TEMPORARY.token), reqMethod="GET")
    assert get_secret(client, "db/password", "v2").SecretString == "new-password"
    assert api.received[-1].params == {"SecretName": "db/password", "VersionId": "v2"}
    bad = ssm(api, sdk_credential(TEMPORARY, secret_key="wrong", token=TEMPORARY.token), reqMethod="GET")
    assert sdk_error(lambda: get_secret(bad, "db/password", "v2")).get_code() == "AuthFailure.SignatureFailure"


# --------------------------------------------------------------------------
# SCF Invoke through the real ScfClient
# --------------------------------------------------------------------------


def test_scf_invoke_round_trip() -> None:
    seen: list[ApiRequest] = []

    def invoke(request: ApiRequest) -> dict[str, Any]:
        seen.append(request)
        event = json.loads(request.params["ClientContext"])
        return {
            "Result": {
                "RetMsg": json.dumps({"echo": event, "fn": request.params["FunctionName"]}),
                "ErrMsg": "",
                "FunctionRequestId": "5c2b3e1a-0000-4000-8000-000000000001",
                "Duration": 1.0,
                "BillDuration": 1,
                "MemUsage": 0,
                "InvokeResult": 0,
                "Log": "",
            }
        }

    with TencentCloudApiServer([TEMPORARY]) as server:
        server.register("scf", "Invoke", invoke)
        client = ScfClient(sdk_credential(TEMPORARY, token=TEMPORARY.token), "ap-guangzhou", profile(server))
        request = scf_models.InvokeRequest()
        request.FunctionName = "getMonthlyVisitTrend"
        request.ClientContext = json.dumps({"openid": "o-123", "n": 3})
        request.InvocationType = "RequestResponse"
        request.Namespace = "default"
        request.Qualifier = "$LATEST"
        result = client.Invoke(request).Result

    assert json.loads(result.RetMsg) == {"echo": {"openid": "o-123", "n": 3}, "fn": "getMonthlyVisitTrend"}
    assert result.InvokeResult == 0
    assert result.FunctionRequestId == "5c2b3e1a-0000-4000-8000-000000000001"
    (req,) = seen
    assert (req.service, req.action, req.version, req.region) == (
        "scf",
        "Invoke",
        "2018-04-16",
        "ap-guangzhou",
    )
    assert req.params == {
        "FunctionName": "getMonthlyVisitTrend",
        "ClientContext": json.dumps({"openid": "o-123", "n": 3}),
        "InvocationType": "RequestResponse",
        "Namespace": "default",
        "Qualifier": "$LATEST",
    }
    assert server.received == [req]


def test_handler_errors_reach_the_sdk() -> None:
    def failing(request: ApiRequest) -> dict[str, Any]:
        raise ApiError("ResourceNotFound.Function", "Function not found.")

    def buggy(request: ApiRequest) -> dict[str, Any]:
        raise KeyError("oops")

    with TencentCloudApiServer([PERMANENT]) as server:
        server.register("scf", "Invoke", failing)
        client = ScfClient(sdk_credential(PERMANENT), REGION, profile(server))
        request = scf_models.InvokeRequest()
        request.FunctionName = "missing"
        err = sdk_error(lambda: client.Invoke(request))
        assert (err.get_code(), err.get_message()) == ("ResourceNotFound.Function", "Function not found.")
        server.register("scf", "Invoke", buggy)
        assert sdk_error(lambda: client.Invoke(request)).get_code() == "InternalError"
        assert isinstance(server.handler_exceptions[0], KeyError)


# --------------------------------------------------------------------------
# hand-signed requests: what the SDK would never send
# --------------------------------------------------------------------------


def test_independent_signer_is_accepted(api: TencentCloudApiServer) -> None:
    """Control for the tampering tests: the test signer itself is right."""
    resp = signed_post(api, {"SecretName": "wx/appsecret"})
    assert resp["SecretString"] == "s3cr3t-value"


def test_tampered_body_is_rejected(api: TencentCloudApiServer) -> None:
    signed_body = json.dumps({"SecretName": "wx/appsecret"}).encode()
    headers = sign(
        secret_id=PERMANENT.secret_id,
        secret_key=PERMANENT.secret_key,
        body=signed_body,
        host=api.endpoint,
    )
    tampered = json.dumps({"SecretName": "db/password", "VersionId": "v2"}).encode()
    resp = raw_post(api, headers, tampered)
    assert resp["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert "SecretString" not in resp
    assert api.received == []
    # the same headers with the body they signed are fine
    assert raw_post(api, headers, signed_body)["SecretString"] == "s3cr3t-value"


def test_tampered_signed_header_is_rejected(api: TencentCloudApiServer) -> None:
    body = json.dumps({"SecretName": "wx/appsecret"}).encode()
    headers = sign(
        secret_id=PERMANENT.secret_id,
        secret_key=PERMANENT.secret_key,
        body=body,
        host=api.endpoint,
        signed_headers=("content-type", "host", "x-tc-action"),
    )
    assert raw_post(api, headers, body)["SecretString"] == "s3cr3t-value"
    headers["X-TC-Action"] = "ListSecrets"
    assert raw_post(api, headers, body)["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_credential_date_must_match_timestamp(api: TencentCloudApiServer) -> None:
    resp = signed_post(api, {"SecretName": "wx/appsecret"}, date="2001-01-01")
    assert resp["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert "credential date" in api.rejected[-1][1]


def test_signed_headers_must_cover_content_type_and_host(api: TencentCloudApiServer) -> None:
    resp = signed_post(api, {"SecretName": "wx/appsecret"}, signed_headers=("host",))
    assert resp["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_scope_service_must_match_a_tencentcloud_host(api: TencentCloudApiServer) -> None:
    resp = signed_post(api, {"SecretName": "wx/appsecret"}, host="scf.tencentcloudapi.com")
    assert resp["Error"]["Code"] == "AuthFailure.SignatureFailure"
    ok = signed_post(api, {"SecretName": "wx/appsecret"}, host="ssm.ap-shanghai.tencentcloudapi.com")
    assert ok["SecretString"] == "s3cr3t-value"


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "AuthFailure.SignatureFailure"),
        ("garbage", "AuthFailure.InvalidAuthorization"),
        ("TC3-HMAC-SHA256 Credential=AKIDpermanentEXAMPLE, Signature=00", "AuthFailure.InvalidAuthorization"),
        ("HMAC-SHA1 Credential=a/b/c/d, SignedHeaders=host, Signature=x", "AuthFailure.InvalidAuthorization"),
    ],
)
def test_missing_or_garbled_authorization(api: TencentCloudApiServer, authorization: str | None, code: str) -> None:
    body = b'{"SecretName": "wx/appsecret"}'
    headers = sign(secret_id=PERMANENT.secret_id, secret_key=PERMANENT.secret_key, body=body, host=api.endpoint)
    del headers["Authorization"]
    if authorization is not None:
        headers["Authorization"] = authorization
    assert raw_post(api, headers, body)["Error"]["Code"] == code
    assert api.received == []
    assert api.rejected[-1][0] == code


def test_body_that_is_not_json_is_invalid_parameter(api: TencentCloudApiServer) -> None:
    body = b"SecretName=wx/appsecret"
    headers = sign(secret_id=PERMANENT.secret_id, secret_key=PERMANENT.secret_key, body=body, host=api.endpoint)
    assert raw_post(api, headers, body)["Error"]["Code"] == "InvalidParameter"
    assert api.rejected[-1][0] == "InvalidParameter"


def test_wrong_api_version_is_refused(api: TencentCloudApiServer) -> None:
    resp = signed_post(api, {"SecretName": "wx/appsecret"}, version="2017-01-01")
    assert resp["Error"]["Code"] == "NoSuchVersion"


# --------------------------------------------------------------------------
# the signature maths agree with the SDK's own
# --------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    params=st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=20), max_size=4),
    secret_key=st.text(min_size=1, max_size=40),
    timestamp=st.integers(min_value=0, max_value=4_000_000_000),
    host=st.sampled_from(["127.0.0.1:8080", "ssm.tencentcloudapi.com"]),
)
def test_signature_functions_match_the_sdk(params: dict[str, str], secret_key: str, timestamp: int, host: str) -> None:
    body = json.dumps(params)
    req = RequestInternal(host, "POST", "/", header={"Content-Type": "application/json", "Host": host})
    req.data = body
    req.header["X-TC-Timestamp"] = str(timestamp)
    date = datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")
    # the SDK's own canonicalisation and signing (the method does not use self)
    expected = AbstractClient._get_tc3_signature(None, params, req, date, "ssm", secret_key)
    canonical = canonical_request(
        "POST",
        "/",
        "",
        [("content-type", "application/json"), ("host", host)],
        payload_hash(body.encode()),
    )
    got = tc3_signature(secret_key, date, "ssm", string_to_sign(timestamp, date, "ssm", canonical))
    assert got == expected


# --------------------------------------------------------------------------
# HTTP behaviour and lifecycle
# --------------------------------------------------------------------------


def test_keep_alive_framing(api: TencentCloudApiServer) -> None:
    body = json.dumps({"SecretName": "wx/appsecret"}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=5)
    try:
        sockets = []
        for _ in range(3):
            headers = sign(
                secret_id=PERMANENT.secret_id,
                secret_key=PERMANENT.secret_key,
                body=body,
                host=api.endpoint,
            )
            conn.request("POST", "/", body=body, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            assert resp.status == 200
            assert resp.version == 11
            assert resp.getheader("Content-Type") == "application/json"
            assert resp.getheader("Content-Length") == str(len(payload))
            assert resp.getheader("Connection") == "keep-alive"
            assert json.loads(payload)["Response"]["SecretString"] == "s3cr3t-value"
            sockets.append(conn.sock)
        assert sockets[0] is not None and all(s is sockets[0] for s in sockets)
    finally:
        conn.close()


def test_concurrent_clients(api: TencentCloudApiServer) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            client = ssm(api)
            for _ in range(10):
                assert get_secret(client, "db/password", "v1").SecretString == "old-password"
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(api.received) == 80
    assert api.rejected == []


def test_lifecycle() -> None:
    server = make_server()
    with pytest.raises(RuntimeError):
        _ = server.endpoint
    assert server.start() is server
    assert server.start() is server  # idempotent
    endpoint = server.endpoint
    assert endpoint.startswith("127.0.0.1:")
    # a keep-alive connection left idle after one exchange
    idle = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    body = b'{"SecretName": "wx/appsecret"}'
    idle.request(
        "POST",
        "/",
        body=body,
        headers=sign(
            secret_id=PERMANENT.secret_id,
            secret_key=PERMANENT.secret_key,
            body=body,
            host=endpoint,
        ),
    )
    assert json.loads(idle.getresponse().read())["Response"]["SecretString"] == "s3cr3t-value"
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(requests.ConnectionError):
        requests.post(f"http://{endpoint}/", data=b"{}", timeout=2)
    assert idle.sock is not None
    idle.sock.settimeout(2)
    assert idle.sock.recv(1) == b""  # the idle keep-alive connection was closed
    idle.close()


def test_other_http_methods_get_a_json_error(api: TencentCloudApiServer) -> None:
    resp = requests.put(f"http://{api.endpoint}/", data=b"{}", timeout=5)
    assert resp.status_code == 501
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.json()["Response"]["Error"]["Code"] == "UnsupportedProtocol"
    assert api.rejected[-1][0] == "UnsupportedProtocol"
