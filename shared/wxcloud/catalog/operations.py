"""``operation``, ``search``, ``serviceMarket``, ``soter``, ``redpacketcover``, ``pluginManager``,
``nearbyPoi``: operations and maintenance, search, the service market, biometrics, red-packet
covers, plugins and nearby places.

The JS-error queries ``operation.getJsErrList`` and ``getJsErrDetail`` read their body in camelCase
(``startTime``, ``appVersion``) and the real-time log search reads ``traceId`` and ``filterMsg``:
those go as written (``case="camel"``). The pluginManager names share two paths and differ by the
body's ``action``, which each name fixes (``fixed``); ``setDevPluginApplyStatus`` takes its action
(``dev_agree``, ``dev_refuse``, ``dev_delete``) from the caller. ``operation.getPerformance`` has the
two readings of ``analysis.getPerformanceData``: WeChat's newest page names it, an older one said
it was not cloud-callable; it is listed as ``N``."""

from __future__ import annotations

from .entry import entry

ENTRIES = (
    entry(
        "operation.getDomainInfo",
        "POST /wxa/getwxadevinfo",
        "N",
        fields="action:str",
        title="the mini program's server and business domains",
    ),
    entry(
        "operation.getFeedback",
        "GET /wxaapi/feedback/list",
        "N",
        fields="type:any page:any! num:any!",
        title="user feedback, a page at a time",
    ),
    entry(
        "operation.getFeedbackmedia",
        "GET /cgi-bin/media/getfeedbackmedia",
        "N",
        fields="record_id:any! media_id:str!",
        reply="binary",
        title="downloads an image attached to a feedback",
    ),
    entry("operation.getGrayReleasePlan", "GET /wxa/getgrayreleaseplan", "N", title="the current phased release plan"),
    entry(
        "operation.getJsErrDetail",
        "POST /wxaapi/log/jserr_detail",
        "N",
        fields="startTime:str! endTime:str! errorMsgMd5:str! errorStackMd5:str! appVersion:str sdkVersion:str "
        "osName:str clientVersion:str openid:str offset:int limit:int desc:str",
        case="camel",
        title="the details of one JS error",
    ),
    entry(
        "operation.getJsErrList",
        "POST /wxaapi/log/jserr_list",
        "N",
        fields="startTime:str! endTime:str! appVersion:str errType:str keyword:str openid:str orderby:str desc:str "
        "offset:int limit:int",
        case="camel",
        title="JS errors, filtered and paged",
    ),
    entry(
        "operation.getJsErrSearch",
        "POST /wxaapi/log/jserr_search",
        "I",
        fields="errmsg_keyword:str type:int client_version:str start_time:int end_time:int start:int limit:int",
        title="searches JS errors (older; getJsErrList and getJsErrDetail supersede it)",
    ),
    entry(
        "operation.getPerformance",
        "POST /wxaapi/log/get_performance",
        "N",
        fields="cost_time_type:int! default_start_time:int! default_end_time:int! device:str is_download_code:str "
        "scene:str networktype:str",
        title="start-up and download performance (N: the newest page names it; an older one said it was not "
        "cloud-callable)",
    ),
    entry(
        "operation.getSceneList",
        "GET /wxaapi/log/get_scene",
        "N",
        title="the access scenes the performance queries accept",
    ),
    entry(
        "operation.getVersionList",
        "GET /wxaapi/log/get_client_version",
        "I",
        title="the client versions the performance queries accept",
    ),
    entry(
        "operation.realtimelogSearch",
        "GET /wxaapi/userlog/userlog_search",
        "I",
        fields="date:str! begintime:any! endtime:any! start:any limit:any traceId:str url:str id:str filterMsg:str "
        "level:any",
        case="camel",
        title="searches the real-time logs",
    ),
    entry(
        "search.imageSearch",
        "POST /wxa/imagesearch",
        "I",
        fields="img:file!",
        uploads="img",
        title="finds the mini program's pages that show a similar image",
    ),
    entry(
        "search.siteSearch",
        "POST /wxa/sitesearch",
        "I",
        fields="keyword:str! next_page_info:str",
        title="searches the mini program's own pages",
    ),
    entry(
        "search.submitPages",
        "POST /wxa/search/wxaapi_submitpages",
        "N",
        fields="pages:list!",
        title="submits pages for WeChat search to index",
    ),
    entry(
        "serviceMarket.invokeService",
        "POST /wxa/servicemarket",
        "N",
        fields="service:str! api:str! data:any! client_msg_id:str! async:bool",
        title="calls a service-market API (data is a JSON string both ways)",
    ),
    entry(
        "soter.verifySignature",
        "POST /cgi-bin/soter/verify_signature",
        "O",
        fields="openid:str! json_string:str! json_signature:str!",
        title="verifies a SOTER biometric signature",
    ),
    entry(
        "redpacketcover.getAuthenticationUrl",
        "POST /redpacketcover/wxapp/cover_url/get_by_token",
        "N",
        fields="openid:str! ctoken:str!",
        title="the link that gives a user a red-packet cover",
    ),
    entry(
        "pluginManager.applyPlugin",
        "POST /wxa/plugin",
        "N",
        fields="plugin_appid:str! reason:str",
        fixed="action=apply",
        title="applies to use a plugin",
    ),
    entry(
        "pluginManager.getPluginList",
        "POST /wxa/plugin",
        "N",
        fixed="action=list",
        title="the plugins the mini program uses",
    ),
    entry(
        "pluginManager.unbindPlugin",
        "POST /wxa/plugin",
        "I",
        fields="plugin_appid:str!",
        fixed="action=unbind",
        title="stops using a plugin",
    ),
    entry(
        "pluginManager.getPluginDevApplyList",
        "POST /wxa/devplugin",
        "I",
        fields="page:int! num:int!",
        fixed="action=dev_apply_list",
        title="plugin developers: the applications to use the plugin",
    ),
    entry(
        "pluginManager.setDevPluginApplyStatus",
        "POST /wxa/devplugin",
        "I",
        fields="action:str! appid:str reason:str",
        title="plugin developers: agrees to, refuses or deletes an application (action dev_agree, dev_refuse, "
        "dev_delete)",
    ),
    entry(
        "nearbyPoi.add",
        "POST /wxa/addnearbypoi",
        "N",
        fields="store_name:str hour:str address:str company_name:str contract_phone:str credential:str "
        "qualification_list:str kf_info:str pic_list:str service_infos:str poi_id:str is_comm_nearby:str "
        "map_poi_id:str",
        title="adds a nearby place",
    ),
    entry("nearbyPoi.delete", "POST /wxa/delnearbypoi", "N", fields="poi_id:str!", title="deletes a nearby place"),
    entry(
        "nearbyPoi.getList",
        "GET /wxa/getnearbypoilist",
        "N",
        fields="page:any! page_rows:any!",
        title="the nearby places, a page at a time",
    ),
    entry(
        "nearbyPoi.setShowStatus",
        "POST /wxa/setnearbypoishowstatus",
        "O",
        fields="poi_id:str! status:int!",
        title="shows or hides the mini program at a nearby place",
    ),
)
