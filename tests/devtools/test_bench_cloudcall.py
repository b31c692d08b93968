"""bench/cloudcall.py measures what it says: every contender's calls reach the loopback WeChat with
the token (a bench that measured failures would be fast and wrong), and the previous release it
builds is the one before the catalogue, and a commit's tree is extracted as asked. Nothing is
timed here; the figures are bench/run.py's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from bench.cloudcall import CONCURRENCY, MSG_SEC_CHECK_PATH, TOKEN, LoopbackWeChat, previous_release_tree, rows
from bench.history import RELEASE, extract
from tests.support.checkout import ROOT


@pytest.mark.slow
def test_every_contender_runs_and_each_of_its_calls_is_answered() -> None:
    table, note = rows(rounds=2, warm_calls=5, bursts=1)  # raises unless every burst's 64 calls reached WeChat
    assert note.startswith("wechatpy 1.8")
    assert [figure for figure, *_ in table] == [
        "warm security.msgSecCheck vs warm analysis.getMonthlyVisitTrend, loopback (µs)",
        f"{CONCURRENCY} concurrent security.msgSecCheck in one instance, wall time "
        "(ms; vs wechatpy's check_text_security)",
        f"{CONCURRENCY} concurrent security.msgSecCheck in one instance, wall time (ms; vs bare requests)",
    ]
    for _, ours, baseline, ratio in table:
        assert (
            re.fullmatch(r"[\d.]+ \[[\d.]+-[\d.]+\]", ours)
            and re.fullmatch(r"[\d.]+ \[[\d.]+-[\d.]+\]", baseline)
            and ratio > 0
        )


def test_the_loopback_wechat_answers_only_with_the_token() -> None:
    with LoopbackWeChat() as server:
        refused = requests.post(
            f"{server.url}{MSG_SEC_CHECK_PATH}?access_token=other", json={"content": "x"}, timeout=5
        ).json()
        answered = requests.post(
            f"{server.url}{MSG_SEC_CHECK_PATH}?access_token={TOKEN}", json={"content": "x"}, timeout=5
        ).json()
        assert refused["errcode"] == 40001 and answered["errcode"] == 0
        assert server.requests_to(MSG_SEC_CHECK_PATH) == 1


def test_the_previous_release_is_the_one_before_the_catalogue(tmp_path: Path) -> None:
    tree = previous_release_tree(tmp_path)
    if tree is None:
        pytest.skip("a clone without the history")
    assert (tree / "functions" / "getMonthlyVisitTrend" / "index.py").is_file() and (
        tree / "shared" / "wxcloud" / "analysis.py"
    ).is_file()
    assert not (tree / "shared" / "wxcloud" / "catalog").exists() and (ROOT / "shared" / "wxcloud" / "catalog").is_dir()


def test_a_commit_is_extracted_with_only_the_paths_asked_for_each_time_afresh(tmp_path: Path) -> None:
    shared = extract(RELEASE, tmp_path, "shared")
    if shared is None:
        pytest.skip("a clone without the history")
    # the release before the archive moved into folders: its flat modules, and nothing but shared/
    assert (shared / "shared" / "wxcloud" / "archive" / "job.py").is_file()
    assert not (shared / "shared" / "wxcloud" / "archive" / "plan" / "job.py").exists()
    assert [path.name for path in shared.iterdir()] == ["shared"]
    whole = extract(RELEASE, tmp_path)
    assert whole is not None and whole != shared and (whole / "functions" / "archiveAnalysis" / "config.json").is_file()
    assert extract("0" * 40, tmp_path) is None  # a commit this clone lacks: the caller says so and goes on
