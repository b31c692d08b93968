"""``img`` and ``ocr``: images and text recognition. Each takes the image either by URL
(``imgUrl``, in the query string) or as an upload (``img``, a multipart part)."""

from __future__ import annotations

from .entry import entry

IMAGE = "img_url:str img:file"

ENTRIES = (
    entry(
        "img.aiCrop",
        "POST /cv/img/aicrop",
        "N",
        fields=f"{IMAGE} ratios:str",
        query="img_url ratios",
        uploads="img",
        title="smart crop: the best crops of an image for the given ratios",
    ),
    entry(
        "img.scanQRCode",
        "POST /cv/img/qrcode",
        "N",
        fields=IMAGE,
        query="img_url",
        uploads="img",
        title="reads the QR codes and barcodes in an image",
    ),
    entry(
        "img.superresolution",
        "POST /cv/img/superresolution",
        "N",
        fields=IMAGE,
        query="img_url",
        uploads="img",
        title="enlarges an image; answers the media_id of the result",
    ),
    entry(
        "ocr.printedText",
        "POST /cv/ocr/comm",
        "N",
        fields=IMAGE,
        query="img_url",
        uploads="img",
        title="recognizes printed text",
    ),
    entry(
        "ocr.idcard",
        "POST /cv/ocr/idcard",
        "O",
        fields=f"type:str {IMAGE}",
        query="type img_url",
        uploads="img",
        title="recognizes an identity card (type: photo or scan)",
    ),
    entry(
        "ocr.bankcard",
        "POST /cv/ocr/bankcard",
        "N",
        fields=f"type:str {IMAGE}",
        query="type img_url",
        uploads="img",
        title="recognizes a bank card number",
    ),
    entry(
        "ocr.businessLicense",
        "POST /cv/ocr/bizlicense",
        "N",
        fields=IMAGE,
        query="img_url",
        uploads="img",
        title="recognizes a business licence",
    ),
    entry(
        "ocr.driverLicense",
        "POST /cv/ocr/drivinglicense",
        "N",
        fields=IMAGE,
        query="img_url",
        uploads="img",
        title="recognizes a driving licence (驾驶证)",
    ),
    entry(
        "ocr.vehicleLicense",
        "POST /cv/ocr/driving",
        "O",
        fields=f"type:str {IMAGE}",
        query="type img_url",
        uploads="img",
        aliases="ocr.drivingLicense",
        title="a vehicle licence (行驶证); WeChat's newest page calls it ocr.drivingLicense",
    ),
)
