"""Each app's client: the app's own token source (its appsecret, or the platform's token service)
on the configured endpoint, kept across warm invocations while the app's configuration stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ...client import OpenApiClient
from ...deadline import Deadline
from ...environment import Deferred
from ...errors import ConfigurationError
from ...permissions import Permissions
from ...settings import WxSettings
from ...variables import WX_PLATFORM_TOKEN_URL
from ..apps import App

if TYPE_CHECKING:
    from ...platform_tokens import PlatformSettings


def app_client(
    app: App,
    base: WxSettings,
    *,
    permissions: Permissions | None = None,
    deadline: Deadline | None = None,
    platform: Deferred[PlatformSettings | None] | None = None,
) -> OpenApiClient:
    """The client of one app: ``base``'s endpoint and timeouts, the app's appid, and its appsecret
    (the stable_token source) or the platform's token service (``platform``, as the entry point
    read it: ``FunctionConfig.platform``; its error, when malformed, is this app's)."""
    if app.secret is not None:
        return OpenApiClient(replace(base, appid=app.appid, appsecret=app.secret.reveal()), permissions=permissions)
    from ...platform_tokens import platform_client  # only platform apps pay for importing it

    service = None if platform is None else platform.get()
    if service is None:
        raise ConfigurationError(
            f"the app {app.appid} takes its tokens from the platform: "
            f"set {WX_PLATFORM_TOKEN_URL} to the platform's token service"
        )
    return platform_client(app.appid, service, base, deadline=deadline, permissions=permissions)


class AppClients:
    """Each app's client, kept across warm invocations while the app's configuration is the same
    (its token cache and connection pool with it); a client of an app no longer configured, or
    configured differently, is closed."""

    def __init__(self) -> None:
        self._clients: dict[str, tuple[App, OpenApiClient]] = {}

    def for_apps(
        self,
        apps: Sequence[App],
        base: WxSettings,
        *,
        permissions: Permissions | None = None,
        deadline: Deadline | None = None,
        platform: Deferred[PlatformSettings | None] | None = None,
        keep_others: bool = False,
    ) -> dict[str, OpenApiClient]:
        """The client of each of ``apps``; the clients of other apps are closed, unless
        ``keep_others`` (a worker archives one app of several)."""
        kept: dict[str, tuple[App, OpenApiClient]] = dict(self._clients) if keep_others else {}
        for app in apps:
            known = self._clients.get(app.appid)
            if known is not None and known[0] == app and known[1].settings.api_base_url == base.api_base_url:
                kept[app.appid] = known
            else:
                kept[app.appid] = (
                    app,
                    app_client(app, base, permissions=permissions, deadline=deadline, platform=platform),
                )
        for appid, (_, client) in self._clients.items():
            if kept.get(appid, (None, None))[1] is not client:
                client.close()
        self._clients = kept
        return {app.appid: kept[app.appid][1] for app in apps}

    def close(self) -> None:
        for _, client in self._clients.values():
            client.close()
        self._clients = {}
