"""Releases from the repository's history, run beside today's code: the one extraction of a commit's
tree every bench uses, and the process a release's code runs in.

A release's code cannot share a process with today's: both are the package ``wxcloud`` and their
modules differ (the archive's moved into folders). So each release runs in a child process whose
``PYTHONPATH`` starts with that release's own ``shared/``, and today's is measured by the same
child with today's ``shared/``: the two sides differ by the code alone. ``Child`` is that process,
long-lived (its imports and warm-up paid once, before any timing) and driven one JSON line at a
time, so the benches can interleave the sides round by round and let the machine's drift fall on
both. It checks, before it is used, that the ``wxcloud`` it imported is the one it was given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The last release before the archive moved into folders: what the regression figures compare with.
RELEASE = "5d1c6bf"


def extract(commit: str, workdir: Path, *paths: str) -> Path | None:
    """The repository at ``commit`` (only ``paths`` when given), extracted by ``git archive`` into a
    new folder under ``workdir``; None when this clone lacks the commit (a shallow clone) or git."""
    try:
        tar = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "--", *paths], capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    target = Path(tempfile.mkdtemp(prefix=f"tree-{commit}-", dir=workdir))
    with tarfile.open(fileobj=BytesIO(tar)) as archive:
        archive.extractall(target, filter="data") if sys.version_info >= (3, 12) else archive.extractall(target)
    return target


# Each child script starts with this: it answers the wxcloud it imported, then serves requests
# (a JSON line in, a JSON line out) with the script's own ``serve(request)``.
_PRELUDE = """
import json, sys
replies, sys.stdout = sys.stdout, sys.stderr
"""
_LOOP = """
import wxcloud
replies.write(json.dumps({"wxcloud": wxcloud.__file__}) + "\\n"); replies.flush()
for line in sys.stdin:
    try:
        reply = {"answer": serve(json.loads(line))}
    except Exception as exc:
        reply = {"raised": f"{type(exc).__name__}: {exc}"[:500]}
    replies.write(json.dumps(reply) + "\\n"); replies.flush()
"""


class Child:
    """A Python process running ``script`` (which defines ``serve(request) -> answer``) with
    ``shared`` first on its path (then ``path``) and ``args`` as its ``sys.argv[1:]``, started at
    once; ``ready`` waits for its imports (so that several can load side by side), ``ask`` sends one
    request."""

    def __init__(
        self, script: str, shared: Path, *args: str, env: dict[str, str] | None = None, path: tuple[Path, ...] = ()
    ) -> None:
        environ = {**(os.environ if env is None else env)}
        environ["PYTHONPATH"] = os.pathsep.join(str(p) for p in (shared, *path))
        self.shared = shared
        self.log = tempfile.TemporaryFile()  # the child's log lines: kept out of the bench's output, shown if it dies
        self.process = subprocess.Popen(
            [sys.executable, "-c", _PRELUDE + script + _LOOP, *args],
            env=environ,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self._ready = False

    def ready(self) -> None:
        """Wait until the child has loaded its code, and check that code is the one it was given."""
        if self._ready:
            return
        loaded = Path(self._reply()["wxcloud"]).resolve()
        if not loaded.is_relative_to(self.shared.resolve()):
            self.close()
            raise RuntimeError(f"a child given {self.shared} imported wxcloud from {loaded}")
        self._ready = True

    def _reply(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            self.log.seek(0)
            tail = self.log.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"a bench child on {self.shared} died (exit {code}): {tail}")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def ask(self, request: Any) -> Any:
        """The child's answer to ``request``; raises what the child raised."""
        self.ready()
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        reply = self._reply()
        if "raised" in reply:
            raise RuntimeError(f"a bench child on {self.shared} raised {reply['raised']}")
        return reply["answer"]

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.log.close()

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
