"""Finding 10: logo and seal go through core/uploads.py; PDFs are parsed for scripts; the
signed /files/ link refuses names that climb out of their school's folder."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django_tenants.utils import schema_context
from PIL import Image

from core.uploads import IMAGES_AND_PDF, download_token, validate_upload
from settings_per_school.models import SchoolSettings
from tests.core.pdfs import build_objstm_pdf, build_pdf
from tests.factories.employers import png_bytes
from tests.utils import ADMIN_PASSWORD, client_for, logged_in_client

JS = b"<< /S /JavaScript /JS (app.alert(1)) >>"
HOSTILE_PDFS = {
    "literal /JS( without /JavaScript": build_pdf(
        extra_objects={4: b"<< /Type /Annot /A << /S /J#61vaScript /JS(app.alert(1)) >> >>"}
    ),
    "name-escaped /J#61vaScript key": build_pdf(b"/Names << /J#61vaScript 4 0 R >>", {4: b"[]"}),
    "OpenAction with JavaScript": build_pdf(b"/OpenAction " + JS),
    "page /AA launching a program": build_pdf(
        extra_objects={
            3: b"<< /Type /Page /Parent 2 0 R /AA << /O << /S /Launch /F (calc) >> >> >>"
        }
    ),
    "script in a compressed object stream": build_objstm_pdf(JS),
}


def upload(data: bytes, name: str, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize("label", list(HOSTILE_PDFS))
def test_scripted_pdfs_are_refused_however_they_hide_it(label):
    data = HOSTILE_PDFS[label]
    assert b"/JavaScript" not in data or label.startswith("OpenAction")  # byte search would miss
    with pytest.raises(ValidationError) as info:
        validate_upload(upload(data, "scan.pdf"), kinds=IMAGES_AND_PDF)
    assert info.value.code == "active_content" and "脚本" in info.value.messages[0]


def test_an_ordinary_pdf_with_a_page_destination_is_accepted():
    clean = validate_upload(
        upload(build_pdf(b"/OpenAction [3 0 R /Fit]"), "a.pdf"), kinds=IMAGES_AND_PDF
    )
    assert clean.kind == "pdf"


def test_junk_after_a_pdf_header_is_corrupt_not_a_server_error():
    with pytest.raises(ValidationError) as info:
        validate_upload(
            upload(b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF", "x.pdf"), kinds=IMAGES_AND_PDF
        )
    assert info.value.code == "corrupt"


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def patch_settings(client, **files):
    return client.patch(
        "/api/v1/school/settings", encode_multipart(BOUNDARY, files), content_type=MULTIPART_CONTENT
    )


def exif_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x8825] = {1: "N", 2: (28.0, 12.0, 0.0)}
    return png_bytes(size=(64, 64), exif=exif.tobytes())


def test_a_polyglot_logo_is_reencoded_and_served_as_an_image(school_a, media):
    polyglot = (
        exif_jpeg()
        + b"<html><script>alert(1)</script></html>"
        + HOSTILE_PDFS["OpenAction with JavaScript"]
    )
    admin = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    response = patch_settings(
        admin,
        logo=upload(polyglot, "logo.pdf", "application/pdf"),
        seal=upload(polyglot, "seal.png", "image/png"),
    )
    assert response.status_code == 200, response.content
    with schema_context(school_a.schema_name):
        current = SchoolSettings.objects.get()
        for field in (current.logo, current.seal):
            assert field.name.endswith(".jpg"), field.name
            data = field.read()
            assert b"<html" not in data and b"%PDF" not in data and b"SecretCam" not in data
            assert not Image.open(field.path).getexif()
    served = client_for(school_a).get("/school/logo")
    assert served["Content-Type"] == "image/jpeg" and served["X-Content-Type-Options"] == "nosniff"
    assert b"<script" not in b"".join(served.streaming_content)


def test_a_pdf_named_logo_is_refused_and_nothing_changes(school_a, media):
    admin = logged_in_client(school_a, "admin", ADMIN_PASSWORD)
    api = patch_settings(admin, logo=upload(build_pdf(), "logo.pdf"))
    assert api.status_code == 400 and "logo" in api.json()["errors"]
    page = admin.post("/settings/", {"school_name": "阿尔法大学", "invitation_validity_days": "14",
                                     "termination_cooldown_working_days": "30", "print_copies": "4",
                                     "logo": upload(build_pdf(), "logo.pdf")})  # fmt: skip
    assert page.status_code == 200  # the form again, with its error
    with schema_context(school_a.schema_name):
        assert not SchoolSettings.objects.get().logo
    assert client_for(school_a).get("/school/logo").status_code == 404


def test_signed_links_refuse_names_that_climb_out_of_the_school(school_a, school_b, media):
    with schema_context(school_b.schema_name):
        secret = default_storage.save("school_beta/licence/secret.png", ContentFile(png_bytes()))
    assert secret == "school_beta/licence/secret.png"
    alpha = client_for(school_a)
    for name in (
        "school_alpha/../school_beta/licence/secret.png",
        "school_alpha/./../school_beta/licence/secret.png",
        "school_alpha//../school_beta/licence/secret.png",
        "school_alpha/licence/..\\..\\school_beta\\licence\\secret.png",
    ):
        assert alpha.get(f"/files/{download_token(name)}").status_code == 404, name
    # The same school's own file still opens.
    with schema_context(school_a.schema_name):
        own = default_storage.save("school_alpha/licence/own.png", ContentFile(png_bytes()))
    assert alpha.get(f"/files/{download_token(own)}").status_code == 200
