"""``officialAccount``: Official Account APIs, which WeChat names with three segments
(``officialAccount.media.upload``). A sample of the family, as WeChat's Official Account pages
name them; ``material.delelete`` is spelt as WeChat spells it. Several share an endpoint with a
mini-program name (``newtmpl.delTemplate`` and ``subscribeMessage.deleteTemplate``,
``media.upload`` and ``customerServiceMessage.uploadTempMedia``): each name is its own entry, and
its errMsg names it as called."""

from __future__ import annotations

from .entry import entry

ENTRIES = (
    entry(
        "officialAccount.media.upload",
        "POST /cgi-bin/media/upload",
        "N",
        fields="type:str! media:file!",
        query="type",
        uploads="media",
        title="uploads a temporary media file (image, voice, video, thumb); answers its media_id",
    ),
    entry(
        "officialAccount.media.uploadImg",
        "POST /cgi-bin/media/uploadimg",
        "N",
        fields="media:file!",
        uploads="media",
        title="uploads an image for an article; answers its URL",
    ),
    entry(
        "officialAccount.material.addMaterial",
        "POST /cgi-bin/material/add_material",
        "N",
        fields="type:str! media:file! description:str",
        query="type",
        uploads="media",
        title="uploads a permanent material (a video's description: a JSON string)",
    ),
    entry(
        "officialAccount.material.get",
        "POST /cgi-bin/material/get_material",
        "N",
        fields="media_id:str!",
        reply="binary",
        title="downloads a permanent material (articles and videos answer JSON)",
    ),
    entry(
        "officialAccount.material.getMaterialCount",
        "GET /cgi-bin/material/get_materialcount",
        "N",
        title="how many permanent materials of each kind",
    ),
    entry(
        "officialAccount.material.delelete",
        "POST /cgi-bin/material/del_material",
        "N",
        fields="media_id:str!",
        title="deletes a permanent material (the name as WeChat spells it)",
    ),
    entry(
        "officialAccount.newtmpl.delTemplate",
        "POST /wxaapi/newtmpl/deltemplate",
        "N",
        fields="priTmplId:str!",
        case="camel",
        title="deletes a subscription template of the account",
    ),
    entry(
        "officialAccount.newtmpl.getTemplate",
        "GET /wxaapi/newtmpl/gettemplate",
        "N",
        title="the account's subscription templates",
    ),
    entry(
        "officialAccount.newtmpl.getPubTemplateKeywords",
        "GET /wxaapi/newtmpl/getpubtemplatekeywords",
        "N",
        fields="tid:str!",
        title="the keywords of a public subscription template",
    ),
)
