"""The progress bar of a run (``run``, ``backfill``, ``backfill --fan-out`` following its workers).

tqdm draws it on stderr when stderr is a terminal and tqdm is installed (the ``archive`` extra
brings it); otherwise there is no bar, and the run prints its answer alone.
"""

from __future__ import annotations

from typing import IO, Any

from ..fetch.outcomes import Outcome


class _Bar:
    """tqdm's bar on a terminal: periods done of those missing, with this run's outcomes."""

    def __init__(self, stream: IO[str]) -> None:
        from tqdm import tqdm

        self._make = tqdm
        self._stream = stream
        self._bar: Any = None
        self._counts: dict[str, int] = {}

    def plan(self, missing: int) -> None:
        self._bar = self._make(
            total=missing, unit="period", file=self._stream, dynamic_ncols=True, desc="archiving", mininterval=0.2
        )

    def update(self, _api: str, outcome: Outcome) -> None:
        if self._bar is None:
            return
        self._counts[outcome] = self._counts.get(outcome, 0) + 1
        self._bar.set_postfix(self._counts, refresh=False)
        self._bar.update(1)

    def advance(self, periods: int) -> None:
        if self._bar is not None:
            self._bar.update(periods)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _progress_bar(stream: IO[str]) -> _Bar | None:
    """A bar on a terminal when tqdm is installed (the archive extra brings it); else none."""
    if not stream.isatty():
        return None
    try:
        return _Bar(stream)
    except ImportError:
        return None
