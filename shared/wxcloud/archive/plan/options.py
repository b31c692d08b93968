"""What a run archives: the job of a run, from the settings narrowed by a manual run's options
(an event or a timer's ``Message``) or the CLI's flags, checked for each with an error that names
the option as its source spells it: -501007 for an option, -601001 for the environment.

The SCF handler (``function/handler.py``) and the CLI (``cli/main.py``) both build their jobs here, so the CLI
never imports the handler module. A since is a day ``yyyymmdd`` or a span back from the run's day
(``90d``, ``12w``, ``6m``, ``1y``: ``settings.archive_since``), wherever it is given, and never
after the run's (Beijing) day; an until may be, and then means the newest closed period. What a
job without a since takes is ``window.py``'s to say: the archive's window, else ``default_since``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ...errors import ConfigurationError, InvalidParameters, PlatformError, shown
from ...variables import WX_ARCHIVE_APIS, WX_ARCHIVE_SINCE
from ..kept.reports import EARLIEST, REPORTS, on_or_after_earliest
from ..settings import Ago, ArchiveSettings, archive_apis, archive_date, archive_since, since_day
from .job import Job

OPTIONS = ("since", "until", "apis")  # what a run may be narrowed by (all optional)


YEAR = Ago(1, "y")  # the since of an archive that was never given one: `1y`, the same year everywhere


def default_since(today: date) -> date:
    """A year before ``today`` (the same day of the month a year earlier, as ``--since 1y``), never
    before ``EARLIEST``. Every period of each report that begins on or after it is kept
    (``plan.closed_periods``): its days from that day, its weeks from the next Monday, its months
    from the next first of a month."""
    return max(YEAR.before(today), EARLIEST)


def chosen_since(settings: ArchiveSettings, options: Mapping[str, Any]) -> bool:
    """Whether a since was given, by the options (an event, the CLI's flags) or ``WX_ARCHIVE_SINCE``;
    else the job's since is the archive's window or the default (``window.windowed``)."""
    return _given(options, "since") or settings.since is not None


def job_for(
    settings: ArchiveSettings, today: date, options: Mapping[str, Any], names: Mapping[str, str] | None = None
) -> Job:
    """The job of a run: the settings, narrowed by a manual run's (or the CLI's) options; errors
    call the options by ``names`` (the CLI's flags) or as the event spells them: -501007 for an
    option, -601001 for the environment (``WX_ARCHIVE_*``)."""
    name = {option: option for option in OPTIONS} | dict(names or {})
    on_or_after_earliest(today, "the run's day")
    apis = archive_apis(
        settings.apis, WX_ARCHIVE_APIS.name, ConfigurationError
    )  # settings built by hand are checked too
    if _given(options, "apis"):
        if not isinstance(options["apis"], (str, list, tuple)):
            raise InvalidParameters(
                f"{name['apis']} must be a list of cloud-call names such as analysis.getDailyVisitTrend, got "
                f"{shown(options['apis'])}"
            )
        apis = archive_apis(options["apis"], name["apis"], InvalidParameters)
    since = settings.since and _not_after(
        today,
        on_or_after_earliest(since_day(settings.since, today), WX_ARCHIVE_SINCE.name, ConfigurationError),
        WX_ARCHIVE_SINCE.name,
        ConfigurationError,
    )
    if _given(options, "since"):
        given = archive_since(options["since"], name["since"], InvalidParameters)
        since = given and _not_after(
            today, on_or_after_earliest(since_day(given, today), name["since"]), name["since"], InvalidParameters
        )
    until = archive_date(options["until"], name["until"], InvalidParameters) if _given(options, "until") else None
    since = since or default_since(today)
    if until is not None and until < since:
        raise InvalidParameters(f"{name['until']} {until:%Y%m%d} is before {name['since']} {since:%Y%m%d}")
    return Job(apis or tuple(REPORTS), since, today, until)


def _not_after(today: date, since: date, source: str, error: type[PlatformError]) -> date:
    """``since``, unless it is after ``today`` (Beijing): a day to come has no period of any
    report, and a run that asked for it would answer "complete" having archived nothing, so it is
    taken for the mistyped year it usually is. (An until to come is fine: the newest closed period.)"""
    if since > today:
        raise error(
            f"{source} {since:%Y%m%d} is after today ({today:%Y%m%d} in Beijing), so no period begins on it; "
            "give a day up to today, or a span back from it such as 90d or 1y"
        )
    return since


def _given(options: Mapping[str, Any], key: str) -> bool:
    """An option is left out by omitting it, null, "" or [] (the CLI's unset flags); anything else,
    0 and false included, is checked (not taken for "not given")."""
    value = options.get(key)
    return value is not None and not (isinstance(value, (str, list, tuple)) and not value)


def options_of(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict):
        raise InvalidParameters(
            f"the event must be a JSON object with any of {', '.join(OPTIONS)}, got a {type(event).__name__}"
        )
    unknown = [key[:40] if isinstance(key, str) else shown(key) for key in event if key not in OPTIONS]
    if unknown:
        raise InvalidParameters(
            f"unknown option(s) {', '.join(unknown[:5])}: a run takes any of {', '.join(OPTIONS)} (all optional)"
        )
    return dict(event)
