"""``config.json`` of a cloud function: which open APIs it may call. Fail closed: a missing or
unreadable file, or one without the API, denies the call before anything reaches WeChat."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import PermissionDenied

IN_CODE = "code"  # the source of Permissions.allow(...): names given in code, not read from a file


@dataclass(frozen=True)
class Permissions:
    openapi: frozenset[str]
    source: str  # where they were read from, for the hint
    problem: str | None = None  # why nothing is allowed, when the file could not be used

    def check(self, api_name: str) -> None:
        """Nothing when ``api_name`` is allowed, else -604101 whose hint says what to add where."""
        if self.problem:
            listed = json.dumps({"permissions": {"openapi": [api_name]}}, ensure_ascii=False)
            raise PermissionDenied(
                f"{api_name} is not allowed: {self.problem}; the function's config.json, beside its index.py, "
                f"lists what it may call: {listed}"
            )
        if api_name in self.openapi:
            return
        if self.source == IN_CODE:
            raise PermissionDenied(
                f"{api_name} is not among the names of Permissions.allow(...) this client was built with: "
                f"add {json.dumps(api_name, ensure_ascii=False)} to them"
            )
        raise PermissionDenied(
            f"{api_name} is not listed in permissions.openapi of {self.source}: add "
            f"{json.dumps(api_name, ensure_ascii=False)} to that list and deploy the function again"
        )

    @classmethod
    def allow(cls, *api_names: str) -> Permissions:
        """The names a client built in code may call (``OpenApiClient(settings, permissions=...)``)."""
        return cls(frozenset(api_names), IN_CODE)


def load_permissions(candidates: Sequence[Path]) -> Permissions:
    """Read the first ``config.json`` of ``candidates`` that exists."""
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        looked = ", ".join(str(p) for p in candidates)
        return Permissions(frozenset(), looked, f"config.json not found (looked in {looked})")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        names = config["permissions"]["openapi"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise TypeError("permissions.openapi must be a list of strings")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Permissions(frozenset(), str(path), f"{path} is unusable ({type(exc).__name__}: {exc})")
    return Permissions(frozenset(names), str(path))
