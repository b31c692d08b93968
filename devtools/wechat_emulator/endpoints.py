"""WeChat's own table of its cloud-callable endpoints, as WeChat's side reads a request.

Why it exists, and why it is written here and not imported: the library carries a catalogue of
the same APIs (``wxcloud.catalog``) that says how to *send* each one. An oracle that read that
catalogue would agree with every mistake in it, so the emulator states WeChat's side on its own,
from WeChat's documentation, in a form of its own: keyed by path, one line per endpoint. A call
the library sends wrongly (a GET sent as a POST, a query field put in the body, a camelCase key
where WeChat reads snake_case, a file that is no multipart part) is then refused by the emulator,
the way WeChat refuses it, instead of passing because both sides read the same row.

One line per endpoint (a line that starts with a space goes on with the one before), whitespace-separated::

    METHOD  PATH  REPLY  CASE  [q=NAME,NAME!]  [file=NAME!]  [either=NAME|NAME]  NAME.OF.CLOUD.CALL ...

* ``METHOD``: ``GET``, ``POST``, or ``GET|POST`` where WeChat's pages disagree (the emulator takes both);
* ``REPLY``: what a success is: ``json``, or ``bin`` (an image or a media file; errors are JSON);
* ``CASE``: how WeChat reads the keys of the body (and of the query string): ``snake`` (``media_id``),
  ``camel`` (``roomId``: a body WeChat reads as the caller wrote it), or ``any`` (not policed);
* ``q=``: the fields WeChat reads from the query string, exactly as it spells them (a GET reads every field
  there; a POST reads these and nothing else there); ``!`` marks one WeChat cannot do without;
* ``file=``: the multipart parts WeChat takes as files (a part of that name with a file name);
* ``either=``: one of these must be there (``img_url`` in the query string or an ``img`` part);
* the rest: the cloud-call names WeChat's documentation gives the endpoint (several names may
  share one: the plugin actions, the Official Account twins of the subscription templates; the
  older names of a live-broadcast goods call beside the one its page gives), or none (the goods
  library's delete, whose page names no cloud call).

Standard library only; nothing here knows HTTP or the server.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TABLE", "Endpoint", "by_name", "find"]

_TABLE = """
POST /datacube/getweanalysisappiddailysummarytrend  json snake  analysis.getDailySummary
POST /datacube/getweanalysisappiddailyvisittrend    json snake  analysis.getDailyVisitTrend
POST /datacube/getweanalysisappidweeklyvisittrend   json snake  analysis.getWeeklyVisitTrend
POST /datacube/getweanalysisappidmonthlyvisittrend  json snake  analysis.getMonthlyVisitTrend
POST /datacube/getweanalysisappiddailyretaininfo    json snake  analysis.getDailyRetain
POST /datacube/getweanalysisappidweeklyretaininfo   json snake  analysis.getWeeklyRetain
POST /datacube/getweanalysisappidmonthlyretaininfo  json snake  analysis.getMonthlyRetain
POST /datacube/getweanalysisappidvisitdistribution  json snake  analysis.getVisitDistribution
POST /datacube/getweanalysisappidvisitpage          json snake  analysis.getVisitPage
POST /datacube/getweanalysisappiduserportrait       json snake  analysis.getUserPortrait
POST /wxa/business/performance/boot                 json snake  analysis.getPerformanceData

GET  /wxa/getpaidunionid                 json snake  q=openid!,transaction_id,mch_id,out_trade_no  auth.getPaidUnionId
POST /wxa/business/getuserphonenumber    json snake  phonenumber.getPhoneNumber
POST /wxa/getopendata                    json snake  q=openid  cloudbase.getOpenData
POST /wxa/getvoipsign                    json snake  cloudbase.getVoIPSign
POST /tcb/sendsmsv2                      json snake  cloudbase.sendSmsV2
POST /tcb/createsendsmstask              json snake  cloudbase.createSendSmsTask
POST /tcb/describesmsrecords             json snake  cloudbase.describeSmsRecords
POST /tcb/cloudbasereport                json snake  cloudbase.report
POST /tcb/getstatistics                  json snake  cloudbase.getStatistics
POST /tcb/describeextensionuploadinfo    json any    cloudbase.describeExtensionUploadInfo

