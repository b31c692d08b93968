"""``analysis``: the data-analysis reports (WeChat's "datacube"). The ten period reports get their
request models and result types layered on top in ``wxcloud.analysis``; the performance data is
called as the catalogue declares it."""

from __future__ import annotations

from .entry import entry

PERIOD = "begin_date:str! end_date:str!"

ENTRIES = (
    entry("analysis.getDailySummary", "POST /datacube/getweanalysisappiddailysummarytrend", "N", fields=PERIOD),
    entry("analysis.getDailyVisitTrend", "POST /datacube/getweanalysisappiddailyvisittrend", "N", fields=PERIOD),
    entry("analysis.getWeeklyVisitTrend", "POST /datacube/getweanalysisappidweeklyvisittrend", "N", fields=PERIOD),
    entry("analysis.getMonthlyVisitTrend", "POST /datacube/getweanalysisappidmonthlyvisittrend", "N", fields=PERIOD),
    entry("analysis.getDailyRetain", "POST /datacube/getweanalysisappiddailyretaininfo", "N", fields=PERIOD),
    entry("analysis.getWeeklyRetain", "POST /datacube/getweanalysisappidweeklyretaininfo", "N", fields=PERIOD),
    entry("analysis.getMonthlyRetain", "POST /datacube/getweanalysisappidmonthlyretaininfo", "N", fields=PERIOD),
    entry("analysis.getVisitDistribution", "POST /datacube/getweanalysisappidvisitdistribution", "N", fields=PERIOD),
    entry("analysis.getVisitPage", "POST /datacube/getweanalysisappidvisitpage", "N", fields=PERIOD),
    entry("analysis.getUserPortrait", "POST /datacube/getweanalysisappiduserportrait", "N", fields=PERIOD),
    entry("analysis.getPerformanceData", "POST /wxa/business/performance/boot", "N", fields="time:obj! module:str! params:list",
          title="device performance data (WeChat's newest page names it for cloud calls; older ones said it was not)"),
)
