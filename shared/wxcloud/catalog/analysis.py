"""``analysis``: the data-analysis reports (WeChat's "datacube"). The ten period reports get their
request models and result types layered on top in ``wxcloud.analysis``; the performance data is
called as the catalogue declares it. WeChat's older page said ``getPerformanceData`` was not
cloud-callable; its newest page names it for cloud calls with an example, and so it is ``N``."""

from __future__ import annotations

from .entry import entry

PERIOD = "begin_date:str! end_date:str!"

ENTRIES = (
    entry(
        "analysis.getDailySummary",
        "POST /datacube/getweanalysisappiddailysummarytrend",
        "N",
        fields=PERIOD,
        title="the day's totals: visits, shares, cumulative users",
    ),
    entry(
        "analysis.getDailyVisitTrend",
        "POST /datacube/getweanalysisappiddailyvisittrend",
        "N",
        fields=PERIOD,
        title="one day's visit trend",
    ),
    entry(
        "analysis.getWeeklyVisitTrend",
        "POST /datacube/getweanalysisappidweeklyvisittrend",
        "N",
        fields=PERIOD,
        title="one week's visit trend (Monday to Sunday)",
    ),
    entry(
        "analysis.getMonthlyVisitTrend",
        "POST /datacube/getweanalysisappidmonthlyvisittrend",
        "N",
        fields=PERIOD,
        title="one natural month's visit trend",
    ),
    entry(
        "analysis.getDailyRetain",
        "POST /datacube/getweanalysisappiddailyretaininfo",
        "N",
        fields=PERIOD,
        title="one day's new and active users' retention",
    ),
    entry(
        "analysis.getWeeklyRetain",
        "POST /datacube/getweanalysisappidweeklyretaininfo",
        "N",
        fields=PERIOD,
        title="one week's retention",
    ),
    entry(
        "analysis.getMonthlyRetain",
        "POST /datacube/getweanalysisappidmonthlyretaininfo",
        "N",
        fields=PERIOD,
        title="one natural month's retention",
    ),
    entry(
        "analysis.getVisitDistribution",
        "POST /datacube/getweanalysisappidvisitdistribution",
        "N",
        fields=PERIOD,
        title="one day's visits by source, duration and depth",
    ),
    entry(
        "analysis.getVisitPage",
        "POST /datacube/getweanalysisappidvisitpage",
        "N",
        fields=PERIOD,
        title="one day's top pages",
    ),
    entry(
        "analysis.getUserPortrait",
        "POST /datacube/getweanalysisappiduserportrait",
        "N",
        fields=PERIOD,
        title="new and active users' portrait over 1, 7 or 30 days",
    ),
    entry(
        "analysis.getPerformanceData",
        "POST /wxa/business/performance/boot",
        "N",
        fields="time:obj! module:str! params:list",
        title="device performance data (N: WeChat's newest page names it for cloud calls; older ones said it was not)",
    ),
)
