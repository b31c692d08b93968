"""An archive run that needs attention, told where the team already looks: a WeCom group robot.

Why: the archive runs unattended once a day, and a run that failed or left work behind says so
only in its return value and one log line, which nobody reads until a report is found missing
weeks later. Most problems want a person (a Mini Program not authorised for an API, a database
that moved, a time limit too short for the backlog) and each day unseen is a day of history that
WeChat stops keeping. So a run that needs attention posts one short markdown message to the
team's group chat, naming each affected report, what happened, the first error and what to do.
Healthy runs post nothing, nor does a period WeChat has not computed yet (the next run gets it):
an alert channel that talks every day is muted within a week.

What it must never do: fail the run or eat its time budget (a post is bounded by wall clock, a
few seconds at most, and every failure is one WARNING, never an exception), or leak a secret. The
webhook's ``key`` is one (anyone holding the URL can post to the group): the URL travels
``Sealed`` and is revealed only inside frames that return normally, logs name its host alone, and
the transport masks it in anything it quotes. Error texts in the message come from WeChat, the
database driver or the SDK, so they are masked for tokens and credentials before they are sent,
and for the webhook's own key (its parts, in each encoding a server or library applies: percent
escapes in either case, ``+`` for a space, JSON escapes) before anything holds them: the message
is written only once the key is known, and a reply is read by a frame that returns nothing but
its masked words. A key repeated in the URL's path is sealed like the query, and named to
``redaction.conceal_everywhere`` so urllib3's request line and a tracker's breadcrumbs mask it.

The settings are the alerts' own (``AlertSettings``, read apart from the rest of the archive's),
so a run that fails on its configuration still tells the team, naming the apps the environment
names when the run failed before it knew them (an unreachable database).

Every text from elsewhere (an appid, a report's name, an error, a day) goes through one function,
``markdown_text``, before it is put in the message: WeCom's markdown gives ``*``, ``_``, a
backtick, ``[``, ``]``, ``(``, ``)``, ``#``, ``>``, ``<`` (``<font>``, ``<@mention>``) and line
breaks a meaning, and it documents no escape (a backslash shows as itself). So each of those
becomes its full-width look-alike, which WeCom shows as text, a line break a space, and control
and format characters (bidirectional overrides, zero-width ones) are dropped: a hostile appid or
error text reads as what it is and cannot bold, link, colour, mention or add a line.

What it does not hand-write: the HTTP exchange is the project's ``Transport`` (requests with a
connection pool, proxies from the environment, no redirects, and a wall-clock limit enforced by
the watchdog, which cuts a server that trickles bytes, something requests' own per-read timeout
cannot do), the SSM read is ``secrets.read_source``, and the masking is ``redaction``'s (its
patterns and its list of a secret's encodings; only the webhook's parts, and where a part too
short to mask inside words stands alone, are worked out here). A WeCom client library would
bring a dependency for one POST of one JSON object, and none bounds the exchange by wall clock,
nor makes a text plain for WeCom's markdown. What is written here is only what no library
knows: which outcomes of a run deserve a message, what to advise for each, and how WeCom shows
a text.
"""

from __future__ import annotations

import logging
import time

from ...deadline import Deadline
from ...errors import WxCloudError
from ...http.redaction import Sealed
from ...settings import alert_webhook_url
from ...tencentcloud.ssm import read_source
from ..fetch.outcomes import RunSummary
from ..settings import AlertSettings
from .alert_message import MESSAGE_LIMIT, message_for, named
from .masking import clean, markdown_text
from .webhook import deliver, post, split_webhook

__all__ = ["MESSAGE_LIMIT", "markdown_text", "message_for", "notify", "post"]

logger = logging.getLogger("wxcloud")

# Kept back from the invocation's deadline after the post, and the least a post is tried with.
_DEADLINE_MARGIN = 0.25
_MIN_POST_SECONDS = 0.5


