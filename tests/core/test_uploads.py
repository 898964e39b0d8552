"""Uploads are judged by their content; downloads go through signed, short-lived links."""

import io
import struct
import time
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signing import TimestampSigner, b62_encode
from django.test import override_settings
from PIL import Image

from core.uploads import IMAGES, IMAGES_AND_PDF, validate_upload
from tests.core.pdfs import build_pdf
from tests.factories.employers import HR_PASSWORD, png_bytes, register
from tests.utils import client_for, logged_in_client

PDF = build_pdf()


def upload(data: bytes, name: str = "file.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few hundred bytes that claim ten billion pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def test_a_renamed_text_file_is_not_an_image():
    with pytest.raises(ValidationError) as info:
        validate_upload(upload(b"just some text, honestly a photo", "licence.png"))
    assert info.value.code == "file_type"
    assert "只能上传 JPG、PNG 文件" in info.value.messages[0]
    assert "改扩展名无效" in info.value.messages[0]


def test_a_pdf_is_refused_where_only_images_go_and_accepted_where_pdfs_may():
    with pytest.raises(ValidationError):
        validate_upload(upload(PDF, "photo.jpg", "image/jpeg"), kinds=IMAGES)
    clean = validate_upload(upload(PDF, "whatever.bin"), kinds=IMAGES_AND_PDF)
    assert clean.kind == "pdf" and clean.content_type == "application/pdf"
    assert clean.content.name.endswith(".pdf")


def test_broken_or_scripted_pdfs_are_refused():
    with pytest.raises(ValidationError) as info:
        validate_upload(upload(PDF[:-7]), kinds=IMAGES_AND_PDF)
    assert "不完整" in info.value.messages[0]
    scripted = build_pdf(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>")
    with pytest.raises(ValidationError) as info:
        validate_upload(upload(scripted), kinds=IMAGES_AND_PDF)
    assert "脚本" in info.value.messages[0]


def test_an_oversized_file_is_refused_with_the_limit():
    data = png_bytes(size=(400, 400))
    with pytest.raises(ValidationError) as info:
        validate_upload(upload(data), max_bytes=len(data) - 1)
    assert info.value.code == "too_big"
    with override_settings(UPLOAD_MAX_BYTES=2 * 1024 * 1024):
        with pytest.raises(ValidationError) as info:
            validate_upload(upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024)))
    assert "不能超过 2 MB" in info.value.messages[0]


def test_a_decompression_bomb_is_refused_before_decoding():
    data = bomb_png()
    assert len(data) < 2000
    with pytest.raises(ValidationError) as info:
        validate_upload(upload(data))
    assert info.value.code == "too_many_pixels"
    assert "图片尺寸过大" in info.value.messages[0]


def test_a_corrupt_image_is_refused():
    data = png_bytes()
    with pytest.raises(ValidationError) as info:
        validate_upload(upload(data[:40] + b"garbage" * 10))
    assert info.value.code == "corrupt"


def test_images_are_reencoded_without_exif():
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (28.0, 12.0, 0.0)}  # GPS position
    photo = png_bytes(size=(80, 60), exif=exif.tobytes())
    assert b"SecretCam" in photo
    clean = validate_upload(upload(photo + b"<?php evil(); ?>", "licence.jpeg", "image/jpeg"))
    data = clean.content.read()
    assert b"SecretCam" not in data and b"<?php" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (80, 60)
    assert not image.getexif()


def test_licence_downloads_go_through_a_signed_link_for_this_host_only(db, school_a):
    register(name="签名链接有限公司", username="hr.signed")
    hr = logged_in_client(None, "hr.signed", HR_PASSWORD)
    employer_id = hr.get("/api/v1/employers/mine").json()["id"]
    redirect = hr.get(f"/employers/{employer_id}/licence")
    assert redirect.status_code == 302
    link = redirect["Location"]
    assert link.startswith("http://localhost/files/")
    path = link.removeprefix("http://localhost")
    # The link itself needs no session (it is what an <img> or a download manager fetches)…
    served = client_for(None).get(path)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).format == "PNG"
    # …but it opens nothing on a school's host, and a tampered one opens nothing at all.
    assert client_for(school_a).get(path).status_code == 404
    assert client_for(None).get(path[:-2] + "xx").status_code == 404
    # Anonymous users never get a link.
    assert client_for(None).get(f"/employers/{employer_id}/licence").status_code == 404


def test_signed_links_expire(db, monkeypatch):
    from core import uploads

    register(name="过期链接有限公司", username="hr.expired")
    hr = logged_in_client(None, "hr.expired", HR_PASSWORD)
    employer_id = hr.get("/api/v1/employers/mine").json()["id"]
    path = hr.get(f"/employers/{employer_id}/licence")["Location"].removeprefix("http://localhost")
    token = path.removeprefix("/files/")
    name = uploads._signer.unsign_object(token)

    class HourOld(TimestampSigner):
        def timestamp(self):
            return b62_encode(int(time.time()) - 3600)

    old_token = HourOld(salt="core.uploads.download").sign_object(name)
    assert client_for(None).get(f"/files/{old_token}").status_code == 404
    assert client_for(None).get(f"/files/{token}").status_code == 200
