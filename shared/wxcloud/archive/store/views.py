"""SQL views beside the archive's tables, for BI tools (Metabase, Superset, Grafana, Excel...).

The flat tables keep one row per item of each cloud-call result, keyed by API and period: right
for storing, awkward for a chart. The views give the few shapes a dashboard wants, named with the
table prefix (default ``wx_analysis_``), with the same columns and the same SQL on SQLite,
PostgreSQL and MySQL/MariaDB:

* ``{prefix}v_daily_kpi``: one row per (appid, day): visitors, page views, sessions, new users,
  stay time, depth (daily visit trend) and cumulative visitors and shares (daily summary);
* ``{prefix}v_cohort``: one row per (appid, retention report, cohort, key): new and active users
  retained and their rates (key k over key 0), and whether the cohort has ``settled`` (false:
  WeChat still fills it in, so the rates are provisional);
* ``{prefix}v_source``: visits per (appid, day, source key) with WeChat's channel names, from the
  small table ``{prefix}channel`` (filled from ``channels.py`` when the views are made;
  an unknown key has no name and keeps its number);
* ``{prefix}v_page_day``: one row per (appid, day, page).

Views are made with the tables, on every upgrade, and again whenever one is missing
(``CREATE OR REPLACE`` on PostgreSQL and MariaDB, ``DROP`` then ``CREATE`` on SQLite, which has no
replace), so a changed definition reaches existing archives with the schema revision that brings
it, and making them twice is harmless.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, inspect

from ..kept.channels import CHANNELS
from .tables import MYSQL_TABLE, Tables, insert_new

VIEWS = ("v_daily_kpi", "v_cohort", "v_source", "v_page_day")


def channel_table(prefix: str, metadata: MetaData | None = None) -> Table:
    return Table(
        f"{prefix}channel",
        metadata or MetaData(),
        Column("channel_key", Integer(), primary_key=True, autoincrement=False),
        Column("name_zh", String(64), nullable=False),
        Column("name_en", String(64), nullable=False),
        **MYSQL_TABLE,  # the Chinese names: utf8mb4 whatever the database's default
        comment="wxcloud archive: WeChat's names of the getVisitDistribution access_source keys",
    )


def _definitions(tables: Tables, quote: Callable[[str], str]) -> dict[str, str]:
    """Each view's SELECT; ``quote`` is the dialect's identifier quoting."""

    def name(suffix: str) -> str:
        return quote(f"{tables.prefix}{suffix}")

    trend, summary, retain, result = name("visit_trend"), name("summary"), name("retain"), name("result")
    distribution, page, channel = name("distribution"), name("page"), name("channel")
    return {
        "v_daily_kpi": f"""
SELECT t.appid AS appid, t.begin_date AS ref_day, t.visit_uv AS uv, t.visit_pv AS pv, t.session_cnt AS sessions,
       t.visit_uv_new AS new_users, t.stay_time_uv AS stay_time_uv, t.stay_time_session AS stay_time_session,
       t.visit_depth AS visit_depth, s.visit_total AS visit_total, s.share_pv AS share_pv, s.share_uv AS share_uv
FROM {trend} t
LEFT JOIN {summary} s ON s.appid = t.appid AND s.api = 'analysis.getDailySummary'
     AND s.begin_date = t.begin_date AND s.end_date = t.end_date AND s.position = 0
WHERE t.api = 'analysis.getDailyVisitTrend' AND t.position = 0""",
        "v_cohort": f"""
SELECT r.appid AS appid,
       CASE r.api WHEN 'analysis.getDailyRetain' THEN 'day' WHEN 'analysis.getWeeklyRetain' THEN 'week' ELSE 'month'
       END AS unit,
       r.begin_date AS cohort_begin, r.end_date AS cohort_end, r.item_key AS retention_key,
       MAX(CASE WHEN r.metric = 'visitUvNew' THEN r.item_value END) AS new_users,
       MAX(CASE WHEN r.metric = 'visitUv' THEN r.item_value END) AS active_users,
       MAX(CASE WHEN r.metric = 'visitUvNew' THEN r.item_value * 1.0 / NULLIF(z.item_value, 0) END) AS new_rate,
       MAX(CASE WHEN r.metric = 'visitUv' THEN r.item_value * 1.0 / NULLIF(z.item_value, 0) END) AS active_rate,
       res.settled AS settled
FROM {retain} r
JOIN {retain} z ON z.appid = r.appid AND z.api = r.api AND z.begin_date = r.begin_date AND z.end_date = r.end_date
     AND z.metric = r.metric AND z.item_key = 0
JOIN {result} res ON res.appid = r.appid AND res.api = r.api AND res.begin_date = r.begin_date AND res.end_date =
       r.end_date
WHERE r.metric IN ('visitUvNew', 'visitUv')
GROUP BY r.appid, r.api, r.begin_date, r.end_date, r.item_key, res.settled""",
        "v_source": f"""
SELECT d.appid AS appid, d.begin_date AS ref_day,
       CASE d.index_name WHEN 'access_source_session_cnt' THEN 'sessions' ELSE 'visitors' END AS measure,
       d.item_key AS source_key, c.name_zh AS channel_zh, c.name_en AS channel_en, d.item_value AS visits
FROM {distribution} d
LEFT JOIN {channel} c ON c.channel_key = d.item_key
WHERE d.api = 'analysis.getVisitDistribution' AND d.index_name IN ('access_source_session_cnt',
       'access_source_visit_uv')""",
        "v_page_day": f"""
SELECT p.appid AS appid, p.begin_date AS ref_day, p.page_path AS page_path, p.page_visit_pv AS pv, p.page_visit_uv AS
       uv,
       p.page_staytime_pv AS stay_per_view, p.entrypage_pv AS entries, p.exitpage_pv AS exits,
       p.page_share_pv AS share_pv, p.page_share_uv AS share_uv
FROM {page} p
WHERE p.api = 'analysis.getVisitPage'""",
    }


def create_views(connection: Connection, tables: Tables) -> None:
    """Make (or make again) the views of ``tables`` and fill the channel table."""
    channels = channel_table(tables.prefix)
    channels.create(connection, checkfirst=True)
    rows = [{"channel_key": key, "name_zh": zh, "name_en": en} for key, (zh, en) in CHANNELS.items()]
    insert_new(connection, channels, rows)
    quote = connection.dialect.identifier_preparer.quote
    replace = connection.dialect.name != "sqlite"
    for view, sql in _definitions(tables, quote).items():
        name = quote(f"{tables.prefix}{view}")
        if not replace:
            connection.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
        connection.exec_driver_sql(f"CREATE {'OR REPLACE ' if replace else ''}VIEW {name} AS {sql}")


def views_present(connection: Connection, prefix: str) -> bool:
    """Whether every view of ``prefix`` exists (a look at the catalogue, no DDL)."""
    return {f"{prefix}{view}" for view in VIEWS} <= set(inspect(connection).get_view_names())


def drop_views(connection: Connection, prefix: str) -> None:
    """Remove the views and the channel table (before dropping the tables they read)."""
    quote = connection.dialect.identifier_preparer.quote
    for view in VIEWS:
        connection.exec_driver_sql(f"DROP VIEW IF EXISTS {quote(f'{prefix}{view}')}")
    channel_table(prefix).drop(connection, checkfirst=True)
