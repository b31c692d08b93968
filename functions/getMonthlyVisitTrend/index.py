"""SCF entry point: ``cloud.openapi.analysis.getMonthlyVisitTrend`` as a Python cloud function.

Deployed, this file sits at the package root beside ``wxcloud/`` and ``config.json``; in the
source tree, ``config.json`` is at the repository root. The app (and its client, connection pool
and token cache) lives at module level, so warm invocations reuse it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wxcloud.analysis import Analysis
from wxcloud.scf import FunctionApp

_HERE = Path(__file__).resolve().parent

app = FunctionApp(
    Analysis.getMonthlyVisitTrend,
    config_candidates=(_HERE / "config.json", _HERE.parent.parent / "config.json"),
)


def main_handler(event: Any, context: Any) -> dict[str, Any]:
    return app.handle(event, context)