POST /cgi-bin/message/custom/send        json snake  customerServiceMessage.send
POST /cgi-bin/message/custom/typing      json snake  customerServiceMessage.setTyping
POST /cgi-bin/media/upload               json snake  q=type! file=media!  customerServiceMessage.uploadTempMedia \
officialAccount.media.upload
GET  /cgi-bin/media/get                  bin  snake  q=media_id!  customerServiceMessage.getTempMedia
POST /cgi-bin/message/subscribe/send     json snake  subscribeMessage.send
POST /wxaapi/newtmpl/addtemplate         json camel  subscribeMessage.addTemplate
POST /wxaapi/newtmpl/deltemplate         json camel  subscribeMessage.deleteTemplate officialAccount.newtmpl.delTemplate
GET  /wxaapi/newtmpl/getcategory         json snake  subscribeMessage.getCategory
GET  /wxaapi/newtmpl/getpubtemplatekeywords json snake q=tid!
     subscribeMessage.getPubTemplateKeyWordsById officialAccount.newtmpl.getPubTemplateKeywords
GET  /wxaapi/newtmpl/getpubtemplatetitles    json snake  q=ids!,start!,limit!,keyword  \
subscribeMessage.getPubTemplateTitleList
GET  /wxaapi/newtmpl/gettemplate         json snake  subscribeMessage.getTemplateList \
officialAccount.newtmpl.getTemplate
POST /cgi-bin/message/wxopen/template/uniform_send   json snake  uniformMessage.send
GET  /cgi-bin/message/wxopen/activityid/create       json snake  q=unionid,openid  updatableMessage.createActivityId
POST /cgi-bin/message/wxopen/updatablemsg/send       json snake  updatableMessage.setUpdatableMsg
POST /cgi-bin/message/wxopen/template/send           json snake  templateMessage.send
POST /cgi-bin/wxopen/template/add                    json snake  templateMessage.addTemplate
POST /cgi-bin/wxopen/template/del                    json snake  templateMessage.deleteTemplate
POST /cgi-bin/wxopen/template/library/get            json snake  templateMessage.getTemplateLibraryById
POST /cgi-bin/wxopen/template/library/list           json snake  templateMessage.getTemplateLibraryList
POST /cgi-bin/wxopen/template/list                   json snake  templateMessage.getTemplateList

POST /cgi-bin/wxaapp/createwxaqrcode     bin  snake  wxacode.createQRCode
POST /wxa/getwxacode                     bin  snake  wxacode.get
POST /wxa/getwxacodeunlimit              bin  snake  wxacode.getUnlimited
POST /wxa/generatescheme                 json snake  urlscheme.generate
POST /wxa/queryscheme                    json snake  urlscheme.query
POST /wxa/generatenfcscheme              json snake  urlscheme.generateNFCScheme
POST /wxa/generate_urllink               json snake  urllink.generate
POST /wxa/query_urllink                  json snake  urllink.query
POST /wxa/genwxashortlink                json snake  shortlink.generate

POST /wxa/msg_sec_check                  json snake  security.msgSecCheck
POST /wxa/media_check_async              json snake  security.mediaCheckAsync
POST /wxa/img_sec_check                  json snake  file=media!  security.imgSecCheck
POST /wxa/getuserriskrank                json snake  riskControl.getUserRiskRank

POST /cv/img/aicrop                      json snake  q=img_url,ratios file=img either=img_url|img  img.aiCrop
POST /cv/img/qrcode                      json snake  q=img_url file=img either=img_url|img  img.scanQRCode
POST /cv/img/superresolution             json snake  q=img_url file=img either=img_url|img  img.superresolution
POST /cv/ocr/comm                        json snake  q=img_url file=img either=img_url|img  ocr.printedText
POST /cv/ocr/idcard                      json snake  q=type,img_url file=img either=img_url|img  ocr.idcard
POST /cv/ocr/bankcard                    json snake  q=type,img_url file=img either=img_url|img  ocr.bankcard
POST /cv/ocr/bizlicense                  json snake  q=img_url file=img either=img_url|img  ocr.businessLicense
POST /cv/ocr/drivinglicense              json snake  q=img_url file=img either=img_url|img  ocr.driverLicense
POST /cv/ocr/driving                     json snake  q=type,img_url file=img either=img_url|img  ocr.vehicleLicense \
ocr.drivingLicense

