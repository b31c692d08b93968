"""``customerServiceMessage``, ``subscribeMessage``, ``uniformMessage``, ``updatableMessage`` and
the deprecated ``templateMessage``: messages to users, and the media they carry.

The subscription-template APIs under ``/wxaapi/newtmpl/`` read ``kidList``, ``sceneDesc`` and
``priTmplId`` in camelCase, so their bodies go as written (``case="camel"``). The updatable
message's cloud page asks for camelCase parameters (``activityId``) while its HTTPS body is
snake_case (``activity_id``): that is exactly the SDK's conversion, so it stays ``snake`` and both
spellings reach WeChat right. The six ``templateMessage`` names are WeChat's old template messages,
replaced by subscription messages; they are listed in WeChat's example of cloud-call permissions."""

from __future__ import annotations

from .entry import entry

TEMPLATE_PAGE = "offset:int! count:int!"

ENTRIES = (
    entry(
        "customerServiceMessage.send",
        "POST /cgi-bin/message/custom/send",
        "N",
        fields="touser:str! msgtype:str! text:obj image:obj link:obj miniprogrampage:obj",
        title="sends a customer-service message to a user who wrote in",
    ),
    entry(
        "customerServiceMessage.setTyping",
        "POST /cgi-bin/message/custom/typing",
        "O",
        fields="touser:str! command:str!",
        title="shows or hides the typing state to a user",
    ),
    entry(
        "customerServiceMessage.uploadTempMedia",
        "POST /cgi-bin/media/upload",
        "O",
        fields="type:str! media:file!",
        query="type",
        uploads="media",
        title="uploads an image for customer-service messages; answers its media_id",
    ),
    entry(
        "customerServiceMessage.getTempMedia",
        "GET /cgi-bin/media/get",
        "O",
        fields="media_id:str!",
        reply="binary",
        title="downloads a temporary media file",
    ),
    entry(
        "subscribeMessage.send",
        "POST /cgi-bin/message/subscribe/send",
        "N",
        fields="touser:str! template_id:str! page:str data:obj! miniprogram_state:str lang:str",
        title="sends a subscription message",
    ),
    entry(
        "subscribeMessage.addTemplate",
        "POST /wxaapi/newtmpl/addtemplate",
        "N",
        fields="tid:str! kidList:list! sceneDesc:str",
        case="camel",
        title="adds a template from the public library to the account; answers priTmplId",
    ),
    entry(
        "subscribeMessage.deleteTemplate",
        "POST /wxaapi/newtmpl/deltemplate",
        "I",
        fields="priTmplId:str!",
        case="camel",
        title="deletes a template of the account (officialAccount.newtmpl.delTemplate is the same endpoint)",
    ),
    entry(
        "subscribeMessage.getCategory",
        "GET /wxaapi/newtmpl/getcategory",
        "I",
        title="the account's categories, which decide the templates it may use",
    ),
    entry(
        "subscribeMessage.getPubTemplateKeyWordsById",
        "GET /wxaapi/newtmpl/getpubtemplatekeywords",
        "O",
        fields="tid:str!",
        title="the keywords of a public template",
    ),
    entry(
        "subscribeMessage.getPubTemplateTitleList",
        "GET /wxaapi/newtmpl/getpubtemplatetitles",
        "O",
        fields="ids:str! start:any! limit:any! keyword:str",
        title="public template titles of categories (ids: comma-separated category ids)",
    ),
    entry(
        "subscribeMessage.getTemplateList",
        "GET /wxaapi/newtmpl/gettemplate",
        "I",
        title="the account's templates (items in camelCase: priTmplId)",
    ),
    entry(
        "uniformMessage.send",
        "POST /cgi-bin/message/wxopen/template/uniform_send",
        "O",
        fields="touser:str! weapp_template_msg:obj mp_template_msg:obj",
        title="sends a template message through the linked Official Account",
    ),
    entry(
        "updatableMessage.createActivityId",
        "GET /cgi-bin/message/wxopen/activityid/create",
        "N",
        fields="unionid:str openid:str",
        title="creates the activity_id of an updatable message (private messages not from the cloud)",
    ),
    entry(
        "updatableMessage.setUpdatableMsg",
        "POST /cgi-bin/message/wxopen/updatablemsg/send",
        "N",
        fields="activity_id:str! target_state:int! template_info:obj!",
        title="updates a shared updatable message (written in camelCase, sent in WeChat's snake_case)",
    ),
    entry(
        "templateMessage.send",
        "POST /cgi-bin/message/wxopen/template/send",
        "O",
        fields="touser:str! template_id:str! form_id:str! page:str data:obj emphasis_keyword:str",
        title="deprecated: sends a template message (subscription messages replace it)",
    ),
    entry(
        "templateMessage.addTemplate",
        "POST /cgi-bin/wxopen/template/add",
        "E",
        fields="id:str! keyword_id_list:list!",
        title="deprecated: adds a library template to the account; answers template_id",
    ),
    entry(
        "templateMessage.deleteTemplate",
        "POST /cgi-bin/wxopen/template/del",
        "E",
        fields="template_id:str!",
        title="deprecated: deletes a template of the account",
    ),
    entry(
        "templateMessage.getTemplateLibraryById",
        "POST /cgi-bin/wxopen/template/library/get",
        "E",
        fields="id:str!",
        title="deprecated: a library template's keywords",
    ),
    entry(
        "templateMessage.getTemplateLibraryList",
        "POST /cgi-bin/wxopen/template/library/list",
        "E",
        fields=TEMPLATE_PAGE,
        title="deprecated: the template library's titles, a page at a time",
    ),
    entry(
        "templateMessage.getTemplateList",
        "POST /cgi-bin/wxopen/template/list",
        "E",
        fields=TEMPLATE_PAGE,
        title="deprecated: the account's templates, a page at a time",
    ),
)
