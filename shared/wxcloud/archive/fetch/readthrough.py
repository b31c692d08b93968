"""``ReadThrough``: the archive in front of WeChat, a cloud call that asks WeChat only when it must.

    from wxcloud.archive import Archive, ReadThrough

    with Archive("postgresql+psycopg://user:password@host/db") as archive:
        result = ReadThrough(archive).get("analysis.getDailyRetain", {"beginDate": "20250101", "endDate": "20250101"})

``get`` answers a period from the database when WeChat can know nothing more about it now (it has
settled, or nothing became knowable since it was fetched), and otherwise asks WeChat and stores
the answer before returning it. Persistence is the ``Archive``'s, the calendar the planner's
(``plan/due.py``); this module only decides between them, call by call.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ...casing import convert_keys
from ...dates import beijing_today, parse_yyyymmdd
from ...errors import ConfigurationError, InvalidParameters, calling
from ...periods import Period
from ...spec import ApiSpec
from ..errors import DatabaseError, NotStored
from ..kept.reports import report_for
from ..kept.storable import storable
from ..plan.due import last_fetch
from ..store.archive import Archive
from ..store.rows import binary_reply

if TYPE_CHECKING:
    from ...client import OpenApiClient


class ReadThrough:
    """Cloud calls of the archived APIs answered from ``archive`` when it can, for ``appid``.

    ``client`` makes the WeChat calls (default: one built from the environment on first need);
    ``appid`` is whose results are read and written (default: the client's)."""

    def __init__(self, archive: Archive, client: OpenApiClient | None = None, *, appid: str | None = None) -> None:
        self.archive = archive
        self._client = client
        self._appid = appid

    def get(self, api: str, data: Any) -> dict[str, Any]:
        """The cloud-call result of ``api`` for ``data`` (``{"beginDate", "endDate"}``): from the
        archive when it has the period and WeChat can know nothing more about it now, else from
        WeChat, stored before it is returned (the newer answer, should another run have stored one
        meanwhile), as the archive keeps it (``storable.py``), so a fetched period and one read
        back give the same answer. Raises ``WxCloudError`` as the cloud call does (a period not
        over yet is 61503, as there), and -601001 when the database fails: before the WeChat call
        when it cannot be read, so no quota is spent; and when the fetched result cannot be
        stored, ``NotStored``, which carries that result as ``.result`` (nothing is stored, so the
        next ``get`` of the period asks WeChat again)."""
        report = report_for(api)
        api = report.name  # either form of the name: kept under the full one
        client, archive = self.client, self.archive
        with calling(report.spec.display_name):
            period = _requested_period(report.spec, data, client)
            found = archive.stored(self.appid, api, period)
        now = datetime.fromtimestamp(client.wall_clock(), timezone.utc)
        today = beijing_today(now)
        # (an answer that cannot be decoded is asked for again, and replaced)
        if (
            found is not None
            and found.readable
            and not report.settling.due(period, last_fetch(period, found.fetched_on), today, archive.refresh_days)
        ):
            return found.result
        answer = client.call(report.spec, data)
        binary = binary_reply(report, answer)
        if binary is not None:
            raise binary
        result: dict[str, Any] = storable(answer)  # as the archive keeps it: the same answer as any later get
        # Recorded as knowing today's knowledge only when the answer proves WeChat has computed
        # yesterday (before then, in the morning, yesterday's key would be recorded as known and
        # never asked for again); else as the day before, so the next get asks once more.
        yesterday = today - timedelta(days=1)
        known = today if report.settling.answered_through(period, result) >= yesterday else yesterday
        problem = None
        try:
            if archive.store(self.appid, api, period, result, fetched_at=now, fetched_on=known) == "upToDate":
                result = archive.load(self.appid, api, period) or result
        except DatabaseError as exc:
            problem = NotStored(
                f"{exc.hint}; the result WeChat returned was not archived (it is the error's .result)", result
            )
        if problem is not None:
            with calling(report.spec.display_name):
                raise problem
        return result

    @property
    def client(self) -> OpenApiClient:
        if self._client is None:
            from ...client import OpenApiClient
            from ...settings import WxSettings

            self._client = OpenApiClient(WxSettings.from_env())
        return self._client

    @property
    def appid(self) -> str:
        if self._appid is None:
            self._appid = self.client.settings.appid
            if not self._appid:
                raise ConfigurationError("the archive keeps results per appid: set WX_APPID (or pass appid=)")
        return self._appid


def _requested_period(spec: ApiSpec[Any, Any], data: Any, client: OpenApiClient) -> Period:
    """The period ``data`` asks for, validated exactly as the cloud call validates it."""
    if not isinstance(data, dict):
        raise InvalidParameters(
            'the call data must be a JSON object such as {"beginDate": "20250101", "endDate": "20250101"}'
        )
    snake = {
        name: value
        for name, value in convert_keys(data, "camel_to_snake", recursive=False).items()
        if name in spec.request_model.fields
    }
    spec.request_model.from_data(snake, now=datetime.fromtimestamp(client.wall_clock(), timezone.utc))
    begin, end = parse_yyyymmdd(snake["begin_date"]), parse_yyyymmdd(snake["end_date"])
    assert begin is not None and end is not None  # validated just above
    return Period(begin, end)
