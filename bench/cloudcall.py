"""Every cloud call at volume: a generic call against an analysis call, 64 at once against the
alternatives, and the previous release.

    .venv/bin/python bench/cloudcall.py [--rounds 15] [--warm-calls 200] [--bursts 3]

1. Warm calls: ``wxcloud.openapi.security.msgSecCheck`` (a catalogue row: an open request model,
   the name resolved against the catalogue on every call) against
   ``wxcloud.openapi.analysis.getMonthlyVisitTrend`` (a declared report with its period rules),
   both warm, through one root whose client the environment configured, interleaved round by
   round; medians of per-round medians of ``--warm-calls`` calls, with the quartiles over rounds.
2. 64 concurrent msgSecCheck calls in one instance, as SCF's per-instance concurrency runs
   invocations: 64 threads of one process released together by a barrier, each making one call,
   timed from the first release to the last answer. Ours (one ``wxcloud.openapi`` root, as a
   function's module-level client is shared by its invocations) against wechatpy 1.8
   (``WeChatClient(...).wxa.check_text_security``, one client) and bare ``requests`` (one
   ``Session().post`` with the token, plus ``json()``), the same text for all three; the median
   of ``--bursts`` bursts per contender per round, then the median and quartiles over rounds.
3. The previous release (``PREVIOUS``: the commit before the catalogue, taken from the
   repository's history) built as a package of the default function by today's builder, so that
   bench/run.py's cold start can run it beside today's, interleaved: what the catalogue, loaded
   lazily, adds to a function's cold start. Without the history (a shallow clone) it is left out.

Both warm figures and the bursts run against ``LoopbackWeChat``: canned replies (WeChat's own
shapes) on the emulator's HTTP plumbing, so the server costs the same whichever call it answers
and the figures are the clients'. ``rows()`` returns ``(figure, ours, baseline, ratio)`` rows
for bench/run.py, with the spread written beside each median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from bench.history import extract  # noqa: E402
from devtools.build_package import build, cpython_tag  # noqa: E402
from devtools.functions import DEFAULT_FUNCTION  # noqa: E402
from devtools.wechat_emulator import (  # noqa: E402
    DEFAULT_APPID,
    DEFAULT_SECRET,
    MONTHLY_VISIT_TREND_PATH,
    STABLE_TOKEN_PATH,
    Received,
)
from devtools.wechat_emulator.loopback import Loopback  # noqa: E402
from devtools.wechat_emulator.plumbing import Reply  # noqa: E402

Row = tuple[str, str, str, float]  # figure, ours (median [quartiles]), baseline (likewise), ratio of the medians
PREVIOUS = "1df0405"  # the release before every cloud call: the ten analysis reports alone
CONCURRENCY = 64
MSG_SEC_CHECK_PATH = "/wxa/msg_sec_check"
TEXT = {"content": "hello, world"}  # what all three contenders send
EVENT = {"beginDate": "20170301", "endDate": "20170331"}
TOKEN = "bench-loopback-token"
REPLIES = {  # WeChat's reply shapes
    STABLE_TOKEN_PATH: {"access_token": TOKEN, "expires_in": 7200},
    MSG_SEC_CHECK_PATH: {
        "errcode": 0,
        "errmsg": "ok",
        "result": {"suggest": "pass", "label": 100},
        "detail": [{"strategy": "content_model", "errcode": 0, "suggest": "pass", "label": 100, "prob": 90}],
        "trace_id": "60ae120f-371d5872-7941a05b",
    },
    MONTHLY_VISIT_TREND_PATH: {
        "list": [
            {
                "ref_date": "201703",
                "session_cnt": 126513,
                "visit_pv": 426113,
                "visit_uv": 48659,
                "visit_uv_new": 6726,
                "stay_time_session": 56.4112,
                "visit_depth": 2.0189,
            },
        ]
    },
}


class LoopbackWeChat(Loopback):
    """WeChat on loopback answering stable_token, msgSecCheck and the monthly visit trend with
    canned replies (a wrong token is 40001, any other path 40066), counting requests per path."""

    _what = "loopback WeChat"
    _thread_name = "loopback-wechat"

    def __init__(self) -> None:
        super().__init__()
        self._replies = {path: json.dumps(body).encode() for path, body in REPLIES.items()}
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def requests_to(self, path: str) -> int:
        """Requests answered on ``path`` so far."""
        with self._lock:
            return self._counts[path]

    def _handle(self, request: Received) -> Reply:
        body = self._replies.get(request.path)
        if body is None:
            return Reply(200, b'{"errcode":40066,"errmsg":"invalid url"}')
        if request.path != STABLE_TOKEN_PATH and request.query.get("access_token") != TOKEN:
            return Reply(200, b'{"errcode":40001,"errmsg":"invalid credential"}')
        with self._lock:
            self._counts[request.path] += 1
        return Reply(200, body)


@contextmanager
def _environment(url: str) -> Iterator[None]:
    """The environment ``wxcloud.openapi`` is configured from, for the first call only."""
    names = ("WX_APPID", "WX_APPSECRET", "WX_API_BASE_URL")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(WX_APPID=DEFAULT_APPID, WX_APPSECRET=DEFAULT_SECRET, WX_API_BASE_URL=url)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _ours(url: str) -> Any:
    """A root as ``wxcloud.openapi`` is (configured from the environment on its first call), warm."""
    from wxcloud.proxy import OpenApiRoot

    root = OpenApiRoot()
    with _environment(url):
        first = root.security.msgSecCheck(TEXT)
    if first.get("errCode") != 0:
        raise RuntimeError(f"bench: unexpected result {first}")
    return root


def _spread(values: list[float], scale: float, digits: int) -> tuple[float, str]:
    """The median, and ``median [lower quartile-upper quartile]`` to show it with its spread."""
    median = statistics.median(values) * scale
    low, _, high = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else (values[0],) * 3
    return median, f"{round(median, digits)} [{round(low * scale, digits)}-{round(high * scale, digits)}]"


def warm_rows(server: LoopbackWeChat, rounds: int, per_round: int) -> list[Row]:
    """Row 1: a warm generic call against a warm analysis call, through the same root."""
    root = _ours(server.url)

    def generic() -> None:
        root.security.msgSecCheck(TEXT)

    def analysis() -> None:
        root.analysis.getMonthlyVisitTrend(EVENT)

    contenders: dict[str, Callable[[], None]] = {"generic": generic, "analysis": analysis}
    for call in contenders.values():
        for _ in range(50):
            call()
    medians: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for round_no in range(rounds):
        for name in names[round_no % 2 :] + names[: round_no % 2]:
            call, times = contenders[name], []
            for _ in range(per_round):
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
            medians[name].append(statistics.median(times))
    ours, ours_text = _spread(medians["generic"], 1e6, 1)
    base, base_text = _spread(medians["analysis"], 1e6, 1)
    return [
        (
            "warm security.msgSecCheck vs warm analysis.getMonthlyVisitTrend, loopback (µs)",
            ours_text,
            base_text,
            round(ours / base, 2),
        )
    ]


def _wechatpy(url: str) -> tuple[Callable[[], None] | None, str]:
    try:
        import wechatpy
        from wechatpy import WeChatClient
    except ImportError:
        return None, "wechatpy not installed"
    client = WeChatClient(DEFAULT_APPID, DEFAULT_SECRET, access_token=TOKEN)
    client.wxa.API_BASE_URL = f"{url}/"  # its wxa API's own base, api.weixin.qq.com by default

    def call() -> None:
        if client.wxa.check_text_security(TEXT["content"])["errcode"] != 0:
            raise RuntimeError("bench: wechatpy's msgSecCheck failed")

    return call, f"wechatpy {wechatpy.__version__}"


def concurrent_rows(server: LoopbackWeChat, rounds: int, bursts: int) -> tuple[list[Row], str]:
    """Rows 2 and 3: 64 concurrent msgSecCheck calls in one process, ours against wechatpy and bare requests."""
    import requests

    root = _ours(server.url)
    bare = requests.Session()
    url = f"{server.url}{MSG_SEC_CHECK_PATH}?access_token={TOKEN}"

    def ours() -> None:
        if root.security.msgSecCheck(TEXT)["errCode"] != 0:
            raise RuntimeError("bench: our msgSecCheck failed")

    def bare_requests() -> None:
        if bare.post(url, json=TEXT).json()["errcode"] != 0:
            raise RuntimeError("bench: the bare msgSecCheck failed")

    contenders: dict[str, Callable[[], None]] = {"ours": ours, "bare_requests": bare_requests}
    via_wechatpy, note = _wechatpy(server.url)
    if via_wechatpy is not None:
        contenders["wechatpy"] = via_wechatpy
    walls: dict[str, list[float]] = {name: [] for name in contenders}
    with ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="invocation") as pool:

        def burst(call: Callable[[], None]) -> float:
            barrier = threading.Barrier(CONCURRENCY)

            def one() -> None:
                barrier.wait()
                call()

            started = time.perf_counter()
            for future in [pool.submit(one) for _ in range(CONCURRENCY)]:
                future.result()
            return time.perf_counter() - started

        for call in contenders.values():  # threads started, pools filled, before any timing
            for _ in range(3):
                burst(call)
        before = server.requests_to(MSG_SEC_CHECK_PATH)
        names = list(contenders)
        for round_no in range(rounds):
            for name in names[round_no % len(names) :] + names[: round_no % len(names)]:
                walls[name].append(statistics.median(burst(contenders[name]) for _ in range(bursts)))
    answered = server.requests_to(MSG_SEC_CHECK_PATH) - before
    if answered != rounds * bursts * CONCURRENCY * len(contenders):
        raise RuntimeError(
            f"bench: {answered} msgSecCheck requests answered, {rounds * bursts * CONCURRENCY * len(contenders)} made"
        )
    ours_ms, ours_text = _spread(walls["ours"], 1e3, 1)
    rows: list[Row] = []
    for name, label in (("wechatpy", "wechatpy's check_text_security"), ("bare_requests", "bare requests")):
        if name in walls:
            base_ms, base_text = _spread(walls[name], 1e3, 1)
            rows.append(
                (
                    f"{CONCURRENCY} concurrent security.msgSecCheck in one instance, wall time (ms; vs {label})",
                    ours_text,
                    base_text,
                    round(ours_ms / base_ms, 2),
                )
            )
    return rows, note


def rows(rounds: int = 15, warm_calls: int = 200, bursts: int = 3) -> tuple[list[Row], str]:
    """Every row of this bench, and which wechatpy it ran against."""
    with LoopbackWeChat() as server:
        warm = warm_rows(server, rounds, warm_calls)
        concurrent, note = concurrent_rows(server, rounds, bursts)
    return warm + concurrent, note


# ---- the previous release -----------------------------------------------------------------------


def previous_release_tree(workdir: Path, commit: str = PREVIOUS) -> Path | None:
    """The repository at ``commit`` (``PREVIOUS`` unless told), from its history (None without it: a shallow clone)."""
    return extract(commit, workdir)


def previous_release_package(workdir: Path, python_version: str, commit: str = PREVIOUS) -> Path | None:
    """The default function of ``commit`` (``PREVIOUS`` unless told) as today's builder packages it
    (same locks, same wheels from this repository's cache, bytecode), or None without the history."""
    tree = previous_release_tree(workdir, commit)
    if tree is None:
        return None
    cache = ROOT / ".cache" / "wheels" / cpython_tag(python_version)
    report = build(
        DEFAULT_FUNCTION,
        python_version,
        workdir / f"build-{commit}",
        root=tree,
        cache=cache,
        bytecode=True,
        log=lambda line: None,
    )
    return report.dir_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--warm-calls", type=int, default=200)
    parser.add_argument("--bursts", type=int, default=3)
    args = parser.parse_args(argv)
    table, note = rows(args.rounds, args.warm_calls, args.bursts)
    print(note)
    for figure, ours, baseline, ratio in table:
        print(f"{figure}: {ours} vs {baseline} ({ratio}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
