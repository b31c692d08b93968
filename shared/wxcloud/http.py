"""The API Gateway / function URL integrated response around a cloud-call result.

The body is always the cloud-call JSON, so an HTTP client reads the same ``errCode``/``errMsg``
as any other caller; the status only lets HTTP tooling (gateways, monitors, retries) see the
outcome class without parsing it.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import INVALID_PARAM, NO_PERMISSION, OPENAPI_TIMEOUT

_STATUS_BY_CODE = {
    0: 200,
    INVALID_PARAM: 400,  # also a body that is not JSON
    61500: 400,
    61501: 400,
    NO_PERMISSION: 403,
    45009: 429,
    45011: 429,
    OPENAPI_TIMEOUT: 504,
}


def status_for(err_code: Any) -> int:
    """200 ok, 400 bad input, 403 no permission, 429 quota, 504 timeout, 502 any other failure."""
    return _STATUS_BY_CODE.get(err_code, 502) if isinstance(err_code, int) and not isinstance(err_code, bool) else 502


def integrated_response(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "isBase64Encoded": False,
        "statusCode": status_for(result.get("errCode")),
        "headers": {"Content-Type": "application/json; charset=utf-8"},
        "body": json.dumps(result, ensure_ascii=False),
    }
