"""The role's Tencent Cloud credentials and where a secret in SSM is: read from the environment
without raising, so that the frame which reports a problem never holds the environment (with the
role's keys)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..variables import (
    TENCENTCLOUD_REGION,
    TENCENTCLOUD_SECRET_ID,
    TENCENTCLOUD_SECRET_KEY,
    TENCENTCLOUD_SECRETID,
    TENCENTCLOUD_SECRETKEY,
    TENCENTCLOUD_SESSION_TOKEN,
    TENCENTCLOUD_SESSIONTOKEN,
    WX_APPSECRET,
    WX_APPSECRET_SSM,
    WX_SSM_ENDPOINT,
    WX_SSM_REGION,
    SsmVariables,
    Variable,
)


@dataclass(frozen=True)
class CloudCredentials:
    secret_id: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CloudCredentials | None:
        env = os.environ if environ is None else environ
        for id_variable, key_variable, token_variable in (
            (TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY, TENCENTCLOUD_SESSIONTOKEN),
            (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_SESSION_TOKEN),
        ):
            secret_id, secret_key = id_variable.of(env), key_variable.of(env)
            if secret_id and secret_key:
                return cls(secret_id, secret_key, token_variable.of(env) or None)
        return None


def first_set(environ: Mapping[str, str] | None, *variables: Variable) -> str | None:
    """The first of ``variables`` set in the environment."""
    env = os.environ if environ is None else environ
    for variable in variables:
        value = variable.of(env)
        if value:
            return value
    return None


DEFAULT_SSM_VERSION = "SSM_Current"


@dataclass(frozen=True)
class SsmSecretRef:
    name: str
    version: str = DEFAULT_SSM_VERSION

    def __str__(self) -> str:
        return f"SSM secret {self.name!r} (version {self.version!r})"


@dataclass(frozen=True)
class SsmSource:
    """What the environment says about reading a secret from SSM (the appsecret, the archive's
    database URL), read without raising so that the frame which reports a problem never holds the
    environment (with the role's keys)."""

    ref: SsmSecretRef
    credentials: CloudCredentials | None  # its repr hides the key and the token
    region: str | None
    endpoint: str | None
    appsecret_also_set: bool

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, variable: SsmVariables = WX_APPSECRET_SSM
    ) -> SsmSource | None:
        """The secret named by ``variable.name`` (version ``variable.version``); None when unset."""
        env = os.environ if environ is None else environ
        name = variable.name.of(env)
        if not name:
            return None
        return cls(
            SsmSecretRef(name, variable.version.of(env) or DEFAULT_SSM_VERSION),
            CloudCredentials.from_env(env),
            first_set(env, WX_SSM_REGION, TENCENTCLOUD_REGION),
            WX_SSM_ENDPOINT.of(env) or None,
            bool(WX_APPSECRET.of(env)),
        )
