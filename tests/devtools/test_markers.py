"""The markers ``python3 dev.py test --fast`` selects by are on the tests they name: the browser
tests are the ones that take the ``browser`` fixture, the server tests the ones parametrized with
PostgreSQL or MariaDB (through ``db`` or a fixture of one kind), and the quick loop keeps SQLite's
side of the same tests. Marked from what the tests use (tests/conftest.py), not by hand, so a test
added tomorrow is left out of the quick loop exactly when it should be."""

from __future__ import annotations

import subprocess
import sys

import pytest

import dev
from tests.support.checkout import ROOT

# A few small modules that hold every kind of test the markers tell apart, collected in a child
# pytest (the whole suite's collection would cost the quick loop seconds).
MODULES = [
    "tests/archive/present/test_archive_report_layout.py",
    "tests/archive/store/test_archive_views.py",
    "tests/archive/kept/test_archive_storable.py",
    "tests/archive/store/test_archive_upgrade_batches.py",
    "tests/scf/test_package.py",
]
LAYOUT = "tests/archive/present/test_archive_report_layout.py::"
BROWSER = LAYOUT + "test_the_charts_follow_the_window_from_1200_to_390_px"
NO_BROWSER = LAYOUT + "test_each_heat_map_cell_is_readable_and_the_30_day_column_has_values"
VIEWS = "tests/archive/store/test_archive_views.py::test_the_views_answer_the_same_queries_on_each_database"
LATIN1 = (
    "tests/archive/kept/test_archive_storable.py::"
    "test_mariadb_tables_hold_any_text_in_a_database_whose_default_is_latin1[mariadb]"
)
BIG = (
    "tests/archive/store/test_archive_upgrade_batches.py::"
    "test_an_archive_of_300000_rows_is_upgraded_within_its_memory_budget[postgresql]"
)


def collected(expression: str) -> set[str]:
    """The ids of MODULES' tests that ``-m expression`` selects."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", "-m", expression, *MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode in (0, 5), run.stdout[-2000:] + run.stderr[-2000:]  # 5: nothing selected
    return {line for line in run.stdout.splitlines() if "::" in line}


def test_the_browser_marker_selects_the_tests_that_take_the_browser_and_only_those() -> None:
    selected = collected("browser")
    assert BROWSER in selected and NO_BROWSER not in selected, sorted(selected)
    assert {test.split("::")[0] for test in selected} == {LAYOUT.removesuffix("::")}, sorted(selected)


def test_the_quick_loop_leaves_out_the_server_databases_the_browser_and_the_slow_tests_and_keeps_sqlite() -> None:
    selected = collected(dev.FAST_MARKERS)
    assert {f"{VIEWS}[sqlite]", NO_BROWSER} <= selected, sorted(selected)
    left_out = {f"{VIEWS}[postgresql]", f"{VIEWS}[mariadb]", LATIN1, BIG, BROWSER}
    assert not left_out & selected, sorted(left_out & selected)
    assert not any(test.startswith("tests/scf/test_package.py::") for test in selected)  # slow, the whole module


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-x", "tests/core/test_periods.py"], ["-x", "tests/core/test_periods.py"]),
        (["--fast"], ["-m", dev.FAST_MARKERS]),
        (["-q", "--fast", "-x"], ["-m", dev.FAST_MARKERS, "-q", "-x"]),
        (["--fast", "-m", "not hypothesis"], ["-m", f"({dev.FAST_MARKERS}) and (not hypothesis)"]),
        (["-mslow", "--fast"], ["-m", f"({dev.FAST_MARKERS}) and (slow)"]),
    ],
)
def test_dev_py_turns_fast_into_the_marker_expression_and_keeps_the_callers_own(
    args: list[str], expected: list[str]
) -> None:
    assert dev.pytest_args(args) == expected
