"""The API Gateway / function URL integrated response around a cloud-call result.

The body is always the cloud-call JSON, so an HTTP client reads the same ``errCode``/``errMsg``
as any other caller; the status only lets HTTP tooling (gateways, monitors, retries) see the
outcome class without parsing it: 200 ok, 400 bad input, 403 no permission, 429 quota, 503 data
not ready, 504 timeout, 502 any other failure (``errcodes.HTTP_STATUS``).
"""

from __future__ import annotations

import json
from typing import Any

from ..errcodes import HTTP_STATUS, error_class


def status_for(err_code: Any) -> int:
    return HTTP_STATUS.get(error_class(err_code), 502)


def integrated_response(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "isBase64Encoded": False,
        "statusCode": status_for(result.get("errCode")),
        "headers": {"Content-Type": "application/json; charset=utf-8"},
        "body": json.dumps(result, ensure_ascii=False),
    }
