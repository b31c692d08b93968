"""The per-attempt socket timeouts of a call."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Timeouts:
    """Per-attempt socket timeouts in seconds. WeChat answers in well under one second, so a
    stalled reply is cut short early enough to leave room for a retry inside the invocation."""

    connect: float = 2.0
    read: float = 3.0
