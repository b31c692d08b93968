"""Names the dead-code finder (vulture) flags that are used, by whom, and why they stay.

``python3 dev.py check`` runs vulture over the project with this file; a new finding fails the
check until its code is removed or its reason is written here.
"""

from vulture.whitelist_utils import Whitelist

_ = Whitelist()

# Response TypedDicts (shared/wxcloud/analysis.py): each field is read by pydantic in
# validate_result and by type checkers in users' code, never by ours.
_.errMsg, _.errCode, _.refDate, _.visitTotal, _.sharePv, _.shareUv  # noqa: B018
_.sessionCnt, _.visitPv, _.visitUv, _.visitUvNew, _.stayTimeUv, _.stayTimeSession, _.visitDepth  # noqa: B018
_.itemList, _.pagePath, _.pageVisitPv, _.pageVisitUv, _.pageStaytimePv, _.entrypagePv, _.exitpagePv  # noqa: B018
_.pageSharePv, _.pageShareUv, _.province, _.city, _.genders, _.platforms, _.devices, _.ages  # noqa: B018

# The ten ApiSpec declarations: reached by name (client.analysis.getDailySummary, find_api, all_apis).
_.getDailySummary, _.getWeeklyVisitTrend, _.getMonthlyRetain, _.getWeeklyRetain  # noqa: B018

# Module attribute hook (PEP 562): wxcloud.ScfFunctionCaller is imported on first use.
_.__getattr__  # noqa: B018

# Descriptor protocol: ApiSpec.__get__(self, instance, owner) must take owner.
_.owner  # noqa: B018

# Attributes the tencentcloud SDK's request models serialise (SSM GetSecretValue, SCF Invoke).
_.SecretName, _.VersionId, _.FunctionName, _.InvocationType, _.ClientContext, _.Qualifier  # noqa: B018

# requests / urllib3 / SQLAlchemy read these by name: the session's trust_env, the watched
# connection classes and pool classes of the transport, SQLite's isolation level.
_.trust_env, _.ConnectionCls, _.pool_classes_by_scheme, _.isolation_level  # noqa: B018

# http.server reads these by name on request handlers and servers (emulator, forward proxy).
_.protocol_version, _.disable_nagle_algorithm, _.daemon_threads, _.request_queue_size, _.address_family  # noqa: B018
_.log_message, _.do_GET, _.do_POST, _.do_PUT, _.do_DELETE, _.do_PATCH, _.do_OPTIONS, _.do_HEAD  # noqa: B018

# zipfile reads these on each ZipInfo of the reproducible package zip.
_.create_system, _.external_attr  # noqa: B018

# pytest finds fixtures by name; sentry-sdk calls its transport's capture_envelope.
_.function_environment, _.clean_emulator, _.no_secrets_in_answers, _.db_fixture, _.sqlite_db_fixture, _.key_never_logged  # noqa: B018
_.no_db_password_anywhere, _.no_role_keys_in_logs, _.capture_envelope, _.legacy_fixture  # noqa: B018

# reprlib.Repr reads its limits by name (spec.show: a few items of a container in a hint).
_.maxlevel, _.maxlist, _.maxdict, _.maxstring, _.maxother  # noqa: B018
_.browser_fixture  # noqa: B018 - pytest fixture (tests/archive/present/conftest.py), used by name
_.sample_fixture, _.pages_fixture  # noqa: B018 - pytest fixtures named by name= (tests/archive/present/test_archive_report_layout.py)
_.scf_fixture, _.fleet_fixture, _.pg_db_fixture  # noqa: B018 - pytest fixtures named by name= (tests/archive/function/conftest.py, test_archive_upgrade_batches.py)
_.binary_location  # noqa: B018 - selenium reads the Chromium path from the options
_.fingerprint  # noqa: B018 - archive.apps.App: compared by dataclass equality (a warm instance keeps a client while its secret is the same)
_.no_token_or_secret_in_answers  # noqa: B018 - autouse pytest fixture (tests/scf/test_openapi_function.py), used by name
_._no_db_password  # noqa: B018 - autouse pytest fixture (tests/archive/conftest.py), used by name
_.API_BASE_URL  # noqa: B018 - wechatpy's wxa API reads its base URL by name (bench/cloudcall.py points it at loopback)
_.pytest_collection_modifyitems, _.pytestmark  # noqa: B018 - pytest calls its hooks and reads a module's marks by name (tests/conftest.py, the slow modules)