POST /cgi-bin/express/business/order/add             json snake  logistics.addOrder
POST /cgi-bin/express/business/order/batchget        json snake  logistics.batchGetOrder
POST /cgi-bin/express/business/account/bind          json snake  logistics.bindAccount
POST /cgi-bin/express/business/order/cancel          json snake  logistics.cancelOrder
GET  /cgi-bin/express/business/account/getall        json snake  logistics.getAllAccount
GET  /cgi-bin/express/business/delivery/getall       json snake  logistics.getAllDelivery
POST /cgi-bin/express/business/order/get             json snake  logistics.getOrder
POST /cgi-bin/express/business/path/get              json snake  logistics.getPath
GET  /cgi-bin/express/business/printer/getall        json snake  logistics.getPrinter
POST /cgi-bin/express/business/quota/get             json snake  logistics.getQuota
POST /cgi-bin/express/business/test_update_order     json snake  logistics.testUpdateOrder
POST /cgi-bin/express/business/printer/update        json snake  logistics.updatePrinter
POST /cgi-bin/express/delivery/contact/get           json snake  logistics.getContact
POST /cgi-bin/express/delivery/template/preview      json snake  logistics.previewTemplate
POST /cgi-bin/express/delivery/service/business/update  json snake  logistics.updateBusiness
POST /cgi-bin/express/delivery/path/update           json snake  logistics.updatePath

POST /cgi-bin/express/local/business/order/confirm_return  json snake  immediateDelivery.abnormalConfirm
POST /cgi-bin/express/local/business/order/add             json snake  immediateDelivery.addOrder
POST /cgi-bin/express/local/business/order/addtips         json snake  immediateDelivery.addTip
POST /cgi-bin/express/local/business/shop/add              json snake  immediateDelivery.bindAccount
POST /cgi-bin/express/local/business/order/cancel          json snake  immediateDelivery.cancelOrder
POST /cgi-bin/express/local/business/delivery/getall       json snake  immediateDelivery.getAllImmeDelivery
POST /cgi-bin/express/local/business/shop/get              json snake  immediateDelivery.getBindAccount
POST /cgi-bin/express/local/business/order/get             json snake  immediateDelivery.getOrder
POST /cgi-bin/express/local/business/test_update_order     json snake  immediateDelivery.mockUpdateOrder
POST /cgi-bin/express/local/business/open                  json snake  immediateDelivery.openDelivery
POST /cgi-bin/express/local/business/order/pre_add         json snake  immediateDelivery.preAddOrder
POST /cgi-bin/express/local/business/order/precancel       json snake  immediateDelivery.preCancelOrder
POST /cgi-bin/express/local/business/realmock_update_order json snake  immediateDelivery.realMockUpdateOrder
POST /cgi-bin/express/local/business/order/readd           json snake  immediateDelivery.reOrder
POST /cgi-bin/express/local/delivery/update_order          json snake  immediateDelivery.updateOrder

POST /wxa/getwxadevinfo                  json snake  operation.getDomainInfo
GET  /wxaapi/feedback/list               json snake  q=type,page!,num!  operation.getFeedback
GET  /cgi-bin/media/getfeedbackmedia     bin  snake  q=record_id!,media_id!  operation.getFeedbackmedia
GET  /wxa/getgrayreleaseplan             json snake  operation.getGrayReleasePlan
POST /wxaapi/log/jserr_detail            json camel  operation.getJsErrDetail
POST /wxaapi/log/jserr_list              json camel  operation.getJsErrList
POST /wxaapi/log/jserr_search            json snake  operation.getJsErrSearch
POST /wxaapi/log/get_performance         json snake  operation.getPerformance
GET  /wxaapi/log/get_scene               json snake  operation.getSceneList
GET  /wxaapi/log/get_client_version      json snake  operation.getVersionList
GET  /wxaapi/userlog/userlog_search json camel q=date!,begintime!,endtime!,start,limit,traceId,url,id,filterMsg,level \
operation.realtimelogSearch
POST /wxa/imagesearch                    json snake  file=img!  search.imageSearch
POST /wxa/sitesearch                     json snake  search.siteSearch
POST /wxa/search/wxaapi_submitpages      json snake  search.submitPages
POST /wxa/servicemarket                  json snake  serviceMarket.invokeService
POST /cgi-bin/soter/verify_signature     json snake  soter.verifySignature
POST /redpacketcover/wxapp/cover_url/get_by_token  json snake  redpacketcover.getAuthenticationUrl
POST /wxa/plugin                         json snake  pluginManager.applyPlugin pluginManager.getPluginList \
pluginManager.unbindPlugin
POST /wxa/devplugin                      json snake  pluginManager.getPluginDevApplyList \
pluginManager.setDevPluginApplyStatus
POST /wxa/addnearbypoi                   json snake  nearbyPoi.add
POST /wxa/delnearbypoi                   json snake  nearbyPoi.delete
GET|POST /wxa/getnearbypoilist           json snake  nearbyPoi.getList
POST /wxa/setnearbypoishowstatus         json snake  nearbyPoi.setShowStatus

