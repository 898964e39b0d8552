"""The printed agreement: number, PDF (text, copies, labels, QR, seal, layout), verification,
downloads and who may make them, the paper copy. One committed school for the module."""

from __future__ import annotations

import io
import subprocess
import zipfile
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context
from PIL import Image, ImageDraw
from pypdf import PdfReader

from agreements import numbering, printing
from agreements.models import Agreement, AgreementPaper, AgreementVersion, PaperState
from core.masking import mask_id_number
from core.models import AuditLog
from settings_per_school.models import SchoolSettings
from settings_per_school.services import update_school_settings
from tests.agreements import flows
from tests.factories import agreements as f
from tests.utils import client_for, drop_school, logged_in_client, new_school


def seal_png() -> bytes:
    """A red round seal on a transparent background, as schools upload them."""
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 290, 290), outline=(220, 0, 0, 255), width=18)
    draw.regular_polygon((150, 150, 60), 5, fill=(220, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class World:
    pass


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A school with a seal, two signed agreements (college A by invitation, college B by the
    graduate's own), and a second school with a graduate of its own."""
    with django_db_blocker.unblock():
        w = World()
        w.school = new_school(name="印刷测试大学", code="10547")
        w.other_school = new_school(name="别校大学")
        w.cast = f.build_school(w.school, graduates=3, prefix="2019")
        w.other_cast = f.build_school(w.other_school, graduates=1, prefix="2018")
        w.employer = f.make_employer("湘江印刷科技有限公司")
        w.other_employer = f.make_employer()
        with schema_context(w.school.schema_name):
            update_school_settings(
                actor=w.cast.admin_actor(),
                changes={
                    "seal": SimpleUploadedFile("seal.png", seal_png(), content_type="image/png")
                },
            )
            w.graduate = w.cast.graduates[0]
            a = flows.invite(w.cast, w.employer, w.graduate, position="嵌入式开发工程师")
            flows.accept(a, w.graduate)
            flows.review(w.cast, a, level="college")
            flows.review(w.cast, a, level="school")
            w.agreement = Agreement.objects.get(pk=a.pk)
            w.paper = AgreementPaper.objects.get(agreement=w.agreement)
            w.b_graduate = w.cast.graduates[-1]  # 外国语学院
            b = flows.invite(w.cast, w.employer, w.b_graduate)
            flows.accept(b, w.b_graduate)
            flows.review(w.cast, b, level="college")
            flows.review(w.cast, b, level="school")
            w.b_agreement = Agreement.objects.get(pk=b.pk)
        connection.set_schema_to_public()
        yield w
        drop_school(w.school)
        drop_school(w.other_school)
        f.remove_employers([w.employer, w.other_employer])


def _pdf(world, *, full_id=True, agreement=None) -> bytes:
    with schema_context(world.school.schema_name):
        a = Agreement.objects.select_related("graduate").get(pk=(agreement or world.agreement).pk)
        return printing.render_pdf(a, full_id=full_id)


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _grad(world, graduate=None):
    graduate = graduate or world.graduate
    return logged_in_client(world.school, graduate.user.username, f.GRADUATE_PASSWORD)


def _settings(world, **changes):
    with schema_context(world.school.schema_name):
        return update_school_settings(actor=world.cast.admin_actor(), changes=changes)


# --- the number ---------------------------------------------------------------------------


def test_number_is_year_school_level_serial_and_shown_on_pages_and_api(world, committed):
    a = world.agreement
    year = a.signed_at.year
    assert a.number == f"{year}105471" + f"{world.paper.serial:05d}"
    assert numbering.display(a.number) == f"{year} 10547 1 {world.paper.serial:05d}"
    grad = _grad(world)
    assert grad.get(f"/api/v1/agreements/{a.pk}").json()["number"] == a.number
    assert a.number in grad.get("/api/v1/agreements").json()["results"][0]["number"]
    page = grad.get(f"/agreements/{a.pk}/").content.decode()
    assert numbering.display(a.number) in page
    mine = grad.get("/agreements/mine/").content.decode()
    assert numbering.display(a.number) in mine and "待上传盖章件" in mine


def test_concurrent_signings_get_distinct_consecutive_serials(world, committed):
    from tests.agreements.test_races import run_together

    graduates = world.cast.graduates[1:3]
    pending = []
    with schema_context(world.school.schema_name):
        for graduate in graduates:
            a = flows.invite(world.cast, world.other_employer, graduate)
            flows.accept(a, graduate)
            flows.review(world.cast, a, level="college")
            pending.append(a.pk)
        before = set(AgreementPaper.objects.values_list("serial", flat=True))

    def sign(pk):
        from agreements import services

        return lambda: services.review_agreement(
            actor=f.web(world.cast.admin), agreement_id=pk, approve=True
        )

    outcomes = run_together(world.school.schema_name, *(sign(pk) for pk in pending))
    assert outcomes == ["ok", "ok"]
    with schema_context(world.school.schema_name):
        serials = sorted(
            AgreementPaper.objects.filter(agreement_id__in=pending).values_list("serial", flat=True)
        )
        numbers = set(Agreement.objects.filter(pk__in=pending).values_list("number", flat=True))
    assert serials == [max(before) + 1, max(before) + 2]
    assert len(numbers) == 2


# --- the document -------------------------------------------------------------------------


def test_pdf_text_holds_number_parties_position_review_and_only_the_accepted_version(
    world, committed
):
    with schema_context(world.school.schema_name):
        a = Agreement.objects.get(pk=world.agreement.pk)
        # A later, never accepted version and an edited working copy must not reach the paper.
        later = AgreementVersion.objects.create(
            agreement=a,
            number=99,
            content={**a.accepted_version.content, "position": "未经确认的岗位"},
            created_by_role="employer",
        )
        Agreement.objects.filter(pk=a.pk).update(
            draft_content={**a.draft_content, "position": "草稿里的岗位"}
        )
    try:
        text = _text(_pdf(world))
    finally:
        with schema_context(world.school.schema_name):
            later.delete()
    assert numbering.display(world.agreement.number) in text
    assert world.graduate.name in text and world.graduate.student_number in text
    assert "湘江印刷科技有限公司" in text
    assert "嵌入式开发工程师" in text
    assert "未经确认的岗位" not in text and "草稿里的岗位" not in text
    assert "院系审核通过" in text and "学校审核通过" in text
    assert "计算机学院" in text and "本科" in text
    with schema_context(world.school.schema_name):
        full_id = world.graduate.__class__.objects.get(pk=world.graduate.pk).id_number
    assert full_id in text
    masked = _text(_pdf(world, full_id=False))
    assert full_id not in masked
    assert mask_id_number(full_id) in masked  # the one mask: never the last six


def test_num_copies_reads_back_as_the_school_setting(world, committed):
    _settings(world, print_copies=3)
    try:
        reader = PdfReader(io.BytesIO(_pdf(world)))
        assert reader.trailer["/Root"]["/ViewerPreferences"]["/NumCopies"] == 3
        assert len(reader.pages) == 1
    finally:
        _settings(world, print_copies=4)


def test_named_copies_give_one_labelled_copy_each_and_preset_one(world, committed):
    labels = ["第一联 学校留存", "第二联 毕业生", "第三联 用人单位", "第四联 院系存档"]
    _settings(world, print_copy_labels=labels)
    try:
        reader = PdfReader(io.BytesIO(_pdf(world)))
        assert reader.trailer["/Root"]["/ViewerPreferences"]["/NumCopies"] == 1
        assert len(reader.pages) == 4
        for page, label in zip(reader.pages, labels, strict=True):
            assert label in page.extract_text()
        page = _grad(world).get("/agreements/mine/").content.decode()
        assert "一式 4 联" in page and "第三联 用人单位" in page
    finally:
        _settings(world, print_copy_labels=[])


def _png_pages(data: bytes, tmp_path, dpi: int) -> list:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(tmp_path / "p")], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(tmp_path.glob("p-*.png"))]


def _red_pixels(image, box) -> int:
    region = image.crop(box)
    return sum(1 for r, g, b in region.get_flattened_data() if r > 180 and g < 90 and b < 90)


def test_layout_one_page_with_the_seal_over_the_jianzheng_box(world, committed, tmp_path):
    pages = _png_pages(_pdf(world), tmp_path, 40)
    assert len(pages) == 1
    page = pages[0]
    w, h = page.size
    jianzheng = (int(w * 0.70), int(h * 0.55), w, h)  # the right-most signature box
    assert _red_pixels(page, jianzheng) > 60
    assert _red_pixels(page, (0, 0, int(w * 0.6), h)) == 0
    with schema_context(world.school.schema_name):
        seal = SchoolSettings.objects.get().seal.name
        SchoolSettings.objects.update(seal="")
    try:
        (tmp_path / "none").mkdir()
        no_seal = _png_pages(_pdf(world), tmp_path / "none", 40)[0]
    finally:
        with schema_context(world.school.schema_name):
            SchoolSettings.objects.update(seal=seal)
    assert _red_pixels(no_seal, jianzheng) == 0


def test_qr_code_decodes_to_the_verification_url_showing_masked_name_and_valid(
    world, committed, tmp_path
):
    from pyzbar.pyzbar import decode

    page = _png_pages(_pdf(world), tmp_path, 200)[0]
    found = [d.data.decode() for d in decode(page) if d.type == "QRCODE"]
    assert len(found) == 1
    url = found[0]
    with schema_context(world.school.schema_name):
        paper = AgreementPaper.objects.get(agreement=world.agreement)
    assert url == printing.verify_url(world.school, paper.verify_token)
    r = client_for(world.school).get(urlsplit(url).path)
    body = r.content.decode()
    assert r.status_code == 200
    name = world.graduate.name
    assert (name[0] + "*" * (len(name) - 2) + name[-1]) in body and name not in body
    assert "有效" in body and numbering.display(world.agreement.number) in body
    assert world.graduate.student_number not in body
    with schema_context(world.school.schema_name):
        assert AgreementPaper.objects.get(pk=paper.pk).lookups == paper.lookups + 1


# --- verification -------------------------------------------------------------------------


def test_short_code_typed_at_verify_and_terminated_state_shows_yijieyue(world, committed):
    with schema_context(world.school.schema_name):
        paper = AgreementPaper.objects.get(agreement=world.b_agreement)
    client = client_for(world.school)
    typed = numbering.display_code(paper.short_code).lower()
    r = client.get("/verify/", {"code": typed})
    assert r.status_code == 200 and "有效" in r.content.decode()
    api = client.get("/api/v1/verify", {"code": paper.short_code}).json()
    assert api["status"] == "valid" and api["number"] == numbering.display(world.b_agreement.number)
    with schema_context(world.school.schema_name):
        Agreement.objects.filter(pk=world.b_agreement.pk).update(state="terminated")
    try:
        r = client.get(f"/verify/{paper.verify_token}")
        assert "已解约" in r.content.decode()
    finally:
        with schema_context(world.school.schema_name):
            Agreement.objects.filter(pk=world.b_agreement.pk).update(state="signed")


def test_wrong_codes_answer_404_with_nothing_in_them(world, committed):
    client = client_for(world.school)
    for response in (
        client.get("/verify/not-a-real-token-at-all"),
        client.get("/verify/", {"code": "ABCDE-FGHJK"}),
        client.get("/api/v1/verify/not-a-real-token"),
    ):
        assert response.status_code == 404
        body = response.content.decode()
        assert "湘江印刷科技有限公司" not in body and world.agreement.number not in body
        assert world.graduate.name[0] + "*" not in body
    # Another school's host does not know this school's codes.
    with schema_context(world.school.schema_name):
        token = AgreementPaper.objects.get(agreement=world.agreement).verify_token
    assert client_for(world.other_school).get(f"/verify/{token}").status_code == 404


def test_verification_is_rate_limited_per_client(world, committed, settings):
    settings.VERIFY_RATE_LIMIT = 3
    client = client_for(world.school)
    codes = [client.get("/verify/", {"code": "ZZZZZ-ZZZZZ"}, REMOTE_ADDR="10.9.8.7").status_code]
    codes += [
        client.get("/verify/", {"code": "ZZZZZ-ZZZZZ"}, REMOTE_ADDR="10.9.8.7").status_code
        for _ in range(3)
    ]
    assert codes == [404, 404, 404, 429]
    other = client.get("/verify/", {"code": "ZZZZZ-ZZZZZ"}, REMOTE_ADDR="10.9.8.8")
    assert other.status_code == 404


# --- downloads and who may make them ------------------------------------------------------


def _follow_pdf(client, response) -> bytes:
    assert response.status_code == 302, response.content[:300]
    location = urlsplit(response["Location"])
    fetched = client.get(location.path)
    assert fetched.status_code == 200 and fetched["Content-Type"] == "application/pdf"
    return b"".join(fetched.streaming_content)


def test_graduate_downloads_the_stored_pdf_audited(world, committed):
    grad = _grad(world)
    data = _follow_pdf(grad, grad.get(f"/agreements/{world.agreement.pk}/print.pdf"))
    assert data.startswith(b"%PDF-")
    api = grad.get(f"/api/v1/agreements/{world.agreement.pk}/pdf")
    assert _follow_pdf(grad, api) == data  # stored once, served again
    with schema_context(world.school.schema_name):
        rows = AuditLog.objects.filter(
            action="agreement.pdf_downloaded", data__agreement=world.agreement.pk
        )
        assert rows.filter(actor_id=world.graduate.user_id).count() >= 2
        assert rows.first().data["variant"] == "full"


def test_hr_downloads_from_the_platform_host_masked(world, committed):
    hr = logged_in_client(None, world.employer.hr.username, f.HR_PASSWORD)
    r = hr.get(f"/employer/agreements/{world.school.subdomain}/{world.agreement.pk}/print.pdf")
    assert r.status_code == 302
    location = urlsplit(r["Location"])
    assert location.hostname == f"{world.school.subdomain}.localhost"
    fetched = client_for(world.school).get(location.path)
    text = _text(b"".join(fetched.streaming_content))
    with schema_context(world.school.schema_name):
        full_id = world.graduate.__class__.objects.get(pk=world.graduate.pk).id_number
    assert full_id not in text and numbering.display(world.agreement.number) in text
    page = hr.get(f"/employer/agreements/{world.school.subdomain}/{world.agreement.pk}/")
    assert numbering.display(world.agreement.number) in page.content.decode()


def test_others_cannot_download(world, committed):
    pk = world.agreement.pk
    other_grad = world.other_cast.graduates[0]
    stranger = logged_in_client(world.other_school, other_grad.user.username, f.GRADUATE_PASSWORD)
    assert stranger.get(f"/agreements/{pk}/print.pdf").status_code == 404
    assert stranger.get(f"/api/v1/agreements/{pk}/pdf").status_code == 404
    classmate = _grad(world, world.cast.graduates[1])
    assert classmate.get(f"/agreements/{pk}/print.pdf").status_code == 404
    other_hr = logged_in_client(None, world.other_employer.hr.username, f.HR_PASSWORD)
    url = f"/employer/agreements/{world.school.subdomain}/{pk}/print.pdf"
    assert other_hr.get(url).status_code == 404
    assert (
        other_hr.get(f"/api/v1/employer/schools/{world.school.subdomain}/agreements/{pk}/pdf")
    ).status_code == 404
    other_college = logged_in_client(
        world.school, world.cast.college_admins[1].username, f.STAFF_PASSWORD
    )
    assert other_college.get(f"/agreements/{pk}/print.pdf").status_code == 404
    zip_url = f"/agreements/print/college/{world.cast.colleges[0].pk}.zip"
    assert other_college.get(zip_url).status_code == 404


def test_college_zip_holds_the_colleges_signed_agreements(world, committed):
    college = logged_in_client(
        world.school, world.cast.college_admins[0].username, f.STAFF_PASSWORD
    )
    r = college.get(f"/agreements/print/college/{world.cast.colleges[0].pk}.zip")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert f"{world.agreement.number}-{world.graduate.student_number}.pdf" in names
    assert not any(world.b_graduate.student_number in n for n in names)
    assert "打包下载" in college.get("/agreements/print/").content.decode()


def test_stored_pdf_key_follows_its_dependencies(world, committed):
    with schema_context(world.school.schema_name):
        a = Agreement.objects.select_related("graduate").get(pk=world.agreement.pk)
        first = printing.stored_pdf(a, printing.FULL)
        assert first.startswith(f"{world.school.schema_name}/agreement-pdfs/{a.pk}/")
        assert printing.stored_pdf(a, printing.FULL) == first
        _settings(world, print_copies=2)
        try:
            second = printing.stored_pdf(a, printing.FULL)
        finally:
            _settings(world, print_copies=4)
        assert second != first and default_storage.exists(second)
        # The task that runs after signing stores both variants.
        from agreements.tasks import render_signed_pdf

        names = render_signed_pdf.run(a.pk)
        assert names[0] == first and "-masked-" in names[1]


# --- the paper copy -----------------------------------------------------------------------


def test_paper_copy_upload_reject_upload_receive(world, committed):
    pk = world.b_agreement.pk
    grad = _grad(world, world.b_graduate)
    admin = logged_in_client(world.school, "admin", f.ADMIN_PASSWORD)
    bad = grad.post(
        f"/api/v1/agreements/{pk}/paper/scan",
        {"scan": SimpleUploadedFile("scan.txt", b"hello", content_type="text/plain")},
    )
    assert bad.status_code == 400
    r = grad.post(
        f"/api/v1/agreements/{pk}/paper/scan",
        {"scan": SimpleUploadedFile("scan.png", f.png_bytes(), content_type="image/png")},
    )
    assert r.status_code == 200 and r.json()["paper_state"] == PaperState.UPLOADED
    assert grad.post(f"/api/v1/agreements/{pk}/paper/receive").status_code == 403
    r = admin.post(f"/api/v1/agreements/{pk}/paper/reject", {"reason": "印章不清晰"})
    assert r.json()["paper_state"] == PaperState.REJECTED
    assert "印章不清晰" in grad.get(f"/agreements/{pk}/").content.decode()
    hr = logged_in_client(None, world.employer.hr.username, f.HR_PASSWORD)
    r = hr.post(
        f"/employer/agreements/{world.school.subdomain}/{pk}/paper/scan/upload",
        {"scan": SimpleUploadedFile("scan.jpg", _jpeg(), content_type="image/jpeg")},
    )
    assert r.status_code == 302
    scan = admin.get(f"/agreements/{pk}/paper/scan")
    assert scan.status_code == 302
    fetched = admin.get(urlsplit(scan["Location"]).path)
    assert fetched["Content-Type"] == "image/jpeg"
    r = admin.post(f"/agreements/{pk}/paper/receive")
    assert r.status_code == 302
    assert "纸质协议已收回" in admin.get(f"/agreements/{pk}/").content.decode()
    assert "纸质协议已收回" in admin.get("/agreements/dashboard/", follow=True).content.decode()
    from openpyxl import load_workbook

    dashboard = load_workbook(
        io.BytesIO(admin.get("/agreements/dashboard.xlsx", follow=True).content)
    )
    paper_rows = dict(dashboard["纸质协议"].iter_rows(min_row=2, values_only=True))
    assert paper_rows["纸质协议已收回"] >= 1
    export = admin.get("/agreements/print/register.xlsx")

    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    row = next(r for r in rows if r[1] == world.b_graduate.student_number)
    assert row[0] == numbering.display(world.b_agreement.number) and row[9] == "纸质协议已收回"
    with schema_context(world.school.schema_name):
        actions = list(
            AuditLog.objects.filter(
                target_type="agreements.agreement",
                target_id=str(pk),
                action__startswith="agreement.paper_",
            )
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == [
        "agreement.paper_upload",
        "agreement.paper_reject",
        "agreement.paper_upload",
        "agreement.paper_receive",
    ]


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(out, "JPEG")
    return out.getvalue()


def test_openapi_documents_the_pdf_response(world, committed):
    schema = client_for(world.school).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    if schema.status_code != 200:
        pytest.skip("schema endpoint not at /api/v1/schema/")
    text = schema.content.decode()
    assert "/api/v1/agreements/{id}/pdf" in text and "application/pdf" in text


def test_signing_queues_the_render_on_commit_and_it_stores_both_variants(world, committed):
    from saas_platform.celery import app

    graduate = world.other_cast.graduates[0]
    school = world.other_school
    app.conf.task_always_eager = True  # the worker's part, run in this process
    try:
        with schema_context(school.schema_name):
            a = flows.invite(world.other_cast, world.other_employer, graduate)
            flows.accept(a, graduate)
            flows.review(world.other_cast, a, level="college")
            flows.review(world.other_cast, a, level="school")
            a = Agreement.objects.get(pk=a.pk)
            prefix = f"{school.schema_name}/agreement-pdfs/{a.pk}"
            dirs, _files = default_storage.listdir(prefix)
    finally:
        app.conf.task_always_eager = False
    assert sorted(name.split("-")[1] for name in dirs) == ["full", "masked"]
    assert a.number.startswith(str(a.signed_at.year))
