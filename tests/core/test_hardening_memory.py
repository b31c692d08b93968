"""Reply bodies are capped after decompression: 100 MB bodies, 100 MB error pages and gzip/deflate
bombs never raise the process's peak memory by more than a few tens of MB.

Measured for real: the call runs in a child Python whose peak RSS (``ru_maxrss``) is read before
and after it, so the figure is the process's own high-water mark, not an estimate.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.checkout import ROOT
from tests.support.hostile_servers import (
    DATA_PATH,
    GOOD_DATA,
    TOKEN_PATH,
    Behaviour,
    HostileServer,
    bomb,
    issue_token,
    json_reply,
    stream,
)

HUNDRED_MB = 100 * 1024 * 1024
ALLOWED_GROWTH_MB = 40

CHILD = """
import json, resource, sys
sys.path[:0] = [sys.argv[2], sys.argv[3]]
from tests.support.hostile_servers import call, make_client
from wxcloud import MemoryTokenStore

client = make_client(sys.argv[1], connect=2.0, read=5.0)
assert call(client)["errCode"] == 0  # warm: every module imported, the pool and the token in place
if sys.argv[4] == "token":
    client.tokens.store = MemoryTokenStore()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = call(client)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"result": result, "growth_kb": after - before}))
"""


def run_child(server: HostileServer, what: str) -> tuple[dict[str, object], float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, server.url, str(ROOT / "shared"), str(ROOT), what],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    return answer["result"], answer["growth_kb"] / 1024


DATA_CASES: dict[str, Behaviour] = {
    "100 MB JSON body": stream(200, HUNDRED_MB),
    "100 MB chunked JSON body": stream(200, HUNDRED_MB, chunked=True),
    "gzip bomb (200 MB expanded)": bomb("gzip"),
    "deflate bomb (200 MB expanded)": bomb("deflate"),
    "100 MB chunked body labelled identity": stream(200, HUNDRED_MB, chunked=True, encoding="identity"),
}


@pytest.mark.parametrize("name", list(DATA_CASES))
def test_an_oversize_data_reply_is_601001_and_costs_little_memory(name: str) -> None:
    with HostileServer() as server:
        server.on(DATA_PATH, json_reply(GOOD_DATA), DATA_CASES[name])
        result, growth_mb = run_child(server, "data")
    assert result["errCode"] == -601001, result
    assert "too large" in str(result["errMsg"]) and "hint: [" in str(result["errMsg"])
    assert growth_mb < ALLOWED_GROWTH_MB, f"peak RSS grew {growth_mb:.1f} MB"


def test_a_100_mb_error_page_is_not_read() -> None:
    page = stream(502, HUNDRED_MB, "text/html")
    with HostileServer() as server:
        server.on(DATA_PATH, json_reply(GOOD_DATA), page)
        result, growth_mb = run_child(server, "data")
    assert result["errCode"] == -1 and "HTTP 502" in str(result["errMsg"]), result
    assert growth_mb < ALLOWED_GROWTH_MB, f"peak RSS grew {growth_mb:.1f} MB"
    assert len(server.requests_to(DATA_PATH)) == 4  # the warm call, then three attempts


@pytest.mark.parametrize("name", ["100 MB token reply", "gzip bomb token reply"])
def test_an_oversize_token_reply_is_601001(name: str) -> None:
    behaviour = stream(200, HUNDRED_MB) if name.startswith("100") else bomb("gzip", 20 * 1024 * 1024)
    with HostileServer() as server:
        server.on(TOKEN_PATH, issue_token, behaviour)
        server.on(DATA_PATH, json_reply(GOOD_DATA))
        result, growth_mb = run_child(server, "token")
    assert result["errCode"] == -601001, result
    assert "too large" in str(result["errMsg"])
    assert growth_mb < ALLOWED_GROWTH_MB, f"peak RSS grew {growth_mb:.1f} MB"