POST /wxaapi/broadcast/room/create       json camel  liveBroadcast.createRoom
POST /wxaapi/broadcast/room/editroom     json camel  liveBroadcast.editRoom
POST /wxaapi/broadcast/room/deleteroom   json camel  liveBroadcast.deleteRoom
POST /wxa/business/getliveinfo           json snake  liveBroadcast.getLiveInfo
GET  /wxaapi/broadcast/room/getpushurl   json camel  q=roomId!  liveBroadcast.getPushUrl
GET  /wxaapi/broadcast/room/getsharedcode  json camel  q=roomId!,params  liveBroadcast.getSharedCode
POST /wxaapi/broadcast/room/addgoods     json camel  liveBroadcast.addGoods
POST /wxaapi/broadcast/room/addassistant     json camel  liveBroadcast.addAssistant
POST /wxaapi/broadcast/room/modifyassistant  json camel  liveBroadcast.modifyAssistant
POST /wxaapi/broadcast/room/removeassistant  json camel  liveBroadcast.removeAssistant
GET|POST /wxaapi/broadcast/room/getassistantlist  json camel  q=roomId!  liveBroadcast.getAssistantList
POST /wxaapi/broadcast/room/addsubanchor     json camel  liveBroadcast.addSubAnchor
POST /wxaapi/broadcast/room/modifysubanchor  json camel  liveBroadcast.modifySubAnchor
POST /wxaapi/broadcast/room/deletesubanchor  json camel  liveBroadcast.deleteSubAnchor
GET|POST /wxaapi/broadcast/room/getsubanchor json camel  q=roomId!  liveBroadcast.getSubAnchor
POST /wxaapi/broadcast/room/updatefeedpublic json camel  liveBroadcast.updateFeedPublic
POST /wxaapi/broadcast/room/updatereplay     json camel  liveBroadcast.updateReplay
POST /wxaapi/broadcast/room/updatekf         json camel  liveBroadcast.updateKF
POST /wxaapi/broadcast/room/updatecomment    json camel  liveBroadcast.updateComment
POST /wxaapi/broadcast/goods/onsale          json camel  liveBroadcast.goodsSale liveBroadcast.goodsOnsale
POST /wxaapi/broadcast/goods/deleteInRoom    json camel  liveBroadcast.goodsDelete liveBroadcast.goodsDeleteInRoom
POST /wxaapi/broadcast/goods/push            json camel  liveBroadcast.goodsPush
POST /wxaapi/broadcast/goods/sort            json camel  liveBroadcast.goodsSort
POST /wxaapi/broadcast/goods/getVideo        json camel  liveBroadcast.goodsVideo
POST /wxaapi/broadcast/goods/add             json camel  liveBroadcast.goodsAdd
POST /wxaapi/broadcast/goods/resetaudit      json camel  liveBroadcast.goodsResetAudit
POST /wxaapi/broadcast/goods/audit           json camel  liveBroadcast.goodsAudit
POST /wxaapi/broadcast/goods/delete          json camel
POST /wxaapi/broadcast/goods/update          json camel  liveBroadcast.goodsUpdate
GET  /wxaapi/broadcast/goods/getapproved     json camel  q=offset,limit,status  liveBroadcast.goodsList
POST /wxa/business/getgoodswarehouse         json snake  liveBroadcast.goodsInfo
POST /wxaapi/broadcast/role/addrole          json camel  liveBroadcast.addRole
POST /wxaapi/broadcast/role/deleterole       json camel  liveBroadcast.deleteRole
GET  /wxaapi/broadcast/role/getrolelist      json camel  q=role,offset,limit,keyword  liveBroadcast.getRoleList