def notify(settings: AlertSettings, run: RunSummary, *, deadline: Deadline | None, budget: float = 5.0) -> bool | None:
    """Post the alert for ``run`` (``message_for``: one message at most, whatever its apps), if it
    needs one and a webhook is configured.

    A run that names no app (it failed before it knew them) is titled with the apps the
    environment names (``settings.apps``). None: nothing to say, or nowhere to say it; else whether
    WeCom took the message. Costs at most ``budget`` seconds (reading the webhook from SSM
    included) and never more than ``deadline`` leaves, less a small margin; never raises: a
    webhook that fails or hangs must not fail the run."""
    started = time.monotonic()
    unnamed = named(settings.apps)
    try:  # whether there is anything to say; the message itself is written once the key is known, to be masked in it
        needed = message_for(run, unnamed=unnamed) is not None
    except Exception as exc:  # a bug of ours: say so in the log, not in a crash
        logger.warning("archive alert not sent: the run's result could not be read (%s)", type(exc).__name__)
        return False
    if not needed:
        return None
    if settings.problem is not None:
        logger.warning("archive alert not sent: the webhook setting is unusable: %s", clean(settings.problem, 400))
        return False
    if not settings.configured:
        return None
    webhook = settings.webhook
    if webhook is None:
        webhook = _webhook_from_ssm(settings, _budgeted(deadline, budget))
        if webhook is None:
            return False
    left = budget - (time.monotonic() - started)
    if deadline is not None:
        left = min(left, deadline.remaining() - _DEADLINE_MARGIN)
    if left < _MIN_POST_SECONDS:
        logger.warning("archive alert not sent: only %.2gs left of the run's budget", max(left, 0.0))
        return False
    target = split_webhook(webhook)
    if target is None:
        logger.warning("archive alert not sent: the webhook is not a usable URL")
        return False
    try:  # written now that the key's parts are known, to be masked in it
        message = message_for(run, conceal=target.secrets, unnamed=unnamed)
    except Exception as exc:  # it was written once already: a bug of ours
        logger.warning("archive alert not sent: the run's result could not be read (%s)", type(exc).__name__)
        return False
    return None if message is None else deliver(target, message, left)


def _budgeted(deadline: Deadline | None, budget: float) -> Deadline:
    """The earlier of ``deadline`` and ``budget`` seconds from now, less the margin."""
    clock = time.monotonic if deadline is None else deadline.monotonic
    expires = clock() + budget
    if deadline is not None:
        expires = min(expires, deadline.expires_at - _DEADLINE_MARGIN)
    return Deadline(expires, clock)


def _webhook_from_ssm(settings: AlertSettings, deadline: Deadline) -> Sealed[str] | None:
    """The webhook read from SSM and checked, sealed; None (and one WARNING) when that fails. The
    revealed value is never held by a variable of this frame, nor of one that is kept."""
    source = settings.webhook_ssm
    if source is None:
        return None
    problem: str
    try:
        read = Sealed(read_source(source, deadline=deadline, what=f"the alert webhook in {source.ref}"))
    except WxCloudError as exc:  # its text names the secret and the failure, never the value (tencentcloud/ssm.py)
        problem = clean(exc.err_msg, 400)
    except Exception as exc:
        problem = f"unexpected {type(exc).__name__}"
    else:
        checked = _checked(read, allow_insecure=settings.allow_insecure)
        if isinstance(checked, Sealed):
            return checked
        problem = checked
    logger.warning("archive alert not sent: the webhook could not be read from %s: %s", source.ref, problem)
    return None


def _checked(webhook: Sealed[str], *, allow_insecure: bool) -> Sealed[str] | str:
    """The webhook if it is a usable URL (``alert_webhook_url``), else what is wrong with it (its
    scheme and host at most). Returns, never raises: the checking frames held the URL."""
    try:
        return Sealed(alert_webhook_url(webhook.reveal(), allow_insecure=allow_insecure))
    except WxCloudError as exc:
        return clean(exc.err_msg, 400)
    except Exception as exc:
        return f"unexpected {type(exc).__name__}"
