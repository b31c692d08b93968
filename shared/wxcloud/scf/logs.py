"""A function's own log output: one handler on stdout, its own level, no doubles.

SCF's Python runtime collects stdout but configures no logging, so Python's defaults (WARNING, and
no handler but the last-resort one on stderr) would drop the INFO line every invocation promises.
Like aws-powertools' ``Logger``, a function therefore owns its output: the ``wxcloud`` logger gets
a handler writing bare lines to stdout, its level comes from ``WX_LOG_LEVEL`` (default INFO), and
it does not propagate, so a root logger that the platform or the user configured does not print
every line twice. Library use outside a function is untouched: only ``FunctionApp`` calls this.
"""

from __future__ import annotations

import logging
import sys

LOGGER_NAME = "wxcloud"


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]  # generic in typeshed, not at run time
    """Writes to whatever ``sys.stdout`` is at emit time (a runtime or a test may replace it)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout  # under the handler's lock: handle() holds it around emit()
        super().emit(record)


def own_function_logs(level: str) -> logging.Logger:
    """Give the ``wxcloud`` logger its stdout handler (once per process) and ``level``. An unknown
    level name is reported on that handler and INFO is used, so a typo never silences the logs."""
    logger = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(handler, _StdoutHandler) for handler in logger.handlers):
        logger.addHandler(_StdoutHandler())
    logger.propagate = False
    resolved = logging.getLevelName(level.strip().upper() or "INFO")
    if isinstance(resolved, int):
        logger.setLevel(resolved)
    else:
        logger.setLevel(logging.INFO)
        logger.warning("WX_LOG_LEVEL %r is not a logging level (DEBUG, INFO, WARNING, ERROR); using INFO", level[:20])
    return logger