POST /cgi-bin/midas/getbalance           json snake  midas.getBalance
POST /cgi-bin/midas/pay                  json snake  midas.pay
POST /cgi-bin/midas/cancelpay            json snake  midas.cancelPay
POST /cgi-bin/midas/present              json snake  midas.present
POST /cgi-bin/midas/sandbox/getbalance   json snake  midas.getBalanceSandbox
POST /cgi-bin/midas/sandbox/pay          json snake  midas.paySandbox
POST /cgi-bin/midas/sandbox/cancelpay    json snake  midas.cancelPaySandbox
POST /cgi-bin/midas/sandbox/present      json snake  midas.presentSandbox

POST /cgi-bin/media/uploadimg            json snake  file=media!  officialAccount.media.uploadImg
POST /cgi-bin/material/add_material      json snake  q=type! file=media!  officialAccount.material.addMaterial
POST /cgi-bin/material/get_material      bin  snake  officialAccount.material.get
GET  /cgi-bin/material/get_materialcount json snake  officialAccount.material.getMaterialCount
POST /cgi-bin/material/del_material      json snake  officialAccount.material.delelete
"""


@dataclass(frozen=True)
class Endpoint:
    """One endpoint as WeChat reads it (see the module docstring for what each part means)."""

    path: str
    methods: frozenset[str]
    reply: str  # "json" | "bin"
    case: str  # "snake" | "camel" | "any"
    query: tuple[str, ...] = ()
    required_query: frozenset[str] = frozenset()
    files: tuple[str, ...] = ()
    required_files: frozenset[str] = frozenset()
    either: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def query_fields(self, method: str) -> tuple[str, ...]:
        """What WeChat reads from the query string of a request of ``method``: a POST to an
        endpoint that takes both methods reads its fields from the body."""
        return () if method == "POST" and "GET" in self.methods else self.query


def _names(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """``a,b!`` -> the names and the required ones."""
    items = [item for item in text.split(",") if item]
    return tuple(item.rstrip("!") for item in items), frozenset(
        item.rstrip("!") for item in items if item.endswith("!")
    )


def _parse(line: str) -> Endpoint:
    method, path, reply, case, *rest = line.split()
    methods = frozenset(method.split("|"))
    if (
        not methods <= {"GET", "POST"}
        or reply not in ("json", "bin")
        or case not in ("snake", "camel", "any")
        or not path.startswith("/")
    ):
        raise ValueError(f"malformed endpoint line: {line!r}")
    query: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    required_query: frozenset[str] = frozenset()
    required_files: frozenset[str] = frozenset()
    either: tuple[str, ...] = ()
    names: list[str] = []
    for token in rest:
        if token.startswith("q="):
            query, required_query = _names(token[2:])
        elif token.startswith("file="):
            files, required_files = _names(token[5:])
        elif token.startswith("either="):
            either = tuple(token[7:].split("|"))
        elif "." in token and "=" not in token:
            names.append(token)
        else:
            raise ValueError(f"malformed endpoint line: {line!r} ({token!r})")
    return Endpoint(path, methods, reply, case, query, required_query, files, required_files, either, tuple(names))


def _lines(text: str) -> list[str]:
    """The table's lines, a line that starts with a space joined to the one before it."""
    lines: list[str] = []
    for line in text.splitlines():
        if line[:1].isspace() and line.strip() and lines:
            lines[-1] += line
        elif line.strip():
            lines.append(line)
    return lines


def _load() -> dict[str, Endpoint]:
    table: dict[str, Endpoint] = {}
    for line in _lines(_TABLE):
        endpoint = _parse(line)
        if endpoint.path in table:
            raise ValueError(f"{endpoint.path} is in the table twice")
        table[endpoint.path] = endpoint
    return table


TABLE: dict[str, Endpoint] = _load()
"""Every endpoint the emulator serves besides the token and quota ones, by path."""

_BY_NAME: dict[str, Endpoint] = {name: endpoint for endpoint in TABLE.values() for name in endpoint.names}


def find(path: str) -> Endpoint | None:
    """The endpoint at ``path`` (without its query string), if WeChat has one there."""
    return TABLE.get(path)


def by_name(name: str) -> Endpoint | None:
    """The endpoint WeChat's documentation names ``name`` (``security.msgSecCheck``), if any."""
    return _BY_NAME.get(name)
