"""What a run archives: the job of a run, from the settings narrowed by a manual run's options
(an event or a timer's ``Message``) or the CLI's flags, checked for each with an error that names
the option as its source spells it: -501007 for an option, -601001 for the environment.

The SCF handler (``function.py``) and the CLI (``cli.py``) both build their jobs here, so the CLI
never imports the handler module.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..errors import ConfigurationError, InvalidParameters, shown
from .job import Job
from .reports import EARLIEST, REPORTS, on_or_after_earliest
from .settings import ArchiveSettings, archive_apis, archive_date

OPTIONS = ("since", "until", "apis")  # what a run may be narrowed by (all optional)


def default_since(today: date) -> date:
    """The first day of the month one year before ``today``: a year of history, whole months
    (never before ``EARLIEST``)."""
    return max(date(today.year - 1, today.month, 1), EARLIEST)


def job_for(settings: ArchiveSettings, today: date, options: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Job:
    """The job of a run: the settings, narrowed by a manual run's (or the CLI's) options; errors
    call the options by ``names`` (the CLI's flags) or as the event spells them: -501007 for an
    option, -601001 for the environment (``WX_ARCHIVE_*``)."""
    name = {option: option for option in OPTIONS} | dict(names or {})
    on_or_after_earliest(today, "the run's day")
    apis = archive_apis(settings.apis, "WX_ARCHIVE_APIS", ConfigurationError)  # settings built by hand are checked too
    if _given(options, "apis"):
        if not isinstance(options["apis"], (str, list, tuple)):
            raise InvalidParameters(
                f"{name['apis']} must be a list of cloud-call names such as analysis.getDailyVisitTrend, got {shown(options['apis'])}"
            )
        apis = archive_apis(options["apis"], name["apis"], InvalidParameters)
    since = settings.since and on_or_after_earliest(settings.since, "WX_ARCHIVE_SINCE", ConfigurationError)
    if _given(options, "since"):
        given = archive_date(options["since"], name["since"], InvalidParameters)
        since = given and on_or_after_earliest(given, name["since"])
    until = archive_date(options["until"], name["until"], InvalidParameters) if _given(options, "until") else None
    since = since or default_since(today)
    if until is not None and until < since:
        raise InvalidParameters(f"{name['until']} {until:%Y%m%d} is before {name['since']} {since:%Y%m%d}")
    return Job(apis or tuple(REPORTS), since, today, until)


def _given(options: Mapping[str, Any], key: str) -> bool:
    """An option is left out by omitting it, null, "" or [] (the CLI's unset flags); anything else,
    0 and false included, is checked (not taken for "not given")."""
    value = options.get(key)
    return value is not None and not (isinstance(value, (str, list, tuple)) and not value)


def options_of(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict):
        raise InvalidParameters(f"the event must be a JSON object with any of {', '.join(OPTIONS)}, got a {type(event).__name__}")
    unknown = [key[:40] if isinstance(key, str) else shown(key) for key in event if key not in OPTIONS]
    if unknown:
        raise InvalidParameters(f"unknown option(s) {', '.join(unknown[:5])}: a run takes any of {', '.join(OPTIONS)} (all optional)")
    return dict(event)

