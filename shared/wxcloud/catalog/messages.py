"""``customerServiceMessage``, ``subscribeMessage``, ``uniformMessage``, ``updatableMessage`` and
the deprecated ``templateMessage``: messages to users, and the media they carry."""

from __future__ import annotations

from .entry import entry

ENTRIES = (
    entry("customerServiceMessage.send", "POST /cgi-bin/message/custom/send", "N", fields="touser:str! msgtype:str!"),
    entry("customerServiceMessage.setTyping", "POST /cgi-bin/message/custom/typing", "O", fields="touser:str! command:str!"),
    entry("customerServiceMessage.uploadTempMedia", "POST /cgi-bin/media/upload", "O", fields="type:str! media:file!", query="type",
          uploads="media", title="uploads an image for customer-service messages; answers its media_id"),
    entry("customerServiceMessage.getTempMedia", "GET /cgi-bin/media/get", "O", fields="media_id:str!", reply="binary",
          title="downloads a temporary media file"),
    entry("subscribeMessage.send", "POST /cgi-bin/message/subscribe/send", "N",
          fields="touser:str! template_id:str! page:str data:obj! miniprogram_state:str lang:str"),
    entry("subscribeMessage.addTemplate", "POST /wxaapi/newtmpl/addtemplate", "N", fields="tid:str! kidList:list! sceneDesc:str",
          case="camel", title="adds a template from the public library to the account; answers priTmplId"),
    entry("subscribeMessage.deleteTemplate", "POST /wxaapi/newtmpl/deltemplate", "I", fields="priTmplId:str!", case="camel"),
    entry("subscribeMessage.getCategory", "GET /wxaapi/newtmpl/getcategory", "I"),
    entry("subscribeMessage.getPubTemplateKeyWordsById", "GET /wxaapi/newtmpl/getpubtemplatekeywords", "O", fields="tid:str!"),
    entry("subscribeMessage.getPubTemplateTitleList", "GET /wxaapi/newtmpl/getpubtemplatetitles", "O",
          fields="ids:str! start:int! limit:int! keyword:str"),
    entry("subscribeMessage.getTemplateList", "GET /wxaapi/newtmpl/gettemplate", "I"),
)
