"""Debian's Chromium, headless, driven by selenium: how the report is checked and photographed.

The report must open from a mail attachment with no network, so the browser runs with the network
switched off (CDP ``Network.emulateNetworkConditions``) and records every request it would make
(``goog:loggingPrefs`` performance log): a page that asks for anything but its own file shows up
there, and whatever the console logs is read back too. Debian's ``chromium`` and
``chromium-driver`` packages are used (``.ci/run`` and ``dev.py test`` install them where apt is
available): selenium's own driver download is never needed, so nothing is fetched at test time.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DRIVER = ("chromedriver", "chromium-driver")


def executables() -> tuple[str, str] | None:
    """The Chromium binary and its driver on PATH (or Debian's places), None when either is missing."""
    browser = next((found for name in CHROMIUM if (found := shutil.which(name))), None)
    driver = next((found for name in DRIVER if (found := shutil.which(name))), None)
    if driver is None and Path("/usr/bin/chromedriver").exists():
        driver = "/usr/bin/chromedriver"
    return (browser, driver) if browser and driver else None


@contextmanager
def chromium(width: int = 1200, height: int = 900) -> Iterator[Any]:
    """A headless Chromium with the network off and its requests and console logged."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = executables()
    if found is None:
        raise RuntimeError(
            "chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)"
        )
    browser, driver_path = found
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--no-first-run",
        "--disable-background-networking",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
        )
        yield driver
    finally:
        driver.quit()


def requested_urls(driver: Any) -> list[str]:
    """Every URL the page asked for since the last call (the performance log is drained)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(str(message["params"]["request"]["url"]))
    return urls


def console_errors(driver: Any) -> list[str]:
    return [str(entry["message"]) for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


# Per chart: its id and how many of its canvas pixels are drawn (not transparent).
DRAWN_PIXELS = """
return Array.from(document.querySelectorAll('[data-chart]')).map(function (el) {
  var canvas = el.querySelector('canvas'); var drawn = 0;
  if (canvas) { var data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (var i = 3; i < data.length; i += 4) { if (data[i] > 0) { drawn++; } } }
  return [el.dataset.chart, drawn];
});
"""


def drawn_pixels(driver: Any) -> dict[str, int]:
    return {str(chart): int(count) for chart, count in driver.execute_script(DRAWN_PIXELS)}


def chart_option(driver: Any, chart_id: str) -> dict[str, Any]:
    """The option ECharts holds for a chart (what it draws), as JSON."""
    script = (
        "var c = echarts.getInstanceByDom(document.querySelector('[data-chart=\"' + arguments[0] + '\"]'));"
        " return JSON.stringify(c.getOption());"
    )
    return dict(json.loads(driver.execute_script(script, chart_id)))
