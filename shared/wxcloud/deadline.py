"""The invocation's time budget: SCF kills a function at its time limit, mid-call if need be, so
every attempt, backoff and socket timeout is fitted inside what is left, minus a safety margin
kept for answering."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Deadline:
    expires_at: float  # on ``monotonic``
    monotonic: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)

    @classmethod
    def from_scf_context(
        cls,
        context: object,
        *,
        started: float,
        margin: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> Deadline | None:
        """From ``context["time_limit_in_ms"]``, counted from ``started`` (on ``monotonic``)."""
        limit = context.get("time_limit_in_ms") if isinstance(context, dict) else None
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit <= 0:
            return None
        return cls(started + limit / 1000.0 - margin, monotonic)

    def remaining(self) -> float:
        return self.expires_at - self.monotonic()
