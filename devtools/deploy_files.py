"""Write the Serverless Cloud Framework files of every function: ``make deploy-files``.

Usage::

    python3 devtools/deploy_files.py [--check]

writes ``deploy/<name>/serverless.yml`` for each function folder and the root ``serverless.yml``
(the original function, getMonthlyVisitTrend, deployable from the repository root as before).
``--check`` writes nothing and exits 1 when a committed file differs from what would be written.

Why generated, and why this layout:

* The schedule has one source: the ``triggers`` of each function's ``config.json``, in the WeChat
  cloud-function format (``{"name", "type": "timer", "config": "<7-field cron, UTC+8>"}``), the
  same fields an SCF timer takes. The files here copy them; editing a schedule means editing
  ``config.json`` and running ``make deploy-files`` (a test fails while they disagree).
* What differs between functions beyond the timer (memory, timeout, extra environment, VPC) is the
  profile below, with the reason for each number written into the file as a comment.
* One ``serverless.yml`` per function under ``deploy/``: the CLI deploys one file per component
  instance, and when run in a directory with no ``serverless.yml`` whose every subdirectory has one,
  it deploys them all as one application (``cd deploy && scf deploy``; all share ``app`` and
  ``stage``, as it requires). ``scf deploy --target deploy/<name>`` deploys one. Paths in a file
  are relative to that file's directory, so ``src`` is ``../../build/<name>``.

The text is rendered here rather than by a YAML library so it carries its comments and so a bare
``python3`` can run it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a file (python3 devtools/deploy_files.py): make `devtools` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.functions import DEFAULT_FUNCTION, ROOT, Function, LayoutError, all_functions

APP = "wxcloud"  # one application for every function, as a multi-instance deploy requires
STAGE = "dev"  # the CLI's default stage, explicit because every instance must agree; override with --stage
DEPLOY_DIR = "deploy"
RUNTIME = "Python3.10"
REGION = "ap-guangzhou"
ROLE = "wxcloud-scf-ssm-reader"
CRON_FIELDS = ("second", "minute", "hour", "day of month", "month", "day of week", "year")
_TRIGGER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,59}")
_CRON_FIELD = re.compile(r"[0-9A-Za-z*?,/-]+")
_WEEKDAYS = {
    "SUN": "Sunday",
    "MON": "Monday",
    "TUE": "Tuesday",
    "WED": "Wednesday",
    "THU": "Thursday",
    "FRI": "Friday",
    "SAT": "Saturday",
}
_WEEKDAY_NUMBERS = dict(enumerate(["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]))


@dataclass(frozen=True)
class Setting:
    """One input with the comment lines that say why it has this value."""

    value: int
    why: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    """What a function needs from SCF beyond its code and its timer."""

    description: str
    memory: Setting
    timeout: Setting
    init_timeout: Setting
    environment: tuple[str, ...] = ("WX_APPID", "WX_APPSECRET_SSM_NAME", "WX_APPSECRET_SSM_VERSION")
    vpc: tuple[tuple[str, str], ...] = ()  # (input, environment variable) pairs of vpcConfig
    retries: Setting = Setting(
        2, ("Timer (async) invocations that raise on a transient failure are retried by the platform.",)
    )
    environment_why: tuple[
        str, ...
    ] = ()  # comment lines above the variables: which go together, which exclude each other
    role_why: tuple[str, ...] = ()  # comment lines on what else the role must allow, beyond reading the secrets
    # Whether its config.json declares its timers. A function that forwards the event it is given
    # has none: WeChat's timer format carries no event, so it declares no trigger (``no_events_why``).
    timers: bool = True
    no_events_why: tuple[str, ...] = ()


REPORT = Profile(
    description="cloud.openapi.analysis.{name} for Python (wxcloud)",
    memory=Setting(
        128,
        (
            "128 MB: the cold-start process peaks well under 64 MB of RSS (bench/ measures it); 128 MB is",
            "the smallest size that leaves headroom for a large reply and the SDK's SSM client.",
        ),
    ),
    timeout=Setting(
        15,
        (
            "15 s: WeChat answers in well under 1 s; the worst case we allow for is 3 attempts of at most",
            "2 s connect + 3 s read each plus capped backoff, and the handler keeps every attempt inside",
            "this limit (it answers -604102 itself rather than being killed mid-call).",
        ),
    ),
    init_timeout=Setting(
        10,
        (
            "The cold start imports requests and pydantic from shipped bytecode, and reads the appsecret",
            "from SSM once: a few hundred ms; 10 s leaves ample room on a slow first start.",
        ),
    ),
)

FORWARDER = Profile(
    description="wxcloud: forwards each cloud call its config.json lists, named by the event (api, data)",
    memory=Setting(
        256,
        (
            "256 MB: a binary reply is answered as JSON, Node's Buffer form holding a number per byte (the",
            "largest that fits SCF's 6 MB, a 1.3 MB image, peaks 25 MB above an idle instance before SCF",
            "writes it out once more), and an upload arrives as up to 6 MB of JSON: 128 MB would be close.",
        ),
    ),
    timeout=Setting(
        30,
        (
            "30 s: a call is bounded as a report's is (3 attempts of at most 2 s connect + 3 s read each plus",
            "capped backoff); sending an upload of a few MB and writing a large binary answer add to that.",
            "The handler keeps every attempt inside this limit (it answers -604102 itself).",
        ),
    ),
    init_timeout=REPORT.init_timeout,
    retries=Setting(
        2,
        (
            "2 platform retries, for a timer you add yourself with the event as its argument: it raises only",
            "for what a retry a minute later can cure (busy, network, the minute quota, the time budget).",
            "A direct or HTTP caller gets every error as a value and the platform never repeats its call.",
        ),
    ),
    timers=False,
    no_events_why=(
        "No trigger: invoke it (SCF Invoke, the event as ClientContext) with the event",
        '{"api": "<namespace>.<name>", "data": {...}}. No HTTP trigger is declared: it would let whoever',
        "reaches it make every call of config.json (see docs/deploying.md for protecting one if you add it).",
    ),
)

PROFILES: dict[str, Profile] = {
    "openapi": FORWARDER,
    "archiveAnalysis": Profile(
        description="wxcloud: the ten analysis reports archived into a database (SQLAlchemy)",
        retries=Setting(
            2,
            (
                "2 platform retries, for the workers of a fanned-out run (asynchronous invocations of this",
                "function by itself): a worker raises only for what a retry a minute or two later can cure",
                "(the database or SSM unreachable, a transient failure). A timer run never raises: what it",
                "leaves (not ready, quota, the time budget) stays missing and the next daily run fetches it.",
            ),
        ),
        memory=Setting(
            256,
            (
                "256 MB: SQLAlchemy and the database drivers come on top of what a report function needs",
                "(128 MB), and one run holds the replies of all ten reports while it writes them.",
            ),
        ),
        timeout=Setting(
            300,
            (
                "300 s: one run makes a WeChat call per report and period due (each bounded at 15 s with its",
                "retries, see the report functions) and writes the rows; catching up after missed days takes",
                "several periods per report, which still fits. Work that does not (a backfill, many apps) is",
                "sent to workers, one invocation per app, each archiving a slice of WX_ARCHIVE_SLICE_DAYS.",
            ),
        ),
        init_timeout=Setting(
            15,
            (
                "The cold start also imports SQLAlchemy and a driver, and reads the database URL from SSM:",
                "15 s leaves room for both.",
            ),
        ),
        environment=(
            "WX_APPID",
            "WX_APPSECRET_SSM_NAME",
            "WX_APPSECRET_SSM_VERSION",
            "WX_ARCHIVE_APPS_SSM_NAME",
            "WX_ARCHIVE_APPS_SSM_VERSION",
            "WX_ARCHIVE_URL_SSM_NAME",
            "WX_ARCHIVE_URL_SSM_VERSION",
        ),
        environment_why=(
            "One app: WX_APPID and WX_APPSECRET_SSM_NAME. Several apps: WX_ARCHIVE_APPS_SSM_NAME alone, an",
            'SSM secret holding {"<appid>": "<appsecret>", ...}. Leave the other pair unset: both is an error.',
        ),
        role_why=(
            "It also needs scf:InvokeFunction on this function itself: a run whose work does not fit",
            "sends it to workers, asynchronous invocations of the same function (without it, the run",
            "does the work itself and says so in fanOut.failed).",
        ),
        vpc=(("vpcId", "WX_ARCHIVE_VPC_ID"), ("subnetId", "WX_ARCHIVE_SUBNET_ID")),
    ),
}


class DeployFilesError(Exception):
    """A function whose config.json cannot give a deployment file; the message says why."""


@dataclass(frozen=True)
class Timer:
    name: str
    cron: str


def timers(fn: Function) -> list[Timer]:
    """The function's timers, from the ``triggers`` of its config.json, checked (none for a
    function whose profile declares none: its config.json must then hold none either)."""
    config = fn.read_config()
    where = f"{fn.name}: {fn.config.relative_to(fn.root).as_posix()}"
    triggers = config.get("triggers")
    if not profile(fn).timers:
        if triggers is not None:
            raise DeployFilesError(
                f"{where} has triggers, but this function forwards the event it is given and a config.json timer "
                "carries none: remove them (a scheduled call is a timer added with its JSON event as the argument, "
                "see docs/deploying.md)"
            )
        return []
    if not isinstance(triggers, list) or not triggers:
        example = '{"name": "daily", "type": "timer", "config": "0 0 11 * * * *"}'
        raise DeployFilesError(f'{where} has no "triggers" list: add its timer, e.g. {example}')
    found = []
    for trigger in triggers:
        if not isinstance(trigger, dict) or set(trigger) != {"name", "type", "config"}:
            raise DeployFilesError(f'{where}: each trigger is {{"name", "type", "config"}}, got {trigger!r}')
        name, kind, cron = trigger["name"], trigger["type"], trigger["config"]
        if kind != "timer":
            raise DeployFilesError(
                f'{where}: trigger {name!r} has type {kind!r}; cloud functions take "timer" triggers only'
            )
        if not isinstance(name, str) or not _TRIGGER_NAME.fullmatch(name):
            raise DeployFilesError(
                f"{where}: trigger name {name!r} must be a letter then up to 59 letters, digits, - or _"
            )
        check_cron(cron, f"{where}: trigger {name!r}")
        found.append(Timer(name, cron))
    if len({t.name for t in found}) != len(found):
        raise DeployFilesError(f"{where}: two triggers share a name")
    return found


def check_cron(cron: object, where: str) -> None:
    """Seven fields (second minute hour day month weekday year, UTC+8), each plain cron syntax;
    plain numbers in range."""
    if not isinstance(cron, str) or len(cron.split()) != 7:
        raise DeployFilesError(f"{where}: config {cron!r} must be a 7-field cron ({' '.join(CRON_FIELDS)})")
    limits = (59, 59, 23, 31, 12, 6, 2099)
    for name, value, limit in zip(CRON_FIELDS, cron.split(), limits, strict=True):
        if not _CRON_FIELD.fullmatch(value):
            raise DeployFilesError(f"{where}: {name} field {value!r} is not cron syntax")
        if value.isdigit() and not (1 if name in {"day of month", "month"} else 0) <= int(value) <= limit:
            raise DeployFilesError(f"{where}: {name} field {value!r} is out of range")


def describe(cron: str) -> str:
    """The schedule in words, for the comment above the timer (so the comment cannot go stale)."""
    second, minute, hour, day, month, weekday, _ = cron.split()
    if not (second.isdigit() and minute.isdigit() and hour.isdigit()):
        return f"on the schedule '{cron}'"
    at = f"{int(hour):02d}:{int(minute):02d} Beijing time"
    if month == "*" and weekday in {"*", "?"} and day.isdigit():
        return f"{at} on day {int(day)} of every month"
    if month == "*" and day in {"*", "?"}:
        if weekday in {"*", "?"}:
            return f"{at} every day"
        name = _WEEKDAYS.get(weekday.upper()) or (_WEEKDAY_NUMBERS.get(int(weekday)) if weekday.isdigit() else None)
        if name:
            return f"{at} every {name}"
    return f"{at}, on the schedule '{cron}'"


def profile(fn: Function) -> Profile:
    return PROFILES.get(fn.name, REPORT)


def render(fn: Function, src: str, *, at_root: bool = False) -> str:
    """The serverless.yml text of ``fn`` whose package directory is ``src`` (relative to the file)."""
    p = profile(fn)
    config = fn.config.relative_to(fn.root).as_posix()
    where = (
        [
            f"# `scf deploy` here deploys {fn.name}, the same instance as {DEPLOY_DIR}/{fn.name}/serverless.yml;",
            f"# `cd {DEPLOY_DIR} && scf deploy` deploys every function, `scf deploy --target {DEPLOY_DIR}/<name>` one.",
        ]
        if at_root
        else []
    )
    lines = [
        f"# Generated by `make deploy-files` (devtools/deploy_files.py) from {config} "
        f"({'the timer' if p.timers else 'which declares no timer'})",
        "# and the function's profile in devtools/deploy_files.py: edit those, not this file.",
        "# Serverless Cloud Framework (`scf deploy`, npm package serverless-cloud-framework), component scf;",
        "# see docs/deploying.md.",
        *where,
        f"app: {APP}",
        f"stage: {STAGE}",
        "component: scf",
        f"name: {APP}-{fn.name}",
        "",
        "inputs:",
        f"  name: {fn.name}",
        "  namespace: default",
        f"  description: {_quoted(p.description.format(name=fn.name))}",
        f"  # Built by `make package FUNCTION={fn.name}` (or `make packages`): index.py at its root, its",
        "  # config.json, wxcloud/ and the locked dependencies from manylinux2014 wheels with bytecode for",
        "  # CPython 3.10. Build it first.",
        f"  src: {src}",
        "  handler: index.main_handler",
        f"  runtime: {RUNTIME}",
        f"  region: {REGION}",
        *_setting("memorySize", p.memory),
        *_setting("timeout", p.timeout),
        *_setting("initTimeout", p.init_timeout),
        "  # Execution role: SCF hands its temporary keys to the function (TENCENTCLOUD_SECRETID, ...),",
        "  # which reads its secrets from SSM with them. It needs ssm:GetSecretValue on them; see",
        "  # docs/deploying.md for the policy. Create it before the first deploy.",
        *(f"  # {line}" for line in p.role_why),
        f"  role: {ROLE}",
    ]
    if p.vpc:
        lines += [
            "  # The database is reachable only inside its VPC; the subnet needs public egress (a NAT",
            "  # gateway) for WeChat, whose IP allow-list then names the NAT's address.",
            "  vpcConfig:",
            *(f"    {key}: ${{env:{variable}}}" for key, variable in p.vpc),
        ]
    lines += [
        "  environment:",
        "    variables:",
        "      # Never a secret value here: secrets are read from SSM at cold start.",
        *(f"      # {line}" for line in p.environment_why),
        *(f"      {name}: ${{env:{name}}}" for name in p.environment),
        *_setting("retryNum", p.retries),
    ]
    scheduled = timers(fn)
    if scheduled:
        lines.append("  events:")
    else:
        lines += [f"  # {line}" for line in p.no_events_why]
    for index, timer in enumerate(scheduled):
        if index == 0:
            lines += [
                "    # Without `enable: true` a trigger would be created disabled. No HTTP trigger is declared:",
                "    # it would expose the Mini Program's analytics (see docs/deploying.md for protecting one if you "
                "add it).",
            ]
        lines += [
            f"    # {timer.name}: {describe(timer.cron)}; the function works out the newest finished",
            "    # period from the trigger's time (WeChat's 'data not ready', 61503, is seen around 10:00).",
            "    - timer:",
            "        parameters:",
            f"          name: {timer.name}",
            f"          cronExpression: '{timer.cron}'",
            "          enable: true",
            "          argument: ''",
        ]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A YAML single-quoted scalar: nothing in ``text`` (a colon, a hash) can change its meaning."""
    return "'" + text.replace("'", "''") + "'"


