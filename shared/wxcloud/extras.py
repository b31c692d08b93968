"""The line that installs one of wxcloud's optional extras (``archive``, ``report``, ``chart``,
``ssm``, ``scf``), for the messages that say one is missing.

wxcloud is installed from its checkout or from a wheel built there (``make dist``), never by name
from a package index: no index holds it, so asking one for it fails, or, once a stranger claims the
name, installs the stranger's package. The line therefore names where this copy of wxcloud came
from, and the interpreter running it, so that pasting it installs into the right environment:

* running from a checkout (``shared/wxcloud`` beside ``pyproject.toml``, as ``dev.py`` and an
  editable install run it): ``<python> -m pip install '<checkout>[chart]'``;
* installed from a directory or a wheel that is still there (pip records it, PEP 610):
  ``<python> -m pip install '<that path>[chart]'``;
* otherwise the extra's own requirements, read from the installed metadata:
  ``<python> -m pip install 'matplotlib<4,>=3.8'``.

``MissingExtra`` is the ``ModuleNotFoundError`` a package raises in place of Python's own when an
import the extra brings fails, its message ending in that line; ``stop_program`` turns it into one
line on stderr and exit status 2 when the running program is the package's command, so a user at a
terminal reads the line, not a traceback.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import ConfigurationError

DISTRIBUTION = "wxcloud"
PACKAGE = Path(__file__).resolve().parent


class MissingExtra(ModuleNotFoundError):
    """An import an optional extra brings failed; the message says which extra and how to install it."""


def install_line(extra: str) -> str:
    """One shell line that installs ``extra`` into the environment of the running interpreter."""
    pip = f"{shlex.quote(sys.executable or 'python3')} -m pip install"
    source = _source()
    if source is not None:
        return f"{pip} {shlex.quote(f'{source}[{extra}]')}"
    requirements = _requirements(extra)
    if requirements:
        return f"{pip} {' '.join(shlex.quote(requirement) for requirement in requirements)}"
    return f"{pip} '<the wxcloud checkout>[{extra}]' (from the checkout wxcloud came from)"


def missing_extra(extra: str, exc: ModuleNotFoundError, needed_by: str) -> MissingExtra | None:
    """``exc`` (a module ``extra`` brings could not be imported) as a ``MissingExtra`` naming the
    line that installs it; None when the missing module is wxcloud's own (no extra brings it: a
    broken install, for the caller to re-raise as it is)."""
    if isinstance(exc, MissingExtra):
        return exc
    module = (exc.name or "").split(".")[0]
    if not module or module == DISTRIBUTION:
        return None
    return MissingExtra(
        f"{needed_by} needs {module}, which the {extra!r} extra brings: {install_line(extra)}", name=exc.name
    )


def stop_program(error: MissingExtra, *, module: str, script: str) -> None:
    """Print ``error`` as one line on stderr and exit with status 2 when the running program is
    ``python -m <module>`` or the console script ``<script>``; return otherwise (a library's
    import, whose caller handles the exception)."""
    argv = list(getattr(sys, "orig_argv", sys.argv))
    as_module = "-m" in argv[:-1] and argv[argv.index("-m") + 1] == module
    if not as_module and Path(sys.argv[0]).name != script:
        return
    if "--json" in sys.argv[1:]:
        print(json.dumps(ConfigurationError(str(error)).to_result(), ensure_ascii=False), file=sys.stderr)
    else:
        print(f"{script}: {error}", file=sys.stderr)
    raise SystemExit(2)


def _source() -> Path | None:
    """The checkout this copy of wxcloud runs from, or the directory or wheel pip installed it
    from, when that is still there; None otherwise."""
    checkout = PACKAGE.parent.parent
    if PACKAGE.parent.name == "shared" and (checkout / "pyproject.toml").is_file():
        return checkout
    try:
        recorded = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    try:
        url = urlsplit(str(json.loads(recorded or "{}").get("url", "")))
    except (ValueError, AttributeError):
        return None
    if url.scheme != "file":
        return None
    path = Path(unquote(url.path))
    return path if path.exists() else None


def _requirements(extra: str) -> list[str]:
    """The requirements the installed metadata lists for ``extra`` (markers other than the extra's
    dropped: installing one a Python version does not need is harmless)."""
    try:
        declared = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return []
    marker = re.compile(rf"""\bextra\s*==\s*["']{re.escape(extra)}["']""")
    return [
        requirement.split(";")[0].strip()
        for requirement in declared
        if ";" in requirement and marker.search(requirement.split(";", 1)[1])
    ]
