"""Retry policy as an immutable value (after urllib3's ``Retry``): ``increment()`` returns a new
policy, ``is_exhausted()`` says when to stop, backoff is capped exponential with full jitter.

Retried: WeChat's transient errcodes (-1 system error, 61504 system busy), HTTP 5xx, connection
failures and timeouts. Never retried: everything else, including quota (45009, 45011), permission
(48001), configuration (40013, 40125, 40164) and bad-request codes, and any errcode we do not
know, because retrying those burns quota and cannot succeed. Token errors are not this policy's
business: the client refreshes the token once and retries once, outside the retry budget.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .errcodes import ErrorClass, error_class
from .errors import TransportError, WeChatError, WxCloudError


@dataclass(frozen=True)
class RetryPolicy:
    total: int = 2  # retries after the first attempt
    backoff_factor: float = 0.2  # seconds; the n-th retry waits up to factor * 2**(n-1)
    backoff_max: float = 2.0
    failed: int = 0  # attempts that failed with a retryable error so far (what failed is CallReport's)
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    @staticmethod
    def is_retryable(error: WxCloudError) -> bool:
        if isinstance(error, TransportError):
            return error.retryable
        return isinstance(error, WeChatError) and error_class(error.err_code) is ErrorClass.TRANSIENT

    def increment(self) -> RetryPolicy:
        """The policy after one more failed attempt."""
        return replace(self, failed=self.failed + 1)

    def is_exhausted(self) -> bool:
        return self.failed > self.total

    def backoff(self) -> float:
        """Full jitter: uniform in [0, cap], so instances retrying together spread out."""
        if not self.failed:
            return 0.0
        cap = min(self.backoff_max, self.backoff_factor * 2.0 ** (self.failed - 1))
        return cap * self.random()