def _setting(key: str, setting: Setting) -> list[str]:
    return [*(f"  # {line}" for line in setting.why), f"  {key}: {setting.value}"]


def deploy_file(fn: Function) -> Path:
    return fn.root / DEPLOY_DIR / fn.name / "serverless.yml"


def expected_files(root: Path = ROOT) -> dict[Path, str]:
    """Every deployment file and its text: one per function, and the root one."""
    functions = all_functions(root)
    if not functions:
        raise DeployFilesError(f"no function folders (functions/*/index.py) under {root}")
    files = {deploy_file(fn): render(fn, f"../../build/{fn.name}") for fn in functions}
    default = next((fn for fn in functions if fn.name == DEFAULT_FUNCTION), None)
    if default is not None:
        files[root / "serverless.yml"] = render(default, f"./build/{default.name}", at_root=True)
    return files


def stale_files(root: Path = ROOT) -> list[str]:
    """What differs from the generated set: changed, missing, and deploy/ folders of no function."""
    expected = expected_files(root)
    differ = [path for path, text in expected.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
    extra = [p for p in sorted((root / DEPLOY_DIR).glob("*/serverless.yml")) if p not in expected]
    return [p.relative_to(root).as_posix() for p in [*differ, *extra]]


def write(root: Path = ROOT) -> list[Path]:
    expected = expected_files(root)
    for path in sorted((root / DEPLOY_DIR).glob("*/serverless.yml")):
        if path not in expected:  # a function that is gone: its file would deploy nothing that exists
            path.unlink()
            if not any(path.parent.iterdir()):
                path.parent.rmdir()
    for path, text in expected.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return sorted(expected)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file differs from what would be written"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = stale_files()
            for name in stale:
                print(f"deploy_files: {name} is not what 'make deploy-files' writes", file=sys.stderr)
            return 1 if stale else 0
        for path in write():
            print(path.relative_to(ROOT).as_posix())
    except (DeployFilesError, LayoutError) as exc:
        print(f"deploy_files: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
